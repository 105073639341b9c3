"""A changed calendar moves the due dates of the affected open ledgers, records each move, and touches nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from gongkai.audit.models import AuditEvent
from gongkai.clock import selectors
from gongkai.clock.engine import EventType, LedgerEvent
from gongkai.clock.models import ClockLedger, ClockLedgerEvent, DayKind, DueDateMove, DueField
from gongkai.clock.services import (
    calendar_load_notice,
    calendar_set_day,
    ledger_append,
    ledger_close,
    ledger_open,
    ledger_recompute_all,
)
from tests.factories import make_agency, make_staff

pytestmark = pytest.mark.django_db
D = dt.date

# A made-up 2027 notice (test data only): 元旦 1月1日（周五）至3日（周日）.
NOTICE_2027 = "国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n"


@pytest.fixture(autouse=True)
def _clear_calendar_cache() -> None:
    selectors.calendar_cache_clear()


def test_loading_next_year_moves_only_the_affected_ledgers() -> None:
    agency = make_agency()
    admin = make_staff(platform_role="system_admin")
    # 2026-12-15 + 20 working days: weekends-only through 2027 gives 2027-01-12 (provisional); 1月1日 off gives 01-13.
    crossing = ledger_open(agency=agency, received=D(2026, 12, 15), subject="跨年申请", actor=admin)
    inside = ledger_open(agency=agency, received=D(2026, 6, 1), subject="年内申请", actor=admin)
    closed = ledger_open(agency=agency, received=D(2026, 12, 16), subject="已办结", actor=admin)
    ledger_close(ledger=closed, actor=admin)
    assert (crossing.reply_due, crossing.provisional) == (D(2027, 1, 12), True)
    inside_before = ClockLedger.objects.values().get(pk=inside.pk)
    closed_before = ClockLedger.objects.values().get(pk=closed.pk)

    change = calendar_load_notice(text=NOTICE_2027, actor=admin)

    assert change.version.number == 1
    crossing.refresh_from_db()
    assert (crossing.reply_due, crossing.provisional) == (D(2027, 1, 13), False)
    move = DueDateMove.objects.get(ledger=crossing)
    assert (move.field, move.old_date, move.new_date) == (DueField.REPLY, D(2027, 1, 12), D(2027, 1, 13))
    assert move.reason == "2027年节假日安排导入（版本1）"
    assert move.calendar_version == change.version
    # Untouched: no move and byte-identical cached values for the ledger whose dates do not change and the closed one.
    assert ClockLedger.objects.values().get(pk=inside.pk) == inside_before
    assert ClockLedger.objects.values().get(pk=closed.pk) == closed_before
    assert not DueDateMove.objects.filter(ledger__in=[inside, closed]).exists()
    assert change.recompute.changed == 1
    assert change.recompute.moves == 1
    audit = AuditEvent.objects.get(action="calendar.load_notice")
    assert audit.after["due_dates_moved"] == 1
    assert "2027年节假日安排导入（版本1）" in audit.detail


def test_correcting_a_day_moves_due_dates_and_recompute_is_idempotent() -> None:
    agency = make_agency()
    admin = make_staff(platform_role="system_admin")
    ledger = ledger_open(agency=agency, received=D(2026, 3, 2), subject="申请", actor=admin)
    before = ledger.reply_due
    assert before is not None
    # Declaring an ordinary working day inside the period a holiday pushes the due date one working day later.
    change = calendar_set_day(day=D(2026, 3, 10), kind=DayKind.HOLIDAY, name="测试", reason="补充通知", actor=admin)
    assert change.version.number == 2  # version 1 is the chinesecalendar seed
    ledger.refresh_from_db()
    assert ledger.reply_due is not None
    assert ledger.reply_due > before
    moves = DueDateMove.objects.filter(ledger=ledger).order_by("field")
    assert {(m.field, m.old_date) for m in moves} >= {(DueField.REPLY, before)}
    assert all(m.reason == "2026年节假日安排更正（版本2）" for m in moves)
    again = ledger_recompute_all(reason="再次重算")
    assert (again.changed, again.moves) == (0, 0)
    # Undo: back to an ordinary day, the due date returns and that move is recorded too.
    calendar_set_day(day=D(2026, 3, 10), kind=None, reason="撤销", actor=admin)
    ledger.refresh_from_db()
    assert ledger.reply_due == before
    assert DueDateMove.objects.filter(ledger=ledger, field=DueField.REPLY).count() == 2


def test_calendar_change_is_versioned_and_audited() -> None:
    admin = make_staff(platform_role="system_admin", full_name="张管理")
    change = calendar_set_day(day=D(2026, 12, 26), kind=DayKind.WORKDAY, name="测试调休", reason="核对", actor=admin)
    version = change.version
    assert (version.created_by, version.source, version.number) == (admin, "manual", 2)
    assert version.changes["added"] == [["2026-12-26", "workday", "测试调休"]]
    assert "新增：2026年12月26日调休上班（测试调休）" in version.summary
    assert AuditEvent.objects.filter(action="calendar.set_day", actor=admin).count() == 1
    assert selectors.current_calendar().is_working_day(D(2026, 12, 26))


@pytest.mark.parametrize(
    ("day", "kind", "message"),
    [
        (D(2026, 3, 11), DayKind.WORKDAY, "不必设为调休上班"),
        (D(2027, 3, 6), DayKind.HOLIDAY, "2027年节假日安排尚未导入"),
        (D(2026, 10, 1), DayKind.HOLIDAY, "完全相同"),
    ],
)
def test_set_day_refusals(day: dt.date, kind: DayKind, message: str) -> None:
    admin = make_staff(platform_role="system_admin")
    with pytest.raises(ValidationError, match=message):
        calendar_set_day(day=day, kind=kind, name="国庆节", actor=admin)


def test_notice_with_errors_is_refused() -> None:
    with pytest.raises(ValidationError, match="第3行"):
        calendar_load_notice(text=NOTICE_2027 + "二、春节：择日放假。\n", actor=None)
    assert 2027 not in selectors.loaded_years()


def test_ledger_append_validates_records_moves_and_audits() -> None:
    agency = make_agency()
    handler = make_staff()
    ledger = ledger_open(agency=agency, received=D(2026, 3, 2), subject="申请", actor=handler)
    due = ledger.reply_due
    assert due is not None
    ledger_append(ledger=ledger, event=LedgerEvent(EventType.EXTENDED, D(2026, 3, 20), days=20), actor=handler)
    ledger.refresh_from_db()
    assert ledger.reply_due is not None
    assert ledger.reply_due > due
    move = DueDateMove.objects.get(ledger=ledger, field=DueField.REPLY)
    assert (move.old_date, move.new_date) == (due, ledger.reply_due)
    assert move.reason == "延长答复期限（2026年3月20日）"
    # A second extension is refused by the engine, in Chinese, and nothing is written.
    with pytest.raises(ValidationError) as info:
        ledger_append(ledger=ledger, event=LedgerEvent(EventType.EXTENDED, D(2026, 3, 25), days=5), actor=handler)
    assert any("延" in message for message in info.value.messages)
    assert ClockLedgerEvent.objects.filter(ledger=ledger).count() == 1
    assert AuditEvent.objects.filter(action="clock.ledger_append", agency_id=agency.pk).count() == 1
    ledger_close(ledger=ledger, actor=handler)
    with pytest.raises(ValidationError, match="已办结"):
        ledger_append(ledger=ledger, event=LedgerEvent(EventType.FEE_NOTIFIED, D(2026, 3, 26)), actor=handler)


def test_paused_ledger_has_no_reply_due_and_survives_recompute() -> None:
    agency = make_agency()
    ledger = ledger_open(agency=agency, received=D(2026, 3, 2), subject="待补正", actor=None)
    ledger_append(ledger=ledger, event=LedgerEvent(EventType.CORRECTION_REQUESTED, D(2026, 3, 4)), actor=None)
    ledger.refresh_from_db()
    assert ledger.reply_due is None
    assert ledger.correction_notice_due is not None
    assert ledger_recompute_all(reason="重算").changed == 0
