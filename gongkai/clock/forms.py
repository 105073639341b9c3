"""Forms of the calendar administration and of the public 期限计算器: parse and validate input, nothing else."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from gongkai.clock.engine import EventType, LedgerEvent
from gongkai.clock.models import DayKind

MAX_UPLOAD = 200 * 1024
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2199, 12, 31)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _date_field(label: str, *, required: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"],
        help_text=help_text,
        error_messages={"invalid": "请按 2026-01-05 的格式填写日期", "required": "请填写日期"},
    )


def _check_range(value: dt.date | None) -> None:
    if value is not None and not FIRST_DAY <= value <= LAST_DAY:
        raise forms.ValidationError("日期超出可计算的范围（2000年至2199年）")


class NoticeLoadForm(forms.Form):
    year = forms.IntegerField(
        label="年份",
        required=False,
        min_value=2000,
        max_value=2200,
        help_text="留空时从通知标题“国务院办公厅关于YYYY年部分节假日安排的通知”读取",
        error_messages={
            "invalid": "请填写四位数年份",
            "min_value": "年份不能早于2000年",
            "max_value": "年份不能晚于2200年",
        },
    )
    text = forms.CharField(
        label="通知文本",
        required=False,
        strip=False,  # kept verbatim in the version history
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=50_000,
        help_text="粘贴通知的标题和正文（“一、元旦：……”各条）",
    )
    file = forms.FileField(
        label="或上传文本文件（.txt）", required=False, help_text="UTF-8 或 GB18030 编码，不超过 200KB"
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data.get("file")
        if not upload:
            return ""
        if not upload.name.lower().endswith(".txt"):
            raise forms.ValidationError("只接受 .txt 文本文件")
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("文件超过 200KB，请只保留通知正文")
        raw = upload.read()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return str(raw.decode(encoding))
            except UnicodeDecodeError:
                continue
        raise forms.ValidationError("无法读取文件：不是 UTF-8 或 GB18030 编码的文本")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("file"):
            data["text"] = data["file"]
        if not (data.get("text") or "").strip() and not self.errors:
            raise forms.ValidationError("请粘贴通知文本或上传文本文件")
        return data


DAY_CHOICES = [(DayKind.HOLIDAY.value, "放假"), (DayKind.WORKDAY.value, "调休上班"), ("normal", "普通（按星期计）")]


class DaySetForm(forms.Form):
    date = _date_field("日期", required=True)
    kind = forms.ChoiceField(label="设为", choices=DAY_CHOICES, widget=forms.RadioSelect)
    name = forms.CharField(label="节日名称", required=False, max_length=40, help_text="如 春节；普通日可留空")
    reason = forms.CharField(
        label="更正理由",
        max_length=200,
        help_text="如 依据国务院办公厅补充通知",
        error_messages={"required": "请填写更正理由"},
    )

    def clean_date(self) -> dt.date:
        value: dt.date = self.cleaned_data["date"]
        _check_range(value)
        return value

    def day_kind(self) -> DayKind | None:
        kind = self.cleaned_data["kind"]
        return None if kind == "normal" else DayKind(kind)


class DeadlineForm(forms.Form):
    """The public calculator: the received date and, optionally, each event of the procedure (at most once each)."""

    received = _date_field(
        "收到申请之日", required=True, help_text="条例第三十一条：当面提交为提交之日，邮寄为签收之日"
    )
    correction_requested = _date_field("告知补正之日", help_text="条例第三十条：自收到申请之日起7个工作日内一次性告知")
    correction_received = _date_field("收到补正之日", help_text="答复期限自收到补正的申请之日起计算")
    consultation_started = _date_field(
        "征求意见开始之日", help_text="条例第三十三条第三款：征求第三方和其他机关意见所需时间不计算在期限内"
    )
    consultation_ended = _date_field("征求意见结束之日")
    extended_on = _date_field("决定延期之日", help_text="经政府信息公开工作机构负责人同意并告知申请人")
    extension_days = forms.IntegerField(
        label="延长工作日数",
        required=False,
        min_value=1,
        max_value=20,
        help_text="条例第三十三条第二款：最长不得超过20个工作日",
        error_messages={
            "invalid": "请填写整数",
            "min_value": "至少延长1个工作日",
            "max_value": "延长的期限最长不得超过20个工作日",
        },
    )
    fee_notified = _date_field("发出收费通知之日")
    fee_paid = _date_field("缴费之日")
    delay_set_on = _date_field("确定延迟答复之日", help_text="条例第三十五条：申请数量、频次明显超过合理范围")
    delay_until = _date_field("延迟答复至")

    PAIRS = (
        ("correction_received", "correction_requested", "请先填写告知补正之日"),
        ("consultation_ended", "consultation_started", "请先填写征求意见开始之日"),
        ("fee_paid", "fee_notified", "请先填写发出收费通知之日"),
        ("extension_days", "extended_on", "请填写决定延期之日"),
        ("extended_on", "extension_days", "请填写延长工作日数"),
        ("delay_until", "delay_set_on", "请填写确定延迟答复之日"),
        ("delay_set_on", "delay_until", "请填写延迟答复至哪一天"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, value in list(data.items()):  # add_error removes the field from cleaned_data
            if isinstance(value, dt.date):
                try:
                    _check_range(value)
                except forms.ValidationError as error:
                    self.add_error(name, error)
        for name, needs, message in self.PAIRS:
            if data.get(name) is not None and data.get(needs) is None and needs not in self.errors:
                self.add_error(needs, message)
        received = data.get("received")
        if received is not None:
            for name, value in list(data.items()):
                if isinstance(value, dt.date) and name != "received" and value < received and name not in self.errors:
                    self.add_error(name, "不能早于收到申请之日")
        return data

    def events(self) -> list[LedgerEvent]:
        """The events in the order they happened (same-day events in procedural order)."""
        data = self.cleaned_data
        order: list[tuple[str, EventType, dict[str, Any]]] = [
            ("correction_requested", EventType.CORRECTION_REQUESTED, {}),
            ("correction_received", EventType.CORRECTION_RECEIVED, {}),
            ("consultation_started", EventType.CONSULTATION_STARTED, {}),
            ("consultation_ended", EventType.CONSULTATION_ENDED, {}),
            ("fee_notified", EventType.FEE_NOTIFIED, {}),
            ("fee_paid", EventType.FEE_PAID, {}),
            ("extended_on", EventType.EXTENDED, {"days": data.get("extension_days")}),
            ("delay_set_on", EventType.DELAY_SET, {"until": data.get("delay_until")}),
        ]
        events = [
            (data[name], index, LedgerEvent(type=kind, date=data[name], **extra))
            for index, (name, kind, extra) in enumerate(order)
            if data.get(name) is not None
        ]
        return [event for _, _, event in sorted(events, key=lambda item: (item[0], item[1]))]
