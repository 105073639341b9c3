"""The working-day calendar: weekends, 法定节假日 and 调休上班日, year by year.

Working days are what the 《政府信息公开条例》 counts in (第二十六、三十、三十二、三十三、三十四条: "工作日"). A day is a
working day when it is a 调休上班日, or a Monday–Friday that is not a 放假 day of the yearly 国务院办公厅 notice
(《全国年节及纪念日放假办法》第二、六、七条). A year whose notice has not been loaded is counted weekends-only, and every
calculation reports which such years it touched, so the caller can flag the result provisional ("2027年节假日安排尚未导入")
rather than silently guess.

Performance: the loaded span is precomputed once into a prefix count of working days and a sorted array of working-day
ordinals, so counting and adding working days are O(1) index operations; outside the span, weekends-only arithmetic is a
closed formula. The engine uses the ``*_ord`` methods (plain ``int`` ordinals) on its fast path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
    "CHINESECALENDAR_YEARS",
    "WorkCalendar",
    "YearArrangement",
    "unloaded_warning",
]

# chinesecalendar 1.11.0 ships the 国务院办公厅 notices for these years; it raises NotImplementedError outside them.
CHINESECALENDAR_YEARS = range(2004, 2027)

# chinese_calendar.Holiday.chinese gives "清明", "端午", "中秋"; the notices say 清明节, 端午节, 中秋节.
_NAME_FIXES = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节"}


def unloaded_warning(year: int) -> str:
    """The one wording used everywhere for a date computed without that year's notice."""
    return f"{year}年节假日安排尚未导入"


@dataclass(frozen=True)
class YearArrangement:
    """One year's 《国务院办公厅关于YYYY年部分节假日安排的通知》, as sets of dates."""

    year: int
    holidays: frozenset[dt.date]  # 放假 days (incl. 调休 rest days falling on weekdays)
    workdays: frozenset[dt.date]  # 调休上班日: weekend days that are working days
    version: str = ""  # e.g. "chinesecalendar-1.11.0" or "v3 2026-11-02 by admin"
    names: Mapping[dt.date, str] = field(default_factory=dict)  # optional holiday names (春节, 国庆节…)

    def __post_init__(self) -> None:
        stray = sorted(d for d in self.holidays | self.workdays if d.year != self.year)
        if stray:
            raise ValueError(f"{self.year}年节假日安排包含其他年份的日期：{stray[0].isoformat()}")
        both = sorted(self.holidays & self.workdays)
        if both:
            raise ValueError(f"{both[0].isoformat()} 不能同时是放假日和调休上班日")


def _weekdays_upto(ordinal: int) -> int:
    """Monday–Friday days among ordinals 1..ordinal (ordinal 1, 0001-01-01, is a Monday)."""
    weeks, rest = divmod(ordinal, 7)
    return 5 * weeks + (rest if rest < 5 else 5)


def _nth_weekday(target: int) -> int:
    """The smallest ordinal x with _weekdays_upto(x) == target (target may be ≤ 0 too: floor division)."""
    weeks, rest = divmod(target - 1, 5)
    return 7 * weeks + rest + 1


