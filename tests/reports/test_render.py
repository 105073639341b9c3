"""The six outputs of a report snapshot (issue 5 §6): the HTML table merges as the template (regulations.md §2.3–§2.5),
every number sits in its cell in every format, user text is escaped, DOCX/XLSX open in their libraries, the PDF embeds
a Chinese font, the JSON is ``as_json()``."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from gongkai.documents import render as documents_render
from gongkai.documents.render import pdf_fonts
from gongkai.reports.render import (
    FORMATS,
    RenderMeta,
    html_fragment,
    render,
    table2_html,
    table3_html,
    table4_html,
)
from gongkai.reports.schema import (
    SECTIONS,
    SUBHEADS,
    TABLE2_COUNTS,
    TABLE2_DECISIONS,
    TABLE2_DOCS,
    TABLE2_FEE,
    TABLE3_COLS,
    TABLE3_ROWS,
    TABLE4_BLOCKS,
    TABLE4_RESULTS,
    ReportData,
)

HOSTILE = '<script>alert("x")</script> & 引号'
META = RenderMeta(
    title="湛河区司法局2024年政府信息公开工作年度报告",
    agency_name="湛河区司法局",
    index_number="014314799/2025-00002",
    published_on=dt.date(2025, 1, 17),
    revision_note="更正表三第（五）项数字",
    version=2,
)
FEE = Decimal("59237.2449")


def t3_value(row_index: int, col_index: int) -> int:
    return row_index * 10 + col_index


def make_report() -> ReportData:
    report = ReportData(agency="湛河区司法局", year=2024)
    for i, (row, _label) in enumerate(TABLE3_ROWS):
        for j, col in enumerate(TABLE3_COLS):
            report.table3[row][col] = t3_value(i, j)
    for i, block in enumerate(TABLE4_BLOCKS):
        for j, result in enumerate(TABLE4_RESULTS):
            report.table4[block][result] = 500 + i * 10 + j
    for i, doc in enumerate(TABLE2_DOCS):
        for j, count in enumerate(TABLE2_COUNTS):
            report.table2[doc][count] = 300 + i * 10 + j
    for i, name in enumerate(TABLE2_DECISIONS):
        report.table2[name] = 400 + i
    report.table2[TABLE2_FEE] = FEE
    report.sections = {key: f"{heading}正文{HOSTILE}\n第二行\n\n第二段" for key, heading in SECTIONS + SUBHEADS}
    return report


def expected_cells() -> dict[tuple[str, str, str], str]:
    """(table, row, col) → the printed number, for every numeric cell."""
    report = make_report()
    cells: dict[tuple[str, str, str], str] = {}
    for row, cols in report.table3.items():
        for col, value in cols.items():
            cells[("table3", row, col)] = str(value)
    for block, results in report.table4.items():
        for result, value in results.items():
            cells[("table4", block, result)] = str(value)
    for doc in TABLE2_DOCS:
        for count in TABLE2_COUNTS:
            cells[("table2", doc, count)] = str(report.table2[doc][count])
    for name in TABLE2_DECISIONS:
        cells[("table2", name, "")] = str(report.table2[name])
    cells[("table2", TABLE2_FEE, "")] = str(FEE)
    return cells


@pytest.fixture(scope="module")
def outputs() -> dict[str, bytes]:
    report = make_report()
    formats = [f for f in FORMATS if f != "pdf"]
    return {fmt: render(report, fmt, meta=META) for fmt in formats}


def test_formats_are_the_six_of_the_issue() -> None:
    assert FORMATS == ("html", "md", "docx", "xlsx", "pdf", "json")
    with pytest.raises(ValueError, match="unknown report format"):
        render(make_report(), "odt", meta=META)


def test_same_input_same_bytes(outputs: dict[str, bytes]) -> None:
    report = make_report()
    for fmt, data in outputs.items():
        assert render(report, fmt, meta=META) == data, fmt


# --- HTML ---------------------------------------------------------------------------------------------------------


class Tables(HTMLParser):
    """Every table's rows as lists of (tag, attrs, text); the text outside tables; elements seen."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[tuple[str, dict[str, str], str]]]] = []
        self.cell: tuple[str, dict[str, str], list[str]] | None = None
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = (tag, {k: v or "" for k, v in attrs}, [])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            name, attrs, text = self.cell
            self.tables[-1][-1].append((name, attrs, "".join(text)))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell[2].append(data)
        else:
            self.text.append(data)


