"""The checker for published annual reports (issue 5 §8): read any report — .md, .html, .txt (incl. text extracted from
a PDF, in layout or reading order), .docx, .xlsx, .pdf — into a ``ReportData`` and run R1–R10 on it.

It never invents a number: a cell it cannot read is ``None`` and listed in ``report.unreadable`` (R9 reports it).
A file that is not a report, or cannot be read at all, raises ``UnreadableReport`` with a Chinese message (exit 2).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from gongkai.reports import rules
from gongkai.reports.checker import sources
from gongkai.reports.checker.parse import NotAReport, parse_rows
from gongkai.reports.schema import TABLE2_COUNTS, TABLE2_DECISIONS, TABLE2_DOCS, TABLE2_FEE, ReportData

__all__ = ["SUFFIXES", "UnreadableReport", "check_file", "check_folder", "format_text", "read_report", "read_text"]

SUFFIXES = (".md", ".markdown", ".html", ".htm", ".txt", ".docx", ".xlsx", ".pdf", ".json")


class UnreadableReport(Exception):
    """The file cannot be read as an annual report; ``message`` says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_text(text: str, *, kind: str = "md") -> ReportData:
    """A report given as text: ``kind`` is "md", "html", "txt" (plain or PDF-extracted text) or "json" (ours)."""
    if kind == "html":
        rows = sources.rows_from_html(text)
    elif kind in ("md", "txt"):
        rows = sources.rows_from_md(text)
    elif kind == "json":
        return _from_json(text)
    else:
        raise ValueError(f"unknown kind {kind!r}")
    try:
        return parse_rows(rows)
    except NotAReport as exc:
        raise UnreadableReport(f"不是政府信息公开工作年度报告：{exc}") from exc


def _from_json(text: str) -> ReportData:
    """The fixed JSON of issue 5 §7 (``report build --format json``); a cell that is not a count is unreadable."""
    try:
        data = json.loads(text)
        agency, year = str(data["agency"]), int(data["year"])
        report = ReportData(agency=agency, year=year)
        report.agency_kind = "government" if agency.endswith("政府") else ("department" if agency else "")
        for row, cols in report.table3.items():
            for col in cols:
                cols[col] = _count(report, f"表三 {row} 列“{col}”", data["table3"][row][col])
        for block, results in report.table4.items():
            for result in results:
                results[result] = _count(report, f"表四 {block} {result}", data["table4"][block][result])
        for doc in TABLE2_DOCS:
            for count in TABLE2_COUNTS:
                report.table2[doc][count] = _count(report, f"表二 {doc} {count}", data["table2"][doc][count])
        for name in TABLE2_DECISIONS:
            report.table2[name] = _count(report, f"表二 {name}", data["table2"][name])
        fee = data["table2"][TABLE2_FEE]
        report.table2[TABLE2_FEE] = None if fee is None else Decimal(str(fee))
    except (ValueError, KeyError, TypeError, ArithmeticError) as exc:
        raise UnreadableReport(f"不是年度报告的JSON（{type(exc).__name__}: {exc}）") from exc
    return report


