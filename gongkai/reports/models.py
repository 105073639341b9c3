"""The annual report (条例第四十九、五十条) and the figures entered for it.

表三 is counted from the cases and 表二（一） from the publication catalogue; what the platform does not track yet is
entered per year: 表二 第（五）（六）（八）项 (``AnnualFigures``, typed or imported with its source recorded); 表四 is
counted from the tracked appeals (gongkai.appeals). ``AnnualReport`` is one version of one agency's report for one year; a
published version keeps a frozen snapshot that later data changes never touch (a correction is a new version).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

_USER = settings.AUTH_USER_MODEL


class AnnualFigures(models.Model):
    """表二 第二十条第（五）（六）（八）项 of one agency and year, as entered or imported (regulations.md §2.3)."""

    agency = models.ForeignKey("agencies.Agency", verbose_name="机关", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    licensing = models.PositiveIntegerField("行政许可", default=0)  # 第二十条第（五）项：本年处理决定数量
    penalties = models.PositiveIntegerField("行政处罚", default=0)  # 第二十条第（六）项
    enforcement = models.PositiveIntegerField("行政强制", default=0)  # 第二十条第（六）项
    fees_wan = models.DecimalField(  # 第二十条第（八）项：本年收费金额，单位万元（最多4位小数）
        "行政事业性收费（万元）",
        max_digits=14,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    source = models.TextField("来源", help_text="如 手工填报；导入：执法系统导出 文件名 sha256")
    updated_by = models.ForeignKey(
        _USER, verbose_name="填报人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "年度执法数据（表二）"
        verbose_name_plural = "年度执法数据（表二）"
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="reports_figures_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year} 表二（五）（六）（八）"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报送主管部门"
    PUBLISHED = "published", "已发布"
    SUPERSEDED = "superseded", "已由更正版本取代"


OPEN_STATUSES = (ReportStatus.DRAFT, ReportStatus.SUBMITTED)
PUBLIC_STATUSES = (ReportStatus.PUBLISHED, ReportStatus.SUPERSEDED)


class AnnualReport(models.Model):
    agency = models.ForeignKey("agencies.Agency", verbose_name="机关", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    version = models.PositiveSmallIntegerField("版本", default=1)  # a correction after publication is version + 1
    status = models.CharField("状态", max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    # The narrative with data-bound placeholders ({{表三.一.总计}}): "1", "1.1" … "1.5", "2" … "6" → text.
    sections = models.JSONField("正文", default=dict, blank=True)
    # Set once at publication and never changed: {"report": as_json(), "sections": rendered, "meta": {...}, …}.
    snapshot = models.JSONField("发布快照", null=True, blank=True)
    findings = models.JSONField("检查结果", default=list, blank=True)  # the latest R1–R10 findings (as_json form)
    findings_at = models.DateTimeField("检查时间", null=True, blank=True)
    index_number = models.CharField("索引号", max_length=80, blank=True)  # taken at publication (agency's series)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        _USER, verbose_name="报送人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_on = models.DateField("发布日期", null=True, blank=True)
    published_at = models.DateTimeField("发布操作时间", null=True, blank=True)
    published_by = models.ForeignKey(
        _USER, verbose_name="发布人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revision_note = models.TextField("更正说明", blank=True, help_text="版本2起必填，随报告公开")
    created_by = models.ForeignKey(
        _USER, verbose_name="创建人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "政府信息公开工作年度报告"
        verbose_name_plural = "政府信息公开工作年度报告"
        ordering = ["agency_id", "-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "version"], name="reports_report_version_unique"),
            # At most one version being written or awaiting publication, and one current published version.
            models.UniqueConstraint(
                fields=["agency", "year"],
                condition=Q(status__in=["draft", "submitted"]),
                name="reports_report_one_open",
            ),
            models.UniqueConstraint(
                fields=["agency", "year"], condition=Q(status="published"), name="reports_report_one_published"
            ),
        ]
        indexes = [models.Index(fields=["agency", "year", "status"], name="reports_report_status")]

    def __str__(self) -> str:
        suffix = f"（第{self.version}版）" if self.version > 1 else ""
        return f"{self.year}年度政府信息公开工作年度报告{suffix}"

    @property
    def is_frozen(self) -> bool:
        return self.snapshot is not None
