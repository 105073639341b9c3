"""Charts as inline SVG, drawn on the server: no JavaScript, no CDN, nothing fetched — the page stays whole under a strict
CSP and prints as it shows. Accessible: each chart is an ``img`` with ``<title>`` and ``<desc>``, and every bar carries
its value as text (the same figures are in the table beside it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

__all__ = ["Bar", "bar_chart"]

LABEL_WIDTH = 190
BAR_WIDTH = 360
VALUE_WIDTH = 120
ROW = 24
TOP = 8


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | int | None  # None: no value (drawn as “无数据”)
    text: str  # the value as the reader should read it (“87.5%”, “3个”)
    tone: str = ""  # "", "ok", "warn", "err": a CSS class, never the only carrier of meaning


def _short(label: str, limit: int = 12) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(
    chart_id: str, title: str, description: str, bars: Sequence[Bar], *, maximum: Decimal | int
) -> SafeString:
    """A horizontal bar chart, one bar per entry, scaled to ``maximum``."""
    height = TOP * 2 + ROW * max(1, len(bars))
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    top = Decimal(maximum) if maximum else Decimal(1)
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-d">{escape(description)}</desc>',
    ]
    for n, bar in enumerate(bars):
        y = TOP + n * ROW
        parts.append(
            f'<g class="{escape(" ".join(filter(None, ("bar", bar.tone))))}"><title>{escape(bar.label)}：{escape(bar.text)}</title>'
            f'<text class="label" x="{LABEL_WIDTH - 6}" y="{y + 16}" text-anchor="end">{escape(_short(bar.label))}</text>'
        )
        if bar.value is not None:
            length = int(min(Decimal(1), max(Decimal(0), Decimal(bar.value) / top)) * BAR_WIDTH)
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{max(length, 1)}" height="{ROW - 8}"></rect>')
        parts.append(
            f'<text class="value" x="{LABEL_WIDTH + BAR_WIDTH + 6}" y="{y + 16}">{escape(bar.text)}</text></g>'
        )
    parts.append(
        f'<line class="axis" x1="{LABEL_WIDTH}" y1="{TOP}" x2="{LABEL_WIDTH}" y2="{height - TOP}"></line></svg>'
    )
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
