"""RSS 2.0 and Atom feeds of an agency's 主动公开 items, whole or by category — the newest 50 published items.

Django's syndication framework; it needs no INSTALLED_APPS entry (without django.contrib.sites it takes the host from
the request).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed

from gongkai.agencies.models import Agency
from gongkai.portal import selectors
from gongkai.publications.codebook import Category
from gongkai.publications.models import Publication

__all__ = ["AgencyAtomFeed", "AgencyRssFeed", "FeedSubject"]


@dataclass(frozen=True)
class FeedSubject:
    agency: Agency
    agency_ids: list[int]
    category: Category | None


if TYPE_CHECKING:
    _FeedBase = Feed[Publication, FeedSubject]
else:  # Feed is generic in django-stubs only; django_stubs_ext.monkeypatch is not installed in this project
    _FeedBase = Feed


class AgencyRssFeed(_FeedBase):
    feed_type: type[SyndicationFeed] = Rss201rev2Feed
    language = "zh-CN"

    def get_object(self, request: HttpRequest, code: str, category: str = "") -> FeedSubject:
        agency = selectors.public_agency(code)
        if category and category not in Category.values:
            raise Agency.DoesNotExist("没有该公开类别")  # the framework turns ObjectDoesNotExist into a 404
        return FeedSubject(
            agency=agency,
            agency_ids=[a.pk for a in selectors.catalogue_agencies(agency)],
            category=Category(category) if category else None,
        )

    def title(self, obj: FeedSubject) -> str:
        suffix = f" · {obj.category.label}" if obj.category else ""
        return f"{obj.agency.name} 政府信息公开{suffix}"

    def link(self, obj: FeedSubject) -> str:
        if obj.category:
            return reverse("portal:category", args=[obj.agency.code, obj.category.value])
        return reverse("portal:catalogue", args=[obj.agency.code])

    def description(self, obj: FeedSubject) -> str:
        return f"{obj.agency.name}主动公开的政府信息（最新{selectors.FEED_SIZE}条）"

    def items(self, obj: FeedSubject) -> list[Publication]:
        return selectors.feed_items(obj.agency_ids, obj.category.value if obj.category else "")

    def item_title(self, item: Publication) -> str:
        return item.title

    def item_description(self, item: Publication) -> str:
        parts = [f"索引号：{item.index_number}", f"发布机构：{item.issuing_body}"]
        if item.doc_number:
            parts.append(f"文号：{item.doc_number}")
        if item.summary:
            parts.append(item.summary)
        return "；".join(parts)

    def item_link(self, item: Publication) -> str:
        return reverse("portal:item", args=[item.agency.code, item.pk])

    def item_guid(self, item: Publication) -> str:
        return f"{item.agency.code}:{item.index_number}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Publication) -> dt.datetime:
        assert item.published_on is not None  # feed_items leaves undated items out
        return dt.datetime.combine(item.published_on, dt.time(), tzinfo=timezone.get_default_timezone())

    def item_updateddate(self, item: Publication) -> dt.datetime:
        return item.updated_at

    def item_categories(self, item: Publication) -> list[str]:
        return [item.get_category_display(), *([item.topic] if item.topic else [])]

    def item_author_name(self, item: Publication) -> str:
        return item.issuing_body


class AgencyAtomFeed(AgencyRssFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: FeedSubject) -> str:
        return self.description(obj)
