"""Reads of the public portal: only active agencies, only items the public may see.

Public means 已发布 for lists and feeds; an item page also answers for 已撤回 (条例 requires nothing of a withdrawn item,
but its 索引号 stays and the page says it was withdrawn). Drafts and items under review never leave this module.

The portal is one channel among others (条例第二十三条): an item is on it when its 门户网站 delivery is recorded as
delivered (``publications.services`` does that when it publishes). An item sent only to the 公众号 is public there, not
here — the 目录 then matches 一（一） of the annual report (通过门户网站主动公开政府信息N条).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Count, Exists, Model, OuterRef, QuerySet
from django.db.models.functions import ExtractYear
from django.http import Http404

from gongkai.agencies.models import Agency, Kind
from gongkai.core.validators import ascii_digits
from gongkai.publications.codebook import Category, Channel, DeliveryStatus, Status, Validity
from gongkai.publications.models import ChannelDelivery, Publication

__all__ = [
    "PAGE_SIZE",
    "RULES_TOPIC",
    "SORTS",
    "CatalogueFilters",
    "attachment_model",
    "catalogue",
    "catalogue_agencies",
    "catalogue_years",
    "categories_in_use",
    "channels_in_use",
    "feed_items",
    "is_public",
    "item_attachments",
    "linked_public",
    "public_agency",
    "public_attachment",
    "public_item",
    "published_items",
]

PAGE_SIZE = 20
# 制度: the agency's own rules on 政务公开 are the items whose 主题分类 names a 制度 ("政务公开制度", "制度" …).
RULES_TOPIC = "制度"
FEED_SIZE = 50

# 目录 sort keys → ORDER BY; the pk breaks ties so that pages never overlap.
SORTS: dict[str, tuple[str, ...]] = {
    "date": ("-published_on", "-pk"),
    "date_asc": ("published_on", "pk"),
    "index": ("index_number", "pk"),
    "index_desc": ("-index_number", "-pk"),
}
SORT_LABELS: dict[str, str] = {
    "date": "发布日期（新→旧）",
    "date_asc": "发布日期（旧→新）",
    "index": "索引号（小→大）",
    "index_desc": "索引号（大→小）",
}
PUBLIC_STATUSES = (Status.PUBLISHED, Status.WITHDRAWN)


def public_agency(code: str) -> Agency:
    agency = Agency.objects.filter(code=code, is_active=True).select_related("parent").first()
    if agency is None:
        raise Http404("未找到该机关")
    return agency


def catalogue_agencies(agency: Agency) -> list[Agency]:
    """Whose items the agency's 目录 lists: its own, and for a 人民政府 also those of its active departments."""
    if agency.kind != Kind.GOVERNMENT:
        return [agency]
    departments = list(
        Agency.objects.filter(parent=agency, is_active=True).exclude(kind=Kind.GOVERNMENT).order_by("kind", "name")
    )
    return [agency, *departments]


def _on_portal() -> Exists:
    return Exists(
        ChannelDelivery.objects.filter(
            publication=OuterRef("pk"), channel=Channel.PORTAL, status=DeliveryStatus.DELIVERED
        )
    )


def published_items(agency_ids: list[int]) -> QuerySet[Publication]:
    return Publication.objects.filter(_on_portal(), agency_id__in=agency_ids, status=Status.PUBLISHED)


@dataclass(frozen=True)
class CatalogueFilters:
    category: str = ""
    year: int | None = None
    validity: str = ""
    agency_id: int | None = None
    topic_contains: str = ""
    sort: str = "date"

    @classmethod
    def from_query(cls, query: Any, *, allowed_agency_ids: list[int]) -> CatalogueFilters:
        """From GET parameters; anything not understood is ignored rather than an error (links get mangled)."""
        category = query.get("category", "")
        validity = query.get("validity", "")
        sort = query.get("sort", "date")
        year_text = query.get("year", "")
        agency_text = query.get("agency", "")
        year = int(year_text) if ascii_digits(year_text) and 1900 < int(year_text) < 3000 else None
        agency_id = int(agency_text) if ascii_digits(agency_text) and int(agency_text) in allowed_agency_ids else None
        return cls(
            category=category if category in Category.values else "",
            year=year,
            validity=validity if validity in Validity.values else "",
            agency_id=agency_id,
            sort=sort if sort in SORTS else "date",
        )


