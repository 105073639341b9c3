"""Parser for 《国务院办公厅关于YYYY年部分节假日安排的通知》.

The notice is the legal source of the year's 放假 and 调休上班 days (《全国年节及纪念日放假办法》第六、七条). The parser
reads its numbered items ("一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。") into a
``YearArrangement`` and a list of problems. It never guesses: a sentence it does not understand is an error with its line
number, and the caller (``services.calendar_load_notice``) refuses to load a parse that has errors. Warnings (a stated
weekday that does not match the date, "共N天" that does not match the range) are shown to the administrator, who decides.

Semantics follow ``chinesecalendar``: a holiday range lists every day of the range (weekend days inside it too); "与周末连休"
declares only the day itself (the weekend is a weekend anyway); 调休上班 days are the listed weekend days.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from gongkai.clock.calendar import YearArrangement

__all__ = ["NoticeError", "NoticeItem", "NoticeParse", "Problem", "Severity", "parse_notice", "year_from_title"]

MAX_TEXT = 50_000  # a real notice is about 1,000 characters
FIRST_YEAR, LAST_YEAR = 2000, 2200
WEEKDAYS = "一二三四五六日"


class NoticeError(ValueError):
    """The text cannot be read as a notice at all (no year, no item). The only exception ``parse_notice`` raises."""


class Severity(StrEnum):
    ERROR = "error"  # the parse must not be loaded
    WARNING = "warning"  # shown to the administrator, who decides


@dataclass(frozen=True)
class Problem:
    line: int  # 1-based line of the text; 0 for the text as a whole
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = f"第{self.line}行：" if self.line else ""
        return f"{where}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR


@dataclass(frozen=True)
class NoticeItem:
    line: int
    name: str  # 元旦, 春节, 国庆节、中秋节 …
    holidays: tuple[dt.date, ...]
    workdays: tuple[dt.date, ...]


@dataclass(frozen=True)
class NoticeParse:
    year: int
    arrangement: YearArrangement
    items: tuple[NoticeItem, ...]
    problems: tuple[Problem, ...] = field(default=())

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)

    @property
    def ok(self) -> bool:
        return not self.errors


# After NFKC normalisation full-width punctuation and digits are ASCII: （）：，；０-９ → ():,;0-9.
_TITLE = re.compile(r"关于([0-9]{4})年(?:部分)?节假日安排的通知")
_ITEM = re.compile(r"^([一二三四五六七八九十]{1,3})、([^:]{1,30}):(.*)$")
_PAREN = r"(?:\(([^()]{0,40})\))?"
_DATE = rf"(?:([0-9]{{4}})年)?([0-9]{{1,2}})月([0-9]{{1,2}})日{_PAREN}"
_DATE_END = rf"(?:(?:([0-9]{{4}})年)?([0-9]{{1,2}})月)?([0-9]{{1,2}})日{_PAREN}"
_RANGE = re.compile(rf"{_DATE}(?:至{_DATE_END})?")
_ONE_DATE = re.compile(_DATE)
_DATE_LIST = re.compile(rf"{_DATE}(?:[、,和及]{_DATE})*")
_WEEKDAY = re.compile(r"^(?:周|星期|礼拜)([一二三四五六日天])$")
_DAYS = re.compile(r"^([0-9]{1,3})天")
_TOTAL = re.compile(r"^共([0-9]{1,3})天$")
_LOOSE_DATE = re.compile(r"[0-9]{1,2}月[0-9]{1,2}日")


def _normalise(line: str) -> str:
    line = unicodedata.normalize("NFKC", line).strip()
    line = line.lstrip(">").strip()  # quoted copies (Markdown "> ")
    return re.sub(r"\s+", "", line)


def year_from_title(text: str) -> int | None:
    match = _TITLE.search(unicodedata.normalize("NFKC", text[:MAX_TEXT]).replace(" ", ""))
    return int(match.group(1)) if match else None


def _cn(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


class _Parser:
    def __init__(self, year: int) -> None:
        self.year = year
        self.problems: list[Problem] = []
        self.holidays: dict[dt.date, str] = {}
        self.workdays: dict[dt.date, str] = {}
        self.items: list[NoticeItem] = []

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(line, message, Severity.ERROR))

    def warn(self, line: int, message: str) -> None:
        self.problems.append(Problem(line, message, Severity.WARNING))

    def make_date(self, line: int, year: str | None, month: str, day: str) -> dt.date | None:
        y = int(year) if year else self.year
        try:
            return dt.date(y, int(month), int(day))
        except ValueError:
            self.error(line, f"日期不存在：{y}年{int(month)}月{int(day)}日")
            return None

    def check_paren(self, line: int, day: dt.date, paren: str | None) -> None:
        """ "（农历除夕、周二）": the weekday stated must be the date's weekday; lunar notes are not checked."""
        if not paren:
            return
        for part in paren.split("、"):
            match = _WEEKDAY.match(part)
            if match:
                stated = "日" if match.group(1) == "天" else match.group(1)
                actual = WEEKDAYS[day.weekday()]
                if stated != actual:
                    self.warn(line, f"{_cn(day)}是星期{actual}，通知写作“{part}”，请核对日期")
            elif not part.startswith("农历") and part not in ("除夕", "春节", "元旦"):
                self.warn(line, f"未识别的括注“{part}”（{_cn(day)}），已忽略")

    def keep(self, line: int, day: dt.date) -> bool:
        if day.year != self.year:
            self.warn(
                line,
                f"{day.year}年{_cn(day)}不属于{self.year}年，未导入；请在{day.year}年日历中逐日更正",
            )
            return False
        return True

    def holiday_sentence(self, line: int, sentence: str, name: str) -> list[dt.date]:
        left, _, right = sentence.partition("放假")
        match = _RANGE.fullmatch(left)
        if match is None:
            self.error(line, f"无法识别放假日期“{left}”，本句未导入")
            return []
        y1, m1, d1, p1, y2, m2, d2, p2 = match.groups()
        start = self.make_date(line, y1, m1, d1)
        if start is None:
            return []
        end = start
        if d2 is not None:
            end_year = y2 or (y1 if m2 is None else None) or str(start.year)
            parsed = self.make_date(line, end_year, m2 or m1, d2)
            if parsed is None:
                return []
            end = parsed
        if end < start:
            self.error(line, f"放假区间{_cn(start)}至{_cn(end)}的结束日早于开始日")
            return []
        span = (end - start).days + 1
        if span > 31:
            self.error(line, f"放假区间{_cn(start)}至{_cn(end)}长达{span}天，不像节假日安排，请核对")
            return []
        self.check_paren(line, start, p1)
        if d2 is not None:
            self.check_paren(line, end, p2)
        declared: int | None = None
        days_match = _DAYS.match(right)
        if days_match:
            declared = int(days_match.group(1))
            right = right[days_match.end() :]
        for clause in right.split(","):
            if clause in ("", "调休", "与周末连休", "不调休"):
                continue
            total = _TOTAL.match(clause)
            if total:
                declared = int(total.group(1))
                continue
            self.error(line, f"无法识别“{clause}”，本句未导入")
            return []
        if declared is not None and declared != span:
            self.warn(line, f"{name}：通知写“共{declared}天”，而{_cn(start)}至{_cn(end)}为{span}天，请核对")
        days = [start + dt.timedelta(days=i) for i in range(span)]
        return [d for d in days if self.keep(line, d)]

    def workday_sentence(self, line: int, sentence: str, name: str) -> list[dt.date]:
        body = sentence.removesuffix("上班")
        if _DATE_LIST.fullmatch(body) is None:
            self.error(line, f"无法识别调休上班日期“{body}”，本句未导入")
            return []
        days: list[dt.date] = []
        for match in _ONE_DATE.finditer(body):
            year, month, day_of_month, paren = match.groups()
            day = self.make_date(line, year, month, day_of_month)
            if day is None:
                continue
            self.check_paren(line, day, paren)
            if day.weekday() < 5:
                self.warn(line, f"{_cn(day)}是星期{WEEKDAYS[day.weekday()]}，本就是工作日，通知却列为上班日")
            if self.keep(line, day):
                days.append(day)
        return days

    def item(self, line: int, name: str, body: str) -> None:
        holidays: list[dt.date] = []
        workdays: list[dt.date] = []
        for raw in re.split(r"[。;]", body):
            sentence = raw.strip(",")
            if not sentence:
                continue
            if sentence.startswith("鼓励"):
                continue  # "鼓励各单位…安排职工在除夕（2月9日）休息": an encouragement, not an arrangement
            if sentence.endswith("上班"):
                workdays += self.workday_sentence(line, sentence, name)
            elif "放假" in sentence:
                holidays += self.holiday_sentence(line, sentence, name)
            else:
                self.error(line, f"无法识别的句子“{sentence}”，未导入")
        if not holidays and not workdays:
            self.warn(line, f"“{name}”一项没有读出任何放假或上班日期")
        for day in holidays:
            if day in self.holidays:
                self.warn(line, f"{_cn(day)}已在“{self.holidays[day]}”中列为放假")
                continue
            if day in self.workdays:  # an earlier item made it a workday (found by fuzzing: YearArrangement raised)
                self.error(line, f"{_cn(day)}同时被列为放假日和上班日")
                continue
            self.holidays[day] = name
        for day in workdays:
            if day in self.holidays:
                self.error(line, f"{_cn(day)}同时被列为放假日和上班日")
                continue
            self.workdays.setdefault(day, name)
        self.items.append(NoticeItem(line, name, tuple(holidays), tuple(workdays)))


