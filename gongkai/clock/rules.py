"""Every statutory period the system counts, as data, each with the text it comes from.

This is the one place the numbers live: the engine, the documents and the portal calculator read them from here.
Quotes are from 《政府信息公开条例》(2019), 《行政复议法》(2023), 《行政诉讼法》(2017), 《民法典》 and the 四川省财政厅、
四川省发展改革委 notice restating 国办函〔2020〕109号 (see shared/domain/regulations.md §1.3, §3, §5).
"""

from __future__ import annotations

import calendar as _gregorian
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from gongkai.clock.calendar import WorkCalendar

__all__ = [
    "FEE_PAUSES_CLOCK_DEFAULT",
    "PAUSE_BASIS",
    "PERIODS",
    "PeriodUnit",
    "StatutoryPeriod",
    "add_months",
    "annual_report_due",
    "period",
    "period_end",
    "roll_past_rest_day",
]


class PeriodUnit(StrEnum):
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    MONTHS = "months"
    FIXED_DATE = "fixed_date"


@dataclass(frozen=True)
class StatutoryPeriod:
    key: str
    label_zh: str
    amount: int
    unit: PeriodUnit
    basis: str  # the article and, where short enough, its words
    note: str = ""
    fixed: tuple[int, int] | None = None  # (month, day) for FIXED_DATE periods set by law; None when staff set the date


# Whether the 20-working-day payment window stops the reply clock is not settled in the text we could verify
# (regulations.md §3, [U]); it is a per-deployment setting, on by default, because an applicant's own payment delay
# should not eat into the agency's reply period. Settings name: GONGKAI_FEE_PAUSES_CLOCK.
FEE_PAUSES_CLOCK_DEFAULT = True

