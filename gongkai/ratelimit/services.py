"""Fixed-window counters shared by every worker process: in the database by default, in Redis when configured.

Why not the cache framework everywhere: Django's LocMemCache is per process (each gunicorn worker would count on its
own, multiplying every limit by the number of workers), and DatabaseCache/FileBasedCache implement ``incr`` as a read
followed by a write, so two workers racing lose hits. The database store is one statement,
``INSERT … ON CONFLICT (key, window_start) DO UPDATE SET hits = hits + 1 RETURNING hits``, atomic on SQLite (≥ 3.35)
and PostgreSQL alike and created by ``migrate`` (no ``createcachetable`` step). With ``GONGKAI_REDIS_URL`` the counters
live in Redis instead (``add`` then ``INCR``, atomic on the server), which spares the database one write per request.

A fixed window lets a client spend up to twice the limit around a window boundary; the limits here brake guessing and
flooding and do not meter anything, so that is accepted for one row (or one key) per client and window.
"""

from __future__ import annotations

import contextlib
import math
import re
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction

from gongkai.core import crypto
from gongkai.ratelimit.models import RateCounter

__all__ = [
    "RATE_SETTINGS",
    "Decision",
    "Rate",
    "RateError",
    "applicant_hits",
    "parse_rate",
    "rate_counters_purge",
    "rate_from_settings",
    "rate_hit",
    "rate_hit_all",
    "rate_peek",
    "tracking_code_ident",
]

# Every rate setting with its default; ``apps.check_rates`` parses them all at startup.
RATE_SETTINGS: dict[str, str] = {
    "GONGKAI_APPLY_RATE": "30/hour",  # web application form: submissions per client address
    "GONGKAI_APPLICANT_RATE": "10/day",  # web form and API together: submissions per phone number and per ID number
    "GONGKAI_TRACK_RATE": "60/hour",  # web tracking: look-ups per client address
    "GONGKAI_TRACK_CODE_RATE": "20/hour",  # web tracking and API together: look-ups per tracking code
    "GONGKAI_API_INTAKE_RATE": "30/hour",  # API intake per client address
    "GONGKAI_API_TRACK_RATE": "60/hour",  # API tracking per client address
    "GONGKAI_SUBSCRIBE_RATE": "10/hour",  # subscription sign-ups per client address (each one sends an e-mail)
    "GONGKAI_ACCOUNT_RATE": "30/hour",  # public registration and login attempts per client address
    "GONGKAI_COMPLAINT_RATE": "10/hour",  # public 投诉举报 submissions per client address
}

_UNITS = {
    **dict.fromkeys(("s", "sec", "second", "seconds"), 1),
    **dict.fromkeys(("m", "min", "minute", "minutes"), 60),
    **dict.fromkeys(("h", "hour", "hours"), 3600),
    **dict.fromkeys(("d", "day", "days"), 86400),
}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*$")
_PURGE_EVERY = 300  # seconds between purges of expired rows, per process
_last_purge = 0.0
_purge_lock = threading.Lock()


class RateError(ValueError):
    pass


@dataclass(frozen=True)
class Rate:
    limit: int
    window: int  # seconds

    def __str__(self) -> str:
        return f"{self.limit}/{self.window}s"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    hits: int  # in the current window, this one included
    limit: int
    retry_after: int  # seconds until the window ends (≥ 1)


def parse_rate(text: str) -> Rate | None:
    """``"30/hour"``, ``"10/day"``, ``"5/15min"``; ``"off"`` → None (no limit)."""
    if text.strip().lower() in ("off", "none"):
        return None
    match = _RATE.match(text.lower())
    if match is None or match.group(3) not in _UNITS:
        raise RateError(f"“{text}”不是有效的频率，应写作“次数/时间单位”，如 30/hour、10/day、5/15min，或 off")
    limit = int(match.group(1))
    window = int(match.group(2) or 1) * _UNITS[match.group(3)]
    if limit < 1 or window < 1:
        raise RateError(f"“{text}”的次数和时长都必须大于 0")
    return Rate(limit, window)


def rate_from_settings(name: str) -> Rate | None:
    """Read at each use, so that a deployment's (and a test's) setting applies without reloading anything."""
    return parse_rate(str(getattr(settings, name, None) or RATE_SETTINGS[name]))


def _key(scope: str, ident: str) -> str:
    # Keyed (the personal-data index key): ID numbers and phones are guessable, so a plain hash would give them away.
    return f"{scope[:40]}:{crypto.blind_index('ratelimit:' + scope, ident)[:40]}"


