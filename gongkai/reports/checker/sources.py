"""Every readable format → one flat list of ``Row``s in document order.

A row is either a table row (``grid=True``: its cells are the printed cells, so a blank cell is a real, empty cell) or
a line of text (``grid=False``: whitespace-separated tokens, as text extracted from a PDF or typed by hand). The parser
works on rows only and never knows which format they came from.
"""

from __future__ import annotations

import html
import io
import logging
import re
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from gongkai.reports.checker.text import is_footer

__all__ = ["Row", "decode", "rows_from_docx", "rows_from_html", "rows_from_md", "rows_from_txt", "rows_from_xlsx"]


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    text: str  # the row as printed (sections keep it)
    grid: bool
    ends: tuple[int, ...] = ()  # text rows: where each token ends on the line (PDF layout text keeps columns so)


_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_MD_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_HEADING_MARK = re.compile(r"^\s*#{1,6}\s*")


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("utf-8", data, 0, 1, "neither UTF-8 nor GB18030")


def _cell(text: str) -> str:
    """A cell's text: line breaks and ``<br>`` inside a cell joined (labels are Chinese: no space is lost)."""
    return " ".join(_TAG.sub("", _BR.sub("", html.unescape(text))).split())


def _line_row(line: str) -> Row | None:
    text = _HEADING_MARK.sub("", line).rstrip()
    if not text.strip() or is_footer(text):
        return None
    tokens = list(re.finditer(r"\S+", text))
    return Row(tuple(t.group() for t in tokens), text.strip(), grid=False, ends=tuple(t.end() for t in tokens))


def _grid_row(cells: list[str]) -> Row | None:
    cells = [_cell(c) for c in cells]
    text = " ".join(c for c in cells if c)
    if not text or is_footer(text):
        return None
    return Row(tuple(cells), text, grid=True)


def _split_pipes(line: str) -> list[str]:
    body = line.strip()
    body = body.removeprefix("|")
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [c.replace("\\|", "|") for c in re.split(r"(?<!\\)\|", body)]


def rows_from_md(text: str) -> list[Row]:
    rows: list[Row] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("|") and stripped.count("|") >= 2:
            if _MD_SEPARATOR.match(stripped):
                continue
            row = _grid_row(_split_pipes(stripped))
        else:
            row = _line_row(_BR.sub(" ", line))
        if row is not None:
            rows.append(row)
    return rows


def rows_from_txt(text: str) -> list[Row]:
    """Plain text, including text extracted from a PDF in layout or reading order; Markdown-style tables are kept."""
    return rows_from_md(text)


class _HTMLRows(HTMLParser):
    _BLOCKS = frozenset(
        {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article", "title", "caption"}
    )
    _SKIP = frozenset({"script", "style", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[Row] = []
        self._text: list[str] = []
        self._cells: list[str] | None = None
        self._cell: list[str] | None = None
        self._skip = 0
        self._depth = 0  # nested tables are read as text of their cell

    def _flush_text(self) -> None:
        for line in "".join(self._text).splitlines():
            row = _line_row(line)
            if row is not None:
                self.rows.append(row)
        self._text = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif tag == "table":
            self._depth += 1
            if self._depth == 1:
                self._flush_text()
        elif self._depth == 1 and tag == "tr":
            self._cells = []
        elif self._depth == 1 and tag in ("td", "th"):
            self._cell = []
        elif tag == "br":
            if self._cell is None:
                self._text.append("\n")
        elif tag in self._BLOCKS and self._cell is None:
            self._text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "table":
            self._depth = max(0, self._depth - 1)
        elif self._depth == 1 and tag in ("td", "th") and self._cell is not None:
            if self._cells is not None:
                self._cells.append("".join(self._cell))
            self._cell = None
        elif self._depth == 1 and tag == "tr" and self._cells is not None:
            row = _grid_row(self._cells)
            if row is not None:
                self.rows.append(row)
            self._cells = None
        elif tag in self._BLOCKS and self._cell is None:
            self._text.append("\n")
            self._flush_text()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._cell is not None:
            self._cell.append(data)
        elif self._depth == 0:
            self._text.append(data)

    def close(self) -> None:
        super().close()
        self._flush_text()


def rows_from_html(text: str) -> list[Row]:
    parser = _HTMLRows()
    parser.feed(text)
    parser.close()
    return parser.rows


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_text(element: Any) -> str:
    parts: list[str] = []
    for node in element.iter():
        if node.tag == f"{_W}t" and node.text:
            parts.append(node.text)
        elif node.tag in (f"{_W}br", f"{_W}cr", f"{_W}p"):
            parts.append("\n")
    return "".join(parts)


def rows_from_docx(data: bytes) -> list[Row]:
    """Paragraphs and tables in document order. The XML is walked directly: a horizontally merged cell is one
    ``w:tc`` (no repeated text), and a vertically merged continuation cell is read as blank, as printed."""
    import docx

    document = docx.Document(io.BytesIO(data))
    rows: list[Row] = []
    for child in document.element.body.iterchildren():
        if child.tag == f"{_W}p":
            for line in _docx_text(child).splitlines():
                row = _line_row(line)
                if row is not None:
                    rows.append(row)
        elif child.tag == f"{_W}tbl":
            for tr in child.iter(f"{_W}tr"):
                cells = []
                for tc in tr.iterchildren(f"{_W}tc"):
                    merge = tc.find(f"{_W}tcPr/{_W}vMerge")
                    continued = merge is not None and merge.get(f"{_W}val") in (None, "continue")
                    cells.append("" if continued else _docx_text(tc))
                row = _grid_row(cells)
                if row is not None:
                    rows.append(row)
    return rows


def _xlsx_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def rows_from_xlsx(data: bytes) -> list[Row]:
    """Every sheet, in order, its name first (our renderer names them 表二/表三/表四; hand-made books put all in one).
    A merged range holds its value in the top-left cell only, so merges need no de-duplication."""
    import openpyxl  # type: ignore[import-untyped,unused-ignore]

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    rows: list[Row] = []
    try:
        for sheet in book.worksheets:
            rows.append(Row((sheet.title,), sheet.title, grid=False))
            for values in sheet.iter_rows(values_only=True):
                row = _grid_row([_xlsx_value(v) for v in values])
                if row is not None:
                    rows.append(row)
    finally:
        book.close()
    return rows


def pdf_texts(data: bytes) -> list[str]:
    """The PDF's text twice: in layout mode (columns kept by position) and in reading order (the content stream)."""
    from pypdf import PdfReader

    # pypdf logs each repair of a damaged file as a WARNING, which `gongkai report check` would print on stderr
    # before its one line; what the checker could not read it reports itself.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = PdfReader(io.BytesIO(data))
    layout = "\n".join(page.extract_text(extraction_mode="layout") for page in reader.pages)
    plain = "\n".join(page.extract_text() for page in reader.pages)
    return [layout, plain]


def sniff(path: Path, data: bytes) -> str:
    """The format: by content first (a misnamed file is still read), then by extension."""
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        return "zip"
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("htm", "html"):
        return "html"
    if suffix in ("md", "markdown"):
        return "md"
    if suffix == "json" or data.lstrip()[:1] == b"{":
        return "json"
    head = data[:4096].lower()
    if b"<table" in head or b"<html" in head or b"<!doctype html" in head or b"<p" in head:
        return "html"
    return "md" if suffix == "md" else "txt"
