"""DOCX for Word and WPS: A4 with the GB/T 9704 margins and fonts of the 公文 renderer, headings, the narrative as
paragraphs and the three tables as real Word tables merged exactly like the HTML (one ``Grid`` drives both)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from gongkai.documents.render import (
    DOCX_BODY_FONT,
    DOCX_HEADING_FONT,
    DOCX_TITLE_FONT,
    MARGIN_BOTTOM_MM,
    MARGIN_LEFT_MM,
    MARGIN_RIGHT_MM,
    MARGIN_TOP_MM,
    PAGE_HEIGHT_MM,
    PAGE_WIDTH_MM,
    _docx_setup,
    _element,
    _page_number,
    _rezip,
    _set_fonts,
)
from gongkai.reports.render.content import RenderMeta, blocks, clean, meta_lines
from gongkai.reports.render.grid import Grid
from gongkai.reports.schema import ReportData

__all__ = ["render_docx", "timestamp"]

BODY_PT = 14.0  # 四号: a report is read on screen and printed with wide tables, not a 3号 公文 letter
LINE_PT = 26.0
TITLE_PT = 20.0
HEADING_PT = 15.0
TABLE_PT = 9.0
TABLE4_PT = 8.0
_FIXED_DATE = datetime(2021, 9, 26, tzinfo=UTC)  # 国办公开办函〔2021〕30号: any fixed date keeps the bytes stable


def timestamp(meta: RenderMeta) -> datetime:
    """The created/modified date and zip entry date: the publication date, so the same report gives the same bytes."""
    if meta.published_on is None:
        return _FIXED_DATE
    return datetime(meta.published_on.year, meta.published_on.month, meta.published_on.day, tzinfo=UTC)


def _run(paragraph: Any, text: str, *, font: str, size: float, bold: bool = False) -> Any:
    from docx.shared import Pt

    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    _set_fonts(run._r.get_or_add_rPr(), font)
    return run


def _paragraph(
    document: Any,
    text: str,
    *,
    font: str = DOCX_BODY_FONT,
    size: float = BODY_PT,
    align: str = "justify",
    indent: bool = True,
    bold: bool = False,
    space_before: float = 0,
) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.alignment = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    fmt.line_spacing = Pt(max(LINE_PT, size * 1.5))
    fmt.space_before = Pt(space_before)
    if indent:
        fmt.first_line_indent = Pt(size) * 2  # 首行缩进二字
    lines = text.split("\n")
    for i, line in enumerate(lines):
        run = _run(paragraph, line, font=font, size=size, bold=bold)
        if i < len(lines) - 1:
            run.add_break()
    return paragraph


def _cell_text(cell: Any, text: str, *, size: float, align: str) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    fmt = paragraph.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER if align == "center" else WD_ALIGN_PARAGRAPH.LEFT
    fmt.line_spacing = 1.0
    fmt.first_line_indent = Pt(0)
    _run(paragraph, text, font=DOCX_BODY_FONT, size=size)


def _table(document: Any, grid: Grid) -> Any:
    size = TABLE4_PT if grid.name == "表四" else TABLE_PT
    table = document.add_table(rows=grid.n_rows, cols=grid.n_cols)
    table.style = document.styles["Table Grid"]
    table.autofit = True
    # table.cell() rescans the whole table on every call (quadratic); take every position once, before merging —
    # the merge ranges never overlap, so a position outside one range stays valid after another is merged.
    flat = table._cells
    at = [flat[r * grid.n_cols : (r + 1) * grid.n_cols] for r in range(grid.n_rows)]
    for cell in grid.cells:
        target = at[cell.row][cell.col]
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(at[cell.row + cell.rowspan - 1][cell.col + cell.colspan - 1])
        align = "left" if (cell.key is None and not cell.header) else "center"
        _cell_text(target, clean(cell.text), size=size, align=align)
    # Header rows repeat on each page; no row breaks across pages.
    for index, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        _element("w:cantSplit", tr_pr)
        if index < grid.header_rows:
            _element("w:tblHeader", tr_pr)
    return table


def render_docx(report: ReportData, *, meta: RenderMeta) -> bytes:
    from docx import Document
    from docx.shared import Mm

    document = Document()
    section = document.sections[0]
    section.page_width = Mm(PAGE_WIDTH_MM)
    section.page_height = Mm(PAGE_HEIGHT_MM)
    section.top_margin = Mm(MARGIN_TOP_MM)
    section.bottom_margin = Mm(MARGIN_BOTTOM_MM)
    section.left_margin = Mm(MARGIN_LEFT_MM)
    section.right_margin = Mm(MARGIN_RIGHT_MM)
    _docx_setup(document)
    # The 公文 defaults are 3号 with a 22-line grid; a report body is 四号 (tables would not fit otherwise).
    from docx.shared import Pt

    normal = document.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    normal.paragraph_format.line_spacing = Pt(LINE_PT)
    section.footer.is_linked_to_previous = False
    _page_number(section.footer.paragraphs[0], "right")
    section.even_page_footer.is_linked_to_previous = False
    _page_number(section.even_page_footer.paragraphs[0], "left")

    _paragraph(document, clean(meta.title), font=DOCX_TITLE_FONT, size=TITLE_PT, align="center", indent=False)
    for label, value in meta_lines(meta):
        _paragraph(document, f"{label}：{value}", size=TABLE_PT + 1.5, align="center", indent=False)
    for block in blocks(report, meta):
        if block.kind == "heading":
            font = DOCX_HEADING_FONT if block.level == 2 else DOCX_BODY_FONT
            paragraph = _paragraph(
                document,
                clean(block.text),
                font=font,
                size=HEADING_PT if block.level == 2 else BODY_PT,
                bold=block.level == 3,
                space_before=6,
            )
            paragraph.paragraph_format.keep_with_next = True
        elif block.kind == "table" and block.grid is not None:
            _table(document, block.grid)
            _paragraph(document, "", indent=False)
        else:
            _paragraph(document, block.text)

    props = document.core_properties
    when = timestamp(meta)
    props.title = clean(meta.title)
    props.author = clean(meta.agency_name)
    props.last_modified_by = clean(meta.agency_name)
    props.subject = clean(meta.index_number)
    props.language = "zh-CN"
    props.keywords = "政府信息公开工作年度报告"
    props.comments = clean(meta.revision_note)
    props.revision = meta.version
    props.created = when
    props.modified = when

    out = io.BytesIO()
    document.save(out)
    return _rezip(out.getvalue(), when)
