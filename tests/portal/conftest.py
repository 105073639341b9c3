"""Portal tests build their items straight on the model: the portal reads rows, whatever workflow wrote them — through
``save()`` (never ``QuerySet.update()``), which stamps ``updated_at`` as every service does: the page cache keys on it."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.core.cache import caches

from gongkai.agencies.models import Agency, Kind
from gongkai.publications.codebook import Category, Channel, DeliveryStatus, DocKind, Status
from gongkai.publications.models import ChannelDelivery, Publication
from tests.factories import make_agency

_seq = itertools.count(1)


def make_item(agency: Agency, *, on_portal: bool = True, **fields: Any) -> Publication:
    """An item; ``on_portal`` records its 门户网站 delivery as the publish service does."""
    n = next(_seq)
    published_on = fields.pop("published_on", dt.date(2025, 3, 1))
    year = fields.pop("year", published_on.year if published_on else 2025)
    values: dict[str, Any] = {
        "agency": agency,
        "year": year,
        "seq": n,
        "index_number": f"{agency.identifier}/{year}-{n:05d}",
        "title": f"测试信息{n}",
        "issuing_body": agency.name,
        "formed_on": published_on or dt.date(2025, 3, 1),
        "published_on": published_on,
        "category": Category.ART20_5,
        "doc_kind": DocKind.OTHER,
        "status": Status.PUBLISHED,
    }
    values.update(fields)
    item = Publication.objects.create(**values)
    if on_portal:
        ChannelDelivery.objects.create(publication=item, channel=Channel.PORTAL, status=DeliveryStatus.DELIVERED)
    return item


@pytest.fixture(autouse=True)
def _empty_page_cache() -> None:
    """The portal's page cache (``caches["default"]``, per process) starts empty: rolled-back tests may repeat a
    catalogue version (same pks; frozen clocks give the same ``updated_at``)."""
    caches["default"].clear()


@pytest.fixture
def agency(db: Any) -> Agency:
    return make_agency(
        "湛河区司法局",
        code="zhanhe-sfj",
        office_name="湛河区司法局办公室",
        office_address="平顶山市湛河区开源路12号",
        office_postcode="467000",
        office_hours="工作日 8:30—12:00，14:30—17:30",
        office_phone="0375-8166000",
        office_fax="0375-8166001",
        office_email="sfj@zhanhe.example.cn",
    )


@pytest.fixture
def government(db: Any) -> Agency:
    return make_agency("湛河区人民政府", code="zhanhe-gov", kind=Kind.GOVERNMENT)
