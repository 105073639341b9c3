"""政策信息精准推送: e-mail subscriptions to an agency's, a category's or a keyword's new items, with double opt-in.

The confirmation token is random and stored only as its SHA-256; unsubscribe links are signed (``tokens.py``), so that
every digest can carry one without the database holding anything that works as a link.
"""

from __future__ import annotations

from django.db import models

from gongkai.publications.codebook import Category


class Subscription(models.Model):
    email = models.EmailField("电子邮箱", max_length=254)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name="机关",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    category = models.CharField("公开类别", max_length=10, choices=Category.choices, blank=True)
    keyword = models.CharField("关键词", max_length=50, blank=True)
    token_hash = models.CharField("确认令牌摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("订阅时间", auto_now_add=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    unsubscribed_at = models.DateTimeField("退订时间", null=True, blank=True)

    class Meta:
        verbose_name = "订阅"
        verbose_name_plural = "订阅"
        indexes = [
            models.Index(fields=["email", "created_at"], name="subscriptions_email_created"),
            models.Index(fields=["confirmed_at", "unsubscribed_at"], name="subscriptions_active"),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.get_category_display() or ''} {self.keyword}".strip()

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class DigestSent(models.Model):
    """One item in one subscriber's digest. Inserted (claimed) before the mail goes out, ``sent_at`` after: the unique
    pair means an item reaches a subscriber at most once, whatever runs at the same time."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="digests")
    publication = models.ForeignKey("publications.Publication", on_delete=models.CASCADE, related_name="+")
    claimed_at = models.DateTimeField("认领时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "已推送信息"
        verbose_name_plural = "已推送信息"
        constraints = [
            models.UniqueConstraint(fields=["subscription", "publication"], name="subscriptions_digest_unique")
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id}→{self.publication_id}"
