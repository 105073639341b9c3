"""政策信息精准推送 through its interfaces: the public pages, the mails, and `gongkai digest`."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client, TestCase
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.agencies.models import Agency
from gongkai.publications.codebook import Category, DisclosureMode, Status
from gongkai.subscriptions import jobs
from gongkai.subscriptions.models import DigestSent, Subscription
from gongkai.subscriptions.tokens import hash_token, unsubscribe_token
from tests.channels.conftest import make_published
from tests.factories import make_agency

pytestmark = pytest.mark.django_db
DAY1 = "2026-11-20 10:00 +0800"


@pytest.fixture
def agency(db: Any) -> Agency:
    return make_agency("湛河区民政局")


def subscribe(client: Client, **data: Any) -> Any:
    # The confirmation mail goes out after commit: run the callbacks inside the test transaction.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("subscriptions:subscribe"), {"email": "reader@example.com", **data})


def link(message: Any, name: str) -> str:
    found = re.search(r"(/subscribe/" + name + r"/[^/\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def confirmed(agency: Agency | None, **data: Any) -> Subscription:
    client = Client()
    response = subscribe(client, **({"agency": agency.pk} if agency else {}), **data)
    assert response.status_code == 200
    url = link(mail.outbox[-1], "confirm")
    assert client.post(url).status_code == 200
    return Subscription.objects.order_by("-pk").first()  # type: ignore[return-value]


def digest(*args: str) -> str:
    out = StringIO()
    call_command("digest", *args, stdout=out)
    return out.getvalue()


def test_subscribe_confirm_digest_once(agency: Agency) -> None:
    with time_machine.travel(DAY1, tick=False):
        client = Client()
        response = subscribe(client, agency=agency.pk, keyword="低保")
        assert "请查收确认邮件" in response.content.decode()
        [message] = mail.outbox
        assert message.to == ["reader@example.com"]
        assert "List-Unsubscribe" in message.extra_headers
        subscription = Subscription.objects.get()
        assert subscription.confirmed_at is None
        raw = link(message, "confirm").split("/")[-2]
        assert subscription.token_hash == hash_token(raw)
        assert raw not in str(Subscription.objects.values_list().get())  # only the hash is stored
        # Unconfirmed: nothing is sent.
        make_published(agency, title="关于调整城乡低保标准的通知", published_on=dt.date(2026, 11, 20))
        digest()
        assert len(mail.outbox) == 1
        # A GET of the link shows a button and changes nothing; the POST confirms.
        url = link(message, "confirm")
        assert "确认订阅" in client.get(url).content.decode()
        assert Subscription.objects.get().confirmed_at is None
        client.post(url)
    with time_machine.travel("2026-11-25 10:00 +0800", tick=False):
        make_published(agency, title="关于调整城乡低保标准的通知（二）", published_on=dt.date(2026, 11, 24))
        make_published(agency, title="行政处罚决定书", summary="", body="", published_on=dt.date(2026, 11, 24))
        make_published(agency, title="低保", published_on=dt.date(2026, 11, 1))  # before confirmation
        make_published(agency, title="低保撤回", published_on=dt.date(2026, 11, 24), status=Status.WITHDRAWN)
        make_published(
            agency, title="低保不公开", published_on=dt.date(2026, 11, 24), disclosure_mode=DisclosureMode.ON_REQUEST
        )
        other = make_agency("另一机关")
        make_published(other, title="低保（另一机关）", published_on=dt.date(2026, 11, 24))
        mail.outbox.clear()
        assert "发送邮件 1 封" in digest()
        [sent] = mail.outbox
        assert "关于调整城乡低保标准的通知" in sent.body
        assert "（二）" in sent.body
        for absent in ("行政处罚", "低保撤回", "低保不公开", "另一机关", "\n· 低保\n"):
            assert absent not in sent.body
        assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert DigestSent.objects.filter(sent_at__isnull=False).count() == 2
        # Second run: nothing.
        digest()
        assert len(mail.outbox) == 1


def test_unsubscribe_link_stops_mails(agency: Agency) -> None:
    with time_machine.travel(DAY1, tick=False):
        subscription = confirmed(agency, category=Category.ART20_11)
        url = link(mail.outbox[0], "unsubscribe")
        client = Client(enforce_csrf_checks=True)
        page = client.get(url)
        assert "确认退订" in page.content.decode()
        subscription.refresh_from_db()
        assert subscription.unsubscribed_at is None
        # RFC 8058 one-click: a POST without a CSRF token.
        response = client.post(url, {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
        subscription.refresh_from_db()
        assert subscription.unsubscribed_at is not None
        make_published(agency, category=Category.ART20_11, published_on=dt.date(2026, 11, 20))
        mail.outbox.clear()
        digest()
        assert mail.outbox == []


def test_every_digest_carries_a_working_unsubscribe_link(agency: Agency) -> None:
    with time_machine.travel(DAY1, tick=False):
        subscription = confirmed(None)
        make_published(agency, published_on=dt.date(2026, 11, 20))
        mail.outbox.clear()
        digest()
        [sent] = mail.outbox
        url = link(sent, "unsubscribe")
        assert url == reverse("subscriptions:unsubscribe", kwargs={"token": unsubscribe_token(subscription.pk)})
        assert url in sent.extra_headers["List-Unsubscribe"]
        Client().post(url)
        subscription.refresh_from_db()
        assert subscription.unsubscribed_at is not None


def test_bad_links_are_plain_404(agency: Agency) -> None:
    client = Client()
    assert client.get(reverse("subscriptions:confirm", kwargs={"token": "nope"})).status_code == 404
    assert client.post(reverse("subscriptions:unsubscribe", kwargs={"token": "1:forged"})).status_code == 404
    forged = unsubscribe_token(1)[:-2] + "xx"
    assert client.get(reverse("subscriptions:unsubscribe", kwargs={"token": forged})).status_code == 404


def test_confirmation_link_expires(agency: Agency) -> None:
    with time_machine.travel(DAY1, tick=False):
        subscribe(Client(), agency=agency.pk)
    url = link(mail.outbox[0], "confirm")
    with time_machine.travel("2026-11-28 10:00:01 +0800", tick=False):
        assert Client().post(url).status_code == 404
    assert Subscription.objects.get().confirmed_at is None


def test_bad_email_names_the_field(agency: Agency) -> None:
    response = subscribe(Client(), email="not-an-address")
    text = response.content.decode()
    assert response.status_code == 200
    assert "电子邮箱：电子邮箱格式不正确" in text
    assert not Subscription.objects.exists()
    assert mail.outbox == []


def test_throttles(agency: Agency, settings: Any) -> None:
    settings.GONGKAI_SUBSCRIBE_PER_EMAIL_DAY = 2
    for n in range(2):
        assert subscribe(Client(), keyword=f"词{n}").status_code == 200
    response = subscribe(Client(), keyword="词3")
    assert "今天的订阅次数已达上限" in response.content.decode()
    assert Subscription.objects.count() == 2
    client = Client()
    for n in range(5):
        subscribe(client, email=f"r{n}@example.com")
    assert subscribe(client, email="r9@example.com").status_code == 429
    assert Subscription.objects.count() == 7


def test_same_active_subscription_is_not_repeated(agency: Agency) -> None:
    confirmed(agency, keyword="低保")
    mail.outbox.clear()
    response = subscribe(Client(), agency=agency.pk, keyword=" 低保 ")
    assert "请查收确认邮件" in response.content.decode()  # the same page: nothing revealed
    assert mail.outbox == []
    assert Subscription.objects.count() == 1


def test_dry_run_and_since(agency: Agency) -> None:
    with time_machine.travel(DAY1, tick=False):
        confirmed(agency)
        make_published(agency, title="旧信息", published_on=dt.date(2026, 11, 1))
        make_published(agency, title="新信息", published_on=dt.date(2026, 11, 20))
        mail.outbox.clear()
        output = digest("--dry-run")
        assert "演练" in output
        assert "新信息" in output
        assert mail.outbox == []
        assert not DigestSent.objects.exists()
        digest("--since", "2026-10-01")
        [sent] = mail.outbox
        assert "旧信息" in sent.body
        assert "新信息" in sent.body


def test_concurrent_claims_never_send_twice(agency: Agency) -> None:
    """The claim is the unique DigestSent row: a second worker finds the items taken; a dead worker's stale claim is
    taken over once."""
    with time_machine.travel(DAY1, tick=False):
        subscription = confirmed(agency)
        make_published(agency, published_on=dt.date(2026, 11, 20))
        now = dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC)  # DAY1
        first = jobs._claim(subscription.pk, None, now)
        assert first is not None
        assert len(first[1]) == 1
        second = jobs._claim(subscription.pk, None, now)
        assert second is not None
        assert second[1] == []
        mail.outbox.clear()
        digest()
        assert mail.outbox == []  # claimed by the (dead) first worker, not yet stale
    with time_machine.travel("2026-11-20 12:00:01 +0800", tick=False):
        digest()
        assert len(mail.outbox) == 1
        digest()
        assert len(mail.outbox) == 1


def test_a_failed_mail_is_retried_after_the_claim_goes_stale(agency: Agency, monkeypatch: pytest.MonkeyPatch) -> None:
    with time_machine.travel(DAY1, tick=False):
        confirmed(agency)
        make_published(agency, published_on=dt.date(2026, 11, 20))
        mail.outbox.clear()

        def boom(*args: Any, **kwargs: Any) -> None:
            raise OSError("mail server down")

        monkeypatch.setattr(jobs.mail, "send_digest", boom)
        with pytest.raises(Exception, match="发送失败 1 封"):
            digest()
        monkeypatch.undo()
    with time_machine.travel("2026-11-20 12:00:01 +0800", tick=False):
        digest()
    assert len(mail.outbox) == 1


_text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["", " ", "\x00", "a@b", "a@b.cn", "x" * 400, "長" * 3000, "<script>", "%00", "999999999999999"]),
)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            "email": _text,
            "agency": st.one_of(_text, st.integers(-(2**70), 2**70).map(str)),
            "category": st.one_of(_text, st.sampled_from(Category.values)),
            "keyword": _text,
        },
    )
)
def test_subscribe_form_fuzz_never_500(agency: Agency, data: dict[str, str]) -> None:
    response = Client().post(reverse("subscriptions:subscribe"), data)
    assert response.status_code < 500


def test_digest_links_each_item_to_its_portal_page(agency: Agency, settings: Any) -> None:
    settings.GONGKAI_SITE_URL = "https://gk.example.gov.cn"
    with time_machine.travel(DAY1, tick=False):
        confirmed(agency)
        item = make_published(agency, published_on=dt.date(2026, 11, 20))
        mail.outbox.clear()
        digest()
    [sent] = mail.outbox
    assert f"https://gk.example.gov.cn/agencies/{agency.code}/xxgk/{item.pk}/" in sent.body
    assert "https://gk.example.gov.cn/subscribe/unsubscribe/" in sent.extra_headers["List-Unsubscribe"]
