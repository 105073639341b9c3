"""Reads over the 主动公开 catalogue: 表二 第二十条第（一）项 of the annual report, the per-channel counts of 一（一）,
the drill-down lists behind them, the 条例第二十六条 timeliness lists, and the 保密审查 record of an item."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import BooleanField, Case, Count, ExpressionWrapper, F, Q, QuerySet, Value, When
from django.utils import timezone

from gongkai.clock.calendar import WorkCalendar
from gongkai.clock.selectors import current_calendar
from gongkai.publications.codebook import (
    TERMINAL_VALIDITIES,
    UNPUBLISHED_STATUSES,
    Channel,
    DeliveryStatus,
    DisclosureMode,
    DocKind,
    FindingStatus,
    Severity,
    Status,
)
from gongkai.publications.models import (
    ChannelDelivery,
    Publication,
    PublicationAttachment,
    ReviewOpinion,
    ScanFinding,
)

__all__ = [
    "DUE_SOON_WORKING_DAYS",
    "TABLE2_COLUMNS",
    "TABLE2_KINDS",
    "Timeliness",
    "attachments_of",
    "channel_counts",
    "channel_delivered",
    "findings_of",
    "has_open_high",
    "opinions_of",
    "published_in",
    "scheduled_due",
    "table2_documents",
    "timeliness",
    "with_on_time",
    "workflow_queue",
    "working_days_left",
    "year_bounds",
]

# 表二 第二十条第（一）项: rows and columns, in the template's order and words (regulations.md §2.3).
TABLE2_KINDS: tuple[DocKind, ...] = (DocKind.RULE, DocKind.NORMATIVE)
TABLE2_COLUMNS: tuple[str, ...] = ("本年制发", "本年废止", "现行有效")


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """[1 January 00:00, next 1 January 00:00) of ``year`` in the platform's time zone (Asia/Shanghai)."""
    tz = timezone.get_default_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def _ids(queryset: QuerySet[Publication]) -> list[int]:
    return list(queryset.order_by("published_on", "pk").values_list("pk", flat=True))


def table2_documents(agency_ids: Sequence[int], year: int) -> dict[str, dict[str, tuple[int, list[int]]]]:
    """表二 第二十条第（一）项 for the agencies in ``year``: {"规章"|"行政规范性文件": {column: (count, ids)}}.

    Counted: items of the agencies whose 文件类型 is 规章 or 行政规范性文件 and whose status is 已发布 (a withdrawn item
    was published in error and counts nowhere). With 31 December of ``year`` as the year end:

    - 本年制发 — 发布日期 in the year (制发 = made and published: a document counts in the year it was published);
    - 本年废止 — 废止（失效）日期 in the year, validity 已废止 or 失效;
    - 现行有效 — 发布日期 on or before the year end and not abolished or expired by then. A document 已修改 stays in
      force as amended and is counted here; a document replaced outright is 已废止 (with ``replaced_by``).

    Since an abolition date is never before the publication date (``services.publication_set_validity``), the cross-year
    identity of the report's rule R6 holds exactly: 现行有效(N) = 现行有效(N−1) + 本年制发(N) − 本年废止(N).
    """
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    base = Publication.objects.filter(agency_id__in=list(agency_ids), status=Status.PUBLISHED)
    result: dict[str, dict[str, tuple[int, list[int]]]] = {}
    for kind in TABLE2_KINDS:
        of_kind = base.filter(doc_kind=kind)
        issued = _ids(of_kind.filter(published_on__range=(start, end)))
        abolished = _ids(of_kind.filter(validity__in=TERMINAL_VALIDITIES, abolished_on__range=(start, end)))
        current = _ids(
            of_kind.filter(published_on__lte=end).filter(Q(abolished_on__isnull=True) | Q(abolished_on__gt=end))
        )
        result[kind.label] = {
            "本年制发": (len(issued), issued),
            "本年废止": (len(abolished), abolished),
            "现行有效": (len(current), current),
        }
    return result


