"""舆情回应 through its services, pages and the report's figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from gongkai.accounts.roles import Role
from gongkai.agencies.models import Agency
from gongkai.audit.models import AuditEvent
from gongkai.clock.calendar import WorkCalendar
from gongkai.publications.codebook import Status
from gongkai.responses import selectors, services
from gongkai.responses.models import TRANSITIONS, ConcernAction, ConcernStatus, PublicConcern, Source
from tests.channels.conftest import make_published
from tests.factories import make_agency, make_staff

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _now() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def agency() -> Agency:
    return make_agency("湛河区人力资源和社会保障局")


@pytest.fixture
def handler(agency: Agency) -> Any:
    return make_staff(agency, Role.HANDLER, full_name="王经办")


def concern(agency: Agency, actor: Any = None, raised_at: dt.datetime | None = None, **data: Any) -> PublicConcern:
    values: dict[str, Any] = {"source": Source.MEDIA, "topic": "网传某单位拖欠农民工工资"}
    values.update(data)
    return services.concern_create(
        agency=agency, actor=actor, raised_at=raised_at or NOW - dt.timedelta(hours=30), **values
    )


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_create_respond_link_close_through_the_pages(agency: Agency, handler: Any) -> None:
    client = login(handler)
    response = client.post(
        reverse("responses:create"),
        {
            "agency": agency.pk,
            "source": Source.HOTLINE,
            "raised_at": "2026-11-26T09:30",
            "topic": "市民反映社保卡补办难",
            "url": "https://example.com/post/1",
        },
    )
    item = PublicConcern.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("responses:detail", args=[item.pk])
    assert (item.status, item.created_by) == (ConcernStatus.OPEN, handler)
    published = make_published(agency, channels=())
    client.post(
        reverse("responses:respond", args=[item.pk]),
        {"text": "已约谈相关窗口，补办流程简化为一次办结。", "index_number": published.index_number},
    )
    item.refresh_from_db()
    assert item.status == ConcernStatus.RESPONDED
    [answer] = item.responses.all()
    assert answer.publication == published
    assert answer.actor == handler
    # A second response without an item, linked to a later 情况通报.
    client.post(reverse("responses:respond", args=[item.pk]), {"text": "跟进情况通报"})
    later = item.responses.get(publication__isnull=True)
    report = make_published(agency, channels=(), title="关于社保卡补办情况的通报")
    client.post(
        reverse("responses:link", args=[item.pk]), {"response_id": later.pk, "index_number": report.index_number}
    )
    later.refresh_from_db()
    assert later.publication == report
    page = client.get(reverse("responses:detail", args=[item.pk])).content.decode()
    assert "关于社保卡补办情况的通报" in page
    assert "24.5 小时（1 个工作日）" in page
    client.post(reverse("responses:close", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == ConcernStatus.CLOSED
    actions = set(AuditEvent.objects.filter(object_id=str(item.pk)).values_list("action", flat=True))
    assert {"concern.create", "concern.respond", "concern.link", "concern.close"} <= actions


def test_refusals_name_the_field(agency: Agency, handler: Any) -> None:
    item = concern(agency, handler)
    other = make_published(make_agency("另一机关"), channels=())
    withdrawn = make_published(agency, channels=(), status=Status.WITHDRAWN)
    with pytest.raises(ValidationError, match="请填写回应内容"):
        services.concern_respond(concern=item, actor=handler, text=" ")
    with pytest.raises(ValidationError, match="本机关发布"):
        services.concern_respond(concern=item, actor=handler, text="回应", publication=other)
    with pytest.raises(ValidationError, match="已发布"):
        services.concern_respond(concern=item, actor=handler, text="回应", publication=withdrawn)
    with pytest.raises(ValidationError, match="不能早于发现时间"):
        services.concern_respond(concern=item, actor=handler, text="回应", responded_at=NOW - dt.timedelta(days=5))
    with pytest.raises(ValidationError, match="不能晚于现在"):
        concern(agency, handler, raised_at=NOW + dt.timedelta(hours=1))
    client = login(handler)
    response = client.post(
        reverse("responses:respond", args=[item.pk]), {"text": "回应", "index_number": "无此号"}, follow=True
    )
    assert "本机关没有索引号为“无此号”的信息" in response.content.decode()


@pytest.mark.parametrize("status", list(ConcernStatus))
@pytest.mark.parametrize("action", list(ConcernAction))
def test_every_status_and_action(agency: Agency, handler: Any, status: str, action: str) -> None:
    item = concern(agency, handler)
    PublicConcern.objects.filter(pk=item.pk).update(status=status)
    target = TRANSITIONS.get((status, action))
    call = (
        (lambda: services.concern_respond(concern=item, actor=handler, text="回应"))
        if action == ConcernAction.RESPOND
        else (lambda: services.concern_close(concern=item, actor=handler))
    )
    if target is None:
        with pytest.raises(ValidationError):
            call()
        item.refresh_from_db()
        assert item.status == status
    else:
        call()
        item.refresh_from_db()
        assert item.status == target


def test_another_agencys_staff_get_the_plain_404(agency: Agency, handler: Any) -> None:
    item = concern(agency, handler, topic="甲机关舆情")
    outsider = make_staff(make_agency("另一县人社局"), Role.HEAD)
    client = login(outsider)
    missing = 99_999_999
    for name in ("responses:detail",):
        assert client.get(reverse(name, args=[item.pk])).status_code == 404
        assert client.get(reverse(name, args=[missing])).status_code == 404
    for name in ("responses:respond", "responses:link", "responses:close"):
        assert client.post(reverse(name, args=[item.pk]), {"text": "x"}).status_code == 404
    assert "甲机关舆情" not in client.get(reverse("responses:list")).content.decode()
    item.refresh_from_db()
    assert item.status == ConcernStatus.OPEN
    # A reviewer of the same agency reads but does not act.
    reviewer = login(make_staff(agency, Role.REVIEWER))
    assert reviewer.get(reverse("responses:detail", args=[item.pk])).status_code == 200
    assert reviewer.post(reverse("responses:close", args=[item.pk])).status_code == 404


def test_list_filters_counts_and_query_count(agency: Agency, handler: Any, django_assert_max_num_queries: Any) -> None:
    for n in range(5):
        item = concern(agency, handler, topic=f"舆情{n}", source=Source.PETITION if n % 2 else Source.MEDIA)
        if n < 2:
            services.concern_respond(concern=item, actor=handler, text="回应")
    client = login(handler)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("responses:list")).content.decode()
    assert "待回应 3 件，已回应 2 件，已办结 0 件" in page
    page = client.get(
        reverse("responses:list"), {"source": Source.PETITION, "status": ConcernStatus.OPEN}
    ).content.decode()
    assert "舆情3" in page
    assert "舆情1" not in page
    assert "舆情0" not in page


def test_concern_counts_for_the_annual_report(agency: Agency, handler: Any) -> None:
    a = concern(agency, handler, raised_at=dt.datetime(2026, 3, 2, 9, tzinfo=TZ))
    b = concern(agency, handler, raised_at=dt.datetime(2026, 5, 1, 9, tzinfo=TZ))
    concern(agency, handler, raised_at=dt.datetime(2026, 6, 1, 9, tzinfo=TZ))  # not responded
    concern(agency, handler, raised_at=dt.datetime(2025, 12, 31, 23, 59, tzinfo=TZ))  # the year before
    c = concern(agency, handler, raised_at=dt.datetime(2026, 1, 1, 0, 0, tzinfo=TZ))
    services.concern_respond(concern=a, actor=handler, text="回应", responded_at=dt.datetime(2026, 3, 2, 13, tzinfo=TZ))
    services.concern_respond(
        concern=a, actor=handler, text="再回应", responded_at=dt.datetime(2026, 3, 9, 9, tzinfo=TZ)
    )
    services.concern_respond(concern=b, actor=handler, text="回应", responded_at=dt.datetime(2026, 5, 3, 9, tzinfo=TZ))
    services.concern_respond(concern=c, actor=handler, text="回应", responded_at=dt.datetime(2026, 1, 1, 10, tzinfo=TZ))
    other = concern(make_agency("别的机关"), None, raised_at=dt.datetime(2026, 2, 1, tzinfo=TZ))
    assert other.pk
    assert selectors.concern_counts([agency.pk], 2026) == {"received": 4, "responded": 3, "median_response_hours": 10.0}
    assert selectors.concern_counts([agency.pk], 2024) == {"received": 0, "responded": 0, "median_response_hours": None}


def test_response_time_counts_working_days_after_the_day_raised() -> None:
    calendar = WorkCalendar({})
    friday = dt.datetime(2026, 11, 20, 17, tzinfo=TZ)
    monday = dt.datetime(2026, 11, 23, 9, tzinfo=TZ)
    time = selectors.response_time(friday, monday, calendar)
    assert (time.hours, time.working_days) == (64.0, 1)
    same_day = selectors.response_time(friday, friday + dt.timedelta(minutes=30), calendar)
    assert (same_day.hours, same_day.working_days) == (0.5, 0)
