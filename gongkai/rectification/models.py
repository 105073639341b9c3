"""督促整改通知 and 投诉举报: rows written only by ``gongkai.rectification.services``; every change is an event here
and an audit row (``gongkai.audit``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from gongkai.core.fields import BlindIndexField, EncryptedTextField
from gongkai.rectification.states import (
    Basis,
    ComplaintAction,
    ComplaintChannel,
    ComplaintStatus,
    ComplaintType,
    Conclusion,
    NoticeAction,
    NoticeStatus,
    Remedy,
)

_USER = settings.AUTH_USER_MODEL


class Complaint(models.Model):
    """A 投诉举报 received by a 主管部门 about an agency it supervises (条例第四十七条第二款、第五十一条)."""

    office = models.ForeignKey(
        "agencies.Agency", verbose_name="受理的主管部门", on_delete=models.PROTECT, related_name="complaints_received"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name="被投诉机关", on_delete=models.PROTECT, related_name="complaints"
    )
    year = models.PositiveSmallIntegerField("年度")
    seq = models.PositiveIntegerField("流水号")
    number = models.CharField("编号", max_length=40)
    tracking_code = models.CharField("查询码", max_length=20, unique=True)
    # The one-time token of the public form: a second POST of the same form finds this row instead of a new one.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    channel = models.CharField("来源渠道", max_length=10, choices=ComplaintChannel.choices)
    complaint_type = models.CharField("投诉类型", max_length=20, choices=ComplaintType.choices)
    complainant_name = models.CharField("投诉人", max_length=100, blank=True)
    phone = EncryptedTextField("联系电话", kind="phone", null=True, blank=True)
    phone_index = BlindIndexField(source="phone")
    other_contact = EncryptedTextField("其他联系方式", kind="text", null=True, blank=True)
    description = models.TextField("投诉内容")
    received_on = models.DateField("收到日期")
    reply_due = models.DateField("答复期限（参照）", db_index=True)
    status = models.CharField(
        "状态", max_length=16, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED, db_index=True
    )
    conclusion = models.CharField("办理结论", max_length=16, choices=Conclusion.choices, blank=True)
    findings = models.TextField("调查情况或不予受理理由", blank=True)
    remedy = models.CharField("处理方式", max_length=10, choices=Remedy.choices, blank=True)
    criticism = models.TextField("通报批评内容", blank=True)
    reply_text = models.TextField("答复投诉人", blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    registered_by = models.ForeignKey(
        _USER, verbose_name="登记人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Set by gongkai.privacy when the complainant's personal data is removed after the retention period.
    anonymised_at = models.DateTimeField("匿名化时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "投诉举报"
        verbose_name_plural = "投诉举报"
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["office", "year", "seq"], name="rectif_complaint_number_unique"),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | ~models.Q(conclusion=""), name="rectif_closed_has_conclusion"
            ),
        ]
        indexes = [models.Index(fields=["office", "status"], name="rectif_complaint_office_status")]

    def __str__(self) -> str:
        return f"投诉{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status != ComplaintStatus.CLOSED


class Notice(models.Model):
    """A 督促整改通知 from a 主管部门 to one agency it supervises (条例第四十七条第一款)."""

    office = models.ForeignKey(
        "agencies.Agency", verbose_name="下发的主管部门", on_delete=models.PROTECT, related_name="notices_issued"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name="整改机关", on_delete=models.PROTECT, related_name="rectification_notices"
    )
    # Numbered when issued, so that drafts never leave a gap (gap-free per office and year of issue).
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    seq = models.PositiveIntegerField("流水号", null=True, blank=True)
    number = models.CharField("文号", max_length=80, blank=True)
    title = models.CharField("标题", max_length=200)
    basis = models.CharField("依据", max_length=16, choices=Basis.choices)
    deadline = models.DateField("整改期限", db_index=True)
    complaint = models.ForeignKey(
        Complaint,
        verbose_name="源自投诉",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notices",
    )
    status = models.CharField(
        "状态", max_length=16, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT, db_index=True
    )
    issued_on = models.DateField("下发日期", null=True, blank=True)
    acknowledged_on = models.DateField("签收日期", null=True, blank=True)
    reported_on = models.DateField("报告整改日期", null=True, blank=True)
    closed_on = models.DateField("验收日期", null=True, blank=True)
    return_reason = models.TextField("最近一次退回理由", blank=True)
    criticism = models.TextField("通报批评内容", blank=True)
    criticized_on = models.DateField("通报批评日期", null=True, blank=True)
    created_by = models.ForeignKey(
        _USER, verbose_name="起草人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "督促整改通知"
        verbose_name_plural = "督促整改通知"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["office", "year", "seq"], name="rectif_notice_number_unique"),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(seq__isnull=False), name="rectif_issued_has_number"
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "deadline"], name="rectif_notice_agency_open"),
            models.Index(fields=["office", "status"], name="rectif_notice_office_status"),
        ]

    def __str__(self) -> str:
        return f"{self.number or '（草稿）'} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status not in (NoticeStatus.DRAFT, NoticeStatus.CLOSED)


def _upload_to(instance: NoticeItem, filename: str) -> str:
    # The stored name never comes from the uploader; the original name is kept in a column for download.
    return f"rectification/{instance.notice_id}/{instance.attachment_sha256[:2]}/{instance.attachment_sha256}"


class NoticeItem(models.Model):
    """One problem found and what must be done about it; the agency writes what it did."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField("序号")
    problem = models.TextField("存在问题")
    requirement = models.TextField("整改要求", blank=True)
    rectification = models.TextField("整改情况", blank=True)
    attachment = models.FileField("整改材料", upload_to=_upload_to, max_length=300, blank=True)
    attachment_name = models.CharField("材料文件名", max_length=200, blank=True)
    attachment_type = models.CharField("材料类型", max_length=100, blank=True)
    attachment_sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "整改事项"
        verbose_name_plural = "整改事项"
        ordering = ["notice_id", "position"]
        constraints = [models.UniqueConstraint(fields=["notice", "position"], name="rectif_item_position_unique")]

    def __str__(self) -> str:
        return f"{self.notice_id}-{self.position}"


class NoticeEvent(models.Model):
    """The notice's timeline, shown on its page (the audit log holds the same facts, hash-chained)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=16)
    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16, blank=True)
    text = models.TextField("说明", blank=True)
    actor = models.ForeignKey(_USER, verbose_name="操作人", null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def action_label(self) -> str:
        return str(NoticeAction(self.action).label) if self.action in NoticeAction.values else self.action

    @property
    def status_label(self) -> str:
        return str(NoticeStatus(self.to_status).label) if self.to_status in NoticeStatus.values else ""


class ComplaintEvent(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=16)
    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16, blank=True)
    text = models.TextField("说明", blank=True)
    actor = models.ForeignKey(_USER, verbose_name="操作人", null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def action_label(self) -> str:
        return str(ComplaintAction(self.action).label) if self.action in ComplaintAction.values else self.action

    @property
    def status_label(self) -> str:
        return str(ComplaintStatus(self.to_status).label) if self.to_status in ComplaintStatus.values else ""
