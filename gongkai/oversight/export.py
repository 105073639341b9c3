"""The dashboard as an XLSX workbook (openpyxl): Chinese headers, numbers as numbers (rates in % with two decimals),
dates as dates, one row per agency and a 合计 row — the same figures as the page."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from gongkai.oversight.selectors import AgencyFigures, Dashboard

__all__ = ["COLUMNS", "dashboard_xlsx", "percent"]


def percent(value: Decimal | None) -> float | None:
    """A rate as the page shows it (two decimals), as a number."""
    return None if value is None else float(value.quantize(Decimal("0.01")))


def _report(row: AgencyFigures, attribute: str) -> Any:
    return getattr(row.report, attribute) if row.report is not None else None


COLUMNS: tuple[tuple[str, Callable[[AgencyFigures], Any]], ...] = (
    ("本年收到申请（件）", lambda r: r.received),
    ("当前在办（件）", lambda r: r.open_now),
    ("当前逾期（件）", lambda r: r.overdue_now),
    ("本年办结（件）", lambda r: r.closed),
    ("按期办结（件）", lambda r: r.closed_on_time),
    ("按期办结率（%）", lambda r: percent(r.on_time_rate)),
    ("复议诉讼（件）", lambda r: r.appeals_total),
    ("结果纠正（件）", lambda r: r.appeals_corrected),
    ("纠正率（%）", lambda r: percent(r.correction_rate)),
    ("主动公开按时发布（条）", lambda r: r.publications_on_time),
    ("主动公开逾期发布（条）", lambda r: r.publications_late),
    ("主动公开及时率（%）", lambda r: percent(r.publications_rate)),
    ("逾期未发布（条）", lambda r: r.publications_overdue_now),
    ("年报状态", lambda r: _report(r, "status_label")),
    ("年报法定期限", lambda r: _report(r, "deadline")),
    ("年报发布日期", lambda r: _report(r, "published_on")),
    ("年报期限情况", lambda r: _report(r, "timing_label")),
    ("年报检查错误（个）", lambda r: _report(r, "errors")),
    ("年报检查警告（个）", lambda r: _report(r, "warnings")),
)


def dashboard_xlsx(board: Dashboard) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{board.year}年度"
    sheet.append([f"{board.year}年度所监督机关政府信息公开工作情况（统计日 {board.today.isoformat()}）"])
    sheet["A1"].font = Font(bold=True)
    sheet.append(["机关", *(header for header, _value in COLUMNS)])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in board.rows:
        assert row.agency is not None
        sheet.append([row.agency.name, *(value(row) for _header, value in COLUMNS)])
    totals = board.totals
    sheet.append(["合计", *(value(totals) for _header, value in COLUMNS)])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for index, (header, _value) in enumerate(COLUMNS, start=2):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, len(header) * 2)
        if header in ("年报法定期限", "年报发布日期"):
            for (cell,) in sheet.iter_rows(min_row=3, min_col=index, max_col=index):
                cell.number_format = "yyyy-mm-dd"
    sheet.column_dimensions["A"].width = 30
    sheet.freeze_panes = "B3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
