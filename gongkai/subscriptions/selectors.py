"""Reads over subscriptions: who receives digests, and which published items match a subscription."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from gongkai.publications.codebook import DisclosureMode, Status
from gongkai.publications.models import Publication
from gongkai.subscriptions.models import Subscription

__all__ = ["active_subscriptions", "matching_items"]


def active_subscriptions() -> QuerySet[Subscription]:
    """Confirmed and not unsubscribed: the only ones that are ever mailed a digest."""
    return Subscription.objects.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True).order_by("pk")


def matching_items(subscription: Subscription, *, since: dt.date | None = None) -> QuerySet[Publication]:
    """Published 主动公开 items matching the subscription (agency, category, keyword in title, summary or body),
    published on or after ``since`` (default: the day of confirmation — a new subscriber is not sent the archive)."""
    if since is None:
        assert subscription.confirmed_at is not None
        since = timezone.localtime(subscription.confirmed_at).date()
    items = Publication.objects.filter(
        status=Status.PUBLISHED, disclosure_mode=DisclosureMode.PROACTIVE, published_on__gte=since
    )
    if subscription.agency_id:
        items = items.filter(agency_id=subscription.agency_id)
    if subscription.category:
        items = items.filter(category=subscription.category)
    if subscription.keyword:
        word = subscription.keyword
        items = items.filter(Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word))
    return items.select_related("agency").order_by("published_on", "pk")
