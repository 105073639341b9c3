"""The 主动公开 catalogue: one ``Publication`` per item (条例第十二条 目录: 索引、名称、内容概述、生成日期), and one
``ChannelDelivery`` per item and channel it goes out on (条例第二十三条 — publish once, deliver everywhere).

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
    Status,
    Validity,
    WithheldGround,
)


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
    body = models.TextField("正文", blank=True)

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
