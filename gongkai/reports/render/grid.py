"""The three statutory tables as grids of positioned cells (国办公开办函〔2021〕30号, regulations.md §2.3–§2.5).

One layout, drawn by every output: HTML and DOCX merge cells exactly as the template does, XLSX merges the same
ranges, Markdown (which cannot merge) writes the same grid with the merged cells' text repeated or left blank.
A numeric cell carries its JSON keys (``key``) so the HTML can mark it with ``data-row``/``data-col``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gongkai.reports.schema import (
    TABLE2_COUNTS,
    TABLE2_DECISIONS,
    TABLE2_DOCS,
    TABLE2_FEE,
    TABLE3_COLS,
    TABLE3_ROWS,
    TABLE4_BLOCKS,
    TABLE4_RESULTS,
    ReportData,
)

__all__ = [
    "TABLE3_CHECK_NOTE",
    "TABLE3_GROUPS",
    "Grid",
    "GridCell",
    "format_number",
    "table2_grid",
    "table3_grid",
    "table3_label_path",
    "table4_grid",
]

Number = int | Decimal | None

# The template's top-left cell of 表三 (§2.4), printed with full-width parentheses.
TABLE3_CHECK_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
TABLE3_RESULTS_LABEL = "三、本年度办理结果"
# 表三's grouped result rows: key prefix → the group label printed in the second column.
TABLE3_GROUPS: dict[str, str] = {
    "3.3": "（三）不予公开",
    "3.4": "（四）无法提供",
    "3.5": "（五）不予处理",
    "3.6": "（六）其他处理",
}
TABLE3_CORPORATE = "法人或其他组织"
TABLE3_APPLICANTS = "申请人情况"

# 表二 (§2.3): the four 第二十条 items, each a section header row, a column header row and its rows.
_T2_ITEM_1 = "第二十条第（一）项"
_T2_ITEM_5 = "第二十条第（五）项"
_T2_ITEM_6 = "第二十条第（六）项"
_T2_ITEM_8 = "第二十条第（八）项"
_T2_CONTENT = "信息内容"
_T2_COUNT_HEADS = ("本年制发件数", "本年废止件数", "现行有效件数")
_T2_DECISIONS_HEAD = "本年处理决定数量"
_T2_FEE_HEAD = "本年收费金额（单位：万元）"

_T4_REVIEW = "行政复议"
_T4_LITIGATION = "行政诉讼"


@dataclass(frozen=True)
class GridCell:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False
    # For a numeric cell: (table, JSON row key, JSON column key — "" for 表二's single figures) and its value.
    key: tuple[str, str, str] | None = None
    value: Number = None


@dataclass(frozen=True)
class Grid:
    name: str  # "表二" …
    n_rows: int
    n_cols: int
    cells: tuple[GridCell, ...]
    header_rows: int  # rows at the top that are headers (repeated on each page)

    def rows(self) -> list[list[GridCell]]:
        """The cells that start in each row, left to right (what an HTML ``<tr>`` holds)."""
        out: list[list[GridCell]] = [[] for _ in range(self.n_rows)]
        for cell in self.cells:
            out[cell.row].append(cell)
        for row in out:
            row.sort(key=lambda c: c.col)
        return out

    def covered(self) -> list[list[GridCell | None]]:
        """The full rectangle: each position → the cell that starts there (``None`` under a merge)."""
        out: list[list[GridCell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            out[cell.row][cell.col] = cell
        return out


def format_number(value: Number) -> str:
    """A cell as printed: integers plainly, 万元 without exponent; an unreadable cell (None) stays blank."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


class _Builder:
    def __init__(self) -> None:
        self.cells: list[GridCell] = []
        self.row = 0

    def add(self, col: int, text: str, **kwargs: Any) -> None:
        self.cells.append(GridCell(self.row, col, text, **kwargs))

    def number(self, col: int, table: str, row_key: str, col_key: str, value: Number, colspan: int = 1) -> None:
        self.cells.append(
            GridCell(self.row, col, format_number(value), colspan=colspan, key=(table, row_key, col_key), value=value)
        )

    def next(self) -> None:
        self.row += 1


