"""The reply clock of an 依申请公开 application: a ledger of events in, due dates and a plain-Chinese explanation out.

Pure: it takes the receipt date, the ledger and the calendar, and never reads the clock or the database.

Counting convention (docs/clock.md):
- the receipt day is not counted, counting starts the next day (民法典第二百零一条); the N-th counted working day is the
  last day to act; a receipt on a rest day therefore simply starts counting on the next working day;
- reply: 20 working days (条例第三十三条第二款); 补正 notice: 7 working days after the ORIGINAL receipt (第三十条);
- after a 补正 request the clock stops, and counts 20 working days afresh from receipt of the corrected application
  (第三十条);
- a pause from day A (letter or notice sent) to day B (answer or payment received) excludes the working days d with
  A < d ≤ B: the due date moves later by that many working days (第三十三条第三款; fee: 国办函〔2020〕109号, a setting);
- an extension (once, ≤ 20 working days, notified no later than the current due date) adds its working days after the
  current due date (第三十三条第二款);
- a 第三十五条 delay sets the due date to the stated date, which may not be earlier than the current one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from gongkai.clock.calendar import WorkCalendar, unloaded_warning
from gongkai.clock.rules import PAUSE_BASIS, PERIODS

__all__ = [
    "ClockResult",
    "EventType",
    "LedgerError",
    "LedgerEvent",
    "Step",
    "compute",
    "validate_ledger",
]

_REPLY_DAYS = PERIODS["reply"].amount  # 条例第三十三条第二款：20个工作日
_EXTENSION_MAX = PERIODS["extension"].amount  # 条例第三十三条第二款：延长最长不得超过20个工作日
_CORRECTION_NOTICE_DAYS = PERIODS["correction_notice"].amount  # 条例第三十条：7个工作日
_OPINION_DAYS = PERIODS["third_party_opinion"].amount  # 条例第三十二、三十四条：15个工作日
_FEE_DAYS = PERIODS["fee_payment"].amount  # 国办函〔2020〕109号：20个工作日


class EventType(StrEnum):
    CORRECTION_REQUESTED = "correction_requested"
    CORRECTION_RECEIVED = "correction_received"
    CONSULTATION_STARTED = "consultation_started"
    CONSULTATION_ENDED = "consultation_ended"
    EXTENDED = "extended"
    FEE_NOTIFIED = "fee_notified"
    FEE_PAID = "fee_paid"
    DELAY_SET = "delay_set"


_LABELS = {
    EventType.CORRECTION_REQUESTED: "告知补正",
    EventType.CORRECTION_RECEIVED: "收到补正的申请",
    EventType.CONSULTATION_STARTED: "发出征求意见书",
    EventType.CONSULTATION_ENDED: "收到意见",
    EventType.EXTENDED: "延长答复期限",
    EventType.FEE_NOTIFIED: "发出收费通知",
    EventType.FEE_PAID: "申请人缴费",
    EventType.DELAY_SET: "确定延迟答复期限",
}

_KNOWN_TYPES = frozenset(t.value for t in EventType)


@dataclass(frozen=True)
class LedgerEvent:
    type: EventType
    date: dt.date
    days: int | None = None  # EXTENDED: working days granted
    until: dt.date | None = None  # DELAY_SET: the reasonable delayed deadline (条例第三十五条)
    note: str = ""


@dataclass(frozen=True)
class Step:
    kind: str
    text: str
    date: dt.date | None


@dataclass(frozen=True, slots=True)
class ClockResult:
    reply_due: dt.date | None  # None while waiting for the corrected application (条例第三十条)
    correction_notice_due: dt.date
    paused: bool  # the clock is stopped now: awaiting correction, an opinion or a payment
    provisional: bool  # some counted day lies in a year whose holiday notice is not loaded
    warnings: tuple[str, ...]
    steps: tuple[Step, ...]
    extended_days: int
    original_due: dt.date


class LedgerError(ValueError):
    """A ledger the statute does not allow; ``index`` is the 0-based position of the offending event."""

    def __init__(self, index: int | None, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.message = message


def _fail(index: int, event: LedgerEvent, reason: str) -> LedgerError:
    kind = event.type.value if isinstance(event.type, EventType) else str(event.type)
    return LedgerError(index, f"第{index + 1}个事件（{kind}，{event.date.isoformat()}）：{reason}")


_WEEKDAYS = "一二三四五六日"


def _md(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def _ymd(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日（星期{_WEEKDAYS[day.weekday()]}）"


# Module constants: the hot loop compares event types by identity, and global look-ups are cheaper than enum ones.
_CORR_REQ = EventType.CORRECTION_REQUESTED
_CORR_RECV = EventType.CORRECTION_RECEIVED
_CONS_START = EventType.CONSULTATION_STARTED
_CONS_END = EventType.CONSULTATION_ENDED
_EXTENDED = EventType.EXTENDED
_FEE_NOTE = EventType.FEE_NOTIFIED
_FEE_PAID = EventType.FEE_PAID
_DELAY = EventType.DELAY_SET


def validate_ledger(received: dt.date, events: Sequence[LedgerEvent], calendar: WorkCalendar | None = None) -> None:
    """Raise LedgerError for a ledger the statute does not allow.

    Without a calendar only the checks that need no dates counted are made (types, order, pairing, once-only rules);
    with one, the full check (extension or delay against the current due date) runs as well.
    """
    if calendar is not None:
        compute(received, events, calendar, explain=False)
        return
    _check_structure(received, events)


def _check_structure(received: dt.date, events: Sequence[LedgerEvent]) -> None:
    previous = received
    consulting = paying = awaiting = corrected = extended = False
    for i, event in enumerate(events):
        if event.type not in _KNOWN_TYPES:
            raise _fail(i, event, f"未知的事件类型“{event.type}”")
        if event.date < received:
            raise _fail(i, event, f"事件早于收到申请之日（{received.isoformat()}）")
        if event.date < previous:
            raise _fail(i, event, f"事件未按日期先后排列（前一事件为 {previous.isoformat()}）")
        previous = event.date
        t = event.type
        if awaiting and t is not _CORR_RECV:
            raise _fail(i, event, "等待补正期间答复期限已停止，应先记录收到补正的申请")
        if t is _CORR_REQ:
            if corrected:
                raise _fail(i, event, "补正只能一次性告知（条例第三十条）")
            if extended:
                raise _fail(i, event, "已延长答复期限，不能再告知补正")
            if consulting or paying:
                raise _fail(i, event, "征求意见或等待缴费期间不能告知补正")
            awaiting = corrected = True
        elif t is _CORR_RECV:
            if not awaiting:
                raise _fail(i, event, "没有待补正的告知，不能记录收到补正")
            awaiting = False
        elif t is _CONS_START:
            if consulting:
                raise _fail(i, event, "上一次征求意见尚未结束")
            consulting = True
        elif t is _CONS_END:
            if not consulting:
                raise _fail(i, event, "没有进行中的征求意见，不能记录收到意见")
            consulting = False
        elif t is _FEE_NOTE:
            if paying:
                raise _fail(i, event, "上一次收费通知尚未缴费")
            paying = True
        elif t is _FEE_PAID:
            if not paying:
                raise _fail(i, event, "没有收费通知，不能记录缴费")
            paying = False
        elif t is _EXTENDED:
            if extended:
                raise _fail(i, event, "延期只能一次（条例第三十三条第二款）")
            if event.days is None or event.days <= 0:
                raise _fail(i, event, "延期须写明延长的工作日数（大于0）")
            if event.days > _EXTENSION_MAX:
                raise _fail(i, event, f"延长的期限最长不得超过{_EXTENSION_MAX}个工作日（条例第三十三条第二款）")
            extended = True
        elif t is _DELAY and event.until is None:
            raise _fail(i, event, "延迟答复须写明期限日期 until（条例第三十五条）")


def compute(
    received: dt.date,
    events: Sequence[LedgerEvent],
    calendar: WorkCalendar,
    *,
    fee_pauses_clock: bool = True,
    explain: bool = True,
) -> ClockResult:
    """Due dates for an application received on ``received`` with the clock ledger ``events`` (in date order).

    ``explain=False`` skips the plain-Chinese steps (the fast path used for bulk recomputation and the benchmark).
    Raises LedgerError for a ledger the statute does not allow.
    """
    cal = calendar
    r = received.toordinal()
    basics = cal.memo.get(r)
    if basics is None:
        basics = _basics(cal, r)
    assert isinstance(basics, _Basics)
    if not events and not explain:
        return basics.result  # nothing happened yet: the same immutable answer for every ledger received that day
    _check_structure(received, events)
    add = cal.add_working_days_ord
    between = cal.working_days_between_ord
    unloaded_in = cal.unloaded_years_ord
    notice_due = basics.notice_due
    original = basics.original
    due = original
    unloaded = basics.unloaded
    warnings: list[str] = []
    paused_since = -1  # the ordinal an open consultation/fee pause began on; -1 while the clock runs
    pause_kind = ""
    open_pauses = 0
    awaiting = False
    extended_days = 0
    # Explanation only: timeline entries and the counted spans (a, b] whose holidays and 调休 days are shown.
    notes: list[tuple[int, int, Step]] | None = [] if explain else None
    segments: list[tuple[int, int]] = []
    run_from = r  # the running span counts the days after this ordinal; -1 while the clock is stopped or pinned

    for i, event in enumerate(events):
        t = event.type
        d = event.date.toordinal()
        pausing = t is _CONS_START or (t is _FEE_NOTE and fee_pauses_clock)
        resuming = t is _CONS_END or (t is _FEE_PAID and fee_pauses_clock)
        if pausing:
            if open_pauses == 0:
                paused_since = d
                pause_kind = "consultation" if t is _CONS_START else "fee"
                if run_from >= 0:
                    segments.append((run_from, d if d < due else due))
                    run_from = -1
            open_pauses += 1
            if notes is not None:
                notes.append((d, i, _pause_step(event, fee_pauses_clock, cal)))
        elif resuming:
            open_pauses -= 1
            if open_pauses == 0:
                start, paused_since = paused_since, -1
                if start <= due:
                    # 条例第三十三条第三款 (and the fee setting): the working days in (start, d] are not counted.
                    shift = between(start, d)
                    if shift:
                        new_due = add(due, shift)
                        more = unloaded_in(start, d) + unloaded_in(due, new_due)
                        if more:
                            unloaded = unloaded + more
                        due = new_due
                    run_from = d
                    if notes is not None:
                        notes.append(
                            (
                                d,
                                i,
                                Step(
                                    "resume",
                                    f"{_ymd(event.date)}{_LABELS[t]}，期限恢复计算：暂停期间的{shift}个工作日不计入"
                                    f"（{PAUSE_BASIS[pause_kind]}），答复期限顺延至{_ymd(dt.date.fromordinal(due))}",
                                    event.date,
                                ),
                            )
                        )
                else:
                    warnings.append(
                        f"{'征求意见' if pause_kind == 'consultation' else '收费通知'}发出时答复期限"
                        f"（{dt.date.fromordinal(due).isoformat()}）已届满，暂停不再顺延答复期限"
                    )
                    if notes is not None:
                        notes.append((d, i, Step("resume", f"{_ymd(event.date)}{_LABELS[t]}", event.date)))
            elif notes is not None:
                notes.append((d, i, Step("resume", f"{_ymd(event.date)}{_LABELS[t]}，其他暂停仍在进行", event.date)))
        elif t is _CORR_REQ:
            if d > notice_due:
                warnings.append(
                    f"补正告知晚于条例第三十条规定的{_CORRECTION_NOTICE_DAYS}个工作日"
                    f"（应于{dt.date.fromordinal(notice_due).isoformat()}前告知）"
                )
            awaiting = True
            run_from = -1
            if notes is not None:
                notes.append(
                    (
                        d,
                        i,
                        Step(
                            "correction_requested",
                            f"{_ymd(event.date)}一次性告知申请人补正，答复期限停止计算，"
                            f"自收到补正的申请之日起重新计算（{PAUSE_BASIS['correction']}）",
                            event.date,
                        ),
                    )
                )
        elif t is _CORR_RECV:
            # 条例第三十条：答复期限自行政机关收到补正的申请之日起计算 — afresh; the days before do not count.
            awaiting = False
            due = add(d, _REPLY_DAYS)
            more = unloaded_in(d, due)
            if more:
                unloaded = unloaded + more
            segments.clear()
            run_from = d
            if notes is not None:
                notes.append(
                    (
                        d,
                        i,
                        Step(
                            "correction_received",
                            f"{_ymd(event.date)}收到补正的申请，自次日起重新计算{_REPLY_DAYS}个工作日"
                            f"（条例第三十条），答复期限为{_ymd(dt.date.fromordinal(due))}",
                            event.date,
                        ),
                    )
                )
        elif t is _EXTENDED:
            # While a pause is open the due date is moving; judge the notice against it as if the pause ended today.
            current = due if paused_since < 0 or paused_since > due else add(due, between(paused_since, d))
            if d > current:
                raise _fail(
                    i,
                    event,
                    f"延期须在当前答复期限（{dt.date.fromordinal(current).isoformat()}）届满前告知申请人"
                    "（条例第三十三条第二款）",
                )
            days = event.days or 0
            new_due = add(due, days)
            more = unloaded_in(due, new_due)
            if more:
                unloaded = unloaded + more
            if notes is not None:
                notes.append(
                    (
                        d,
                        i,
                        Step(
                            "extension",
                            f"{_ymd(event.date)}经政府信息公开工作机构负责人同意，延长答复期限{days}个工作日并告知申请人"
                            f"（条例第三十三条第二款），答复期限由{_ymd(dt.date.fromordinal(due))}"
                            f"延至{_ymd(dt.date.fromordinal(new_due))}",
                            event.date,
                        ),
                    )
                )
            due = new_due
            extended_days = days
        elif t is _DELAY:
            if open_pauses:
                raise _fail(i, event, "征求意见或等待缴费期间不能确定延迟答复期限，请先记录暂停结束")
            until = event.until
            assert until is not None  # _check_structure requires it
            target = until.toordinal()
            if target < due:
                raise _fail(
                    i,
                    event,
                    f"延迟答复期限（{until.isoformat()}）不得早于当前答复期限"
                    f"（{dt.date.fromordinal(due).isoformat()}）（条例第三十五条）",
                )
            if run_from >= 0:
                segments.append((run_from, due))
            run_from = -1  # a stated date, not a count: no holidays to explain after it
            if notes is not None:
                notes.append(
                    (
                        d,
                        i,
                        Step(
                            "delay",
                            f"{_ymd(event.date)}申请数量、频次明显超过合理范围，依照条例第三十五条确定延迟答复的"
                            f"合理期限并告知申请人：答复期限由{_ymd(dt.date.fromordinal(due))}改为{_ymd(until)}",
                            event.date,
                        ),
                    )
                )
            due = target
        elif notes is not None:  # a fee event while fees do not stop the clock
            notes.append((d, i, _pause_step(event, fee_pauses_clock, cal)))

    year_warnings = basics.result.warnings if unloaded is basics.unloaded else _year_warnings(unloaded)
    reply_due = None if awaiting else dt.date.fromordinal(due)
    steps: tuple[Step, ...] = ()
    if notes is not None:
        if run_from >= 0 and not awaiting:
            segments.append((run_from, due))
        steps = _explain(
            cal,
            received=received,
            notice_due=dt.date.fromordinal(notice_due),
            original=dt.date.fromordinal(original),
            reply_due=reply_due,
            notes=notes,
            segments=segments,
            awaiting=awaiting,
            open_pauses=open_pauses,
            year_warnings=year_warnings,
        )
    return ClockResult(
        reply_due,
        basics.result.correction_notice_due,
        awaiting or open_pauses > 0,
        bool(year_warnings),
        year_warnings + tuple(warnings) if warnings else year_warnings,
        steps,
        extended_days,
        basics.result.original_due,
    )


_MEMO_LIMIT = 200_000  # distinct receipt days kept per calendar (about 550 years' worth); beyond that, start over


@dataclass(frozen=True, slots=True)
class _Basics:
    """What depends on the receipt day alone: cached per calendar, since calendars never change."""

    notice_due: int
    original: int
    unloaded: tuple[int, ...]
    result: ClockResult  # the answer for a ledger with no events yet


def _year_warnings(years: tuple[int, ...]) -> tuple[str, ...]:
    return tuple(unloaded_warning(y) for y in sorted(set(years)))


def _basics(cal: WorkCalendar, r: int) -> _Basics:
    notice_due = cal.add_working_days_ord(r, _CORRECTION_NOTICE_DAYS)  # 条例第三十条：自收到申请之日起7个工作日内
    original = cal.add_working_days_ord(r, _REPLY_DAYS)  # 条例第三十三条第二款：自收到申请之日起20个工作日内
    unloaded = cal.unloaded_years_ord(r, max(original, notice_due))
    warnings = _year_warnings(unloaded)
    original_date = dt.date.fromordinal(original)
    result = ClockResult(
        original_date, dt.date.fromordinal(notice_due), False, bool(unloaded), warnings, (), 0, original_date
    )
    basics = _Basics(notice_due, original, unloaded, result)
    if len(cal.memo) >= _MEMO_LIMIT:
        cal.memo.clear()
    cal.memo[r] = basics
    return basics


def _pause_step(event: LedgerEvent, fee_pauses_clock: bool, cal: WorkCalendar) -> Step:
    day = event.date
    if event.type is _CONS_START:
        answer = cal.add_working_days(day, _OPINION_DAYS)
        text = (
            f"{_ymd(day)}书面征求意见，征求意见所需时间不计算在答复期限内（{PAUSE_BASIS['consultation']}），"
            f"答复期限暂停；被征求意见方应自收到征求意见书之日起{_OPINION_DAYS}个工作日内提出意见"
            f"（条例第三十二、三十四条），按当日收到计算为{_ymd(answer)}前"
        )
        return Step("pause", text, day)
    if event.type is _FEE_NOTE:
        pay_by = cal.add_working_days(day, _FEE_DAYS)
        effect = (
            f"缴费期间答复期限暂停（{PAUSE_BASIS['fee']}，本部署设置）"
            if fee_pauses_clock
            else "本部署设置缴费期间答复期限不中止"
        )
        text = (
            f"{_ymd(day)}发出收费通知，{effect}；申请人应在收到收费通知次日起{_FEE_DAYS}个工作日内缴费，"
            f"按当日收到计算为{_ymd(pay_by)}前，逾期未缴纳的视为放弃申请"
        )
        return Step("pause" if fee_pauses_clock else "fee", text, day)
    return Step("fee", f"{_ymd(day)}{_LABELS[event.type]}", day)


def _calendar_notes(cal: WorkCalendar, segments: Sequence[tuple[int, int]]) -> list[tuple[int, int, Step]]:
    """Holiday runs skipped and 调休 working weekends counted, inside the counted spans only."""
    out: list[tuple[int, int, Step]] = []
    seen: set[int] = set()
    for a, b in segments:
        run: list[dt.date] = []
        for ordinal in range(a + 1, b + 2):  # one day past the span closes a run ending on b
            day = dt.date.fromordinal(ordinal)
            working = ordinal > b or cal.is_working_day(day)
            if not working:
                run.append(day)
                continue
            if run:
                holiday_days = [x for x in run if cal.is_holiday(x)]
                if holiday_days and run[0].toordinal() not in seen:
                    seen.add(run[0].toordinal())
                    name = next((n for n in map(cal.holiday_name, run) if n), None) or "法定节假日"
                    span = _md(run[0]) if len(run) == 1 else f"{_md(run[0])}至{_md(run[-1])}"
                    text = f"跳过{name}假期 {span}（{len(run)}天）"
                    out.append((run[0].toordinal(), 1 << 30, Step("holiday", text, run[0])))
                run = []
            if ordinal <= b and cal.is_adjusted_workday(day) and ordinal not in seen:
                seen.add(ordinal)
                text = f"{_md(day)}（星期{_WEEKDAYS[day.weekday()]}）为调休上班日，计入"
                out.append((ordinal, 1 << 30, Step("adjusted_workday", text, day)))
    return out


def _explain(
    cal: WorkCalendar,
    *,
    received: dt.date,
    notice_due: dt.date,
    original: dt.date,
    reply_due: dt.date | None,
    notes: list[tuple[int, int, Step]],
    segments: Sequence[tuple[int, int]],
    awaiting: bool,
    open_pauses: int,
    year_warnings: Sequence[str],
) -> tuple[Step, ...]:
    receipt = f"{_ymd(received)}收到申请。收到当日不计入，自次日起计算（民法典第二百零一条）"
    if not cal.is_working_day(received):
        what = cal.holiday_name(received) or ("法定节假日" if cal.is_holiday(received) else "休息日")
        first = cal.next_working_day_after(received)
        receipt += f"；当日为{what}，期限自下一个工作日{_ymd(first)}起计算"
    steps = [
        Step("receipt", receipt, received),
        Step(
            "correction_notice_due",
            f"申请内容不明确需要补正的，应于{_ymd(notice_due)}前一次性告知申请人"
            f"（条例第三十条：自收到申请之日起{_CORRECTION_NOTICE_DAYS}个工作日内）",
            notice_due,
        ),
        Step(
            "original_due",
            f"自收到申请之日起{_REPLY_DAYS}个工作日，答复期限为{_ymd(original)}（条例第三十三条第二款）",
            original,
        ),
    ]
    timeline = notes + _calendar_notes(cal, segments)
    timeline.sort(key=lambda item: (item[0], item[1]))
    steps.extend(step for _, _, step in timeline)
    steps.extend(Step("provisional", f"{w}，该年按仅周末休息计算，日期为暂定", None) for w in year_warnings)
    if awaiting or reply_due is None:
        steps.append(
            Step(
                "final",
                f"等待申请人补正，答复期限停止计算；收到补正的申请后自次日起重新计算{_REPLY_DAYS}个工作日（条例第三十条）",
                None,
            )
        )
    elif open_pauses:
        steps.append(
            Step(
                "final",
                f"答复期限暂停中，目前计至{_ymd(reply_due)}，暂停结束后按暂停期间的工作日顺延",
                reply_due,
            )
        )
    else:
        steps.append(Step("final", f"答复期限：{_ymd(reply_due)}，应在当日或之前作出答复", reply_due))
    return tuple(steps)
