"""gongkai deadline [FILE|-] [--format text|json] — the reply clock for one ledger, explained.

Input (JSON): {"received": "YYYY-MM-DD", "events": [{"type": "extended", "date": "YYYY-MM-DD", "days": 10}, ...]}.
Bad input ends with one Chinese line naming the offending event and status 2 (gongkai/cli.py prints CommandError).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError

from gongkai.clock.calendar import WorkCalendar
from gongkai.clock.engine import ClockResult, EventType, LedgerError, LedgerEvent, compute
from gongkai.clock.selectors import fee_pauses_clock

MAX_INPUT = 1024 * 1024
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_FIELDS = {"type", "date", "days", "until", "note"}
_WEEKDAYS = "一二三四五六日"
USAGE = '{"received": "YYYY-MM-DD", "events": [{"type": "...", "date": "YYYY-MM-DD"}]}'


def _bad(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def _parse_date(value: object) -> dt.date | None:
    """A strict YYYY-MM-DD date in a sane range, or None."""
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return day if 1900 <= day.year <= 2999 else None


def _shown(text: str) -> str:
    """A name from the input as it can be shown in the one error line: as typed, or quoted when it holds a line
    break or other unprintable characters (found by fuzzing: a key "\n" split the message over two lines)."""
    return text if text.isprintable() else repr(text)


def _event_label(number: int, raw: dict[str, Any]) -> str:
    kind = raw.get("type")
    return f"第{number}个事件（type={_shown(kind)}）" if isinstance(kind, str) else f"第{number}个事件"


def parse_ledger(document: object) -> tuple[dt.date, list[LedgerEvent]]:
    """The receipt date and events of the JSON document, or CommandError naming what is wrong."""
    if not isinstance(document, dict):
        raise _bad(f"输入必须是 JSON 对象，形如 {USAGE}")
    unknown = sorted(set(document) - {"received", "events"})
    if unknown:
        raise _bad(f"未知字段：{_shown(str(unknown[0]))}（只接受 received 与 events）")
    if "received" not in document:
        raise _bad("缺少 received（收到申请之日，格式 YYYY-MM-DD）")
    received = _parse_date(document["received"])
    if received is None:
        raise _bad(f"received 不是有效日期（应为 YYYY-MM-DD）：{document['received']!r}")
    raw_events = document.get("events", [])
    if not isinstance(raw_events, list):
        raise _bad("events 必须是数组")
    events: list[LedgerEvent] = []
    known = ", ".join(t.value for t in EventType)
    for number, raw in enumerate(raw_events, start=1):
        if not isinstance(raw, dict):
            raise _bad(f"第{number}个事件：必须是 JSON 对象")
        label = _event_label(number, raw)
        extra = sorted(set(raw) - _FIELDS)
        if extra:
            raise _bad(f"{label}：未知字段 {_shown(str(extra[0]))}")
        kind = raw.get("type")
        if kind not in {t.value for t in EventType}:
            raise _bad(f"{label}：未知的事件类型（可用：{known}）")
        event_type = EventType(kind)
        date = _parse_date(raw.get("date"))
        if date is None:
            raise _bad(f"{label}：date 缺失或不是有效日期（应为 YYYY-MM-DD）：{raw.get('date')!r}")
        days = raw.get("days")
        if event_type is EventType.EXTENDED:
            if isinstance(days, bool) or not isinstance(days, int):
                raise _bad(f"{label}：extended 须写明延长的工作日数 days（正整数）")
        elif days is not None:
            raise _bad(f"{label}：days 只用于 extended 事件")
        until: dt.date | None = None
        if event_type is EventType.DELAY_SET:
            until = _parse_date(raw.get("until"))
            if until is None:
                raise _bad(f"{label}：delay_set 须写明延迟答复期限 until（YYYY-MM-DD）：{raw.get('until')!r}")
        elif "until" in raw:
            raise _bad(f"{label}：until 只用于 delay_set 事件")
        note = raw.get("note", "")
        if not isinstance(note, str):
            raise _bad(f"{label}：note 必须是字符串")
        events.append(LedgerEvent(event_type, date, days=days, until=until, note=note))
    return received, events


def load_calendar() -> tuple[WorkCalendar, str]:
    """The database calendar when the clock app's selector has rows, else the chinesecalendar package data."""
    from django.db import DatabaseError

    try:
        from gongkai.clock import selectors
    except ImportError:  # the data side of the clock app is optional for this pure calculator
        selectors_current = None
    else:
        selectors_current = getattr(selectors, "current_calendar", None)
    if callable(selectors_current):
        try:
            calendar = selectors_current()
        except DatabaseError:  # not migrated yet: the package data is still the official arrangement
            calendar = None
        if isinstance(calendar, WorkCalendar) and calendar.years:
            return calendar, "database"
    return WorkCalendar.from_chinesecalendar(), "chinesecalendar"