class WorkCalendar:
    """Working-day arithmetic over loaded year arrangements, weekends-only elsewhere (and reported)."""

    __slots__ = ("_base", "_contiguous", "_cum", "_end", "_loaded", "_names", "_total", "_work", "_years", "memo")

    def __init__(self, years: Mapping[int, YearArrangement]) -> None:
        for key, arrangement in years.items():
            if key != arrangement.year:
                raise ValueError(f"键 {key} 与安排年份 {arrangement.year} 不一致")
        self._years: Mapping[int, YearArrangement] = MappingProxyType(dict(sorted(years.items())))
        self._loaded = frozenset(self._years)
        names: dict[dt.date, str] = {}
        for arrangement in self._years.values():
            names.update(arrangement.names)
        self._names: Mapping[dt.date, str] = MappingProxyType(names)
        if self._loaded:
            first, last = min(self._loaded), max(self._loaded)
            self._base = dt.date(first, 1, 1).toordinal()
            self._end = dt.date(last + 1, 1, 1).toordinal()
            self._contiguous = len(self._loaded) == last - first + 1
        else:
            self._base = self._end = 1
            self._contiguous = True
        off: set[int] = set()
        on: set[int] = set()
        for arrangement in self._years.values():
            off.update(d.toordinal() for d in arrangement.holidays)
            on.update(d.toordinal() for d in arrangement.workdays)
        cum = [0]
        work: list[int] = []
        count = 0
        for ordinal in range(self._base, self._end):
            if ordinal in on or ((ordinal - 1) % 7 < 5 and ordinal not in off):
                count += 1
                work.append(ordinal)
            cum.append(count)
        self._cum = cum  # _cum[i] = working days among ordinals base .. base+i-1
        # Scratch space for pure functions of this calendar (the engine caches per-receipt-day results here). Safe
        # because a WorkCalendar never changes: a new arrangement means a new WorkCalendar, hence an empty memo.
        self.memo: dict[int, object] = {}
        self._work = work
        self._total = count

    # -- construction -------------------------------------------------------------------------------------------

    @classmethod
    def from_chinesecalendar(cls, years: Iterable[int] | None = None) -> WorkCalendar:
        """The arrangements shipped with the ``chinesecalendar`` package (2004–2026 in 1.11.0)."""
        import chinese_calendar
        from chinese_calendar.constants import Holiday

        version = f"chinesecalendar-{getattr(chinese_calendar, '__version__', '1.11.0')}"
        wanted = set(CHINESECALENDAR_YEARS if years is None else years)
        missing = sorted(wanted - set(CHINESECALENDAR_YEARS))
        if missing:
            raise ValueError(f"chinesecalendar 不含 {missing[0]} 年的节假日安排")
        chinese = {h.value: _NAME_FIXES.get(h.chinese, h.chinese) for h in Holiday}
        holidays: dict[int, set[dt.date]] = {y: set() for y in wanted}
        workdays: dict[int, set[dt.date]] = {y: set() for y in wanted}
        names: dict[int, dict[dt.date, str]] = {y: {} for y in wanted}
        for day, name in chinese_calendar.holidays.items():
            if day.year in wanted:
                holidays[day.year].add(day)
                names[day.year][day] = chinese.get(name, name)
        for day in chinese_calendar.workdays:
            if day.year in wanted:
                workdays[day.year].add(day)
        return cls(
            {
                y: YearArrangement(
                    year=y,
                    holidays=frozenset(holidays[y]),
                    workdays=frozenset(workdays[y]),
                    version=version,
                    names=names[y],
                )
                for y in wanted
            }
        )

    # -- inspection ---------------------------------------------------------------------------------------------

    @property
    def years(self) -> Mapping[int, YearArrangement]:
        return self._years

    def is_loaded(self, year: int) -> bool:
        return year in self._loaded

    def version_of(self, year: int) -> str | None:
        arrangement = self._years.get(year)
        return None if arrangement is None else arrangement.version

    def holiday_name(self, day: dt.date) -> str | None:
        return self._names.get(day)

    def is_holiday(self, day: dt.date) -> bool:
        """A 放假 day of a loaded notice (weekends of ordinary weeks are not "holidays")."""
        arrangement = self._years.get(day.year)
        return arrangement is not None and day in arrangement.holidays

    def is_adjusted_workday(self, day: dt.date) -> bool:
        """A 调休上班日: a weekend day the notice makes a working day."""
        arrangement = self._years.get(day.year)
        return arrangement is not None and day in arrangement.workdays

    # -- ordinal fast path --------------------------------------------------------------------------------------

    def count_upto_ord(self, ordinal: int) -> int:
        """A monotone count of working days up to and including ``ordinal`` (origin: the start of the table)."""
        if ordinal < self._base:
            return _weekdays_upto(ordinal) - _weekdays_upto(self._base - 1)
        if ordinal < self._end:
            return self._cum[ordinal - self._base + 1]
        return self._total + _weekdays_upto(ordinal) - _weekdays_upto(self._end - 1)

    def add_working_days_ord(self, start: int, n: int) -> int:
        """The ``n``-th working day strictly after ordinal ``start`` (n ≥ 1); n == 0 returns ``start``."""
        if n <= 0:
            if n < 0:
                raise ValueError("n 不能为负数")
            return start
        target = self.count_upto_ord(start) + n
        if target <= 0:
            return _nth_weekday(target + _weekdays_upto(self._base - 1))
        if target <= self._total:
            return self._work[target - 1]
        return _nth_weekday(target - self._total + _weekdays_upto(self._end - 1))

    def working_days_between_ord(self, a: int, b: int) -> int:
        """Working days d with a < d ≤ b (0 when b ≤ a)."""
        if b <= a:
            return 0
        return self.count_upto_ord(b) - self.count_upto_ord(a)

    def unloaded_years_ord(self, a: int, b: int) -> tuple[int, ...]:
        """Years of the days d with a < d ≤ b whose arrangement is not loaded (ascending; () when none)."""
        if b <= a:
            return ()
        if self._contiguous and self._base <= a + 1 and b < self._end:
            return ()
        first = dt.date.fromordinal(a + 1).year
        last = dt.date.fromordinal(b).year
        return tuple(y for y in range(first, last + 1) if y not in self._loaded)

    # -- date API -----------------------------------------------------------------------------------------------

    def is_working_day(self, day: dt.date) -> bool:
        ordinal = day.toordinal()
        if self._base <= ordinal < self._end:
            i = ordinal - self._base
            return self._cum[i + 1] != self._cum[i]
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The ``n``-th working day strictly after ``start``: the start day is not counted (民法典第二百零一条)."""
        return dt.date.fromordinal(self.add_working_days_ord(start.toordinal(), n))

    def next_working_day_on_or_after(self, day: dt.date) -> dt.date:
        return dt.date.fromordinal(self.add_working_days_ord(day.toordinal() - 1, 1))

    def next_working_day_after(self, day: dt.date) -> dt.date:
        return dt.date.fromordinal(self.add_working_days_ord(day.toordinal(), 1))

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Count of working days d with a < d ≤ b."""
        return self.working_days_between_ord(a.toordinal(), b.toordinal())

    def unloaded_years_between(self, a: dt.date, b: dt.date) -> tuple[int, ...]:
        """Years of the days in (a, b] counted weekends-only because their notice is not loaded."""
        return self.unloaded_years_ord(a.toordinal(), b.toordinal())

    def add_working_days_checked(self, start: dt.date, n: int) -> tuple[dt.date, tuple[int, ...]]:
        """``add_working_days`` plus the unloaded years it had to guess over (report them; never hide them)."""
        s = start.toordinal()
        end = self.add_working_days_ord(s, n)
        return dt.date.fromordinal(end), self.unloaded_years_ord(s, end)

    def __repr__(self) -> str:
        years = sorted(self._loaded)
        span = f"{years[0]}–{years[-1]}" if years else "无"
        return f"<WorkCalendar {span} ({len(years)} 年)>"