def catalogue(agency_ids: list[int], filters: CatalogueFilters) -> QuerySet[Publication]:
    """The 目录 (条例第十二条: 索引、名称、内容概述、生成日期), filtered and ordered; the agency comes along in the
    same query (a government's 目录 names each item's department)."""
    items = published_items([filters.agency_id] if filters.agency_id else agency_ids)
    if filters.category:
        items = items.filter(category=filters.category)
    if filters.year:
        items = items.filter(published_on__range=(dt.date(filters.year, 1, 1), dt.date(filters.year, 12, 31)))
    if filters.validity:
        items = items.filter(validity=filters.validity)
    if filters.topic_contains:
        items = items.filter(topic__contains=filters.topic_contains)
    return items.select_related("agency").order_by(*SORTS[filters.sort])


def catalogue_years(agency_ids: list[int]) -> list[int]:
    rows = (
        published_items(agency_ids)
        .exclude(published_on__isnull=True)
        .annotate(y=ExtractYear("published_on"))
        .values_list("y", flat=True)
        .order_by()  # without this, Meta.ordering joins the DISTINCT and every item comes back
        .distinct()
    )
    return sorted({int(year) for year in rows}, reverse=True)


def categories_in_use(agency_ids: list[int]) -> list[tuple[Category, int]]:
    """The categories the agencies publish under, in the codebook's order (第二十条（一）…（十五）, 第二十一条, 其他)."""
    counts = dict(published_items(agency_ids).values("category").annotate(n=Count("pk")).values_list("category", "n"))
    return [(category, counts[category]) for category in Category if counts.get(category)]


def channels_in_use(agency_ids: list[int]) -> list[Channel]:
    """The channels the agencies' items actually went out on (always the portal: this site is one)."""
    used = set(
        Publication.objects.filter(agency_id__in=agency_ids, deliveries__status=DeliveryStatus.DELIVERED).values_list(
            "deliveries__channel", flat=True
        )
    )
    used.add(Channel.PORTAL)
    return [channel for channel in Channel if channel in used and channel != Channel.OTHER]


def public_item(agency_ids: list[int], pk: int) -> Publication:
    """One item as the portal shows it; the same 404 for a draft, a missing item and another agency's item."""
    item = (
        Publication.objects.filter(_on_portal(), pk=pk, agency_id__in=agency_ids, status__in=PUBLIC_STATUSES)
        .select_related("agency", "replaced_by", "interprets")
        .first()
    )
    if item is None:
        raise Http404("未找到该信息")
    return item


def linked_public(items: QuerySet[Publication]) -> list[Publication]:
    return list(
        items.filter(_on_portal(), status=Status.PUBLISHED).select_related("agency").order_by("published_on", "pk")
    )


def is_public(item: Publication | None) -> bool:
    """Whether a linked item (解读, replacing document) may be linked to from the portal."""
    if item is None or item.status != Status.PUBLISHED:
        return False
    return ChannelDelivery.objects.filter(
        publication=item, channel=Channel.PORTAL, status=DeliveryStatus.DELIVERED
    ).exists()


def feed_items(agency_ids: list[int], category: str = "") -> list[Publication]:
    """The newest 50 published items, for RSS/Atom."""
    items = published_items(agency_ids).exclude(published_on__isnull=True)
    if category:
        items = items.filter(category=category)
    return list(items.select_related("agency").order_by("-published_on", "-pk")[:FEED_SIZE])


ATTACHMENT_MODELS = ("PublicationAttachment", "Attachment")


def attachment_model() -> type[Model] | None:
    """The publications app's attachment model once it exists (the workflow change adds it), else None."""
    config = apps.get_app_config("publications")
    for name in ATTACHMENT_MODELS:
        try:
            return config.get_model(name)
        except LookupError:
            continue
    return None


def item_attachments(item: Publication) -> list[Any]:
    model = attachment_model()
    if model is None or item.status != Status.PUBLISHED:
        return []
    return list(model._default_manager.filter(publication=item).order_by("pk"))


def public_attachment(item: Publication, attachment_id: int) -> Any:
    model = attachment_model()
    if model is None or item.status != Status.PUBLISHED:
        raise Http404("未找到该附件")
    attachment = model._default_manager.filter(pk=attachment_id, publication=item).first()
    if attachment is None:
        raise Http404("未找到该附件")
    return attachment
