"""Scenario tests of the reply clock. Every expected date was counted by hand from the 2024/2025/2026 notices
(regulations.md §7.2/§7.3); the comment beside each shows the count. The receipt day is never counted (民法典第二百零一条).
"""

from __future__ import annotations

import datetime as dt

import pytest

from gongkai.clock.calendar import WorkCalendar, YearArrangement
from gongkai.clock.engine import EventType, LedgerError, LedgerEvent, compute, validate_ledger

CAL = WorkCalendar.from_chinesecalendar()
D = dt.date
E = EventType


def ev(kind: EventType, day: dt.date, **kw: object) -> LedgerEvent:
    return LedgerEvent(kind, day, **kw)  # type: ignore[arg-type]


def texts(result: object) -> list[str]:
    return [s.text for s in result.steps]  # type: ignore[attr-defined]


# --- 条例第三十三条第二款: 20 working days ----------------------------------------------------------------------


def test_art33_year_end_crossing_2024_to_2025() -> None:
    """条例第三十三条: received Fri 2024-12-20, counting crosses 元旦 2025-01-01."""
    result = compute(D(2024, 12, 20), [], CAL)
    # Dec 23–27 = 5, Dec 30–31 = 7, (Jan 1 元旦), Jan 2–3 = 9, Jan 6–10 = 14, Jan 13–17 = 19, Jan 20 = 20
    assert result.reply_due == D(2025, 1, 20)
    # 条例第三十条: Dec 23–27 = 5, Dec 30 = 6, Dec 31 = 7
    assert result.correction_notice_due == D(2024, 12, 31)
    assert not result.provisional
    assert result.warnings == ()
    assert "跳过元旦假期 1月1日（1天）" in texts(result)


def test_art33_spring_festival_2024() -> None:
    """条例第三十三条: received Mon 2024-02-05, across 春节 2月10日–17日 with 2月18日（星期日）上班."""
    result = compute(D(2024, 2, 5), [], CAL)
    # Feb 6–9 = 4, (Feb 10–17 春节), Feb 18 Sun 调休 = 5, Feb 19–23 = 10, Feb 26–Mar 1 = 15, Mar 4–8 = 20
    assert result.reply_due == D(2024, 3, 8)
    # Feb 6–9 = 4, Feb 18 = 5, Feb 19 = 6, Feb 20 = 7
    assert result.correction_notice_due == D(2024, 2, 20)
    assert "跳过春节假期 2月10日至2月17日（8天）" in texts(result)
    assert "2月18日（星期日）为调休上班日，计入" in texts(result)
    # 2月4日（星期日）上班 lies before the receipt: not in the counted span, not mentioned
    assert not any("2月4日" in t for t in texts(result))


def test_art33_spring_festival_2025() -> None:
    """条例第三十三条: received Fri 2025-01-24; 1月26日（周日）、2月8日（周六）上班; 春节 1月28日–2月4日."""
    result = compute(D(2025, 1, 24), [], CAL)
    # Jan 26 Sun = 1, Jan 27 = 2, (Jan 28–Feb 4), Feb 5–7 = 5, Feb 8 Sat = 6, Feb 10–14 = 11, Feb 17–21 = 16,
    # Feb 24–27 = 20
    assert result.reply_due == D(2025, 2, 27)
    # Jan 26 = 1, Jan 27 = 2, Feb 5–7 = 5, Feb 8 = 6, Feb 10 = 7
    assert result.correction_notice_due == D(2025, 2, 10)
    assert "1月26日（星期日）为调休上班日，计入" in texts(result)
    assert "2月8日（星期六）为调休上班日，计入" in texts(result)
    assert "跳过春节假期 1月28日至2月4日（8天）" in texts(result)


def test_art33_national_day_2025() -> None:
    """条例第三十三条: received Fri 2025-09-26; 国庆节、中秋节 10月1日–8日, 9月28日（周日）、10月11日（周六）上班."""
    result = compute(D(2025, 9, 26), [], CAL)
    # Sep 28 Sun = 1, Sep 29–30 = 3, (Oct 1–8), Oct 9–10 = 5, Oct 11 Sat = 6, Oct 13–17 = 11, Oct 20–24 = 16,
    # Oct 27–30 = 20
    assert result.reply_due == D(2025, 10, 30)
    # Sep 28 = 1, Sep 29–30 = 3, Oct 9–10 = 5, Oct 11 = 6, Oct 13 = 7
    assert result.correction_notice_due == D(2025, 10, 13)
    assert any(t.startswith("跳过国庆节假期 10月1日至10月8日（8天）") for t in texts(result))


