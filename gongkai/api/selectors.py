"""Reads over API tokens."""

from __future__ import annotations

from django.db.models import QuerySet

from gongkai.api.models import ApiToken


def tokens(*, username: str | None = None) -> QuerySet[ApiToken]:
    rows = ApiToken.objects.select_related("user").order_by("user__username", "-created_at", "-id")
    return rows.filter(user__username=username) if username else rows
