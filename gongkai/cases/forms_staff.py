"""Back-office forms for 依申请公开: they parse and label input; every rule is the service's (``services.py``).

Each action form is rendered on the case page with the action's slug as prefix, so several forms live on one page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from gongkai.accounts.models import IdType, Membership, User
from gongkai.accounts.roles import ROLE_PERMS, Perm
from gongkai.agencies.models import Agency
from gongkai.cases import services
from gongkai.cases.codebook import (
    OUTCOMES,
    ApplicantType,
    Channel,
    CorrectionItem,
    ObtainMethod,
    Outcome,
    OutcomeVariant,
    ProvisionForm,
)
from gongkai.cases.fees import FeeMethod
from gongkai.cases.models import AttachmentKind, Case, Consultation, ConsulteeKind, DeliveryMethod, OpinionResult
from gongkai.cases.selectors import Queue
from gongkai.cases.states import Status
from gongkai.clock.rules import PERIODS
from gongkai.core.validators import ascii_digits

ITEM_ROWS = 5
CONSULTEE_ROWS = 3
WITHHELD_ROWS = 5
_HANDLING_ROLES = [role.value for role, perms in ROLE_PERMS.items() if Perm.HANDLE_CASES in perms]
_BLANK = [("", "—— 请选择 ——")]


def _today() -> dt.date:
    return timezone.localdate()


def _date(label: str, *, required: bool = True, today: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        initial=_today if today else None,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _text(label: str, *, required: bool = False, rows: int = 3, max_length: int = 5000) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows})
    )


def handling_staff(agency_ids: Any) -> QuerySet[User]:
    """Staff who may be given cases at these agencies (经办人, 负责人)."""
    memberships = Membership.objects.filter(
        agency_id__in=agency_ids, role__in=_HANDLING_ROLES, is_active=True, agency__is_active=True
    )
    return (
        User.objects.filter(is_active=True, pk__in=memberships.values("user_id"))
        .order_by("full_name", "username")
        .distinct()
    )


class StaffChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name or obj.username)


# ---------------------------------------------------------------------------------------------------------------------
# Queues


class QueueFilterForm(forms.Form):
    s = forms.CharField(
        label="搜索", required=False, max_length=100, help_text="申请编号、查询码、申请人、证件号码、电话或标题"
    )
    agency = forms.ModelChoiceField(label="机关", queryset=Agency.objects.none(), required=False, empty_label="全部")
    status = forms.ChoiceField(label="状态", choices=[("", "全部"), *Status.choices], required=False)
    channel = forms.ChoiceField(label="申请方式", choices=[("", "全部"), *Channel.choices], required=False)
    applicant_type = forms.ChoiceField(
        label="申请人类型", choices=[("", "全部"), *ApplicantType.choices], required=False
    )
    received_from = _date("收到日期自", required=False, today=False)
    received_to = _date("收到日期至", required=False, today=False)

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = agencies


class BulkForm(forms.Form):
    op = forms.ChoiceField(label="操作", choices=[("assign", "分办给…"), ("claim", "认领")])
    cases = forms.TypedMultipleChoiceField(label="申请", coerce=int, choices=[])
    assignee = StaffChoiceField(
        label="经办人", queryset=User.objects.none(), required=False, empty_label="—— 请选择 ——"
    )
    q = forms.ChoiceField(choices=[(name, name) for name in Queue.LABELS], required=False)

    def __init__(self, *args: Any, assignees: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = assignees
        # Any id may be posted; the access gate decides, row by row, which of them exist for this user.
        cases = self.fields["cases"]
        assert isinstance(cases, forms.TypedMultipleChoiceField)
        posted = self.data.getlist("cases") if isinstance(self.data, QueryDict) else []
        cases.choices = [(v, v) for v in posted if ascii_digits(v) and len(v) <= 12]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("op") == "assign" and not data.get("assignee"):
            self.add_error("assignee", "请选择经办人")
        return data


# ---------------------------------------------------------------------------------------------------------------------
# Registering an offline application (条例第二十九条、第三十一条)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


OFFLINE_CHANNELS = [(c.value, c.label) for c in Channel if c is not Channel.ONLINE]


class RegisterForm(forms.Form):
    agency = forms.ModelChoiceField(label="受理机关", queryset=Agency.objects.none(), empty_label="—— 请选择 ——")
    channel = forms.ChoiceField(label="申请方式", choices=[*_BLANK, *OFFLINE_CHANNELS])
    received_on = _date("收到申请之日", required=False)
    receipt_note = forms.CharField(
        label="收到日期依据",
        required=False,
        max_length=300,
        help_text="平常信函：写明收到当日与申请人确认的情况（确认方式、时间）；邮寄：签收情况",
    )
    applicant_type = forms.ChoiceField(label="申请人类型", choices=ApplicantType.choices)
    applicant_name = forms.CharField(label="申请人姓名或名称", max_length=100)
    contact_person = forms.CharField(label="联系人", max_length=50, required=False, help_text="法人或其他组织必填")
    id_type = forms.ChoiceField(label="证件类型", choices=IdType.choices)
    id_number = forms.CharField(label="证件号码", max_length=30)
    phone = forms.CharField(label="联系电话", max_length=20)
    email = forms.CharField(label="电子邮箱", max_length=254, required=False)
    postal_address = forms.CharField(label="通信地址", max_length=200, required=False)
    postcode = forms.CharField(label="邮政编码", max_length=6, required=False)
    provision_form = forms.ChoiceField(label="信息的提供形式", choices=ProvisionForm.choices)
    obtain_method = forms.ChoiceField(label="获取信息的方式", choices=ObtainMethod.choices)
    remarks = _text("其他说明")
    attachments = MultipleFileField(
        label="附件（身份证明复印件等）", required=False, help_text="PDF、图片、Word 或 Excel，按内容识别类型"
    )

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = agencies
        for n in range(1, ITEM_ROWS + 1):
            self.fields[f"item_{n}_title"] = forms.CharField(label=f"第{n}项 信息名称", max_length=300, required=False)
            self.fields[f"item_{n}_doc_number"] = forms.CharField(label=f"第{n}项 文号", max_length=100, required=False)
            self.fields[f"item_{n}_description"] = _text(f"第{n}项 特征性描述", rows=2)

    def item_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"item_{n}_{part}"] for part in ("title", "doc_number", "description")]
            for n in range(1, ITEM_ROWS + 1)
        ]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("item_")]

    def application(self, uploads: list[services.UploadInput]) -> services.ApplicationInput:
        data = self.cleaned_data
        items = [
            services.ItemInput(
                title=data[f"item_{n}_title"],
                doc_number=data[f"item_{n}_doc_number"],
                description=data[f"item_{n}_description"],
            )
            for n in range(1, ITEM_ROWS + 1)
        ]
        return services.ApplicationInput(
            applicant_type=data["applicant_type"],
            applicant_name=data["applicant_name"],
            id_type=data["id_type"],
            id_number=data["id_number"],
            phone=data["phone"],
            items=items,
            provision_form=data["provision_form"],
            obtain_method=data["obtain_method"],
            email=data["email"],
            postal_address=data["postal_address"],
            postcode=data["postcode"],
            contact_person=data["contact_person"],
            remarks=data["remarks"],
            attachments=uploads,
        )


# ---------------------------------------------------------------------------------------------------------------------
# Actions on one case


class ActionForm(forms.Form):
    """Base of the per-action forms: knows the case and the acting user (for choices only)."""

    def __init__(self, *args: Any, case: Case, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.user = user


class ConfirmReceiptForm(ActionForm):
    received_on = _date("收到申请之日（双方确认之日）")
    note = forms.CharField(label="确认情况", max_length=300, required=False)


class AssignForm(ActionForm):
    assignee = StaffChoiceField(label="分办给", queryset=User.objects.none(), empty_label="—— 请选择 ——")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = handling_staff([self.case.agency_id])


class EmptyForm(ActionForm):
    pass


class RequestCorrectionForm(ActionForm):
    on = _date("告知日期")
    standard = forms.MultipleChoiceField(
        label="补正事项",
        required=False,
        choices=[(item.name, item.value) for item in CorrectionItem],
        widget=forms.CheckboxSelectMultiple,
    )
    other = _text("其他需要补正的事项")
    period_days = forms.IntegerField(label="补正期限（工作日）", min_value=1, max_value=60, initial=15)

    def items_text(self) -> str:
        lines = [CorrectionItem[name].value for name in self.cleaned_data["standard"]]
        if self.cleaned_data["other"].strip():
            lines.append(self.cleaned_data["other"].strip())
        return "\n".join(f"{n}. {line}" for n, line in enumerate(lines, start=1))


class DatedNoteForm(ActionForm):
    on = _date("日期")
    note = _text("说明", rows=2, max_length=2000)


class DateOnlyForm(ActionForm):
    on = _date("日期")


class StartConsultationForm(ActionForm):
    on = _date("发出日期")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, CONSULTEE_ROWS + 1):
            self.fields[f"c{n}_kind"] = forms.ChoiceField(
                label=f"对象{n}：类别", choices=[("", "——"), *ConsulteeKind.choices], required=False
            )
            self.fields[f"c{n}_party"] = forms.CharField(label=f"对象{n}：名称", max_length=200, required=False)
            self.fields[f"c{n}_contact"] = forms.CharField(label=f"对象{n}：联系方式", max_length=200, required=False)
            self.fields[f"c{n}_matter"] = _text(f"对象{n}：征求意见事项", rows=2)
            self.fields[f"c{n}_delivered_on"] = _date(f"对象{n}：送达日期", required=False, today=False)

    def consultees(self) -> list[services.ConsulteeInput]:
        data = self.cleaned_data
        rows = []
        for n in range(1, CONSULTEE_ROWS + 1):
            if not (data[f"c{n}_kind"] or data[f"c{n}_party"].strip() or data[f"c{n}_matter"].strip()):
                continue
            rows.append(
                services.ConsulteeInput(
                    kind=data[f"c{n}_kind"],
                    party=data[f"c{n}_party"],
                    matter=data[f"c{n}_matter"],
                    contact=data[f"c{n}_contact"],
                    delivered_on=data[f"c{n}_delivered_on"],
                )
            )
        return rows


class ConsultationChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_kind_display()}：{obj.party}（期限 {obj.answer_due or '—'}）"


class RecordOpinionForm(ActionForm):
    consultation = ConsultationChoiceField(label="征求意见对象", queryset=Consultation.objects.none())
    result = forms.ChoiceField(
        label="意见", choices=[(OpinionResult.AGREE.value, "同意公开"), (OpinionResult.DISAGREE.value, "不同意公开")]
    )
    on = _date("答复日期")
    reasons = _text("理由")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["consultation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Consultation.objects.filter(case=self.case, result="")


class ExtendForm(ActionForm):
    days = forms.IntegerField(
        label="延长工作日数", min_value=1, max_value=PERIODS["extension"].amount, initial=PERIODS["extension"].amount
    )
    reason = forms.CharField(label="延期理由", max_length=300)
    approved_on = _date("负责人同意日期")


class NotifyFeeForm(ActionForm):
    on = _date("通知日期")
    method = forms.ChoiceField(label="计收方式", choices=FeeMethod.choices)
    pieces = forms.IntegerField(label="件数（按件）", min_value=1, max_value=100, required=False)
    pages = forms.IntegerField(label="页数（按量）", min_value=0, max_value=1_000_000, required=False)


class RecordPaymentForm(ActionForm):
    on = _date("缴费日期")
    amount = forms.IntegerField(label="实缴金额（元）", min_value=0)
    receipt_number = forms.CharField(label="票据号", max_length=60, required=False)


class ReasonsAcceptedForm(ActionForm):
    on = _date("日期")
    reasons = _text("申请人说明的理由", required=True)
    until = _date("延迟答复期限", today=False)


class ReasonsRejectedForm(ActionForm):
    on = _date("日期")
    reasons = _text("申请人说明的理由（未说明可留空）")


_SECTION_LABELS = {
    "三.一": "（一）予以公开",
    "三.二": "（二）部分公开",
    "三.三": "（三）不予公开",
    "三.四": "（四）无法提供",
    "三.五": "（五）不予处理",
    "三.六": "（六）其他处理",
}


def reply_outcome_choices() -> list[tuple[str, Any]]:
    """表三's result rows, grouped by section; the outcomes a transition sets (and 第三十五条's) are not offered."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for value, info in OUTCOMES.items():
        if info.system_only or info.outcome is Outcome.NOT_PROCESSED_EXCESSIVE:
            continue
        section = ".".join(info.row.split(".")[:2])
        groups.setdefault(_SECTION_LABELS[section], []).append((value, info.row_label))
    return [("", "—— 请选择 ——"), *groups.items()]


