"""The closed list of metrics a 考核 rule may score, each with its unit, the article it comes from and a suggested rule.

The one place these labels live: the scheme editor, the ranking, the XLSX export, the docs and the snapshot all read
them from here. Rates are percentages (0–100); counts are whole numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import models

from gongkai.clock.rules import PERIODS
from gongkai.oversight.scoring import MISSING_FULL, MISSING_ZERO, Rule

__all__ = ["DEADLINE_TEXTS", "METRICS", "SUGGESTED_RULES", "Metric", "MetricInfo"]


def _month_day(key: str) -> str:
    fixed = PERIODS[key].fixed
    assert fixed is not None, key
    return f"{fixed[0]}月{fixed[1]}日"


# The statutory periods as the pages word them, read from clock.rules (the one place they live): 条例第二十六、四十九条.
DEADLINE_TEXTS: dict[str, str] = {
    "disclosure": f"{PERIODS['proactive_disclosure'].amount}个工作日",
    "report_department": _month_day("annual_report_department"),
    "report_government": _month_day("annual_report_government"),
}


class Metric(models.TextChoices):
    CASES_ON_TIME_RATE = "cases_on_time_rate", "依申请公开按期办结率"
    CASES_OVERDUE = "cases_overdue", "依申请公开逾期未办结件数"
    REPORT_ON_TIME = "report_on_time", "年报按时发布"
    REPORT_FINDINGS = "report_findings", "年报检查问题数"
    REPORT_ERRORS = "report_errors", "年报检查错误数"
    APPEAL_CORRECTION_RATE = "appeal_correction_rate", "复议诉讼纠正率"
    PUBLICATIONS_ON_TIME_RATE = "publications_on_time_rate", "主动公开及时率"
    PUBLICATIONS_OVERDUE = "publications_overdue", "主动公开逾期未发布条数"


@dataclass(frozen=True)
class MetricInfo:
    unit: str  # "%" | "件" | "条" | "个" | "" (是/否 as 1/0)
    basis: str  # the article or document the metric checks
    definition: str
    is_rate: bool  # thresholds must lie within 0–100
    is_flag: bool = False  # 1 = yes, 0 = no: thresholds within 0–1


METRICS: dict[str, MetricInfo] = {
    Metric.CASES_ON_TIME_RATE: MetricInfo(
        "%",
        "条例第三十三条",
        "本年办结的申请中在答复期限内办结的比例（按期办结件数 ÷ 办结件数）",
        is_rate=True,
    ),
    Metric.CASES_OVERDUE: MetricInfo(
        "件", "条例第三十三条", "当前在办且已超过答复期限的申请件数（实时）", is_rate=False
    ),
    Metric.REPORT_ON_TIME: MetricInfo(
        "",
        "条例第四十九条",
        f"本年度年报在法定期限（部门{DEADLINE_TEXTS['report_department']}、人民政府{DEADLINE_TEXTS['report_government']}）前发布为1，"
        "逾期发布或逾期未发布为0，未到期且未发布为无数据",
        is_rate=False,
        is_flag=True,
    ),
    Metric.REPORT_FINDINGS: MetricInfo(
        "个", "国办公开办函〔2021〕30号", "本年度年报最新版本检查发现的错误与警告总数", is_rate=False
    ),
    Metric.REPORT_ERRORS: MetricInfo(
        "个", "国办公开办函〔2021〕30号", "本年度年报最新版本检查发现的错误数（R1–R10）", is_rate=False
    ),
    Metric.APPEAL_CORRECTION_RATE: MetricInfo(
        "%",
        "条例第五十一条",
        "本年度计入的行政复议、行政诉讼中结果为纠正的比例（纠正 ÷ 已审结）",
        is_rate=True,
    ),
    Metric.PUBLICATIONS_ON_TIME_RATE: MetricInfo(
        "%",
        "条例第二十六条",
        f"本年发布的主动公开信息中自形成或变更之日起{DEADLINE_TEXTS['disclosure']}内发布的比例",
        is_rate=True,
    ),
    Metric.PUBLICATIONS_OVERDUE: MetricInfo(
        "条",
        "条例第二十六条",
        f"当前尚未发布且已超过{DEADLINE_TEXTS['disclosure']}公开期限的主动公开信息条数（实时）",
        is_rate=False,
    ),
}

# A starting point offered in the editor for a year without rules (100 points in all); nothing is saved until the
# 主管部门 saves it.
SUGGESTED_RULES: tuple[Rule, ...] = (
    Rule(Metric.CASES_ON_TIME_RATE, Decimal(30), Decimal(100), Decimal(80), MISSING_FULL),
    Rule(Metric.REPORT_ON_TIME, Decimal(20), Decimal(1), Decimal(0), MISSING_FULL),
    Rule(Metric.REPORT_FINDINGS, Decimal(15), Decimal(0), Decimal(5), MISSING_ZERO),
    Rule(Metric.APPEAL_CORRECTION_RATE, Decimal(15), Decimal(0), Decimal(20), MISSING_FULL),
    Rule(Metric.PUBLICATIONS_ON_TIME_RATE, Decimal(20), Decimal(100), Decimal(80), MISSING_FULL),
)
