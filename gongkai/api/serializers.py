"""Request and response shapes of the JSON API. Requests are parsed here into the services' typed inputs; every
field error is a Chinese message that starts with the field's label."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.settings import api_settings

from gongkai.accounts.models import IdType
from gongkai.cases import services
from gongkai.cases.codebook import ApplicantType, Channel, ObtainMethod, Outcome, OutcomeVariant, ProvisionForm
from gongkai.cases.fees import FeeMethod
from gongkai.cases.models import Case, ConsulteeKind, DocumentKind, DocumentStatus, OpinionResult
from gongkai.cases.selectors import Queue
from gongkai.cases.states import Action, Status
from gongkai.clock.rules import PERIODS
from gongkai.core.masking import mask_id_number, mask_phone

# Dates outside this window are typing mistakes; refusing them here keeps the working-day calendar out of years it
# cannot know (the 2019 条例 took effect in 2019; historical imports reach back to the 2008 one).
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)
NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


def _prefixed(label: str, detail: Any) -> Any:
    if isinstance(detail, list) and all(isinstance(m, str) for m in detail):
        return [ErrorDetail(f"{label}：{m}", code=getattr(m, "code", None)) for m in detail]
    if isinstance(detail, dict) and NON_FIELD in detail:  # a nested object or list that is not one at all
        return {**detail, NON_FIELD: _prefixed(label, detail[NON_FIELD])}
    return detail  # a list of nested objects: each names its own fields


class ApiSerializer(serializers.Serializer[Any]):
    """Prefixes every error message of a field with its Chinese label, so that a message names what it is about."""

    def to_internal_value(self, data: Any) -> Any:
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            if isinstance(error.detail, dict):
                fields = self.fields
                error.detail = {
                    name: _prefixed(str(fields[name].label), detail)
                    if name in fields and fields[name].label
                    else detail
                    for name, detail in error.detail.items()
                }
            raise


class DateField(serializers.DateField):
    default_error_messages = {"range": "日期应在2000年至2100年之间"}

    def to_internal_value(self, value: Any) -> dt.date:
        day = super().to_internal_value(value)
        if not EARLIEST <= day <= LATEST:
            self.fail("range")
        return day


def _text(label: str, *, max_length: int, required: bool = False) -> serializers.CharField:
    if required:
        return serializers.CharField(label=label, max_length=max_length)
    return serializers.CharField(label=label, max_length=max_length, required=False, allow_blank=True, default="")


def _choice(label: str, choices: Any, *, required: bool = True) -> serializers.ChoiceField:
    if required:
        return serializers.ChoiceField(label=label, choices=choices)
    return serializers.ChoiceField(label=label, choices=choices, required=False, allow_blank=True, default="")


# ---------------------------------------------------------------------------------------------------------------------
# Public: intake and tracking


class ItemSerializer(ApiSerializer):
    title = _text("信息名称", max_length=300)
    doc_number = _text("文号", max_length=100)
    description = _text("特征性描述", max_length=5000)


class ApplicationSerializer(ApiSerializer):
    """条例第二十九条. Attachments (a copy of the ID) cannot be sent through the JSON API: use the web form, or the agency
    asks for them later (补正)."""

    applicant_type = _choice("申请人类型", ApplicantType.choices)
    applicant_name = _text("申请人姓名或名称", max_length=100, required=True)
    id_type = _choice("证件类型", IdType.choices)
    id_number = _text("证件号码", max_length=30, required=True)
    phone = _text("联系电话", max_length=30, required=True)
    email = _text("电子邮箱", max_length=254)
    postal_address = _text("通信地址", max_length=200)
    postcode = _text("邮政编码", max_length=6)
    contact_person = _text("联系人", max_length=50)
    items: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=ItemSerializer(), label="申请公开的政府信息", max_length=services.MAX_ITEMS
    )
    provision_form = _choice("信息的提供形式", ProvisionForm.choices)
    obtain_method = _choice("获取信息的方式", ObtainMethod.choices)
    remarks = _text("其他说明", max_length=5000)

    def to_input(self) -> services.ApplicationInput:
        data = dict(self.validated_data)
        items = [services.ItemInput(**item) for item in data.pop("items")]
        return services.ApplicationInput(items=items, **data)


class IntakeResultSerializer(serializers.Serializer[Case]):
    number = serializers.CharField(label="申请编号")
    tracking_code = serializers.CharField(label="查询码")
    status = serializers.ChoiceField(label="状态", choices=Status.choices)
    status_label = serializers.CharField(label="状态名称", source="get_status_display")
    agency = serializers.CharField(label="受理机关代码", source="agency.code")
    agency_name = serializers.CharField(label="受理机关", source="agency.name")


class TrackRequestSerializer(ApiSerializer):
    tracking_code = _text("查询码", max_length=40, required=True)
    phone_last4 = serializers.RegexField(
        r"^[0-9]{4}$", label="手机号后四位", max_length=4, error_messages={"invalid": "应为4位数字"}
    )


class TimelineEntrySerializer(serializers.Serializer[Any]):
    date = serializers.DateField(label="日期", source="on")
    action = serializers.ChoiceField(label="操作", choices=Action.choices)
    action_label = serializers.CharField(label="操作名称", source="get_action_display")
    note = serializers.CharField(label="说明")


class PublicDocumentSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(label="文书种类", choices=DocumentKind.choices)
    kind_label = serializers.CharField(label="文书名称", source="get_kind_display")
    doc_number = serializers.CharField(label="文号")
    title = serializers.CharField(label="标题")
    issued_at = serializers.DateTimeField(label="签发时间", allow_null=True)


class TrackResultSerializer(serializers.Serializer[Any]):
    """What the applicant may see (a mapping composed by the view from the tracking selectors)."""

    number = serializers.CharField(label="申请编号")
    agency_name = serializers.CharField(label="受理机关")
    status = serializers.ChoiceField(label="状态", choices=Status.choices)
    status_label = serializers.CharField(label="状态名称")
    submitted_on = serializers.DateField(label="提交日期")
    received_on = serializers.DateField(label="收到申请之日", allow_null=True)
    reply_due = serializers.DateField(label="答复期限", allow_null=True)
    provisional = serializers.BooleanField(label="期限为暂定（跨越尚未公布节假日安排的年份）")
    explanation = serializers.ListField(label="期限说明", child=serializers.CharField())
    outcome = serializers.ChoiceField(label="办理结果", choices=Outcome.choices, allow_null=True)
    outcome_label = serializers.CharField(label="办理结果名称", allow_null=True)
    timeline = TimelineEntrySerializer(label="办理进度", many=True)
    documents = PublicDocumentSerializer(label="已送达的文书", many=True)


# ---------------------------------------------------------------------------------------------------------------------
# Staff: list and detail


class CaseFilterSerializer(ApiSerializer):
    queue = serializers.ChoiceField(label="队列", choices=list(Queue.LABELS.items()), required=False, default=Queue.ALL)
    q = _text("检索词", max_length=100)
    agency = _text("机关代码", max_length=50)
    page = serializers.IntegerField(label="页码", required=False, min_value=1)


def _ledger_flag(case: Case) -> bool:
    return bool(case.ledger.provisional) if case.ledger is not None else False


class CaseSummarySerializer(serializers.Serializer[Case]):
    id = serializers.IntegerField()
    agency = serializers.CharField(label="受理机关代码", source="agency.code")
    number = serializers.CharField(label="申请编号")
    status = serializers.ChoiceField(label="状态", choices=Status.choices)
    status_label = serializers.CharField(label="状态名称", source="get_status_display")
    channel = serializers.ChoiceField(label="申请方式", choices=Channel.choices)
    applicant_type = serializers.ChoiceField(label="申请人类型", choices=ApplicantType.choices)
    applicant_name = serializers.CharField(label="申请人姓名或名称")
    subject = serializers.CharField(label="申请公开的信息（第一项）")
    received_on = serializers.DateField(label="收到申请之日", allow_null=True)
    reply_due = serializers.DateField(label="答复期限", allow_null=True)
    provisional = serializers.SerializerMethodField(label="期限为暂定")
    assignee = serializers.CharField(label="经办人用户名", source="assignee.username", allow_null=True)
    outcome = serializers.ChoiceField(label="办理结果", choices=[("", "—"), *Outcome.choices], allow_blank=True)

    def get_provisional(self, case: Case) -> bool:
        return _ledger_flag(case)


class RequestedItemSerializer(serializers.Serializer[Any]):
    position = serializers.IntegerField(label="序号")
    title = serializers.CharField(label="信息名称")
    doc_number = serializers.CharField(label="文号")
    description = serializers.CharField(label="特征性描述")


class EventSerializer(serializers.Serializer[Any]):
    seq = serializers.IntegerField(label="序号")
    action = serializers.ChoiceField(label="操作", choices=Action.choices)
    action_label = serializers.CharField(label="操作名称", source="get_action_display")
    from_status = serializers.CharField(label="原状态")
    to_status = serializers.CharField(label="新状态")
    on = serializers.DateField(label="日期")
    at = serializers.DateTimeField(label="记录时间")
    actor = serializers.CharField(label="操作人", source="actor_label")
    note = serializers.CharField(label="说明")
    public = serializers.BooleanField(label="申请人可见")


class ConsultationSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(label="征求对象", choices=ConsulteeKind.choices)
    party = serializers.CharField(label="名称")
    contact = serializers.CharField(label="联系方式", source="party_contact")
    matter = serializers.CharField(label="征求意见事项")
    sent_on = serializers.DateField(label="发出日期")
    delivered_on = serializers.DateField(label="送达日期", allow_null=True)
    answer_due = serializers.DateField(label="意见期限", allow_null=True)
    result = serializers.ChoiceField(label="意见", choices=OpinionResult.choices, allow_blank=True)
    answered_on = serializers.DateField(label="答复日期", allow_null=True)
    reasons = serializers.CharField(label="理由")


class FeeSerializer(serializers.Serializer[Any]):
    method = serializers.ChoiceField(label="计收方式", choices=FeeMethod.choices)
    pieces = serializers.IntegerField(label="件数", allow_null=True)
    pages = serializers.IntegerField(label="页数", allow_null=True)
    amount = serializers.IntegerField(label="金额（元）")
    breakdown = serializers.CharField(label="计算过程")
    notified_on = serializers.DateField(label="通知日期")
    pay_by = serializers.DateField(label="缴费截止日", allow_null=True)
    paid_on = serializers.DateField(label="缴费日期", allow_null=True)
    paid_amount = serializers.IntegerField(label="实缴金额（元）", allow_null=True)
    receipt_number = serializers.CharField(label="票据号")


class DocumentSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(label="文书种类", choices=DocumentKind.choices)
    kind_label = serializers.CharField(label="文书名称", source="get_kind_display")
    status = serializers.ChoiceField(label="状态", choices=DocumentStatus.choices)
    doc_number = serializers.CharField(label="文号")
    title = serializers.CharField(label="标题")
    date_on = serializers.DateField(label="成文日期")
    issued_at = serializers.DateTimeField(label="签发时间", allow_null=True)
    consultation = serializers.IntegerField(label="征求意见", source="consultation_id", allow_null=True)


class WithheldSerializer(serializers.Serializer[Any]):
    description = serializers.CharField(label="不予公开的内容")
    ground = serializers.ChoiceField(label="理由类别", choices=Outcome.choices)
    reason = serializers.CharField(label="具体理由")


class CaseDetailSerializer(CaseSummarySerializer):
    """The case as staff see it; the ID number and phone are masked (the full values only through the audited
    reveal on the case page)."""

    agency_name = serializers.CharField(label="受理机关", source="agency.name")
    tracking_code = serializers.CharField(label="查询码")
    submitted_at = serializers.DateTimeField(label="提交时间")
    receipt_note = serializers.CharField(label="收到日期依据")
    contact_person = serializers.CharField(label="联系人")
    id_type = serializers.ChoiceField(label="证件类型", choices=IdType.choices)
    id_number = serializers.SerializerMethodField(label="证件号码（已遮盖）")
    phone = serializers.SerializerMethodField(label="联系电话（已遮盖）")
    email = serializers.CharField(label="电子邮箱")
    postal_address = serializers.CharField(label="通信地址")
    postcode = serializers.CharField(label="邮政编码")
    provision_form = serializers.ChoiceField(label="提供形式", choices=ProvisionForm.choices)
    obtain_method = serializers.ChoiceField(label="获取方式", choices=ObtainMethod.choices)
    remarks = serializers.CharField(label="其他说明")
    correction_items = serializers.CharField(label="补正事项")
    correction_deadline = serializers.DateField(label="补正截止日", allow_null=True)
    corrected_on = serializers.DateField(label="收到补正之日", allow_null=True)
    extension_days = serializers.IntegerField(label="延长工作日数", allow_null=True)
    extension_reason = serializers.CharField(label="延期理由")
    delay_until = serializers.DateField(label="延迟答复期限", allow_null=True)
    closed_on = serializers.DateField(label="办结日期", allow_null=True)
    outcome_label = serializers.SerializerMethodField(label="办理结果名称")
    outcome_variant = serializers.ChoiceField(label="答复情形", choices=OutcomeVariant.choices, allow_blank=True)
    reply_text = serializers.CharField(label="答复内容")
    competent_agency = serializers.CharField(label="负责公开的机关")
    explanation = serializers.SerializerMethodField(label="期限说明")
    items = RequestedItemSerializer(label="申请公开的信息", many=True)
    events = EventSerializer(label="办理记录", many=True)
    consultations = ConsultationSerializer(label="征求意见", many=True)
    fee = FeeSerializer(label="信息处理费", allow_null=True)
    documents = DocumentSerializer(label="文书", many=True)
    withheld = WithheldSerializer(label="不予公开的内容", many=True, source="withheld_parts")

    def get_id_number(self, case: Case) -> str:
        return mask_id_number(case.id_number)

    def get_phone(self, case: Case) -> str:
        return mask_phone(case.phone)

    def get_outcome_label(self, case: Case) -> str | None:
        return case.get_outcome_display() if case.outcome else None

    def get_explanation(self, case: Case) -> list[str]:
        from gongkai.cases.selectors import case_explanation

        return case_explanation(case)


# ---------------------------------------------------------------------------------------------------------------------
# Staff: one request serializer per workflow action


class NoInput(ApiSerializer):
    pass


class ConfirmReceiptInput(ApiSerializer):
    received_on = DateField(label="收到申请之日（双方确认之日）")
    note = _text("说明", max_length=300)


class AssignInput(ApiSerializer):
    assignee = _text("经办人用户名", max_length=150, required=True)


class RequestCorrectionInput(ApiSerializer):
    on = DateField(label="告知日期")
    items = _text("需要补正的事项", max_length=5000, required=True)
    period_days = serializers.IntegerField(label="补正期限（工作日）", min_value=1, max_value=60)


class RecordCorrectionInput(ApiSerializer):
    on = DateField(label="收到补正之日")
    note = _text("说明", max_length=2000)


class OptionalDateInput(ApiSerializer):
    on = DateField(label="日期（默认今天）", required=False)


class ConsulteeSerializer(ApiSerializer):
    kind = _choice("征求对象类别", ConsulteeKind.choices)
    party = _text("名称", max_length=200, required=True)
    matter = _text("征求意见事项", max_length=5000, required=True)
    contact = _text("联系方式", max_length=200)
    delivered_on = DateField(label="送达日期", required=False, allow_null=True, default=None)


class StartConsultationInput(ApiSerializer):
    on = DateField(label="发出日期")
    consultees: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=ConsulteeSerializer(), label="征求意见对象", max_length=50
    )


class RecordOpinionInput(ApiSerializer):
    consultation_id = serializers.IntegerField(label="征求意见编号", min_value=1, max_value=2**31 - 1)
    result = _choice("意见", [(OpinionResult.AGREE, "同意公开"), (OpinionResult.DISAGREE, "不同意公开")])
    on = DateField(label="答复日期")
    reasons = _text("理由", max_length=5000)


class ExtendInput(ApiSerializer):
    # 条例第三十三条第二款：延长的期限最长不得超过20个工作日 (clock.rules.PERIODS, the one place)
    days = serializers.IntegerField(label="延长工作日数", min_value=1, max_value=PERIODS["extension"].amount)
    reason = _text("延期理由", max_length=300, required=True)
    approved_on = DateField(label="负责人同意日期")


class NotifyFeeInput(ApiSerializer):
    on = DateField(label="通知日期")
    method = _choice("计收方式", FeeMethod.choices)
    pieces = serializers.IntegerField(
        label="件数（按件计收）", required=False, allow_null=True, min_value=1, max_value=100
    )
    pages = serializers.IntegerField(
        label="页数（按量计收）", required=False, allow_null=True, min_value=0, max_value=1_000_000
    )


class RecordPaymentInput(ApiSerializer):
    on = DateField(label="缴费日期")
    amount = serializers.IntegerField(label="实缴金额（元）", min_value=0, max_value=10_000_000)
    receipt_number = _text("票据号", max_length=60)


class AskReasonsInput(ApiSerializer):
    on = DateField(label="告知日期")
    note = _text("说明", max_length=2000)


class ReasonsAcceptedInput(ApiSerializer):
    on = DateField(label="日期")
    reasons = _text("申请人说明的理由", max_length=5000, required=True)
    until = DateField(label="延迟答复期限")


class ReasonsRejectedInput(ApiSerializer):
    on = DateField(label="日期")
    reasons = _text("申请人说明的理由", max_length=5000)


class WithheldInputSerializer(ApiSerializer):
    description = _text("不予公开的内容", max_length=300, required=True)
    ground = _choice("理由类别", Outcome.choices)
    reason = _text("具体理由", max_length=5000, required=True)


class ReplyInputSerializer(ApiSerializer):
    outcome = _choice("办理结果", Outcome.choices)
    on = DateField(label="答复日期")
    text = _text("答复内容", max_length=20000)
    variant = _choice("答复情形", [c for c in OutcomeVariant.choices if c[0]], required=False)
    withheld: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=WithheldInputSerializer(), label="不予公开的内容", required=False, default=list, max_length=50
    )
    competent_agency = _text("负责公开的机关", max_length=200)
    earlier_case_number = _text("此前申请编号", max_length=20)
    public_interest_reason = _text("公共利益理由", max_length=5000)

    def to_input(self) -> services.ReplyInput:
        data = dict(self.validated_data)
        withheld = [services.WithheldInput(**part) for part in data.pop("withheld")]
        return services.ReplyInput(withheld=withheld, **data)


class WithdrawInput(ApiSerializer):
    on = DateField(label="撤回日期（默认今天）", required=False)
    reason = _text("撤回说明", max_length=2000)


class ReasonInput(ApiSerializer):
    reason = _text("重新办理的理由", max_length=2000, required=True)


class NoteInput(ApiSerializer):
    note = _text("备注内容", max_length=2000, required=True)
