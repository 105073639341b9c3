"""Reads over the 主动公开 catalogue: 表二 第二十条第（一）项 of the annual report, the per-channel counts of 一（一）,
and the drill-down lists behind them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gongkai.publications.codebook import TERMINAL_VALIDITIES, Channel, DeliveryStatus, DocKind, Status
from gongkai.publications.models import ChannelDelivery, Publication

__all__ = [
    "TABLE2_COLUMNS",
    "TABLE2_KINDS",
    "channel_counts",
    "channel_delivered",
    "published_in",
    "table2_documents",
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
