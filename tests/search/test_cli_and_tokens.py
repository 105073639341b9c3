"""The ``gongkai search`` command, the token scheme, long texts, and snippets."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongkai.agencies.models import Agency
from gongkai.search.backends import chunks
from gongkai.search.highlight import patterns_for, snippet
from gongkai.search.selectors import search
from gongkai.search.tokenize import doc_number_key, index_tokens, query_tokens
from tests.search.conftest import publish, refresh


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("search", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_cli_json_shape_and_agency_filter(agency: Agency, other_agency: Agency) -> None:
    mine = publish(agency, "法律援助工作规定", doc_number="湛司〔2025〕3号", body="免费提供<法律援助>服务")
    publish(other_agency, "法律援助经费")
    refresh()
    data = json.loads(run("法律援助", "--agency", agency.name, "--format", "json"))
    assert data["total"] == 1
    assert data["results"] == [
        {
            "id": mine.pk,
            "index_number": mine.index_number,
            "title": "法律援助工作规定",
            "doc_number": "湛司〔2025〕3号",
            "agency": "湛河区司法局",
            "published_on": "2025-03-10",
            "snippet": "免费提供&lt;<mark>法律援助</mark>&gt;服务",
        }
    ]
    assert json.loads(run("法律援助", "--format", "json"))["total"] == 2
    assert json.loads(run("没有的词", "--format", "json")) == {"results": [], "total": 0}
    text = run("法律援助", "--agency", agency.code)
    assert "共 1 条结果" in text
    assert "【法律援助】工作规定" in text


@pytest.mark.django_db
def test_cli_actions_and_bad_input(agency: Agency) -> None:
    publish(agency, "政府信息公开指南")
    assert "待处理" in run("process", "--dry-run")
    assert re.search(r"已处理 \d+ 条，失败 0 条", run("process"))
    assert "需更新 0 条，需移除 0 条" in run("sync")
    assert "索引已重建：1 条" in run("rebuild")
    assert "将重建索引：1 条" in run("rebuild", "--dry-run")
    assert json.loads(run("--query", "sync", "--format", "json"))["total"] == 0  # a query that is an action's name
    with pytest.raises(CommandError, match="没有名称或代码"):
        run("公开", "--agency", "不存在的机关")
    with pytest.raises(CommandError, match="检索词"):
        run()


def test_index_tokens() -> None:
    assert index_tokens("政府信息公开") == "政府 府信 信息 息公 公开 开"
    assert index_tokens("的") == "的"
    assert index_tokens("ＰＤＦ版，２０２５年") == "pdf 版 2025 年"
    assert index_tokens("湛政〔2025〕12号", doc_number=True) == "wh湛政2025n12 湛政 政 2025 12 号"
    assert index_tokens("<script>") == "script"


@pytest.mark.parametrize(
    "spelling",
    [
        "湛政〔2025〕12号",
        "湛政[2025]12号",
        "湛政(2025)12号",
        "湛政（2025）12号",
        "湛政【2025】第12号",
        "湛政［2025］012号",
    ],
)
def test_doc_number_spellings_share_one_token(spelling: str) -> None:
    assert doc_number_key(spelling) == "wh湛政2025n12"
    assert query_tokens(spelling).doc_number == "wh湛政2025n12"


def test_query_tokens() -> None:
    (term,) = query_tokens("政府信息公开").terms
    assert (term.tokens, term.prefix) == (("政府", "府信", "信息", "息公", "公开"), False)
    (term,) = query_tokens("公").terms
    assert (term.tokens, term.prefix) == (("公",), True)
    (term,) = query_tokens("2025年").terms
    assert (term.tokens, term.prefix) == (("2025", "年"), True)
    (term,) = query_tokens("公开2025").terms  # the run ends inside the term: its last character is a unigram
    assert (term.tokens, term.prefix) == (("公开", "开", "2025"), False)
    assert [t.tokens for t in query_tokens("政府  公开 政府").terms] == [("政府",), ("公开",)]
    assert not query_tokens("《》、。")


def test_long_texts_are_chunked_with_overlap() -> None:
    text = "".join(chr(0x4E00 + i % 500) for i in range(20_000))
    pieces = chunks(text)
    assert len(pieces) > 1
    for start in range(0, len(text) - 100, 997):  # every 100-character substring lies inside one piece
        assert any(text[start : start + 100] in piece for piece in pieces)


@pytest.mark.django_db
def test_a_phrase_deep_inside_a_long_body_is_found(agency: Agency) -> None:
    # PostgreSQL drops tsvector positions past 16383 and keeps 256 per lexeme: the chunks keep phrases findable
    filler = "信息公开工作" * 4000
    p = publish(agency, "长文", body=filler[:3990] + "湛河区法律援助中心" + filler + "平顶山市调解委员会")
    refresh()
    assert [h.publication_id for h in search("湛河区法律援助中心").hits] == [p.pk]
    assert [h.publication_id for h in search("平顶山市调解委员会").hits] == [p.pk]
    assert search("公开工作信息").total == 1


def test_snippet_context_and_fallback() -> None:
    patterns = patterns_for(query_tokens("援助"))
    text = "甲" * 200 + "法律援助" + "乙" * 200
    html = snippet([text], patterns)
    assert html.startswith("…")
    assert html.endswith("…")
    assert "法律<mark>援助</mark>" in html
    assert 80 <= len(re.sub("<[^>]+>", "", html)) <= 90
    # no occurrence in the texts (the hit was in the title): the beginning of the body
    assert snippet(["正文开头" + "丙" * 100], patterns).startswith("正文开头")
    assert snippet(["", "附件里的法律援助"], patterns) == "附件里的法律<mark>援助</mark>"
