"""The statutory clocks of an appeal, as pure functions of the calendar and the dates (no clock, no database).

Periods and their articles live in gongkai.clock.rules.PERIODS; this module only chooses which one applies:
- 答复 (行政复议法第四十八条): 10 日 from receipt of the 申请书副本, 工作日 by 第八十八条第二款; 5 日 under 简易程序 (第五十四条);
- 答辩 (行政诉讼法第六十七条): 15 days from receipt of the 起诉状副本, calendar days, 民法典第二百零一、二百零三条;
- decision: 复议 60 days from 受理 + an approved extension ≤ 30 days (第六十二条), 30 days under 简易程序 (第六十二条
  第二款); 一审 6 months from 立案 (行政诉讼法第八十一条); 二审 3 months from receipt of the 上诉状 (第八十八条).
The receipt / 受理 day is not counted (民法典第二百零一条); a calendar-day or month period whose last day is a 法定休假日
ends on the next working day (第二百零三条).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gongkai.appeals.codebook import AppealKind, Instance
from gongkai.clock.calendar import WorkCalendar
from gongkai.clock.rules import CIVIL_CODE_LAST_DAY, CIVIL_CODE_START, PERIODS, StatutoryPeriod, period_end

__all__ = ["Deadline", "answer_deadline", "answer_period", "decision_deadline", "decision_period", "extension_max"]


@dataclass(frozen=True)
class Deadline:
    due: dt.date
    period: StatutoryPeriod
    amount: int  # the length counted (the statutory amount, plus an extension where one was granted)
    start: dt.date
    provisional_years: tuple[int, ...]  # years whose holidays were not loaded: the date may move

    @property
    def explanation(self) -> str:
        unit = {"working_days": "个工作日", "calendar_days": "日", "months": "个月"}[self.period.unit.value]
        text = (
            f"{self.period.label_zh}：自{self.start:%Y年%m月%d日}起{self.amount}{unit}，至{self.due:%Y年%m月%d日}。"
            f"依据：{self.period.basis}。{CIVIL_CODE_START}"
        )
        if self.period.unit.value != "working_days":
            text += f"；{CIVIL_CODE_LAST_DAY}"
        if self.provisional_years:
            years = "、".join(str(y) for y in self.provisional_years)
            text += f"。注意：{years}年的节假日安排尚未导入，期限可能变化"
        return text


def extension_max() -> int:
    """行政复议法第六十二条：延长期限最多不得超过三十日."""
    return PERIODS["reconsideration_extension"].amount


def answer_period(kind: str, *, simplified: bool = False) -> StatutoryPeriod:
    if kind == AppealKind.RECONSIDERATION:
        return PERIODS["reconsideration_answer_simplified" if simplified else "reconsideration_answer"]
    return PERIODS["litigation_defence"]


def answer_deadline(kind: str, copy_received: dt.date, calendar: WorkCalendar, *, simplified: bool = False) -> Deadline:
    """The last day to file the 答复 (复议) or 答辩状 (诉讼), counted from receipt of the copy."""
    statutory = answer_period(kind, simplified=simplified)
    due, unloaded = period_end(statutory, copy_received, calendar)
    return Deadline(due, statutory, statutory.amount, copy_received, unloaded)


def decision_period(kind: str, *, instance: str = "", simplified: bool = False) -> StatutoryPeriod:
    if kind == AppealKind.RECONSIDERATION:
        return PERIODS["reconsideration_decision_simplified" if simplified else "reconsideration_decision"]
    if instance == Instance.SECOND:
        return PERIODS["litigation_second_instance"]
    return PERIODS["litigation_first_instance"]


def decision_deadline(
    kind: str,
    accepted: dt.date,
    calendar: WorkCalendar,
    *,
    instance: str = "",
    simplified: bool = False,
    extension_days: int = 0,
) -> Deadline:
    """When the decision or judgment is expected, counted from 受理 / 立案 (二审: receipt of the 上诉状).

    A 复议 extension (第六十二条) continues the period: the 60 days and the extension are counted as one run of calendar
    days, and only its last day is moved past a rest day (民法典第二百零三条)."""
    statutory = decision_period(kind, instance=instance, simplified=simplified)
    if extension_days < 0 or extension_days > extension_max():
        raise ValueError(f"延长期限最多不得超过{extension_max()}日（行政复议法第六十二条）")
    if extension_days and kind != AppealKind.RECONSIDERATION:
        raise ValueError("只有行政复议可以记录延长审理期限")
    amount = statutory.amount + extension_days
    due, unloaded = period_end(statutory, accepted, calendar, amount=amount)
    return Deadline(due, statutory, amount, accepted, unloaded)
