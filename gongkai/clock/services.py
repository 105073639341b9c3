"""Writes to the calendar and the clock ledgers.

Every calendar change (a notice loaded, a day corrected, a year re-synced from chinesecalendar) is one transaction that
writes the days, a new ``CalendarVersion``, an audit row, and recomputes every open ledger with the new calendar — in
the same transaction, so that no committed due date was ever computed from a calendar that no longer exists. A changed
calendar is a once-a-year event; the benchmark (benchmarks/clock_recompute.py) keeps the recompute of a million open
ledgers within a minute.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import HttpRequest

from gongkai.agencies.models import Agency
from gongkai.audit.services import audit_record
from gongkai.clock import selectors
from gongkai.clock.calendar import CHINESECALENDAR_YEARS, WorkCalendar, YearArrangement
from gongkai.clock.engine import ClockResult, LedgerError, LedgerEvent, compute
from gongkai.clock.models import (
    CalendarDay,
    CalendarVersion,
    CalendarYear,
    CalendarYearStatus,
    ClockLedger,
    ClockLedgerEvent,
    DayKind,
    DueDateMove,
    DueField,
    LedgerEventType,
    VersionSource,
)
from gongkai.clock.notice import NoticeError, parse_notice
from gongkai.core.dates import chinese_date

logger = logging.getLogger(__name__)

RECOMPUTE_BATCH = 5000
Days = dict[dt.date, tuple[str, str]]  # date → (DayKind, name)


def _label(actor: Any, actor_label: str | None) -> str:
    if actor_label is not None:
        return actor_label
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "系统"
    return str(actor.full_name or actor.get_username())


def _user(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


# --- Calendar ---------------------------------------------------------------------------------------------------


def _arrangement_days(arrangement: YearArrangement) -> Days:
    days: Days = {d: (DayKind.HOLIDAY.value, arrangement.names.get(d, "")) for d in arrangement.holidays}
    days.update({d: (DayKind.WORKDAY.value, arrangement.names.get(d, "")) for d in arrangement.workdays})
    return days


def _day_text(day: dt.date, kind: str, name: str) -> str:
    return f"{chinese_date(day)}{DayKind(kind).label}{f'（{name}）' if name else ''}"


def _diff(old: Days, new: Days) -> dict[str, list[list[str]]]:
    added = [[d.isoformat(), *new[d]] for d in sorted(new.keys() - old.keys())]
    removed = [[d.isoformat(), *old[d]] for d in sorted(old.keys() - new.keys())]
    changed = [
        [d.isoformat(), old[d][0], new[d][0], old[d][1], new[d][1]]
        for d in sorted(old.keys() & new.keys())
        if old[d] != new[d]
    ]
    return {"added": added, "removed": removed, "changed": changed}


def _summary(changes: dict[str, list[list[str]]]) -> str:
    parts = []
    for key, verb in (("added", "新增"), ("removed", "取消"), ("changed", "更改")):
        rows = changes[key]
        if not rows:
            continue
        shown = "、".join(
            _day_text(
                dt.date.fromisoformat(r[0]), r[2] if key == "changed" else r[1], r[4] if key == "changed" else r[2]
            )
            for r in rows[:6]
        )
        more = f"等 {len(rows)} 天" if len(rows) > 6 else ""
        parts.append(f"{verb}：{shown}{more}")
    return "；".join(parts) or "无变化"


@dataclass(frozen=True)
class CalendarChange:
    version: CalendarVersion
    recompute: RecomputeResult


def _apply_days(
    *,
    year: int,
    new: Days,
    source: VersionSource,
    notice_text: str,
    actor: Any,
    actor_label: str | None,
    action: str,
    what: str,
    note: str = "",
    request: HttpRequest | None,
    only: set[dt.date] | None = None,
) -> CalendarChange:
    """Replace the special days of ``year`` (or only the dates in ``only``) by ``new``; version, audit, recompute."""
    with transaction.atomic():
        calendar_year, created = CalendarYear.objects.get_or_create(year=year)
        # The year row is the lock that serialises changes to one year (and the version numbering).
        calendar_year = CalendarYear.objects.select_for_update().get(pk=calendar_year.pk)
        old = selectors.year_days(year)
        if only is not None:
            new = {**{d: v for d, v in old.items() if d not in only}, **{d: v for d, v in new.items() if d in only}}
        changes = _diff(old, new)
        if not created and not any(changes.values()):
            raise ValidationError("与当前安排完全相同，没有产生新版本")
        gone = [dt.date.fromisoformat(r[0]) for r in changes["removed"] + changes["changed"]]
        CalendarDay.objects.filter(date__in=gone).delete()
        fresh = [dt.date.fromisoformat(r[0]) for r in changes["added"] + changes["changed"]]
        CalendarDay.objects.bulk_create(
            [CalendarDay(calendar_year=calendar_year, date=d, kind=new[d][0], name=new[d][1]) for d in fresh]
        )
        calendar_year.status = CalendarYearStatus.LOADED
        calendar_year.save(update_fields=["status", "updated_at"])
        number = (calendar_year.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        summary = _summary(changes) + (f"。说明：{note}" if note else "")
        holidays = sum(1 for kind, _ in new.values() if kind == DayKind.HOLIDAY)
        version = CalendarVersion.objects.create(
            calendar_year=calendar_year,
            number=number,
            created_by=_user(actor),
            actor_label=_label(actor, actor_label),
            source=source,
            notice_text=notice_text,
            summary=summary,
            changes=changes,
            holidays=holidays,
            workdays=len(new) - holidays,
        )
        reason = f"{year}年节假日安排{what}（版本{number}）"
        recompute = ledger_recompute_all(reason=reason, version=version, calendar=selectors.calendar_from_db())
        audit_record(
            action=action,
            actor=actor,
            actor_label=actor_label,
            obj=version,
            before={"holidays": sum(1 for k, _ in old.values() if k == DayKind.HOLIDAY), "days": len(old)},
            after={
                "version": number,
                "holidays": holidays,
                "days": len(new),
                "ledgers_changed": recompute.changed,
                "due_dates_moved": recompute.moves,
            },
            detail=f"{reason}：{summary}",
            request=request,
        )
        transaction.on_commit(selectors.calendar_cache_clear)
    return CalendarChange(version, recompute)


def calendar_load_notice(
    *,
    text: str,
    actor: Any,
    year: int | None = None,
    request: HttpRequest | None = None,
    actor_label: str | None = None,
) -> CalendarChange:
    """Load a year from the text of the 国务院办公厅 notice. A parse with errors is refused, never guessed."""
    try:
        parsed = parse_notice(text, year=year)
    except NoticeError as error:
        raise ValidationError(str(error)) from None
    if parsed.errors:
        raise ValidationError([str(problem) for problem in parsed.errors])
    return _apply_days(
        year=parsed.year,
        new=_arrangement_days(parsed.arrangement),
        source=VersionSource.NOTICE,
        notice_text=text,
        actor=actor,
        actor_label=actor_label,
        action="calendar.load_notice",
        what="导入",
        request=request,
    )


def calendar_load_chinesecalendar(
    *, year: int, actor: Any, request: HttpRequest | None = None, actor_label: str | None = None
) -> CalendarChange:
    """Re-sync one year from the chinesecalendar package (undoes manual corrections, as a new version)."""
    if year not in CHINESECALENDAR_YEARS:
        raise ValidationError(
            f"chinesecalendar 程序包不含{year}年的节假日安排（只含 {CHINESECALENDAR_YEARS[0]}–{CHINESECALENDAR_YEARS[-1]} 年）"
        )
    arrangement = WorkCalendar.from_chinesecalendar([year]).years[year]
    return _apply_days(
        year=year,
        new=_arrangement_days(arrangement),
        source=VersionSource.CHINESECALENDAR,
        notice_text="",
        actor=actor,
        actor_label=actor_label,
        action="calendar.load_package",
        what="按 chinesecalendar 重新导入",
        request=request,
    )


def calendar_set_day(
    *,
    day: dt.date,
    kind: DayKind | None,
    actor: Any,
    name: str = "",
    reason: str = "",
    request: HttpRequest | None = None,
    actor_label: str | None = None,
) -> CalendarChange:
    """Correct one day: 放假 (``HOLIDAY``), 调休上班 (``WORKDAY``, weekends only) or an ordinary day (``None``)."""
    if not CalendarYear.objects.filter(year=day.year).exists():
        raise ValidationError(f"{day.year}年节假日安排尚未导入，请先导入当年的国务院办公厅通知，再逐日更正")
    if kind == DayKind.WORKDAY and day.weekday() < 5:
        raise ValidationError(f"{chinese_date(day)}是工作日（星期一至星期五），不必设为调休上班")
    new: Days = {} if kind is None else {day: (kind.value, name.strip())}
    return _apply_days(
        year=day.year,
        new=new,
        source=VersionSource.MANUAL,
        notice_text="",
        actor=actor,
        actor_label=actor_label,
        action="calendar.set_day",
        what="更正",
        note=reason.strip(),
        request=request,
        only={day},
    )


# --- Ledgers ----------------------------------------------------------------------------------------------------


@dataclass
class RecomputeResult:
    seen: int = 0
    changed: int = 0
    moves: int = 0
    failed: list[int] = field(default_factory=list)  # ledgers whose events the engine now rejects (left unchanged)


def _cached(result: ClockResult) -> tuple[dt.date | None, dt.date | None, bool]:
    return result.reply_due, result.correction_notice_due, bool(result.provisional)


def _compute(received: dt.date, events: list[LedgerEvent], calendar: WorkCalendar) -> ClockResult:
    return compute(received, events, calendar, explain=False, fee_pauses_clock=selectors.fee_pauses_clock())


def ledger_recompute_all(
    *,
    reason: str,
    version: CalendarVersion | None = None,
    calendar: WorkCalendar | None = None,
    batch_size: int = RECOMPUTE_BATCH,
) -> RecomputeResult:
    """Recompute the cached due dates of every open ledger; write only the rows that change, record every move.

    Idempotent: a second run with the same calendar changes nothing. Reads in id-ordered batches (keyset paging, the
    events of a batch in one range query) so memory stays flat at a million ledgers. Identical (received, events)
    histories are computed once per run — most ledgers share a received date and have few events.
    """
    calendar = calendar or selectors.calendar_from_db()
    result = RecomputeResult()
    memo: dict[tuple[Any, ...], tuple[dt.date | None, dt.date | None, bool] | None] = {}
    last_id = 0
    with transaction.atomic():
        while True:
            rows = list(
                ClockLedger.objects.filter(is_open=True, id__gt=last_id)
                .order_by("id")
                .values_list("id", "received", "reply_due", "correction_notice_due", "provisional")[:batch_size]
            )
            if not rows:
                break
            first_id, last_id = rows[0][0], rows[-1][0]
            events: dict[int, list[tuple[str, dt.date, int | None, dt.date | None]]] = defaultdict(list)
            for ledger_id, type_, date, days, until in (
                ClockLedgerEvent.objects.filter(ledger_id__gte=first_id, ledger_id__lte=last_id)
                .order_by("ledger_id", "seq")
                .values_list("ledger_id", "type", "date", "days", "until")
            ):
                events[ledger_id].append((type_, date, days, until))
            changed: list[ClockLedger] = []
            moves: list[DueDateMove] = []
            for ledger_id, received, reply_due, notice_due, provisional in rows:
                history = events.get(ledger_id, [])
                key = (received, *history)
                if key in memo:
                    new = memo[key]
                else:
                    try:
                        computed = _compute(received, [selectors.ledger_event(*e) for e in history], calendar)
                        new = _cached(computed)
                    except LedgerError:
                        new = None
                    memo[key] = new
                result.seen += 1
                if new is None:
                    result.failed.append(ledger_id)
                    continue
                if new == (reply_due, notice_due, provisional):
                    continue
                changed.append(
                    ClockLedger(id=ledger_id, reply_due=new[0], correction_notice_due=new[1], provisional=new[2])
                )
                for which, old_date, new_date in (
                    (DueField.REPLY, reply_due, new[0]),
                    (DueField.CORRECTION_NOTICE, notice_due, new[1]),
                ):
                    if old_date != new_date:
                        moves.append(
                            DueDateMove(
                                ledger_id=ledger_id,
                                field=which,
                                old_date=old_date,
                                new_date=new_date,
                                reason=reason[:200],
                                calendar_version=version,
                            )
                        )
            if changed:
                _write_cached(changed)
                DueDateMove.objects.bulk_create(moves, batch_size=2000)
            result.changed += len(changed)
            result.moves += len(moves)
    if result.failed:
        logger.warning(
            "recompute: %d ledgers rejected by the engine, left unchanged: %s", len(result.failed), result.failed[:20]
        )
    return result


def _write_cached(ledgers: list[ClockLedger]) -> None:
    """One parameterised UPDATE per row, sent with executemany: Django's bulk_update builds a CASE expression per row
    and spent two thirds of the recompute time compiling it (benchmarks/clock_recompute.py)."""
    ops = connection.ops
    table = connection.ops.quote_name(ClockLedger._meta.db_table)
    sql = f"UPDATE {table} SET reply_due = %s, correction_notice_due = %s, provisional = %s WHERE id = %s"  # noqa: S608
    params = [
        (
            ops.adapt_datefield_value(ledger.reply_due),
            ops.adapt_datefield_value(ledger.correction_notice_due),
            ledger.provisional,
            ledger.pk,
        )
        for ledger in ledgers
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def ledger_open(
    *, agency: Agency, received: dt.date, subject: str, actor: Any, request: HttpRequest | None = None
) -> ClockLedger:
    """Start the clock of one matter on its 收到申请之日 (条例第三十一条)."""
    subject = subject.strip()
    if not subject:
        raise ValidationError({"subject": "请填写事项名称"})
    result = _compute(received, [], selectors.current_calendar())
    with transaction.atomic():
        ledger = ClockLedger.objects.create(
            agency=agency,
            subject=subject[:200],
            received=received,
            reply_due=result.reply_due,
            correction_notice_due=result.correction_notice_due,
            provisional=bool(result.provisional),
            created_by=_user(actor),
        )
        audit_record(
            action="clock.ledger_open",
            actor=actor,
            agency_id=agency.pk,
            obj=ledger,
            after={"received": received, "reply_due": result.reply_due, "provisional": bool(result.provisional)},
            request=request,
        )
    return ledger


def ledger_append(
    *, ledger: ClockLedger, event: LedgerEvent, actor: Any, request: HttpRequest | None = None
) -> ClockLedgerEvent:
    """Append one event; the engine decides whether it is admissible (LedgerError → the Chinese ValidationError)."""
    with transaction.atomic():
        locked = ClockLedger.objects.select_for_update().get(pk=ledger.pk)
        if not locked.is_open:
            raise ValidationError("该台账已办结，不能再追加期限事件")
        events = selectors.ledger_events(locked)
        try:
            result = compute(
                locked.received,
                [*events, event],
                selectors.current_calendar(),
                explain=False,
                fee_pauses_clock=selectors.fee_pauses_clock(),
            )
        except LedgerError as error:
            raise ValidationError(str(error)) from None
        row = ClockLedgerEvent.objects.create(
            ledger=locked,
            seq=len(events) + 1,
            type=LedgerEventType(event.type.value),
            date=event.date,
            days=event.days,
            until=event.until,
            note=event.note[:500],
            created_by=_user(actor),
        )
        before = _cached_of(locked)
        after = _cached(result)
        label = LedgerEventType(event.type.value).label
        # The previous due date is never lost (an extension elsewhere overwrote it): each move is a row.
        DueDateMove.objects.bulk_create(
            DueDateMove(
                ledger=locked,
                field=which,
                old_date=old_date,
                new_date=new_date,
                reason=f"{label}（{chinese_date(event.date)}）",
            )
            for which, old_date, new_date in (
                (DueField.REPLY, before[0], after[0]),
                (DueField.CORRECTION_NOTICE, before[1], after[1]),
            )
            if old_date != new_date
        )
        locked.reply_due, locked.correction_notice_due, locked.provisional = after
        locked.save(update_fields=["reply_due", "correction_notice_due", "provisional"])
        audit_record(
            action="clock.ledger_append",
            actor=actor,
            agency_id=locked.agency_id,
            obj=locked,
            before={"reply_due": before[0], "correction_notice_due": before[1]},
            after={
                "event": event.type.value,
                "date": event.date,
                "days": event.days,
                "until": event.until,
                "reply_due": after[0],
                "correction_notice_due": after[1],
            },
            detail=label,
            request=request,
        )
    ledger.reply_due, ledger.correction_notice_due, ledger.provisional = after
    return row


def _cached_of(ledger: ClockLedger) -> tuple[dt.date | None, dt.date | None, bool]:
    return ledger.reply_due, ledger.correction_notice_due, ledger.provisional


def ledger_close(*, ledger: ClockLedger, actor: Any, request: HttpRequest | None = None) -> ClockLedger:
    """Stop the clock (the matter is answered); a closed ledger is no longer recomputed."""
    with transaction.atomic():
        locked = ClockLedger.objects.select_for_update().get(pk=ledger.pk)
        if not locked.is_open:
            raise ValidationError("该台账已办结")
        locked.is_open = False
        locked.save(update_fields=["is_open"])
        audit_record(
            action="clock.ledger_close",
            actor=actor,
            agency_id=locked.agency_id,
            obj=locked,
            before={"is_open": True},
            after={"is_open": False},
            request=request,
        )
    ledger.is_open = False
    return ledger


def ledger_reopen(*, ledger: ClockLedger, actor: Any, request: HttpRequest | None = None) -> ClockLedger:
    """Open a closed ledger again (a 负责人 reopened the matter); its due dates are recomputed from its events."""
    with transaction.atomic():
        locked = ClockLedger.objects.select_for_update().get(pk=ledger.pk)
        if locked.is_open:
            return locked
        result = _compute(locked.received, selectors.ledger_events(locked), selectors.current_calendar())
        locked.is_open = True
        locked.reply_due, locked.correction_notice_due, locked.provisional = _cached(result)
        locked.save(update_fields=["is_open", "reply_due", "correction_notice_due", "provisional"])
        audit_record(
            action="clock.ledger_reopen",
            actor=actor,
            agency_id=locked.agency_id,
            obj=locked,
            before={"is_open": False},
            after={"is_open": True, "reply_due": locked.reply_due},
            request=request,
        )
    ledger.is_open = True
    ledger.reply_due = locked.reply_due
    return locked
