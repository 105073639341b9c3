"""HTML: the portal fragment, the three tables (also used by staff pages) and the standalone downloadable document.

Every piece of text is escaped; numeric cells carry their JSON keys (``data-table``, ``data-row``, ``data-col``) so a
reader — the checker, a test, a browser script — need not guess which cell is which.
"""

from __future__ import annotations

import html

from gongkai.reports.render.content import Block, RenderMeta, blocks, clean, meta_lines
from gongkai.reports.render.grid import Grid, GridCell, table2_grid, table3_grid, table4_grid
from gongkai.reports.schema import ReportData

__all__ = ["html_document", "html_fragment", "table2_html", "table3_html", "table4_html"]

_SERIF_STACK = '"Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", SimSun, serif'
_SANS_STACK = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", SimHei, sans-serif'


def _e(text: str) -> str:
    return html.escape(clean(text), quote=True)


def _lines(text: str) -> str:
    return "<br>".join(_e(line) for line in text.split("\n"))


def _cell_html(cell: GridCell) -> str:
    attrs = ""
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        attrs += f' colspan="{cell.colspan}"'
    if cell.key is not None:
        table, row_key, col_key = cell.key
        attrs += f' class="num" data-table="{_e(table)}" data-row="{_e(row_key)}"'
        if col_key:
            attrs += f' data-col="{_e(col_key)}"'
        return f"<td{attrs}>{_e(cell.text)}</td>"
    if cell.header:
        return f'<th scope="col"{attrs}>{_e(cell.text)}</th>'
    return f'<th scope="row" class="label"{attrs}>{_e(cell.text)}</th>'


def grid_html(grid: Grid) -> str:
    css = {"表二": "table2", "表三": "table3", "表四": "table4"}[grid.name]
    rows = ["<tr>" + "".join(_cell_html(c) for c in row) + "</tr>" for row in grid.rows()]
    head = "".join(rows[: grid.header_rows])
    body = "".join(rows[grid.header_rows :])
    thead = f"<thead>{head}</thead>" if head else ""
    return f'<table class="report-table {css}" data-table="{css}">{thead}<tbody>{body}</tbody></table>'


def table2_html(report: ReportData) -> str:
    return grid_html(table2_grid(report))


def table3_html(report: ReportData) -> str:
    return grid_html(table3_grid(report))


def table4_html(report: ReportData) -> str:
    return grid_html(table4_grid(report))


def _block_html(block: Block) -> str:
    if block.kind == "heading":
        tag = f"h{block.level}"
        return f'<{tag} data-section="{_e(block.key)}">{_e(block.text)}</{tag}>'
    if block.kind == "table" and block.grid is not None:
        return f'<div class="table-wrap">{grid_html(block.grid)}</div>'
    return f"<p>{_lines(block.text)}</p>"


def html_fragment(report: ReportData, *, meta: RenderMeta) -> str:
    """The report's body (preamble, sections, tables) for embedding in a portal page; the page supplies the title."""
    return '<div class="annual-report">' + "\n".join(_block_html(b) for b in blocks(report, meta)) + "</div>"


def _css(*, serif: str, sans: str, print_pdf: bool) -> str:
    page = (
        """
@page { size: A4; margin: 25mm 20mm 25mm 20mm;
        @bottom-center { content: "— " counter(page) " —"; font-size: 10.5pt; } }
"""
        if print_pdf
        else ""
    )
    return f"""{page}
html {{ font-family: {serif}; font-size: 12pt; line-height: 1.8; color: #000; }}
body {{ max-width: 210mm; margin: 0 auto; padding: {"0" if print_pdf else "1em"}; }}
h1 {{ font-family: {sans}; font-size: 18pt; text-align: center; line-height: 1.5; margin: 0.5em 0; }}
h2 {{ font-family: {sans}; font-size: 14pt; margin: 1em 0 0.3em; page-break-after: avoid; }}
h3 {{ font-size: 12pt; margin: 0.8em 0 0.2em; page-break-after: avoid; }}
p {{ text-indent: 2em; margin: 0.2em 0; overflow-wrap: break-word; }}
.meta {{ text-align: center; font-size: 10.5pt; margin: 0 0 1em; }}
.meta span {{ margin: 0 0.8em; }}
.table-wrap {{ overflow-x: auto; margin: 0.5em 0 1em; }}
table.report-table {{ border-collapse: collapse; width: 100%; font-size: 9pt; line-height: 1.4; }}
table.report-table th, table.report-table td {{ border: 0.75pt solid #000; padding: 2pt 3pt; vertical-align: middle; }}
table.report-table th {{ font-weight: normal; text-align: center; }}
table.report-table th.label {{ text-align: left; }}
table.report-table td.num {{ text-align: center; font-variant-numeric: tabular-nums; }}
table.report-table tr {{ page-break-inside: avoid; break-inside: avoid; }}
table.report-table thead {{ display: table-header-group; }}
table.table3 thead th[rowspan="2"], table.table3 thead tr:last-child th {{ min-width: 3.5em; }}
table.table4 {{ font-size: 8pt; table-layout: fixed; }}
"""


def html_document(report: ReportData, *, meta: RenderMeta, font_family: str | None = None) -> str:
    """A standalone document: inline style, no external assets. With ``font_family`` it is laid out for print
    (WeasyPrint: A4, page numbers) in that face."""
    if font_family is None:
        css = _css(serif=_SERIF_STACK, sans=_SANS_STACK, print_pdf=False)
    else:
        css = _css(serif=f'"{font_family}", serif', sans=f'"{font_family}", serif', print_pdf=True)
    meta_html = "".join(f"<span>{_e(label)}：{_e(value)}</span>" for label, value in meta_lines(meta))
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{_e(meta.title)}</title><meta name="author" content="{_e(meta.agency_name)}">'
        f"<style>{css}</style></head>\n<body>"
        f"<h1>{_e(meta.title)}</h1>"
        f'<div class="meta">{meta_html}</div>\n'
        f"{html_fragment(report, meta=meta)}\n</body></html>\n"
    )
