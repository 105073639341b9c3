"""The 考核 as data: one scheme per supervising office and year, its rules, and the published rankings (frozen).

Written only by ``gongkai.oversight.services`` (each change audited). A published ranking keeps a snapshot of the rules,
every agency's raw values, points and rank: later data changes never alter it; a correction is a new version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from gongkai.oversight.metrics import Metric
from gongkai.oversight.scoring import MISSING_EXCLUDE, MISSING_FULL, MISSING_ZERO

_USER = settings.AUTH_USER_MODEL


class Scope(models.TextChoices):
    ALL = "all", "所辖全部机关（含下级政府及其部门）"
    DIRECT = "direct", "本主管部门直接主管的机关"


class WhenMissing(models.TextChoices):
    FULL = MISSING_FULL, "按满分计"
    ZERO = MISSING_ZERO, "按零分计"
    EXCLUDE = MISSING_EXCLUDE, "不计入，其余规则折算"


class ScoringScheme(models.Model):
    office = models.ForeignKey(
        "agencies.Agency", verbose_name="主管部门", on_delete=models.PROTECT, related_name="scoring_schemes"
    )
    year = models.PositiveSmallIntegerField("考核年度")
    scope = models.CharField("考核对象", max_length=10, choices=Scope.choices, default=Scope.ALL)
    note = models.TextField("考核说明", blank=True)
    updated_by = models.ForeignKey(
        _USER, verbose_name="修改人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "考核方案"
        verbose_name_plural = "考核方案"
        constraints = [models.UniqueConstraint(fields=["office", "year"], name="oversight_scheme_office_year")]

    def __str__(self) -> str:
        return f"{self.year}年度政府信息公开工作考核方案"


class ScoringRule(models.Model):
    scheme = models.ForeignKey(ScoringScheme, on_delete=models.CASCADE, related_name="rules")
    position = models.PositiveSmallIntegerField("序号")
    metric = models.CharField("考核指标", max_length=40, choices=Metric.choices)
    weight = models.DecimalField("分值（权重）", max_digits=7, decimal_places=2)
    full_at = models.DecimalField("满分线", max_digits=12, decimal_places=4)
    zero_at = models.DecimalField("零分线", max_digits=12, decimal_places=4)
    when_missing = models.CharField("无数据时", max_length=10, choices=WhenMissing.choices, default=WhenMissing.FULL)

    class Meta:
        verbose_name = "考核规则"
        verbose_name_plural = "考核规则"
        ordering = ["scheme_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "metric"], name="oversight_rule_one_per_metric"),
            models.CheckConstraint(condition=models.Q(weight__gte=0), name="oversight_rule_weight_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.weight}分"


class RankingPublication(models.Model):
    """A published ranking: frozen at publication. ``snapshot`` = {"rules": [...], "rows": [...], "computed_on": …}."""

    scheme = models.ForeignKey(ScoringScheme, on_delete=models.PROTECT, related_name="publications")
    office = models.ForeignKey("agencies.Agency", verbose_name="主管部门", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("考核年度")
    version = models.PositiveSmallIntegerField("版本")
    snapshot = models.JSONField("发布快照")
    note = models.TextField("说明", blank=True, help_text="版本2起必填：更正的原因")
    published_on = models.DateField("发布日期")
    published_at = models.DateTimeField("发布操作时间", auto_now_add=True)
    published_by = models.ForeignKey(
        _USER, verbose_name="发布人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "已发布的考核结果"
        verbose_name_plural = "已发布的考核结果"
        ordering = ["office_id", "-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["office", "year", "version"], name="oversight_ranking_version_unique")
        ]

    def __str__(self) -> str:
        suffix = f"（第{self.version}版）" if self.version > 1 else ""
        return f"{self.year}年度政府信息公开工作考核结果{suffix}"
