"""Shared rate limits (gongkai.ratelimit): the store every worker sees, the client address, and the limits on the
public form, tracking, subscriptions and the anonymous API — 429 with a Chinese page or JSON and Retry-After."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from config.env import BASE_DIR
from gongkai.agencies.models import Agency
from gongkai.cases import services
from gongkai.cases.models import Case
from gongkai.ratelimit.apps import check_rates
from gongkai.ratelimit.http import client_ip, retry_text
from gongkai.ratelimit.models import RateCounter
from gongkai.ratelimit.services import (
    Rate,
    RateError,
    parse_rate,
    rate_counters_purge,
    rate_hit,
    rate_peek,
)
from tests.cases.conftest import agency, application, government  # noqa: F401
from tests.cases.test_concurrency import ON_POSTGRESQL, flushable_audit_log  # noqa: F401
from tests.cases.test_public_views import form_data, form_url
from tests.factories import valid_id_number

HOUR = 3600
T0 = 1_800_000_000.0  # a fixed instant, a multiple of 3600 (window start)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "_render", lambda doc: (b"PK\x03\x04 fake docx", b"%PDF-1.4 fake"))


# ---------------------------------------------------------------------------------------------------------------------
# Rates and the store


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30/hour", Rate(30, 3600)),
        ("10/day", Rate(10, 86400)),
        ("5/15min", Rate(5, 900)),
        ("3/s", Rate(3, 1)),
        (" 7 / 2h ", Rate(7, 7200)),
        ("off", None),
    ],
)
def test_rates_parse(text: str, expected: Rate | None) -> None:
    assert parse_rate(text) == expected


@pytest.mark.parametrize("text", ["30", "30/fortnight", "0/hour", "abc/hour", "30/0min", ""])
def test_bad_rates_are_refused_in_chinese(text: str) -> None:
    with pytest.raises(RateError, match=r"频率|大于 0"):
        parse_rate(text)


def test_a_bad_rate_setting_fails_the_system_check(settings: Any) -> None:
    assert check_rates() == []
    settings.GONGKAI_TRACK_RATE = "60 per hour"
    problems = check_rates()
    assert [p.id for p in problems] == ["gongkai.ratelimit.E001"]
    assert "GONGKAI_TRACK_RATE" in problems[0].msg


def test_hits_count_up_to_the_limit_then_refuse_until_the_window_ends(db: Any) -> None:
    rate = Rate(3, HOUR)
    decisions = [rate_hit(scope="t", ident="1.2.3.4", rate=rate, now=T0 + 10 + i) for i in range(5)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert [d.hits for d in decisions] == [1, 2, 3, 4, 5]  # a refused hit counts too: hammering does not help
    assert decisions[3].retry_after == HOUR - 13
    # Another client and another scope count on their own.
    assert rate_hit(scope="t", ident="5.6.7.8", rate=rate, now=T0 + 20).hits == 1
    assert rate_hit(scope="u", ident="1.2.3.4", rate=rate, now=T0 + 20).hits == 1
    assert rate_peek(scope="t", ident="1.2.3.4", rate=rate, now=T0 + 30) == 5
    # The next window starts afresh.
    assert rate_hit(scope="t", ident="1.2.3.4", rate=rate, now=T0 + HOUR).allowed
    # "off" never refuses and stores nothing.
    before = RateCounter.objects.count()
    assert all(rate_hit(scope="t", ident="x", rate=None).allowed for _ in range(50))
    assert RateCounter.objects.count() == before


def test_keys_do_not_store_the_address_or_number_in_clear(db: Any) -> None:
    number = valid_id_number()
    rate_hit(scope="applicant_id", ident=number, rate=Rate(5, HOUR), now=T0)
    rate_hit(scope="apply", ident="203.0.113.9", rate=Rate(5, HOUR), now=T0)
    keys = list(RateCounter.objects.values_list("key", flat=True))
    assert len(keys) == 2
    assert not any(number in k or "203.0.113.9" in k for k in keys)


def test_expired_counters_are_purged(db: Any) -> None:
    rate_hit(scope="t", ident="a", rate=Rate(5, 60), now=T0)
    rate_hit(scope="t", ident="b", rate=Rate(5, HOUR), now=T0)
    assert rate_counters_purge(now=T0 + 61) == 1
    assert RateCounter.objects.count() == 1


# SQLite: a deployed file database serialises the writers (one statement each, so nothing to lose); the test
# database is shared-cache in-memory, where a second writer fails at once (see tests/cases/test_concurrency.py).
@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRESQL, reason="concurrent writers need a real server: PostgreSQL run only")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("flushable_audit_log")
def test_concurrent_workers_lose_no_hit() -> None:
    """Several connections (as several gunicorn workers would) hitting one key at once: the upsert is atomic, the
    total is exact."""
    rate = Rate(10_000, HOUR)
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            for _ in range(25):
                rate_hit(scope="race", ident="198.51.100.1", rate=rate, now=T0)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert rate_peek(scope="race", ident="198.51.100.1", rate=rate, now=T0) == 100
    assert RateCounter.objects.count() == 1


_WORKER = """
import os, sys, django
django.setup()
from gongkai.ratelimit.services import Rate, rate_hit
rate = Rate(100_000, 3600)
for _ in range(int(sys.argv[1])):
    rate_hit(scope="procs", ident="198.51.100.9", rate=rate, now=1_800_000_000.0)
