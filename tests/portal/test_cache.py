"""The portal's page cache (``portal.cache``): anonymous GETs are served from it, and a page changes the moment what
it shows changes — published, withdrawn, edited, delivered, linked from another agency — because the key holds the
catalogue version. Logged-in users never read or fill it; drafts and 404s are never stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongkai.agencies.models import Agency
from gongkai.portal import cache as page_cache
from gongkai.publications import services
from gongkai.publications.codebook import Category, Channel, DeliveryStatus, DocKind, Status, Validity
from gongkai.publications.models import ChannelDelivery, Publication
from tests.factories import make_agency, make_public
from tests.portal.conftest import make_item

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


def catalogue_url(agency: Agency) -> str:
    return reverse("portal:catalogue", args=[agency.code])


def item_url(item: Publication) -> str:
    return reverse("portal:item", args=[item.agency.code, item.pk])


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def draft(agency: Agency, title: str, **data: Any) -> Publication:
    values: dict[str, Any] = {
        "title": title,
        "category": Category.ART20_1,
        "doc_kind": DocKind.NORMATIVE,
        "formed_on": YESTERDAY,
        **data,
    }
    return services.publication_create(agency=agency, actor=None, data=values)  # type: ignore[arg-type]


def publish(item: Publication) -> Publication:
    return services.publication_publish(publication=item, actor=None, on=YESTERDAY)


def test_a_repeated_anonymous_get_is_a_cache_hit_with_at_most_two_queries(client: Client, agency: Agency) -> None:
    item = make_item(agency, title="关于印发《湛河区行政执法公示办法》的通知")
    for url in (catalogue_url(agency), item_url(item), reverse("portal:agency", args=[agency.code])):
        first = client.get(url)
        with CaptureQueriesContext(connection) as queries:
            second = client.get(url)
        assert len(queries) <= 2, [q["sql"] for q in queries.captured_queries]
        assert second.status_code == 200
        assert second.content == first.content
        assert "关于印发《湛河区行政执法公示办法》的通知" in second.content.decode()
        for response in (first, second):
            assert "public" in response["Cache-Control"]
            assert "max-age=60" in response["Cache-Control"]
            assert "Cookie" in response["Vary"]
            assert not response.cookies


def test_the_query_string_is_part_of_the_key(client: Client, agency: Agency) -> None:
    make_item(agency, title="规章甲", category=Category.ART20_1)
    make_item(agency, title="公告乙", category=Category.ART20_5)
    assert "公告乙" in page(client, catalogue_url(agency))
    filtered = page(client, catalogue_url(agency) + "?category=" + Category.ART20_1)
    assert "规章甲" in filtered
    assert "公告乙" not in filtered


def test_publishing_shows_at_once_and_drafts_never_leak(client: Client, agency: Agency) -> None:
    make_item(agency, title="已有信息")
    item = draft(agency, "关于调整行政执法公示事项的通知")
    assert "关于调整行政执法公示事项的通知" not in page(client, catalogue_url(agency))
    assert client.get(item_url(item)).status_code == 404
    assert client.get(item_url(item)).status_code == 404  # the 404 is not stored either
    assert "关于调整行政执法公示事项的通知" not in page(client, catalogue_url(agency))  # a cache hit

    publish(item)
    assert "关于调整行政执法公示事项的通知" in page(client, catalogue_url(agency))
    assert "关于调整行政执法公示事项的通知" in page(client, item_url(item))
    assert "关于调整行政执法公示事项的通知" in page(client, reverse("portal:agency", args=[agency.code]))


def test_withdrawing_shows_at_once(client: Client, agency: Agency) -> None:
    item = publish(draft(agency, "关于开展法治宣传的通知"))
    assert "关于开展法治宣传的通知" in page(client, catalogue_url(agency))
    assert "撤回" not in page(client, item_url(item))

    services.publication_withdraw(publication=item, actor=None, reason="内容有误", notice="本信息已撤回，另行发布。")
    assert "关于开展法治宣传的通知" not in page(client, catalogue_url(agency))
    withdrawn = page(client, item_url(item))
    assert "本信息已撤回，另行发布。" in withdrawn


def test_editing_shows_at_once(client: Client, agency: Agency) -> None:
    item = publish(draft(agency, "湛河区行政执法公示办法"))
    assert Validity.CURRENT.label in page(client, item_url(item))

    services.publication_set_validity(publication=item, actor=None, validity=Validity.ABOLISHED, on=YESTERDAY)
    assert Validity.ABOLISHED.label in page(client, item_url(item))

    item.refresh_from_db()
    item.title = "湛河区行政执法公示办法（修订）"
    item.save()
    assert "湛河区行政执法公示办法（修订）" in page(client, item_url(item))
    assert "湛河区行政执法公示办法（修订）" in page(client, catalogue_url(agency))


def test_the_portal_delivery_counts(client: Client, agency: Agency) -> None:
    item = make_item(agency, title="只发公众号的信息", on_portal=False)
    assert "只发公众号的信息" not in page(client, catalogue_url(agency))
    ChannelDelivery.objects.create(publication=item, channel=Channel.PORTAL, status=DeliveryStatus.DELIVERED)
    assert "只发公众号的信息" in page(client, catalogue_url(agency))


def test_an_interpretation_from_another_agency_shows_at_once_on_the_item_page(client: Client, agency: Agency) -> None:
    other = make_agency("湛河区人民政府办公室", code="zhanhe-office")
    item = make_item(agency, title="湛河区行政执法公示办法", doc_kind=DocKind.NORMATIVE)
    assert "《湛河区行政执法公示办法》政策解读" not in page(client, item_url(item))
    interpretation = make_item(other, title="《湛河区行政执法公示办法》政策解读", interprets=item)
    assert interpretation.agency_id != item.agency_id
    assert "《湛河区行政执法公示办法》政策解读" in page(client, item_url(item))


def test_a_government_catalogue_changes_with_its_departments_items(client: Client, government: Agency) -> None:
    department = make_agency("湛河区财政局", code="zhanhe-czj", parent=government)
    assert "财政预算公开" not in page(client, catalogue_url(government))
    make_item(department, title="财政预算公开")
    assert "财政预算公开" in page(client, catalogue_url(government))


def test_a_logged_in_public_user_never_gets_the_anonymous_page(client: Client, agency: Agency) -> None:
    item = make_item(agency)
    urls = [catalogue_url(agency), item_url(item), reverse("portal:home")]
    for url in urls:
        anonymous = page(client, url)
        assert reverse("account:login") in anonymous
        assert reverse("apply:mine") not in anonymous

    user = make_public()
    client.force_login(user)
    for url in urls:
        response = client.get(url)
        mine = response.content.decode()
        assert reverse("apply:mine") in mine
        assert "退出" in mine
        assert reverse("account:login") not in mine
        assert "public" not in response.get("Cache-Control", "")

    client.logout()
    fresh = Client()  # no session cookie at all: the logged-in page was not stored for anonymous visitors
    for url in urls:
        anonymous = page(fresh, url)
        assert reverse("apply:mine") not in anonymous
        assert "csrfmiddlewaretoken" not in anonymous


def test_a_visitor_with_a_messages_cookie_is_not_served_from_the_cache(client: Client, agency: Agency) -> None:
    url = catalogue_url(agency)
    page(client, url)
    client.cookies["messages"] = "anything"
    response = client.get(url)
    assert response.status_code == 200
    assert "public" not in response.get("Cache-Control", "")


def test_a_deactivated_agency_is_404_even_when_its_pages_were_cached(client: Client, agency: Agency) -> None:
    item = make_item(agency)
    page(client, catalogue_url(agency))
    page(client, item_url(item))
    Agency.objects.filter(pk=agency.pk).update(is_active=False)  # even without ``updated_at``
    assert client.get(catalogue_url(agency)).status_code == 404
    assert client.get(item_url(item)).status_code == 404


def test_the_version_changes_with_each_kind_of_write(agency: Agency) -> None:
    item = make_item(agency)
    before = page_cache.catalogue_version(agency.code, item.pk)
    assert before is not None
    item.status = Status.WITHDRAWN
    item.save()
    assert page_cache.catalogue_version(agency.code, item.pk) != before
    assert page_cache.catalogue_version("no-such-agency") is None


def test_a_page_that_used_a_csrf_token_or_set_a_cookie_is_not_stored(rf: Any, db: Any) -> None:
    request = rf.get("/")
    request.user = AnonymousUser()
    assert page_cache._storable(request, HttpResponse("ok"))
    with_cookie = HttpResponse("ok")
    with_cookie.set_cookie("x", "1")
    assert not page_cache._storable(request, with_cookie)
    assert not page_cache._storable(request, HttpResponse("gone", status=404))
    get_token(request)
    assert not page_cache._storable(request, HttpResponse("ok"))
