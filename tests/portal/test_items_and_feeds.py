"""Item pages (metadata table, 解读 both ways, replacing document, withdrawal notice, drafts 404), attachments, feeds."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from gongkai.agencies.models import Agency
from gongkai.portal import selectors, views
from gongkai.publications.codebook import Category, Channel, DeliveryStatus, DocKind, Status, Validity
from gongkai.publications.models import ChannelDelivery
from tests.factories import make_agency
from tests.portal.conftest import make_item

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def parse(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 — the server's own feed, in a test


def item_url(item: Any) -> str:
    return reverse("portal:item", args=[item.agency.code, item.pk])


def test_item_page_shows_the_metadata_table(client: Client, agency: Agency) -> None:
    item = make_item(
        agency,
        title="关于印发《湛河区行政执法公示办法》的通知",
        index_number="MA4X2B3C1/2025-00007",
        doc_number="湛司〔2025〕3号",
        issuing_body="湛河区司法局",
        written_on=dt.date(2025, 2, 20),
        published_on=dt.date(2025, 3, 1),
        topic="行政执法",
        category=Category.ART20_1,
        doc_kind=DocKind.NORMATIVE,
        validity=Validity.CURRENT,
        body="第一段。\n\n第二段<script>alert(1)</script>",
    )
    page = client.get(item_url(item)).content.decode()
    for label, value in (
        ("索引号", "MA4X2B3C1/2025-00007"),
        ("发布机构", "湛河区司法局"),
        ("文号", "湛司〔2025〕3号"),
        ("成文日期", "2025-02-20"),
        ("发布日期", "2025-03-01"),
        ("有效性", "现行有效"),
        ("主题分类", "行政执法"),
        ("公开类别", Category.ART20_1.label),
    ):
        assert f'<th scope="row">{label}</th><td>{value}</td>' in page, label
    assert "<p>第一段。</p>" in page
    assert "&lt;script&gt;" in page
    assert "<script>alert" not in page


def test_validity_is_shown_only_for_rules_and_normative_documents(client: Client, agency: Agency) -> None:
    item = make_item(agency, doc_kind=DocKind.OTHER, validity="")
    assert '<th scope="row">有效性</th><td>—</td>' in client.get(item_url(item)).content.decode()


def test_rich_body_is_used_when_present(client: Client, agency: Agency) -> None:
    item = make_item(agency, body="纯文本")
    item.body_html = "<p><strong>富文本正文</strong></p>"
    item.save()
    page = client.get(item_url(item)).content.decode()
    assert "<strong>富文本正文</strong>" in page
    assert "纯文本" not in page


def test_drafts_and_items_under_review_are_404(client: Client, agency: Agency) -> None:
    for status in (Status.DRAFT, Status.SECRECY_REVIEW, Status.APPROVAL):
        item = make_item(agency, status=status, published_on=None)
        assert client.get(item_url(item)).status_code == 404
    other = make_item(make_agency("湛河区财政局"))
    assert client.get(reverse("portal:item", args=[agency.code, other.pk])).status_code == 404
    assert client.get(reverse("portal:item", args=[agency.code, 10**9])).status_code == 404


def test_an_item_sent_only_to_the_wechat_account_is_not_on_the_portal(client: Client, agency: Agency) -> None:
    post = make_item(agency, title="公众号推文", category=Category.OTHER, on_portal=False)
    ChannelDelivery.objects.create(publication=post, channel=Channel.WECHAT, status=DeliveryStatus.DELIVERED)
    make_item(agency, title="网站信息")
    assert client.get(item_url(post)).status_code == 404
    assert "公众号推文" not in client.get(reverse("portal:catalogue", args=[agency.code])).content.decode()
    assert "公众号推文" not in client.get(reverse("portal:feed_atom", args=[agency.code])).content.decode()
    assert "网站信息" in client.get(reverse("portal:feed_atom", args=[agency.code])).content.decode()


def test_withdrawn_item_shows_the_notice_and_keeps_its_index_number(client: Client, agency: Agency) -> None:
    item = make_item(
        agency,
        index_number="MA4X2B3C1/2024-00012",
        title="已撤回的信息",
        body="不应再显示的正文",
        status=Status.WITHDRAWN,
        withdrawn_on=dt.date(2025, 4, 2),
        withdrawal_reason="误发",
    )
    response = client.get(item_url(item))
    assert response.status_code == 200
    page = response.content.decode()
    assert "撤回说明" in page
    assert "该信息已于2025年4月2日撤回" in page
    assert "撤回原因：误发" in page
    assert '<th scope="row">索引号</th><td>MA4X2B3C1/2024-00012</td>' in page
    assert "不应再显示的正文" not in page
    # not listed, not in feeds
    assert "已撤回的信息" not in client.get(reverse("portal:catalogue", args=[agency.code])).content.decode()
    assert "已撤回的信息" not in client.get(reverse("portal:feed_rss", args=[agency.code])).content.decode()


def test_interpretations_are_linked_both_ways(client: Client, agency: Agency) -> None:
    document = make_item(agency, title="湛河区行政执法公示办法", doc_kind=DocKind.NORMATIVE, validity=Validity.CURRENT)
    reading = make_item(agency, title="《湛河区行政执法公示办法》政策解读", interprets=document)
    make_item(agency, title="未发布的解读", interprets=document, status=Status.DRAFT, published_on=None)
    doc_page = client.get(item_url(document)).content.decode()
    assert "相关解读" in doc_page
    assert item_url(reading) in doc_page
    assert "未发布的解读" not in doc_page
    reading_page = client.get(item_url(reading)).content.decode()
    assert "本文为政策解读" in reading_page
    assert item_url(document) in reading_page


def test_amended_or_abolished_documents_link_the_replacing_document(client: Client, agency: Agency) -> None:
    new = make_item(agency, title="新办法", doc_kind=DocKind.NORMATIVE, validity=Validity.CURRENT)
    old = make_item(
        agency,
        title="旧办法",
        doc_kind=DocKind.NORMATIVE,
        validity=Validity.ABOLISHED,
        abolished_on=dt.date(2025, 6, 1),
        replaced_by=new,
    )
    page = client.get(item_url(old)).content.decode()
    assert "已废止" in page
    assert "2025年6月1日起不再有效" in page
    assert f'替代文件：<a href="{item_url(new)}">新办法</a>' in page


def test_attachments_download_as_attachment_with_nosniff(
    client: Client, agency: Agency, settings: Any, tmp_path: Any
) -> None:
    model = selectors.attachment_model()
    assert model is not None, "the publications app has an attachment model"
    settings.MEDIA_ROOT = str(tmp_path)
    item = make_item(agency)
    attachment = model._default_manager.create(
        publication=item,
        file=ContentFile(b"<html><script>alert(1)</script></html>", name="x.html"),
        original_name="附件一.html",
        content_type="text/html",
        size=40,
        sha256="0" * 64,
    )
    page = client.get(item_url(item)).content.decode()
    url = reverse("portal:attachment", args=[agency.code, item.pk, attachment.pk])
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content).startswith(b"<html>")  # type: ignore[attr-defined]
    # withdrawn: no attachments, no download
    item.status = Status.WITHDRAWN
    item.save()  # saves ``updated_at`` as the withdraw service does (the page cache keys on it), unlike .update()
    assert url not in client.get(item_url(item)).content.decode()
    assert client.get(url).status_code == 404
    # another item's attachment through this item's URL
    other = make_item(agency)
    assert client.get(reverse("portal:attachment", args=[agency.code, other.pk, attachment.pk])).status_code == 404


def test_rss_feed_is_valid_xml_with_the_newest_items(client: Client, agency: Agency) -> None:
    for n in range(55):
        make_item(agency, title=f"信息{n:02d}", published_on=dt.date(2025, 1, 1) + dt.timedelta(days=n))
    make_item(agency, title="草稿", status=Status.DRAFT, published_on=None)
    response = client.get(reverse("portal:feed_rss", args=[agency.code]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = parse(response.content)
    assert root.tag == "rss"
    assert root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    assert channel.findtext("title") == "湛河区司法局 政府信息公开"
    items = channel.findall("item")
    assert len(items) == 50
    assert items[0].findtext("title") == "信息54"
    assert items[-1].findtext("title") == "信息05"
    link = items[0].findtext("link") or ""
    assert link.startswith("http://testserver/agencies/zhanhe-sfj/xxgk/")
    assert "索引号：" in (items[0].findtext("description") or "")
    assert items[0].findtext("pubDate")


def test_atom_and_category_feeds(client: Client, agency: Agency) -> None:
    make_item(agency, title="预算公开", category=Category.ART20_7)
    make_item(agency, title="权责清单", category=Category.ART20_5)
    response = client.get(reverse("portal:feed_atom", args=[agency.code]))
    assert response["Content-Type"].startswith("application/atom+xml")
    root = parse(response.content)
    assert root.tag == f"{ATOM}feed"
    assert sorted(entry.findtext(f"{ATOM}title") or "" for entry in root.findall(f"{ATOM}entry")) == [
        "权责清单",
        "预算公开",
    ]

    for name, ns in (("category_feed_rss", ""), ("category_feed_atom", ATOM)):
        response = client.get(reverse(f"portal:{name}", args=[agency.code, Category.ART20_7.value]))
        assert response.status_code == 200
        root = parse(response.content)
        titles = [el.text for el in root.iter(f"{ns}title")]
        assert "预算公开" in titles
        assert "权责清单" not in titles
    assert client.get(reverse("portal:category_feed_rss", args=[agency.code, "nope"])).status_code == 404
    assert client.get(reverse("portal:feed_rss", args=["no-such-agency"])).status_code == 404


def test_search_page_says_when_search_is_not_there(client: Client, agency: Agency, monkeypatch: Any) -> None:
    monkeypatch.setattr(views, "SEARCH_MODULES", ("gongkai.search.not_built_yet",))
    response = client.get(reverse("portal:search"), {"q": "预算", "agency": agency.code})
    assert response.status_code == 200
    assert "检索功能尚未启用" in response.content.decode()
    # every portal page carries the search box
    home = client.get(reverse("portal:home")).content.decode()
    assert f'action="{reverse("portal:search")}"' in home


def test_search_page_calls_the_search_function_with_the_columns_agencies(
    client: Client, government: Agency, monkeypatch: Any
) -> None:
    department = make_agency("湛河区财政局", parent=government)
    item = make_item(department, title="2025年部门预算")
    calls: list[tuple[str, dict[str, Any]]] = []

    class Hit:
        publication = item
        title_html = "2025年部门<mark>预算</mark>"
        snippet_html = "……部门<mark>预算</mark>……"

    class Page(list[Hit]):
        total = 1

    def fake_search(query: str, **filters: Any) -> Page:
        calls.append((query, filters))
        return Page([Hit()])

    monkeypatch.setattr(views, "_search_function", lambda: fake_search)
    page = client.get(reverse("portal:search"), {"q": " 预算 ", "agency": government.code}).content.decode()
    assert calls == [("预算", {"limit": 20, "offset": 0, "agency_ids": [government.pk, department.pk]})]
    assert "共找到 1 条" in page
    assert "2025年部门<mark>预算</mark>" in page
    assert item_url(item) in page
    # a page number of digits int() refuses ("²": the portal-search fuzz target's 500) is page 1
    calls.clear()
    response = client.get(reverse("portal:search"), {"q": "预算", "page": "²"})
    assert response.status_code == 200
    assert calls == [("预算", {"limit": 20, "offset": 0})]