def parse(markup: str) -> Tables:
    parser = Tables()
    parser.feed(markup)
    parser.close()
    return parser


def span(cell: tuple[str, dict[str, str], str]) -> tuple[int, int]:
    _tag, attrs, _text = cell
    return int(attrs.get("rowspan", "1")), int(attrs.get("colspan", "1"))


def by_text(table: list[list[tuple[str, dict[str, str], str]]], text: str) -> tuple[str, dict[str, str], str]:
    found = [cell for row in table for cell in row if cell[2] == text]
    assert len(found) == 1, (text, found)
    return found[0]


def occupied_width(table: list[list[tuple[str, dict[str, str], str]]]) -> list[int]:
    """Each row's width in grid columns, counting cells carried down by rowspans from rows above."""
    carried: dict[int, int] = {}  # row index → columns covered by rowspans from above
    widths = []
    for index, row in enumerate(table):
        width = carried.get(index, 0) + sum(span(c)[1] for c in row)
        widths.append(width)
        for cell in row:
            rowspan, colspan = span(cell)
            for below in range(index + 1, index + rowspan):
                carried[below] = carried.get(below, 0) + colspan
    return widths


def test_html_table3_merges_as_the_template() -> None:
    (table,) = parse(table3_html(make_report())).tables
    assert len(table) == 3 + len(TABLE3_ROWS)
    assert set(occupied_width(table)) == {10}
    expected = {
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）": (3, 3),
        "申请人情况": (1, 7),
        "自然人": (2, 1),
        "法人或其他组织": (1, 5),
        "总计": (2, 1),
        "三、本年度办理结果": (22, 1),  # （一）…（七）总计
        "（三）不予公开": (8, 1),
        "（四）无法提供": (3, 1),
        "（五）不予处理": (5, 1),
        "（六）其他处理": (3, 1),
        "一、本年新收政府信息公开申请数量": (1, 3),
        "二、上年结转政府信息公开申请数量": (1, 3),
        "四、结转下年度继续办理": (1, 3),
        "（一）予以公开": (1, 2),
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）": (1, 2),
        "（七）总计": (1, 2),
        "1.属于国家秘密": (1, 1),
    }
    for text, spans in expected.items():
        assert span(by_text(table, text)) == spans, text
    assert table[0][0][2].startswith("（本列数据")  # the first header cell
    # Header row 3: the five 法人或其他组织 columns in order.
    assert [c[2] for c in table[2]] == list(TABLE3_COLS[1:-1])
    # Every data row ends with its seven numbers in column order.
    for i, (row, _label) in enumerate(TABLE3_ROWS):
        numbers = table[3 + i][-7:]
        assert [c[1]["data-row"] for c in numbers] == [row] * 7
        assert [c[1]["data-col"] for c in numbers] == list(TABLE3_COLS)
        assert [c[2] for c in numbers] == [str(t3_value(i, j)) for j in range(7)]


def test_html_table2_and_table4_merge_as_the_template() -> None:
    (t2,) = parse(table2_html(make_report())).tables
    assert set(occupied_width(t2)) == {4}
    for item in ("第二十条第（一）项", "第二十条第（五）项", "第二十条第（六）项", "第二十条第（八）项"):
        assert span(by_text(t2, item)) == (1, 4)
    assert span(by_text(t2, "本年收费金额（单位：万元）")) == (1, 3)
    decisions = [c for row in t2 for c in row if c[2] == "本年处理决定数量"]
    assert [span(c) for c in decisions] == [(1, 3), (1, 3)]
    assert [c[2] for c in t2[1]] == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    assert [row[0][2] for row in t2] == [
        "第二十条第（一）项", "信息内容", "规章", "行政规范性文件",
        "第二十条第（五）项", "信息内容", "行政许可",
        "第二十条第（六）项", "信息内容", "行政处罚", "行政强制",
        "第二十条第（八）项", "信息内容", "行政事业性收费",
    ]  # fmt: skip

    (t4,) = parse(table4_html(make_report())).tables
    assert len(t4) == 4
    assert set(occupied_width(t4)) == {15}
    assert span(by_text(t4, "行政复议")) == (1, 5)
    assert span(by_text(t4, "行政诉讼")) == (1, 10)
    assert span(by_text(t4, "未经复议直接起诉")) == (1, 5)
    assert span(by_text(t4, "复议后起诉")) == (1, 5)
    assert [(c[2], span(c)) for c in t4[1][:5]] == [(r, (2, 1)) for r in TABLE4_RESULTS]
    assert [c[2] for c in t4[2]] == list(TABLE4_RESULTS) * 2
    assert len(t4[3]) == 15


