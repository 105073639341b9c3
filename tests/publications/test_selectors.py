"""表二 第二十条第（一）项 and the channel counts of 一（一）, hand-counted."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gongkai.agencies.models import Agency
from gongkai.publications import selectors, services
from gongkai.publications.codebook import Category, Channel, DocKind, Validity
from tests.factories import make_agency
from tests.publications.conftest import create, published

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()


def counts(agency: Agency, year: int) -> dict[str, tuple[int, int, int]]:
    table = selectors.table2_documents([agency.pk], year)
    return {kind: (cols["本年制发"][0], cols["本年废止"][0], cols["现行有效"][0]) for kind, cols in table.items()}


def test_published_2024_abolished_2025(agency: Agency) -> None:
    doc = published(agency, dt.date(2024, 6, 1))
    services.publication_set_validity(publication=doc, actor=None, validity=Validity.ABOLISHED, on=dt.date(2025, 7, 1))
    assert counts(agency, 2023) == {"规章": (0, 0, 0), "行政规范性文件": (0, 0, 0)}
    assert counts(agency, 2024) == {"规章": (0, 0, 0), "行政规范性文件": (1, 0, 1)}
    assert counts(agency, 2025) == {"规章": (0, 0, 0), "行政规范性文件": (0, 1, 0)}
    table = selectors.table2_documents([agency.pk], 2025)
    assert table["行政规范性文件"]["本年废止"] == (1, [doc.pk])


def test_year_boundaries_and_what_is_not_counted(agency: Agency) -> None:
    other = make_agency("湛河区财政局")
    last_day = published(agency, dt.date(2024, 12, 31), doc_kind=DocKind.RULE)
    first_day = published(agency, dt.date(2025, 1, 1))
    published(other, dt.date(2024, 5, 1))  # another agency
    create(agency, formed_on=dt.date(2024, 5, 1))  # a draft
    gone = published(agency, dt.date(2024, 5, 1))
    services.publication_withdraw(publication=gone, actor=None, reason="误发")  # withdrawn: counts nowhere
    published(agency, dt.date(2024, 5, 1), doc_kind=DocKind.OTHER, category=Category.ART20_7)  # not 表二（一）
    expired = published(agency, dt.date(2024, 2, 1))
    services.publication_set_validity(
        publication=expired, actor=None, validity=Validity.EXPIRED, on=dt.date(2024, 12, 31)
    )
    assert counts(agency, 2024) == {"规章": (1, 0, 1), "行政规范性文件": (1, 1, 0)}
    assert counts(agency, 2025) == {"规章": (0, 0, 1), "行政规范性文件": (1, 0, 1)}
    assert selectors.table2_documents([agency.pk], 2024)["规章"]["本年制发"] == (1, [last_day.pk])
    assert selectors.table2_documents([agency.pk], 2025)["行政规范性文件"]["现行有效"] == (1, [first_day.pk])
    both = selectors.table2_documents([agency.pk, other.pk], 2024)
    assert both["行政规范性文件"]["本年制发"][0] == 2


def test_amended_stays_current(agency: Agency) -> None:
    old = published(agency, dt.date(2024, 3, 1))
    new = published(agency, dt.date(2025, 3, 1))
    services.publication_set_validity(
        publication=old, actor=None, validity=Validity.AMENDED, on=dt.date(2025, 3, 1), replaced_by=new
    )
    assert counts(agency, 2025)["行政规范性文件"] == (1, 0, 2)


def test_cross_year_identity(agency: Agency) -> None:
    """R6: 现行有效(N) = 现行有效(N−1) + 本年制发(N) − 本年废止(N), for data built through the services."""
    plan = [
        (dt.date(2022, 5, 1), None),
        (dt.date(2023, 1, 1), (Validity.ABOLISHED, dt.date(2023, 12, 31))),
        (dt.date(2023, 7, 1), (Validity.EXPIRED, dt.date(2025, 1, 1))),
        (dt.date(2024, 1, 1), None),
        (dt.date(2024, 6, 30), (Validity.ABOLISHED, dt.date(2024, 6, 30))),
        (dt.date(2024, 12, 31), (Validity.ABOLISHED, dt.date(2026, 3, 1))),
        (dt.date(2025, 8, 8), None),
        (dt.date(2026, 2, 2), (Validity.EXPIRED, dt.date(2026, 11, 27))),
    ]
    for kind in (DocKind.RULE, DocKind.NORMATIVE):
        for on, change in plan:
            doc = published(agency, on, doc_kind=kind)
            if change:
                services.publication_set_validity(publication=doc, actor=None, validity=change[0], on=change[1])
    for kind in ("规章", "行政规范性文件"):
        previous = counts(agency, 2021)[kind][2]
        assert previous == 0
        for year in range(2022, 2027):
            issued, abolished, current = counts(agency, year)[kind]
            assert current == previous + issued - abolished, (kind, year)
            previous = current
    assert counts(agency, 2024)["规章"] == (3, 1, 4)
    assert counts(agency, 2026)["规章"] == (1, 2, 3)


def test_channel_counts(agency: Agency) -> None:
    other = make_agency("湛河区财政局")
    portal_only = published(agency, dt.date(2024, 1, 1))
    both = published(agency, dt.date(2024, 12, 31), doc_kind=DocKind.OTHER, category=Category.OTHER)
    services.channel_record_delivery(
        publication=both,
        channel=Channel.WECHAT,
        actor=None,
        delivered=True,
        at=dt.datetime(2024, 12, 31, 23, 59, tzinfo=TZ),
    )
    late = published(agency, dt.date(2024, 12, 31), doc_kind=DocKind.OTHER, category=Category.OTHER)
    services.channel_record_delivery(  # 公众号 the next morning: counted in 2025
        publication=late,
        channel=Channel.WECHAT,
        actor=None,
        delivered=True,
        at=dt.datetime(2025, 1, 1, 0, 0, tzinfo=TZ),
    )
    failed = published(agency, dt.date(2024, 5, 1), doc_kind=DocKind.OTHER, category=Category.OTHER)
    services.channel_record_delivery(publication=failed, channel=Channel.WECHAT, actor=None, delivered=False, error="x")
    pending = services.publication_publish(
        publication=create(agency, formed_on=dt.date(2024, 5, 1)),
        actor=None,
        on=dt.date(2024, 5, 2),
        channels=[Channel.GAZETTE],
    )
    published(other, dt.date(2024, 3, 1))
    assert selectors.channel_counts([agency.pk], 2024) == {"门户网站": 4, "政务新媒体/公众号": 1}
    assert selectors.channel_counts([agency.pk], 2025) == {"政务新媒体/公众号": 1}
    assert selectors.channel_counts([agency.pk, other.pk], 2024)["门户网站"] == 5
    assert selectors.channel_counts([agency.pk], 2023) == {}
    assert list(selectors.channel_delivered([agency.pk], 2024, Channel.WECHAT)) == [both]
    assert pending.pk not in {p.pk for p in selectors.channel_delivered([agency.pk], 2024, Channel.PORTAL)}
    assert portal_only in selectors.published_in([agency.pk], 2024)


def test_published_in(agency: Agency) -> None:
    a = published(agency, dt.date(2024, 1, 1))
    b = published(agency, dt.date(2024, 12, 31))
    published(agency, dt.date(2025, 1, 1))
    gone = published(agency, dt.date(2024, 6, 1))
    services.publication_withdraw(publication=gone, actor=None, reason="误发")
    assert list(selectors.published_in([agency.pk], 2024)) == [a, b]


def test_selectors_query_count(agency: Agency, django_assert_max_num_queries: Any) -> None:
    for day in range(1, 6):
        published(agency, dt.date(2024, 1, day))
    with django_assert_max_num_queries(6):
        selectors.table2_documents([agency.pk], 2024)
    with django_assert_max_num_queries(1):
        selectors.channel_counts([agency.pk], 2024)
