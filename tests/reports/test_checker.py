"""The checker for published reports (issue 5 §8): hand-made messy reports in every format read to the numbers they
print, each rule's finding with its place and values, unreadable cells reported not guessed, non-reports refused,
the folder CSV, and the project's own outputs read back to the same JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
import weasyprint
from docx.table import Table
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.reports.checker import (
    UnreadableReport,
    check_file,
    check_folder,
    format_text,
    read_report,
    read_text,
)
from gongkai.reports.render import RenderMeta, render
from gongkai.reports.rules import ERROR, WARNING
from gongkai.reports.schema import (
    TABLE2_COUNTS,
    TABLE2_DECISIONS,
    TABLE2_DOCS,
    TABLE2_FEE,
    TABLE3_COLS,
    TABLE3_ROWS,
    TABLE4_BLOCKS,
    TABLE4_RESULTS,
    Finding,
    ReportData,
)
from tests.seed import SEED_REPORT as SEED

FIXTURES = Path(__file__).parent / "fixtures"

# What the messy fixtures print, counted by hand from the tables (every format carries the same report).
ZERO = [0, 0, 0, 0, 0, 0, 0]
EXPECTED_TABLE3: dict[str, list[int]] = {
    "1": [10, 2, 0, 0, 1, 0, 13],
    "2": [2, 0, 0, 0, 0, 0, 2],
    "3.1": [5, 1, 0, 0, 1, 0, 7],
    "3.2": [2, 0, 0, 0, 0, 0, 2],
    "3.3.1": ZERO,
    "3.3.2": ZERO,
    "3.3.3": [1, 0, 0, 0, 0, 0, 1],
    "3.3.4": ZERO,
    "3.3.5": ZERO,
    "3.3.6": ZERO,
    "3.3.7": ZERO,
    "3.3.8": ZERO,
    "3.4.1": [1, 1, 0, 0, 0, 0, 2],
    "3.4.2": ZERO,
    "3.4.3": ZERO,
    "3.5.1": ZERO,
    "3.5.2": ZERO,
    "3.5.3": ZERO,
    "3.5.4": ZERO,
    "3.5.5": ZERO,
    "3.6.1": ZERO,
    "3.6.2": ZERO,
    "3.6.3": [1, 0, 0, 0, 0, 0, 1],
    "3.7": [10, 2, 0, 0, 1, 0, 13],
    "4": [2, 0, 0, 0, 0, 0, 2],
}
EXPECTED_TABLE4 = [1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1]
EXPECTED: dict[str, Any] = {
    "agency": "青山县市场监督管理局",
    "year": 2024,
    "table2": {
        "规章": {"本年制发": 0, "本年废止": 0, "现行有效": 0},
        "行政规范性文件": {"本年制发": 22, "本年废止": 3, "现行有效": 40},
        "行政许可": 156,
        "行政处罚": 3210,
        "行政强制": 7,
        "行政事业性收费": "12.5",
    },
    "table3": {row: dict(zip(TABLE3_COLS, values, strict=True)) for row, values in EXPECTED_TABLE3.items()},
    "table4": {
        block: dict(zip(TABLE4_RESULTS, EXPECTED_TABLE4[i * 5 : i * 5 + 5], strict=True))
        for i, block in enumerate(TABLE4_BLOCKS)
    },
    "findings": [],
}
EXPECTED_FIGURES = {
    ("received", 13),
    ("carried_in", 2),
    ("closed", 13),
    ("disclosed", 7),
    ("partial", 2),  # “部分公开两件”
    ("carried_out", 2),
    ("reconsideration", 1),
    ("litigation", 2),
}


# ---------------------------------------------------------------- DOCX and XLSX fixtures, built by hand here


def _merged(table: Table, top: int, left: int, bottom: int, right: int, text: str) -> None:
    cell = table.cell(top, left).merge(table.cell(bottom, right))
    cell.text = text


def _docx_table3(document: Any) -> None:
    rows = [
        ("一、本年新收政府信息公开申请数量", EXPECTED_TABLE3["1"]),
        ("二、上年结转政府信息公开申请数量", EXPECTED_TABLE3["2"]),
    ]
    items = [(key, label) for key, label in TABLE3_ROWS if key not in ("1", "2", "4")]
    table = document.add_table(rows=3 + 2 + len(items) + 2, cols=10)
    _merged(table, 0, 0, 2, 2, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")
    _merged(table, 0, 3, 0, 9, "申请人情况")
    _merged(table, 1, 3, 2, 3, "自\n然\n人")  # one character per line
    _merged(table, 1, 4, 1, 8, "法人或其他组织")
    _merged(table, 1, 9, 2, 9, "总\n计")
    for col, name in enumerate(("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"), start=4):
        table.cell(2, col).text = name
    r = 3
    for label, values in rows:
        _merged(table, r, 0, r, 2, label)
        for col, value in enumerate(values, start=3):
            table.cell(r, col).text = "" if value == 0 else str(value)  # blank means 0
        r += 1
    first_result = r
    groups = {"3.3": "（三）不予公开", "3.4": "（四）无法提供", "3.5": "（五）不予处理", "3.6": "（六）其他处理"}
    group_start: dict[str, int] = {}
    for key, label in items:
        if key == "3.6.3":
            # a page footer printed inside the table, before the last rows
            pass
        if key[:3] in groups:
            group_start.setdefault(key[:3], r)
            table.cell(r, 2).text = label.replace("、行政机关", "，行政机关")
        else:
            _merged(table, r, 1, r, 2, label)
        for col, value in enumerate(EXPECTED_TABLE3[key], start=3):
            table.cell(r, col).text = "１" if value == 1 else str(value)  # full-width digits
        r += 1
    _merged(table, first_result, 0, r - 1, 0, "三、本年度办理结果")
    ends = {"3.3": "3.3.8", "3.4": "3.4.3", "3.5": "3.5.5", "3.6": "3.6.3"}
    for group, start in group_start.items():
        end = start + [k for k, _ in items].index(ends[group]) - [k for k, _ in items].index(f"{group}.1")
        _merged(table, start, 1, end, 1, groups[group])
    _merged(table, r, 0, r, 2, "四、结转下年度继续办理")
    for col, value in enumerate(EXPECTED_TABLE3["4"], start=3):
        table.cell(r, col).text = str(value)
    _merged(table, r + 1, 0, r + 1, 9, "— 4 —")  # a page footer inside the table


def make_docx() -> bytes:
    document = docx.Document()
    document.add_heading("青山县市场监督管理局2024年政府信息公开工作年度报告", level=1)
    document.add_paragraph("成文日期：2025年1月20日")
    document.add_heading("一、总体情况", level=2)
    document.add_paragraph(
        "2024年，青山县市场监督管理局全年共收到政府信息公开申请13件，上年结转2件，办结13件，其中予以公开7件，"
        "部分公开两件，结转下年度继续办理2件。本年度发生行政复议1起，行政诉讼2起。"
    )
    document.add_heading("二、主动公开政府信息情况", level=2)
    t2 = document.add_table(rows=15, cols=4)
    _merged(t2, 0, 0, 0, 3, "第二十条第（一）项")
    for col, text in enumerate(("信息内容", "本年制发件数", "本年废止件数", "现行有效件数")):
        t2.cell(1, col).text = text
    for row, (label, values) in enumerate(
        (("规章", ("0", "0", "0")), ("行政规范性文件", ("22（其中修订16件）", "3", "40"))), 2
    ):
        t2.cell(row, 0).text = label
        for col, value in enumerate(values, 1):
            t2.cell(row, col).text = value
    layout = [
        ("第二十条第（五）项", "本年处理决定数量", [("行政许可", "156")]),
        ("第二十条第（六）项", "本年处理决定数量", [("行政处罚", "3210"), ("行政强制", "7")]),
        ("第二十条第（八）项", "本年收费金额（单位：万元）", [("行政事业性收费", "12.5")]),
    ]
    row = 4
    for head, column, entries in layout:
        _merged(t2, row, 0, row, 3, head)
        t2.cell(row + 1, 0).text = "信息内容"
        _merged(t2, row + 1, 1, row + 1, 3, column)
        row += 2
        for label, value in entries:
            t2.cell(row, 0).text = label
            _merged(t2, row, 1, row, 3, value)
            row += 1
    document.add_heading("三、收到和处理政府信息公开申请情况", level=2)
    _docx_table3(document)
    document.add_heading("四、政府信息公开行政复议、行政诉讼情况", level=2)
    t4 = document.add_table(rows=4, cols=15)
    _merged(t4, 0, 0, 0, 4, "行政复议")
    _merged(t4, 0, 5, 0, 14, "行政诉讼")
    for col, name in enumerate(TABLE4_RESULTS):
        _merged(t4, 1, col, 2, col, name)
    _merged(t4, 1, 5, 1, 9, "未经复议直接起诉")
    _merged(t4, 1, 10, 1, 14, "复议后起诉")
    for col in range(5, 15):
        t4.cell(2, col).text = TABLE4_RESULTS[(col - 5) % 5]
    for col, value in enumerate(EXPECTED_TABLE4):
        t4.cell(3, col).text = str(value)
    document.add_heading("五、存在的主要问题及改进情况", level=2)
    document.add_paragraph("一是主动公开的及时性有待提高。")
    document.add_heading("六、其他需要报告的事项", level=2)
    document.add_paragraph("本年度未收取政府信息公开信息处理费。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_xlsx() -> bytes:
    """Everything in one sheet, as hand-made books do: merged cells, numbers as numbers or as (full-width) text."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "年报"
    sheet.append(["青山县市场监督管理局2024年政府信息公开工作年度报告"])
    sheet.append(["发布日期：2025-01-20"])
    sheet.append(["一、总体情况"])
    sheet.append(
        [
            "2024年，青山县市场监督管理局全年共收到政府信息公开申请13件，上年结转2件，办结13件，其中予以公开7件，"
            "部分公开两件，结转下年度继续办理2件。本年度发生行政复议1起，行政诉讼2起。"
        ]
    )
    sheet.append(["二、主动公开政府信息情况"])
    sheet.append(["第二十条第（一）项"])
    sheet.append(["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"])
    sheet.append(["规章", 0, 0, 0])
    sheet.append(["规范性文件", "22（其中修订16件）", 3, "４０"])
    sheet.append(["第二十条第（五）项"])
    sheet.append(["信息内容", "本年处理决定数量"])
    sheet.append(["行政许可", 156])
    sheet.append(["第二十条第（六）项"])
    sheet.append(["信息内容", "本年处理决定数量"])
    sheet.append(["行政处罚", 3210])
    sheet.append(["行政强制", 7.0])
    sheet.append(["第二十条第（八）项"])
    sheet.append(["信息内容", "本年收费金额（单位：万元）"])
    sheet.append(["行政事业性收费", 12.5])
    sheet.append(["三、收到和处理政府信息公开申请情况"])
    top = sheet.max_row + 1
    sheet.append(["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", None, None, "申请人情况"])
    sheet.append([None, None, None, "自然人", "法人或其他组织", None, None, None, None, "总计"])
    sheet.append([None, None, None, None, "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"])
    sheet.merge_cells(start_row=top, start_column=1, end_row=top + 2, end_column=3)
    sheet.merge_cells(start_row=top, start_column=4, end_row=top, end_column=10)
    for key, label in TABLE3_ROWS:
        values: list[Any] = [v if v else None for v in EXPECTED_TABLE3[key]]  # blank cells mean 0
        if key in ("1", "2", "4"):
            sheet.append([label, None, None, *values])
        elif key.count(".") == 2:
            group = {"3.3": "（三）不予公开", "3.4": "（四）无法提供", "3.5": "（五）不予处理", "3.6": "（六）其他处理"}
            first = key.endswith(".1")
            sheet.append(
                ["三、本年度办理结果" if key == "3.3.1" else None, group[key[:3]] if first else None, label, *values]
            )
        else:
            sheet.append(["三、本年度办理结果" if key == "3.1" else None, label, None, *values])
        if key == "3.4.3":
            sheet.append(["第 2 页"])
    sheet.append(["四、政府信息公开行政复议、行政诉讼情况"])
    sheet.append(["行政复议", None, None, None, None, "行政诉讼"])
    sheet.append([*TABLE4_RESULTS, "未经复议直接起诉", None, None, None, None, "复议后起诉"])
    sheet.append([None] * 5 + list(TABLE4_RESULTS) * 2)
    sheet.append(EXPECTED_TABLE4)
    sheet.append(["五、存在的主要问题及改进情况"])
    sheet.append(["一是主动公开的及时性有待提高。"])
    sheet.append(["六、其他需要报告的事项"])
    sheet.append(["本年度未收取政府信息公开信息处理费。"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def make_pdf() -> bytes:
    html = (FIXTURES / "messy.html").read_text(encoding="utf-8")
    css = weasyprint.CSS(string='body { font-family: "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif; }')
    return weasyprint.HTML(string=html).write_pdf(stylesheets=[css])


@pytest.fixture(scope="module")
def messy_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("messy")
    files = {name: FIXTURES / f"messy.{name}" for name in ("md", "html", "txt")}
    for name, data in (("docx", make_docx()), ("xlsx", make_xlsx()), ("pdf", make_pdf())):
        path = folder / f"messy.{name}"
        path.write_bytes(data)
        files[name] = path
    return files


# ---------------------------------------------------------------- messy reports in every format


@pytest.mark.parametrize("fmt", ["md", "html", "txt", "docx", "xlsx", "pdf"])
def test_messy_report_reads_to_the_printed_numbers(fmt: str, messy_files: dict[str, Path]) -> None:
    report = check_file(messy_files[fmt])

    assert report.as_json() == EXPECTED
    assert report.unreadable == []
    assert report.agency_kind == "department"
    assert report.published_on == dt.date(2025, 1, 20)
    assert report.fee_yuan == 0
    assert {(f.key, f.value) for f in report.figures} == EXPECTED_FIGURES
    assert {"1", "2", "3", "4", "5", "6"} <= set(report.sections)


def test_pdf_text_in_layout_mode_and_in_reading_order(messy_files: dict[str, Path]) -> None:
    """Layout mode keeps the columns, so the row with blank cells (一、本年新收: 10 2 _ _ 1 _ 13) is placed by
    position; reading order loses the blanks, so that row is reported, not guessed — every other cell reads."""
    from gongkai.reports.checker.sources import pdf_texts

    layout, plain = pdf_texts(messy_files["pdf"].read_bytes())
    by_layout = read_text(layout, kind="txt")
    assert by_layout.as_json()["table3"] == EXPECTED["table3"]
    assert by_layout.unreadable == []
    by_order = read_text(plain, kind="txt")
    assert by_order.unreadable == ["表三 一、本年新收政府信息公开申请数量（只找到 4 个数值：10、2、1、13）"]
    assert by_order.table3["1"] == dict.fromkeys(TABLE3_COLS)
    assert {k: v for k, v in by_order.as_json()["table3"].items() if k != "1"} == {
        k: v for k, v in EXPECTED["table3"].items() if k != "1"
    }
    assert by_order.as_json()["table4"] == EXPECTED["table4"]


def test_content_decides_the_format_not_the_extension(tmp_path: Path, messy_files: dict[str, Path]) -> None:
    for fmt in ("docx", "html", "pdf"):
        misnamed = tmp_path / f"report-{fmt}.txt"
        misnamed.write_bytes(messy_files[fmt].read_bytes())
        assert read_report(misnamed).as_json() == EXPECTED


def test_title_variants() -> None:
    body = (FIXTURES / "messy.md").read_text(encoding="utf-8").split("\n", 1)[1]
    titles = {
        "# 2024年度青山县人民政府政府信息公开工作年度报告": ("青山县人民政府", 2024, "government"),
        "# 青山县市场监督管理局关于2024年度政府信息公开工作的年度报告": ("青山县市场监督管理局", 2024, "department"),
        "# 青山镇人民政府二〇二四年政府信息公开工作年度报告": ("青山镇人民政府", 2024, "government"),
    }
    for title, (agency, year, kind) in titles.items():
        report = read_text(f"{title}\n{body}")
        assert (report.agency, report.year, report.agency_kind) == (agency, year, kind)


# ---------------------------------------------------------------- rules: failing and passing


def _variant(name: str, *edits: tuple[str, str]) -> str:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    return text


def _check(text: str, tmp_path: Path, previous: Path | None = None) -> list[Finding]:
    path = tmp_path / "report.md"
    path.write_text(text, encoding="utf-8")
    return check_file(path, previous=previous).findings


def test_clean_report_has_no_findings(tmp_path: Path) -> None:
    assert _check(_variant("messy.md"), tmp_path) == []
    assert check_file(FIXTURES / "messy.md", previous=FIXTURES / "prev_2023.md").findings != []  # the faulty pair
    assert check_file(FIXTURES / "prev_2023.md").findings == []


def test_faults_fixture_yields_each_rule(tmp_path: Path) -> None:
    findings = check_file(FIXTURES / "faults.md").findings
    assert {f.rule for f in findings} == {"R1", "R2", "R3", "R4", "R7", "R8", "R9", "R10"}
    where = {(f.rule, f.severity, f.where, f.message) for f in findings}
    assert (
        "R1",
        ERROR,
        "表三 列“自然人”",
        "一（10）+ 二（3）= 13，不等于 三（七）（10）+ 四（2）= 12",
    ) in where
    assert ("R2", ERROR, "表三 3.危及“三安全一稳定”", "各类申请人之和为 1，总计栏为 2") in where
    assert ("R3", ERROR, "表三 三（七）总计，列“总计”", "各办理结果之和为 14，（七）总计为 13") in where
    assert ("R4", ERROR, "表四 未经复议直接起诉", "维持、纠正、其他结果、尚未审结之和为 1，总计为 2") in where
    assert ("R9", ERROR, "表二 行政强制", "应为非负整数，实为“-7”") in where
    assert any(f.rule == "R8" and f.severity == WARNING and "25 元" in f.message for f in findings)
    assert any(f.rule == "R10" and "2025-02-10 发布，晚于 2025-01-31" in f.message for f in findings)
    r7 = {f.where: f.message for f in findings if f.rule == "R7"}
    assert "（14），表中为 13" in r7["正文与表三 一、本年新收政府信息公开申请数量 总计"]
    assert "（2），表中为 3" in r7["正文与表四 行政诉讼 总计"]


@pytest.mark.parametrize(
    ("rule", "edits", "where", "message"),
    [
        (
            "R1",
            [("| 四、结转下年度继续办理 |   | 2 |", "| 四、结转下年度继续办理 |   | 1 |")],
            "表三 列“自然人”",
            "一（10）+ 二（2）= 12，不等于 三（七）（10）+ 四（1）= 11",
        ),
        (
            "R2",
            [("| 2.重复申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |", "| 2.重复申请 | 0 | 0 | 0 | 0 | 0 | 0 | 5 |")],
            "表三 2.重复申请",
            "各类申请人之和为 0，总计栏为 5",
        ),
        (
            "R3",
            [("| 3. 其他 |   | 1 | 0 | 0 | 0 | 0 | 0 | 1 |", "| 3. 其他 |   | 1 | 1 | 0 | 0 | 0 | 0 | 1 |")],
            "表三 三（七）总计，列“商业企业”",
            "各办理结果之和为 3，（七）总计为 2",
        ),
        (
            "R4",
            [
                (
                    "| 1 | 0 | 0 | 0 | 1 | 1 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 1 | 1 |",
                    "| 1 | 0 | 0 | 0 | 1 | 1 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 1 | 0 |",
                )
            ],
            "表四 复议后起诉",
            "维持、纠正、其他结果、尚未审结之和为 1，总计为 0",
        ),
        (
            "R7",
            [("办结１３件", "办结１２件")],
            "正文与表三 （七）总计 总计",
            None,
        ),
        (
            "R8",
            [("本年度未收取政府信息公开信息处理费。", "本年度无其他需要报告的事项。")],
            "六、其他需要报告的事项",
            "未说明信息处理费收取情况（国办函〔2020〕109号）",
        ),
        (
            "R9",
            [("| 2.重复申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |", "| 2.重复申请 | 0 | 0 | 0 | 0 | 0 | 0 | -1 |")],
            "表三 2.重复申请 列“总计”",
            "应为非负整数，实为“-1”",
        ),
        (
            "R10",
            [("发布日期：２０２５年１月２０日", "发布日期：２０２５年２月１日")],
            "发布日期",
            "2025-02-01 发布，晚于 2025-01-31（条例第四十九条：县级以上人民政府部门应在1月31日前公布）",
        ),
    ],
)
def test_each_rule_fails_with_its_place_and_values(
    rule: str, edits: list[tuple[str, str]], where: str, message: str | None, tmp_path: Path
) -> None:
    findings = [f for f in _check(_variant("messy.md", *edits), tmp_path) if f.rule == rule]
    assert [f.where for f in findings] == [where]
    if message is not None:
        assert findings[0].message == message
    else:
        assert "（12），表中为 13" in findings[0].message


def test_r8_fee_without_any_application_is_an_error(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8").replace(
        "本年度没有产生政府信息公开处理费", "本年度收取政府信息公开处理费200元"
    )
    findings = [f for f in _check(text, tmp_path) if f.rule == "R8"]
    assert [(f.severity, f.message) for f in findings] == [(ERROR, "表三没有任何申请，却称收取信息处理费 200 元")]


def test_r10_government_has_until_march(tmp_path: Path) -> None:
    text = _variant(
        "messy.md",
        ("青山县市场监督管理局 ２０２４", "青山县人民政府 ２０２４"),
        ("发布日期：２０２５年１月２０日", "发布日期：２０２５年３月３１日"),
    )
    assert _check(text, tmp_path) == []
    late = text.replace("２０２５年３月３１日", "２０２５年４月１日")
    assert [f.rule for f in _check(late, tmp_path)] == ["R10"]


def test_r10_unknown_date_is_not_assumed_late(tmp_path: Path) -> None:
    text = _variant("messy.md", ("发布日期：２０２５年１月２０日\n", ""))
    path = tmp_path / "report.md"
    path.write_text(text, encoding="utf-8")
    assert check_file(path).findings == []
    assert [f.rule for f in check_file(path, today=dt.date(2025, 2, 1)).findings] == ["R10"]


def test_previous_year_pair_r5_r6(tmp_path: Path) -> None:
    findings = check_file(FIXTURES / "messy.md", previous=FIXTURES / "prev_2023.md").findings
    assert {(f.rule, f.severity, f.where) for f in findings} == {
        ("R5", ERROR, "表三 二、上年结转，列“自然人”"),
        ("R5", ERROR, "表三 二、上年结转，列“总计”"),
        ("R6", WARNING, "表二 行政规范性文件 现行有效件数"),
    }
    r5 = next(f for f in findings if f.rule == "R5")
    assert r5.message == "本年“上年结转”为 2，2023年报告“结转下年度继续办理”为 3"
    r6 = next(f for f in findings if f.rule == "R6")
    assert r6.message.startswith("40 ≠ 上年现行有效 30 + 本年制发 22 − 本年废止 3 = 49")

    matching = _variant(
        "prev_2023.md",
        (
            "| 四、结转下年度继续办理 |   | 3 | 0 | 0 | 0 | 0 | 0 | 3 |   |",
            "| 四、结转下年度继续办理 |   | 2 | 0 | 0 | 0 | 0 | 0 | 2 |   |",
        ),
        (
            "| 一、本年新收政府信息公开申请数量 |   | １１ | 2 |   |   | 1 |   | 14 |   |",
            "| 一、本年新收政府信息公开申请数量 |   | １０ | 2 |   |   | 1 |   | 13 |   |",
        ),
        ("| 规范性文件   | 12  | 0      | 30      |", "| 规范性文件   | 12  | 0      | 21      |"),
    )
    previous = tmp_path / "prev.md"
    previous.write_text(matching, encoding="utf-8")
    assert check_file(FIXTURES / "messy.md", previous=previous).findings == []


# ---------------------------------------------------------------- unreadable cells, non-reports, trial format


def test_unreadable_cells_are_reported_not_guessed() -> None:
    report = check_file(FIXTURES / "unreadable.md")
    assert report.table3["3.1"]["科研机构"] is None
    assert report.table3["3.2"]["商业企业"] is None
    assert report.unreadable == [
        "表三 （一）予以公开 列“科研机构”（原文“—”）",
        "表三 （二）部分公开 列“商业企业”（原文“见附件”）",
    ]
    assert [(f.rule, f.where) for f in report.findings] == [
        ("R9", "表三 （一）予以公开 列“科研机构”（原文“—”）"),
        ("R9", "表三 （二）部分公开 列“商业企业”（原文“见附件”）"),
    ]
    assert "R9 error 表三 （一）予以公开 列“科研机构”（原文“—”）: 无法读取该单元格的数值，未作推测" in format_text(
        report
    )


def test_missing_row_and_short_row_are_unreadable() -> None:
    text = _variant(
        "messy.md",
        ("|   |   | 7.属于行政执法案卷 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n", ""),
        ("| 2.重复申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |", "| 2.重复申请 | 0 | 0 | 0 |"),
    )
    report = read_text(text)
    assert report.table3["3.3.7"] == dict.fromkeys(TABLE3_COLS)
    assert report.table3["3.5.2"] == dict.fromkeys(TABLE3_COLS)
    assert "表三 （三）7.属于行政执法案卷（未找到该行）" in report.unreadable
    assert any(u.startswith("表三 （五）2.重复申请（只找到 3 个数值") for u in report.unreadable)


def test_collapsed_other_group_is_not_split_by_guess() -> None:
    text = _variant(
        "messy.md",
        (
            "|   | (六) 其他处理 | 1.逾期不补正 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n",
            "|   | (六) 其他处理 |   | 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n",
        ),
        (
            "|   |   | 2.申请人逾期未按收费通知要求缴纳费用，行政机关不再处理其政府信息公开申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n",
            "",
        ),
        ("| 3. 其他 |   | 1 | 0 | 0 | 0 | 0 | 0 | 1 |   |\n", ""),
    )
    report = read_text(text)
    for key in ("3.6.1", "3.6.2", "3.6.3"):
        assert report.table3[key] == dict.fromkeys(TABLE3_COLS)
    assert any("（六）其他处理只印了一行合计" in u for u in report.unreadable)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("notreport.txt", None),
        ("random.bin", bytes(range(256)) * 8),
        ("broken.docx", b"PK\x03\x04not really a zip"),
        ("empty.md", b""),
        ("broken.pdf", b"%PDF-1.4\n%%EOF garbage"),
        ("missing.md", b"<missing>"),
    ],
)
def test_not_a_report_is_unreadable(name: str, data: bytes | None, tmp_path: Path) -> None:
    path = FIXTURES / name
    if data is not None:
        path = tmp_path / name
        if data != b"<missing>":
            path.write_bytes(data)
    with pytest.raises(UnreadableReport) as raised:
        check_file(path)
    assert raised.value.message


