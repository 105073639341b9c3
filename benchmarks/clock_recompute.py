"""Benchmark: recompute every open clock ledger after a calendar change (not a test).

    GONGKAI_DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python benchmarks/clock_recompute.py --cases 100000
    GONGKAI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongkai_bench .venv/bin/python benchmarks/clock_recompute.py

Creates N open ledgers with random events (bulk_create in batches) in a THROWAWAY database — the URL must be given and
must not be the demo database — then times
  (a) a loop that only reads the same rows (ledgers + their events, the same batched queries), and
  (b) the full service path of a calendar change: ``calendar_set_day`` (new version, audit row) including
      ``ledger_recompute_all`` (read, compute with the new calendar, write only the changed rows, record each move).
Goal: (b) ≤ 60 s at 1,000,000 ledgers on SQLite and on PostgreSQL. Prints both times and the ratio b / a.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def _guard() -> str:
    url = os.environ.get("GONGKAI_DATABASE_URL", "")
    if not url:
        sys.exit("请用 GONGKAI_DATABASE_URL 指定一个可丢弃的数据库（不要用演示数据库）")
    if "var/gongkai.sqlite3" in url or url.rstrip("/").endswith("/gongkai"):
        sys.exit(f"拒绝在演示/正式数据库上运行：{url}")
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000, help="bulk_create batch size")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--reuse", action="store_true", help="keep existing ledgers if their count matches --cases")
    options = parser.parse_args()
    url = _guard()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from gongkai.agencies.models import Agency, Kind, Level
    from gongkai.clock import selectors
    from gongkai.clock.engine import EventType, LedgerError, LedgerEvent, compute
    from gongkai.clock.models import CalendarDay, ClockLedger, ClockLedgerEvent, DayKind, DueDateMove
    from gongkai.clock.services import RECOMPUTE_BATCH, calendar_set_day

    call_command("migrate", interactive=False, verbosity=0)
    print(f"database: {connection.vendor} ({url.split('@')[-1]})")
    rng = random.Random(options.seed)
    change_day = dt.date(2026, 6, 15)  # a Monday: made a holiday, then restored, by the timed calendar change
    CalendarDay.objects.filter(date=change_day).delete()
    selectors.calendar_cache_clear()

    if not (options.reuse and ClockLedger.objects.filter(is_open=True).count() == options.cases):
        started = time.perf_counter()
        DueDateMove.objects.all().delete()
        ClockLedgerEvent.objects.all().delete()
        ClockLedger.objects.all().delete()
        agency, _ = Agency.objects.get_or_create(
            code="bench-agency", defaults={"name": "基准测试机关", "level": Level.COUNTY, "kind": Kind.DEPARTMENT}
        )
        calendar = selectors.current_calendar()
        made = 0
        while made < options.cases:
            n = min(options.batch, options.cases - made)
            ledgers: list[ClockLedger] = []
            histories: list[list[LedgerEvent]] = []
            for _ in range(n):
                received = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(365))
                events = _random_events(rng, received, EventType, LedgerEvent)
                try:
                    result = compute(received, events, calendar, explain=False)
                except LedgerError:
                    events = []
                    result = compute(received, events, calendar, explain=False)
                ledgers.append(
                    ClockLedger(
                        agency=agency,
                        subject="基准测试",
                        received=received,
                        reply_due=result.reply_due,
                        correction_notice_due=result.correction_notice_due,
                        provisional=result.provisional,
                    )
                )
                histories.append(events)
            created = ClockLedger.objects.bulk_create(ledgers)
            ClockLedgerEvent.objects.bulk_create(
                [
                    ClockLedgerEvent(
                        ledger_id=ledger.pk, seq=i + 1, type=e.type.value, date=e.date, days=e.days, until=e.until
                    )
                    for ledger, events in zip(created, histories, strict=True)
                    for i, e in enumerate(events)
                ],
                batch_size=options.batch,
            )
            made += n
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE clock_clockledger; ANALYZE clock_clockledgerevent")
        print(
            f"generated {made:,} ledgers, {ClockLedgerEvent.objects.count():,} events in {time.perf_counter() - started:.1f} s"
        )

    # (a) read only: the same batched queries as the recompute, rows turned into engine events, nothing computed.
    started = time.perf_counter()
    seen = events_read = 0
    last_id = 0
    while True:
        rows = list(
            ClockLedger.objects.filter(is_open=True, id__gt=last_id)
            .order_by("id")
            .values_list("id", "received", "reply_due", "correction_notice_due", "provisional")[:RECOMPUTE_BATCH]
        )
        if not rows:
            break
        first_id, last_id = rows[0][0], rows[-1][0]
        for _, type_, date, days, until in (
            ClockLedgerEvent.objects.filter(ledger_id__gte=first_id, ledger_id__lte=last_id)
            .order_by("ledger_id", "seq")
            .values_list("ledger_id", "type", "date", "days", "until")
        ):
            selectors.ledger_event(type_, date, days, until)
            events_read += 1
        seen += len(rows)
    read_seconds = time.perf_counter() - started
    print(f"(a) read only:           {read_seconds:8.2f} s  ({seen:,} ledgers, {events_read:,} events)")

    # (b) the calendar change, through the service: version + audit + recompute of every open ledger.
    started = time.perf_counter()
    change = calendar_set_day(day=change_day, kind=DayKind.HOLIDAY, name="基准测试", reason="基准测试", actor=None)
    recompute_seconds = time.perf_counter() - started
    r = change.recompute
    print(
        f"(b) calendar change:     {recompute_seconds:8.2f} s  ({r.seen:,} ledgers, {r.changed:,} changed, "
        f"{r.moves:,} due dates moved, {len(r.failed)} rejected)"
    )
    print(f"ratio (b)/(a):           {recompute_seconds / read_seconds:8.2f}")
    # Restore the day (also a full recompute) so that the database can be reused with --reuse.
    started = time.perf_counter()
    back = calendar_set_day(day=change_day, kind=None, reason="基准测试还原", actor=None)
    print(f"(b') restore change:     {time.perf_counter() - started:8.2f} s  ({back.recompute.changed:,} changed)")


def _random_events(rng: random.Random, received: dt.date, event_type: type, ledger_event: type) -> list:  # type: ignore[type-arg]
    def day(offset: int) -> dt.date:
        return received + dt.timedelta(days=offset)

    roll = rng.random()
    if roll < 0.5:
        return []
    if roll < 0.65:
        asked = rng.randrange(1, 6)
        return [
            ledger_event(event_type.CORRECTION_REQUESTED, day(asked)),
            ledger_event(event_type.CORRECTION_RECEIVED, day(asked + rng.randrange(2, 20))),
        ]
    if roll < 0.8:
        return [ledger_event(event_type.EXTENDED, day(rng.randrange(5, 20)), days=rng.randrange(1, 21))]
    if roll < 0.9:
        start = rng.randrange(2, 10)
        return [
            ledger_event(event_type.CONSULTATION_STARTED, day(start)),
            ledger_event(event_type.CONSULTATION_ENDED, day(start + rng.randrange(3, 25))),
        ]
    start = rng.randrange(2, 10)
    return [
        ledger_event(event_type.FEE_NOTIFIED, day(start)),
        ledger_event(event_type.FEE_PAID, day(start + rng.randrange(1, 25))),
    ]


if __name__ == "__main__":
    main()
