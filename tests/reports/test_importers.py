"""Importing 表二 第二十条第（五）（六）（八）项 from enforcement systems' exports: CSV (UTF-8, GB18030, long or wide),
XLSX; errors name the line and save nothing; the source records the file and its SHA-256; never a traceback."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from gongkai.accounts.roles import Role
from gongkai.agencies.models import Agency
from gongkai.audit.models import AuditEvent
from gongkai.reports.importers import ImportProblem, import_figures, parse_figures
from gongkai.reports.models import AnnualFigures
from tests.factories import make_agency, make_staff

LONG = "项目,数量\n行政许可,12\n行政处罚,3\n行政强制,0\n行政事业性收费（万元）,59237.2449\n"


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel("2025-01-10 10:00 +0800", tick=False):
        yield


@pytest.fixture
def agency(db: Any) -> Agency:
    return make_agency("湛河区司法局")


@pytest.fixture
def handler(agency: Agency) -> Any:
    return make_staff(agency, Role.HANDLER)


def _expected(figures: AnnualFigures) -> tuple[int, int, int, Decimal]:
    return figures.licensing, figures.penalties, figures.enforcement, figures.fees_wan


def test_csv_utf8_long_form(agency: Agency, handler: Any) -> None:
    content = LONG.encode("utf-8")
    figures = import_figures(agency=agency, year=2024, file_name="执法统计.csv", content=content, actor=handler)
    assert _expected(figures) == (12, 3, 0, Decimal("59237.2449"))
    assert figures.source == f"导入：执法系统导出 执法统计.csv sha256:{hashlib.sha256(content).hexdigest()}"
    assert figures.updated_by == handler
    assert AuditEvent.objects.filter(action="report.figures_set", agency_id=agency.pk).count() == 1


def test_csv_utf8_bom_and_gb18030(agency: Agency, handler: Any) -> None:
    bom = b"\xef\xbb\xbf" + LONG.encode("utf-8")
    assert parse_figures("a.csv", bom)["licensing"] == 12
    gbk = LONG.replace("12", "7").encode("gb18030")
    figures = import_figures(agency=agency, year=2024, file_name="export.csv", content=gbk, actor=handler)
    assert _expected(figures) == (7, 3, 0, Decimal("59237.2449"))


def test_csv_wide_form_and_label_variants() -> None:
    wide = "行政许可,行政处罚（件）,行政强制决定数量,行政事业性收费(单位:万元)\n5,6,7,7730.28\n"
    assert parse_figures("wide.csv", wide.encode()) == {
        "licensing": 5,
        "penalties": 6,
        "enforcement": 7,
        "fees_wan": Decimal("7730.28"),
    }
    # Fee in 元 is converted; full-width digits and thousands separators are read.
    yuan = '项目,数量\n行政事业性收费（元）,"12,345"\n行政许可,１２\n'
    assert parse_figures("y.csv", yuan.encode()) == {"fees_wan": Decimal("1.2345"), "licensing": 12}


def test_xlsx(agency: Agency, handler: Any) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["湛河区司法局2024年度执法数据"])
    sheet.append(["序号", "项目", "数量"])
    sheet.append([1, "行政许可", 21])
    sheet.append([2, "行政处罚", 4.0])
    sheet.append([3, "行政强制", 1])
    sheet.append([4, "行政事业性收费（万元）", 0.5])
    buffer = io.BytesIO()
    book.save(buffer)
    figures = import_figures(agency=agency, year=2024, file_name="导出.xlsx", content=buffer.getvalue(), actor=handler)
    assert _expected(figures) == (21, 4, 1, Decimal("0.5"))
    assert "导出.xlsx" in figures.source


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("项目,数量\n行政许可,12\n行政处罚,-3\n", "第3行：行政处罚的数值“-3”不是非负整数"),
        ("项目,数量\n行政许可,1.5\n", "第2行：行政许可的数值“1.5”不是非负整数"),
        ("项目,数量\n行政许可,\n", "第2行：行政许可的数值“”不是非负整数"),
        ("项目,数量\n行政事业性收费（万元）,1.23456\n", "第2行：行政事业性收费（万元）的数值“1.23456”超过4位小数"),
        ("项目,数量\n行政事业性收费（万元）,abc\n", "第2行：行政事业性收费（万元）的数值“abc”不是非负金额"),
        ("项目,数量\n行政许可,1\n行政许可,2\n", "第3行：行政许可重复（已在第2行出现）"),
        ("项目,数量\n合计,3\n", "没有找到"),
        ("", "文件为空"),
        ("行政许可,行政处罚\n", "第1行：表头之后没有数据行"),
    ],
)
def test_bad_lines_are_named_and_nothing_is_saved(agency: Agency, handler: Any, text: str, message: str) -> None:
    with pytest.raises(ImportProblem) as caught:
        import_figures(agency=agency, year=2024, file_name="bad.csv", content=text.encode(), actor=handler)
    assert any(message in m for m in caught.value.messages), caught.value.messages
    assert not AnnualFigures.objects.exists()


def test_every_bad_line_is_reported_at_once() -> None:
    with pytest.raises(ImportProblem) as caught:
        parse_figures("bad.csv", "项目,数量\n行政许可,x\n行政处罚,y\n".encode())
    assert caught.value.messages == ["第2行：行政许可的数值“x”不是非负整数", "第3行：行政处罚的数值“y”不是非负整数"]


def test_broken_xlsx_and_xls_are_refused() -> None:
    with pytest.raises(ImportProblem, match="Excel"):
        parse_figures("a.xlsx", b"PK\x03\x04 not really a zip")
    with pytest.raises(ImportProblem, match=r"\.xls"):
        parse_figures("old.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    with pytest.raises(ImportProblem, match="编码"):
        parse_figures("a.csv", b"\xff\xfe\xfa\xfb\x81")


def test_a_handler_of_another_agency_cannot_import(agency: Agency) -> None:
    other = make_staff(make_agency(), Role.HEAD)
    with pytest.raises(Exception, match="经办人或负责人"):
        import_figures(agency=agency, year=2024, file_name="a.csv", content=LONG.encode(), actor=other)
    assert not AnnualFigures.objects.exists()


_labels = st.sampled_from(["行政许可", "行政处罚", "行政强制", "行政事业性收费（万元）", "项目", "数量", "", "合计"])
_cells = st.one_of(_labels, st.text(max_size=12), st.integers(min_value=-5, max_value=10**12).map(str))
_rows = st.lists(st.lists(_cells, max_size=5), max_size=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_rows, encoding=st.sampled_from(["utf-8", "gb18030", "utf-8-sig"]), raw=st.binary(max_size=64))
def test_fuzz_csv_never_crashes(rows: list[list[str]], encoding: str, raw: bytes) -> None:
    """Any CSV — structured or not, in any of the encodings, or raw bytes — gives values or an ImportProblem."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    for content in (buffer.getvalue().encode(encoding, errors="replace"), raw):
        messages: list[str] = []
        try:
            values = parse_figures("fuzz.csv", content)
        except ImportProblem as problem:
            messages = problem.messages
        if messages:
            assert all(isinstance(m, str) and m for m in messages)
        else:
            assert set(values) <= {"licensing", "penalties", "enforcement", "fees_wan"}
            assert all(v >= 0 for v in values.values())
