"""The seeded calendar, the cached DB calendar, and the ``calendar`` command."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import chinese_calendar
import pytest
from django.core.management import CommandError, call_command

from gongkai.clock import selectors
from gongkai.clock.calendar import WorkCalendar
from gongkai.clock.models import CalendarDay, CalendarVersion, DayKind
from gongkai.clock.services import calendar_load_chinesecalendar, calendar_set_day, ledger_open
from tests.factories import make_agency

pytestmark = pytest.mark.django_db
D = dt.date
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _clear_calendar_cache() -> None:
    selectors.calendar_cache_clear()


def test_seed_matches_chinesecalendar_2004_2026() -> None:
    assert selectors.loaded_years() == set(range(2004, 2027))
    holidays = set(CalendarDay.objects.filter(kind=DayKind.HOLIDAY).values_list("date", flat=True))
    workdays = set(CalendarDay.objects.filter(kind=DayKind.WORKDAY).values_list("date", flat=True))
    assert holidays == set(chinese_calendar.holidays)
    assert workdays == set(chinese_calendar.workdays)
    assert CalendarDay.objects.get(date=D(2026, 2, 15)).name == "春节"
    assert CalendarVersion.objects.filter(number=1, source="chinesecalendar").count() == 23


def test_db_calendar_agrees_with_the_package_day_by_day() -> None:
    from_db = selectors.current_calendar()
    package = WorkCalendar.from_chinesecalendar()
    day = D(2004, 1, 1)
    while day <= D(2026, 12, 31):
        assert from_db.is_working_day(day) == package.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)
    assert not from_db.is_loaded(2027)


def test_cache_is_rebuilt_when_a_version_is_added() -> None:
    first = selectors.current_calendar()
    assert selectors.current_calendar() is first  # cached: one cheap query, same object
    calendar_set_day(day=D(2026, 12, 31), kind=DayKind.HOLIDAY, name="测试", reason="测试", actor=None)
    second = selectors.current_calendar()
    assert second is not first
    assert not second.is_working_day(D(2026, 12, 31))


def test_resync_from_package_undoes_a_correction_as_a_new_version() -> None:
    calendar_set_day(day=D(2025, 12, 31), kind=DayKind.HOLIDAY, name="测试", reason="测试", actor=None)
    change = calendar_load_chinesecalendar(year=2025, actor=None, actor_label="测试")
    assert change.version.number == 3
    assert "取消：2025年12月31日放假（测试）" in change.version.summary
    assert not CalendarDay.objects.filter(date=D(2025, 12, 31)).exists()


def _call(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("calendar", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_show_status_load(tmp_path: Path) -> None:
    out, _ = _call("show", "2026")
    assert "2026年节假日安排（版本1" in out
    assert "2026-02-15 星期日 春节" in out
    out, _ = _call("status")
    assert "已导入 23 个年份：2004–2026" in out
    notice = tmp_path / "2027.txt"
    notice.write_text(
        "国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n", "gb18030"
    )
    out, _ = _call("load", "2027", str(notice), "--dry-run")
    assert "试运行" in out
    assert 2027 not in selectors.loaded_years()
    ledger = ledger_open(agency=make_agency(), subject="跨年", received=D(2026, 12, 15), actor=None)
    assert ledger.reply_due == D(2027, 1, 12)
    out, _ = _call("load", "2027", str(notice))
    assert "已导入，版本1" in out
    assert "期限变动 1 处" in out
    ledger.refresh_from_db()
    assert ledger.reply_due == D(2027, 1, 13)
    out, _ = _call("recompute")
    assert "更新 0 件" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "20x6"), "年份无效"),
        (("show", "²⁰²⁶"), "年份无效"),  # digits to str.isdigit, not to int()
        (("show", "2031"), "2031年节假日安排尚未导入"),
        (("load", "2027", "/nonexistent/notice.txt"), "找不到文件"),
    ],
)
def test_command_bad_input_is_a_chinese_error_with_status_2(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message) as info:
        _call(*args)
    assert info.value.returncode == 2


def test_command_refuses_a_notice_with_errors(tmp_path: Path) -> None:
    notice = tmp_path / "bad.txt"
    notice.write_text("一、元旦：择日放假。\n", "utf-8")
    with pytest.raises(CommandError, match="1 处错误") as info:
        _call("load", "2027", str(notice))
    assert info.value.returncode == 2
