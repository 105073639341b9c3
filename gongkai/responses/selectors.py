"""Reads over the 舆情 log: lists with filters and counts, response times, and the annual report's figures."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

from django.db.models import Count, Min, QuerySet
from django.utils import timezone

from gongkai.clock.calendar import WorkCalendar
from gongkai.clock.selectors import current_calendar
from gongkai.publications.selectors import year_bounds
from gongkai.responses.models import ConcernStatus, PublicConcern

__all__ = ["ConcernCounts", "ResponseTime", "concern_counts", "response_time", "status_counts", "with_first_response"]


class ConcernCounts(TypedDict):
    received: int
    responded: int
    median_response_hours: float | None


@dataclass(frozen=True)
class ResponseTime:
    hours: float
    working_days: int  # working days after the day it was raised, up to and including the day of the response


def response_time(raised_at: dt.datetime, responded_at: dt.datetime, calendar: WorkCalendar) -> ResponseTime:
    """Pure: elapsed hours, and working days counted like the statutory periods (the day raised is not counted)."""
    hours = max((responded_at - raised_at).total_seconds(), 0) / 3600
    start, end = timezone.localtime(raised_at).date(), timezone.localtime(responded_at).date()
    return ResponseTime(hours=round(hours, 1), working_days=calendar.working_days_between(start, end))


def with_first_response(queryset: QuerySet[PublicConcern]) -> QuerySet[PublicConcern]:
    return queryset.annotate(first_response_at=Min("responses__responded_at"))


def status_counts(queryset: QuerySet[PublicConcern]) -> dict[str, int]:
    found = {row["status"]: row["n"] for row in queryset.order_by().values("status").annotate(n=Count("pk"))}
    return {status.label: found.get(status.value, 0) for status in ConcernStatus}


def concern_counts(agency_ids: Sequence[int], year: int) -> ConcernCounts:
    """For the annual report's narrative: concerns raised in ``year`` (Asia/Shanghai), how many have been responded
    to, and the median hours from raising to the first response (None when none was responded to)."""
    start, end = year_bounds(year)
    rows = (
        PublicConcern.objects.filter(agency_id__in=list(agency_ids), raised_at__gte=start, raised_at__lt=end)
        .annotate(first_response_at=Min("responses__responded_at"))
        .values_list("raised_at", "first_response_at")
    )
    received = 0
    hours: list[float] = []
    for raised_at, first in rows:
        received += 1
        if first is not None:
            hours.append(max((first - raised_at).total_seconds(), 0) / 3600)
    return {
        "received": received,
        "responded": len(hours),
        "median_response_hours": round(statistics.median(hours), 1) if hours else None,
    }


def calendar() -> WorkCalendar:
    return current_calendar()