def _window(rate: Rate, now: float) -> tuple[int, int]:
    start = int(now // rate.window) * rate.window
    return start, max(1, math.ceil(start + rate.window - now))


def _cache_alias() -> str:
    return str(getattr(settings, "GONGKAI_RATELIMIT_CACHE", "") or "")


def _db_hit(key: str, start: int, expires: int) -> int:
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    upsert = (
        f"INSERT INTO {table} (key, window_start, hits, expires_at) VALUES (%s, %s, 1, %s) "  # noqa: S608
        f"ON CONFLICT (key, window_start) DO UPDATE SET hits = {table}.hits + 1 RETURNING hits"
    )
    # PostgreSQL: a counter need not wait for its WAL flush (measured 8.1 → 1.1–2.0 ms per hit, loaded machine); a crash
    # forgets at most the last fraction of a second of hits. Only in a transaction of its own: SET LOCAL inside a
    # caller's transaction would relax that transaction's commit too.
    relaxed = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic() if relaxed else contextlib.nullcontext(), connection.cursor() as cursor:
        if relaxed:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute(upsert, [key, start, expires])
        row = cursor.fetchone()
    hits = int(row[0])
    if hits == 1:
        _maybe_purge()
    return hits


def _cache_hit(alias: str, key: str, start: int, ttl: int) -> int:
    cache = caches[alias]
    name = f"rl:{key}:{start}"
    cache.add(name, 0, timeout=ttl)
    try:
        return int(cache.incr(name))
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=ttl)
        return 1


def rate_hit(*, scope: str, ident: str, rate: Rate | None, now: float | None = None) -> Decision:
    """Count one hit of ``ident`` (a client address, a phone, a tracking code) in ``scope`` and say whether it is
    within ``rate``. A refused hit is counted too: hammering does not shorten the wait."""
    if rate is None:
        return Decision(True, 0, 0, 1)
    now = time.time() if now is None else now
    start, retry_after = _window(rate, now)
    key = _key(scope, ident)
    alias = _cache_alias()
    hits = _cache_hit(alias, key, start, rate.window + 60) if alias else _db_hit(key, start, start + rate.window)
    return Decision(hits <= rate.limit, hits, rate.limit, retry_after)


def rate_hit_all(hits: list[tuple[str, str]], rate: Rate | None, *, now: float | None = None) -> Decision:
    """Count each (scope, ident); refused if any one is over, with the longest wait."""
    decisions = [rate_hit(scope=scope, ident=ident, rate=rate, now=now) for scope, ident in hits if ident]
    refused = [d for d in decisions if not d.allowed]
    if refused:
        return max(refused, key=lambda d: d.retry_after)
    return decisions[0] if decisions else Decision(True, 0, 0, 1)


def applicant_hits(*, phone: str, id_number: str) -> list[tuple[str, str]]:
    """The per-applicant keys of an application (web form and API count together): the phone's digits and the ID
    number, each on its own, so that varying one of them does not reset the count."""
    digits = re.sub(r"\D", "", phone)
    number = re.sub(r"\s", "", id_number).upper()
    return [("applicant_phone", digits), ("applicant_id", number)]


def tracking_code_ident(code: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", code.upper())[:40]


def rate_peek(*, scope: str, ident: str, rate: Rate | None, now: float | None = None) -> int:
    """Hits of ``ident`` in the current window, without counting one."""
    if rate is None:
        return 0
    now = time.time() if now is None else now
    start, _retry = _window(rate, now)
    key = _key(scope, ident)
    alias = _cache_alias()
    if alias:
        return int(caches[alias].get(f"rl:{key}:{start}", 0))
    row = RateCounter.objects.filter(key=key, window_start=start).values_list("hits", flat=True).first()
    return int(row or 0)


def rate_counters_purge(*, now: float | None = None) -> int:
    """Delete the database counters whose window has ended; returns how many."""
    now = time.time() if now is None else now
    deleted, _by_model = RateCounter.objects.filter(expires_at__lt=int(now)).delete()
    return deleted


def _maybe_purge() -> None:
    # At most once per _PURGE_EVERY per process, on the first hit of a new window: the table stays at about one row
    # per active client and window without a cron job.
    global _last_purge
    now = time.time()
    if now - _last_purge < _PURGE_EVERY or not _purge_lock.acquire(blocking=False):
        return
    try:
        _last_purge = now
        rate_counters_purge(now=now)
    finally:
        _purge_lock.release()
