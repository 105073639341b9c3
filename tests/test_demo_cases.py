"""The demo's 依申请公开 cases (issue 4, last acceptance point; issue 5 §9): 湛河区司法局 received nothing in 2024 (its
2024 表三 is all zero, as in the seed report) and uses every 表三 row in 2025 and 2026; 湛河区教育局 uses every row in
2024; the balance 一 + 二 = 三（七） + 四, carry-overs across year ends, every status, the staff queues, idempotence.

The demo is loaded once for the module, with the clock pinned at 2026-11-27 12:00 (the services refuse future dates),
inside a transaction that is rolled back at the end; each test runs in a savepoint within it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import transaction

from gongkai.accounts.models import User
from gongkai.agencies.models import Agency
from gongkai.cases import selectors
from gongkai.cases.codebook import APPLICANT_COLUMNS, OUTCOMES, Outcome, OutcomeVariant
from gongkai.cases.fees import FeeMethod
from gongkai.cases.models import (
    Case,
    CaseDocument,
    Consultation,
    Delivery,
    DocumentStatus,
    FeeAssessment,
    OpinionResult,
    ReceiptJob,
)
from gongkai.cases.states import Status
from gongkai.clock.selectors import current_calendar
from gongkai.core.validators import credit_code_problem, id_number_problem
from gongkai.demo.cases import FULL_YEAR_AGENCY, MAIN_AGENCY, QUIET_YEAR, case_agencies, plan_cases
from gongkai.demo.load import LoadSummary, demo_load
from gongkai.reports.tables import table3
from tests.seed import SEED_REPORT as SEED

TODAY = dt.date(2026, 11, 27)
NOON = "2026-11-27 12:00 +0800"
YEARS = (2024, 2025, 2026)
# Where every 表三 row is in use: 教育局 in 2024, 司法局 (the seed's agency) in 2025 and 2026.
FULL = [("zhanhe-jyj", 2024), (MAIN_AGENCY, 2025), (MAIN_AGENCY, 2026)]


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[LoadSummary]:
    with django_db_blocker.unblock(), transaction.atomic():
        with time_machine.travel(NOON, tick=False):
            summary = demo_load()
        yield summary
        transaction.set_rollback(True)


def _agency(code: str) -> Agency:
    return Agency.objects.get(code=code)


def test_the_load_creates_a_few_hundred_cases_and_renders_few_documents(demo: LoadSummary, db: None) -> None:
    assert 250 <= demo.cases.created <= 400
    assert Case.objects.count() == demo.cases.created
    assert set(Case.objects.values_list("agency__code", flat=True)) == set(case_agencies())
    assert Case.objects.filter(agency__code=MAIN_AGENCY).count() > Case.objects.count() / 2
    issued = CaseDocument.objects.filter(status=DocumentStatus.ISSUED)
    assert 5 <= issued.count() == demo.cases.documents_issued <= 15
    assert Delivery.objects.exists()
    # Every case wrote its receipt job, and none is left for `gongkai receipts process` to mail out later.
    assert ReceiptJob.objects.count() == demo.cases.created
    assert not ReceiptJob.objects.filter(done_at__isnull=True).exists()


def test_the_plan_puts_every_row_where_the_tests_look() -> None:
    assert [(code, year) for year, code in FULL_YEAR_AGENCY.items()] == FULL
    assert QUIET_YEAR == 2024


@pytest.mark.parametrize(("code", "year"), FULL)
def test_every_row_and_every_column_of_table_three_in_use(demo: LoadSummary, db: None, code: str, year: int) -> None:
    table = selectors.table_three([_agency(code).pk], year)
    empty_rows = [info.row_label for info in OUTCOMES.values() if table.total(info.row) == 0]
    assert empty_rows == []
    assert len(OUTCOMES) == 21
    for column in APPLICANT_COLUMNS:
        assert table.cell(selectors.ROW_RECEIVED, column.value) > 0, column.label
        assert table.cell(selectors.ROW_TOTAL, column.value) > 0, column.label
    if year == 2024:
        assert table.total(selectors.ROW_CARRIED_IN) > 0  # December 2023 carried in
    if year < 2026:
        assert table.total(selectors.ROW_CARRIED_OUT) > 0


@pytest.mark.parametrize("year", YEARS)
def test_every_row_in_use_across_the_district_departments(demo: LoadSummary, db: None, year: int) -> None:
    table = selectors.table_three([_agency(code).pk for code in case_agencies()], year)
    assert [info.row_label for info in OUTCOMES.values() if table.total(info.row) == 0] == []


def test_the_seed_agency_received_nothing_in_2024(demo: LoadSummary, db: None) -> None:
    """issue 5 §9: 湛河区司法局's 2024 report from the demo equals the seed's — an all-zero 表三."""
    sfj = _agency(MAIN_AGENCY)
    assert selectors.table_three([sfj.pk], QUIET_YEAR).cells == {}
    cells = table3([sfj.pk], QUIET_YEAR).cells
    assert cells
    assert all(value == 0 for columns in cells.values() for value in columns.values())
    balance = cells["1"]["总计"] + cells["2"]["总计"] - cells["3.7"]["总计"] - cells["4"]["总计"]  # 一+二=三（七）+四
    assert balance == 0
    assert not Case.objects.filter(agency=sfj, received_on__year__lte=QUIET_YEAR).exists()
    assert not Case.objects.filter(agency=sfj, submitted_at__lt=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)).exists()
    assert not Case.objects.filter(agency=sfj, closed_on__year__lte=QUIET_YEAR).exists()
    # 2025 starts afresh: nothing carried in from 2024.
    assert selectors.table_three([sfj.pk], QUIET_YEAR + 1).total(selectors.ROW_CARRIED_IN) == 0


@pytest.mark.parametrize("year", YEARS)
def test_received_plus_carried_in_equals_closed_plus_carried_out(demo: LoadSummary, db: None, year: int) -> None:
    agencies = [[_agency(code).pk] for code in case_agencies()] + [[_agency(code).pk for code in case_agencies()]]
    for ids in agencies:
        table = selectors.table_three(ids, year)
        for column in APPLICANT_COLUMNS:
            c = column.value
            received = table.cell(selectors.ROW_RECEIVED, c) + table.cell(selectors.ROW_CARRIED_IN, c)
            assert received == table.cell(selectors.ROW_TOTAL, c) + table.cell(selectors.ROW_CARRIED_OUT, c)
            rows = sum(table.cell(info.row, c) for info in OUTCOMES.values())
            assert rows == table.cell(selectors.ROW_TOTAL, c)


@pytest.mark.parametrize(("code", "year"), [("zhanhe-jyj", 2023), ("zhanhe-jyj", 2024), (MAIN_AGENCY, 2025)])
def test_carry_over_across_the_year_end(demo: LoadSummary, db: None, code: str, year: int) -> None:
    main = _agency(code)
    crossing = Case.objects.filter(
        agency=main, received_on__year=year, received_on__month=12, closed_on__year=year + 1, closed_on__month=1
    )
    assert crossing.exists()
    ids = set(crossing.values_list("pk", flat=True))
    before = selectors.table_three([main.pk], year).cases.get(selectors.ROW_CARRIED_OUT, {})
    after = selectors.table_three([main.pk], year + 1).cases.get(selectors.ROW_CARRIED_IN, {})
    assert ids <= {pk for pks in before.values() for pk in pks}
    assert ids <= {pk for pks in after.values() for pk in pks}


def test_every_status_and_every_outcome_appears(demo: LoadSummary, db: None) -> None:
    main = Case.objects.filter(agency__code=MAIN_AGENCY)
    assert set(main.values_list("status", flat=True)) == set(Status.values)
    assert set(main.exclude(outcome="").values_list("outcome", flat=True)) == set(Outcome.values)
    assert not Case.objects.filter(status=Status.CLOSED, closed_on__gt=TODAY).exists()
    assert not Case.objects.filter(received_on__gt=TODAY).exists()


def test_queues_have_due_soon_and_overdue_cases(demo: LoadSummary, db: None) -> None:
    handler = User.objects.get(username="zh_handler")
    counts = selectors.queue_counts(handler, today=TODAY)
    assert counts[selectors.Queue.PENDING] > 0
    assert counts[selectors.Queue.DUE_SOON] > 0
    assert counts[selectors.Queue.OVERDUE] > 0
    assert counts[selectors.Queue.TODO] > 0
    supervisor = User.objects.get(username="zh_supervisor")
    district = selectors.queue_counts(supervisor, today=TODAY)
    assert district[selectors.Queue.OVERDUE] > counts[selectors.Queue.OVERDUE]
    assert district[selectors.Queue.ALL] == Case.objects.count()


def test_the_rarer_paths_are_shown(demo: LoadSummary, db: None) -> None:
    main = Case.objects.filter(agency__code=MAIN_AGENCY)
    extended = main.filter(extension_days__isnull=False, status=Status.CLOSED).first()
    assert extended is not None
    assert extended.extension_approved_by is not None
    assert extended.extension_approved_by.username == "zh_head"
    per_item = FeeAssessment.objects.filter(method=FeeMethod.PER_ITEM, paid_on__isnull=False)
    assert per_item.exists()
    assert all(fee.first_ordinal is not None and fee.first_ordinal >= 11 for fee in per_item)
    assert FeeAssessment.objects.filter(method=FeeMethod.PER_VOLUME, paid_on__isnull=False, pages__gt=30).exists()
    assert selectors.fees_collected([_agency(MAIN_AGENCY).pk], 2026) > 0
    partial = main.filter(outcome=Outcome.PARTIAL).first()
    assert partial is not None
    assert partial.withheld_parts.exists()
    assert not main.filter(outcome_variant=OutcomeVariant.NOT_OURS, competent_agency="").exists()
    assert main.filter(outcome_variant=OutcomeVariant.NOT_OURS).exists()
    for repeat in main.filter(outcome=Outcome.NOT_PROCESSED_REPEAT):
        assert repeat.earlier_case is not None
        assert repeat.earlier_case.applicant_name == repeat.applicant_name
        assert repeat.earlier_case.closed_on is not None
        assert repeat.closed_on is not None
        assert repeat.earlier_case.closed_on <= repeat.closed_on
    assert Consultation.objects.filter(
        case__outcome=Outcome.WITHHELD_THIRD_PARTY, result=OpinionResult.DISAGREE
    ).exists()
    assert main.filter(delay_until__isnull=False, status=Status.CLOSED).exists()  # 第三十五条, reasons accepted
    assert main.filter(outcome=Outcome.OTHER, outcome_variant=OutcomeVariant.WITHDRAWN).exists()
    assert main.filter(status=Status.CANCELLED, outcome="").exists()
    assert Case.objects.filter(applicant_user__username="zhangsan").exists()


def test_applicant_identifiers_are_valid_and_the_plan_is_deterministic(db: None) -> None:
    calendar = current_calendar()
    first, second = plan_cases(TODAY, calendar), plan_cases(TODAY, calendar)
    assert [(p.agency, p.received, p.outcome, p.applicant.name) for p in first] == [
        (p.agency, p.received, p.outcome, p.applicant.name) for p in second
    ]
    for plan in first:
        number = plan.applicant.id_number
        assert (
            id_number_problem(number) if plan.applicant.id_type == "resident_id" else credit_code_problem(number)
        ) is None
        assert plan.received <= TODAY


def test_a_second_load_adds_nothing(demo: LoadSummary, db: None) -> None:
    before = Case.objects.count()
    with time_machine.travel(NOON, tick=False):
        again = demo_load()
    assert again.cases.created == 0
    assert not again.changed
    assert Case.objects.count() == before


def test_the_sfj_2024_report_equals_the_seed(demo: LoadSummary, db: None) -> None:
    """Issue 5 §9: the demo's 湛河区司法局 2024 report has the seed's tables, and its 一（一） counts (19 items on the
    website, 467 posts on the 公众号) come from the catalogue's channel data."""
    from gongkai.reports.builder import build
    from gongkai.reports.checker import read_report

    with time_machine.travel(NOON, tick=False):
        built = build(_agency(MAIN_AGENCY), 2024)
    seed = read_report(SEED)
    ours = built.data.as_json()
    theirs = seed.as_json()
    for table in ("table2", "table3", "table4"):
        assert ours[table] == theirs[table], table
    assert not [f for f in built.data.findings if f.severity == "error"]
    text = built.data.sections["1.1"]
    assert "门户网站主动公开政府信息19条" in text
    assert "467条" in text