def test_art33_three_adjusted_working_weekends_counted_2024() -> None:
    """条例第三十三条 with 调休: received Tue 2024-09-10; 9月14日（六）、9月29日（日）、10月12日（六）上班 all count."""
    result = compute(D(2024, 9, 10), [], CAL)
    # Sep 11–13 = 3, Sep 14 Sat = 4, (Sep 15–17 中秋), Sep 18–20 = 7, Sep 23–27 = 12, Sep 29 Sun = 13, Sep 30 = 14,
    # (Oct 1–7 国庆), Oct 8–11 = 18, Oct 12 Sat = 19, Oct 14 = 20
    assert result.reply_due == D(2024, 10, 14)
    steps = texts(result)
    for text in (
        "9月14日（星期六）为调休上班日，计入",
        "9月29日（星期日）为调休上班日，计入",
        "10月12日（星期六）为调休上班日，计入",
        "跳过中秋节假期 9月15日至9月17日（3天）",
        "跳过国庆节假期 10月1日至10月7日（7天）",
    ):
        assert text in steps
    kinds = [s.kind for s in result.steps]
    assert kinds[0] == "receipt"
    assert kinds[-1] == "final"
    assert result.steps[-1].date == D(2024, 10, 14)


def test_art33_receipt_on_a_holiday_counts_from_next_working_day() -> None:
    """民法典第二百零一条 + 条例第三十三条: received on 国庆 2024-10-01, counting starts Tue 2024-10-08."""
    result = compute(D(2024, 10, 1), [], CAL)
    # Oct 8–11 = 4, Oct 12 Sat = 5, Oct 14–18 = 10, Oct 21–25 = 15, Oct 28–Nov 1 = 20
    assert result.reply_due == D(2024, 11, 1)
    # Oct 8–11 = 4, Oct 12 = 5, Oct 14 = 6, Oct 15 = 7
    assert result.correction_notice_due == D(2024, 10, 15)
    assert "当日为国庆节，期限自下一个工作日2024年10月8日（星期二）起计算" in result.steps[0].text


def test_art33_receipt_in_spring_festival_2025() -> None:
    """民法典第二百零一条: received 2025-01-29 (正月初一)."""
    result = compute(D(2025, 1, 29), [], CAL)
    # Feb 5–7 = 3, Feb 8 Sat = 4, Feb 10–14 = 9, Feb 17–21 = 14, Feb 24–28 = 19, Mar 3 = 20
    assert result.reply_due == D(2025, 3, 3)


# --- 条例第三十条: 补正 ------------------------------------------------------------------------------------------


def test_art30_correction_stops_clock_until_corrected_application_arrives() -> None:
    """条例第三十条: after the 补正 request there is no reply date until the corrected application is received."""
    result = compute(D(2025, 3, 3), [ev(E.CORRECTION_REQUESTED, D(2025, 3, 5))], CAL)
    assert result.reply_due is None
    assert result.paused
    # Mar 4–7 = 4, Mar 10 = 5, ... Mar 31 = 20
    assert result.original_due == D(2025, 3, 31)
    assert result.steps[-1].kind == "final"
    assert "等待申请人补正" in result.steps[-1].text


def test_art30_correction_restarts_20_working_days_from_corrected_receipt() -> None:
    """条例第三十条：答复期限自行政机关收到补正的申请之日起计算."""
    result = compute(
        D(2025, 3, 3),
        [ev(E.CORRECTION_REQUESTED, D(2025, 3, 5)), ev(E.CORRECTION_RECEIVED, D(2025, 3, 14))],
        CAL,
    )
    # from Fri Mar 14: Mar 17–21 = 5, Mar 24–28 = 10, Mar 31–Apr 3 = 14, (Apr 4–6 清明), Apr 7–11 = 19, Apr 14 = 20
    assert result.reply_due == D(2025, 4, 14)
    assert not result.paused
    # the 补正 notice period stays tied to the ORIGINAL receipt: Mar 4–7 = 4, Mar 10–12 = 7
    assert result.correction_notice_due == D(2025, 3, 12)
    assert "跳过清明节假期 4月4日至4月6日（3天）" in texts(result)


