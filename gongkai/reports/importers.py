"""Import 表二 第二十条第（五）（六）（八）项 from a file exported by an enforcement system (issue 5 §2).

Accepted: CSV (UTF-8, with or without BOM, or GB18030) either long — a header row ``项目,数量`` and one row per item —
or wide — a header row of item names and one row of values; XLSX (first sheet; the labels anywhere in the first two
columns, the value beside them, or the same wide form). Labels: 行政许可, 行政处罚, 行政强制, 行政事业性收费（万元）
(also written without the unit, or with 单位：万元). Errors are Chinese and name the line; nothing is saved on error.
The file name and its SHA-256 are recorded as the source.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from gongkai.agencies.models import Agency
from gongkai.reports import services
from gongkai.reports.models import AnnualFigures

__all__ = ["MAX_BYTES", "ImportProblem", "import_figures", "parse_figures"]

MAX_BYTES = 5 * 1024 * 1024
_FIELDS: dict[str, str] = {"行政许可": "licensing", "行政处罚": "penalties", "行政强制": "enforcement"}
_FEE = "fees_wan"


class ImportProblem(ValidationError):
    """The file cannot be imported; ``messages`` name the lines."""


def _label(text: Any) -> str | None:
    """The field a cell's label names, or None."""
    if text is None:
        return None
    value = re.sub(r"[\s\u3000\ufeff\"'“”]+", "", str(text))
    value = re.sub(r"^[（(]?[一二三四五六七八九十\d]+[）)、.．]?", "", value)
    for label, name in _FIELDS.items():
        if value.startswith(label) and re.fullmatch(label + r"(决定)?(数量|数|件数)?([（(]件[）)])?", value):
            return name
    if re.fullmatch(r"行政事业性收费(金额)?([（(](单位[:：])?万元[）)])?", value):
        return _FEE
    if re.fullmatch(r"行政事业性收费(金额)?([（(](单位[:：])?元[）)])", value):
        return "fees_yuan"
    return None


def _number(raw: Any, name: str, where: str) -> tuple[Any, str | None]:
    text = "" if raw is None else str(raw).strip().replace(",", "").replace("，", "")
    text = text.translate(str.maketrans("０１２３４５６７８９．", "0123456789."))
    label = {v: k for k, v in _FIELDS.items()}.get(name, "行政事业性收费（万元）")
    if name == _FEE:
        try:
            amount = Decimal(text)
        except (InvalidOperation, ValueError):
            return None, f"{where}：{label}的数值“{raw}”不是非负金额"
        exponent = amount.as_tuple().exponent
        if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
            return None, f"{where}：{label}的数值“{raw}”不是非负金额"
        if isinstance(exponent, int) and exponent < -4:
            return None, f"{where}：{label}的数值“{raw}”超过4位小数"
        return amount, None
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    if not re.fullmatch(r"\d{1,10}", text) or int(text) > 2_000_000_000:
        return None, f"{where}：{label}的数值“{raw}”不是非负整数"
    return int(text), None


