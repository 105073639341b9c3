"""表三 from the cases: the counts the annual report prints, with the case ids behind every cell (drill-down).

The counting itself is ``gongkai.cases.selectors.table_three`` (one query over the case table); this module only maps
its codebook row keys ("三.三.4") and applicant types onto the report's JSON keys ("3.3.4", "法律服务机构").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gongkai.cases import selectors as case_selectors
from gongkai.reports.schema import APPLICANT_COLUMN, TABLE3_COLS, TABLE3_ROWS, Cell, row_key

__all__ = ["Table3", "table3", "table3_counts"]


@dataclass
class Table3:
    cells: dict[str, dict[str, Cell]]
    case_ids: dict[str, dict[str, list[int]]] = field(default_factory=dict)  # row → column → ids ("总计" included)


def table3(agency_ids: list[int], year: int) -> Table3:
    counted = case_selectors.table_three(agency_ids, year)
    cells: dict[str, dict[str, Cell]] = {row: {col: 0 for col in TABLE3_COLS} for row, _ in TABLE3_ROWS}
    ids: dict[str, dict[str, list[int]]] = {row: {col: [] for col in TABLE3_COLS} for row, _ in TABLE3_ROWS}
    for codebook_row, columns in counted.cells.items():
        row = row_key(codebook_row)
        for applicant_type, count in columns.items():
            col = APPLICANT_COLUMN[applicant_type]
            cells[row][col] = (cells[row][col] or 0) + count
            cells[row]["总计"] = (cells[row]["总计"] or 0) + count
            case_ids = counted.cases[codebook_row][applicant_type]
            ids[row][col] += case_ids
            ids[row]["总计"] += case_ids
    return Table3(cells, ids)


def table3_counts(agency_ids: list[int], year: int) -> dict[str, dict[str, Cell]]:
    """The same cells without the case ids — one grouped query; for the previous year's cross-checks (R5)."""
    cells: dict[str, dict[str, Cell]] = {row: {col: 0 for col in TABLE3_COLS} for row, _ in TABLE3_ROWS}
    for per_agency in case_selectors.table_three_counts(year, agency_ids).values():
        for codebook_row, columns in per_agency.items():
            row = row_key(codebook_row)
            for applicant_type, count in columns.items():
                col = APPLICANT_COLUMN[applicant_type]
                cells[row][col] = (cells[row][col] or 0) + count
                cells[row]["总计"] = (cells[row]["总计"] or 0) + count
    return cells
