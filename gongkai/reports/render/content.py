"""What a rendered report says, in order, independent of the output format: title, preamble, the six sections
(regulations.md §2.2) with 一's sub-heads and the tables of 二/三/四.

Every output walks the same ``blocks()`` so the formats cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from gongkai.reports.render.grid import Grid, table2_grid, table3_grid, table4_grid
from gongkai.reports.schema import SECTIONS, SUBHEADS, ReportData

__all__ = ["Block", "RenderMeta", "blocks", "date_text", "default_preamble", "meta_lines", "paragraphs"]

# XML 1.0 (DOCX, XLSX) cannot carry C0 controls other than tab/newline/CR, lone surrogates or U+FFFE/U+FFFF.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_BLANK_LINE = re.compile(r"\n[ \t\u3000]*\n")


@dataclass(frozen=True)
class RenderMeta:
    title: str  # e.g. "湛河区司法局2024年政府信息公开工作年度报告"
    agency_name: str
    index_number: str = ""  # 索引号
    published_on: dt.date | None = None
    revision_note: str = ""  # a corrected version's public note
    version: int = 1
    # The opening paragraph; None prints the usual one (legal basis and the statistical period), "" omits it.
    preamble: str | None = None


@dataclass(frozen=True)
class Block:
    kind: str  # "heading" | "paragraph" | "table"
    text: str = ""
    level: int = 0  # headings: 2 for 一…六, 3 for 一's sub-heads
    grid: Grid | None = None
    key: str = ""  # the section key ("1", "1.1", …) of a heading


def clean(text: str) -> str:
    return _XML_INVALID.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def paragraphs(text: str) -> list[str]:
    """Narrative text → paragraphs: blank lines separate them; a single newline stays a line break inside one."""
    parts = _BLANK_LINE.split(clean(text).strip("\n"))
    return [p.strip("\n") for p in parts if p.strip()]


def default_preamble(year: int) -> str:
    return (
        "本报告根据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》"
        f"（国办公开办函〔2021〕30号）的要求编制。本报告中所列数据统计期限为{year}年1月1日至12月31日。"
    )


def date_text(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def meta_lines(meta: RenderMeta) -> list[tuple[str, str]]:
    """The publication data printed under the title, as (label, value) pairs; empty values are left out."""
    lines = [("发布机关", meta.agency_name)]
    if meta.index_number:
        lines.append(("索引号", meta.index_number))
    if meta.published_on is not None:
        lines.append(("发布日期", date_text(meta.published_on)))
    if meta.version > 1:
        lines.append(("版本", f"第{meta.version}版"))
    if meta.revision_note:
        lines.append(("修订说明", meta.revision_note))
    return [(label, clean(value)) for label, value in lines if value]


def blocks(report: ReportData, meta: RenderMeta) -> list[Block]:
    """The body: preamble, then 一…六 in order; 二/三/四 carry their table after any text."""
    out: list[Block] = []
    preamble = default_preamble(report.year) if meta.preamble is None else meta.preamble
    out.extend(Block("paragraph", p) for p in paragraphs(preamble))
    tables = {"2": table2_grid, "3": table3_grid, "4": table4_grid}
    for key, heading in SECTIONS:
        out.append(Block("heading", heading, level=2, key=key))
        out.extend(Block("paragraph", p) for p in paragraphs(report.sections.get(key, "")))
        if key == "1":
            for sub_key, sub_heading in SUBHEADS:
                out.append(Block("heading", sub_heading, level=3, key=sub_key))
                out.extend(Block("paragraph", p) for p in paragraphs(report.sections.get(sub_key, "")))
        if key in tables:
            out.append(Block("table", grid=tables[key](report)))
    return out