def test_art30_late_correction_notice_is_warned_not_refused() -> None:
    """条例第三十条: a 补正 notice after the 7th working day is recorded with a warning."""
    result = compute(
        D(2025, 3, 3),
        [ev(E.CORRECTION_REQUESTED, D(2025, 3, 13)), ev(E.CORRECTION_RECEIVED, D(2025, 3, 14))],
        CAL,
    )
    assert result.reply_due == D(2025, 4, 14)
    assert any("补正告知晚于条例第三十条" in w for w in result.warnings)


# --- 条例第三十三条第三款: consultation not counted ---------------------------------------------------------------


def test_art33_3_consultation_pause_moves_due_by_working_days_in_pause() -> None:
    """条例第三十二、三十三条第三款: opinion asked Mon 2025-03-10, answer received Mon 2025-03-24."""
    result = compute(
        D(2025, 3, 3),
        [ev(E.CONSULTATION_STARTED, D(2025, 3, 10)), ev(E.CONSULTATION_ENDED, D(2025, 3, 24))],
        CAL,
    )
    # working days in (Mar 10, Mar 24]: Mar 11–14 = 4, Mar 17–21 = 9, Mar 24 = 10.
    # original due Mar 31, + 10: Apr 1–3 = 3, (Apr 4–6 清明), Apr 7–11 = 8, Apr 14–15 = 10
    assert result.reply_due == D(2025, 4, 15)
    assert not result.paused
    assert any("暂停期间的10个工作日不计入" in t for t in texts(result))


def test_art33_3_open_consultation_means_paused() -> None:
    """条例第三十三条第三款: while the opinion is awaited the clock is stopped."""
    result = compute(D(2025, 3, 3), [ev(E.CONSULTATION_STARTED, D(2025, 3, 10))], CAL)
    assert result.paused
    assert result.reply_due == D(2025, 3, 31)  # not yet moved; it moves when the answer arrives
    # 第三十二条 15 working days from Mar 10: Mar 11–14 = 4, Mar 17–21 = 9, Mar 24–28 = 14, Mar 31 = 15
    assert any("2025年3月31日（星期一）前" in t for t in texts(result) if "征求意见" in t)


# --- 条例第三十三条第二款: extension -----------------------------------------------------------------------------


def test_art33_extension_adds_working_days_after_current_due() -> None:
    """条例第三十三条第二款: 20 more working days, 4月27日（周日）上班 counted."""
    result = compute(D(2025, 3, 3), [ev(E.EXTENDED, D(2025, 3, 28), days=20)], CAL)
    # due Mar 31; Apr 1–3 = 3, (Apr 4–6), Apr 7–11 = 8, Apr 14–18 = 13, Apr 21–25 = 18, Apr 27 Sun = 19, Apr 28 = 20
    assert result.reply_due == D(2025, 4, 28)
    assert result.original_due == D(2025, 3, 31)
    assert result.extended_days == 20
    assert "4月27日（星期日）为调休上班日，计入" in texts(result)


def test_art33_extension_may_be_notified_on_the_due_date_itself() -> None:
    """条例第三十三条第二款: notified before the period ends — the last day still counts."""
    result = compute(D(2025, 3, 3), [ev(E.EXTENDED, D(2025, 3, 31), days=1)], CAL)
    assert result.reply_due == D(2025, 4, 1)


# --- fee (国办函〔2020〕109号) ------------------------------------------------------------------------------------


def test_fee_payment_pauses_the_clock_by_default() -> None:
    """国办函〔2020〕109号 (setting FEE_PAUSES_CLOCK): notice Wed 2024-06-12, paid Thu 2024-06-20."""
    events = [ev(E.FEE_NOTIFIED, D(2024, 6, 12)), ev(E.FEE_PAID, D(2024, 6, 20))]
    # original: Jun 4–7 = 4, (Jun 10 端午), Jun 11–14 = 8, Jun 17–21 = 13, Jun 24–28 = 18, Jul 1–2 = 20
    # pause (Jun 12, Jun 20]: Jun 13, 14, 17, 18, 19, 20 = 6 → Jul 3–5 = 3, Jul 8–10 = 6
    assert compute(D(2024, 6, 3), events, CAL).reply_due == D(2024, 7, 10)
    assert compute(D(2024, 6, 3), events, CAL, fee_pauses_clock=False).reply_due == D(2024, 7, 2)


