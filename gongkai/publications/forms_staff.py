"""Back-office forms for 主动公开: they parse and label input; every rule is the service's (``services.py``).

Each action form is rendered on the item page with the action's slug as prefix, so several forms live on one page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from gongkai.accounts.models import User
from gongkai.agencies.models import Agency
from gongkai.publications.codebook import (
    LIFECYCLE_KINDS,
    VALIDITY_TRANSITIONS,
    Category,
    Channel,
    DisclosureMode,
    DocKind,
    ReviewDecision,
    Status,
    Validity,
    WithheldGround,
)
from gongkai.publications.models import Publication
from gongkai.publications.services import PublicationData

_BLANK = [("", "—— 请选择 ——")]
_ALL = [("", "全部")]
FIRST_YEAR = 2008  # 条例 in force since 2008-05-01


def _today() -> dt.date:
    return timezone.localdate()


def _date(label: str, *, required: bool = True, today: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        initial=_today if today else None,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _text(label: str, *, required: bool = False, rows: int = 3, max_length: int = 5000) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows})
    )


def _set_queryset(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


class PublicationChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        number = f"（{obj.doc_number}）" if obj.doc_number else ""
        return f"{obj.index_number} {obj.title}{number}"


def interpretable(agency_ids: Any) -> QuerySet[Publication]:
    """What a 政策解读 may point to: the agencies' published items that are not themselves interpretations."""
    return (
        Publication.objects.filter(agency_id__in=agency_ids, status=Status.PUBLISHED, interprets__isnull=True)
        .select_related("agency")
        .order_by("-published_on", "-pk")
    )


# ---------------------------------------------------------------------------------------------------------------------
# Lists


class ListFilterForm(forms.Form):
    s = forms.CharField(label="搜索", required=False, max_length=100, help_text="标题、文号或索引号")
    agency = forms.ModelChoiceField(label="机关", queryset=Agency.objects.none(), required=False, empty_label="全部")
    category = forms.ChoiceField(label="公开类别", choices=[*_ALL, *Category.choices], required=False)
    doc_kind = forms.ChoiceField(label="文件类型", choices=[*_ALL, *DocKind.choices], required=False)
    validity = forms.ChoiceField(label="有效性", choices=[*_ALL, *Validity.choices], required=False)
    year = forms.TypedChoiceField(label="年份", coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "agency", agencies)
        year = self.fields["year"]
        assert isinstance(year, forms.TypedChoiceField)
        year.choices = [*_ALL, *((y, f"{y}年") for y in range(_today().year, FIRST_YEAR - 1, -1))]


# ---------------------------------------------------------------------------------------------------------------------
# The catalogue entry (条例第十二条 目录; issue 6 §1)


