from __future__ import annotations

from django.db import models


class RateCounter(models.Model):
    """Hits of one key in one fixed window. Written only by ``services.rate_hit`` with one atomic upsert, so that
    several worker processes (and machines sharing the database) count together without a lost update."""

    key = models.CharField(max_length=100)  # "<scope>:<keyed hash of the client address or applicant>"
    window_start = models.BigIntegerField()  # Unix seconds
    hits = models.PositiveIntegerField(default=0)
    expires_at = models.BigIntegerField(db_index=True)  # Unix seconds; rows past it are purged

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="ratelimit_key_window_unique")]
        verbose_name = "频率计数"
        verbose_name_plural = "频率计数"

    def __str__(self) -> str:
        return f"{self.key}@{self.window_start}: {self.hits}"
