"""XLSX: a first sheet "报告" (title, agency, year, 索引号, 发布日期, one row per section of narrative), then one sheet
per table merged as the template, numbers as numbers (表二's 收费 in 万元 with four decimals)."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped,unused-ignore]  # no stubs installed
from openpyxl.styles import Alignment, Border, Font, Side  # type: ignore[import-untyped,unused-ignore]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped,unused-ignore]

from gongkai.documents.render import _rezip
from gongkai.reports.render.content import RenderMeta, blocks, clean, date_text, paragraphs
from gongkai.reports.render.grid import Grid, table2_grid, table3_grid, table4_grid
from gongkai.reports.render.word import timestamp
from gongkai.reports.schema import SECTIONS, SUBHEADS, TABLE2_FEE, ReportData

__all__ = ["render_xlsx"]

FEE_FORMAT = "0.0000"
_MODIFIED = re.compile(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>")


def _report_sheet(ws: Any, report: ReportData, meta: RenderMeta) -> None:

    wrap = Alignment(wrap_text=True, vertical="top")
    rows: list[tuple[str, Any]] = [
        ("标题", clean(meta.title)),
        ("发布机关", clean(meta.agency_name)),
        ("年度", report.year),
        ("索引号", clean(meta.index_number)),
        ("发布日期", date_text(meta.published_on) if meta.published_on else ""),
    ]
    if meta.version > 1 or meta.revision_note:
        rows.append(("版本", meta.version))
        rows.append(("修订说明", clean(meta.revision_note)))
    preamble = [b.text for b in blocks(report, meta)[:1] if b.kind == "paragraph"]
    if preamble:
        rows.append(("说明", preamble[0]))
    tables = {"2": "见工作表“表二”", "3": "见工作表“表三”", "4": "见工作表“表四”"}
    for key, heading in SECTIONS:
        text = "\n\n".join(paragraphs(report.sections.get(key, "")))
        if key in tables:
            text = f"{text}\n\n{tables[key]}" if text else tables[key]
        rows.append((heading, text))
        if key == "1":
            for sub_key, sub_heading in SUBHEADS:
                rows.append((sub_heading, "\n\n".join(paragraphs(report.sections.get(sub_key, "")))))
    for label, value in rows:
        ws.append([label, value])
    for label_cell, value_cell in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=2):
        label_cell.font = Font(bold=True)
        label_cell.alignment = wrap
        value_cell.alignment = wrap
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 100


def _table_sheet(ws: Any, grid: Grid) -> None:

    side = Side(style="thin", color="000000")
    border = Border(left=side, right=side, top=side, bottom=side)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    for cell in grid.cells:
        target = ws.cell(row=cell.row + 1, column=cell.col + 1)
        if cell.key is not None:
            value = cell.value
            # Plain notation: a Decimal such as 1E+3 would be written as the string "1E+3".
            target.value = Decimal(format(value, "f")) if isinstance(value, Decimal) else value
            if cell.key[1] == TABLE2_FEE:
                target.number_format = FEE_FORMAT
        else:
            target.value = clean(cell.text)
        target.alignment = center if (cell.key is not None or cell.header) else left
        if cell.rowspan > 1 or cell.colspan > 1:
            ws.merge_cells(
                start_row=cell.row + 1,
                start_column=cell.col + 1,
                end_row=cell.row + cell.rowspan,
                end_column=cell.col + cell.colspan,
            )
    for row in ws.iter_rows(min_row=1, max_row=grid.n_rows, max_col=grid.n_cols):
        for c in row:
            c.border = border
    widths = {"表二": [22, 18, 18, 18], "表三": [10, 14, 40] + [10] * 7, "表四": [9] * 15}[grid.name]
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    if grid.header_rows:
        ws.print_title_rows = f"1:{grid.header_rows}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if grid.name == "表四":
        ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE


def render_xlsx(report: ReportData, *, meta: RenderMeta) -> bytes:

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "报告"
    _report_sheet(sheet, report, meta)
    for grid in (table2_grid(report), table3_grid(report), table4_grid(report)):
        _table_sheet(workbook.create_sheet(grid.name), grid)

    when = timestamp(meta)
    props = workbook.properties
    props.title = clean(meta.title)
    props.creator = clean(meta.agency_name)
    props.lastModifiedBy = clean(meta.agency_name)
    props.subject = clean(meta.index_number)
    props.language = "zh-CN"
    props.created = when.replace(tzinfo=None)
    out = io.BytesIO()
    workbook.save(out)
    return _rezip(_fix_modified(out.getvalue(), when.strftime("%Y-%m-%dT%H:%M:%SZ")), when)


def _fix_modified(data: bytes, stamp: str) -> bytes:
    """openpyxl stamps ``modified`` with the clock on save; put the publication date back (stable bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"<dcterms:modified\1>" + stamp.encode() + b"</dcterms:modified>", content)
            dst.writestr(info, content)
    return out.getvalue()