def channel_counts(agency_ids: Sequence[int], year: int) -> dict[str, int]:
    """Items delivered on each channel in ``year`` (一（一）: 通过门户网站主动公开政府信息N条，通过微信公众号发布信息M条).

    {channel label: count}, in the codebook's channel order, channels with no delivery left out. An item counts once per
    channel, in the year its delivery on that channel happened (Asia/Shanghai), whatever happened to it later.
    """
    start, end = year_bounds(year)
    rows = (
        ChannelDelivery.objects.filter(
            publication__agency_id__in=list(agency_ids),
            status=DeliveryStatus.DELIVERED,
            delivered_at__gte=start,
            delivered_at__lt=end,
        )
        .values("channel")
        .annotate(n=Count("publication", distinct=True))
    )
    by_channel = {row["channel"]: row["n"] for row in rows}
    return {channel.label: by_channel[channel] for channel in Channel if by_channel.get(channel)}


def channel_delivered(agency_ids: Sequence[int], year: int, channel: Channel) -> QuerySet[Publication]:
    """The items behind one figure of ``channel_counts`` (drill-down)."""
    start, end = year_bounds(year)
    return (
        Publication.objects.filter(
            agency_id__in=list(agency_ids),
            deliveries__channel=channel,
            deliveries__status=DeliveryStatus.DELIVERED,
            deliveries__delivered_at__gte=start,
            deliveries__delivered_at__lt=end,
        )
        .distinct()
        .order_by("published_on", "pk")
    )


def published_in(agency_ids: Sequence[int], year: int) -> QuerySet[Publication]:
    """Items of the agencies published (发布日期) in ``year`` and not withdrawn, oldest first."""
    return (
        Publication.objects.filter(
            agency_id__in=list(agency_ids),
            status=Status.PUBLISHED,
            published_on__range=(dt.date(year, 1, 1), dt.date(year, 12, 31)),
        )
        .select_related("agency")
        .order_by("published_on", "pk")
    )


# --- 条例第二十六条 timeliness -----------------------------------------------------------------------------------------

DUE_SOON_WORKING_DAYS = 3  # "due soon": this many working days or fewer left of the 20


@dataclass(frozen=True)
class Timeliness:
    """The 条例第二十六条 lists of some agencies on ``today``.

    ``due_soon``: not yet published, the last day (``disclosure_due_on``) today or within the next
    ``DUE_SOON_WORKING_DAYS`` working days; ``overdue``: not yet published, the last day before today. Both oldest
    deadline first. ``on_time``/``late``: the items published (发布日期) in ``year`` (default: today's) within / after
    their 20 working days; ``late`` lists them."""

    today: dt.date
    year: int
    due_soon: list[Publication]
    overdue: list[Publication]
    on_time: int
    late: list[Publication]


def _unpublished(agency_ids: Sequence[int]) -> QuerySet[Publication]:
    # 主动公开 only: an item to be released on request or withheld has no 第二十六条 clock.
    return Publication.objects.filter(
        agency_id__in=list(agency_ids),
        status__in=UNPUBLISHED_STATUSES,
        disclosure_mode=DisclosureMode.PROACTIVE,
        disclosure_due_on__isnull=False,
    )


def timeliness(
    agency_ids: Sequence[int], today: dt.date, *, year: int | None = None, calendar: WorkCalendar | None = None
) -> Timeliness:
    """Queries over the indexed due column; nothing is stored as "overdue" (derived states are queries)."""
    calendar = calendar or current_calendar()
    horizon = calendar.add_working_days(today, DUE_SOON_WORKING_DAYS)
    base = _unpublished(agency_ids).select_related("agency").order_by("disclosure_due_on", "pk")
    year = year or today.year
    published = Publication.objects.filter(
        agency_id__in=list(agency_ids),
        status__in=(Status.PUBLISHED, Status.WITHDRAWN),
        published_on__range=(dt.date(year, 1, 1), dt.date(year, 12, 31)),
        disclosure_due_on__isnull=False,
    )
    return Timeliness(
        today=today,
        year=year,
        due_soon=list(base.filter(disclosure_due_on__gte=today, disclosure_due_on__lte=horizon)),
        overdue=list(base.filter(disclosure_due_on__lt=today)),
        on_time=published.filter(published_on__lte=F("disclosure_due_on")).count(),
        late=list(
            published.filter(published_on__gt=F("disclosure_due_on"))
            .select_related("agency")
            .order_by("published_on", "pk")
        ),
    )


