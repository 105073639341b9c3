"""信息处理费 — 《政府信息公开信息处理费管理办法》(国办函〔2020〕109号), as pure functions (regulations.md §3).

Both standards are 超额累进 (第三条); an agency applies one of them to an application, never both.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

__all__ = ["FeeMethod", "FeeQuote", "fee_per_item", "fee_per_volume", "quote_per_item", "quote_per_volume"]


class FeeMethod(models.TextChoices):
    PER_ITEM = "per_item", "按件计收"  # 第四条
    PER_VOLUME = "per_volume", "按量计收"  # 第五条


# 第四条：同一申请人一个自然月内累计申请10件以下（含10件）的，不收费；11—30件的部分100元/件；
# 31件以上的部分以10件为一档，每增加一档，收费标准提高100元/件。
ITEM_FREE = 10
ITEM_FIRST_TIER_END = 30
ITEM_FIRST_TIER_PRICE = 100
ITEM_STEP = 10
ITEM_STEP_PRICE = 100

# 第五条：30页以下（含30页）的，不收费；31—100页的部分10元/页；101—200页的部分20元/页；201页以上的部分40元/页。
VOLUME_TIERS: tuple[tuple[int, int | None, int], ...] = ((31, 100, 10), (101, 200, 20), (201, None, 40))


def fee_per_item(k: int) -> int:
    """The fee in 元 for the applicant's ``k``-th application (1-based) in one natural month."""
    if k < 1:
        raise ValueError("k starts at 1")
    if k <= ITEM_FREE:
        return 0
    if k <= ITEM_FIRST_TIER_END:
        return ITEM_FIRST_TIER_PRICE
    return ITEM_FIRST_TIER_PRICE + ITEM_STEP_PRICE * ((k - ITEM_FIRST_TIER_END - 1) // ITEM_STEP + 1)


def fee_per_volume(pages: int) -> int:
    """The fee in 元 for one application of ``pages`` pages."""
    if pages < 0:
        raise ValueError("pages must not be negative")
    total = 0
    for low, high, price in VOLUME_TIERS:
        top = pages if high is None else min(pages, high)
        total += price * max(0, top - low + 1)
    return total


@dataclass(frozen=True)
class FeeQuote:
    method: FeeMethod
    amount: int  # 元
    lines: tuple[str, ...]  # how it was computed, for the 收费通知书 and the case page

    @property
    def free(self) -> bool:
        return self.amount == 0


def quote_per_item(*, first_ordinal: int, pieces: int = 1) -> FeeQuote:
    """This application counts as ``pieces`` 件 (一事一申请 splitting, 第四条), numbered from ``first_ordinal`` in the month."""
    if pieces < 1:
        raise ValueError("pieces must be at least 1")
    lines: list[str] = []
    total = 0
    for k in range(first_ordinal, first_ordinal + pieces):
        fee = fee_per_item(k)
        total += fee
        lines.append(f"本自然月第{k}件：{fee}元")
    return FeeQuote(FeeMethod.PER_ITEM, total, tuple(lines))


def quote_per_volume(*, pages: int) -> FeeQuote:
    lines = [f"共{pages}页，30页以下（含30页）不收费"]
    for low, high, price in VOLUME_TIERS:
        top = pages if high is None else min(pages, high)
        count = max(0, top - low + 1)
        if count:
            span = f"{low}页以上" if high is None else f"{low}—{high}页"
            lines.append(f"{span}的部分{count}页 × {price}元/页 = {count * price}元")
    return FeeQuote(FeeMethod.PER_VOLUME, fee_per_volume(pages), tuple(lines))
