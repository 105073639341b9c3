"""Throughput of the statutory clock on one core: random ledgers in, due dates out (the fast path, explain=False).

    .venv/bin/python benchmarks/clock_compute.py [--cases N] [--seed S]

Prints computations/second for the engine beside two baselines measured in the same run: a loop that only walks the
same ledgers (the floor of any implementation) and a naive day-by-day count with chinese_calendar.is_workday
(what the engine replaces). Goal: ≥ 500,000 computations/s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import chinese_calendar

from gongkai.clock.calendar import WorkCalendar
from gongkai.clock.engine import EventType, LedgerEvent, compute

GOAL = 500_000
E = EventType
Ledger = tuple[dt.date, list[LedgerEvent]]


def generate(n: int, seed: int) -> list[Ledger]:
    """A mix close to real case loads: most ledgers have no event, some a pause, an extension or a 补正."""
    rng = random.Random(seed)
    first = dt.date(2010, 1, 1).toordinal()
    last = dt.date(2026, 10, 31).toordinal()
    out: list[Ledger] = []
    for _ in range(n):
        received = dt.date.fromordinal(rng.randint(first, last))
        kind = rng.random()
        events: list[LedgerEvent] = []
        if kind < 0.60:
            pass
        elif kind < 0.75:
            start = received + dt.timedelta(days=rng.randint(1, 15))
            events = [
                LedgerEvent(E.CONSULTATION_STARTED, start),
                LedgerEvent(E.CONSULTATION_ENDED, start + dt.timedelta(days=rng.randint(1, 25))),
            ]
        elif kind < 0.85:
            events = [
                LedgerEvent(E.EXTENDED, received + dt.timedelta(days=rng.randint(1, 20)), days=rng.randint(1, 20))
            ]
        elif kind < 0.95:
            asked = received + dt.timedelta(days=rng.randint(0, 6))
            events = [
                LedgerEvent(E.CORRECTION_REQUESTED, asked),
                LedgerEvent(E.CORRECTION_RECEIVED, asked + dt.timedelta(days=rng.randint(1, 20))),
            ]
        else:
            notified = received + dt.timedelta(days=rng.randint(1, 15))
            events = [
                LedgerEvent(E.FEE_NOTIFIED, notified),
                LedgerEvent(E.FEE_PAID, notified + dt.timedelta(days=rng.randint(1, 25))),
            ]
        out.append((received, events))
    return out


def walk_only(ledgers: list[Ledger]) -> int:
    """Baseline floor: touch every ledger and event, compute nothing."""
    total = 0
    for received, events in ledgers:
        total += received.day
        for event in events:
            total += event.date.day
    return total


def naive_due(received: dt.date, n: int = 20) -> dt.date:
    """Baseline: the obvious day-by-day loop over chinese_calendar.is_workday (reply date only, no ledger)."""
    day = received
    while n:
        day += dt.timedelta(days=1)
        if chinese_calendar.is_workday(day):
            n -= 1
    return day


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:>12,.0f} /s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20240205)
    options = parser.parse_args()
    n = options.cases

    calendar = WorkCalendar.from_chinesecalendar()
    t0 = time.perf_counter()
    ledgers = generate(n, options.seed)
    print(f"generated {n:,} ledgers (seed {options.seed}) in {time.perf_counter() - t0:.1f} s — not timed below")

    t0 = time.perf_counter()
    walk_only(ledgers)
    walk = time.perf_counter() - t0

    sample = ledgers[: min(n, 2_000)]
    t0 = time.perf_counter()
    for received, _ in sample:
        naive_due(received)
    naive = time.perf_counter() - t0

    # warm up, then the measured fast path
    for received, events in ledgers[:1000]:
        compute(received, events, calendar, explain=False)
    t0 = time.perf_counter()
    for received, events in ledgers:
        compute(received, events, calendar, explain=False)
    engine = time.perf_counter() - t0

    explained = ledgers[: min(n, 20_000)]
    t0 = time.perf_counter()
    for received, events in explained:
        compute(received, events, calendar)
    explain = time.perf_counter() - t0

    engine_rate = n / engine
    print(f"Python {sys.version.split()[0]}, one core")
    print(f"baseline walk-only loop        {n:>9,} ledgers {walk:8.3f} s {rate(n, walk)}")
    naive_label = "baseline naive is_workday loop"
    print(f"{naive_label} {len(sample):>9,} ledgers {naive:8.3f} s {rate(len(sample), naive)}  (reply date only)")
    print(f"engine compute(explain=False)  {n:>9,} ledgers {engine:8.3f} s {rate(n, engine)}")
    print(
        f"engine compute(explain=True)   {len(explained):>9,} ledgers {explain:8.3f} s {rate(len(explained), explain)}"
    )
    print(
        f"engine / naive: {engine_rate / (len(sample) / naive):,.1f}x   engine / walk-only: {engine_rate / (n / walk):.3f}"
    )
    verdict = "reached" if engine_rate >= GOAL else "NOT reached"
    print(f"goal {GOAL:,}/s: {verdict} ({engine_rate:,.0f}/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