def test_html_document_numbers_escaping_and_order(outputs: dict[str, bytes]) -> None:
    markup = outputs["html"].decode("utf-8")
    assert markup.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in markup
    assert "<link" not in markup  # no external assets
    assert "src=" not in markup
    parsed = parse(markup)
    assert len(parsed.tables) == 3
    seen: dict[tuple[str, str, str], str] = {}
    for table in parsed.tables:
        for row in table:
            for _tag, attrs, text in row:
                if "data-row" in attrs:
                    seen[(attrs["data-table"], attrs["data-row"], attrs.get("data-col", ""))] = text
    assert seen == expected_cells()
    # User text is text: no script element, and it reads back unchanged.
    assert "script" not in parsed.tags
    assert "&lt;script&gt;" in markup
    assert "&amp; 引号" in markup
    body = "".join(parsed.text)
    assert HOSTILE in body
    positions = [body.index(heading) for _key, heading in SECTIONS]
    assert positions == sorted(positions)
    assert "2024年1月1日至12月31日" in body
    for text in ("014314799/2025-00002", "2025年1月17日", "更正表三第（五）项数字"):
        assert text in body


def test_html_fragment_is_the_body_only() -> None:
    fragment = html_fragment(make_report(), meta=META)
    for tag in ("<html", "<style", "<h1"):
        assert tag not in fragment
    parsed = parse(fragment)
    assert len(parsed.tables) == 3
    assert "script" not in parsed.tags
    order = [part.split('"')[0] for part in fragment.split('data-section="')[1:]]
    assert order == ["1", *(k for k, _ in SUBHEADS), *(k for k, _ in SECTIONS[1:])]
    no_preamble = html_fragment(make_report(), meta=RenderMeta(title="t", agency_name="a", preamble=""))
    assert "统计期限" not in no_preamble


# --- Markdown -----------------------------------------------------------------------------------------------------


def md_rows(text: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip()[1:-1].split(" | ")] for line in text.splitlines() if line.startswith("|")]


def test_markdown_headings_rows_and_numbers(outputs: dict[str, bytes]) -> None:
    text = outputs["md"].decode("utf-8")
    assert text.startswith(f"# {META.title}\n")
    for _key, heading in SECTIONS:
        assert f"\n## {heading}\n" in text
    for _key, heading in SUBHEADS:
        assert f"\n### {heading}\n" in text
    rows = md_rows(text)
    assert len({len(r) for r in rows if len(r) == 10}) == 1
    table3 = [r for r in rows if len(r) == 10 and r[3].isdigit()]
    assert len(table3) == len(TABLE3_ROWS)
    for i, ((_key, label), row) in enumerate(zip(TABLE3_ROWS, table3, strict=True)):
        assert label in row[:3]
        assert row[3:] == [str(t3_value(i, j)) for j in range(7)]
    assert table3[4][:3] == ["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密"]
    table4 = [r for r in rows if len(r) == 15]
    assert table4[-1] == [str(500 + i * 10 + j) for i in range(3) for j in range(5)]
    table2 = {r[0]: r[1:] for r in rows if len(r) == 4}
    assert table2["规章"] == ["300", "301", "302"]
    assert table2["行政强制"] == ["402", "", ""]
    assert table2[TABLE2_FEE] == [str(FEE), "", ""]
    # Narrative stays text: nothing a Markdown renderer would turn into HTML.
    assert "<script>" not in text
    assert "\\<script\\>" in text


# --- DOCX ---------------------------------------------------------------------------------------------------------


