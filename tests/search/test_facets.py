"""Filters applied inside the index (SQLite: the filter tokens of the FTS5 ``facets`` column) are a pre-filter only:
a filtered search finds exactly what the catalogue says — also for an item whose agency changed or that was
withdrawn — by every path the backend may take. The contract parts run on either database."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from gongkai.agencies.models import Agency
from gongkai.publications import services as catalogue
from gongkai.publications.codebook import Category, Channel, DeliveryStatus, DocKind, Status, Validity
from gongkai.publications.models import Publication
from gongkai.search import backends
from gongkai.search.ddl import FTS_TABLE
from gongkai.search.selectors import search
from gongkai.search.services import index_enqueue
from tests.factories import make_agency
from tests.search.conftest import publish, refresh

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 facets column")


def ids(query: str, **filters: Any) -> list[int]:
    return [hit.publication_id for hit in search(query, **filters).hits]


def found(query: str, **filters: Any) -> set[int]:
    page = search(query, limit=1000, **filters)
    assert page.total == len(page.hits)
    return {hit.publication_id for hit in page.hits}


def truth(
    *,
    agency_ids: list[int] | None = None,
    year: int | None = None,
    category: str | None = None,
    validity: str | None = None,
) -> set[int]:
    """What the catalogue admits (every item of the world below holds the query text)."""
    rows = Publication.objects.filter(
        status=Status.PUBLISHED, deliveries__channel=Channel.PORTAL, deliveries__status=DeliveryStatus.DELIVERED
    )
    if agency_ids is not None:
        rows = rows.filter(agency_id__in=agency_ids)
    if year is not None:
        rows = rows.filter(published_on__year=year)
    if category:
        rows = rows.filter(category=category)
    if validity:
        rows = rows.filter(validity=validity)
    return set(rows.values_list("pk", flat=True))


def _move(publication: Publication, to: Agency) -> None:
    # No catalogue service moves an item to another agency yet; one that does must announce it like this.
    Publication.objects.filter(pk=publication.pk).update(agency=to, updated_at=timezone.now())
    index_enqueue([publication.pk], "test: agency changed")


@pytest.fixture
def third_agency(db: Any) -> Agency:
    return make_agency("湛河区教育局")


@pytest.fixture
def world(agency: Agency, other_agency: Agency, third_agency: Agency) -> dict[str, Publication]:
    made = {
        "a2024": publish(agency, "预算公开（一）", category=Category.ART20_7, on=dt.date(2024, 12, 31)),
        "a2025": publish(agency, "预算公开（二）", category=Category.ART20_7, on=dt.date(2025, 1, 1)),
        "a_rule": publish(agency, "预算管理办法", body="预算公开", doc_kind=DocKind.NORMATIVE, on=dt.date(2025, 2, 1)),
        "b_moved": publish(other_agency, "预算公开通知", body="关于预算公开", on=dt.date(2025, 2, 3)),
        "b_kept": publish(other_agency, "部门预算", body="预算公开", category=Category.ART20_7, on=dt.date(2025, 3, 1)),
        "b_gone": publish(other_agency, "预算公开（撤回）", on=dt.date(2025, 3, 2)),
        "b_late": publish(other_agency, "预算公开（待撤回）", on=dt.date(2025, 3, 3)),
        "c_own": publish(third_agency, "教育预算公开", on=dt.date(2024, 6, 1)),
    }
    refresh()
    catalogue.publication_set_validity(
        publication=made["a_rule"], actor=None, validity=Validity.ABOLISHED, on=dt.date(2025, 6, 1)
    )
    catalogue.publication_withdraw(publication=made["b_gone"], actor=None, reason="撤回", on=dt.date(2025, 3, 11))
    _move(made["b_moved"], third_agency)
    refresh()
    # withdrawn after the last outbox run: the index still holds it, with its filter tokens
    catalogue.publication_withdraw(publication=made["b_late"], actor=None, reason="撤回", on=dt.date(2025, 3, 12))
    return made


@pytest.fixture(params=["in the index", "catalogue: seek each item", "catalogue: match set"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every way a common query (more than RANKED_MATCHES matches) may be answered on SQLite: the filter tokens in
    the MATCH, or — past MAX_FACET_AGENCIES agencies — the catalogue's agency index with either way of asking FTS5."""
    monkeypatch.setattr(backends, "RANKED_MATCHES", 2)
    if request.param != "in the index":
        if connection.vendor != "sqlite":
            pytest.skip("SQLite's ways; PostgreSQL has one")
        monkeypatch.setattr(backends, "MAX_FACET_AGENCIES", 0)
        monkeypatch.setattr(backends, "_PROBE_RATIO", 10**9 if request.param.endswith("each item") else 0)
    return str(request.param)


