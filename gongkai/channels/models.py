"""One row per attempt to deliver an item on a channel. The row is the claim: the unique (delivery, number) INSERT
succeeds for exactly one worker, so two ``gongkai deliver`` runs never send the same copy twice; ``finished_at``
stays empty while the worker is talking to the channel."""

from __future__ import annotations

from django.db import models


class Outcome(models.TextChoices):
    DELIVERED = "delivered", "已发布"
    FAILED = "failed", "发送失败"
    SKIPPED = "skipped", "未发送"  # the row changed under us (delivered by hand, item withdrawn)


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(
        "publications.ChannelDelivery", verbose_name="渠道发布", on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveSmallIntegerField("第几次")
    claimed_at = models.DateTimeField("开始时间", db_index=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices, blank=True)
    error = models.CharField("错误信息", max_length=500, blank=True)
    worker = models.CharField("执行进程", max_length=120, blank=True)

    class Meta:
        verbose_name = "渠道发送记录"
        verbose_name_plural = "渠道发送记录"
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="channels_attempt_unique")]

    def __str__(self) -> str:
        return f"{self.delivery_id}#{self.number} {self.outcome or '进行中'}"
