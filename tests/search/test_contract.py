"""The backend contract, run on whichever database the suite runs on (CI runs it on SQLite and on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.db import connection

from gongkai.agencies.models import Agency
from gongkai.publications import services as catalogue
from gongkai.publications.codebook import Category, DocKind, Validity
from gongkai.publications.models import Publication
from gongkai.search.backends import get_backend
from gongkai.search.selectors import search
from gongkai.search.services import index_enqueue, search_rebuild
from tests.search.conftest import publish, refresh

pytestmark = pytest.mark.django_db

WORDS = [
    "政府",
    "信息",
    "公开",
    "工作",
    "年度",
    "报告",
    "通知",
    "关于",
    "印发",
    "实施",
    "办法",
    "行政",
    "执法",
    "公示",
    "制度",
    "规范性",
    "文件",
    "管理",
    "规定",
    "财政",
    "预算",
    "决算",
    "社会",
    "保障",
    "就业",
    "医疗",
    "教育",
    "扶贫",
    "应急",
    "预案",
    "环境",
    "保护",
    "安全",
    "生产",
    "食品",
    "药品",
    "监督",
    "检查",
    "项目",
    "采购",
    "建设",
    "批准",
    "公务员",
    "招考",
    "职位",
    "名额",
    "条件",
    "录用",
    "结果",
    "收费",
    "标准",
    "依据",
    "程序",
    "许可",
    "处罚",
    "强制",
    "决定",
    "统计",
    "规划",
    "区域",
    "发展",
    "国民",
    "经济",
    "机关",
    "职能",
    "机构",
    "设置",
    "地址",
    "时间",
    "联系",
    "方式",
    "负责人",
    "姓名",
    "湛河",
    "平顶山",
    "河南",
    "司法",
    "局",
    "区",
    "人民",
    "法律",
    "援助",
    "调解",
    "宣传",
    "的",
    "和",
    "在",
    "对",
    "了",
    "有",
    "为",
    "是",
    "按照",
    "根据",
    "进一步",
    "加强",
    "做好",
    "推进",
    "全面",
    "落实",
    "要求",
    "单位",
    "部门",
    "各",
    "乡",
    "镇",
    "街道",
    "办事处",
]


def ids(page: Any) -> list[int]:
    return [hit.publication_id for hit in page.hits]


def found(query: str, **filters: Any) -> set[int]:
    page = search(query, limit=1000, **filters)
    assert page.total == len(page.hits)
    return set(ids(page))


def text_of(p: Publication, attachments: dict[int, str]) -> str:
    # the fields the index holds, each on its own line so that no substring spans two of them
    return "\n".join([p.title, p.doc_number, p.summary, p.body, attachments.get(p.pk, "")])


def test_recall_and_precision_against_substring_ground_truth(agency: Agency) -> None:
    """Over a generated corpus, every Han query of 1–4 characters finds exactly the items that contain it."""
    rng = random.Random(20250310)
    attachments: dict[int, str] = {}
    corpus: list[Publication] = []
    for n in range(200):
        title = "关于印发" + "".join(rng.choices(WORDS, k=rng.randint(2, 5))) + "的通知"
        body = "，".join("".join(rng.choices(WORDS, k=rng.randint(3, 9))) for _ in range(rng.randint(2, 12))) + "。"
        attachment = "".join(rng.choices(WORDS, k=rng.randint(5, 30))) if n % 7 == 0 else ""
        p = publish(agency, title, body=body, summary=f"第{n}号样本", attachment=attachment)
        if attachment:
            attachments[p.pk] = attachment
        corpus.append(p)
    refresh()
    texts = {p.pk: text_of(p, attachments) for p in corpus}

    queries = {"公开", "政府", "信息公开", "政府信息公开", "行政执法公示", "的", "公", "湛", "预算决算", "社会保障"}
    # random substrings of the text itself, 1–4 characters, including ones that cross word boundaries
    for _ in range(60):
        text = rng.choice(corpus).body
        length = rng.randint(1, 4)
        start = rng.randrange(0, max(1, len(text) - length))
        piece = text[start : start + length]
        if piece and all("\u4e00" <= ch <= "\u9fff" for ch in piece):
            queries.add(piece)
    # characters that occur, but never next to each other in this order
    queries |= {"公政", "开信息", "预算招考", "的的的"}
    for query in sorted(queries):
        truth = {pk for pk, text in texts.items() if query in text}
        assert found(query) == truth, query


def test_phrase_needs_the_characters_together(agency: Agency) -> None:
    together = publish(agency, "政府信息公开工作年度报告")
    apart = publish(agency, "信息化建设", body="政府部门做好公开工作，信息报送")
    refresh()
    assert found("信息公开") == {together.pk}
    assert found("政府信息公开") == {together.pk}
    assert found("公开工作") == {together.pk, apart.pk}
    # whitespace separates terms, which may occur apart
    assert found("政府 信息") == {together.pk, apart.pk}
    assert found("信息公开 报送") == set()


def test_one_character_queries(agency: Agency) -> None:
    inside = publish(agency, "关于加强法律援助工作的通知")
    last = publish(agency, "湛河区司法局", body="联系电话")
    alone = publish(agency, "2025年 局 工作要点")
    refresh()
    assert found("援") == {inside.pk}
    assert found("局") == {last.pk, alone.pk}  # the last character of a run and a run of one
    assert found("话") == {last.pk}
    assert found("年") == {alone.pk}
    assert found("2025年") == {alone.pk}


def test_latin_and_digits_are_whole_words_case_folded(agency: Agency) -> None:
    p = publish(agency, "关于 ABC 系统的说明", body="版本 V2 发布于２０２５年")
    refresh()
    assert found("abc") == {p.pk}
    assert found("ａｂｃ") == {p.pk}  # full-width
    assert found("2025") == {p.pk}
    assert found("20") == set()


def test_doc_number_ranks_first_in_any_spelling(agency: Agency) -> None:
    target = publish(
        agency, "湛河区行政执法公示办法", doc_number="湛政〔2025〕12号", doc_kind=DocKind.NORMATIVE, body="全文"
    )
    # mentions the same 文号 many times, and a similar one
    publish(agency, "《湛河区行政执法公示办法》政策解读", body="湛政〔2025〕12号" * 5 + "湛政〔2025〕123号")
    publish(agency, "另一个文件", doc_number="湛政〔2025〕123号")
    publish(agency, "无关文件", doc_number="湛财〔2025〕12号")
    refresh()
    for spelling in (
        "湛政〔2025〕12号",
        "湛政[2025]12号",
        "湛政（2025）12号",
        "湛政〔2025〕第12号",
        "湛政 [2025] 12 号",
    ):
        page = search(spelling)
        assert page.hits, spelling
        assert page.hits[0].publication_id == target.pk, spelling
    page = search("湛政〔2025〕12号")
    assert page.total == 2  # the document and the 解读 that cites it; not 123号, not 湛财
    assert "<mark>" in page.hits[1].snippet_html


def test_phrase_found_only_inside_an_attachment(agency: Agency) -> None:
    p = publish(agency, "2025年部门预算公开", body="见附件", attachment="附表：一般公共预算财政拨款支出决算明细表")
    publish(agency, "财政拨款", body="支出决算")
    refresh()
    page = search("拨款支出决算")
    assert ids(page) == [p.pk]
    assert "拨款支出决算</mark>" in page.hits[0].snippet_html


def test_title_weighs_more_than_body(agency: Agency) -> None:
    in_body = publish(agency, "工作动态", body="本局开展法律援助进社区活动，" + "其他内容" * 30)
    in_title = publish(agency, "法律援助进社区", body="其他内容" * 30)
    refresh()
    assert ids(search("法律援助")) == [in_title.pk, in_body.pk]


def test_filters(agency: Agency, other_agency: Agency) -> None:
    a2024 = publish(agency, "法律援助公告", category=Category.ART20_5, on=dt.date(2024, 12, 31))
    a2025 = publish(agency, "法律援助公告（二）", category=Category.ART20_5, on=dt.date(2025, 1, 1))
    normative = publish(agency, "法律援助实施办法", doc_kind=DocKind.NORMATIVE, on=dt.date(2025, 2, 1))
    other = publish(other_agency, "法律援助经费公告", category=Category.ART20_7, on=dt.date(2025, 3, 1))
    catalogue.publication_set_validity(
        publication=normative, actor=None, validity=Validity.ABOLISHED, on=dt.date(2025, 6, 1)
    )
    index_enqueue([normative.pk], "validity")
    refresh()
    assert found("法律援助") == {a2024.pk, a2025.pk, normative.pk, other.pk}
    assert found("法律援助", agency_ids=[agency.pk]) == {a2024.pk, a2025.pk, normative.pk}
    assert found("法律援助", agency_ids=[agency.pk, other_agency.pk]) == {a2024.pk, a2025.pk, normative.pk, other.pk}
    assert found("法律援助", agency_ids=[]) == set()
    assert found("法律援助", category=Category.ART20_5) == {a2024.pk, a2025.pk}
    assert found("法律援助", year=2024) == {a2024.pk}
    assert found("法律援助", year=2025) == {a2025.pk, normative.pk, other.pk}
    assert found("法律援助", validity=Validity.ABOLISHED) == {normative.pk}
    assert found("法律援助", validity=Validity.CURRENT) == set()
    assert found("法律援助", agency_ids=[agency.pk], year=2025, category=Category.ART20_5) == {a2025.pk}


def test_pagination_and_total(agency: Agency) -> None:
    made = [publish(agency, f"预算公开第{n}批") for n in range(5)]
    refresh()
    first, second, past = search("预算", limit=2), search("预算", limit=2, offset=4), search("预算", limit=2, offset=9)
    assert (first.total, second.total, past.total) == (5, 5, 5)
    assert len(first.hits) == 2
    assert len(second.hits) == 1
    assert past.hits == []
    assert set(ids(search("预算", limit=10))) == {p.pk for p in made}


def test_snippets_and_titles_are_escaped_with_marks(agency: Agency) -> None:
    body = "前文" * 60 + "<script>alert(1)</script>在政府信息公开工作中" + "后文" * 60
    publish(agency, "<b>政府信息公开</b> & 规定", body=body)
    refresh()
    hit = search("信息公开").hits[0]
    assert hit.title_html == "&lt;b&gt;政府<mark>信息公开</mark>&lt;/b&gt; &amp; 规定"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;在政府<mark>信息公开</mark>工作中" in hit.snippet_html
    assert "<script>" not in hit.snippet_html
    assert hit.snippet_html.startswith("…")
    assert hit.snippet_html.endswith("…")
    assert len(hit.snippet_html) < 200  # about 80 characters of context, not the whole body


def test_empty_and_punctuation_queries_find_nothing(agency: Agency) -> None:
    publish(agency, "政府信息公开")
    refresh()
    for query in ("", "   ", "《》，。", "、"):
        page = search(query)
        assert (page.total, page.hits) == (0, [])


def test_withdrawn_items_vanish(agency: Agency) -> None:
    p = publish(agency, "政府信息公开指南")
    refresh()
    assert found("公开指南") == {p.pk}
    catalogue.publication_withdraw(publication=p, actor=None, reason="内容有误", on=dt.date(2025, 3, 11))
    # filtered at query time even before the outbox runs …
    assert found("公开指南") == set()
    index_enqueue([p.pk], "withdrawn")
    refresh()
    # … and gone from the index once it has
    assert p.pk not in get_backend().indexed_ids()


def test_unpublished_items_are_not_indexed(agency: Agency) -> None:
    draft = catalogue.publication_create(
        agency=agency,
        actor=None,
        data={"title": "草稿信息公开", "category": Category.OTHER, "formed_on": dt.date(2025, 1, 2)},
    )
    index_enqueue([draft.pk], "created")
    refresh()
    assert found("草稿") == set()
    assert draft.pk not in get_backend().indexed_ids()


def test_rebuild_equals_incremental(agency: Agency, other_agency: Agency) -> None:
    made = [publish(agency, f"关于印发第{n}号财政预算公开的通知", body="公开" * n) for n in range(6)]
    made.append(publish(other_agency, "预算", doc_number="湛财〔2025〕3号", attachment="附件中的预算表"))
    catalogue.publication_withdraw(publication=made[0], actor=None, reason="撤回", on=dt.date(2025, 3, 11))
    index_enqueue([made[0].pk], "withdrawn")
    refresh()
    queries = ("预算", "财政预算公开", "公开", "湛财〔2025〕3号", "预算表", "预")

    def results() -> dict[str, list[tuple[int, float, str, str]]]:
        return {
            q: [(h.publication_id, round(h.score, 6), h.title_html, h.snippet_html) for h in search(q).hits]
            for q in queries
        }

    incremental, indexed = results(), get_backend().indexed_ids()
    assert search_rebuild() == 6
    assert results() == incremental
    assert get_backend().indexed_ids() == indexed == {p.pk for p in made[1:]}


def test_backend_matches_the_database(db: Any) -> None:
    assert get_backend().vendor == connection.vendor


def test_common_queries_page_the_newest_matches_and_bound_the_total(
    agency: Agency, other_agency: Agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past RANKED_MATCHES matches the total is a lower bound and the page comes from the newest matches, title
    matches first — still only true matches, and asking for enough returns every one (the speed rule)."""
    from gongkai.search import backends

    monkeypatch.setattr(backends, "RANKED_MATCHES", 3)
    in_body = [publish(agency, f"通知第{n}号", body="关于预算公开的说明") for n in range(4)]
    in_title = publish(agency, "预算公开目录")
    other_title = publish(other_agency, "财政预算公开", body="")
    publish(agency, "无关的通知", body="财政决算")
    refresh()
    page = search("预算公开", limit=2)
    assert (page.total, page.total_is_lower_bound, page.total_display) == (3, True, "3+")
    # of the 3 newest matches, the title matches first (newest first), then the body match
    assert ids(page) + ids(search("预算公开", limit=1, offset=2)) == [other_title.pk, in_title.pk, in_body[-1].pk]
    assert set(ids(search("预算公开", limit=100))) == {*(p.pk for p in in_body), in_title.pk, other_title.pk}
    narrow = search("预算公开", agency_ids=[agency.pk], limit=100)
    assert set(ids(narrow)) == {*(p.pk for p in in_body), in_title.pk}
    assert search("决算").total_is_lower_bound is False


