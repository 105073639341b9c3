"""The annual report's fixed shape (国办公开办函〔2021〕30号, regulations.md §2): sections, table rows and columns, and
the JSON keys every output and the checker share.

``ReportData`` is the one in-memory form of a report, whether built from live data or read back from a published file.
A cell is an ``int`` (表二's 收费 a ``Decimal`` in 万元) or ``None`` when a published file's cell could not be read —
the checker never guesses a number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gongkai.cases.codebook import OUTCOMES, ApplicantType, Outcome

__all__ = [
    "SECTIONS",
    "SUBHEADS",
    "TABLE2_COUNTS",
    "TABLE2_DECISIONS",
    "TABLE2_DOCS",
    "TABLE2_FEE",
    "TABLE3_COLS",
    "TABLE3_RESULT_ROWS",
    "TABLE3_ROWS",
    "TABLE4_BLOCKS",
    "TABLE4_RESULTS",
    "Cell",
    "Figure",
    "Finding",
    "ReportData",
    "outcome_row",
    "row_key",
]

# 六 sections and the usual sub-heads of 一 (regulations.md §2.2).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("1", "一、总体情况"),
    ("2", "二、主动公开政府信息情况"),
    ("3", "三、收到和处理政府信息公开申请情况"),
    ("4", "四、政府信息公开行政复议、行政诉讼情况"),
    ("5", "五、存在的主要问题及改进情况"),
    ("6", "六、其他需要报告的事项"),
)
SUBHEADS: tuple[tuple[str, str], ...] = (
    ("1.1", "（一）主动公开"),
    ("1.2", "（二）依申请公开"),
    ("1.3", "（三）政府信息管理"),
    ("1.4", "（四）政府信息公开平台建设"),
    ("1.5", "（五）监督保障"),
)

# 表二 (§2.3). JSON: {"规章": {"本年制发", "本年废止", "现行有效"}, "行政规范性文件": {...}, "行政许可": n, "行政处罚": n,
# "行政强制": n, "行政事业性收费": "万元 as a decimal string"}.
TABLE2_DOCS: tuple[str, ...] = ("规章", "行政规范性文件")
TABLE2_COUNTS: tuple[str, ...] = ("本年制发", "本年废止", "现行有效")
TABLE2_DECISIONS: tuple[str, ...] = ("行政许可", "行政处罚", "行政强制")
TABLE2_FEE = "行政事业性收费"

# 表三 (§2.4): row keys of the JSON, labels exactly as printed. The result rows and their labels are the outcome
# codebook's (gongkai.cases.codebook — the one place); only 一, 二, 三（七） and 四 are added here.
_NUMERALS = {"一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6", "七": "7"}


def row_key(codebook_row: str) -> str:
    """The JSON row key of a codebook/selector row: "三.三.4" → "3.3.4", "一" → "1"."""
    return ".".join(_NUMERALS.get(part, part) for part in codebook_row.split("."))


TABLE3_ROWS: tuple[tuple[str, str], ...] = (
    ("1", "一、本年新收政府信息公开申请数量"),
    ("2", "二、上年结转政府信息公开申请数量"),
    *((row_key(info.row), info.row_label) for info in OUTCOMES.values()),
    ("3.7", "（七）总计"),
    ("4", "四、结转下年度继续办理"),
)
TABLE3_RESULT_ROWS: tuple[str, ...] = tuple(k for k, _ in TABLE3_ROWS if k.startswith("3.") and k != "3.7")
# The applicant types of the codebook, in 表三's order, then 总计.
TABLE3_COLS: tuple[str, ...] = (*(t.label for t in ApplicantType), "总计")
# The case's applicant type → its 表三 column.
APPLICANT_COLUMN: dict[str, str] = {t.value: t.label for t in ApplicantType}

# 表四 (§2.5)
TABLE4_BLOCKS: tuple[str, ...] = ("行政复议", "未经复议直接起诉", "复议后起诉")
TABLE4_RESULTS: tuple[str, ...] = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")

Cell = int | None


def outcome_row(outcome: str | Outcome) -> str:
    """The 表三 row key ("3.3.4") of a case outcome — via the codebook's one mapping ("三.三.4")."""
    return row_key(OUTCOMES[str(outcome)].row)


@dataclass(frozen=True)
class Finding:
    rule: str  # "R1" … "R10"
    severity: str  # "error" | "warning"
    where: str  # e.g. "表三 一+二 vs 三（七）+四，列“自然人”"
    message: str

    def as_json(self) -> dict[str, str]:
        return {"rule": self.rule, "severity": self.severity, "where": self.where, "message": self.message}


@dataclass(frozen=True)
class Figure:
    """A number quoted in the narrative (R7), with what it claims to count."""

    key: str  # "received", "closed", "disclosed", "reconsideration", "litigation", "fee_yuan", …
    value: int | Decimal
    text: str  # the sentence it came from


def _empty_table3() -> dict[str, dict[str, Cell]]:
    return {row: {col: 0 for col in TABLE3_COLS} for row, _ in TABLE3_ROWS}


def _empty_table4() -> dict[str, dict[str, Cell]]:
    return {block: {result: 0 for result in TABLE4_RESULTS} for block in TABLE4_BLOCKS}


def _empty_table2() -> dict[str, Any]:
    table: dict[str, Any] = {doc: {c: 0 for c in TABLE2_COUNTS} for doc in TABLE2_DOCS}
    for name in TABLE2_DECISIONS:
        table[name] = 0
    table[TABLE2_FEE] = Decimal("0")
    return table


@dataclass
class ReportData:
    agency: str
    year: int
    table2: dict[str, Any] = field(default_factory=_empty_table2)
    table3: dict[str, dict[str, Cell]] = field(default_factory=_empty_table3)
    table4: dict[str, dict[str, Cell]] = field(default_factory=_empty_table4)
    sections: dict[str, str] = field(default_factory=dict)  # "1", "1.1" … "6" → text (the narrative)
    figures: list[Figure] = field(default_factory=list)
    fee_yuan: Decimal | None = None  # 信息处理费 stated in 六 (元), None when not stated
    published_on: dt.date | None = None
    agency_kind: str = ""  # "department" | "government" | "" (unknown): decides R10's deadline
    trial_format: bool = False  # 表二 in the 2019 trial format (国办公开办函〔2019〕60号)
    unreadable: list[str] = field(default_factory=list)  # cells/places the checker could not read
    findings: list[Finding] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The fixed JSON of issue 5 §7 (the API, ``report build --format json`` and ``report check --format json``)."""
        table2: dict[str, Any] = {}
        for key, value in self.table2.items():
            if isinstance(value, dict):
                table2[key] = dict(value)
            elif isinstance(value, Decimal):
                table2[key] = str(value)
            else:
                table2[key] = value
        return {
            "agency": self.agency,
            "year": self.year,
            "table2": table2,
            "table3": {row: dict(cols) for row, cols in self.table3.items()},
            "table4": {block: dict(cols) for block, cols in self.table4.items()},
            "findings": [f.as_json() for f in self.findings],
        }
