"""gongkai deliver against the fake WeChat server: success, errors with backoff and a ceiling, unconfigured,
idempotence, dry run, and two workers claiming the same rows."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from gongkai.agencies.models import Agency
from gongkai.audit.models import AuditEvent
from gongkai.channels import jobs
from gongkai.channels.models import DeliveryAttempt, Outcome
from gongkai.publications.codebook import Channel, DeliveryStatus, Status
from gongkai.publications.models import ChannelDelivery
from gongkai.publications.selectors import channel_counts
from tests.channels.conftest import FakeWeChat, make_published

T0 = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("deliver", *args, stdout=out)
    return out.getvalue()


def wechat_row(publication: Any) -> ChannelDelivery:
    return ChannelDelivery.objects.get(publication=publication, channel=Channel.WECHAT)


def test_success_creates_a_draft_and_stores_its_media_id(agency: Agency, fake_wechat: FakeWeChat) -> None:
    item = make_published(agency, summary="规范行政执法公示工作。" * 30)
    with time_machine.travel(T0, tick=False):
        output = run()
    assert "成功 1 条" in output
    row = wechat_row(item)
    assert (row.status, row.external_id, row.attempts, row.error) == (DeliveryStatus.DELIVERED, "MEDIA-1", 1, "")
    assert row.delivered_at == T0
    assert fake_wechat.paths() == ["/cgi-bin/token", "/cgi-bin/draft/add"]
    [article] = fake_wechat.drafts()[0]["articles"]
    assert article["title"] == item.title
    assert article["author"] == "湛河司法"
    assert len(article["digest"]) == 120
    assert "<script>" not in article["content"]
    assert "<p>各单位：</p>" in article["content"]
    attempt = DeliveryAttempt.objects.get(delivery=row)
    assert (attempt.number, attempt.outcome) == (1, Outcome.DELIVERED)
    assert AuditEvent.objects.filter(action="publication.deliver", object_id=str(item.pk)).count() == 1
    assert channel_counts([agency.pk], 2026) == {"门户网站": 1, "政务新媒体/公众号": 1}


def test_second_run_sends_nothing(agency: Agency, fake_wechat: FakeWeChat) -> None:
    make_published(agency)
    make_published(agency)
    with time_machine.travel(T0, tick=False):
        run()
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        output = run()
    assert len(fake_wechat.drafts()) == 2
    assert "成功 0 条" in output
    assert DeliveryAttempt.objects.count() == 2


def test_error_is_recorded_and_retried_with_backoff_up_to_the_ceiling(agency: Agency, fake_wechat: FakeWeChat) -> None:
    item = make_published(agency)
    fake_wechat.mode = "error"
    with time_machine.travel(T0, tick=False):
        output = run()
    row = wechat_row(item)
    assert row.status == DeliveryStatus.FAILED
    assert row.attempts == 1
    assert "45009" in row.error
    assert "reach max api daily quota limit" in row.error
    assert "失败 1 条" in output
    # Within the backoff nothing is tried; after it, the next attempt goes out.
    with time_machine.travel(T0 + jobs.backoff(1) - dt.timedelta(seconds=1), tick=False):
        run()
    assert len(fake_wechat.drafts()) == 1
    moment = T0
    for attempts in range(1, jobs.MAX_ATTEMPTS):
        moment += jobs.backoff(attempts)
        with time_machine.travel(moment, tick=False):
            run()
    row.refresh_from_db()
    assert row.attempts == jobs.MAX_ATTEMPTS
    assert len(fake_wechat.drafts()) == jobs.MAX_ATTEMPTS
    with time_machine.travel(moment + dt.timedelta(days=30), tick=False):
        output = run()
    assert len(fake_wechat.drafts()) == jobs.MAX_ATTEMPTS
    assert "不再自动重试：1 条" in output


def test_failed_row_is_delivered_on_retry(agency: Agency, fake_wechat: FakeWeChat) -> None:
    item = make_published(agency)
    fake_wechat.mode = "error"
    with time_machine.travel(T0, tick=False):
        run()
    fake_wechat.mode = "ok"
    with time_machine.travel(T0 + jobs.backoff(1), tick=False):
        run()
    row = wechat_row(item)
    assert (row.status, row.attempts, row.error, row.external_id) == (DeliveryStatus.DELIVERED, 2, "", "MEDIA-2")


def test_token_error_and_missing_media_id_fail_with_a_message(agency: Agency, fake_wechat: FakeWeChat) -> None:
    first = make_published(agency)
    fake_wechat.mode = "token_error"
    with time_machine.travel(T0, tick=False):
        run()
    assert "40125" in wechat_row(first).error
    fake_wechat.mode = "garbage"
    with time_machine.travel(T0 + jobs.backoff(1), tick=False):
        run()
    assert wechat_row(first).error == "微信接口未返回草稿编号（media_id）"


def test_unreachable_server_fails_without_crashing(agency: Agency, settings: Any) -> None:
    item = make_published(agency)
    settings.GONGKAI_WECHAT_APPID = "wx"
    settings.GONGKAI_WECHAT_SECRET = "s"
    settings.GONGKAI_WECHAT_API_BASE = "http://127.0.0.1:9/cgi-bin/"  # discard port: connection refused
    with time_machine.travel(T0, tick=False):
        run()
    row = wechat_row(item)
    assert row.status == DeliveryStatus.FAILED
    assert row.error.startswith("无法连接微信接口")


def test_unconfigured_wechat_leaves_rows_pending_with_a_note(agency: Agency, settings: Any) -> None:
    settings.GONGKAI_WECHAT_APPID = ""
    settings.GONGKAI_WECHAT_SECRET = ""
    item = make_published(agency)
    with time_machine.travel(T0, tick=False):
        output = run()
        run()
    row = wechat_row(item)
    assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 0)
    assert "公众号未配置" in row.error
    assert "等待配置 1 条" in output
    assert not DeliveryAttempt.objects.exists()
    assert AuditEvent.objects.filter(action="channels.waiting").count() == 1  # the second run changed nothing


def test_dry_run_sends_and_records_nothing(agency: Agency, fake_wechat: FakeWeChat) -> None:
    item = make_published(agency)
    with time_machine.travel(T0, tick=False):
        output = run("--dry-run", "-v", "2")
    assert "演练" in output
    assert "将发送" in output
    assert item.index_number in output
    assert fake_wechat.calls == []
    assert wechat_row(item).status == DeliveryStatus.PENDING
    assert not DeliveryAttempt.objects.exists()


def test_channel_option_and_withdrawn_items(agency: Agency, fake_wechat: FakeWeChat) -> None:
    make_published(agency, status=Status.WITHDRAWN)
    pending_portal = make_published(agency, channels=(Channel.PORTAL,))
    ChannelDelivery.objects.filter(publication=pending_portal).update(status=DeliveryStatus.PENDING, delivered_at=None)
    with time_machine.travel(T0, tick=False):
        run("--channel", "portal")
    assert fake_wechat.calls == []  # only the portal; the withdrawn item's 公众号 copy is never sent
    assert ChannelDelivery.objects.get(publication=pending_portal).status == DeliveryStatus.DELIVERED
    with time_machine.travel(T0, tick=False):
        run()
    assert fake_wechat.calls == []


def test_claims_exclude_each_other(agency: Agency, fake_wechat: FakeWeChat) -> None:
    item = make_published(agency)
    row = wechat_row(item)
    with time_machine.travel(T0, tick=False):
        first = jobs._claim(row, T0)
        second = jobs._claim(row, T0)
    assert first is not None
    assert second is None  # the open claim of the first worker keeps the second off
    # A claim whose worker died is taken over once stale, and marked as interrupted.
    later = T0 + jobs.CLAIM_STALE_AFTER + dt.timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        output = run()
    assert "成功 1 条" in output
    first.refresh_from_db()
    assert first.outcome == Outcome.FAILED
    assert "中断" in first.error
    assert wechat_row(item).status == DeliveryStatus.DELIVERED


def test_a_row_delivered_by_hand_meanwhile_is_skipped(agency: Agency, fake_wechat: FakeWeChat) -> None:
    item = make_published(agency)
    row = wechat_row(item)
    with time_machine.travel(T0, tick=False):
        attempt = jobs._claim(row, T0)
        assert attempt is not None
        ChannelDelivery.objects.filter(pk=row.pk).update(status=DeliveryStatus.DELIVERED, delivered_at=T0)
        from gongkai.channels.services import attempt_finish

        finished = attempt_finish(attempt=attempt, delivered=True, external_id="X")
    assert finished.outcome == Outcome.SKIPPED
    assert "已在" in finished.error


def test_draft_links_back_to_the_portal_page(agency: Agency, fake_wechat: FakeWeChat, settings: Any) -> None:
    settings.GONGKAI_SITE_URL = "https://gk.example.gov.cn"
    item = make_published(agency)
    with time_machine.travel(T0, tick=False):
        run()
    [article] = fake_wechat.drafts()[0]["articles"]
    assert article["content_source_url"] == f"https://gk.example.gov.cn/agencies/{agency.code}/xxgk/{item.pk}/"
