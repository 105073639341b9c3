"""The 主动公开 catalogue: one ``Publication`` per item (条例第十二条 目录: 索引、名称、内容概述、生成日期), one
``ChannelDelivery`` per item and channel it goes out on (条例第二十三条 — publish once, deliver everywhere), its
attachments, and the 保密审查 record (条例第十七条): scan findings and the opinions of each stage.

Rows are written only by ``services.py``; no logic lives in ``save()``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from gongkai.publications.codebook import (
    Category,
    Channel,
    DeliveryStatus,
    DisclosureMode,
    DocKind,
    FindingKind,
    FindingStatus,
    ReviewDecision,
    ReviewStage,
    Severity,
    Status,
    Validity,
    WithheldGround,
)


def default_channels() -> list[str]:
    return [Channel.PORTAL.value]


class Publication(models.Model):
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name="公开主体", on_delete=models.PROTECT, related_name="publications"
    )
    # 索引号: taken once at creation, gap-free per agency and year, kept forever (also when withdrawn).
    year = models.PositiveSmallIntegerField("索引号年份")
    seq = models.PositiveIntegerField("索引号流水号")
    index_number = models.CharField("索引号", max_length=80)

    title = models.CharField("标题", max_length=300)
    doc_number = models.CharField("文号", max_length=60, blank=True)
    issuing_body = models.CharField("发布机构", max_length=100)
    written_on = models.DateField("成文日期", null=True, blank=True)
    formed_on = models.DateField("形成日期", help_text="条例第二十六条：自形成或者变更之日起20个工作日内公开")
    published_on = models.DateField("发布日期", null=True, blank=True)
    topic = models.CharField("主题分类", max_length=60, blank=True)
    category = models.CharField("公开类别", max_length=10, choices=Category.choices)
    summary = models.TextField("内容概述", blank=True)
    # body_html is the sanitised rich text (sanitize.clean_html); body is the plain text derived from it, which the
    # scan, the search index and the PDF read. A redaction rewrites both (services.finding_redact).
    body = models.TextField("正文", blank=True)
    body_html = models.TextField("正文（富文本）", blank=True)
    channels = models.JSONField("发布渠道", default=default_channels, help_text="发布时投送的渠道（条例第二十三条）")
    # 条例第二十六条: the last day to publish (20 working days after 形成日期), set when formed_on is set; the due-soon and
    # overdue lists are queries over it (selectors.timeliness).
    disclosure_due_on = models.DateField("公开期限", null=True, blank=True)
    # Approved for publication at this time (审批同意，定时发布); the `publish_scheduled` job publishes it then.
    scheduled_for = models.DateTimeField("定时发布时间", null=True, blank=True)

    disclosure_mode = models.CharField(
        "公开方式", max_length=12, choices=DisclosureMode.choices, default=DisclosureMode.PROACTIVE
    )
    withheld_ground = models.CharField("不予公开理由", max_length=20, choices=WithheldGround.choices, blank=True)

    # 规章 / 行政规范性文件: the validity lifecycle behind 表二 第二十条第（一）项.
    doc_kind = models.CharField("文件类型", max_length=10, choices=DocKind.choices, default=DocKind.OTHER)
    validity = models.CharField(
        "有效性", max_length=10, choices=Validity.choices, blank=True, help_text="仅规章、行政规范性文件"
    )
    validity_changed_on = models.DateField("有效性变更日期", null=True, blank=True)
    effective_on = models.DateField("施行日期", null=True, blank=True)
    abolished_on = models.DateField("废止（失效）日期", null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self",
        verbose_name="修改或替代文件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaces",
    )
    interprets = models.ForeignKey(
        "self",
        verbose_name="所解读的文件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="interpretations",
        help_text="政策解读指向其解读的文件",
    )

    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT)
    withdrawn_on = models.DateField("撤回日期", null=True, blank=True)
    withdrawal_reason = models.CharField("撤回原因", max_length=300, blank=True)
    withdrawal_notice = models.CharField(
        "撤回说明", max_length=500, blank=True, help_text="在门户网站原信息页面显示的撤回说明"
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "主动公开信息"
        verbose_name_plural = "主动公开信息"
        ordering = ["-published_on", "-year", "-seq"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "index_number"], name="publications_index_number_unique"),
            models.UniqueConstraint(fields=["agency", "year", "seq"], name="publications_year_seq_unique"),
        ]
        indexes = [
            models.Index(fields=["agency", "published_on"], name="publications_agency_pub"),
            models.Index(fields=["agency", "doc_kind", "validity"], name="publications_agency_kind"),
            models.Index(fields=["status", "disclosure_due_on"], name="publications_status_due"),
            models.Index(fields=["status", "scheduled_for"], name="publications_scheduled"),
            # The portal's page cache asks for the newest change of an agency's catalogue on every hit.
            models.Index(fields=["agency", "updated_at"], name="publications_agency_changed"),
        ]

    def __str__(self) -> str:
        return f"{self.index_number} {self.title}"


class ChannelDelivery(models.Model):
    """One channel's copy of one item. Issue 6 adds the real adapters and retries; the delivered rows feed 一（一）."""

    publication = models.ForeignKey(
        Publication, verbose_name="信息", on_delete=models.PROTECT, related_name="deliveries"
    )
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    status = models.CharField("状态", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    delivered_at = models.DateTimeField("发布时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    external_id = models.CharField("渠道内编号", max_length=120, blank=True)
    error = models.CharField("错误信息", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "渠道发布"
        verbose_name_plural = "渠道发布"
        constraints = [
            models.UniqueConstraint(fields=["publication", "channel"], name="publications_delivery_unique"),
        ]
        indexes = [models.Index(fields=["channel", "status", "delivered_at"], name="publications_delivery_when")]

    def __str__(self) -> str:
        return f"{self.publication_id} {self.get_channel_display()} {self.get_status_display()}"


def _attachment_upload_to(instance: PublicationAttachment, filename: str) -> str:
    # Under MEDIA_ROOT, outside the web root; the stored name never comes from the uploader (kept in original_name).
    publication = instance.publication
    return f"publications/{publication.agency_id}/{publication.year}/{instance.sha256[:2]}/{instance.sha256}"


class PublicationAttachment(models.Model):
    publication = models.ForeignKey(
        Publication, verbose_name="信息", on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField("文件", upload_to=_attachment_upload_to, max_length=300)
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=100, help_text="按文件内容识别")
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField("SHA-256", max_length=64)
    # The attachment's text (DOCX, PDF, XLSX): what the scan checks and the search index holds. Empty for images.
    extracted_text = models.TextField("提取的文字", blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["publication_id", "id"]

    def __str__(self) -> str:
        return self.original_name


class ReviewOpinion(models.Model):
    """One opinion of 保密审查 or 审批 (条例第十七条: 明确审查的程序和责任) — who decided what, when, and why."""

    publication = models.ForeignKey(Publication, verbose_name="信息", on_delete=models.PROTECT, related_name="opinions")
    stage = models.CharField("环节", max_length=16, choices=ReviewStage.choices)
    decision = models.CharField("意见", max_length=10, choices=ReviewDecision.choices)
    opinion = models.TextField("审查意见", blank=True)
    scheduled_for = models.DateTimeField("定时发布时间", null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审查人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField("审查人姓名", max_length=100, blank=True)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "审查意见"
        verbose_name_plural = "审查意见"
        ordering = ["publication_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.get_decision_display()}"


class ScanFinding(models.Model):
    """One hit of the automatic scan before 保密审查. The matched text is stored masked only: findings hold personal
    data and 密级 markings, and this table must not become a second copy of them. Offsets are into ``body`` (no
    attachment) or into the attachment's ``extracted_text``."""

    publication = models.ForeignKey(Publication, verbose_name="信息", on_delete=models.PROTECT, related_name="findings")
    attachment = models.ForeignKey(
        PublicationAttachment,
        verbose_name="附件",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="findings",
    )
    source_label = models.CharField("位置", max_length=220, help_text="正文，或附件的文件名")
    kind = models.CharField("类型", max_length=20, choices=FindingKind.choices)
    severity = models.CharField("风险等级", max_length=8, choices=Severity.choices)
    start = models.PositiveIntegerField("起始位置")
    end = models.PositiveIntegerField("结束位置")
    masked_text = models.CharField("内容（已脱敏）", max_length=120)
    status = models.CharField("处理状态", max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    dismissed_reason = models.CharField("排除理由", max_length=500, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    created_at = models.DateTimeField("发现时间", auto_now_add=True)

    class Meta:
        verbose_name = "扫描发现"
        verbose_name_plural = "扫描发现"
        ordering = ["publication_id", "attachment_id", "start", "id"]
        indexes = [models.Index(fields=["publication", "status", "severity"], name="publications_finding_open")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.masked_text}"

    @property
    def in_body(self) -> bool:
        return self.attachment_id is None and not self.source_label.startswith("附件")
