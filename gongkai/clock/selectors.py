"""Reads of the calendar and the clock ledgers. Writes are in ``services.py``."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max

from gongkai.accounts.models import Membership
from gongkai.accounts.roles import PlatformRole, Role
from gongkai.clock.calendar import WorkCalendar, YearArrangement, unloaded_warning
from gongkai.clock.engine import EventType, LedgerEvent
from gongkai.clock.models import CalendarDay, CalendarVersion, CalendarYear, ClockLedger, ClockLedgerEvent, DayKind

WARNING_FROM = (11, 1)  # the notice usually appears in October–November; from 1 November its absence is a risk


# --- The working-day calendar ----------------------------------------------------------------------------------

_cache_lock = threading.Lock()
_cache: tuple[tuple[int, dt.datetime | None], WorkCalendar] | None = None


def latest_version_key() -> tuple[int, dt.datetime | None]:
    """The newest version's id and time: a rolled-back version whose id is later reused cannot match a stale key."""
    row = CalendarVersion.objects.order_by("-id").values_list("id", "created_at").first()
    return row if row is not None else (0, None)


def calendar_from_db() -> WorkCalendar:
    """The calendar exactly as the database holds it now (inside a transaction: including its own writes)."""
    versions = dict(
        CalendarVersion.objects.values("calendar_year__year")
        .annotate(last=Max("number"))
        .values_list("calendar_year__year", "last")
    )
    holidays: dict[int, set[dt.date]] = defaultdict(set)
    workdays: dict[int, set[dt.date]] = defaultdict(set)
    names: dict[int, dict[dt.date, str]] = defaultdict(dict)
    for year, day, kind, name in CalendarDay.objects.values_list("calendar_year__year", "date", "kind", "name"):
        if kind == DayKind.HOLIDAY:
            holidays[year].add(day)
            if name:
                names[year][day] = name
        else:
            workdays[year].add(day)
    years = {
        year: YearArrangement(
            year=year,
            holidays=frozenset(holidays[year]),
            workdays=frozenset(workdays[year]),
            version=f"版本{versions.get(year, 0)}",
            names=names[year],
        )
        for year in CalendarYear.objects.values_list("year", flat=True)
    }
    return WorkCalendar(years)


def current_calendar() -> WorkCalendar:
    """The database calendar, cached per process and rebuilt when a newer version exists (one cheap query a call).

    Keyed on the latest version rather than only cleared by the service, so that a change made by another process
    (a web worker, the ``calendar`` command) is seen by every process.
    """
    global _cache
    key = latest_version_key()
    cached = _cache
    if cached is not None and cached[0] == key:
        return cached[1]
    calendar = calendar_from_db()
    with _cache_lock:
        _cache = (key, calendar)
    return calendar


def calendar_cache_clear() -> None:
    global _cache
    with _cache_lock:
        _cache = None


def loaded_years() -> set[int]:
    return set(CalendarYear.objects.values_list("year", flat=True))


# --- The missing-year warning (a year is never guessed silently) ------------------------------------------------


def missing_calendar_warning(today: dt.date) -> str | None:
    """ "YYYY年节假日安排尚未导入" for this year if missing, or for next year from 1 November; else None."""
    years = loaded_years()
    missing = []
    if today.year not in years:
        missing.append(today.year)
    if (today.month, today.day) >= WARNING_FROM and today.year + 1 not in years:
        missing.append(today.year + 1)
    if not missing:
        return None
    return "；".join(unloaded_warning(year) for year in missing)


def sees_calendar_warning(user: Any) -> bool:
    """Platform system administrators (who load the notice) and 主管部门 staff (who oversee deadlines)."""
    if not (getattr(user, "is_authenticated", False) and user.is_active and getattr(user, "kind", "") == "staff"):
        return False
    if user.platform_role == PlatformRole.SYSTEM_ADMIN:
        return True
    return Membership.objects.filter(user=user, is_active=True, role=Role.SUPERVISOR).exists()


def calendar_warning_for(user: Any, today: dt.date) -> str | None:
    return missing_calendar_warning(today) if sees_calendar_warning(user) else None


