"""Forms parse input only; the rules live in ``services`` and come back as field errors."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet

from gongkai.agencies.models import Agency
from gongkai.core.formfields import DigitsField
from gongkai.rectification.services import ItemInput
from gongkai.rectification.states import (
    Basis,
    ComplaintChannel,
    ComplaintStatus,
    ComplaintType,
    Conclusion,
    NoticeStatus,
    Remedy,
)

ITEM_ROWS = 6  # fixed rows: the form works without JavaScript
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_TOKEN = re.compile(r"[0-9a-f]{32}")


def _agencies(field: forms.Field, queryset: QuerySet[Agency]) -> None:
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


class NoticeFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", choices=[("", "全部"), *NoticeStatus.choices], required=False)
    agency = forms.ModelChoiceField(label="机关", queryset=Agency.objects.none(), required=False, empty_label="全部")
    overdue = forms.BooleanField(label="仅看已逾期", required=False)

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _agencies(self.fields["agency"], agencies)


class ComplaintFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", choices=[("", "全部"), *ComplaintStatus.choices], required=False)
    agency = forms.ModelChoiceField(
        label="被投诉机关", queryset=Agency.objects.none(), required=False, empty_label="全部"
    )
    overdue = forms.BooleanField(label="仅看超过答复期限", required=False)

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _agencies(self.fields["agency"], agencies)


class NoticeForm(forms.Form):
    office = forms.ModelChoiceField(label="主管部门", queryset=Agency.objects.none(), empty_label=None)
    agency = forms.ModelChoiceField(label="整改机关", queryset=Agency.objects.none())
    title = forms.CharField(label="标题", max_length=200)
    basis = forms.ChoiceField(label="依据", choices=Basis.choices)
    deadline = forms.DateField(label="整改期限", widget=_DATE, help_text="不得早于下发日期")

    def __init__(
        self, *args: Any, offices: QuerySet[Agency], agencies: QuerySet[Agency], fixed: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _agencies(self.fields["office"], offices)
        _agencies(self.fields["agency"], agencies)
        if fixed:  # editing a draft: who issues and to whom stay as drafted
            del self.fields["office"]
            del self.fields["agency"]
        for n in range(1, ITEM_ROWS + 1):
            self.fields[f"item-{n}-problem"] = forms.CharField(
                label=f"第{n}项 存在问题", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"item-{n}-requirement"] = forms.CharField(
                label=f"第{n}项 整改要求", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
            )

    def items(self) -> list[ItemInput]:
        data = self.cleaned_data
        return [
            ItemInput(data.get(f"item-{n}-problem") or "", data.get(f"item-{n}-requirement") or "")
            for n in range(1, ITEM_ROWS + 1)
        ]


class ReasonForm(forms.Form):
    reason = forms.CharField(label="退回理由", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    note = forms.CharField(label="验收意见", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CriticizeForm(forms.Form):
    criticism = forms.CharField(label="通报批评内容", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class ComplaintForm(forms.Form):
    office = forms.ModelChoiceField(label="受理的主管部门", queryset=Agency.objects.none(), empty_label=None)
    agency = forms.ModelChoiceField(label="被投诉机关", queryset=Agency.objects.none())
    channel = forms.ChoiceField(label="来源渠道", choices=ComplaintChannel.choices)
    complaint_type = forms.ChoiceField(label="投诉类型", choices=ComplaintType.choices)
    received_on = forms.DateField(label="收到日期", widget=_DATE)
    complainant_name = forms.CharField(label="投诉人", max_length=100, required=False, help_text="匿名举报可不填")
    phone = forms.CharField(label="联系电话", max_length=40, required=False)
    other_contact = forms.CharField(label="其他联系方式", max_length=200, required=False, help_text="地址、电子邮箱等")
    description = forms.CharField(label="投诉内容", max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, offices: QuerySet[Agency], agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _agencies(self.fields["office"], offices)
        _agencies(self.fields["agency"], agencies)


class ConcludeForm(forms.Form):
    conclusion = forms.ChoiceField(
        label="办理结论", choices=[c for c in Conclusion.choices if c[0] not in ("", Conclusion.NOT_ACCEPTED)]
    )
    remedy = forms.ChoiceField(
        label="处理方式", choices=Remedy.choices, required=False, help_text="查证属实或部分属实的必选"
    )
    findings = forms.CharField(label="调查情况", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    criticism = forms.CharField(
        label="通报批评内容", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reply_text = forms.CharField(label="答复投诉人", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class RejectForm(forms.Form):
    findings = forms.CharField(label="不予受理理由", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    reply_text = forms.CharField(label="答复投诉人", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


# ---------------------------------------------------------------------------------------------------------------------
# Public


def _text(label: str, max_length: int, **kwargs: Any) -> forms.CharField:
    # Optional at the form: the service checks every field at once and names each problem.
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        error_messages={"max_length": "不能超过%(limit_value)d个字（现有%(show_value)d个字）"},
        **kwargs,
    )


class PublicComplaintForm(forms.Form):
    agency = forms.TypedChoiceField(
        label="被投诉机关",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "请从列表中选择被投诉机关"},
    )
    complaint_type = forms.ChoiceField(
        label="投诉类型",
        required=False,
        choices=ComplaintType.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "请从列表中选择投诉类型"},
    )
    complainant_name = _text("姓名或名称", 100)
    phone = _text("联系电话", 40, help_text="用于答复；查询办理进度时需要输入后四位")
    description = _text(
        "投诉内容", 5000, widget=forms.Textarea(attrs={"rows": 8}), help_text="请写明未公开或未依法答复的具体事项、时间"
    )
    form_token = forms.CharField(required=False, widget=forms.HiddenInput)

    marked_required = frozenset({"agency", "complaint_type", "complainant_name", "phone", "description"})

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "请选择"), *((a.pk, a.name) for a in agencies)]

    def clean_form_token(self) -> str:
        token = str(self.cleaned_data.get("form_token") or "")
        return token if _TOKEN.fullmatch(token) else ""


class TrackForm(forms.Form):
    code = forms.CharField(label="查询码", max_length=20, error_messages={"required": "请填写查询码"})
    phone_last4 = DigitsField(
        4,
        label="联系电话后四位",
        error_messages={"required": "请填写联系电话后四位", "invalid": "请填写4位数字"},
    )
