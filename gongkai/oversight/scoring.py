"""The 考核 arithmetic, pure: a rule turns one raw metric into points, a scheme's rules add up to a total, totals rank.

No database, no clock: the same metrics and rules always give the same result, so a published ranking can be
recomputed by hand from its snapshot (条例第四十七条: the 主管部门's 监督检查 must be explainable to those it ranks).

A rule gives ``weight`` points at or beyond ``full_at``, none at or beyond ``zero_at``, and a straight line between:

    fraction = clamp((raw - zero_at) / (full_at - zero_at), 0, 1)
    points   = round_half_up(weight × fraction, 2)

``full_at`` above ``zero_at`` means "more is better" (a rate); below it, "less is better" (a count of problems).
A metric without a value (no case closed, no report due yet) is scored by the rule's ``when_missing``: full marks,
zero, or left out — then the points of the remaining rules are scaled up to the scheme's full marks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["MISSING_EXCLUDE", "MISSING_FULL", "MISSING_ZERO", "Line", "Rule", "Score", "rank", "score"]

MISSING_FULL = "full"
MISSING_ZERO = "zero"
MISSING_EXCLUDE = "exclude"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Rule:
    metric: str
    weight: Decimal
    full_at: Decimal
    zero_at: Decimal
    when_missing: str = MISSING_FULL


@dataclass(frozen=True)
class Line:
    """One rule applied to one agency."""

    metric: str
    raw: Decimal | None
    weight: Decimal
    points: Decimal | None  # None: left out (when_missing = exclude)


@dataclass(frozen=True)
class Score:
    total: Decimal | None  # None when every rule was left out: the agency cannot be scored
    full_marks: Decimal
    lines: tuple[Line, ...]


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fraction(rule: Rule, raw: Decimal) -> Decimal:
    """The share of the rule's weight that ``raw`` earns, 0 … 1."""
    span = rule.full_at - rule.zero_at
    if span == 0:
        raise ValueError("满分线与零分线不能相同")
    share = (raw - rule.zero_at) / span
    return min(Decimal(1), max(Decimal(0), share))


def score(metrics: Mapping[str, Decimal | None], rules: Sequence[Rule]) -> Score:
    """Each rule's points for ``metrics`` (metric → raw value, None when the agency has no value) and the total."""
    lines: list[Line] = []
    for rule in rules:
        raw = metrics.get(rule.metric)
        if raw is None:
            if rule.when_missing == MISSING_EXCLUDE:
                points: Decimal | None = None
            elif rule.when_missing == MISSING_ZERO:
                points = _round(Decimal(0))
            else:
                points = _round(rule.weight)
        else:
            points = _round(rule.weight * fraction(rule, raw))
        lines.append(Line(rule.metric, raw, rule.weight, points))
    full_marks = sum((rule.weight for rule in rules), Decimal(0))
    counted = [line for line in lines if line.points is not None]
    counted_weight = sum((line.weight for line in counted), Decimal(0))
    earned = sum((line.points for line in counted if line.points is not None), Decimal(0))
    if not counted or counted_weight == 0:
        total: Decimal | None = None if not counted else _round(earned)
    elif counted_weight == full_marks:
        total = _round(earned)
    else:  # rules left out: the others are scaled up to the scheme's full marks
        total = _round(earned * full_marks / counted_weight)
    return Score(total, _round(full_marks), tuple(lines))


def rank(totals: Sequence[tuple[str, Decimal | None]]) -> list[tuple[int | None, str, Decimal | None]]:
    """(rank, key, total) best first; equal totals share a rank (1, 2, 2, 4); unscored keys last without a rank.
    Keys with equal totals keep the order given (callers pass them sorted by name)."""
    scored: list[tuple[str, Decimal]] = [(key, total) for key, total in totals if total is not None]
    scored.sort(key=lambda pair: pair[1], reverse=True)  # stable: equal totals keep the given order
    ranked: list[tuple[int | None, str, Decimal | None]] = []
    previous: Decimal | None = None
    position = 0
    for index, (key, total) in enumerate(scored, start=1):
        if total != previous:
            position = index
            previous = total
        ranked.append((position, key, total))
    ranked.extend((None, key, None) for key, total in totals if total is None)
    return ranked
