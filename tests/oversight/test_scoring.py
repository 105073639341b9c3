"""The pure 考核 arithmetic against numbers worked out by hand (docs/oversight.md, 计分公式)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from gongkai.oversight.scoring import MISSING_EXCLUDE, MISSING_FULL, MISSING_ZERO, Rule, fraction, rank, score

RATE = Rule("cases_on_time_rate", D(30), D(100), D(80))  # more is better: 30 points at 100 %, 0 at 80 %
FINDINGS = Rule("report_findings", D(15), D(0), D(5), MISSING_ZERO)  # less is better: 15 at 0, 0 at 5
ON_TIME = Rule("report_on_time", D(20), D(1), D(0))
APPEALS = Rule("appeal_correction_rate", D(15), D(0), D(20), MISSING_EXCLUDE)


def test_linear_between_the_lines_and_flat_beyond() -> None:
    # (87.5 - 80) / (100 - 80) = 0.375 → 30 × 0.375 = 11.25
    assert fraction(RATE, D("87.5")) == D("0.375")
    assert score({"cases_on_time_rate": D("87.5")}, [RATE]).lines[0].points == D("11.25")
    assert score({"cases_on_time_rate": D("100")}, [RATE]).total == D("30.00")
    assert score({"cases_on_time_rate": D("80")}, [RATE]).total == D("0.00")
    assert score({"cases_on_time_rate": D("50")}, [RATE]).total == D("0.00")  # never negative
    # Less is better: 2 findings → (2 - 5) / (0 - 5) = 0.6 → 9; 7 findings → 0
    assert score({"report_findings": D(2)}, [FINDINGS]).total == D("9.00")
    assert score({"report_findings": D(7)}, [FINDINGS]).total == D("0.00")
    assert score({"report_findings": D(0)}, [FINDINGS]).total == D("15.00")


def test_rounding_half_up_to_cents() -> None:
    # 30 × (90.1234 - 80) / 20 = 30 × 0.50617 = 15.1851 → 15.19; 30 × (80.0005 - 80) / 20 = 0.00075 → 0.00
    assert score({"cases_on_time_rate": D("90.1234")}, [RATE]).total == D("15.19")
    assert score({"cases_on_time_rate": D("80.0005")}, [RATE]).total == D("0.00")
    # 15 × (5 - 4.999) / 5 = 0.003 → 0.00; 10 × 0.0005 = 0.005 → 0.01 (half up)
    assert score({"report_findings": D("4.999")}, [FINDINGS]).total == D("0.00")
    half = Rule("x", D(10), D(1), D(0))
    assert score({"x": D("0.0005")}, [half]).total == D("0.01")


def test_a_full_scheme_by_hand() -> None:
    rules = [RATE, ON_TIME, FINDINGS]
    result = score(
        {"cases_on_time_rate": D("92"), "report_on_time": D(1), "report_findings": D(3)},
        rules,
    )
    # 30 × 12/20 = 18; 20 × 1 = 20; 15 × (3-5)/(0-5) = 15 × 0.4 = 6 → 44 of 65
    assert [line.points for line in result.lines] == [D("18.00"), D("20.00"), D("6.00")]
    assert result.total == D("44.00")
    assert result.full_marks == D("65.00")
    assert [line.weight for line in result.lines] == [D(30), D(20), D(15)]
    assert [line.raw for line in result.lines] == [D("92"), D(1), D(3)]


def test_missing_values_full_zero_or_left_out() -> None:
    # Missing rate (no case closed): full marks by default.
    assert score({}, [RATE]).total == D("30.00")
    # Missing findings (no report): zero.
    assert score({}, [FINDINGS]).total == D("0.00")
    # Missing appeal rate, left out: the others are scaled to the scheme's full marks.
    # RATE 92 → 18 of 30; ON_TIME 0 → 0 of 20; APPEALS left out (15).
    # earned 18 of the 50 counted → scaled to 65: 18 × 65 / 50 = 23.40
    result = score({"cases_on_time_rate": D(92), "report_on_time": D(0)}, [RATE, ON_TIME, APPEALS])
    assert result.lines[2].points is None
    assert result.total == D("23.40")
    # Everything left out: no score at all.
    assert score({}, [APPEALS]).total is None


def test_zero_weight_rule_scores_nothing_and_equal_lines_are_refused() -> None:
    free = Rule("cases_on_time_rate", D(0), D(100), D(80))
    assert score({"cases_on_time_rate": D(90)}, [free]).total == D("0.00")
    with pytest.raises(ValueError, match="满分线与零分线不能相同"):
        fraction(Rule("x", D(1), D(5), D(5)), D(1))


def test_ranking_ties_share_a_rank_and_unscored_come_last() -> None:
    ranked = rank([("甲", D("90")), ("乙", D("95.5")), ("丙", D("90")), ("丁", None), ("戊", D("80"))])
    assert ranked == [
        (1, "乙", D("95.5")),
        (2, "甲", D("90")),
        (2, "丙", D("90")),
        (4, "戊", D("80")),
        (None, "丁", None),
    ]


def test_missing_full_is_the_default() -> None:
    assert Rule("x", D(1), D(1), D(0)).when_missing == MISSING_FULL


def test_chart_is_accessible_escaped_and_self_contained() -> None:
    from gongkai.oversight.charts import Bar, bar_chart

    svg = str(
        bar_chart(
            "c1",
            "按期办结率<script>",
            "说明",
            [Bar("甲局", D("50"), "50.00%", "warn"), Bar("乙局&", None, "无办结")],
            maximum=100,
        )
    )
    assert svg.startswith('<svg class="chart" id="c1" role="img"')
    assert 'aria-labelledby="c1-t c1-d"' in svg
    assert '<title id="c1-t">按期办结率&lt;script&gt;</title>' in svg
    assert '<desc id="c1-d">说明</desc>' in svg
    assert "<script" not in svg
    assert "style=" not in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    # Values as text; a bar of half the scale is half the drawing width; no value, no bar.
    assert '<text class="value"' in svg
    assert ">50.00%</text>" in svg
    assert ">无办结</text>" in svg
    assert svg.count("<rect ") == 1
    assert 'width="180"' in svg  # 50 / 100 × 360
    assert '<g class="bar warn">' in svg
    assert '<g class="bar">' in svg
    assert "乙局&amp;" in svg
