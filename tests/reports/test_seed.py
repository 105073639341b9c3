"""The seed (issue 5 §9): the real, messy Markdown export of 湛河区司法局's 2024 report reads as all-zero tables and no
errors — its 表三 has shifted rows, “3. 其他” in the first column and labels split over cells."""

from __future__ import annotations

from gongkai.reports.checker import check_file
from gongkai.reports.rules import ERROR
from gongkai.reports.schema import TABLE3_COLS, TABLE3_ROWS, TABLE4_BLOCKS, TABLE4_RESULTS
from tests.seed import SEED_REPORT as SEED


def test_seed_reads_as_all_zero_tables_without_errors() -> None:
    report = check_file(SEED)

    assert report.agency == "湛河区司法局"
    assert report.year == 2024
    assert report.agency_kind == "department"
    assert report.unreadable == []
    assert {row: set(cols) for row, cols in report.table3.items()} == {row: set(TABLE3_COLS) for row, _ in TABLE3_ROWS}
    assert all(value == 0 for cols in report.table3.values() for value in cols.values())
    assert {block: set(cols) for block, cols in report.table4.items()} == {
        b: set(TABLE4_RESULTS) for b in TABLE4_BLOCKS
    }
    assert all(value == 0 for cols in report.table4.values() for value in cols.values())
    data = report.as_json()["table2"]
    assert data == {
        "规章": {"本年制发": 0, "本年废止": 0, "现行有效": 0},
        "行政规范性文件": {"本年制发": 0, "本年废止": 0, "现行有效": 0},
        "行政许可": 0,
        "行政处罚": 0,
        "行政强制": 0,
        "行政事业性收费": "0",
    }
    assert report.fee_yuan == 0  # “本年度没有产生政府信息公开处理费”
    assert report.trial_format is False
    assert [f for f in report.findings if f.severity == ERROR] == []
    assert set(report.sections) == {"1", "2", "3", "4", "5", "6"}
    assert "门户网站主动公开政府信息 19 条" in report.sections["1"]
