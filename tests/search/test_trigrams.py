"""SQLite's trigram table: queries of Han runs of 3+ characters are asked of it. It is contentless, so every change
must remove a row with exactly the values it was indexed with — checked here against FTS5's own view of the index
(fts5vocab 'instance': every token, row, column and position it holds)."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection

from gongkai.agencies.models import Agency
from gongkai.publications import services as catalogue
from gongkai.publications.models import Publication
from gongkai.search import documents
from gongkai.search.backends import get_backend
from gongkai.search.ddl import FTS3_TABLE, FTS_TABLE
from gongkai.search.selectors import search
from gongkai.search.services import index_enqueue, search_rebuild
from gongkai.search.tokenize import index_tokens, query_tokens, trigram_columns, trigram_query, trigram_text
from tests.search.conftest import publish, refresh
from tests.search.test_facets import _SchemaEditor

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 trigram table")


def test_trigram_text_from_bigram_tokens() -> None:
    tokens = index_tokens("关于政府信息公开的通知，的 ab12 法律援助 区局")
    assert trigram_text(tokens) == (
        "关于政 于政府 政府信 府信息 信息公 息公开 公开的 开的通 的通知 通知 法律援 律援助 援助"
    )  # runs under 3 characters give nothing; each run ends in its last bigram; words and the 文号 key are skipped
    assert trigram_text(index_tokens("湛司发〔2025〕12号", doc_number=True)) == "湛司发 司发"
    assert trigram_columns(["法律援助", None, "", "", "wh", "ag1"]) == ("", "", "", "", "ag1")


def test_trigram_queries() -> None:
    query = trigram_query(query_tokens("法律援助 信息公开"))
    assert query is not None
    assert [term.tokens for term in query.terms] == [("法律援", "律援助"), ("信息公", "息公开")]
    assert [term.text for term in query.terms] == ["法律援助", "信息公开"]
    # any term not a Han run of 3+ characters, or a 文号: the bigram table answers
    for text in ("法律", "法律援助 法", "2025年度报告", "法律援助 pdf", "湛司发〔2025〕12号", "法"):
        assert trigram_query(query_tokens(text)) is None, text


def _instances(table: str) -> Counter[tuple[str, int, str, int]]:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.v_{table} USING fts5vocab(main, {table}, 'instance')")
        cursor.execute(f"SELECT term, doc, col, offset FROM temp.v_{table}")
        return Counter((str(t), int(d), str(c), int(o)) for t, d, c, o in cursor.fetchall())


def _expected_trigrams() -> Counter[tuple[str, int, str, int]]:
    """The trigram index the bigram table's rows call for."""
    expected: Counter[tuple[str, int, str, int]] = Counter()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid, title, doc_number, body, attachments, wh_key, facets FROM {FTS_TABLE}")
        for row in cursor.fetchall():
            for column, text in zip(
                ("title", "doc_number", "body", "attachments", "facets"), trigram_columns(row[1:]), strict=True
            ):
                for offset, token in enumerate(text.split()):
                    expected[(token, int(row[0]), column, offset)] += 1
    return expected


def _assert_in_step() -> None:
    expected = _expected_trigrams()
    assert expected, "the check needs rows"
    assert _instances(FTS3_TABLE) == expected


def found(query: str) -> set[int]:
    return {hit.publication_id for hit in search(query, limit=100)}


@sqlite_only
def test_the_trigram_table_follows_every_change(agency: Agency, other_agency: Agency) -> None:
    first = publish(
        agency, "关于开展法律援助进社区的通知", body="法律援助进社区活动在各街道开展。", doc_number="湛司发〔2025〕3号"
    )
    second = publish(other_agency, "财政预算公开", body="预算公开表格", attachment="附表：部门预算收支总表")
    third = publish(agency, "公共法律服务", body="公共法律服务中心")
    refresh()
    _assert_in_step()
    assert found("法律援助进社区") == {first.pk}
    assert found("预算收支总表") == {second.pk}

    # the text changes (re-indexed through the outbox): the old trigrams leave, the new ones come
    Publication.objects.filter(pk=first.pk).update(body="人民调解工作会议纪要。", doc_number="湛司函〔2025〕4号")
    Publication.objects.filter(pk=second.pk).update(title="部门决算公开")
    model = documents.attachment_model()
    assert model is not None
    model._default_manager.filter(publication=second).update(extracted_text="附件已更换：人员名单")
    index_enqueue([first.pk, second.pk], "test: edited")
    refresh()
    _assert_in_step()
    assert found("进社区活动") == set()
    assert found("湛司发") == set()
    assert found("人民调解工作") == {first.pk}
    assert found("法律援助进社区") == {first.pk}  # still in the title
    assert found("预算收支总表") == set()
    assert found("财政预算") == set()
    assert found("人员名单") == {second.pk}

    # re-indexing in place (twice) leaves them in step; a withdrawal removes the row
    fields = documents.fields_for(list(Publication.objects.filter(pk__in=[first.pk, second.pk])))
    for _ in range(2):
        get_backend().index_many([(pk, fields[pk]) for pk in (first.pk, second.pk)])
        _assert_in_step()
    catalogue.publication_withdraw(publication=third, actor=None, reason="测试")
    index_enqueue([third.pk], "test: withdrawn")
    refresh()
    _assert_in_step()
    assert found("公共法律服务") == set()
    assert found("预算公开") == {second.pk}

    # deleting an id never indexed changes nothing; a rebuild leaves the tables in step
    get_backend().delete(10**9)
    _assert_in_step()
    search_rebuild()
    _assert_in_step()
    get_backend().clear()
    assert _instances(FTS3_TABLE) == Counter()
    assert found("预算公开") == set()


@sqlite_only
def test_the_migration_fills_the_trigram_table(agency: Agency) -> None:
    import importlib

    from django.apps import apps

    first = publish(agency, "关于开展法律援助进社区的通知", body="法律援助进社区活动。")
    second = publish(agency, "财政预算公开", body="预算公开表格")
    refresh()
    with connection.cursor() as cursor:  # an index from before 0004: no trigram table
        cursor.execute(f"DROP TABLE {FTS3_TABLE}")
    migration = importlib.import_module("gongkai.search.migrations.0004_fts_trigrams")
    migration.add_trigrams(apps, _SchemaEditor())
    _assert_in_step()
    assert found("法律援助进社区") == {first.pk}
    assert found("预算公开表") == {second.pk}
