"""表三 across the year end (国办公开办函〔2021〕30号; regulations.md §1.5): a case received in year N and answered in N+1
counts in N's 四 and in N+1's 二 plus one result row; per column 一 + 二 = 三（七） + 四."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.agencies.models import Agency
from gongkai.cases import selectors, services
from gongkai.cases.codebook import OUTCOMES, ApplicantType, Channel, Outcome, OutcomeVariant
from gongkai.cases.models import Case
from gongkai.cases.states import Status
from tests.cases.conftest import application, d
from tests.factories import make_agency

NP = ApplicantType.NATURAL_PERSON.value
RESULT_ROWS = [info.row for info in OUTCOMES.values()]


@time_machine.travel("2026-03-02 10:00 +0800", tick=False)
def test_received_in_december_answered_in_january(agency: Any, handler: Any) -> None:
    """Received Mon 2025-12-29, answered Thu 2026-01-08 (元旦 2026-01-01..03 off, Sun 01-04 a 调休 workday): 2025's
    一 and 四; 2026's 二 and 三（一）."""
    case = services.case_register(
        agency=agency, data=application(), channel=Channel.IN_PERSON, actor=handler, received_on=d("2025-12-29")
    )
    assert case.number == "2025-0001"
    assert case.reply_due == d("2026-01-27")
    services.case_reply(
        case=case,
        actor=handler,
        data=services.ReplyInput(outcome=Outcome.DISCLOSED, variant=OutcomeVariant.PROVIDED, on=d("2026-01-08")),
    )
    before = selectors.table_three([agency.pk], 2025)
    assert before.cells == {"一": {NP: 1}, "四": {NP: 1}}
    after = selectors.table_three([agency.pk], 2026)
    assert after.cells == {"二": {NP: 1}, "三.一": {NP: 1}, "三.七": {NP: 1}}
    assert selectors.table_three([agency.pk], 2027).cells == {}


def test_online_confirmation_date_decides_the_year(agency: Any, handler: Any) -> None:
    """条例第三十一条（三）：通过互联网渠道提交的，以双方确认之日为收到申请之日. Submitted 2025-12-31 23:59 and confirmed
    that evening: received in 2025. Submitted at the same minute but confirmed Sun 2026-01-04 (调休 workday): received in
    2026 although its number is 2025's. Submitted 2026-01-01 00:00: a 2026 number, received when confirmed."""
    with time_machine.travel("2025-12-31 23:59 +0800", tick=False):
        same_night = services.case_submit_online(agency=agency, data=application())
        next_year = services.case_submit_online(agency=agency, data=application())
        services.case_confirm_receipt(case=same_night, actor=handler, received_on=d("2025-12-31"))
    with time_machine.travel("2026-01-01 00:00 +0800", tick=False):
        new_year = services.case_submit_online(agency=agency, data=application())
    with time_machine.travel("2026-01-04 09:00 +0800", tick=False):
        for case in (next_year, new_year):
            services.case_confirm_receipt(case=case, actor=handler, received_on=d("2026-01-04"))
    same_night, next_year, new_year = (Case.objects.get(pk=c.pk) for c in (same_night, next_year, new_year))
    assert [c.number for c in (same_night, next_year, new_year)] == ["2025-0001", "2025-0002", "2026-0001"]
    assert [c.received_on for c in (same_night, next_year, new_year)] == [
        d("2025-12-31"),
        d("2026-01-04"),
        d("2026-01-04"),
    ]
    t2025 = selectors.table_three([agency.pk], 2025)
    assert t2025.cases == {"一": {NP: [same_night.pk]}, "四": {NP: [same_night.pk]}}
    t2026 = selectors.table_three([agency.pk], 2026)
    assert sorted(t2026.cases["一"][NP]) == sorted([next_year.pk, new_year.pk])
    assert t2026.cases["二"] == {NP: [same_night.pk]}
    assert t2026.total("四") == 3