def working_days_left(publication: Publication, today: dt.date, calendar: WorkCalendar | None = None) -> int | None:
    """Working days after ``today`` up to the 第二十六条 last day (0 on the last day, negative when overdue: the
    working days since); None when published or without a deadline."""
    due = publication.disclosure_due_on
    if due is None or publication.status not in UNPUBLISHED_STATUSES:
        return None
    calendar = calendar or current_calendar()
    if due >= today:
        return calendar.working_days_between(today, due)
    return -calendar.working_days_between(due, today)


def with_on_time(queryset: QuerySet[Publication]) -> QuerySet[Publication]:
    """Annotate ``on_time``: published within the 20 working days (None when unpublished or no deadline)."""
    return queryset.annotate(
        on_time=Case(
            When(published_on__isnull=True, then=Value(None)),
            When(disclosure_due_on__isnull=True, then=Value(None)),
            default=ExpressionWrapper(Q(published_on__lte=F("disclosure_due_on")), output_field=BooleanField()),
            output_field=BooleanField(null=True),
        )
    )


# --- Workflow and 保密审查 reads -------------------------------------------------------------------------------------


def workflow_queue(agency_ids: Sequence[int], status: Status) -> QuerySet[Publication]:
    """Items of the agencies in one workflow status (草稿, 保密审查, 审批 — the staff work lists), oldest deadline
    first, each annotated with ``open_findings`` and ``open_high``."""
    open_ = Q(findings__status=FindingStatus.OPEN)
    return (
        Publication.objects.filter(agency_id__in=list(agency_ids), status=status)
        .select_related("agency")
        .annotate(
            open_findings=Count("findings", filter=open_),
            open_high=Count("findings", filter=open_ & Q(findings__severity=Severity.HIGH)),
        )
        .order_by(F("disclosure_due_on").asc(nulls_last=True), "pk")
    )


def findings_of(publication: Publication) -> QuerySet[ScanFinding]:
    """The item's scan findings: body first, then by attachment, by position; open ones first within each."""
    return (
        ScanFinding.objects.filter(publication=publication)
        .select_related("attachment", "resolved_by")
        .order_by(F("attachment_id").asc(nulls_first=True), "start", "pk")
    )


def has_open_high(publication: Publication) -> bool:
    """Whether an open high-severity finding blocks approval and publication ("存在未处理的高风险项")."""
    return ScanFinding.objects.filter(
        publication=publication, status=FindingStatus.OPEN, severity=Severity.HIGH
    ).exists()


def opinions_of(publication: Publication) -> QuerySet[ReviewOpinion]:
    """Every 保密审查 and 审批 opinion of the item, in order."""
    return ReviewOpinion.objects.filter(publication=publication).select_related("actor").order_by("at", "pk")


def attachments_of(publication: Publication) -> QuerySet[PublicationAttachment]:
    return PublicationAttachment.objects.filter(publication=publication).order_by("pk")


def scheduled_due(now: dt.datetime) -> list[int]:
    """Ids of the items approved for a publication time that has come (the ``publish_scheduled`` job's work)."""
    return list(
        Publication.objects.filter(status=Status.APPROVAL, scheduled_for__lte=now)
        .order_by("scheduled_for", "pk")
        .values_list("pk", flat=True)
    )
