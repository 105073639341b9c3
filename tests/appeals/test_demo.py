"""The demo's appeals: in 2025 湛河区司法局 has every result of both kinds (both 诉讼 routes), appeals carried into 2026,
one 纠正 that reopened a case; none touching 2024, whose published report still equals the seed's all-zero 表四."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import transaction

from gongkai.appeals import selectors
from gongkai.appeals.codebook import RESULTS, AppealKind, ResultCode, Route
from gongkai.appeals.models import Appeal, Status
from gongkai.cases.models import Case, CaseEvent
from gongkai.demo.appeals import MAIN_AGENCY
from gongkai.demo.load import LoadSummary, demo_load

NOON = "2026-11-27 12:00 +0800"
_LITIGATION_IN_BOTH = {c for c, r in RESULTS.items() if r.kind == AppealKind.LITIGATION}


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[LoadSummary]:
    with django_db_blocker.unblock(), transaction.atomic():
        with time_machine.travel(NOON, tick=False):
            summary = demo_load()
        yield summary
        transaction.set_rollback(True)


def _sfj() -> Any:
    from gongkai.agencies.models import Agency

    return Agency.objects.get(code=MAIN_AGENCY)


def test_2025_has_every_result_under_every_block(demo: LoadSummary, db: None) -> None:
    agency = _sfj()
    decided = Appeal.objects.filter(agency=agency, result_on__year=2025)
    reviews = set(decided.filter(kind=AppealKind.RECONSIDERATION).values_list("result", flat=True))
    assert reviews == {c for c, r in RESULTS.items() if r.kind == AppealKind.RECONSIDERATION}
    for route in (Route.DIRECT, Route.AFTER_REVIEW):
        got = set(decided.filter(kind=AppealKind.LITIGATION, route=route).values_list("result", flat=True))
        assert got == _LITIGATION_IN_BOTH, route
    table = selectors.table4([agency.pk], 2025)
    for block, cells in table.items():
        assert all(cells[c] > 0 for c in ("结果维持", "结果纠正", "其他结果")), block
    assert table["行政复议"]["尚未审结"] >= 1
    assert table["未经复议直接起诉"]["尚未审结"] >= 1


def test_carried_into_2026_and_nothing_in_2024(demo: LoadSummary, db: None) -> None:
    agency = _sfj()
    assert selectors.table4([agency.pk], 2024) == {
        block: dict.fromkeys(("结果维持", "结果纠正", "其他结果", "尚未审结", "总计"), 0)
        for block in ("行政复议", "未经复议直接起诉", "复议后起诉")
    }
    carried = Appeal.objects.filter(agency=agency, filed_on__year=2025).exclude(result_on__lte=dt.date(2025, 12, 31))
    assert carried.count() >= 3
    assert carried.filter(status=Status.CONCLUDED, result_on__year=2026).exists()
    assert selectors.appeal_counts([agency.pk], 2026)[agency.pk].total >= carried.count()
    today = dt.date(2026, 11, 27)
    assert selectors.answers_overdue([agency.pk], today=today).exists()
    assert selectors.answers_due_soon([agency.pk], today=today).exists()


def test_one_correction_reopened_its_case(demo: LoadSummary, db: None) -> None:
    appeal = Appeal.objects.get(agency=_sfj(), result=ResultCode.RC_REVOKED)
    case = appeal.cases.get()
    assert case.status != "closed"
    assert CaseEvent.objects.filter(case=case, action="reopen", note__contains=appeal.number).exists()
    # The other 纠正 results reopened nothing.
    assert CaseEvent.objects.filter(case__agency=_sfj(), action="reopen").count() == 1
    assert Case.objects.filter(pk=case.pk).exists()


def test_a_second_load_adds_no_appeal(demo: LoadSummary, db: None) -> None:
    before = Appeal.objects.count()
    with time_machine.travel(NOON, tick=False):
        demo_load()
    assert Appeal.objects.count() == before