def test_confirmation_before_submission_is_refused(agency: Any, handler: Any) -> None:
    """The receipt date is when both sides confirm — never before the applicant submitted."""
    with time_machine.travel("2026-01-01 00:00 +0800", tick=False):
        case = services.case_submit_online(agency=agency, data=application())
    with time_machine.travel("2026-01-04 09:00 +0800", tick=False), pytest.raises(ValidationError) as caught:
        services.case_confirm_receipt(case=case, actor=handler, received_on=d("2025-12-31"))
    assert "received_on" in caught.value.message_dict
    assert Case.objects.get(pk=case.pk).status == Status.PENDING


# ---------------------------------------------------------------------------------------------------------------------
# 勾稽 over a random mix (rows built through the ORM for speed: the property is about counting, not the workflow)

_counter = itertools.count(1)
YEARS = (2024, 2025, 2026)
START, END = dt.date(2023, 10, 1), dt.date(2026, 12, 31)

case_spec = st.tuples(
    st.dates(min_value=START, max_value=END),  # received
    st.one_of(st.none(), st.integers(min_value=0, max_value=500)),  # days until closed (None: still open)
    st.sampled_from(list(Outcome)),
    st.sampled_from(list(ApplicantType)),
    st.booleans(),  # cancelled before receipt (never counted)
)


def _build(agency: Agency, specs: list[tuple[dt.date, int | None, Outcome, ApplicantType, bool]]) -> list[Case]:
    rows = []
    for n, (received, after, outcome, column, cancelled) in enumerate(specs, start=1):
        closed = None if after is None else received + dt.timedelta(days=after)
        if cancelled:
            status, received_on, closed, out = Status.CANCELLED, None, None, ""
        elif closed is None:
            status, received_on, out = Status.PROCESSING, received, ""
        else:
            status, received_on, out = Status.CLOSED, received, outcome.value
        rows.append(
            Case(
                agency=agency,
                year=received.year,
                seq=n,
                number=f"{received.year}-{n:04d}",
                tracking_code=f"T{next(_counter):011d}",
                channel=Channel.IN_PERSON,
                status=status,
                outcome=out,
                submitted_at=dt.datetime(received.year, received.month, received.day, 9, tzinfo=dt.UTC),
                received_on=received_on,
                closed_on=closed,
                applicant_type=column,
                applicant_name="测试",
                id_type="resident_id",
                provision_form="electronic",
                obtain_method="email",
            )
        )
    return Case.objects.bulk_create(rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(case_spec, min_size=1, max_size=25))
def test_balance_per_column_for_any_mix(government: Agency, specs: list[Any]) -> None:
    """30号 表三, printed in its corner: 第一项加第二项之和，等于第三项加第四项之和 — per column, every year; each case
    received by the year end and not closed before it counts once in 一 or 二 and once in a result row or 四."""
    agency = make_agency(parent=government)  # a fresh agency per example: the counts never mix
    cases = _build(agency, specs)
    for year in YEARS:
        table = selectors.table_three([agency.pk], year)
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        for column in ApplicantType:
            c = column.value
            results = sum(table.cell(row, c) for row in RESULT_ROWS)
            assert table.cell("三.七", c) == results
            assert table.cell("一", c) + table.cell("二", c) == table.cell("三.七", c) + table.cell("四", c)
        for case in cases:
            if case.status == Status.CANCELLED or case.received_on is None:
                expected_rows: list[str] = []
            elif case.received_on > end or (case.closed_on is not None and case.closed_on < start):
                expected_rows = []
            else:
                expected_rows = ["一" if case.received_on >= start else "二"]
                if case.closed_on is not None and case.closed_on <= end:
                    expected_rows += [OUTCOMES[case.outcome].row, "三.七"]
                else:
                    expected_rows.append("四")
            found = sorted(
                row for row, columns in table.cases.items() for pks in columns.values() for pk in pks if pk == case.pk
            )
            assert found == sorted(expected_rows), (year, case.received_on, case.closed_on, case.status)
        if year > YEARS[0]:
            # 四 of one year is 二 of the next.
            previous = selectors.table_three([agency.pk], year - 1)
            for column in ApplicantType:
                assert previous.cell("四", column.value) == table.cell("二", column.value)