def test_filtered_results_are_the_catalogues(
    world: dict[str, Publication], agency: Agency, other_agency: Agency, third_agency: Agency, path: str
) -> None:
    a, b, c = agency.pk, other_agency.pk, third_agency.pk
    cases: list[dict[str, Any]] = [
        {},
        {"agency_ids": [a]},
        {"agency_ids": [b]},
        {"agency_ids": [c]},
        {"agency_ids": [a, c]},
        {"agency_ids": [b, c, a]},
        {"year": 2024},
        {"year": 2025},
        {"year": 2023},
        {"category": Category.ART20_7},
        {"validity": Validity.ABOLISHED},
        {"validity": Validity.CURRENT},
        {"agency_ids": [a], "year": 2025, "category": Category.ART20_7},
        {"agency_ids": [b, c], "year": 2025},
    ]
    for filters in cases:
        assert found("预算公开", **filters) == truth(**filters), filters
    # the item that moved is found under its new agency only; the withdrawn ones under none
    assert world["b_moved"].pk in found("预算公开", agency_ids=[c])
    assert world["b_moved"].pk not in found("预算公开", agency_ids=[b])
    assert world["b_late"].pk not in found("预算公开", agency_ids=[b])
    assert world["b_gone"].pk not in found("预算公开")


def test_every_path_gives_the_same_pages(
    world: dict[str, Publication], agency: Agency, other_agency: Agency, third_agency: Agency, path: str
) -> None:
    """The order of a common query's page (title first, then newest) and its bounded total are those of the
    catalogue's path, page by page."""
    expected = {  # by hand, from the world: of the newest RANKED_MATCHES (2) matches, title matches first
        (other_agency.pk,): [world["b_kept"].pk],
        (agency.pk,): [world["a2025"].pk, world["a_rule"].pk],  # the older one holds the term in its title
        (agency.pk, third_agency.pk): [world["c_own"].pk, world["b_moved"].pk],
        (agency.pk, other_agency.pk, third_agency.pk): [world["c_own"].pk, world["b_kept"].pk],
    }
    for agencies, page in expected.items():
        result = search("预算公开", agency_ids=list(agencies), limit=1)
        following = search("预算公开", agency_ids=list(agencies), limit=1, offset=1)
        assert ids("预算公开", agency_ids=list(agencies), limit=2) == page, agencies
        assert [h.publication_id for h in [*result.hits, *following.hits]] == page, agencies
        assert result.total == len(page)
        assert result.total_is_lower_bound == (len(truth(agency_ids=list(agencies))) > 2)