def _ymd(day: dt.date | None) -> str:
    if day is None:
        return "—"
    return f"{day.year}年{day.month}月{day.day}日（星期{_WEEKDAYS[day.weekday()]}）"


def as_json(received: dt.date, result: ClockResult, source: str) -> dict[str, Any]:
    return {
        "received": received.isoformat(),
        "reply_due": result.reply_due.isoformat() if result.reply_due else None,
        "correction_notice_due": result.correction_notice_due.isoformat(),
        "original_due": result.original_due.isoformat(),
        "extended_days": result.extended_days,
        "paused": result.paused,
        "provisional": result.provisional,
        "warnings": list(result.warnings),
        "steps": [
            {"kind": s.kind, "date": s.date.isoformat() if s.date else None, "text": s.text} for s in result.steps
        ],
        "calendar": source,
    }


def as_text(result: ClockResult) -> str:
    lines = [
        f"答复期限：{_ymd(result.reply_due)}" + ("（暂定）" if result.provisional else ""),
        f"补正告知期限：{_ymd(result.correction_notice_due)}",
        f"原答复期限：{_ymd(result.original_due)}",
    ]
    if result.extended_days:
        lines.append(f"已延长：{result.extended_days}个工作日")
    if result.paused:
        lines.append("期限状态：暂停中")
    lines.extend(f"注意：{w}" for w in result.warnings)
    lines.append("计算过程：")
    lines.extend(f"{n}. {step.text}" for n, step in enumerate(result.steps, start=1))
    return "\n".join(lines)


class Command(BaseCommand):
    help = "计算一件政府信息公开申请的答复期限并逐步说明（输入为 JSON 台账）"
    stealth_options = ("stdin",)
    # A calculation over one ledger: Django's system checks (~40 ms of model and URL introspection) would be most of
    # each run's time and tell the user nothing about their input.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("source", nargs="?", default="-", help="JSON 文件路径，- 表示标准输入（默认）")
        parser.add_argument("--format", choices=("text", "json"), default="text", dest="output_format")

    def _read(self, source: str, stdin: IO[str] | None) -> str:
        if source == "-":
            if stdin is not None:
                return stdin.read(MAX_INPUT + 1)
            raw = sys.stdin.buffer.read(MAX_INPUT + 1)
        else:
            path = Path(source)
            if not path.is_file():
                raise _bad(f"找不到文件：{_shown(source)}")
            raw = path.read_bytes()[: MAX_INPUT + 1]
        if len(raw) > MAX_INPUT:
            raise _bad("输入过大（超过 1MB）")
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _bad("输入不是 UTF-8 编码的文本") from None

    def handle(self, *args: Any, **options: Any) -> None:
        text = self._read(options["source"], options.get("stdin"))
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise _bad(f"输入不是有效的 JSON（第{error.lineno}行第{error.colno}列：{error.msg}）") from None
        received, events = parse_ledger(document)
        calendar, source = load_calendar()
        fee_pauses = fee_pauses_clock()
        try:
            result = compute(received, events, calendar, fee_pauses_clock=bool(fee_pauses))
        except LedgerError as error:
            raise _bad(str(error)) from None
        except (ValueError, OverflowError) as error:  # dates so far out that ordinal arithmetic leaves the calendar
            raise _bad(f"无法计算期限：{error}") from None
        if options["output_format"] == "json":
            self.stdout.write(json.dumps(as_json(received, result, source), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(as_text(result))