def parse_notice(text: str, *, year: int | None = None) -> NoticeParse:
    """Read a notice; ``year`` is taken from the title when not given (and must agree with it when both are)."""
    if not isinstance(text, str) or not text.strip():
        raise NoticeError("通知文本为空")
    if len(text) > MAX_TEXT:
        raise NoticeError(f"通知文本过长（{len(text)} 字），请只粘贴通知正文")
    title_year = year_from_title(text)
    if year is None:
        if title_year is None:
            raise NoticeError("无法从标题确定年份（应含“关于YYYY年部分节假日安排的通知”），请指定年份")
        year = title_year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise NoticeError(f"年份 {year} 超出范围（{FIRST_YEAR}–{LAST_YEAR}）")
    parser = _Parser(year)
    if title_year is not None and title_year != year:
        parser.error(0, f"通知标题是{title_year}年，与指定的{year}年不一致")
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _normalise(raw)
        if not line:
            continue
        match = _ITEM.match(line)
        if match:
            parser.item(number, match.group(2), match.group(3))
        elif _LOOSE_DATE.search(line) and ("放假" in line or "上班" in line):
            parser.error(number, "含有放假或上班日期，但不是“一、元旦：……”形式的编号条目，未解析")
    if not parser.items:
        raise NoticeError("未找到任何节假日安排条目（应为“一、元旦：1月1日放假……”形式的编号条目）")
    arrangement = YearArrangement(
        year=year,
        holidays=frozenset(parser.holidays),
        workdays=frozenset(parser.workdays),
        version="notice",
        names={**parser.workdays, **parser.holidays},
    )
    return NoticeParse(year, arrangement, tuple(parser.items), tuple(parser.problems))