def test_typed_words_never_meet_filter_tokens(
    agency: Agency, other_agency: Agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The filter tokens (ag<id>, y<year>, …) live beside the text; a word typed in the box is searched in the text
    only, with or without a filter."""
    word = f"ag{other_agency.pk}"
    mentions = publish(agency, "预算说明", body=f"见附表 {word} y1999")
    own = [publish(other_agency, "预算公开", body=f"编号 {word}") for _ in range(2)]
    silent = publish(other_agency, "预算公开（无编号）")
    refresh()
    for ranked in (1000, 1):  # all matches ranked, and the common-query path that uses the filter tokens
        monkeypatch.setattr(backends, "RANKED_MATCHES", ranked)
        assert found(word) == {mentions.pk, *(p.pk for p in own)}
        assert found(word, agency_ids=[other_agency.pk]) == {p.pk for p in own}
        assert found(word, agency_ids=[agency.pk]) == {mentions.pk}
        assert found("y2025") == set()
        assert found("y1999", year=2025) == {mentions.pk}
        assert found(f"ag{agency.pk}") == set()
        assert silent.pk in found("预算", agency_ids=[other_agency.pk])


def test_more_agencies_than_the_match_takes_fall_back_to_the_catalogue(
    agency: Agency, other_agency: Agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backends, "RANKED_MATCHES", 1)
    mine = [publish(agency, f"预算公开第{n}号") for n in range(2)]
    theirs = publish(other_agency, "预算公开")
    refresh()
    calls: list[int] = []
    original = backends.SqliteBackend._many_agencies

    def spy(self: backends.SqliteBackend, cursor: Any, table: str, agency_ids: Any, *args: Any) -> None:
        calls.append(len(agency_ids))
        original(self, cursor, table, agency_ids, *args)

    monkeypatch.setattr(backends.SqliteBackend, "_many_agencies", spy)
    unknown = list(range(10**6, 10**6 + backends.MAX_FACET_AGENCIES))  # a government's departments with no items
    at_cap = [agency.pk, *unknown[:-1]]
    past_cap = [agency.pk, other_agency.pk, *unknown]
    assert found("预算公开", agency_ids=at_cap) == {p.pk for p in mine}
    assert found("预算公开", agency_ids=past_cap) == {*(p.pk for p in mine), theirs.pk}
    if connection.vendor == "sqlite":
        assert calls == [len(past_cap)]


@sqlite_only
def test_index_rows_carry_the_filter_tokens(agency: Agency) -> None:
    rule = publish(agency, "行政执法公示办法", doc_kind=DocKind.NORMATIVE, on=dt.date(2025, 2, 1))
    post = publish(agency, "工作动态", on=dt.date(2024, 5, 6))
    refresh()
    catalogue.publication_set_validity(
        publication=rule, actor=None, validity=Validity.ABOLISHED, on=dt.date(2025, 6, 1)
    )
    refresh()  # the validity change announced itself to the outbox (publication_set_validity)
    assert _facets() == {
        rule.pk: f"ag{agency.pk} y2025 cart201 vabolished",
        post.pk: f"ag{agency.pk} y2024 cother",
    }


def _facets() -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid, facets FROM {FTS_TABLE}")
        return {int(pk): facets for pk, facets in cursor.fetchall()}


class _SchemaEditor:
    """What migration 0003's function uses of a schema editor (the real one cannot open inside a test's
    transaction on SQLite)."""

    connection = connection

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


@sqlite_only
def test_migration_fills_the_facets_of_an_existing_index(agency: Agency, other_agency: Agency) -> None:
    from django.apps import apps

    made = [
        publish(agency, "预算公开", on=dt.date(2024, 3, 1)),
        publish(other_agency, "预算公开", category=Category.ART20_7, on=dt.date(2025, 3, 1)),
    ]
    refresh()
    indexed = _facets()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid, title, body FROM {FTS_TABLE} ORDER BY rowid")
        text = cursor.fetchall()
        # an index from before 0003: no filter tokens; and one row whose publication is gone
        cursor.execute(f"UPDATE {FTS_TABLE} SET facets = ''")
        cursor.execute(f"INSERT INTO {FTS_TABLE} (rowid, title) VALUES (%s, %s)", [10**9, "预算"])
    migration = importlib.import_module("gongkai.search.migrations.0003_fts_facets")
    migration.add_facets(apps, _SchemaEditor())
    assert _facets() == {**indexed, 10**9: ""}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid, title, body FROM {FTS_TABLE} WHERE rowid < %s ORDER BY rowid", [10**9])
        assert cursor.fetchall() == text
    assert found("预算公开", agency_ids=[other_agency.pk], year=2025) == {made[1].pk}
