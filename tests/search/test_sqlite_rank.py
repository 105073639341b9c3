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
    # a 文号: its exact token (any bracket spelling) OR its phrase; "第1号" has the token but not the phrase
    publish(agency, "关于印发工作要点的通知", doc_number="湛政〔2025〕1号", body="湛政〔2025〕1号文件")
    publish(other_agency, "转发通知", body="根据湛政〔2025〕1号，湛政〔2025〕1号文件要求")
    publish(agency, "另一通知", doc_number="湛政[2025]第1号")
    publish(agency, "年度年份", body="2025年份 2025年底")
    refresh()


def _pages(query: str, agency_ids: list[int] | None = None) -> list[list[tuple[int, float]]]:
    return [[(h.publication_id, h.score) for h in search(query, agency_ids=agency_ids, limit=100)]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("法律援助进社区", 4),
        ("哈哈哈", 1),
        ("援助进", 4),
        ("2025年度", 1),
        ("2025年", 2),  # a prefix token: 年, 年度, 年份, 年底
        ("法律", 6),
        ("湛政〔2025〕1号", 3),
        ("湛政(2025)第1号", 2),  # both 文号 spellings share the exact token; the phrase (with 第) only one
    ],
)
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
    if "湛政" in query:  # the exact 文号 first, both ways
        assert search(query, limit=1).hits[0].publication.doc_number.replace("第", "") in (
            "湛政〔2025〕1号",
            "湛政[2025]1号",
        )


def test_python_scoring_is_for_one_term_or_a_doc_number(corpus: None, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = backends.SqliteBackend._rank_phrase

    def spy(self: backends.SqliteBackend, *args: object, **kwargs: object) -> object:
        calls.append("python")
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(backends.SqliteBackend, "_rank_phrase", spy)
    monkeypatch.setattr(backends, "_READ_MS", 0)
    # an AND of terms: a term's own matches reach beyond the query's, so its row count is not in the probe
    assert search("法律援助 进社区").total == 5
    assert calls == []
    for query in ("法律", "援助进社", "湛政〔2025〕1号", "2025年"):
        assert search(query).total > 0
    assert calls == ["python"] * 4
