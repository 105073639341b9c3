"""WorkCalendar against the chinesecalendar package, and properties of the clock that must hold for every ledger."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gongkai.clock.calendar import WorkCalendar, YearArrangement
from gongkai.clock.engine import EventType, LedgerError, LedgerEvent, compute

CAL = WorkCalendar.from_chinesecalendar()
E = EventType


def test_every_day_2004_to_2026_matches_chinesecalendar_is_workday() -> None:
    day = dt.date(2004, 1, 1)
    mismatches = []
    while day.year <= 2026:
        if CAL.is_working_day(day) != chinese_calendar.is_workday(day):
            mismatches.append(day)
        day += dt.timedelta(days=1)
    assert mismatches == []


def test_unloaded_years_fall_back_to_weekends_only() -> None:
    assert CAL.is_working_day(dt.date(2027, 1, 1))  # a Friday; 元旦 unknown until the 2027 notice is loaded
    assert not CAL.is_working_day(dt.date(2027, 1, 2))
    assert not CAL.is_loaded(2027)
    assert CAL.is_loaded(2026)
    assert CAL.unloaded_years_between(dt.date(2026, 12, 30), dt.date(2028, 1, 3)) == (2027, 2028)
    assert CAL.unloaded_years_between(dt.date(2026, 12, 30), dt.date(2026, 12, 31)) == ()


def test_year_arrangement_rejects_inconsistent_data() -> None:
    with pytest.raises(ValueError, match="其他年份"):
        YearArrangement(2027, frozenset({dt.date(2026, 12, 31)}), frozenset())
    with pytest.raises(ValueError, match="不能同时"):
        YearArrangement(2027, frozenset({dt.date(2027, 1, 2)}), frozenset({dt.date(2027, 1, 2)}))


def _naive_is_workday(day: dt.date) -> bool:
    return chinese_calendar.is_workday(day) if 2004 <= day.year <= 2026 else day.weekday() < 5


days = st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2029, 12, 31))


@settings(deadline=None)  # the reference loop over chinese_calendar is slow on a busy machine
@given(start=days, n=st.integers(min_value=0, max_value=80))
def test_add_working_days_matches_a_day_by_day_count(start: dt.date, n: int) -> None:
    day, left = start, n
    while left:
        day += dt.timedelta(days=1)
        if _naive_is_workday(day):
            left -= 1
    assert CAL.add_working_days(start, n) == day
    assert CAL.working_days_between(start, day) == n


@settings(deadline=None)
@given(a=days, span=st.integers(min_value=-5, max_value=120))
def test_working_days_between_counts_a_exclusive_b_inclusive(a: dt.date, span: int) -> None:
    b = a + dt.timedelta(days=span)
    expected = sum(_naive_is_workday(a + dt.timedelta(days=k)) for k in range(1, span + 1))
    assert CAL.working_days_between(a, b) == expected


receipts = st.dates(min_value=dt.date(2004, 1, 1), max_value=dt.date(2027, 6, 30))


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[dt.date, list[LedgerEvent]]:
    """Valid-looking ledgers: optional 补正, optional consultation, optional extension, in date order."""
    received = draw(receipts)
    events: list[LedgerEvent] = []
    cursor = received
    if draw(st.booleans()):
        asked = cursor + dt.timedelta(days=draw(st.integers(0, 9)))
        got = asked + dt.timedelta(days=draw(st.integers(0, 30)))
        events += [LedgerEvent(E.CORRECTION_REQUESTED, asked), LedgerEvent(E.CORRECTION_RECEIVED, got)]
        cursor = got
    if draw(st.booleans()):
        start = cursor + dt.timedelta(days=draw(st.integers(0, 20)))
        end = start + dt.timedelta(days=draw(st.integers(0, 40)))
        events += [LedgerEvent(E.CONSULTATION_STARTED, start), LedgerEvent(E.CONSULTATION_ENDED, end)]
        cursor = end
    if draw(st.booleans()):
        events.append(LedgerEvent(E.EXTENDED, cursor, days=draw(st.integers(1, 20))))
    return received, events


def _due(received: dt.date, events: list[LedgerEvent], cal: WorkCalendar = CAL) -> dt.date:
    try:
        result = compute(received, events, cal, explain=False)
    except LedgerError:
        assume(False)
        raise
    assert result.reply_due is not None
    return result.reply_due


@settings(max_examples=300, deadline=None)
@given(ledgers())
def test_due_is_never_before_receipt(ledger: tuple[dt.date, list[LedgerEvent]]) -> None:
    received, events = ledger
    due = _due(received, events)
    assert due > received  # the receipt day itself is never counted (民法典第二百零一条)


@settings(max_examples=300, deadline=None)
@given(ledgers(), st.integers(0, 30), st.integers(0, 40))
def test_adding_a_pause_never_makes_the_due_date_earlier(
    ledger: tuple[dt.date, list[LedgerEvent]], offset: int, length: int
) -> None:
    received, events = ledger
    base = _due(received, events)
    last = max((e.date for e in events), default=received)
    start = last + dt.timedelta(days=offset)
    paused = [*events, LedgerEvent(E.FEE_NOTIFIED, start), LedgerEvent(E.FEE_PAID, start + dt.timedelta(days=length))]
    assert _due(received, paused) >= base


@settings(max_examples=300, deadline=None)
@given(ledgers(), st.integers(1, 20))
def test_an_extension_never_makes_the_due_date_earlier(ledger: tuple[dt.date, list[LedgerEvent]], days: int) -> None:
    received, events = ledger
    assume(not any(e.type is E.EXTENDED for e in events))
    base = _due(received, events)
    last = max((e.date for e in events), default=received)
    assume(last <= base)
    assert _due(received, [*events, LedgerEvent(E.EXTENDED, last, days=days)]) >= base


HOLIDAYS_2024_2026 = sorted(d for d in chinese_calendar.holidays if 2024 <= d.year <= 2026)
BASE_YEARS = {y: CAL.years[y] for y in (2023, 2024, 2025, 2026)}
BASE = WorkCalendar(BASE_YEARS)


@settings(max_examples=200, deadline=None)
@given(
    holiday=st.sampled_from(HOLIDAYS_2024_2026),
    received=st.dates(min_value=dt.date(2023, 11, 1), max_value=dt.date(2026, 10, 31)),
    pause=st.one_of(st.none(), st.tuples(st.integers(0, 25), st.integers(0, 30))),
    correction=st.one_of(st.none(), st.tuples(st.integers(0, 8), st.integers(0, 20))),
)
def test_turning_a_holiday_into_a_working_day_never_makes_the_due_date_later(
    holiday: dt.date,
    received: dt.date,
    pause: tuple[int, int] | None,
    correction: tuple[int, int] | None,
) -> None:
    old = BASE_YEARS[holiday.year]
    workdays = old.workdays | ({holiday} if holiday.weekday() >= 5 else set())
    changed = dict(BASE_YEARS)
    changed[holiday.year] = YearArrangement(holiday.year, old.holidays - {holiday}, frozenset(workdays))
    more_work = WorkCalendar(changed)
    assert more_work.is_working_day(holiday)
    events: list[LedgerEvent] = []
    cursor = received
    if correction is not None:
        asked = cursor + dt.timedelta(days=correction[0])
        cursor = asked + dt.timedelta(days=correction[1])
        events += [LedgerEvent(E.CORRECTION_REQUESTED, asked), LedgerEvent(E.CORRECTION_RECEIVED, cursor)]
    if pause is not None:
        start = cursor + dt.timedelta(days=pause[0])
        events += [
            LedgerEvent(E.CONSULTATION_STARTED, start),
            LedgerEvent(E.CONSULTATION_ENDED, start + dt.timedelta(days=pause[1])),
        ]
    assert _due(received, events, more_work) <= _due(received, events, BASE)
    assert more_work.add_working_days(received, 7) <= BASE.add_working_days(received, 7)