_PERIODS = (
    # 条例第三十三条第二款：“应当自收到申请之日起20个工作日内予以答复”
    StatutoryPeriod(
        "reply",
        "答复期限",
        20,
        PeriodUnit.WORKING_DAYS,
        "《政府信息公开条例》第三十三条第二款：行政机关不能当场答复的，应当自收到申请之日起20个工作日内予以答复",
    ),
    # 条例第三十三条第二款：延长“应当经政府信息公开工作机构负责人同意并告知申请人，延长的期限最长不得超过20个工作日”
    StatutoryPeriod(
        "extension",
        "延长答复期限",
        20,
        PeriodUnit.WORKING_DAYS,
        "《政府信息公开条例》第三十三条第二款：需要延长答复期限的，应当经政府信息公开工作机构负责人同意并告知申请人，"
        "延长的期限最长不得超过20个工作日",
        note="只能延长一次，且须在当前答复期限届满前告知申请人",
    ),
    # 条例第三十条：“自收到申请之日起7个工作日内一次性告知申请人作出补正”
    StatutoryPeriod(
        "correction_notice",
        "补正告知期限",
        7,
        PeriodUnit.WORKING_DAYS,
        "《政府信息公开条例》第三十条：自收到申请之日起7个工作日内一次性告知申请人作出补正",
        note="答复期限自行政机关收到补正的申请之日起计算",
    ),
    # 条例第三十二条：“第三方应当自收到征求意见书之日起15个工作日内提出意见”
    StatutoryPeriod(
        "third_party_opinion",
        "第三方意见期限",
        15,
        PeriodUnit.WORKING_DAYS,
        "《政府信息公开条例》第三十二条：第三方应当自收到征求意见书之日起15个工作日内提出意见",
        note="征求意见所需时间不计算在答复期限内（第三十三条第三款）",
    ),
    # 条例第三十四条：“被征求意见机关应当自收到征求意见书之日起15个工作日内提出意见，逾期未提出意见的视为同意公开”
    StatutoryPeriod(
        "agency_opinion",
        "其他机关意见期限",
        15,
        PeriodUnit.WORKING_DAYS,
        "《政府信息公开条例》第三十四条：被征求意见机关应当自收到征求意见书之日起15个工作日内提出意见",
        note="逾期未提出意见的视为同意公开；所需时间不计算在答复期限内（第三十三条第三款）",
    ),
    # 四川省财政厅、四川省发展改革委《关于政府信息公开信息处理费有关事项的通知》二（重述国办函〔2020〕109号）
    StatutoryPeriod(
        "fee_payment",
        "缴费期限",
        20,
        PeriodUnit.WORKING_DAYS,
        "国办函〔2020〕109号（四川省财政厅、四川省发展改革委通知重述）：申请人应当在收到收费通知次日起20个工作日内缴纳费用，"
        "逾期未缴纳的视为放弃申请",
        note="缴费期间答复期限是否中止为部署设置 GONGKAI_FEE_PAUSES_CLOCK（默认中止）",
    ),
    # 条例第三十五条：“可以确定延迟答复的合理期限并告知申请人”
    StatutoryPeriod(
        "delayed_reply",
        "延迟答复的合理期限",
        0,
        PeriodUnit.FIXED_DATE,
        "《政府信息公开条例》第三十五条：行政机关认为申请理由合理，但是无法在本条例第三十三条规定的期限内答复申请人的，"
        "可以确定延迟答复的合理期限并告知申请人",
        note="日期由行政机关确定并说明理由，不得早于当前答复期限",
    ),
    # 条例第二十六条：“自该政府信息形成或者变更之日起20个工作日内及时公开”
    StatutoryPeriod(
        "proactive_disclosure",
        "主动公开期限",
        20,
        PeriodUnit.WORKING_DAYS,
        "《政府信息公开条例》第二十六条：属于主动公开范围的政府信息，应当自该政府信息形成或者变更之日起20个工作日内及时公开",
    ),
    # 条例第四十九条：部门“于每年1月31日前……公布”，地方人民政府“于每年3月31日前向社会公布”
    StatutoryPeriod(
        "annual_report_department",
        "年度报告公布期限（县级以上人民政府部门）",
        0,
        PeriodUnit.FIXED_DATE,
        "《政府信息公开条例》第四十九条：县级以上人民政府部门应当在每年1月31日前向本级政府信息公开工作主管部门"
        "提交本行政机关上一年度政府信息公开工作年度报告并向社会公布",
        fixed=(1, 31),
    ),
    StatutoryPeriod(
        "annual_report_government",
        "年度报告公布期限（县级以上地方人民政府）",
        0,
        PeriodUnit.FIXED_DATE,
        "《政府信息公开条例》第四十九条：县级以上地方人民政府的政府信息公开工作主管部门应当在每年3月31日前"
        "向社会公布本级政府上一年度政府信息公开工作年度报告",
        fixed=(3, 31),
    ),
    # 行政复议法第二十条：“自知道或者应当知道该行政行为之日起六十日内提出行政复议申请”
    StatutoryPeriod(
        "reconsideration_application",
        "申请行政复议期限",
        60,
        PeriodUnit.CALENDAR_DAYS,
        "《行政复议法》第二十条：可以自知道或者应当知道该行政行为之日起六十日内提出行政复议申请",
    ),
    # 行政复议法第四十八条 + 第八十八条第二款（“十日”是指工作日，不含法定休假日）
    StatutoryPeriod(
        "reconsideration_answer",
        "行政复议书面答复期限",
        10,
        PeriodUnit.WORKING_DAYS,
        "《行政复议法》第四十八条：被申请人应当自收到行政复议申请书副本或者行政复议申请笔录复印件之日起十日内，提出书面答复；"
        "第八十八条第二款：本法关于行政复议期间有关“十日”的规定是指工作日，不含法定休假日",
    ),
    # 行政复议法第五十四条（简易程序）+ 第八十八条第二款
    StatutoryPeriod(
        "reconsideration_answer_simplified",
        "行政复议书面答复期限（简易程序）",
        5,
        PeriodUnit.WORKING_DAYS,
        "《行政复议法》第五十四条：被申请人应当自收到行政复议申请书副本或者行政复议申请笔录复印件之日起五日内，提出书面答复；"
        "第八十八条第二款：“五日”是指工作日",
    ),
    # 行政复议法第六十二条：“自受理申请之日起六十日内作出行政复议决定”，延长“最多不得超过三十日”
    StatutoryPeriod(
        "reconsideration_decision",
        "行政复议决定期限",
        60,
        PeriodUnit.CALENDAR_DAYS,
        "《行政复议法》第六十二条：行政复议机关应当自受理申请之日起六十日内作出行政复议决定",
    ),
    StatutoryPeriod(
        "reconsideration_extension",
        "行政复议决定延长期限",
        30,
        PeriodUnit.CALENDAR_DAYS,
        "《行政复议法》第六十二条：经行政复议机构的负责人批准，可以适当延长，并书面告知当事人；但是延长期限最多不得超过三十日",
    ),
    StatutoryPeriod(
        "reconsideration_decision_simplified",
        "行政复议决定期限（简易程序）",
        30,
        PeriodUnit.CALENDAR_DAYS,
        "《行政复议法》第六十二条第二款：适用简易程序审理的行政复议案件，行政复议机关应当自受理申请之日起三十日内"
        "作出行政复议决定",
    ),
    # 行政诉讼法第四十五、四十六条：起诉期限
    StatutoryPeriod(
        "litigation_after_reconsideration",
        "复议后起诉期限",
        15,
        PeriodUnit.CALENDAR_DAYS,
        "《行政诉讼法》第四十五条：可以在收到复议决定书之日起十五日内向人民法院提起诉讼",
    ),
    StatutoryPeriod(
        "litigation_direct",
        "直接起诉期限",
        6,
        PeriodUnit.MONTHS,
        "《行政诉讼法》第四十六条：应当自知道或者应当知道作出行政行为之日起六个月内提出",
    ),
    # 行政诉讼法第六十七条：“被告应当在收到起诉状副本之日起十五日内……提出答辩状”
    StatutoryPeriod(
        "litigation_defence",
        "行政诉讼答辩期限",
        15,
        PeriodUnit.CALENDAR_DAYS,
        "《行政诉讼法》第六十七条：被告应当在收到起诉状副本之日起十五日内向人民法院提交作出行政行为的证据和"
        "所依据的规范性文件，并提出答辩状",
    ),
    # 行政诉讼法第八十一条、第八十八条
    StatutoryPeriod(
        "litigation_first_instance",
        "一审审理期限",
        6,
        PeriodUnit.MONTHS,
        "《行政诉讼法》第八十一条：人民法院应当在立案之日起六个月内作出第一审判决",
    ),
    StatutoryPeriod(
        "litigation_second_instance",
        "二审审理期限",
        3,
        PeriodUnit.MONTHS,
        "《行政诉讼法》第八十八条：人民法院审理上诉案件，应当在收到上诉状之日起三个月内作出终审判决",
    ),
)

