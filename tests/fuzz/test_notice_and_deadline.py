"""The holiday-notice parser and the ``gongkai deadline`` command on junk.

The parser either reads a notice (no day both a holiday and a workday, every day in the notice's year) or raises
``NoticeError`` with a Chinese message. The command either prints the deadline (status 0) or ends with status 2 and
one Chinese line on stderr — for any JSON ledger, any dates and day counts, and any command-line arguments.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongkai.cli import main
from gongkai.clock.engine import EventType
from gongkai.clock.notice import NoticeError, parse_notice
from tests.fuzz.profile import fuzz
from tests.fuzz.test_report_checker import mutate_text

FIXTURES = Path(__file__).resolve().parents[1] / "clock" / "fixtures"
NOTICES = sorted(FIXTURES.glob("notice_*.txt"))

FRAGMENTS = st.sampled_from(
    [
        "一、",
        "十二、",
        "元旦",
        "春节",
        "：",
        ":",
        "1月",
        "31日",
        "2月29日",
        "2月30日",
        "13月1日",
        "0月0日",
        "至",
        "—",
        "~",
        "（周四）",
        "(星期日)",
        "（农历除夕、周二）",
        "放假",
        "调休",
        "上班",
        "，",
        "共3天",
        "共999天",
        "。",
        "、",
        "不调休",
        "\n",
        "2027年",
        "99999年",
        "2026年12月31日至2027年1月3日",
        "关于2026年部分节假日安排的通知",
        "关于0000年部分节假日安排的通知",
        "关于９９９９年部分节假日安排的通知",
        "\u3000",
        "\ufeff",
    ]
)


def _chinese(message: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in message)


def _assert_chinese(message: str) -> None:
    assert _chinese(message), message


def _check_notice(text: str, year: int | None) -> None:
    try:
        parsed = parse_notice(text, year=year)
    except NoticeError as error:
        _assert_chinese(str(error))
        return
    assert not (parsed.arrangement.holidays & parsed.arrangement.workdays)
    assert all(d.year == parsed.year for d in parsed.arrangement.holidays | parsed.arrangement.workdays)
    for problem in parsed.problems:
        str(problem)


@fuzz(60)
@given(
    text=st.lists(st.one_of(FRAGMENTS, st.text(max_size=6)), max_size=60).map("".join),
    year=st.none() | st.integers(min_value=-5, max_value=99999),
)
def test_notice_like_text(text: str, year: int | None) -> None:
    _check_notice(text, year)


@fuzz(40)
@given(
    which=st.integers(min_value=0, max_value=100),
    ops=st.lists(
        st.tuples(
            st.sampled_from(["insert", "delete", "replace", "duplicate", "swap", "truncate", "digits"]),
            st.integers(min_value=0, max_value=10**5),
            st.integers(min_value=0, max_value=10**5),
            st.one_of(FRAGMENTS, st.text(max_size=8)),
        ),
        min_size=1,
        max_size=6,
    ),
    year=st.none() | st.sampled_from([2024, 2025, 2026, 2027]),
)
def test_mutated_real_notices(which: int, ops: list[tuple[str, int, int, str]], year: int | None) -> None:
    if not NOTICES:
        pytest.skip("tests/clock/fixtures has no notices")
    _check_notice(mutate_text(NOTICES[which % len(NOTICES)].read_text(encoding="utf-8"), ops), year)


# --- gongkai deadline ------------------------------------------------------------------------------------------

_dates = st.one_of(
    st.dates(min_value=dt.date(1899, 1, 1), max_value=dt.date(3001, 12, 31)).map(dt.date.isoformat),
    st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2027, 12, 31)).map(dt.date.isoformat),
    st.sampled_from(
        [
            "0001-01-01",
            "9999-12-31",
            "1900-01-01",
            "2999-12-31",
            "2024-02-30",
            "2025-13-01",
            "2025-1-2",
            "２０２５-０１-０２",
            "20250102",
            "",
            "2025-01-02T00:00",
            "2025-01-02\n",
        ]
    ),
    st.text(max_size=12),
    st.integers(),
    st.none(),
)
_days = st.one_of(
    st.integers(min_value=-3, max_value=25),
    st.integers(),
    st.booleans(),
    st.floats(allow_nan=True),
    st.text(max_size=4),
    st.none(),
)
_types = st.one_of(st.sampled_from([t.value for t in EventType]), st.text(max_size=10), st.integers())


@st.composite
def _events(draw: st.DrawFn) -> Any:
    event: dict[str, Any] = {"type": draw(_types), "date": draw(_dates)}
    if draw(st.booleans()):
        event["days"] = draw(_days)
    if draw(st.booleans()):
        event["until"] = draw(_dates)
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        event[draw(st.sampled_from(["note", "x", "Date"]))] = draw(st.one_of(st.text(max_size=5), st.integers()))
    return event


_ledger = st.one_of(
    st.fixed_dictionaries({"received": _dates}, optional={"events": st.lists(_events(), max_size=8)}),
    st.fixed_dictionaries(
        {
            "received": _dates,
            "events": st.one_of(
                st.lists(st.one_of(_events(), st.integers(), st.text(max_size=3))), st.text(max_size=3), st.none()
            ),
        }
    ),
    st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=8), max_size=3),
    st.lists(st.integers(), max_size=3),
    st.integers(),
    st.none(),
)
_junk_args = st.lists(
    st.one_of(
        st.sampled_from(["--format", "json", "text", "xml", "-", "--help-me", "-x", "--format=json", "--", "a b"]),
        st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=10),
    ),
    max_size=3,
)


def _run(argv: list[str], stdin: bytes = b'{"received": "2025-01-02"}') -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        mock.patch("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")),
    ):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()


def _assert_clean_exit(status: int, out: str, err: str) -> None:
    assert status in (0, 2), (status, err)
    assert "Traceback" not in err
    if status == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert _chinese(lines[0]), lines[0]
    else:
        assert out.strip()


@fuzz(60)
@given(
    ledger=_ledger,
    raw=st.one_of(st.none(), st.binary(max_size=40), st.text(max_size=40)),
    fmt=st.sampled_from(["text", "json"]),
)
def test_deadline_cli_on_any_ledger(db: Any, ledger: Any, raw: bytes | str | None, fmt: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ledger.json"
        if raw is None:
            path.write_text(json.dumps(ledger, ensure_ascii=False), encoding="utf-8")
        elif isinstance(raw, bytes):
            path.write_bytes(raw)
        else:
            path.write_text(raw, encoding="utf-8", errors="surrogatepass")
        _assert_clean_exit(*_run(["deadline", str(path), "--format", fmt]))


@fuzz(30)
@given(args=_junk_args)
def test_deadline_cli_on_junk_arguments(db: Any, args: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ledger.json"
        path.write_text('{"received": "2025-01-02"}', encoding="utf-8")
        argv = ["deadline", *[str(path) if a == "-" else a for a in args]]
        status, out, err = _run(argv)
    if status == 0 and not out.strip():  # --help prints usage to stdout and succeeds
        return
    _assert_clean_exit(status, out, err)


@pytest.mark.parametrize("flag", ["-h", "--help", "--he"])
def test_deadline_cli_help_returns_0_with_usage(db: Any, flag: str) -> None:
    # Found by the fuzzer (100,000 junk argument lists): argparse's help raised SystemExit(0) out of main().
    status, out, _err = _run(["deadline", flag])
    assert status == 0
    assert "usage" in out.lower() or "用法" in out


def test_a_workday_listed_later_as_a_holiday_is_a_problem_not_a_crash() -> None:
    # Found by the fuzzer (a mutated real notice): the later item's holiday met the earlier item's workday and
    # YearArrangement raised a plain ValueError.
    text = (
        "国务院办公厅关于2026年部分节假日安排的通知\n"
        "一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。\n"
        "二、春节：1月4日（周日）放假，共1天。\n"
    )
    parsed = parse_notice(text)
    assert not (parsed.arrangement.holidays & parsed.arrangement.workdays)
    assert any("同时被列为放假日和上班日" in str(p) for p in parsed.problems)


@pytest.mark.parametrize(
    "ledger",
    [
        {"received": "2025-01-02", "\n": 1},
        {"received": "2025-01-02", "events": [{"type": "a\nb", "date": "2025-01-03"}]},
        {"received": "2025-01-02", "events": [{"type": "extended", "date": "2025-01-03", "x\ny": 1}]},
    ],
)
def test_names_with_line_breaks_stay_on_the_one_error_line(db: Any, ledger: Any) -> None:
    # Found by the fuzzer: an unknown key "\n" split the message over two lines.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ledger.json"
        path.write_text(json.dumps(ledger), encoding="utf-8")
        status, out, err = _run(["deadline", str(path)])
    assert status == 2
    _assert_clean_exit(status, out, err)
