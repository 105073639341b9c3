"""SQLite: a one-phrase query with few matches may be scored in Python from the stored tokens instead of by FTS5's
bm25 (when finding the phrase was costly). Both ways must give the same matches, order and scores."""

from __future__ import annotations

import pytest
from django.db import connection

from gongkai.agencies.models import Agency
from gongkai.search import backends
from gongkai.search.selectors import search
from tests.search.conftest import publish, refresh

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 backend's own scoring path"),
]


@pytest.fixture
def corpus(agency: Agency, other_agency: Agency) -> None:
    publish(agency, "关于法律援助进社区的通知", body="法律援助进社区活动。" * 3)
    publish(agency, "工作动态", body="本局开展法律援助进社区活动，" + "其他内容" * 40)
    publish(agency, "法律援助进社区法律援助进社区", body="")
    publish(other_agency, "财政预算", body="见附件", attachment="附表：法律援助进社区经费明细表")
    publish(other_agency, "哈哈哈哈", body="哈哈哈哈哈哈 法律 援助 进社区")  # split by spaces: not the phrase
    publish(agency, "无关", body="法律援助，进社区")  # split by a comma: not the phrase
    publish(agency, "2025年度报告", body="2025年")
    refresh()


def _pages(query: str, agency_ids: list[int] | None = None) -> list[list[tuple[int, float]]]:
    return [[(h.publication_id, h.score) for h in search(query, agency_ids=agency_ids, limit=100)]]


@pytest.mark.parametrize(("query", "expected"), [("法律援助进社区", 4), ("哈哈哈", 1), ("援助进", 4), ("2025年度", 1)])
def test_python_scores_equal_bm25(
    corpus: None, agency: Agency, monkeypatch: pytest.MonkeyPatch, query: str, expected: int
) -> None:
    monkeypatch.setattr(backends, "_READ_MS", 10**9)  # never: FTS5's bm25
    in_sql = _pages(query)
    in_sql_filtered = _pages(query, agency_ids=[agency.pk])
    monkeypatch.setattr(backends, "_READ_MS", 0)  # always: scored in Python
    in_python = _pages(query)
    in_python_filtered = _pages(query, agency_ids=[agency.pk])
    assert len(in_sql[0]) == expected
    for sql_page, python_page in ((in_sql, in_python), (in_sql_filtered, in_python_filtered)):
        assert [pk for pk, _ in python_page[0]] == [pk for pk, _ in sql_page[0]]
        assert [score for _, score in python_page[0]] == pytest.approx([score for _, score in sql_page[0]], rel=1e-9)
    assert search(query, limit=2).total == expected


def test_python_scoring_is_only_for_one_plain_phrase(corpus: None, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = backends.SqliteBackend._rank_phrase

    def spy(self: backends.SqliteBackend, *args: object, **kwargs: object) -> object:
        calls.append("python")
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(backends.SqliteBackend, "_rank_phrase", spy)
    monkeypatch.setattr(backends, "_READ_MS", 0)
    for query in ("法律", "法律援助 进社区", "援助进社", "湛政〔2025〕1号", "2025年"):
        assert search(query).total > 0 or query.startswith("湛政")
    # "法律" is one token, two terms are two phrases, a 文号 has its own token, "2025年" ends in a prefix token
    assert calls == ["python"]