PERIODS: MappingProxyType[str, StatutoryPeriod] = MappingProxyType({p.key: p for p in _PERIODS})

# Why the reply clock stops, by pause kind (used in explanations and documents).
PAUSE_BASIS: MappingProxyType[str, str] = MappingProxyType(
    {
        # 条例第三十条：“答复期限自行政机关收到补正的申请之日起计算”
        "correction": "《政府信息公开条例》第三十条",
        # 条例第三十三条第三款：“行政机关征求第三方和其他机关意见所需时间不计算在前款规定的期限内”
        "consultation": "《政府信息公开条例》第三十三条第三款",
        # 国办函〔2020〕109号 as restated by the 四川省 notice; pausing is a deployment setting (FEE_PAUSES_CLOCK_DEFAULT)
        "fee": "国办函〔2020〕109号",
    }
)

# 民法典第二百零一条 / 第二百零二条 / 第二百零三条
CIVIL_CODE_START = "《民法典》第二百零一条：按照年、月、日计算期间的，开始的当日不计入，自下一日开始计算"
CIVIL_CODE_MONTHS = (
    "《民法典》第二百零二条：按照年、月计算期间的，到期月的对应日为期间的最后一日；没有对应日的，月末日为期间的最后一日"
)
CIVIL_CODE_LAST_DAY = "《民法典》第二百零三条：期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日"


def period(key: str) -> StatutoryPeriod:
    """The period called ``key``; KeyError names it when it does not exist."""
    try:
        return PERIODS[key]
    except KeyError:
        raise KeyError(f"未定义的法定期限：{key}") from None


def add_months(start: dt.date, months: int) -> dt.date:
    """The corresponding day ``months`` later, or that month's last day (民法典第二百零二条)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(start.day, _gregorian.monthrange(year, month)[1]))


def roll_past_rest_day(last_day: dt.date, calendar: WorkCalendar) -> tuple[dt.date, tuple[int, ...]]:
    """A calendar-day period ending on a 法定休假日 (weekend or holiday) ends on the next working day
    (民法典第二百零三条). Returns the day and the unloaded years examined."""
    ordinal = last_day.toordinal()
    final = calendar.add_working_days_ord(ordinal - 1, 1)
    return dt.date.fromordinal(final), calendar.unloaded_years_ord(ordinal - 1, final)


def period_end(
    statutory: StatutoryPeriod, start: dt.date, calendar: WorkCalendar, *, amount: int | None = None
) -> tuple[dt.date, tuple[int, ...]]:
    """The last day of ``statutory`` counted from ``start`` (the start day itself is not counted, 民法典第二百零一条),
    and the years whose holiday arrangement had to be guessed (non-empty → provisional).

    ``amount`` overrides the statutory amount (e.g. a 30-日 extension granted for fewer days).
    """
    n = statutory.amount if amount is None else amount
    if n < 0:
        raise ValueError("期间长度不能为负数")
    if statutory.unit is PeriodUnit.WORKING_DAYS:
        return calendar.add_working_days_checked(start, n)
    if statutory.unit is PeriodUnit.CALENDAR_DAYS:
        return roll_past_rest_day(start + dt.timedelta(days=n), calendar)
    if statutory.unit is PeriodUnit.MONTHS:
        return roll_past_rest_day(add_months(start, n), calendar)
    raise ValueError(f"{statutory.label_zh}是固定日期或由行政机关确定，不能从起算日推算")


def annual_report_due(report_year: int, *, is_government: bool) -> dt.date:
    """The last day to publish the report on ``report_year`` (条例第四十九条: 部门 1月31日, 人民政府 3月31日,
    of the following year). A fixed date in the 条例, not a period, so 民法典第二百零三条 does not move it."""
    statutory = PERIODS["annual_report_government" if is_government else "annual_report_department"]
    assert statutory.fixed is not None
    month, day = statutory.fixed
    return dt.date(report_year + 1, month, day)
