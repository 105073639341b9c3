"""The notice parser on the real 2024–2026 notices, the variants of regulations.md §7.2, problems, and fuzzing."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.clock.notice import NoticeError, Severity, parse_notice, year_from_title

FIXTURES = Path(__file__).parent / "fixtures"
D = dt.date


def notice(year: int) -> str:
    return (FIXTURES / f"notice_{year}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_real_notice_equals_chinesecalendar(year: int) -> None:
    parsed = parse_notice(notice(year))
    assert parsed.year == year
    assert parsed.problems == ()
    assert parsed.arrangement.holidays == {d for d in chinese_calendar.holidays if d.year == year}
    assert parsed.arrangement.workdays == {d for d in chinese_calendar.workdays if d.year == year}


def test_names_and_variants() -> None:
    p2025 = parse_notice(notice(2025))
    names = p2025.arrangement.names
    assert names[D(2025, 10, 6)] == "国庆节、中秋节"  # the combined item
    assert names[D(2025, 1, 28)] == "春节"
    assert {D(2025, 5, 31), D(2025, 6, 1), D(2025, 6, 2)} <= p2025.arrangement.holidays  # across months
    assert D(2025, 2, 4) in p2025.arrangement.holidays  # 1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）
    p2024 = parse_notice(notice(2024))
    # "鼓励…安排职工在除夕（2月9日）休息" encourages; it does not declare a holiday.
    assert D(2024, 2, 9) not in p2024.arrangement.holidays
    # "与周末连休" declares the day itself only (chinesecalendar semantics).
    assert {d for d in p2024.arrangement.holidays if d.month == 1} == {D(2024, 1, 1)}
    assert [item.name for item in p2024.items] == ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]


def test_year_from_title_or_argument() -> None:
    body = "一、元旦：1月1日（周五）至3日（周日）放假，共3天。"
    assert year_from_title("国务院办公厅关于2027年部分节假日安排的通知") == 2027
    assert parse_notice(body, year=2027).arrangement.holidays == {D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3)}
    with pytest.raises(NoticeError, match="无法从标题确定年份"):
        parse_notice(body)
    mismatch = parse_notice("国务院办公厅关于2026年部分节假日安排的通知\n" + body, year=2027)
    assert [str(p) for p in mismatch.errors] == ["通知标题是2026年，与指定的2027年不一致"]


def test_unparseable_sentence_is_reported_with_its_line_never_guessed() -> None:
    text = notice(2026).replace(
        "三、清明节：4月4日（周六）至6日（周一）放假，共3天。", "三、清明节：4月4日前后择机安排休息。"
    )
    parsed = parse_notice(text)
    assert not parsed.ok
    assert [str(p) for p in parsed.errors] == ["第4行：无法识别的句子“4月4日前后择机安排休息”，未导入"]
    assert D(2026, 4, 4) not in parsed.arrangement.holidays


def test_stray_date_line_outside_an_item_is_an_error() -> None:
    parsed = parse_notice(notice(2026) + "另外，12月31日下午放假半天。\n")
    assert [p.line for p in parsed.errors] == [9]


def test_weekday_and_total_checks_warn() -> None:
    text = notice(2026).replace("1月4日（周日）上班", "1月4日（周六）上班").replace("共9天", "共8天")
    parsed = parse_notice(text)
    assert parsed.ok  # warnings only: the administrator decides
    messages = [str(p) for p in parsed.warnings]
    assert "第2行：1月4日是星期日，通知写作“周六”，请核对日期" in messages
    assert "第3行：春节：通知写“共8天”，而2月15日至2月23日为9天，请核对" in messages
    assert all(p.severity == Severity.WARNING for p in parsed.warnings)


def test_xingqi_and_fullwidth_and_markdown_quotes() -> None:
    text = "> 国务院办公厅关于2024年部分节假日安排的通知\n> 三、清明节：４月４日至６日放假调休，共３天。４月７日（星期日）上班。\n"
    parsed = parse_notice(text)
    assert parsed.problems == ()
    assert parsed.arrangement.workdays == {D(2024, 4, 7)}


def test_impossible_date_and_workday_on_weekday() -> None:
    parsed = parse_notice("一、元旦：2月30日放假。1月6日（周三）上班。", year=2027)
    assert [str(p) for p in parsed.errors] == ["第1行：日期不存在：2027年2月30日"]
    assert any("本就是工作日" in str(p) for p in parsed.warnings)


def test_day_of_another_year_is_not_loaded_but_reported() -> None:
    parsed = parse_notice(
        "一、元旦：2018年12月30日至2019年1月1日放假调休，共3天。2018年12月29日（星期六）上班。", year=2019
    )
    assert parsed.arrangement.holidays == {D(2019, 1, 1)}
    assert parsed.arrangement.workdays == frozenset()
    assert sum("不属于2019年" in str(p) for p in parsed.warnings) == 3


def test_empty_or_itemless_text_raises_the_parser_error() -> None:
    for text in ("", "   ", "国务院办公厅关于2026年部分节假日安排的通知\n经国务院批准，现将有关安排通知如下。"):
        with pytest.raises(NoticeError):
            parse_notice(text)


FRAGMENTS = st.sampled_from(
    [
        "一、",
        "元旦",
        "：",
        ":",
        "1月",
        "31日",
        "2月30日",
        "13月1日",
        "至",
        "（周四）",
        "(星期日)",
        "（农历除夕、周二）",
        "放假",
        "调休",
        "，",
        "共3天",
        "共999天",
        "。",
        "上班",
        "、",
        "与周末连休",
        "不调休",
        "鼓励",
        "\n",
        "2027年",
        "99日",
        "关于2026年部分节假日安排的通知",
        "关于0000年部分节假日安排的通知",
        "（",
        "）",
        "；",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.none() | st.integers(min_value=-5, max_value=99999))
def test_fuzz_random_text_raises_only_notice_error(text: str, year: int | None) -> None:
    with contextlib.suppress(NoticeError):
        parse_notice(text, year=year)


@settings(max_examples=500, deadline=None)
@given(st.lists(FRAGMENTS, max_size=60).map("".join), st.none() | st.just(2026))
def test_fuzz_notice_like_text_raises_only_notice_error(text: str, year: int | None) -> None:
    try:
        parsed = parse_notice(text, year=year)
    except NoticeError:
        return
    assert not (parsed.arrangement.holidays & parsed.arrangement.workdays)
    assert all(d.year == parsed.year for d in parsed.arrangement.holidays | parsed.arrangement.workdays)
