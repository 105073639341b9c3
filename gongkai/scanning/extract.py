"""The text of an uploaded file, as the scanner reads it: findings' offsets index the string returned here.

- .txt (also .md, .csv): UTF-8 (a BOM is dropped), else GB18030.
- .docx: body paragraphs and table cells in document order, one line each (a cell with several paragraphs gives several
  lines; nested tables are walked in place), then the headers and footers, where a 密级 marking is often printed.
- .pdf: each page's ``extract_text()`` (pypdf), pages joined with a newline.
- .xlsx: every sheet in order, each row's non-empty cells joined by a tab, one line per row.

Anything else, or a file that cannot be read, raises ``ScanError`` with a Chinese message (never a library traceback).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from gongkai.scanning.detectors import Finding, scan_text

TEXT_SUFFIXES = frozenset({".txt", ".md", ".csv"})
SUFFIXES = TEXT_SUFFIXES | {".docx", ".pdf", ".xlsx"}

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class ScanError(Exception):
    """A file the scanner cannot read; ``str(error)`` is one Chinese line for the user."""


def scan_file(path_or_bytes: str | Path | bytes, *, name: str = "") -> tuple[str, list[Finding]]:
    """The file's extracted text and the findings in it (offsets index that text). Raises ``ScanError``."""
    text = extract_text(path_or_bytes, name=name)
    return text, scan_text(text)


def extract_text(path_or_bytes: str | Path | bytes, *, name: str = "") -> str:
    """The file's text. ``name`` gives the file type by its suffix (required for bytes; defaults to the path's name)."""
    if isinstance(path_or_bytes, bytes):
        data = path_or_bytes
        label = name or "上传的文件"
    else:
        path = Path(path_or_bytes)
        label = name or path.name
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise ScanError(f"文件不存在：{path}") from None
        except IsADirectoryError:
            raise ScanError(f"不是文件：{path}") from None
        except OSError as error:
            raise ScanError(f"无法读取文件 {path}：{error.strerror or error}") from None
    kind = _kind(label, data)
    try:
        if kind == "text":
            return _text(data, label)
        if kind == "docx":
            return _docx(data)
        if kind == "pdf":
            return _pdf(data, label)
        return _xlsx(data)
    except ScanError:
        raise
    except Exception as error:  # a damaged file: the parsers raise many types; the user needs one line
        raise ScanError(
            f"无法读取{_KIND_LABELS[kind]}文件“{label}”：文件已损坏或格式不正确（{type(error).__name__}）"
        ) from None


_KIND_LABELS = {"text": "文本", "docx": " Word ", "pdf": " PDF ", "xlsx": " Excel "}


def _kind(label: str, data: bytes) -> str:
    suffix = Path(label).suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return "text"
    if suffix in {".docx", ".pdf", ".xlsx"}:
        return suffix[1:]
    # No usable suffix: trust the content when it is unambiguous.
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            names = set()
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    allowed = "、".join(sorted(SUFFIXES))
    raise ScanError(f"不支持的文件类型：{label}（支持 {allowed}）")


def _text(data: bytes, label: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ScanError(f"无法识别文本文件“{label}”的编码（应为 UTF-8 或 GB18030）") from None


# --- docx ------------------------------------------------------------------------------------------------------------


def _paragraph_text(paragraph: Any) -> str:
    parts: list[str] = []
    for node in paragraph.iter():
        if node.tag == f"{_W}t" and node.text:
            parts.append(node.text)
        elif node.tag == f"{_W}tab":
            parts.append("\t")
        elif node.tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
    return "".join(parts)


def _block_lines(container: Any) -> Iterator[str]:
    """Paragraphs and table cells under ``container`` (a body, cell, header or footer), in document order."""
    for child in container.iterchildren():
        if child.tag == f"{_W}p":
            yield _paragraph_text(child)
        elif child.tag == f"{_W}tbl":
            for row in child.iterchildren(f"{_W}tr"):
                # w:tc directly: a merged cell is one element, so its text is not repeated as python-docx's row.cells is
                for cell in row.iterchildren(f"{_W}tc"):
                    yield from _block_lines(cell)
        elif child.tag == f"{_W}sdt":  # content controls wrap ordinary blocks
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _block_lines(content)


def _docx(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    lines = [line for line in _block_lines(document.element.body) if line.strip()]
    seen: set[str] = set()
    for section in document.sections:
        for part in (section.header, section.footer):
            if part.is_linked_to_previous:
                continue
            text = "\n".join(line for line in _block_lines(part._element) if line.strip())
            if text and text not in seen:
                seen.add(text)
                lines.append(text)
    return "\n".join(lines)


# --- pdf -------------------------------------------------------------------------------------------------------------


def _pdf(data: bytes, label: str) -> str:
    from pypdf import PdfReader

    # pypdf logs its repairs of damaged files as warnings; the command's stderr is one line, so they stay quiet here.
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ScanError(f"PDF 文件“{label}”已加密，无法读取其文字")
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    finally:
        logger.setLevel(level)


# --- xlsx ------------------------------------------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def _xlsx(data: bytes) -> str:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    lines: list[str] = []
    try:
        for sheet in book.worksheets:
            for values in sheet.iter_rows(values_only=True):
                cells = [text for text in (_cell_text(value) for value in values) if text]
                if cells:
                    lines.append("\t".join(cells))
    finally:
        book.close()
    return "\n".join(lines)
