"""The rate-limit store on Redis (GONGKAI_REDIS_URL): counters in Redis instead of the database, atomic under
concurrent workers, and the settings that switch to it. Needs the local Redis at 127.0.0.1:6379 (database 15, which
these tests empty); skipped with the reason when it does not answer."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from gongkai.agencies.models import Agency
from gongkai.ratelimit.models import RateCounter
from gongkai.ratelimit.services import Rate, rate_hit, rate_peek
from tests.cases.conftest import agency, government  # noqa: F401
from tests.factories import valid_id_number

REDIS_URL = "redis://127.0.0.1:6379/15"
HOUR = 3600
T0 = 1_800_000_000.0


def _redis_answers() -> str | None:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as error:  # any failure means: no Redis here
        return f"Redis not reachable at {REDIS_URL} ({error.__class__.__name__}); start redis-server to run these"
    return None


_SKIP = _redis_answers()
pytestmark = pytest.mark.skipif(_SKIP is not None, reason=_SKIP or "")


@pytest.fixture
def on_redis(settings: Any) -> Iterator[str]:
    prefix = f"gongkai-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "rl": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": prefix},
    }
    settings.GONGKAI_RATELIMIT_CACHE = "rl"
    yield prefix
    caches["rl"].clear()


def test_counts_in_redis_not_in_the_database(on_redis: str, db: Any) -> None:
    rate = Rate(2, HOUR)
    decisions = [rate_hit(scope="t", ident="192.0.2.1", rate=rate, now=T0 + 5) for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, False]
    assert decisions[2].retry_after == HOUR - 5
    assert rate_peek(scope="t", ident="192.0.2.1", rate=rate, now=T0 + 6) == 3
    assert rate_hit(scope="t", ident="192.0.2.1", rate=rate, now=T0 + HOUR).allowed  # next window
    assert not RateCounter.objects.exists()
    import redis

    keys = redis.Redis.from_url(REDIS_URL).keys(f"{on_redis}:*")
    assert keys, "the counters are Redis keys"
    ttl = redis.Redis.from_url(REDIS_URL).ttl(keys[0])
    assert 0 < ttl <= HOUR + 60  # they expire by themselves


def test_concurrent_workers_lose_no_hit_on_redis(on_redis: str) -> None:
    rate = Rate(100_000, HOUR)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            for _ in range(50):
                rate_hit(scope="race", ident="198.51.100.1", rate=rate, now=T0)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert rate_peek(scope="race", ident="198.51.100.1", rate=rate, now=T0) == 200


def test_api_throttle_uses_the_redis_store(on_redis: str, agency: Agency, settings: Any) -> None:  # noqa: F811
    from tests.api.conftest import intake_body, intake_url

    settings.GONGKAI_API_INTAKE_RATE = "1/hour"
    api = APIClient()
    first = api.post(intake_url(agency), intake_body(), format="json", REMOTE_ADDR="203.0.113.70")
    second = api.post(
        intake_url(agency),
        intake_body(id_number=valid_id_number(serial="777"), phone="13900000777"),
        format="json",
        REMOTE_ADDR="203.0.113.70",
    )
    assert (first.status_code, second.status_code) == (201, 429)
    assert int(second["Retry-After"]) > 0
    assert not RateCounter.objects.exists()


def _settings_with(**env: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.CACHES['default']['BACKEND'], s.CACHES['default'].get('LOCATION'), repr(s.GONGKAI_RATELIMIT_CACHE))"
    )
    environment = {**os.environ, "GONGKAI_ENV": "test", **env}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=60)


def test_gongkai_redis_url_switches_the_caches() -> None:
    result = _settings_with(GONGKAI_REDIS_URL=REDIS_URL)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.core.cache.backends.redis.RedisCache", REDIS_URL, "'default'"]
    result = _settings_with(GONGKAI_REDIS_URL="")
    assert result.stdout.split() == ["django.core.cache.backends.locmem.LocMemCache", "None", "''"]


def test_a_malformed_redis_url_stops_startup_with_one_line() -> None:
    result = _settings_with(GONGKAI_REDIS_URL="127.0.0.1:6379")
    assert result.returncode == 2
    assert "GONGKAI_REDIS_URL" in result.stderr
    assert "Traceback" not in result.stderr