"""


@pytest.mark.skipif(ON_POSTGRESQL, reason="about the SQLite store; runs in the SQLite run")
def test_worker_processes_share_the_counters_in_a_sqlite_file(tmp_path: Path) -> None:
    """What gunicorn does: separate processes on one SQLite file (WAL, busy timeout) count together, losing nothing."""
    env = {
        **os.environ,
        "GONGKAI_ENV": "test",
        "GONGKAI_VAR_DIR": str(tmp_path),
        "GONGKAI_DATABASE_URL": f"sqlite:///{tmp_path / 'gongkai.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    manage = [sys.executable, "manage.py", "migrate", "ratelimit", "-v0"]
    subprocess.run(manage, env=env, check=True, timeout=120, cwd=BASE_DIR)

    def run(arg: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", _WORKER, arg], env=env, cwd=BASE_DIR, stdout=subprocess.PIPE, text=True
        )

    assert run("1").wait(timeout=120) == 0  # creates the personal-data key file before the others race for it
    workers = [run("50") for _ in range(4)]
    assert [w.wait(timeout=300) for w in workers] == [0, 0, 0, 0]
    with sqlite3.connect(tmp_path / "gongkai.sqlite3") as db:
        assert db.execute("SELECT SUM(hits), COUNT(*) FROM ratelimit_ratecounter").fetchone() == (201, 1)


# ---------------------------------------------------------------------------------------------------------------------
# The client address


def test_client_address_ignores_forwarded_headers_unless_behind_a_proxy(settings: Any) -> None:
    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7")
    settings.BEHIND_PROXY = False
    assert client_ip(request) == "10.0.0.5"  # the client wrote that header: not to be trusted
    settings.BEHIND_PROXY = True
    assert client_ip(request) == "203.0.113.7"  # the hop our proxy appended, not the client's own first entry
    assert client_ip(factory.get("/", REMOTE_ADDR="10.0.0.5")) == "10.0.0.5"


def test_an_ipv6_client_is_counted_by_its_64(settings: Any) -> None:
    factory = RequestFactory()
    settings.BEHIND_PROXY = False
    one = client_ip(factory.get("/", REMOTE_ADDR="2001:db8:1:2::1"))
    other = client_ip(factory.get("/", REMOTE_ADDR="2001:db8:1:2:ffff::9"))
    assert one == other == "2001:db8:1:2::/64"
    assert client_ip(factory.get("/", REMOTE_ADDR="::ffff:192.0.2.1")) == "192.0.2.1"


def test_retry_text_is_chinese() -> None:
    assert retry_text(30) == "30秒"
    assert retry_text(61) == "2分钟"
    assert retry_text(5 * 3600) == "5小时"


# ---------------------------------------------------------------------------------------------------------------------
# The application form


def _post(client: Client, agency: Agency, ip: str, **overrides: Any) -> Any:  # noqa: F811
    return client.post(form_url(agency), form_data(**overrides), REMOTE_ADDR=ip)


def test_application_form_refuses_past_the_address_limit_with_a_chinese_429(
    client: Client,
    agency: Agency,  # noqa: F811
    settings: Any,
) -> None:
    settings.GONGKAI_APPLY_RATE = "2/hour"
    settings.GONGKAI_APPLY_CAPTCHA_AFTER = 100  # the limit, not the CAPTCHA, is under test here
    for n in range(2):
        response = _post(
            client, agency, "198.51.100.20", phone=f"1390375000{n}", id_number=valid_id_number(serial=f"41{n}")
        )
        assert response.status_code == 302
    response = _post(client, agency, "198.51.100.20", applicant_name="李四", phone="13903759999")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    html = response.content.decode()
    assert "提交过于频繁" in html
    assert 'value="李四"' in html  # what was typed is kept
    assert Case.objects.count() == 2
    # Another address is not affected.
    assert (
        _post(client, agency, "198.51.100.21", phone="13903758888", id_number=valid_id_number(serial="499")).status_code
        == 302
    )


def test_application_form_limits_one_applicant_across_addresses(
    client: Client,
    agency: Agency,  # noqa: F811
    settings: Any,
) -> None:
    settings.GONGKAI_APPLICANT_RATE = "2/day"
    settings.GONGKAI_APPLY_CAPTCHA_AFTER = 100
    number = valid_id_number()
    assert _post(client, agency, "198.51.100.1", id_number=number, phone="13900000001").status_code == 302
    assert _post(client, agency, "198.51.100.2", id_number=number, phone="13900000002").status_code == 302
    # Same ID number from a third address and a third phone: refused.
    response = _post(client, agency, "198.51.100.3", id_number=number, phone="13900000003")
    assert response.status_code == 429
    assert "同一申请人近期提交的申请过多" in response.content.decode()
    assert "Retry-After" in response
    # Same phone (written differently) with another ID number: refused too.
    _post(client, agency, "198.51.100.4", id_number=valid_id_number(serial="511"), phone="139-0000-0009")
    _post(client, agency, "198.51.100.5", id_number=valid_id_number(serial="512"), phone="13900000009")
    response = _post(client, agency, "198.51.100.6", id_number=valid_id_number(serial="513"), phone="139 0000 0009")
    assert response.status_code == 429
    assert Case.objects.count() == 4


def test_web_form_and_api_share_the_applicant_count(
    client: Client,
    agency: Agency,  # noqa: F811
    settings: Any,
) -> None:
    from tests.api.conftest import intake_body, intake_url

    settings.GONGKAI_APPLICANT_RATE = "1/day"
    number = valid_id_number()
    assert _post(client, agency, "198.51.100.30", id_number=number, phone="13900000030").status_code == 302
    api = APIClient()
    response = api.post(
        intake_url(agency),
        intake_body(id_number=number, phone="13900000031"),
        format="json",
        REMOTE_ADDR="198.51.100.31",
    )
    assert response.status_code == 429
    assert "请求已被限流" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0


# ---------------------------------------------------------------------------------------------------------------------
# Tracking


@pytest.fixture
def case(agency: Agency) -> Case:  # noqa: F811
    return services.case_submit_online(agency=agency, data=application())


def test_tracking_refuses_past_the_address_limit(client: Client, case: Case, settings: Any) -> None:
    settings.GONGKAI_TRACK_RATE = "3/hour"
    for _ in range(3):
        # A fresh session each time: the per-session brake must not be what stops it.
        Client().post(
            reverse("apply:track"), {"code": "ZZZZ-ZZZZ-ZZZZ", "phone_last4": "0000"}, REMOTE_ADDR="192.0.2.8"
        )
    response = client.post(
        reverse("apply:track"), {"code": case.tracking_code, "phone_last4": case.phone[-4:]}, REMOTE_ADDR="192.0.2.8"
    )
    assert response.status_code == 429
    assert "查询过于频繁" in response.content.decode()
    assert int(response["Retry-After"]) > 0


def test_tracking_limits_one_code_across_addresses(client: Client, case: Case, settings: Any) -> None:
    settings.GONGKAI_TRACK_CODE_RATE = "3/hour"
    for n in range(3):
        Client().post(
            reverse("apply:track"),
            {"code": case.tracking_code.lower(), "phone_last4": "0000"},
            REMOTE_ADDR=f"192.0.2.{n}",
        )
    response = client.post(
        reverse("apply:track"), {"code": case.tracking_code, "phone_last4": case.phone[-4:]}, REMOTE_ADDR="192.0.2.99"
    )
    assert response.status_code == 429  # even with the right digits: the code is being guessed at
    # The API counts against the same code.
    api = APIClient()
    response = api.post(
        "/api/public/track/",
        {"tracking_code": case.tracking_code, "phone_last4": case.phone[-4:]},
        format="json",
        REMOTE_ADDR="192.0.2.100",
    )
    assert response.status_code == 429


# ---------------------------------------------------------------------------------------------------------------------
# The API throttles use the shared store


def test_api_throttle_counts_in_the_shared_store(agency: Agency, settings: Any) -> None:  # noqa: F811
    from tests.api.conftest import intake_body, intake_url

    settings.GONGKAI_API_INTAKE_RATE = "2/hour"
    api = APIClient()
    codes = [
        api.post(
            intake_url(agency),
            intake_body(id_number=valid_id_number(serial=f"6{n:02d}"), phone=f"139000001{n:02d}"),
            format="json",
            REMOTE_ADDR="203.0.113.50",
        ).status_code
        for n in range(3)
    ]
    assert codes == [201, 201, 429]
    # The counter is a database row, which every worker process reads: not a per-process cache entry.
    assert RateCounter.objects.filter(key__startswith="api_intake:", hits=3).count() == 1


# ---------------------------------------------------------------------------------------------------------------------
# Subscriptions


def test_subscribe_refuses_past_the_address_limit(client: Client, db: Any, settings: Any) -> None:
    settings.GONGKAI_SUBSCRIBE_RATE = "2/hour"
    for n in range(2):
        Client().post(reverse("subscriptions:subscribe"), {"email": f"a{n}@example.com"}, REMOTE_ADDR="192.0.2.60")
    response = client.post(reverse("subscriptions:subscribe"), {"email": "b@example.com"}, REMOTE_ADDR="192.0.2.60")
    assert response.status_code == 429
    assert "操作过于频繁" in response.content.decode()
    assert "订阅" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert client.get(reverse("subscriptions:subscribe"), REMOTE_ADDR="192.0.2.60").status_code == 200  # GETs are free


def test_migrate_creates_the_counter_table(db: Any) -> None:
    # No createcachetable step: the store is a migrated model, present wherever `migrate` ran.
    assert RateCounter._meta.db_table in connection.introspection.table_names()
    call_command("check", "--tag", "security")


# ---------------------------------------------------------------------------------------------------------------------
# Public accounts


def test_public_login_and_registration_are_limited_per_address(client: Client, db: Any, settings: Any) -> None:
    settings.GONGKAI_ACCOUNT_RATE = "3/hour"
    for _ in range(2):
        response = Client().post(
            reverse("account:login"), {"username": "nobody", "password": "wrong-password"}, REMOTE_ADDR="192.0.2.80"
        )
        assert response.status_code == 200  # the ordinary "wrong password" page
    assert Client().post(reverse("account:register"), {}, REMOTE_ADDR="192.0.2.80").status_code == 200
    # Login and registration share the count: the fourth POST from the address is refused, whichever page it hits.
    for name in ("account:login", "account:register"):
        response = client.post(reverse(name), {"username": "nobody", "password": "x"}, REMOTE_ADDR="192.0.2.80")
        assert response.status_code == 429
        assert "注册或登录" in response.content.decode()
        assert int(response["Retry-After"]) > 0
    assert client.get(reverse("account:login"), REMOTE_ADDR="192.0.2.80").status_code == 200  # reading stays free
    assert Client().post(reverse("account:register"), {}, REMOTE_ADDR="192.0.2.81").status_code == 200