def test_fee_unpaid_means_paused_with_payment_deadline_explained() -> None:
    """四川省财政厅 notice restating 109号: pay within 20 working days from the day after receiving the notice."""
    result = compute(D(2024, 6, 3), [ev(E.FEE_NOTIFIED, D(2024, 6, 12))], CAL)
    assert result.paused
    # from Jun 12: Jun 13–14 = 2, Jun 17–21 = 7, Jun 24–28 = 12, Jul 1–5 = 17, Jul 8–10 = 20
    assert any("2024年7月10日（星期三）前" in t for t in texts(result))


# --- 条例第三十五条: delayed deadline ---------------------------------------------------------------------------


def test_art35_delay_sets_the_stated_date() -> None:
    """条例第三十五条: a reasonable delayed deadline set by the agency replaces the computed one."""
    result = compute(D(2025, 3, 3), [ev(E.DELAY_SET, D(2025, 3, 20), until=D(2025, 5, 30))], CAL)
    assert result.reply_due == D(2025, 5, 30)
    assert result.original_due == D(2025, 3, 31)


def test_art35_delay_earlier_than_current_due_is_refused() -> None:
    """条例第三十五条: 延迟 cannot shorten the 第三十三条 period (due Mar 31)."""
    with pytest.raises(LedgerError) as caught:
        compute(D(2025, 3, 3), [ev(E.DELAY_SET, D(2025, 3, 20), until=D(2025, 3, 28))], CAL)
    assert caught.value.index == 0
    assert str(caught.value).startswith("第1个事件（delay_set，2025-03-20）：")


# --- provisional dates -------------------------------------------------------------------------------------------


def test_unloaded_2027_is_provisional_with_the_exact_warning() -> None:
    """No 2027 notice in chinesecalendar 1.11.0: weekends-only and flagged, never silently guessed."""
    result = compute(D(2026, 12, 20), [], CAL)
    # Dec 21–25 = 5, Dec 28–31 = 9, 2027 weekends-only: Jan 1 (Fri) = 10, Jan 4–8 = 15, Jan 11–15 = 20
    assert result.reply_due == D(2027, 1, 15)
    assert result.provisional
    assert result.warnings == ("2027年节假日安排尚未导入",)
    # the 补正 notice period stays inside 2026: Dec 21–25 = 5, Dec 28–29 = 7
    assert result.correction_notice_due == D(2026, 12, 29)


def test_loaded_2027_is_not_provisional() -> None:
    """Once an administrator loads 2027, the same receipt is exact (here: a made-up 1月1日 holiday)."""
    years = dict(CAL.years)
    years[2027] = YearArrangement(2027, frozenset({D(2027, 1, 1)}), frozenset(), version="test")
    result = compute(D(2026, 12, 20), [], WorkCalendar(years))
    # as above but Jan 1 not counted: Jan 4–8 = 14, Jan 11–15 = 19, Jan 18 = 20
    assert result.reply_due == D(2027, 1, 18)
    assert not result.provisional
    assert result.warnings == ()


def test_not_provisional_when_nothing_reaches_2027() -> None:
    assert not compute(D(2026, 11, 2), [], CAL).provisional


# --- bad ledgers -------------------------------------------------------------------------------------------------

