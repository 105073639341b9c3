"""The append-only, hash-chained audit log.

Each row carries the SHA-256 hash of its own content and of the previous row of its chain (one chain per agency, one
for the platform), so that an altered, removed or inserted row breaks the chain and ``gongkai audit verify`` names it.
UPDATE, DELETE and TRUNCATE are refused by database triggers (installed by migration 0002, see ``audit/db.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditChain(models.Model):
    """The head of one chain; locked (SELECT … FOR UPDATE) while a row is appended so that seq stays gap-free."""

    key = models.CharField(max_length=64, primary_key=True)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = "审计链"

    def __str__(self) -> str:
        return f"{self.key}#{self.last_seq}"


class AuditEvent(models.Model):
    chain = models.CharField("审计链", max_length=64)
    seq = models.PositiveBigIntegerField("序号")
    created_at = models.DateTimeField("时间", db_index=True)
    # No database constraint and DO_NOTHING: deleting a user or an agency must never touch (or be blocked by) the log.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField("操作人", max_length=200, blank=True)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name="机关",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    object_type = models.CharField("对象类型", max_length=100, blank=True, db_index=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=300, blank=True)
    action = models.CharField("操作", max_length=100, db_index=True)
    success = models.BooleanField("成功", default=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    detail = models.TextField("说明", blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "审计记录"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique")]
        indexes = [models.Index(fields=["agency", "-created_at"], name="audit_agency_time")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"