def test_trial_format_table2() -> None:
    report = check_file(FIXTURES / "trial_2019.md")
    assert report.trial_format is True
    assert report.year == 2020
    # 新制作 → 本年制发; 处理决定数量 → 本年处理决定数量; the rest has no equivalent in the trial format.
    assert report.as_json()["table2"] == {
        "规章": {"本年制发": 0, "本年废止": None, "现行有效": None},
        "行政规范性文件": {"本年制发": 5, "本年废止": None, "现行有效": None},
        "行政许可": 1320,
        "行政处罚": 95,
        "行政强制": 3,
        "行政事业性收费": None,
    }
    assert report.as_json()["table3"] == EXPECTED["table3"]
    assert report.unreadable == []
    assert report.findings == []
    assert "2019年试行格式" in format_text(report)


# ---------------------------------------------------------------- batch and text output


def test_check_folder_writes_the_csv(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    (folder / "sub").mkdir(parents=True)
    for name in ("messy.md", "faults.md", "notreport.txt"):
        (folder / name).write_bytes((FIXTURES / name).read_bytes())
    (folder / "sub" / "messy.html").write_bytes((FIXTURES / "messy.html").read_bytes())
    (folder / "ignored.png").write_bytes(b"\x89PNG")
    out = tmp_path / "summary.csv"

    results = check_folder(folder, out)

    assert [p.name for p, _ in results] == ["faults.md", "messy.md", "notreport.txt", "messy.html"]
    assert isinstance(results[2][1], UnreadableReport)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["file"] for r in rows] == ["faults.md", "messy.md", "notreport.txt", "sub/messy.html"]
    faults = rows[0]
    assert (faults["agency"], faults["year"], faults["errors"], faults["warnings"]) == (
        "青山县市场监督管理局",
        "2024",
        "10",
        "1",
    )
    assert faults["first_error"] == "R9 表二 行政强制: 应为非负整数，实为“-7”"
    assert (rows[1]["errors"], rows[1]["warnings"], rows[1]["first_error"]) == ("0", "0", "")
    assert rows[2]["first_error"].startswith("无法读取：")


