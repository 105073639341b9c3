"""目录, 制度 and the category pages: only published items, filters, sorting, pagination, bounded queries."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongkai.agencies.models import Agency
from gongkai.publications.codebook import Category, DocKind, Status, Validity
from tests.factories import make_agency
from tests.portal.conftest import make_item

pytestmark = pytest.mark.django_db


def html(client: Client, url: str, **params: Any) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def titles(page: str) -> list[str]:
    return re.findall(r'<a href="/agencies/[^/]+/xxgk/\d+/">([^<]+)</a>', page)


def test_category_page_lists_only_that_categorys_published_items(client: Client, agency: Agency) -> None:
    make_item(agency, title="部门预算", category=Category.ART20_7)
    make_item(agency, title="部门决算", category=Category.ART20_7)
    make_item(agency, title="权责清单", category=Category.ART20_5)
    make_item(agency, title="预算草稿", category=Category.ART20_7, status=Status.DRAFT, published_on=None)
    make_item(agency, title="撤回的预算", category=Category.ART20_7, status=Status.WITHDRAWN)
    make_item(make_agency("湛河区财政局"), title="别家的预算", category=Category.ART20_7)

    page = html(client, reverse("portal:category", args=[agency.code, Category.ART20_7.value]))
    assert sorted(titles(page)) == ["部门决算", "部门预算"]
    assert "共 2 条" in page
    assert Category.ART20_7.label in page

    statutory = html(client, reverse("portal:statutory", args=[agency.code]))
    for category in Category:
        if category != Category.OTHER:
            assert category.label in statutory
    assert reverse("portal:category", args=[agency.code, Category.ART20_7.value]) in statutory
    assert reverse("portal:category", args=[agency.code, Category.ART20_14.value]) not in statutory  # none there

    assert client.get(reverse("portal:category", args=[agency.code, "art20_99"])).status_code == 404


def test_catalogue_filters_by_category_year_and_validity(client: Client, agency: Agency) -> None:
    make_item(agency, title="现行规范性文件", category=Category.ART20_1, doc_kind=DocKind.NORMATIVE,
              validity=Validity.CURRENT, published_on=dt.date(2024, 5, 1))  # fmt: skip
    make_item(agency, title="废止规范性文件", category=Category.ART20_1, doc_kind=DocKind.NORMATIVE,
              validity=Validity.ABOLISHED, published_on=dt.date(2025, 5, 1))  # fmt: skip
    make_item(agency, title="2025年预算", category=Category.ART20_7, published_on=dt.date(2025, 2, 1))
    url = reverse("portal:catalogue", args=[agency.code])

    assert len(titles(html(client, url))) == 3
    assert titles(html(client, url, category=Category.ART20_1.value)) == ["废止规范性文件", "现行规范性文件"]
    assert sorted(titles(html(client, url, year="2025"))) == ["2025年预算", "废止规范性文件"]
    assert titles(html(client, url, validity=Validity.CURRENT.value)) == ["现行规范性文件"]
    assert titles(html(client, url, category=Category.ART20_1.value, year="2024")) == ["现行规范性文件"]
    # nonsense is ignored, not an error
    assert len(titles(html(client, url, category="x", year="abc", validity="y", sort="z", page="99"))) == 3
    # digits to str.isdigit that int() refuses (the portal-search fuzz target found a 500 here)
    assert len(titles(html(client, url, year="²⁰²⁵", agency="①", page="²"))) == 3
    page = html(client, url)
    assert '<option value="2025">2025年</option>' in page
    assert '<option value="2024">2024年</option>' in page


def test_catalogue_sorts_by_date_and_index_number(client: Client, agency: Agency) -> None:
    make_item(agency, title="乙", index_number="X/2025-00002", published_on=dt.date(2025, 1, 5))
    make_item(agency, title="甲", index_number="X/2025-00003", published_on=dt.date(2025, 3, 5))
    make_item(agency, title="丙", index_number="X/2025-00001", published_on=dt.date(2025, 2, 5))
    url = reverse("portal:catalogue", args=[agency.code])
    assert titles(html(client, url)) == ["甲", "丙", "乙"]
    assert titles(html(client, url, sort="date_asc")) == ["乙", "丙", "甲"]
    assert titles(html(client, url, sort="index")) == ["丙", "乙", "甲"]
    assert titles(html(client, url, sort="index_desc")) == ["甲", "乙", "丙"]


def test_catalogue_paginates_20_a_page_with_the_total(client: Client, agency: Agency) -> None:
    for n in range(45):
        make_item(agency, title=f"信息{n:02d}", published_on=dt.date(2025, 1, 1) + dt.timedelta(days=n))
    url = reverse("portal:catalogue", args=[agency.code])
    first = html(client, url)
    assert "共 45 条，第 1/3 页" in first
    assert len(titles(first)) == 20
    assert titles(first)[0] == "信息44"
    third = html(client, url, page="3")
    assert len(titles(third)) == 5
    assert titles(third)[-1] == "信息00"
    # filters survive paging
    filtered = html(client, url, year="2025", page="2")
    assert "year=2025&amp;page=3" in filtered
    assert "year=2025&amp;page=1" in filtered


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_pages_run_a_fixed_number_of_queries(client: Client, government: Agency) -> None:
    departments = [make_agency(f"湛河区测试部门{n}", parent=government) for n in range(3)]
    make_item(government, category=Category.ART20_7, topic="政务公开制度")
    urls = [
        reverse("portal:catalogue", args=[government.code]),
        reverse("portal:category", args=[government.code, Category.ART20_7.value]),
        reverse("portal:rules", args=[government.code]),
        reverse("portal:statutory", args=[government.code]),
        reverse("portal:agency", args=[government.code]),
        reverse("portal:guide", args=[government.code]),
    ]
    few = {url: _queries(client, url) for url in urls}
    for n in range(30):
        make_item(departments[n % 3], category=Category.ART20_7, topic="政务公开制度")
    many = {url: _queries(client, url) for url in urls}
    assert many == few
    assert max(many.values()) <= 8, many


def test_rules_lists_the_items_whose_topic_is_a_rule(client: Client, agency: Agency) -> None:
    make_item(agency, title="政府信息公开保密审查制度", topic="政务公开制度")
    make_item(agency, title="部门预算", topic="财政预决算")
    assert titles(html(client, reverse("portal:rules", args=[agency.code]))) == ["政府信息公开保密审查制度"]


def test_a_governments_catalogue_spans_its_departments(client: Client, government: Agency) -> None:
    finance = make_agency("湛河区财政局", parent=government)
    justice = make_agency("湛河区司法局", parent=government)
    elsewhere = make_agency("新华区财政局")
    make_item(government, title="区政府工作报告")
    make_item(finance, title="财政预算")
    make_item(justice, title="法律援助指南")
    make_item(elsewhere, title="别区的预算")
    url = reverse("portal:catalogue", args=[government.code])
    page = html(client, url)
    assert sorted(titles(page)) == ["区政府工作报告", "法律援助指南", "财政预算"]
    assert f'<option value="{finance.pk}">湛河区财政局</option>' in page
    assert titles(html(client, url, agency=str(finance.pk))) == ["财政预算"]
    # an agency outside the government is not a filter value
    assert len(titles(html(client, url, agency=str(elsewhere.pk)))) == 3
    # the department's own 目录 holds only its items; its item is reachable from the government's column too
    assert titles(html(client, reverse("portal:catalogue", args=[finance.code]))) == ["财政预算"]


def test_xxgk_leads_to_the_column(client: Client, agency: Agency) -> None:
    response = client.get(reverse("portal:xxgk", args=[agency.code]))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:agency", args=[agency.code])
    page = html(client, reverse("portal:agency", args=[agency.code]))
    for name in ("guide", "rules", "statutory", "catalogue"):
        assert reverse(f"portal:{name}", args=[agency.code]) in page
    assert reverse("annual:list", args=[agency.code]) in page
    assert reverse("apply:form", args=[agency.code]) in page
    assert reverse("apply:track") in page
    assert reverse("tools:deadline") in page
