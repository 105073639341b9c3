"""Markdown in the shape of published reports (the seed): ``#`` title, ``##`` sections, ``###`` sub-heads, pipe tables.

Markdown cannot merge cells, so each table is written as its full grid: 表二 and 表四 with the merged cells' other
positions blank (as published exports print them), 表三 with one line per statutory row — its three label columns
filled in (a group label repeated on each of its rows) and then the seven numbers — so a reader never has to guess
which row a line is.
"""

from __future__ import annotations

import re

from gongkai.reports.render.content import RenderMeta, blocks, clean, meta_lines
from gongkai.reports.render.grid import TABLE3_CHECK_NOTE, Grid, format_number, table3_label_path
from gongkai.reports.schema import TABLE3_COLS, TABLE3_ROWS, ReportData

__all__ = ["render_markdown"]

# Characters that would start Markdown syntax (or raw HTML) inside narrative text.
_INLINE = re.compile(r"([\\`*_\[\]<>|&])")
_LINE_START = re.compile(r"^([#+\-=>])", re.MULTILINE)


def _text(text: str) -> str:
    return _LINE_START.sub(r"\\\1", _INLINE.sub(r"\\\1", clean(text)))


def _cell(text: str) -> str:
    # Inside a table: a pipe or a newline would break the row.
    return _INLINE.sub(r"\\\1", clean(text)).replace("\n", " ")


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _grid_rows(grid: Grid) -> list[list[str]]:
    return [[_cell(c.text) if c is not None else "" for c in row] for row in grid.covered()]


def _table(grid: Grid) -> str:
    if grid.name == "表三":
        return _table3(grid)
    rows = _grid_rows(grid)
    lines = [_row(rows[0]), _row(["---"] * grid.n_cols)]
    lines.extend(_row(r) for r in rows[1:])
    return "\n".join(lines)


def _table3(grid: Grid) -> str:
    values = {c.key[1:]: c.value for c in grid.cells if c.key is not None}
    corporate = TABLE3_COLS[1:-1]
    lines = [
        _row([_cell(TABLE3_CHECK_NOTE), "", "", "申请人情况", *[""] * 6]),
        _row(["---"] * grid.n_cols),
        _row(["", "", "", TABLE3_COLS[0], "法人或其他组织", *[""] * 4, TABLE3_COLS[-1]]),
        _row(["", "", "", "", *corporate, ""]),
    ]
    for key, _label in TABLE3_ROWS:
        labels = [_cell(part) for part in table3_label_path(key)]
        lines.append(_row([*labels, *(format_number(values[(key, col)]) for col in TABLE3_COLS)]))
    return "\n".join(lines)


def render_markdown(report: ReportData, *, meta: RenderMeta) -> str:
    out = [f"# {_cell(meta.title)}", ""]
    lines = meta_lines(meta)
    if lines:
        out.extend(["  \n".join(f"{_text(label)}：{_text(value)}" for label, value in lines), ""])
    for block in blocks(report, meta):
        if block.kind == "heading":
            out.append(f"{'#' * block.level} {_cell(block.text)}")
        elif block.kind == "table" and block.grid is not None:
            out.append(_table(block.grid))
        else:
            # A single newline inside a paragraph is a hard line break (two trailing spaces).
            out.append("  \n".join(_text(line) for line in block.text.split("\n")))
        out.append("")
    return "\n".join(out)