@pytest.mark.parametrize(("max_facet_agencies", "probe_ratio"), [(200, 0), (0, 0), (0, 10**9)])
def test_common_queries_with_an_agency_filter_either_way(
    agency: Agency, other_agency: Agency, monkeypatch: pytest.MonkeyPatch, max_facet_agencies: int, probe_ratio: int
) -> None:
    """SQLite answers a common query with an agency filter inside the MATCH (the agencies' filter tokens) or, past
    MAX_FACET_AGENCIES agencies, by asking FTS5 about each of the agencies' items or by collecting the match set,
    whichever is cheaper: all give the same true matches, newest first, title first."""
    from gongkai.search import backends

    monkeypatch.setattr(backends, "RANKED_MATCHES", 2)
    monkeypatch.setattr(backends, "MAX_FACET_AGENCIES", max_facet_agencies)
    monkeypatch.setattr(backends, "_PROBE_RATIO", probe_ratio)
    mine = [publish(agency, f"通知第{n}号", body="关于预算公开的说明") for n in range(3)]
    titled = publish(agency, "预算公开目录")
    publish(agency, "预算 公开 分开写", body="预公 算开")
    publish(other_agency, "财政预算公开", body="预算公开")
    refresh()
    page = search("预算公开", agency_ids=[agency.pk], limit=2)
    assert (page.total, page.total_is_lower_bound) == (2, True)
    assert ids(page) == [titled.pk, mine[-1].pk]
    assert set(ids(search("预算公开", agency_ids=[agency.pk], limit=100))) == {*(p.pk for p in mine), titled.pk}
    assert set(ids(search("预算公开", agency_ids=[agency.pk, other_agency.pk], limit=100))) == {
        *(p.pk for p in mine),
        titled.pk,
        *(p.pk for p in Publication.objects.filter(agency=other_agency)),
    }