class PublicationForm(forms.Form):
    agency = forms.ModelChoiceField(label="公开主体", queryset=Agency.objects.none(), empty_label="—— 请选择 ——")
    title = forms.CharField(label="标题", max_length=300)
    doc_number = forms.CharField(label="文号", max_length=60, required=False, help_text="例如：湛司发〔2026〕3号")
    issuing_body = forms.CharField(label="发布机构", max_length=100, required=False, help_text="不填则为公开主体")
    written_on = _date("成文日期", required=False)
    formed_on = _date(
        "形成日期", today=True, help_text="条例第二十六条：自形成或者变更之日起20个工作日内公开；决定索引号的年份"
    )
    topic = forms.CharField(label="主题分类", max_length=60, required=False)
    category = forms.ChoiceField(label="公开类别（条例第二十条、第二十一条）", choices=[*_BLANK, *Category.choices])
    summary = _text("内容概述", rows=3)
    body_html = forms.CharField(
        label="正文",
        required=False,
        max_length=500_000,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text="可使用段落、加粗、列表、标题、表格和链接等 HTML 标记；保存时自动清理其他内容（脚本、样式、图片）",
    )
    disclosure_mode = forms.ChoiceField(
        label="公开方式", choices=DisclosureMode.choices, initial=DisclosureMode.PROACTIVE
    )
    withheld_ground = forms.ChoiceField(
        label="不予公开理由", choices=[("", "——"), *WithheldGround.choices], required=False
    )
    doc_kind = forms.ChoiceField(label="文件类型", choices=DocKind.choices, initial=DocKind.OTHER)
    effective_on = _date("施行日期", required=False, help_text="仅规章、行政规范性文件")
    interprets = PublicationChoiceField(
        label="所解读的文件",
        queryset=Publication.objects.none(),
        required=False,
        empty_label="—— 不是政策解读 ——",
        help_text="政策解读选择其解读的本机关已发布文件",
    )
    channels = forms.MultipleChoiceField(
        label="发布渠道（条例第二十三条）",
        choices=Channel.choices,
        initial=[Channel.PORTAL.value],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一个发布渠道"},
    )

    def __init__(
        self, *args: Any, agencies: QuerySet[Agency], publication: Publication | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.publication = publication
        if publication is not None:
            del self.fields["agency"]  # the 索引号 belongs to its agency: an item never moves
            _set_queryset(self, "interprets", interpretable([publication.agency_id]).exclude(pk=publication.pk))
        else:
            _set_queryset(self, "agency", agencies)
            _set_queryset(self, "interprets", interpretable(agencies.values("pk")))

    @classmethod
    def initial_for(cls, publication: Publication) -> dict[str, Any]:
        names = [
            "title",
            "doc_number",
            "issuing_body",
            "written_on",
            "formed_on",
            "topic",
            "category",
            "summary",
            "body_html",
            "disclosure_mode",
            "withheld_ground",
            "doc_kind",
            "effective_on",
        ]
        initial: dict[str, Any] = {name: getattr(publication, name) for name in names}
        initial["interprets"] = publication.interprets_id
        initial["channels"] = list(publication.channels or [Channel.PORTAL.value])
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        agency = data.get("agency") if self.publication is None else self.publication.agency
        interprets = data.get("interprets")
        if agency is not None and interprets is not None and interprets.agency_id != agency.pk:
            self.add_error("interprets", "政策解读只能指向本机关已发布的文件")
        return data

    def data_for_service(self) -> PublicationData:
        data = self.cleaned_data
        result: PublicationData = {
            "title": data["title"],
            "doc_number": data["doc_number"],
            "issuing_body": data["issuing_body"],
            "written_on": data["written_on"],
            "formed_on": data["formed_on"],
            "topic": data["topic"],
            "category": data["category"],
            "summary": data["summary"],
            "body_html": data["body_html"],
            "channels": list(data["channels"]),
            "disclosure_mode": data["disclosure_mode"],
            "withheld_ground": data["withheld_ground"],
            "doc_kind": data["doc_kind"],
            "effective_on": data["effective_on"],
            "interprets": data["interprets"],
        }
        if not data["body_html"].strip():
            # An empty rich text clears the body (the service derives the plain text from the rich text).
            result["body"] = ""
        return result


class AttachmentForm(forms.Form):
    file = forms.FileField(label="附件", help_text="PDF、DOCX、XLSX 或图片，按文件内容识别类型")


# ---------------------------------------------------------------------------------------------------------------------
# Actions on the item page


class ActionForm(forms.Form):
    """Base of the per-action forms: knows the item and the acting user (for choices only)."""

    def __init__(self, *args: Any, publication: Publication, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.publication = publication
        self.user = user


class EmptyForm(ActionForm):
    pass


class PassForm(ActionForm):
    opinion = _text("意见（可不填）")


class ReturnForm(ActionForm):
    decision = forms.ChoiceField(
        label="意见",
        choices=[
            (ReviewDecision.RETURN.value, ReviewDecision.RETURN.label),
            (ReviewDecision.DISAGREE.value, ReviewDecision.DISAGREE.label),
        ],
        initial=ReviewDecision.RETURN.value,
    )
    opinion = _text("退回理由", required=True)


class ApproveForm(ActionForm):
    opinion = _text("审批意见（可不填）")
    scheduled_for = forms.DateTimeField(
        label="定时发布时间",
        required=False,
        help_text="不填则立即发布；填写则在该时间由系统自动发布",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    channels = forms.MultipleChoiceField(label="发布渠道", choices=Channel.choices, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channels"].initial = list(self.publication.channels or [Channel.PORTAL.value])

    def clean_scheduled_for(self) -> dt.datetime | None:
        value: dt.datetime | None = self.cleaned_data.get("scheduled_for")
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value


class WithdrawForm(ActionForm):
    reason = forms.CharField(label="撤回原因", max_length=300)
    on = _date("撤回日期", today=True)
    notice = forms.CharField(
        label="撤回说明",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="在门户网站原信息页面显示；不填则显示“本信息已于某年某月某日撤回。”",
    )


class ValidityForm(ActionForm):
    validity = forms.ChoiceField(label="有效性", choices=[])
    on = _date("变更日期", today=True, help_text="已废止、失效：自该日起不再有效")
    replaced_by = PublicationChoiceField(
        label="修改或替代文件",
        queryset=Publication.objects.none(),
        required=False,
        empty_label="——",
        help_text="已修改的须选择修改它的文件；被新文件替代而废止的，选择新文件",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = VALIDITY_TRANSITIONS.get(self.publication.validity, frozenset())
        field = self.fields["validity"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [*_BLANK, *((v.value, v.label) for v in Validity if v.value in allowed)]
        _set_queryset(
            self,
            "replaced_by",
            Publication.objects.filter(
                agency_id=self.publication.agency_id, status=Status.PUBLISHED, doc_kind__in=LIFECYCLE_KINDS
            )
            .exclude(pk=self.publication.pk)
            .order_by("-published_on", "-pk"),
        )


class DismissForm(forms.Form):
    reason = forms.CharField(
        label="排除理由",
        max_length=500,
        help_text="例如：本机关对外公布的办公电话",
        error_messages={"required": "排除须写明理由"},
    )
