"""Normalising what published reports print: full-width forms, quotes, notes inside cells, page footers, numerals.

Everything the checker compares goes through ``norm`` first, so label matching never depends on which of the many
spellings a report used (“（一）” / “(一)”, “１２” / “12”, straight or curly quotes, spaces inside labels).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from enum import Enum

__all__ = ["Kind", "classify", "cn_number", "is_footer", "norm", "parse_decimal", "parse_int"]

_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans("", "", "\"'“”‘’「」『』")
_CJK = re.compile(r"[\u3400-\u9fff]")

# A cell holding a count: "22", "22件", "22（其中修订16件）" → 22. A sign is allowed for the 2019 trial format's 本年增/减.
_INT = re.compile(r"^([+-]?\d+)(?:件|个|起|项|条|次)?(?:\(.*\))?$")
_DECIMAL = re.compile(r"^(\d+(?:\.\d+)?)(?:万元|万)?(?:\(.*\))?$")
# Numbering that belongs to a label ("1." "1、" "3") is not a value when a label follows it.
_NUMBERING = re.compile(r"^\d{1,2}[.、]$")
# Cells standing for "no number here" — never read as 0 (the checker does not guess).
_PLACEHOLDERS = frozenset(
    {"见附件", "详见附件", "附件", "无", "不详", "略", "空", "暂无", "未统计", "/", "\\", "-", "—", "——"}
)
# Page footers a PDF or Word export leaves inside tables: "— 3 —", "- 3 -", "第 3 页", "第3页 共10页", "3/10".
_FOOTER = re.compile(r"^(?:[-—–_]+\d+[-—–_]+|第\d+页(?:[,/]?共\d+页)?|\d+/\d+|page\d+(?:of\d+)?)$", re.IGNORECASE)


def norm(text: str) -> str:
    """NFKC (full-width digits and punctuation → ASCII), no quotes, no whitespace (labels are Chinese)."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text).translate(_QUOTES)).replace("<br>", "")


def is_footer(text: str) -> bool:
    return bool(_FOOTER.match(norm(text)))


class Kind(Enum):
    BLANK = "blank"
    NUMBER = "number"
    ODD = "odd"  # in a value position but not a number: "—", "见附件", garbled ("1O", "l2")
    LABEL = "label"


_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def _number_text(cell: str) -> str:
    return _THOUSANDS.sub("", norm(cell))


def parse_int(cell: str) -> int | None:
    match = _INT.match(_number_text(cell))
    return int(match.group(1)) if match else None


def parse_decimal(cell: str) -> Decimal | None:
    match = _DECIMAL.match(_number_text(cell))
    if not match:
        return None
    try:
        return Decimal(match.group(1))
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        return None


def classify(cell: str) -> Kind:
    text = _number_text(cell)
    if not text:
        return Kind.BLANK
    if _INT.match(text) or _DECIMAL.match(text):
        return Kind.NUMBER
    if _NUMBERING.match(text):
        return Kind.LABEL
    if text in _PLACEHOLDERS or not _CJK.search(text):
        return Kind.ODD
    return Kind.LABEL


_DIGITS = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
CN_NUMBER = "[零〇○一二两三四五六七八九十百千万]+"


def cn_number(text: str) -> int | None:
    """ "十二" → 12, "两" → 2, "一百零五" → 105, "二〇二五" → 2025 (digit by digit); None when not a numeral."""
    if text.isdecimal():  # what int() takes ("²" is a digit to isdigit, not to int)
        return int(text)
    if not text or any(ch not in _DIGITS and ch not in _UNITS for ch in text):
        return None
    if not any(ch in _UNITS for ch in text):
        return int("".join(str(_DIGITS[ch]) for ch in text))
    total, section, digit = 0, 0, 0
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch == "万":
            total += (section + digit) * 10000
            section, digit = 0, 0
        else:
            section += (digit or 1) * _UNITS[ch]
            digit = 0
    return total + section + digit