WITHHOLDING_GROUNDS = [
    (value, info.row_label)
    for value, info in OUTCOMES.items()
    if info.withholds and info.outcome is not Outcome.PARTIAL
]


class ReplyForm(ActionForm):
    outcome = forms.ChoiceField(label="办理结果（表三）", choices=reply_outcome_choices)
    variant = forms.ChoiceField(
        label="答复情形",
        required=False,
        choices=[(v.value, v.label) for v in OutcomeVariant if v is not OutcomeVariant.WITHDRAWN],
        help_text="予以公开：予以提供或已主动公开；本机关不掌握：经检索没有或不属于本机关负责公开",
    )
    on = _date("答复日期")
    text = _text("答复内容", rows=5, max_length=20000)
    competent_agency = forms.CharField(label="负责公开的机关及联系方式", max_length=200, required=False)
    earlier_case_number = forms.CharField(label="此前申请编号（重复申请）", max_length=20, required=False)
    public_interest_reason = _text("公共利益理由（第三方不同意而决定公开时）")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, WITHHELD_ROWS + 1):
            self.fields[f"w{n}_description"] = forms.CharField(label=f"不予公开内容{n}", max_length=300, required=False)
            self.fields[f"w{n}_ground"] = forms.ChoiceField(
                label=f"不予公开内容{n}：理由类别", choices=[("", "——"), *WITHHOLDING_GROUNDS], required=False
            )
            self.fields[f"w{n}_reason"] = forms.CharField(
                label=f"不予公开内容{n}：具体理由", max_length=2000, required=False
            )

    def reply_input(self) -> services.ReplyInput:
        data = self.cleaned_data
        withheld = [
            services.WithheldInput(
                description=data[f"w{n}_description"], ground=data[f"w{n}_ground"], reason=data[f"w{n}_reason"]
            )
            for n in range(1, WITHHELD_ROWS + 1)
            if data[f"w{n}_description"].strip() or data[f"w{n}_ground"] or data[f"w{n}_reason"].strip()
        ]
        return services.ReplyInput(
            outcome=data["outcome"],
            on=data["on"],
            text=data["text"],
            variant=data["variant"],
            withheld=withheld,
            competent_agency=data["competent_agency"],
            earlier_case_number=data["earlier_case_number"],
            public_interest_reason=data["public_interest_reason"],
        )