# --- The administrator's pages ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearRow:
    year: int
    holidays: int
    workdays: int
    versions: int
    last_change: dt.datetime | None


def year_rows() -> list[YearRow]:
    rows = (
        CalendarYear.objects.annotate(
            n_versions=Count("versions", distinct=True), last_change=Max("versions__created_at")
        )
        .order_by("-year")
        .values_list("year", "n_versions", "last_change")
    )
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for year, kind, n in (
        CalendarDay.objects.values("calendar_year__year", "kind")
        .annotate(n=Count("id"))
        .values_list("calendar_year__year", "kind", "n")
    ):
        counts[(year, kind)] = n
    return [
        YearRow(year, counts[(year, DayKind.HOLIDAY)], counts[(year, DayKind.WORKDAY)], n_versions, last_change)
        for year, n_versions, last_change in rows
    ]


@dataclass(frozen=True)
class DayCell:
    date: dt.date
    kind: str  # "holiday", "workday", "weekend", "normal"
    label: str  # 放假 / 调休上班 / 周末 / ""
    name: str


WEEKDAY_HEADERS = ("一", "二", "三", "四", "五", "六", "日")


@dataclass(frozen=True)
class MonthGrid:
    month: int
    weeks: list[list[DayCell | None]]


def year_grid(year: int) -> list[MonthGrid]:
    """Twelve Monday-first month tables; each day says in words whether it is 放假, 调休上班 or 周末."""
    days = {
        d.date: d for d in CalendarDay.objects.filter(date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31))
    }
    months = []
    for month in range(1, 13):
        weeks: list[list[DayCell | None]] = []
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            row: list[DayCell | None] = []
            for day in week:
                if day.month != month:
                    row.append(None)
                    continue
                entry = days.get(day)
                if entry is not None and entry.kind == DayKind.HOLIDAY:
                    row.append(DayCell(day, "holiday", "放假", entry.name))
                elif entry is not None:
                    row.append(DayCell(day, "workday", "调休上班", entry.name))
                elif day.weekday() >= 5:
                    row.append(DayCell(day, "weekend", "周末", ""))
                else:
                    row.append(DayCell(day, "normal", "", ""))
            weeks.append(row)
        months.append(MonthGrid(month, weeks))
    return months


def year_versions(year: int) -> list[CalendarVersion]:
    return list(
        CalendarVersion.objects.filter(calendar_year__year=year).select_related("created_by").order_by("-number")
    )


def year_days(year: int) -> dict[dt.date, tuple[str, str]]:
    return {
        d: (k, n)
        for d, k, n in CalendarDay.objects.filter(calendar_year__year=year).values_list("date", "kind", "name")
    }


# --- Ledgers ----------------------------------------------------------------------------------------------------

_EVENT_TYPES = {t.value: t for t in EventType}


def ledger_event(type_: str, date: dt.date, days: int | None, until: dt.date | None, note: str = "") -> LedgerEvent:
    return LedgerEvent(type=_EVENT_TYPES[type_], date=date, days=days, until=until, note=note)


def ledger_events(ledger: ClockLedger) -> list[LedgerEvent]:
    rows: Iterable[tuple[str, dt.date, int | None, dt.date | None, str]] = (
        ClockLedgerEvent.objects.filter(ledger=ledger)
        .order_by("seq")
        .values_list("type", "date", "days", "until", "note")
    )
    return [ledger_event(*row) for row in rows]


def fee_pauses_clock() -> bool:
    """The deployment's reading of 国办函〔2020〕109号: does the fee payment period stop the reply clock?

    Every caller of ``engine.compute`` (services, the calculator, the CLI) takes it from here, so one deployment never
    counts the same ledger two ways.
    """
    from django.conf import settings

    from gongkai.clock.rules import FEE_PAUSES_CLOCK_DEFAULT

    return bool(getattr(settings, "GONGKAI_FEE_PAUSES_CLOCK", FEE_PAUSES_CLOCK_DEFAULT))