def test_format_text() -> None:
    text = format_text(check_file(FIXTURES / "faults.md"))
    lines = text.splitlines()
    assert lines[0] == "青山县市场监督管理局 2024年政府信息公开工作年度报告（政府部门）"
    assert "发布日期：2025-02-10" in lines
    assert "错误 10 项，警告 1 项" in lines
    assert "R1 error 表三 列“自然人”: 一（10）+ 二（3）= 13，不等于 三（七）（10）+ 四（2）= 12" in lines


# ---------------------------------------------------------------- round trip through the project's own renderer


def _distinct_report() -> ReportData:
    report = ReportData(agency="青山县交通运输局", year=2024)
    n = 1
    for row, _ in TABLE3_ROWS:
        for col in TABLE3_COLS:
            report.table3[row][col] = n
            n += 1
    for block in TABLE4_BLOCKS:
        for result in TABLE4_RESULTS:
            report.table4[block][result] = n
            n += 1
    for doc in TABLE2_DOCS:
        for count in TABLE2_COUNTS:
            report.table2[doc][count] = n
            n += 1
    for name in TABLE2_DECISIONS:
        report.table2[name] = n * 11
        n += 1
    report.table2[TABLE2_FEE] = Decimal("59237.2449")
    report.sections = {"1": "全年共收到政府信息公开申请8件。", "6": "本年度未收取信息处理费。"}
    return report