def _collect(rows: Sequence[tuple[str, Sequence[Any]]]) -> dict[str, Any]:
    """``rows``: (where, cells). Long form: a label in the first or second column, the value in the next column.
    Wide form: a row of labels, the values in the row below."""
    errors: list[str] = []
    values: dict[str, Any] = {}
    found_at: dict[str, str] = {}

    def put(name: str, raw: Any, where: str) -> None:
        target = _FEE if name == "fees_yuan" else name
        if target in values:
            errors.append(f"{where}：{_human(target)}重复（已在{found_at[target]}出现）")
            return
        value, problem = _number(raw, _FEE if name == "fees_yuan" else name, where)
        if problem:
            errors.append(problem)
            return
        if name == "fees_yuan":  # 元 → 万元
            value = (Decimal(value) / Decimal(10000)).normalize()
            exponent = value.as_tuple().exponent
            if isinstance(exponent, int) and exponent < -4:
                errors.append(f"{where}：行政事业性收费换算为万元后超过4位小数")
                return
        values[target] = value
        found_at[target] = where

    index = 0
    while index < len(rows):
        where, cells = rows[index]
        labelled = [(i, _label(c)) for i, c in enumerate(cells)]
        names = [(i, n) for i, n in labelled if n]
        if len(names) >= 2:  # wide: this row names the items, the next one holds the values
            if index + 1 >= len(rows):
                errors.append(f"{where}：表头之后没有数据行")
                break
            value_where, value_cells = rows[index + 1]
            for i, name in names:
                raw = value_cells[i] if i < len(value_cells) else None
                put(name, raw, value_where)
            index += 2
            continue
        if names:
            i, name = names[0]
            if i <= 1:
                raw = cells[i + 1] if i + 1 < len(cells) else None
                put(name, raw, where)
        index += 1
    if errors:
        raise ImportProblem(errors)
    if not values:
        raise ImportProblem(
            "文件中没有找到“行政许可”“行政处罚”“行政强制”“行政事业性收费（万元）”中的任何一项；"
            "请使用表头“项目,数量”，每行一项"
        )
    return values


def _human(name: str) -> str:
    return {v: k for k, v in _FIELDS.items()}.get(name, "行政事业性收费（万元）")


def _decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError:
        raise ImportProblem("文件编码无法识别：请保存为 UTF-8 或 GB18030（GBK）编码的 CSV") from None


def _csv_rows(content: bytes) -> list[tuple[str, list[str]]]:
    text = _decode(content)
    if "\x00" in text:
        raise ImportProblem("文件不是文本格式的 CSV")
    sample = text[:2048]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows = [(f"第{n}行", row) for n, row in enumerate(reader, start=1) if any(c.strip() for c in row)]
    except csv.Error as error:
        raise ImportProblem(f"CSV 格式错误：{error}") from None
    return rows


def _xlsx_rows(content: bytes) -> list[tuple[str, list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken file
        raise ImportProblem("无法读取该 Excel 文件（.xlsx）：文件已损坏或不是 Excel 格式") from None
    try:
        sheet = workbook.worksheets[0]
        rows: list[tuple[str, list[Any]]] = []
        for n, row in enumerate(sheet.iter_rows(values_only=True, max_row=1000, max_col=30), start=1):
            cells = list(row)
            if any(c is not None and str(c).strip() for c in cells):
                rows.append((f"第{n}行", cells))
    finally:
        workbook.close()
    return rows


def _is_xlsx(file_name: str, content: bytes) -> bool:
    return file_name.lower().endswith((".xlsx", ".xlsm")) or (
        content[:4] == b"PK\x03\x04" and zipfile.is_zipfile(io.BytesIO(content))
    )


def parse_figures(file_name: str, content: bytes) -> dict[str, Any]:
    """The values in the file (``services.figures_set`` keys). Raises ``ImportProblem`` naming the lines."""
    if not content:
        raise ImportProblem("文件为空")
    if len(content) > MAX_BYTES:
        raise ImportProblem(f"文件超过{MAX_BYTES // 1024 // 1024}MB")
    if file_name.lower().endswith(".xls") and not _is_xlsx(file_name, content):
        raise ImportProblem("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV")
    rows: Iterable[tuple[str, Sequence[Any]]] = (
        _xlsx_rows(content) if _is_xlsx(file_name, content) else _csv_rows(content)
    )
    return _collect(list(rows))


def import_figures(*, agency: Agency, year: int, file_name: str, content: bytes, actor: Any) -> AnnualFigures:
    """Parse and save (``services.figures_set``): all or nothing, the source naming the file and its SHA-256."""
    values = parse_figures(file_name, content)
    digest = hashlib.sha256(content).hexdigest()
    name = re.sub(r"[\x00-\x1f]", "", file_name)[:200] or "（无文件名）"
    return services.figures_set(
        agency=agency, year=year, actor=actor, values=values, source=f"导入：执法系统导出 {name} sha256:{digest}"
    )
