"""Seed the calendar 2004–2026 from the chinesecalendar package (version 1 of each year).

Self-contained on purpose (no import of app code), so that the migration keeps working whatever the app becomes.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

# chinese_calendar.Holiday.chinese says 清明/端午/中秋; the notices say 清明节/端午节/中秋节.
_NAME_FIXES = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节"}
FIRST_YEAR, LAST_YEAR = 2004, 2026


def seed(apps: Any, schema_editor: Any) -> None:
    import chinese_calendar
    from chinese_calendar.constants import Holiday

    CalendarYear = apps.get_model("clock", "CalendarYear")
    CalendarDay = apps.get_model("clock", "CalendarDay")
    CalendarVersion = apps.get_model("clock", "CalendarVersion")
    chinese = {h.value: _NAME_FIXES.get(h.chinese, h.chinese) for h in Holiday}
    package = f"chinesecalendar {getattr(chinese_calendar, '__version__', '1.11.0')}"
    by_year: dict[int, list[tuple[Any, str, str]]] = {}
    for day, name in chinese_calendar.holidays.items():
        by_year.setdefault(day.year, []).append((day, "holiday", chinese.get(name, name)))
    for day, name in chinese_calendar.workdays.items():
        by_year.setdefault(day.year, []).append((day, "workday", chinese.get(name, name)))
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        if CalendarYear.objects.filter(year=year).exists():
            continue
        days = sorted(by_year.get(year, []))
        calendar_year = CalendarYear.objects.create(year=year, status="loaded")
        CalendarDay.objects.bulk_create(
            [CalendarDay(calendar_year=calendar_year, date=d, kind=k, name=n) for d, k, n in days]
        )
        holidays = sum(1 for _, k, _ in days if k == "holiday")
        CalendarVersion.objects.create(
            calendar_year=calendar_year,
            number=1,
            actor_label="数据迁移",
            source="chinesecalendar",
            summary=f"由 {package} 初始导入：放假 {holidays} 天，调休上班 {len(days) - holidays} 天",
            changes={"added": [[d.isoformat(), k, n] for d, k, n in days], "removed": [], "changed": []},
            holidays=holidays,
            workdays=len(days) - holidays,
        )


def unseed(apps: Any, schema_editor: Any) -> None:
    CalendarYear = apps.get_model("clock", "CalendarYear")
    CalendarVersion = apps.get_model("clock", "CalendarVersion")
    years = CalendarYear.objects.filter(year__gte=FIRST_YEAR, year__lte=LAST_YEAR)
    CalendarVersion.objects.filter(calendar_year__in=years).delete()
    years.delete()


class Migration(migrations.Migration):
    dependencies = [("clock", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
