"""The outcome codebook against 表三 as printed (国办公开办函〔2021〕30号), and the 信息处理费 tiers (国办函〔2020〕109号)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongkai.cases.codebook import OUTCOMES, Outcome
from gongkai.cases.fees import FeeMethod, fee_per_item, fee_per_volume, quote_per_item, quote_per_volume

# regulations.md §2.4: the result rows of 表三, labels exactly as printed, in the table's order, with the report's keys.
TABLE_THREE_RESULT_ROWS: list[tuple[str, str]] = [
    ("三.一", "（一）予以公开"),
    ("三.二", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("三.三.1", "1.属于国家秘密"),
    ("三.三.2", "2.其他法律行政法规禁止公开"),
    ("三.三.3", "3.危及“三安全一稳定”"),
    ("三.三.4", "4.保护第三方合法权益"),
    ("三.三.5", "5.属于三类内部事务信息"),
    ("三.三.6", "6.属于四类过程性信息"),
    ("三.三.7", "7.属于行政执法案卷"),
    ("三.三.8", "8.属于行政查询事项"),
    ("三.四.1", "1.本机关不掌握相关政府信息"),
    ("三.四.2", "2.没有现成信息需要另行制作"),
    ("三.四.3", "3.补正后申请内容仍不明确"),
    ("三.五.1", "1.信访举报投诉类申请"),
    ("三.五.2", "2.重复申请"),
    ("三.五.3", "3.要求提供公开出版物"),
    ("三.五.4", "4.无正当理由大量反复申请"),
    ("三.五.5", "5.要求行政机关确认或重新出具已获取信息"),
    ("三.六.1", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("三.六.2", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("三.六.3", "3.其他"),
]


def test_outcomes_are_the_result_rows_of_table_three_in_order() -> None:
    """国办公开办函〔2021〕30号 表三: one outcome per result row, same order, the template's labels."""
    assert len(Outcome) == len(TABLE_THREE_RESULT_ROWS) == 21
    assert [(OUTCOMES[o.value].row, OUTCOMES[o.value].row_label) for o in Outcome] == TABLE_THREE_RESULT_ROWS
    assert list(OUTCOMES) == [o.value for o in Outcome]
    rows = [info.row for info in OUTCOMES.values()]
    labels = [info.row_label for info in OUTCOMES.values()]
    assert len(set(rows)) == len(rows)
    assert len(set(zip(rows, labels, strict=True))) == len(rows)


def test_withholding_outcomes_are_the_refusals() -> None:
    """行政复议法第二十三条第一款（四）: 复议前置 for 不予公开 — 部分公开 and 不予公开1–8, nothing else."""
    withholding = {o for o, info in OUTCOMES.items() if info.withholds}
    assert withholding == {Outcome.PARTIAL.value} | {o.value for o in Outcome if o.value.startswith("withheld_")}
    assert {o for o, info in OUTCOMES.items() if info.system_only} == {
        Outcome.OTHER_NO_CORRECTION.value,
        Outcome.OTHER_FEE_UNPAID.value,
    }
    for info in OUTCOMES.values():
        assert info.basis.startswith("《中华人民共和国政府信息公开条例》"), info


@pytest.mark.parametrize(
    ("k", "fee"), [(1, 0), (10, 0), (11, 100), (30, 100), (31, 200), (40, 200), (41, 300), (50, 300), (51, 400)]
)
def test_fee_per_item_tiers(k: int, fee: int) -> None:
    """国办函〔2020〕109号第四条：10件以下不收费；11—30件100元/件；31件以上每10件一档，每档提高100元/件。"""
    assert fee_per_item(k) == fee


@pytest.mark.parametrize(
    ("pages", "fee"),
    [(0, 0), (30, 0), (31, 10), (100, 700), (101, 720), (200, 2700), (201, 2740), (109, 880), (119, 1080), (57, 270)],
)
def test_fee_per_volume_tiers_and_real_cases(pages: int, fee: int) -> None:
    """109号第五条（超额累进）; 109→880 (沭阳县民政局), 119→1080 (泗洪县人民政府办公室), 57→270 (泗洪县半城镇)."""
    assert fee_per_volume(pages) == fee


def test_fee_functions_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="k starts at 1"):
        fee_per_item(0)
    with pytest.raises(ValueError, match="negative"):
        fee_per_volume(-1)
    with pytest.raises(ValueError, match="pieces"):
        quote_per_item(first_ordinal=1, pieces=0)


def _slope(page: int) -> int:
    # 109号第五条: the price of the page-th page.
    if page <= 30:
        return 0
    if page <= 100:
        return 10
    if page <= 200:
        return 20
    return 40


@given(st.integers(min_value=0, max_value=5000))
def test_fee_per_volume_is_monotone_and_piecewise_linear(pages: int) -> None:
    """超额累进 (109号第三条): each further page costs its own tier's price, never less than the one before."""
    step = fee_per_volume(pages + 1) - fee_per_volume(pages)
    assert step == _slope(pages + 1) >= 0
    assert fee_per_volume(pages) == sum(_slope(p) for p in range(1, pages + 1))


@given(st.integers(min_value=1, max_value=500))
def test_fee_per_item_is_monotone_in_the_month(k: int) -> None:
    assert fee_per_item(k + 1) >= fee_per_item(k)
    if k >= 31:
        assert fee_per_item(k) == 100 + 100 * ((k - 21) // 10)


_AMOUNT = re.compile(r"(\d+)元$")


def _line_amounts(lines: tuple[str, ...]) -> int:
    return sum(int(m.group(1)) for line in lines if (m := _AMOUNT.search(line)))


@given(st.integers(min_value=0, max_value=3000))
def test_volume_quote_lines_sum_to_the_amount(pages: int) -> None:
    quote = quote_per_volume(pages=pages)
    assert quote.method == FeeMethod.PER_VOLUME
    assert quote.amount == fee_per_volume(pages)
    assert _line_amounts(quote.lines) == quote.amount
    assert quote.free == (pages <= 30)


@given(st.integers(min_value=1, max_value=80), st.integers(min_value=1, max_value=25))
def test_item_quote_lines_sum_to_the_amount(first: int, pieces: int) -> None:
    """109号第四条: an application split into several 件 (一事一申请) pays each 件 at its own ordinal."""
    quote = quote_per_item(first_ordinal=first, pieces=pieces)
    assert quote.method == FeeMethod.PER_ITEM
    assert len(quote.lines) == pieces
    assert quote.amount == sum(fee_per_item(k) for k in range(first, first + pieces))
    assert _line_amounts(quote.lines) == quote.amount
