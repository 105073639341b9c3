"""勾稽 rules R1–R10 (regulations.md §2.6) over a ``ReportData``: the same rules for a report built from live data and
for any published report read back by the checker.

Errors block submission and publication (no override); warnings are shown with the cells involved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from gongkai.clock.rules import annual_report_due
from gongkai.reports.schema import (
    TABLE2_COUNTS,
    TABLE2_DECISIONS,
    TABLE2_DOCS,
    TABLE2_FEE,
    TABLE3_COLS,
    TABLE3_RESULT_ROWS,
    TABLE3_ROWS,
    TABLE4_BLOCKS,
    TABLE4_RESULTS,
    Cell,
    Finding,
    ReportData,
)

__all__ = ["ERROR", "WARNING", "check", "deadline", "has_errors"]

ERROR = "error"
WARNING = "warning"
_ROW_LABEL = dict(TABLE3_ROWS)
_PARTS = TABLE3_COLS[:-1]  # the six applicant columns; the seventh is 总计


def _label(row: str) -> str:
    return _ROW_LABEL.get(row, row)


def _sum(values: Iterable[Cell]) -> int | None:
    total = 0
    for value in values:
        if value is None:
            return None
        total += value
    return total


def deadline(year: int, agency_kind: str) -> dt.date | None:
    """条例第四十九条: departments publish by 1月31日, local governments by 3月31日, of the following year."""
    if agency_kind not in ("department", "government"):
        return None
    return annual_report_due(year, is_government=agency_kind == "government")  # the one place: gongkai.clock.rules


def _r1(t3: dict[str, dict[str, Cell]]) -> list[Finding]:
    found = []
    for col in TABLE3_COLS:
        left = _sum([t3["1"][col], t3["2"][col]])
        right = _sum([t3["3.7"][col], t3["4"][col]])
        if left is not None and right is not None and left != right:
            found.append(
                Finding(
                    "R1",
                    ERROR,
                    f"表三 列“{col}”",
                    f"一（{t3['1'][col]}）+ 二（{t3['2'][col]}）= {left}，不等于 三（七）（{t3['3.7'][col]}）"
                    f"+ 四（{t3['4'][col]}）= {right}",
                )
            )
    return found


def _r2(t3: dict[str, dict[str, Cell]]) -> list[Finding]:
    found = []
    for row, _label_text in TABLE3_ROWS:
        parts = _sum(t3[row][c] for c in _PARTS)
        total = t3[row]["总计"]
        if parts is not None and total is not None and parts != total:
            found.append(Finding("R2", ERROR, f"表三 {_label(row)}", f"各类申请人之和为 {parts}，总计栏为 {total}"))
    return found


def _r3(t3: dict[str, dict[str, Cell]]) -> list[Finding]:
    found = []
    for col in TABLE3_COLS:
        parts = _sum(t3[row][col] for row in TABLE3_RESULT_ROWS)
        total = t3["3.7"][col]
        if parts is not None and total is not None and parts != total:
            found.append(
                Finding("R3", ERROR, f"表三 三（七）总计，列“{col}”", f"各办理结果之和为 {parts}，（七）总计为 {total}")
            )
    return found


def _r4(t4: dict[str, dict[str, Cell]]) -> list[Finding]:
    found = []
    for block in TABLE4_BLOCKS:
        parts = _sum(t4[block][r] for r in TABLE4_RESULTS[:-1])
        total = t4[block]["总计"]
        if parts is not None and total is not None and parts != total:
            found.append(
                Finding("R4", ERROR, f"表四 {block}", f"维持、纠正、其他结果、尚未审结之和为 {parts}，总计为 {total}")
            )
    return found


def _r5(report: ReportData, previous: ReportData) -> list[Finding]:
    found = []
    for col in TABLE3_COLS:
        now, before = report.table3["2"][col], previous.table3["4"][col]
        if now is not None and before is not None and now != before:
            found.append(
                Finding(
                    "R5",
                    ERROR,
                    f"表三 二、上年结转，列“{col}”",
                    f"本年“上年结转”为 {now}，{previous.year}年报告“结转下年度继续办理”为 {before}",
                )
            )
    return found


def _r6(report: ReportData, previous: ReportData) -> list[Finding]:
    found = []
    for doc in TABLE2_DOCS:
        now, before = report.table2.get(doc, {}), previous.table2.get(doc, {})
        values = [now.get("现行有效"), before.get("现行有效"), now.get("本年制发"), now.get("本年废止")]
        if any(v is None for v in values):
            continue
        current, last, made, repealed = (int(v) for v in values)
        if current != last + made - repealed:
            found.append(
                Finding(
                    "R6",
                    WARNING,
                    f"表二 {doc} 现行有效件数",
                    f"{current} ≠ 上年现行有效 {last} + 本年制发 {made} − 本年废止 {repealed} = {last + made - repealed}"
                    "（自然失效等情形可能导致差异，请核实）",
                )
            )
    return found


# What a narrative figure claims, and the table cell it must equal (R7).
_FIGURE_CELLS: dict[str, tuple[str, str, str]] = {
    "received": ("表三", "1", "总计"),
    "carried_in": ("表三", "2", "总计"),
    "closed": ("表三", "3.7", "总计"),
    "disclosed": ("表三", "3.1", "总计"),
    "partial": ("表三", "3.2", "总计"),
    "carried_out": ("表三", "4", "总计"),
    "reconsideration": ("表四", "行政复议", "总计"),
}


def _r7(report: ReportData) -> list[Finding]:
    found = []
    for figure in report.figures:
        if figure.key == "litigation":
            expected: Cell = _sum([report.table4["未经复议直接起诉"]["总计"], report.table4["复议后起诉"]["总计"]])
            where = "表四 行政诉讼 总计"
        elif figure.key in _FIGURE_CELLS:
            table, row, col = _FIGURE_CELLS[figure.key]
            expected = report.table3[row][col] if table == "表三" else report.table4[row][col]
            where = f"{table} {_label(row) if table == '表三' else row} {col}"
        else:
            continue
        if expected is not None and int(figure.value) != expected:
            found.append(
                Finding("R7", ERROR, f"正文与{where}", f"正文称“{figure.text}”（{figure.value}），表中为 {expected}")
            )
    return found


def _r8(report: ReportData, fees_collected: Decimal | None) -> list[Finding]:
    found = []
    unpaid = report.table3["3.6.2"]["总计"]
    if report.fee_yuan is None:
        found.append(
            Finding(
                "R8",
                WARNING,
                "六、其他需要报告的事项",
                "未说明信息处理费收取情况（国办函〔2020〕109号）",
            )
        )
        return found
    if fees_collected is not None and report.fee_yuan != fees_collected:
        found.append(
            Finding(
                "R8",
                ERROR,
                "六、其他需要报告的事项",
                f"正文所述信息处理费 {report.fee_yuan} 元，与实际收取的 {fees_collected} 元不一致",
            )
        )
    if report.fee_yuan > 0:
        applications = _sum([report.table3["1"]["总计"], report.table3["2"]["总计"]])
        if applications == 0:
            found.append(
                Finding(
                    "R8", ERROR, "六、其他需要报告的事项", f"表三没有任何申请，却称收取信息处理费 {report.fee_yuan} 元"
                )
            )
        if report.fee_yuan % 10 != 0:
            found.append(
                Finding(
                    "R8",
                    WARNING,
                    "六、其他需要报告的事项",
                    f"信息处理费 {report.fee_yuan} 元不符合109号的收费档次（按件为100元的整数倍，按量为10元的整数倍）",
                )
            )
    if unpaid and report.fee_yuan == 0 and fees_collected is None:
        found.append(
            Finding(
                "R8",
                WARNING,
                "表三 三（六）2 与 六",
                f"表三有 {unpaid} 件因逾期未缴费而不再处理，说明曾发出收费通知；请核实六中的收费说明",
            )
        )
    return found


def _r9(report: ReportData) -> list[Finding]:
    found = [Finding("R9", ERROR, place, "无法读取该单元格的数值，未作推测") for place in report.unreadable]
    cells: list[tuple[str, object]] = []
    for row, cols in report.table3.items():
        cells += [(f"表三 {_label(row)} 列“{col}”", v) for col, v in cols.items()]
    for block, cols in report.table4.items():
        cells += [(f"表四 {block} {res}", v) for res, v in cols.items()]
    for doc in TABLE2_DOCS:
        cells += [(f"表二 {doc} {c}", report.table2.get(doc, {}).get(c)) for c in TABLE2_COUNTS]
    cells += [(f"表二 {name}", report.table2.get(name)) for name in TABLE2_DECISIONS]
    for where, value in cells:
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            found.append(Finding("R9", ERROR, where, f"应为非负整数，实为“{value}”"))
    fee = report.table2.get(TABLE2_FEE)
    if fee is not None:
        try:
            amount = Decimal(str(fee))
        except ArithmeticError:
            amount = Decimal(-1)
        if amount < 0 or amount.as_tuple().exponent < -4:  # type: ignore[operator]
            found.append(Finding("R9", ERROR, "表二 行政事业性收费", f"应为非负金额（万元，最多4位小数），实为“{fee}”"))
    return found


def _r10(report: ReportData, today: dt.date | None) -> list[Finding]:
    due = deadline(report.year, report.agency_kind)
    if due is None:
        return []
    basis = (
        "县级以上人民政府部门应在1月31日前"
        if report.agency_kind == "department"
        else "县级以上地方人民政府应在3月31日前"
    )
    if report.published_on is not None:
        if report.published_on > due:
            return [
                Finding(
                    "R10",
                    ERROR,
                    "发布日期",
                    f"{report.published_on.isoformat()} 发布，晚于 {due.isoformat()}（条例第四十九条：{basis}公布）",
                )
            ]
        return []
    if today is not None and today > due:
        return [Finding("R10", ERROR, "发布日期", f"已超过 {due.isoformat()} 仍未发布（条例第四十九条：{basis}公布）")]
    return []


def check(
    report: ReportData,
    previous: ReportData | None = None,
    *,
    fees_collected: Decimal | None = None,
    today: dt.date | None = None,
) -> list[Finding]:
    """Every finding of R1–R10. ``fees_collected`` (元) is known for reports built from live data; ``today`` lets R10
    flag a report not yet published after its deadline."""
    t3, t4 = report.table3, report.table4
    findings = [*_r9(report), *_r1(t3), *_r2(t3), *_r3(t3), *_r4(t4)]
    if previous is not None:
        findings += _r5(report, previous) + _r6(report, previous)
    findings += _r7(report) + _r8(report, fees_collected) + _r10(report, today)
    return findings


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == ERROR for f in findings)
