"""Dates written the way Chinese official documents write them."""

from __future__ import annotations

import datetime as dt


def chinese_date(value: dt.date) -> str:
    """2024年1月5日 — Arabic numerals without leading zeros (GB/T 9704-2012 7.3.5.3)."""
    return f"{value.year}年{value.month}月{value.day}日"