def test_docx_opens_with_merged_tables(outputs: dict[str, bytes]) -> None:
    document = Document(io.BytesIO(outputs["docx"]))
    section = document.sections[0]
    assert section.page_width is not None
    assert section.page_height is not None
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4
    assert len(document.tables) == 3
    t2, t3, t4 = document.tables
    assert (len(t3.rows), len(t3.columns)) == (3 + len(TABLE3_ROWS), 10)
    assert (len(t4.rows), len(t4.columns)) == (4, 15)
    assert (len(t2.rows), len(t2.columns)) == (14, 4)
    # A merged cell is one cell object under every grid position it covers.
    assert t3.cell(0, 0)._tc is t3.cell(2, 2)._tc
    assert t3.cell(0, 3)._tc is t3.cell(0, 9)._tc
    assert t3.cell(7, 1)._tc is t3.cell(14, 1)._tc  # （三）不予公开 over its eight rows
    assert t3.cell(7, 1).text == "（三）不予公开"
    assert t4.cell(0, 5)._tc is t4.cell(0, 14)._tc
    for i in range(len(TABLE3_ROWS)):
        assert [t3.cell(3 + i, 3 + j).text for j in range(7)] == [str(t3_value(i, j)) for j in range(7)]
    assert [t4.cell(3, c).text for c in range(15)] == [str(500 + i * 10 + j) for i in range(3) for j in range(5)]
    assert t2.cell(13, 1).text == str(FEE)
    body = "\n".join(p.text for p in document.paragraphs)
    assert HOSTILE in body
    for _key, heading in SECTIONS:
        assert heading in body
    rfonts = document.styles["Normal"].element.rPr.rFonts
    assert rfonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
    assert document.core_properties.modified == dt.datetime(2025, 1, 17, tzinfo=dt.UTC)


# --- XLSX ---------------------------------------------------------------------------------------------------------


def test_xlsx_sheets_merges_and_numbers(outputs: dict[str, bytes]) -> None:
    workbook = load_workbook(io.BytesIO(outputs["xlsx"]))
    assert workbook.sheetnames == ["报告", "表二", "表三", "表四"]
    info = {row[0]: row[1] for row in workbook["报告"].iter_rows(values_only=True)}
    assert info["标题"] == META.title
    assert info["年度"] == 2024
    assert info["索引号"] == META.index_number
    assert info["发布日期"] == "2025年1月17日"
    for _key, heading in SECTIONS + SUBHEADS:
        assert HOSTILE in info[heading]

    t3 = workbook["表三"]
    merged = {str(r) for r in t3.merged_cells.ranges}
    assert {"A1:C3", "D1:J1", "D2:D3", "E2:I2", "J2:J3", "A6:A27", "B8:B15", "B16:B18", "B19:B23", "B24:B26"} <= merged
    assert {"A4:C4", "A5:C5", "A28:C28", "B6:C6", "B7:C7", "B27:C27"} <= merged
    for i in range(len(TABLE3_ROWS)):
        values = [t3.cell(row=4 + i, column=4 + j).value for j in range(7)]
        assert values == [t3_value(i, j) for j in range(7)]
        assert all(t3.cell(row=4 + i, column=4 + j).data_type == "n" for j in range(7))

    t4 = workbook["表四"]
    assert {"A1:E1", "F1:O1", "F2:J2", "K2:O2", "A2:A3", "E2:E3"} <= {str(r) for r in t4.merged_cells.ranges}
    assert [t4.cell(row=4, column=c).value for c in range(1, 16)] == [
        500 + i * 10 + j for i in range(3) for j in range(5)
    ]

    t2 = workbook["表二"]
    assert {"A1:D1", "B6:D6", "B7:D7", "B14:D14"} <= {str(r) for r in t2.merged_cells.ranges}
    fee = t2.cell(row=14, column=2)
    assert fee.data_type == "n"
    assert Decimal(str(fee.value)) == FEE
    assert fee.number_format == "0.0000"
    assert t2.cell(row=3, column=2).value == 300


# --- JSON ---------------------------------------------------------------------------------------------------------


def test_json_is_as_json(outputs: dict[str, bytes]) -> None:
    data: Any = json.loads(outputs["json"].decode("utf-8"))
    assert data == make_report().as_json()
    assert "湛河区司法局" in outputs["json"].decode("utf-8")  # not \u-escaped


# --- PDF ----------------------------------------------------------------------------------------------------------


def test_pdf_embeds_a_chinese_font() -> None:
    if documents_render.DEFAULT_PDF_FONT_FAMILY not in documents_render._fontconfig_cjk_families():
        message = f"{documents_render.DEFAULT_PDF_FONT_FAMILY} 未安装（apt-get install fonts-noto-cjk）"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true，但 PDF 测试所需的 {message}")
        pytest.skip(message)
    data = render(make_report(), "pdf", meta=META)
    assert data.startswith(b"%PDF")
    fonts = pdf_fonts(data)
    assert fonts
    assert all(embedded for _name, embedded in fonts)
    assert any("CJK" in name for name, _embedded in fonts)