def test_the_demo_publishes_the_sfj_2024_report_on_time(demo: LoadSummary, db: None) -> None:
    """The demo's 年报 column has 湛河区司法局's 2024 report, published 2025-01-20 (before 1月31日) with an 索引号, its
    snapshot holding the seed's all-zero 表三 and the 19 / 467 channel counts in its narrative."""
    from gongkai.reports.models import AnnualReport, ReportStatus
    from gongkai.reports.selectors import report_data_from_snapshot

    report = AnnualReport.objects.get(agency__code=MAIN_AGENCY, year=2024, status=ReportStatus.PUBLISHED)
    assert report.published_on == dt.date(2025, 1, 20)
    assert report.index_number
    data = report_data_from_snapshot(report)
    assert all(value == 0 for row in data.table3.values() for value in row.values())
    assert "门户网站主动公开政府信息19条" in data.sections["1.1"]
    assert "467条" in data.sections["1.1"]
    assert not [f for f in data.findings if f.severity == "error"]


def test_the_2025_reports_show_on_time_late_and_missing(demo: LoadSummary, db: None) -> None:
    """For the 主管部门's dashboard: 湛河区司法局's 2025 report on time, 湛河区教育局's late (after 1月31日, R10 says
    so), 湛河区财政局's missing; the published ones quote their own tables (R7 clean)."""
    from gongkai.reports.models import AnnualReport, ReportStatus
    from gongkai.reports.selectors import report_data_from_snapshot

    published = {r.agency.code: r for r in AnnualReport.objects.filter(year=2025, status=ReportStatus.PUBLISHED)}
    assert published[MAIN_AGENCY].published_on == dt.date(2026, 1, 23)
    assert published["zhanhe-jyj"].published_on == dt.date(2026, 2, 6)
    assert "zhanhe-czj" not in published
    late = report_data_from_snapshot(published["zhanhe-jyj"])
    assert [f.rule for f in late.findings if f.rule == "R10"] == ["R10"]
    for report in published.values():
        data = report_data_from_snapshot(report)
        # R10 (late) is an error shown on the report, never a block on publishing it; nothing else is wrong.
        assert not [f for f in data.findings if f.severity == "error" and f.rule != "R10"], data.findings
        assert f"新收政府信息公开申请{data.table3['1']['总计']}件" in data.sections["1.2"]
