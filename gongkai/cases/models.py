"""依申请公开 applications: the case, what was asked, consultations, the fee, events, documents and deliveries.

Rows are written only by ``gongkai.cases.services``; every change there is an audited event.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from gongkai.accounts.models import IdType
from gongkai.cases.codebook import ApplicantType, Channel, ObtainMethod, Outcome, OutcomeVariant, ProvisionForm
from gongkai.cases.fees import FeeMethod
from gongkai.cases.states import Action, Status
from gongkai.core.fields import BlindIndexField, EncryptedTextField

_USER = settings.AUTH_USER_MODEL


class Counter(models.Model):
    """Gap-free numbers per agency and year (case numbers, 文号): the row is locked while a number is taken."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    series = models.CharField(max_length=20)  # "case" | "doc"
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "编号计数器"
        verbose_name_plural = "编号计数器"
        constraints = [models.UniqueConstraint(fields=["agency", "year", "series"], name="cases_counter_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}/{self.series}={self.last}"


class Case(models.Model):
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name="受理机关", on_delete=models.PROTECT, related_name="cases"
    )
    year = models.PositiveSmallIntegerField("年度")
    seq = models.PositiveIntegerField("流水号")
    number = models.CharField("申请编号", max_length=20)
    tracking_code = models.CharField("查询码", max_length=20, unique=True)
    channel = models.CharField("申请方式", max_length=20, choices=Channel.choices)
    status = models.CharField("状态", max_length=24, choices=Status.choices, db_index=True)
    outcome = models.CharField("办理结果", max_length=32, choices=Outcome.choices, blank=True)
    outcome_variant = models.CharField(
        "答复情形", max_length=20, choices=OutcomeVariant.choices, blank=True, default=OutcomeVariant.NONE
    )

    submitted_at = models.DateTimeField("提交时间")
    # 条例第三十一条: None while the case waits in 待确认.
    received_on = models.DateField("收到申请之日", null=True, blank=True, db_index=True)
    receipt_note = models.CharField("收到日期依据", max_length=300, blank=True)
    ledger = models.OneToOneField(
        "clock.ClockLedger",
        verbose_name="期限台账",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case",
    )

    # 申请人 (条例第二十九条（一）) — a snapshot at submission; the account link is optional.
    applicant_type = models.CharField("申请人类型", max_length=20, choices=ApplicantType.choices)
    applicant_name = models.CharField("申请人姓名或名称", max_length=100)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    id_type = models.CharField("证件类型", max_length=20, choices=IdType.choices)
    id_number = EncryptedTextField("证件号码", kind="id_number", null=True, blank=True)
    id_number_index = BlindIndexField(source="id_number")
    phone = EncryptedTextField("联系电话", kind="phone", null=True, blank=True)
    phone_index = BlindIndexField(source="phone")
    email = models.EmailField("电子邮箱", blank=True)
    postal_address = models.CharField("通信地址", max_length=200, blank=True)
    postcode = models.CharField("邮政编码", max_length=6, blank=True)
    applicant_user = models.ForeignKey(
        _USER, verbose_name="申请人账户", null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )

    # 条例第二十九条（三）
    provision_form = models.CharField("提供形式", max_length=20, choices=ProvisionForm.choices)
    obtain_method = models.CharField("获取方式", max_length=20, choices=ObtainMethod.choices)
    remarks = models.TextField("其他说明", blank=True)

    assignee = models.ForeignKey(
        _USER, verbose_name="经办人", null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_cases"
    )
    registered_by = models.ForeignKey(
        _USER, verbose_name="登记人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # 补正 (条例第三十条)
    correction_items = models.TextField("补正事项", blank=True)
    correction_period_days = models.PositiveSmallIntegerField("补正期限（工作日）", null=True, blank=True)
    correction_deadline = models.DateField("补正截止日", null=True, blank=True)
    corrected_on = models.DateField("收到补正之日", null=True, blank=True)

    # 延期 (条例第三十三条第二款) and 延迟答复 (第三十五条)
    extension_days = models.PositiveSmallIntegerField("延长工作日数", null=True, blank=True)
    extension_reason = models.CharField("延期理由", max_length=300, blank=True)
    extension_approved_by = models.ForeignKey(
        _USER, verbose_name="延期批准人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    extension_approved_on = models.DateField("批准日期", null=True, blank=True)
    reasons_requested_on = models.DateField("要求说明理由日期", null=True, blank=True)
    reasons_text = models.TextField("申请人说明的理由", blank=True)
    delay_until = models.DateField("延迟答复期限", null=True, blank=True)

    # 答复 (条例第三十六条)
    closed_on = models.DateField("办结日期", null=True, blank=True, db_index=True)
    reply_text = models.TextField("答复内容", blank=True)
    competent_agency = models.CharField("负责公开的机关", max_length=200, blank=True)  # 第三十六条（五）
    earlier_case = models.ForeignKey(
        "self", verbose_name="此前申请", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # 第三十六条（六）
    public_interest_reason = models.TextField("公共利益理由", blank=True)  # 第三十二条：决定予以公开时

    # Set by gongkai.privacy when the applicant's personal data is removed after the retention period.
    anonymised_at = models.DateTimeField("匿名化时间", null=True, blank=True)

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "政府信息公开申请"
        verbose_name_plural = "政府信息公开申请"
        ordering = ["-year", "-seq"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "seq"], name="cases_case_number_unique"),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | ~models.Q(outcome=""), name="cases_closed_has_outcome"
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status"], name="cases_agency_status"),
            models.Index(fields=["agency", "received_on"], name="cases_agency_received"),
            models.Index(fields=["agency", "closed_on"], name="cases_agency_closed"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def audit_label(self) -> str:
        # The audit log names the case by number: what was asked (the subject) may name the applicant, and the log
        # outlives the retention purge (docs/security.md「个人信息生命周期」).
        return f"申请{self.number}"

    @property
    def subject(self) -> str:
        first = self.items.all()[0] if self.pk and self.items.all() else None
        return first.title if first else "（未填写）"

    @property
    def is_open(self) -> bool:
        return self.status not in (Status.CLOSED, Status.CANCELLED)

    @property
    def reply_due(self) -> dt.date | None:
        return self.ledger.reply_due if self.ledger_id and self.ledger else None


class RequestedItem(models.Model):
    """One piece of information sought (条例第二十九条（二）：名称、文号或者特征性描述)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField("序号")
    title = models.CharField("信息名称", max_length=300)
    doc_number = models.CharField("文号", max_length=100, blank=True)
    description = models.TextField("特征性描述", blank=True)

    class Meta:
        verbose_name = "申请公开的信息"
        verbose_name_plural = "申请公开的信息"
        ordering = ["case_id", "position"]

    def __str__(self) -> str:
        return self.title


class AttachmentKind(models.TextChoices):
    ID_COPY = "id_copy", "身份证明复印件"
    APPLICATION = "application", "申请材料"
    CORRECTION = "correction", "补正材料"
    RELEASED = "released", "公开的政府信息"
    OTHER = "other", "其他"


def _upload_to(instance: CaseAttachment, filename: str) -> str:
    # The stored name never comes from the uploader: the original name is kept in a column for download.
    return f"cases/{instance.case.agency_id}/{instance.case.year}/{instance.sha256[:2]}/{instance.sha256}"


class CaseAttachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField("类别", max_length=20, choices=AttachmentKind.choices)
    file = models.FileField("文件", upload_to=_upload_to, max_length=300)
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField("SHA-256", max_length=64)
    released_online = models.BooleanField("网上提供给申请人", default=False)
    uploaded_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["case_id", "id"]

    def __str__(self) -> str:
        return self.original_name


class ConsulteeKind(models.TextChoices):
    THIRD_PARTY = "third_party", "第三方"  # 条例第三十二条
    AGENCY = "agency", "其他机关"  # 条例第三十四条


class OpinionResult(models.TextChoices):
    PENDING = "", "未答复"
    AGREE = "agree", "同意公开"
    DISAGREE = "disagree", "不同意公开"
    NO_ANSWER = "no_answer", "逾期未提出意见"


class Consultation(models.Model):
    """One 征求意见书 to one third party or agency; the case's clock stops while any is open (第三十三条第三款)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="consultations")
    kind = models.CharField("征求对象", max_length=20, choices=ConsulteeKind.choices)
    party = models.CharField("名称", max_length=200)
    party_contact = models.CharField("联系方式", max_length=200, blank=True)
    matter = models.TextField("征求意见事项")
    sent_on = models.DateField("发出日期")
    delivered_on = models.DateField("送达日期", null=True, blank=True)
    answer_due = models.DateField("意见期限", null=True, blank=True)  # 15 working days from delivery
    result = models.CharField("意见", max_length=20, choices=OpinionResult.choices, blank=True)
    answered_on = models.DateField("答复日期", null=True, blank=True)
    reasons = models.TextField("理由", blank=True)

    class Meta:
        verbose_name = "征求意见"
        verbose_name_plural = "征求意见"
        ordering = ["case_id", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.party}"

    @property
    def is_open(self) -> bool:
        return not self.result


class FeeAssessment(models.Model):
    """The one 信息处理费 of an application: 按件 or 按量, never both (国办函〔2020〕109号第三条)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="fee")
    method = models.CharField("计收方式", max_length=20, choices=FeeMethod.choices)
    first_ordinal = models.PositiveIntegerField("本月序数", null=True, blank=True)
    pieces = models.PositiveSmallIntegerField("件数", null=True, blank=True)
    pages = models.PositiveIntegerField("页数", null=True, blank=True)
    amount = models.PositiveIntegerField("金额（元）")
    breakdown = models.TextField("计算过程")
    notified_on = models.DateField("通知日期")
    delivered_on = models.DateField("申请人收到通知之日", null=True, blank=True)
    pay_by = models.DateField("缴费截止日", null=True, blank=True)
    paid_on = models.DateField("缴费日期", null=True, blank=True)
    paid_amount = models.PositiveIntegerField("实缴金额（元）", null=True, blank=True)
    receipt_number = models.CharField("票据号", max_length=60, blank=True)

    class Meta:
        verbose_name = "信息处理费"
        verbose_name_plural = "信息处理费"

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_method_display()} {self.amount}元"


class WithheldPart(models.Model):
    """What a (partial) refusal withholds and on which ground (条例第三十六条（三）、第三十七条：说明理由)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="withheld_parts")
    description = models.CharField("不予公开的内容", max_length=300)
    ground = models.CharField("理由类别", max_length=32, choices=Outcome.choices)
    reason = models.TextField("具体理由")

    class Meta:
        verbose_name = "不予公开内容"
        verbose_name_plural = "不予公开内容"
        ordering = ["case_id", "id"]

    def __str__(self) -> str:
        return self.description


class CaseEvent(models.Model):
    """The case's own timeline: one row per action, in order (the audit log holds the same facts, chained)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField("序号")
    action = models.CharField("操作", max_length=30, choices=Action.choices)
    from_status = models.CharField("原状态", max_length=24, choices=Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=24, choices=Status.choices, blank=True)
    on = models.DateField("日期")  # the legal date of the fact, which may precede the day it was entered
    at = models.DateTimeField("记录时间", auto_now_add=True)
    actor = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField("操作人", max_length=100)
    note = models.TextField("说明", blank=True)
    data = models.JSONField("数据", default=dict, blank=True, encoder=DjangoJSONEncoder)
    public = models.BooleanField("申请人可见", default=False)

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["case_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="cases_event_case_seq")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.get_action_display()}"


class DocumentKind(models.TextChoices):
    RECEIPT = "receipt", "政府信息公开申请接收回执"
    CORRECTION_NOTICE = "correction_notice", "补正告知书"
    EXTENSION_NOTICE = "extension_notice", "延期答复告知书"
    CONSULT_THIRD_PARTY = "consult_third_party", "征求意见书（第三方）"
    CONSULT_AGENCY = "consult_agency", "征求意见书（其他机关）"
    FEE_NOTICE = "fee_notice", "收费通知书"
    REASONS_NOTICE = "reasons_notice", "说明理由告知书"
    DELAY_NOTICE = "delay_notice", "延迟答复告知书"
    REPLY = "reply", "政府信息公开申请答复书"


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    ISSUED = "issued", "已签发"


class CaseDocument(models.Model):
    """A 文书: a draft staff may edit, then issued — frozen with its DOCX and PDF and their checksums."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField("文书", max_length=30, choices=DocumentKind.choices)
    status = models.CharField("状态", max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT)
    doc_number = models.CharField("文号", max_length=60, blank=True)
    title = models.CharField("标题", max_length=200)
    addressee = models.CharField("主送", max_length=200, blank=True)
    body = models.JSONField("正文", default=list)  # list of paragraph strings; staff edit them before issue
    date_on = models.DateField("成文日期")
    recipient = models.CharField("送达对象", max_length=200, blank=True)  # applicant, or the consulted party
    consultation = models.ForeignKey(
        Consultation, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    docx = models.FileField("DOCX", max_length=300, blank=True)
    pdf = models.FileField("PDF", max_length=300, blank=True)
    docx_sha256 = models.CharField(max_length=64, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    issued_at = models.DateTimeField("签发时间", null=True, blank=True)
    issued_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "文书"
        verbose_name_plural = "文书"
        ordering = ["case_id", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.doc_number}"

    @property
    def is_issued(self) -> bool:
        return self.status == DocumentStatus.ISSUED


class DeliveryMethod(models.TextChoices):
    POST = "post", "邮寄"
    EMAIL = "email", "电子邮件"
    IN_PERSON = "in_person", "当面送达"
    ONLINE = "online", "网上送达"
    FAX = "fax", "传真"


class Delivery(models.Model):
    """How and when a document reached its recipient (送达); where a period runs from receipt, this date starts it."""

    document = models.ForeignKey(CaseDocument, on_delete=models.PROTECT, related_name="deliveries")
    method = models.CharField("送达方式", max_length=20, choices=DeliveryMethod.choices)
    sent_on = models.DateField("发出日期")
    delivered_on = models.DateField("送达日期", null=True, blank=True)
    waybill = models.CharField("邮件单号", max_length=60, blank=True)
    signed_by = models.CharField("签收人", max_length=60, blank=True)
    address = models.CharField("送达地址或邮箱", max_length=200, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "送达"
        verbose_name_plural = "送达"
        ordering = ["document_id", "id"]

    def __str__(self) -> str:
        return f"{self.document_id} {self.get_method_display()} {self.sent_on}"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", "即将到期"
    OVERDUE = "overdue", "已逾期"
    CORRECTION_NOTICE_DUE = "correction_notice_due", "补正告知即将到期"


class Reminder(models.Model):
    """One reminder sent for one case, kind and due date: the unique row is claimed before the mail goes out,
    so two `gongkai remind` runs on two machines never both send it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=30, choices=ReminderKind.choices)
    due = models.DateField()
    recipients = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "到期提醒"
        verbose_name_plural = "到期提醒"
        constraints = [models.UniqueConstraint(fields=["case", "kind", "due"], name="cases_reminder_once")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.due}"


class ReceiptOccasion(models.TextChoices):
    SUBMITTED = "submitted", "提交申请"
    REGISTERED = "registered", "登记申请"


class ReceiptJob(models.Model):
    """The promise of a 申请接收回执, written in the transaction that saves the application: the case and its receipt
    job commit together, so a crash after the commit delays the receipt but never loses it. ``gongkai receipts
    process`` (or, with ``GONGKAI_RECEIPTS=inline``, the request itself right after the commit) keeps the promise:
    the receipt is issued once and the applicant told (``cases.jobs``)."""

    case = models.ForeignKey(Case, verbose_name="申请", on_delete=models.CASCADE, related_name="receipt_jobs")
    what = models.CharField("事由", max_length=12, choices=ReceiptOccasion.choices)
    created_at = models.DateTimeField("写入时间", auto_now_add=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    # Due from the start; while a worker holds the job, the end of its claim; after a failure, the end of the backoff.
    next_attempt_at = models.DateTimeField("下次尝试时间", default=timezone.now)
    last_error = models.TextField("最近一次错误", blank=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    document = models.ForeignKey(
        CaseDocument, verbose_name="回执", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "回执待办"
        verbose_name_plural = "回执待办"
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(done_at__isnull=True),
                name="cases_receiptjob_pending",
            )
        ]

    # Attempts before the job is left alone: the staff case page shows it, `gongkai receipts retry` queues it again.
    MAX_ATTEMPTS = 6

    def __str__(self) -> str:
        return f"{self.case_id} {self.what} ({self.attempts})"

    @property
    def gave_up(self) -> bool:
        return self.done_at is None and self.attempts >= self.MAX_ATTEMPTS