def _count(report: ReportData, place: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    report.unreadable.append(f"{place}（原文“{value}”）")
    return None


def _read_pdf(data: bytes) -> ReportData:
    texts = sources.pdf_texts(data)
    if not any(text.strip() for text in texts):
        raise UnreadableReport("PDF中没有可提取的文字（可能是扫描件），无法读取")
    # Layout mode keeps rows on one line; reading order keeps cells whole. Whichever reads more cells wins.
    best: ReportData | None = None
    first_error: UnreadableReport | None = None
    for text in texts:
        try:
            report = read_text(text, kind="txt")
        except UnreadableReport as exc:
            first_error = first_error or exc
            continue
        if best is None or len(report.unreadable) < len(best.unreadable):
            best = report
    if best is None:
        assert first_error is not None
        raise first_error
    return best


def _read(path: Path) -> ReportData:
    data = path.read_bytes()
    kind = sources.sniff(path, data)
    if kind == "pdf":
        return _read_pdf(data)
    if kind == "docx":
        rows = sources.rows_from_docx(data)
    elif kind == "xlsx":
        rows = sources.rows_from_xlsx(data)
    elif kind == "zip":
        raise UnreadableReport("无法读取该文件：压缩包既不是 DOCX 也不是 XLSX")
    else:
        try:
            text = sources.decode(data)
        except UnicodeDecodeError as exc:
            raise UnreadableReport("无法读取该文件：既不是 UTF-8 也不是 GB18030 编码的文本") from exc
        if "\x00" in text:
            raise UnreadableReport("无法读取该文件：二进制文件，不是文本")
        return read_text(text, kind=kind)
    try:
        return parse_rows(rows)
    except NotAReport as exc:
        raise UnreadableReport(f"不是政府信息公开工作年度报告：{exc}") from exc


def read_report(path: Path) -> ReportData:
    """Read a published report by its content (the extension only breaks ties between text formats)."""
    try:
        return _read(path)
    except UnreadableReport:
        raise
    except OSError as exc:
        raise UnreadableReport(f"无法读取该文件：{exc.strerror or exc}") from exc
    except Exception as exc:  # a damaged DOCX/XLSX/PDF raises whatever its library raises
        # Only the first line: openpyxl's messages run over several, and the CLI prints one line (found by fuzzing).
        first = (str(exc).strip().splitlines() or [""])[0]
        raise UnreadableReport(f"无法读取该文件：{type(exc).__name__}: {first}") from exc


def check_file(path: Path, *, previous: Path | None = None, today: dt.date | None = None) -> ReportData:
    """Read and check: ``report.findings`` holds R1–R10 (R5/R6 only with ``previous``, last year's report).
    ``today`` lets R10 flag a report whose date is unknown only when the caller says so; a published file without a
    date is not assumed late."""
    report = read_report(path)
    earlier = read_report(previous) if previous is not None else None
    report.findings = rules.check(report, earlier, today=today)
    return report


def check_folder(folder: Path, csv_out: Path) -> list[tuple[Path, ReportData | UnreadableReport]]:
    """Check every report file under ``folder`` (sorted) and write a CSV summary: file, agency, year, errors,
    warnings, first error."""
    results: list[tuple[Path, ReportData | UnreadableReport]] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES):
        try:
            results.append((path, check_file(path)))
        except UnreadableReport as exc:
            results.append((path, exc))
    with csv_out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "agency", "year", "errors", "warnings", "first_error"])
        for path, result in results:
            name = str(path.relative_to(folder))
            if isinstance(result, UnreadableReport):
                writer.writerow([name, "", "", "", "", f"无法读取：{result.message}"])
                continue
            errors = [f for f in result.findings if f.severity == rules.ERROR]
            warnings = [f for f in result.findings if f.severity == rules.WARNING]
            first = f"{errors[0].rule} {errors[0].where}: {errors[0].message}" if errors else ""
            writer.writerow([name, result.agency, result.year, len(errors), len(warnings), first])
    return results


def format_text(report: ReportData) -> str:
    """The findings for a person: agency, year, then one line per finding with its rule, place and values."""
    kind = {"department": "政府部门", "government": "人民政府"}.get(report.agency_kind, "机关类型未知")
    lines = [f"{report.agency or '（未识别机关名称）'} {report.year}年政府信息公开工作年度报告（{kind}）"]
    lines.append(f"发布日期：{report.published_on.isoformat() if report.published_on else '未注明'}")
    if report.trial_format:
        lines.append("表二为2019年试行格式（国办公开办函〔2019〕60号）")
    errors = sum(1 for f in report.findings if f.severity == rules.ERROR)
    warnings = len(report.findings) - errors
    lines.append(f"错误 {errors} 项，警告 {warnings} 项")
    lines += [f"{f.rule} {f.severity} {f.where}: {f.message}" for f in report.findings]
    return "\n".join(lines)