class WithdrawForm(ActionForm):
    on = _date("撤回日期")
    reason = _text("说明", rows=2, max_length=2000)


class ReopenForm(ActionForm):
    reason = _text("重新办理的理由", required=True, rows=2, max_length=2000)


class NoteForm(ActionForm):
    note = _text("备注内容", required=True, rows=2, max_length=2000)


class AttachmentForm(ActionForm):
    kind = forms.ChoiceField(label="类别", choices=AttachmentKind.choices, initial=AttachmentKind.RELEASED)
    file = forms.FileField(label="文件")


# ---------------------------------------------------------------------------------------------------------------------
# Documents


class DocumentEditForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    addressee = forms.CharField(label="主送", max_length=200, required=False)
    body = forms.CharField(
        label="正文", max_length=40000, widget=forms.Textarea(attrs={"rows": 18}), help_text="段落之间空一行"
    )

    def paragraphs(self) -> list[str]:
        text = self.cleaned_data["body"].replace("\r\n", "\n")
        return ["".join(line.strip() for line in part.split("\n")) for part in text.split("\n\n") if part.strip()]


class IssueForm(forms.Form):
    on = _date("签发（成文）日期")


class DeliveryForm(forms.Form):
    method = forms.ChoiceField(label="送达方式", choices=DeliveryMethod.choices)
    sent_on = _date("发出日期")
    delivered_on = _date("送达日期", required=False, today=False)
    waybill = forms.CharField(label="邮件单号（邮寄）", max_length=60, required=False)
    signed_by = forms.CharField(label="签收人（当面送达）", max_length=60, required=False)
    address = forms.CharField(label="送达地址或邮箱", max_length=200, required=False)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def delivery(self) -> services.DeliveryInput:
        data = self.cleaned_data
        return services.DeliveryInput(
            method=data["method"],
            sent_on=data["sent_on"],
            delivered_on=data["delivered_on"],
            waybill=data["waybill"],
            signed_by=data["signed_by"],
            address=data["address"],
            note=data["note"],
        )
