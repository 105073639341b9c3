"""舆情回应: the public concerns an agency logs (source, time, topic) and its responses, each possibly answered by a
published item (国办发〔2016〕61号: 对涉及本地区本部门的重要政务舆情……及时回应). Rows are written by services.py only."""

from __future__ import annotations

from types import MappingProxyType

from django.conf import settings
from django.db import models


class Source(models.TextChoices):
    MEDIA = "media", "网络媒体"
    HOTLINE = "hotline", "政务热线"
    PETITION = "petition", "信访"
    OTHER = "other", "其他"


class ConcernStatus(models.TextChoices):
    OPEN = "open", "待回应"
    RESPONDED = "responded", "已回应"
    CLOSED = "closed", "已办结"


class ConcernAction(models.TextChoices):
    RESPOND = "respond", "回应"
    CLOSE = "close", "办结"


# Which action is allowed from which status, and where it leads. A further response to a responded concern keeps it
# responded (a follow-up statement); a concern may be closed without a response (e.g. found to be unfounded).
TRANSITIONS: MappingProxyType[tuple[str, str], str] = MappingProxyType(
    {
        (ConcernStatus.OPEN, ConcernAction.RESPOND): ConcernStatus.RESPONDED,
        (ConcernStatus.RESPONDED, ConcernAction.RESPOND): ConcernStatus.RESPONDED,
        (ConcernStatus.OPEN, ConcernAction.CLOSE): ConcernStatus.CLOSED,
        (ConcernStatus.RESPONDED, ConcernAction.CLOSE): ConcernStatus.CLOSED,
    }
)


class PublicConcern(models.Model):
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name="机关", on_delete=models.PROTECT, related_name="public_concerns"
    )
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    raised_at = models.DateTimeField("发现时间", help_text="舆情出现或转来的时间，回应用时自此起算")
    topic = models.CharField("主题", max_length=200)
    summary = models.TextField("内容摘要", blank=True)
    url = models.URLField("链接", max_length=500, blank=True)
    status = models.CharField("状态", max_length=10, choices=ConcernStatus.choices, default=ConcernStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "舆情"
        verbose_name_plural = "舆情"
        ordering = ["-raised_at", "-pk"]
        indexes = [models.Index(fields=["agency", "raised_at"], name="responses_agency_raised")]

    def __str__(self) -> str:
        return self.topic


class ConcernResponse(models.Model):
    concern = models.ForeignKey(PublicConcern, verbose_name="舆情", on_delete=models.CASCADE, related_name="responses")
    responded_at = models.DateTimeField("回应时间")
    text = models.TextField("回应内容")
    publication = models.ForeignKey(
        "publications.Publication",
        verbose_name="回应所发布的信息",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="concern_responses",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="回应人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "舆情回应"
        verbose_name_plural = "舆情回应"
        ordering = ["responded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.concern_id} {self.responded_at:%Y-%m-%d}"