R = D(2025, 3, 3)
BAD_LEDGERS = [
    ("unknown type", [LedgerEvent("bogus", D(2025, 3, 4))], 0, "未知的事件类型"),  # type: ignore[arg-type]
    (
        "out of order",
        [ev(E.CONSULTATION_STARTED, D(2025, 3, 10)), ev(E.CONSULTATION_ENDED, D(2025, 3, 7))],
        1,
        "未按日期先后排列",
    ),
    ("before receipt", [ev(E.EXTENDED, D(2025, 3, 1), days=5)], 0, "早于收到申请之日"),
    ("extension over 20", [ev(E.EXTENDED, D(2025, 3, 10), days=21)], 0, "最长不得超过20个工作日"),
    ("extension zero", [ev(E.EXTENDED, D(2025, 3, 10), days=0)], 0, "大于0"),
    ("extension without days", [ev(E.EXTENDED, D(2025, 3, 10))], 0, "大于0"),
    (
        "second extension",
        [ev(E.EXTENDED, D(2025, 3, 10), days=5), ev(E.EXTENDED, D(2025, 3, 11), days=5)],
        1,
        "延期只能一次",
    ),
    ("extension after due date", [ev(E.EXTENDED, D(2025, 4, 1), days=5)], 0, "届满前告知"),
    ("consultation end without start", [ev(E.CONSULTATION_ENDED, D(2025, 3, 10))], 0, "没有进行中的征求意见"),
    (
        "consultation start while open",
        [ev(E.CONSULTATION_STARTED, D(2025, 3, 10)), ev(E.CONSULTATION_STARTED, D(2025, 3, 11))],
        1,
        "尚未结束",
    ),
    ("fee paid without notice", [ev(E.FEE_PAID, D(2025, 3, 10))], 0, "没有收费通知"),
    (
        "fee notified twice",
        [ev(E.FEE_NOTIFIED, D(2025, 3, 10)), ev(E.FEE_NOTIFIED, D(2025, 3, 11))],
        1,
        "尚未缴费",
    ),
    ("correction received without request", [ev(E.CORRECTION_RECEIVED, D(2025, 3, 10))], 0, "没有待补正的告知"),
    (
        "second correction request",
        [
            ev(E.CORRECTION_REQUESTED, D(2025, 3, 4)),
            ev(E.CORRECTION_RECEIVED, D(2025, 3, 6)),
            ev(E.CORRECTION_REQUESTED, D(2025, 3, 7)),
        ],
        2,
        "补正只能一次性告知",
    ),
    ("delay without until", [ev(E.DELAY_SET, D(2025, 3, 10))], 0, "until"),
    (
        "event while awaiting correction",
        [ev(E.CORRECTION_REQUESTED, D(2025, 3, 4)), ev(E.EXTENDED, D(2025, 3, 6), days=5)],
        1,
        "等待补正期间",
    ),
]


@pytest.mark.parametrize(("name", "events", "index", "fragment"), BAD_LEDGERS, ids=[b[0] for b in BAD_LEDGERS])
def test_bad_ledgers_are_refused_naming_the_event(
    name: str, events: list[LedgerEvent], index: int, fragment: str
) -> None:
    with pytest.raises(LedgerError) as caught:
        compute(R, events, CAL)
    assert caught.value.index == index
    message = str(caught.value)
    assert message.startswith(f"第{index + 1}个事件（")
    assert fragment in message


def test_ledger_error_message_format() -> None:
    with pytest.raises(LedgerError) as caught:
        compute(R, [ev(E.EXTENDED, D(2025, 3, 10), days=5), ev(E.EXTENDED, D(2025, 3, 11), days=5)], CAL)
    assert str(caught.value) == "第2个事件（extended，2025-03-11）：延期只能一次（条例第三十三条第二款）"


def test_validate_ledger_without_calendar_checks_structure_only() -> None:
    validate_ledger(R, [ev(E.EXTENDED, D(2025, 4, 1), days=5)])  # the due-date check needs a calendar
    with pytest.raises(LedgerError):
        validate_ledger(R, [ev(E.EXTENDED, D(2025, 4, 1), days=5)], CAL)
    with pytest.raises(LedgerError):
        validate_ledger(R, [ev(E.FEE_PAID, D(2025, 3, 4))])


def test_fast_path_gives_the_same_dates_without_steps() -> None:
    events = [ev(E.CONSULTATION_STARTED, D(2025, 3, 10)), ev(E.CONSULTATION_ENDED, D(2025, 3, 24))]
    slow = compute(R, events, CAL)
    fast = compute(R, events, CAL, explain=False)
    assert fast.steps == ()
    assert (fast.reply_due, fast.correction_notice_due, fast.paused) == (
        slow.reply_due,
        slow.correction_notice_due,
        slow.paused,
    )