def table2_grid(report: ReportData) -> Grid:
    t2 = report.table2
    b = _Builder()

    def item_header(text: str) -> None:
        b.add(0, text, colspan=4, header=True)
        b.next()

    item_header(_T2_ITEM_1)
    b.add(0, _T2_CONTENT, header=True)
    for i, head in enumerate(_T2_COUNT_HEADS, start=1):
        b.add(i, head, header=True)
    b.next()
    for doc in TABLE2_DOCS:
        b.add(0, doc)
        for i, count in enumerate(TABLE2_COUNTS, start=1):
            b.number(i, "table2", doc, count, t2[doc][count])
        b.next()
    for item, names in ((_T2_ITEM_5, TABLE2_DECISIONS[:1]), (_T2_ITEM_6, TABLE2_DECISIONS[1:])):
        item_header(item)
        b.add(0, _T2_CONTENT, header=True)
        b.add(1, _T2_DECISIONS_HEAD, colspan=3, header=True)
        b.next()
        for name in names:
            b.add(0, name)
            b.number(1, "table2", name, "", t2[name], colspan=3)
            b.next()
    item_header(_T2_ITEM_8)
    b.add(0, _T2_CONTENT, header=True)
    b.add(1, _T2_FEE_HEAD, colspan=3, header=True)
    b.next()
    b.add(0, TABLE2_FEE)
    b.number(1, "table2", TABLE2_FEE, "", t2[TABLE2_FEE], colspan=3)
    b.next()
    return Grid("表二", b.row, 4, tuple(b.cells), header_rows=0)


def table3_label_path(row_key: str) -> tuple[str, str, str]:
    """The three label columns of a 表三 row as the grid prints them (merged groups repeated)."""
    label = dict(TABLE3_ROWS)[row_key]
    if not row_key.startswith("3."):
        return (label, "", "")
    group = TABLE3_GROUPS.get(row_key[:3]) if row_key.count(".") == 2 else None
    if group is not None:
        return (TABLE3_RESULTS_LABEL, group, label)
    return (TABLE3_RESULTS_LABEL, label, "")


def table3_grid(report: ReportData) -> Grid:
    t3 = report.table3
    b = _Builder()
    # Header (§2.4): the note cell spans 3×3; 申请人情况 over the seven columns; 法人或其他组织 over five.
    b.add(0, TABLE3_CHECK_NOTE, rowspan=3, colspan=3, header=True)
    b.add(3, TABLE3_APPLICANTS, colspan=7, header=True)
    b.next()
    b.add(3, TABLE3_COLS[0], rowspan=2, header=True)
    b.add(4, TABLE3_CORPORATE, colspan=5, header=True)
    b.add(9, TABLE3_COLS[-1], rowspan=2, header=True)
    b.next()
    for i, col in enumerate(TABLE3_COLS[1:-1], start=4):
        b.add(i, col, header=True)
    b.next()

    result_rows = [k for k, _ in TABLE3_ROWS if k.startswith("3.")]  # （一）…（七）, 总计 included
    group_sizes: dict[str, int] = {}
    for key in result_rows:
        if key.count(".") == 2:
            group_sizes[key[:3]] = group_sizes.get(key[:3], 0) + 1
    for key, label in TABLE3_ROWS:
        if not key.startswith("3."):
            b.add(0, label, colspan=3)
        else:
            if key == result_rows[0]:
                b.add(0, TABLE3_RESULTS_LABEL, rowspan=len(result_rows))
            if key.count(".") == 2:
                group = key[:3]
                if key.endswith(".1"):
                    b.add(1, TABLE3_GROUPS[group], rowspan=group_sizes[group])
                b.add(2, label)
            else:
                b.add(1, label, colspan=2)
        for i, col in enumerate(TABLE3_COLS, start=3):
            b.number(i, "table3", key, col, t3[key][col])
        b.next()
    return Grid("表三", b.row, 3 + len(TABLE3_COLS), tuple(b.cells), header_rows=3)


def table4_grid(report: ReportData) -> Grid:
    t4 = report.table4
    n = len(TABLE4_RESULTS)
    b = _Builder()
    # Header (§2.5): 行政复议 over five, 行政诉讼 over ten; the 复议 result heads span two rows.
    b.add(0, _T4_REVIEW, colspan=n, header=True)
    b.add(n, _T4_LITIGATION, colspan=2 * n, header=True)
    b.next()
    for i, result in enumerate(TABLE4_RESULTS):
        b.add(i, result, rowspan=2, header=True)
    for j, block in enumerate(TABLE4_BLOCKS[1:], start=1):
        b.add(j * n, block, colspan=n, header=True)
    b.next()
    for j in (1, 2):
        for i, result in enumerate(TABLE4_RESULTS):
            b.add(j * n + i, result, header=True)
    b.next()
    for j, block in enumerate(TABLE4_BLOCKS):
        for i, result in enumerate(TABLE4_RESULTS):
            b.number(j * n + i, "table4", block, result, t4[block][result])
    b.next()
    return Grid("表四", b.row, len(TABLE4_BLOCKS) * n, tuple(b.cells), header_rows=3)