META = RenderMeta(
    title="青山县交通运输局2024年政府信息公开工作年度报告",
    agency_name="青山县交通运输局",
    published_on=dt.date(2025, 1, 20),
)


@pytest.mark.parametrize("fmt", ["md", "html", "docx", "xlsx", "pdf", "json"])
def test_round_trip_of_our_own_outputs(fmt: str, tmp_path: Path) -> None:
    report = _distinct_report()
    path = tmp_path / f"report.{fmt}"
    path.write_bytes(render(report, fmt, meta=META))

    back = read_report(path)

    want, got = report.as_json(), back.as_json()
    assert back.unreadable == []
    for key in ("agency", "year", "table2", "table3", "table4"):
        assert got[key] == want[key], key
    if fmt != "json":
        assert back.published_on == dt.date(2025, 1, 20)
        assert back.fee_yuan == 0
        assert [(f.key, f.value) for f in back.figures] == [("received", 8)]


_counts = st.integers(min_value=0, max_value=99999)


@st.composite
def _reports(draw: st.DrawFn) -> ReportData:
    report = ReportData(agency="青山县人民政府", year=draw(st.integers(min_value=2019, max_value=2030)))
    for row, _ in TABLE3_ROWS:
        for col in TABLE3_COLS:
            report.table3[row][col] = draw(_counts)
    for block in TABLE4_BLOCKS:
        for result in TABLE4_RESULTS:
            report.table4[block][result] = draw(_counts)
    for doc in TABLE2_DOCS:
        for count in TABLE2_COUNTS:
            report.table2[doc][count] = draw(_counts)
    for name in TABLE2_DECISIONS:
        report.table2[name] = draw(_counts)
    cents = draw(st.integers(min_value=0, max_value=10**9))
    report.table2[TABLE2_FEE] = Decimal(cents).scaleb(-4).normalize() if cents else Decimal(0)
    return report


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report=_reports(), fmt=st.sampled_from(["md", "html"]))
def test_random_tables_round_trip_through_md_and_html(report: ReportData, fmt: str) -> None:
    meta = RenderMeta(title=f"青山县人民政府{report.year}年政府信息公开工作年度报告", agency_name="青山县人民政府")
    back = read_text(render(report, fmt, meta=meta).decode("utf-8"), kind=fmt)
    want, got = report.as_json(), back.as_json()
    assert back.unreadable == []
    assert (got["year"], got["table3"], got["table4"]) == (want["year"], want["table3"], want["table4"])
    assert {k: v for k, v in got["table2"].items() if k != TABLE2_FEE} == {
        k: v for k, v in want["table2"].items() if k != TABLE2_FEE
    }
    assert Decimal(got["table2"][TABLE2_FEE]) == Decimal(want["table2"][TABLE2_FEE])


def test_numerals_of_any_digit_script() -> None:
    from gongkai.reports.checker.text import cn_number

    assert cn_number("12") == 12
    assert cn_number("一百零五") == 105
    assert cn_number("٣") == 3  # a decimal digit int() takes
    assert cn_number("²") is None  # a digit to str.isdigit that int() refuses: not a numeral, not an error
