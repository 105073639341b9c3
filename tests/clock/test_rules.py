"""The statutory periods as data, and calendar-day / month periods under 民法典第二百零一至二百零三条.
Expected dates counted by hand from the 2024–2026 notices (regulations.md §7)."""

from __future__ import annotations

import datetime as dt

import pytest

from gongkai.clock.calendar import WorkCalendar
from gongkai.clock.rules import PERIODS, PeriodUnit, add_months, annual_report_due, period, period_end

CAL = WorkCalendar.from_chinesecalendar()
D = dt.date


@pytest.mark.parametrize(
    ("key", "amount", "unit", "article"),
    [
        ("reply", 20, PeriodUnit.WORKING_DAYS, "第三十三条"),
        ("extension", 20, PeriodUnit.WORKING_DAYS, "第三十三条"),
        ("correction_notice", 7, PeriodUnit.WORKING_DAYS, "第三十条"),
        ("third_party_opinion", 15, PeriodUnit.WORKING_DAYS, "第三十二条"),
        ("agency_opinion", 15, PeriodUnit.WORKING_DAYS, "第三十四条"),
        ("fee_payment", 20, PeriodUnit.WORKING_DAYS, "109号"),
        ("delayed_reply", 0, PeriodUnit.FIXED_DATE, "第三十五条"),
        ("proactive_disclosure", 20, PeriodUnit.WORKING_DAYS, "第二十六条"),
        ("annual_report_department", 0, PeriodUnit.FIXED_DATE, "第四十九条"),
        ("annual_report_government", 0, PeriodUnit.FIXED_DATE, "第四十九条"),
        ("reconsideration_answer", 10, PeriodUnit.WORKING_DAYS, "第八十八条"),
        ("reconsideration_decision", 60, PeriodUnit.CALENDAR_DAYS, "第六十二条"),
        ("reconsideration_extension", 30, PeriodUnit.CALENDAR_DAYS, "第六十二条"),
        ("litigation_defence", 15, PeriodUnit.CALENDAR_DAYS, "第六十七条"),
        ("litigation_first_instance", 6, PeriodUnit.MONTHS, "第八十一条"),
        ("litigation_second_instance", 3, PeriodUnit.MONTHS, "第八十八条"),
    ],
)
def test_every_period_is_data_with_its_basis(key: str, amount: int, unit: PeriodUnit, article: str) -> None:
    p = period(key)
    assert (p.amount, p.unit) == (amount, unit)
    assert article in p.basis
    assert p.label_zh


def test_unknown_period_names_itself() -> None:
    with pytest.raises(KeyError, match="未定义的法定期限：nope"):
        period("nope")


def test_working_day_period_proactive_disclosure_art26() -> None:
    """条例第二十六条: 20 working days from formation on Fri 2024-12-20 → Mon 2025-01-20 (元旦 skipped)."""
    assert period_end(PERIODS["proactive_disclosure"], D(2024, 12, 20), CAL) == (D(2025, 1, 20), ())


def test_reconsideration_answer_ten_working_days_art48_88() -> None:
    """行政复议法第四十八、八十八条: 十日 = working days. From Fri 2025-09-26:
    Sep 28 Sun 调休 = 1, Sep 29–30 = 3, (Oct 1–8), Oct 9–10 = 5, Oct 11 Sat 调休 = 6, Oct 13–16 = 10."""
    assert period_end(PERIODS["reconsideration_answer"], D(2025, 9, 26), CAL) == (D(2025, 10, 16), ())


def test_reconsideration_decision_60_days_ending_in_national_day_art62_civil_code_203() -> None:
    """行政复议法第六十二条 + 民法典第二百零三条: 2024-08-02 + 60 日 = 2024-10-01 (国庆), rolls to Tue 2024-10-08."""
    assert period_end(PERIODS["reconsideration_decision"], D(2024, 8, 2), CAL) == (D(2024, 10, 8), ())


def test_calendar_days_ending_on_labour_day_roll_forward_civil_code_203() -> None:
    """行政复议法第二十条: 2025-03-03 + 60 日 = 2025-05-02 (劳动节 5月1日–5日) → Tue 2025-05-06."""
    assert period_end(PERIODS["reconsideration_application"], D(2025, 3, 3), CAL) == (D(2025, 5, 6), ())


def test_litigation_defence_15_days_art67() -> None:
    """行政诉讼法第六十七条: 2025-09-23 + 15 日 = 2025-10-08 (国庆中秋 last day) → Thu 2025-10-09."""
    assert period_end(PERIODS["litigation_defence"], D(2025, 9, 23), CAL) == (D(2025, 10, 9), ())


def test_first_instance_six_months_without_corresponding_day_art81_civil_code_202() -> None:
    """行政诉讼法第八十一条 + 民法典第二百零二条: 2024-08-31 + 6 个月 → 2025-02-28 (no 2月31日; a Friday)."""
    assert period_end(PERIODS["litigation_first_instance"], D(2024, 8, 31), CAL) == (D(2025, 2, 28), ())


def test_second_instance_ending_on_adjusted_working_saturday_stays_art88() -> None:
    """行政诉讼法第八十八条: 2025-11-30 + 3 个月 = 2026-02-28, a Saturday but 调休上班 — not a 法定休假日."""
    assert period_end(PERIODS["litigation_second_instance"], D(2025, 11, 30), CAL) == (D(2026, 2, 28), ())


def test_calendar_period_into_unloaded_year_is_provisional() -> None:
    """2026-12-20 + 15 日 = 2027-01-04 (Mon; weekends-only since 2027 is not loaded) → flagged."""
    assert period_end(PERIODS["litigation_defence"], D(2026, 12, 20), CAL) == (D(2027, 1, 4), (2027,))


def test_fixed_date_periods_cannot_be_counted() -> None:
    with pytest.raises(ValueError, match="固定日期"):
        period_end(PERIODS["delayed_reply"], D(2025, 1, 1), CAL)


def test_amount_override_for_a_shorter_extension() -> None:
    """行政复议法第六十二条: an extension of 10 of the 30 days: 2025-01-01 + 10 日 = Sat 2025-01-11 → Mon 01-13."""
    assert period_end(PERIODS["reconsideration_extension"], D(2025, 1, 1), CAL, amount=10) == (D(2025, 1, 13), ())


def test_annual_report_due_art49() -> None:
    """条例第四十九条: 部门 by 1月31日, 地方人民政府 by 3月31日 of the following year."""
    assert annual_report_due(2024, is_government=False) == D(2025, 1, 31)
    assert annual_report_due(2024, is_government=True) == D(2025, 3, 31)


def test_add_months_month_end_civil_code_202() -> None:
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2024, 11, 15), 3) == D(2025, 2, 15)
    assert add_months(D(2024, 12, 31), 12) == D(2025, 12, 31)
