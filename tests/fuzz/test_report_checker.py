"""The report checker on damaged input: mutated Markdown / HTML / text reports and mutated DOCX / XLSX / PDF bytes end
in findings or in one clear refusal (``UnreadableReport``, exit 2 from the CLI) — never in an unhandled exception.

Text is read with ``read_text``, which has no catch-all, so a parser bug surfaces as the exception it is; files go
through ``check_file`` and ``gongkai report check``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import re
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongkai.cli import main
from gongkai.documents.render import DocumentRenderError
from gongkai.reports import rules
from gongkai.reports.checker import UnreadableReport, check_file, format_text, read_text
from gongkai.reports.render import RenderMeta, render
from gongkai.reports.schema import TABLE3_COLS, TABLE3_ROWS, TABLE4_BLOCKS, TABLE4_RESULTS, ReportData
from tests.fuzz.profile import fuzz
from tests.seed import SEED_REPORT as SEED

META = RenderMeta(
    title="青山县交通运输局2024年政府信息公开工作年度报告",
    agency_name="青山县交通运输局",
    published_on=dt.date(2025, 1, 20),
)


def _report() -> ReportData:
    report = ReportData(agency="青山县交通运输局", year=2024)
    for n, (row, _label) in enumerate(TABLE3_ROWS):
        for m, col in enumerate(TABLE3_COLS):
            report.table3[row][col] = (n * 7 + m) % 5
    for n, block in enumerate(TABLE4_BLOCKS):
        for m, result in enumerate(TABLE4_RESULTS):
            report.table4[block][result] = (n + m) % 3
    report.sections = {"1": "全年共收到政府信息公开申请8件。", "6": "本年度未收取信息处理费。"}
    return report


@functools.cache
def _base(fmt: str) -> bytes:
    return render(_report(), fmt, meta=META)


def _texts() -> list[tuple[str, str]]:
    bases = [(_base("md").decode(), "md"), (_base("html").decode(), "html"), (_base("md").decode(), "txt")]
    bases.append((SEED.read_text(encoding="utf-8"), "md"))  # the real, messy report the project started from
    return bases


# Pieces a damaged or hand-made report is made of.
PIECES = st.one_of(
    st.text(max_size=16),
    st.sampled_from(
        [
            "|",
            "||",
            "| --- |",
            "\n",
            "\n\n",
            "<td>",
            "</td>",
            "<tr>",
            "</table>",
            "<table>",
            '<td colspan="99999">',
            '<td rowspan="-1">',
            "<br>",
            "&#0;",
            "&#x110000;",
            "一、",
            "（一）",
            "表三",
            "合计",
            "总计",
            "万元",
            "-1",
            "１２",
            "1e9",
            "99999999999999999999",
            "0.5",
            "三千",
            "—",
            "\x00",
            "\ufeff",
            "2024年",
            "0000年",
            "2024年13月40日",
            "政府信息公开工作年度报告",
            "本年收到",
            "信息处理费",
        ]
    ),
)
OPS = st.lists(
    st.tuples(
        st.sampled_from(["insert", "delete", "replace", "duplicate", "swap", "truncate", "digits"]),
        st.integers(min_value=0, max_value=10**6),
        st.integers(min_value=0, max_value=10**6),
        PIECES,
    ),
    min_size=1,
    max_size=8,
)


def mutate_text(text: str, ops: list[tuple[str, int, int, str]]) -> str:
    for op, a, b, piece in ops:
        size = max(len(text), 1)
        i, j = sorted((a % size, b % size))
        if op == "insert":
            text = text[:i] + piece + text[i:]
        elif op == "delete":
            text = text[:i] + text[j:]
        elif op == "replace":
            text = text[:i] + piece + text[i + len(piece) :]
        elif op == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        elif op == "swap":
            lines = text.split("\n")
            x, y = a % len(lines), b % len(lines)
            lines[x], lines[y] = lines[y], lines[x]
            text = "\n".join(lines)
        elif op == "truncate":
            text = text[:i]
        else:  # every digit in a slice becomes another number
            text = text[:i] + "".join(piece[:3] or "9" if c.isdigit() else c for c in text[i:j]) + text[j:]
    return text


def mutate_bytes(data: bytes, ops: list[tuple[str, int, int, bytes]]) -> bytes:
    for op, a, b, piece in ops:
        size = max(len(data), 1)
        i, j = sorted((a % size, b % size))
        if op == "insert":
            data = data[:i] + piece + data[i:]
        elif op == "delete":
            data = data[:i] + data[j:]
        elif op == "flip":
            data = data[:i] + bytes([data[i] ^ (b % 255 + 1)]) + data[i + 1 :] if data else data
        else:
            data = data[:i]
    return data


def _assert_report_sane(report: ReportData, previous: ReportData | None) -> None:
    report.findings = rules.check(report, previous, today=dt.date(2025, 6, 1))
    format_text(report)
    report.as_json()


def _assert_refusal(error: UnreadableReport) -> None:
    assert error.message.strip(), "a refusal must say why"
    assert any("\u4e00" <= c <= "\u9fff" for c in error.message), error.message


@fuzz(40)
@given(base=st.sampled_from(range(4)), ops=OPS, with_previous=st.booleans())
def test_mutated_text_reports_give_findings_or_a_refusal(
    base: int, ops: list[tuple[str, int, int, str]], with_previous: bool
) -> None:
    bases = _texts()
    text, kind = bases[base % len(bases)]
    previous = read_text(bases[0][0], kind="md") if with_previous else None
    try:
        report = read_text(mutate_text(text, ops), kind=kind)
    except UnreadableReport as error:
        _assert_refusal(error)
        return
    _assert_report_sane(report, previous)


@fuzz(40)
@given(text=st.lists(PIECES, max_size=80).map("".join), kind=st.sampled_from(["md", "html", "txt", "json"]))
def test_random_text_gives_findings_or_a_refusal(text: str, kind: str) -> None:
    try:
        report = read_text(text, kind=kind)
    except UnreadableReport as error:
        _assert_refusal(error)
        return
    _assert_report_sane(report, None)


def _binary_base(fmt: str) -> bytes:
    try:
        return _base(fmt)
    except DocumentRenderError:  # no Chinese font for the PDF on this machine: a minimal PDF still exercises pypdf
        return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


BYTE_OPS = st.lists(
    st.tuples(
        st.sampled_from(["insert", "delete", "flip", "truncate"]),
        st.integers(min_value=0, max_value=10**7),
        st.integers(min_value=0, max_value=10**7),
        st.binary(max_size=16),
    ),
    min_size=1,
    max_size=6,
)


@fuzz(15)
@given(
    fmt=st.sampled_from(["docx", "xlsx", "pdf"]),
    ops=BYTE_OPS,
    suffix=st.sampled_from(["docx", "xlsx", "pdf", "md", "txt", "html"]),
)
def test_mutated_binary_reports_give_findings_or_a_refusal(
    fmt: str, ops: list[tuple[str, int, int, bytes]], suffix: str
) -> None:
    data = mutate_bytes(_binary_base(fmt), ops)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"report.{suffix}"
        path.write_bytes(data)
        try:
            report = check_file(path, today=dt.date(2025, 6, 1))
        except UnreadableReport as error:
            _assert_refusal(error)
            return
        format_text(report)
        report.as_json()


@fuzz(10)
@given(
    fmt=st.sampled_from(["md", "html", "docx", "xlsx", "pdf"]),
    ops=BYTE_OPS,
    suffix=st.sampled_from(["docx", "xlsx", "pdf", "md", "html", "txt", "json", "bin"]),
)
def test_report_check_cli_exits_0_1_or_2_with_one_line(
    fmt: str, ops: list[tuple[str, int, int, bytes]], suffix: str
) -> None:
    data = mutate_bytes(_binary_base(fmt), ops)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"report.{suffix}"
        path.write_bytes(data)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(["report", "check", str(path)])
    assert status in (0, 1, 2), status
    if status == 2:
        lines = err.getvalue().strip().splitlines()
        assert len(lines) == 1, err.getvalue()
        assert any("\u4e00" <= c <= "\u9fff" for c in lines[0]), lines[0]
    else:
        assert "Traceback" not in err.getvalue()


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_unmutated_bases_are_read(fmt: str) -> None:
    # The mutations start from readable files; otherwise the property above would only ever see refusals.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"report.{fmt}"
        path.write_bytes(_base(fmt))
        assert check_file(path).unreadable == []


def test_a_damaged_workbook_is_refused_in_one_line() -> None:
    # Found by the fuzzer: openpyxl's message for a workbook with broken XML runs over three lines.
    source = zipfile.ZipFile(io.BytesIO(_base("xlsx")))
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "docProps/core.xml":  # a date openpyxl cannot parse: a ValueError it re-words
                data = re.sub(rb">\d{4}-\d\d-\d\dT[^<]*<", b">2024-99-99T00:00:00Z<", data)
            target.writestr(item, data)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.xlsx"
        path.write_bytes(broken.getvalue())
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(["report", "check", str(path)])
    assert status == 2
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 1, err.getvalue()
    assert lines[0].startswith("无法读取该文件")
