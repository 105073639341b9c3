"""The annual report's lifecycle (issue 5 §5; 条例第四十九条): 草稿 → 已报送主管部门 → 已发布, frozen at publication,
corrected by a new version; errors block every step with no override; the 主管部门 sees the deadline status."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from gongkai.accounts.roles import Role
from gongkai.agencies.models import Agency, Kind, Level
from gongkai.audit.models import AuditEvent
from gongkai.cases.codebook import ApplicantType, Channel, Outcome
from gongkai.cases.models import Case
from gongkai.cases.states import Status as CaseStatus
from gongkai.publications import services as publication_services
from gongkai.publications.codebook import Category, DocKind
from gongkai.reports import selectors, services
from gongkai.reports.models import AnnualReport, ReportStatus
from gongkai.reports.services import TRANSITIONS, ReportAction, ReportBlocked
from tests.appeals.factories import make_appeal
from tests.factories import make_agency, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel("2025-01-10 10:00 +0800", tick=False):
        yield


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    government = make_agency("湛河区人民政府", kind=Kind.GOVERNMENT, level=Level.COUNTY)
    office = make_agency("湛河区人民政府办公室", kind=Kind.OFFICE, parent=government)
    government.supervisor = office
    government.save(update_fields=["supervisor"])
    agency = make_agency("湛河区司法局", parent=government, supervisor=office)
    return {
        "government": government,
        "office": office,
        "agency": agency,
        "handler": make_staff(agency, Role.HANDLER, full_name="李经办"),
        "head": make_staff(agency, Role.HEAD, full_name="王负责"),
        "supervisor": make_staff(office, Role.SUPERVISOR, full_name="赵主管"),
        "gov_head": make_staff(government, Role.HEAD, full_name="政府负责人"),
    }


_n = iter(range(1, 10_000))


def case(agency: Agency, received: str, closed: str | None = None, outcome: Outcome = Outcome.DISCLOSED) -> Case:
    """A case row for the counts (the workflow is tested in tests/cases; test_builder goes through the services)."""
    n = next(_n)
    on = dt.date.fromisoformat(received)
    return Case.objects.create(
        agency=agency,
        year=on.year,
        seq=n,
        number=f"{on.year}-{n:04d}",
        tracking_code=f"L{n:011d}",
        channel=Channel.IN_PERSON,
        status=CaseStatus.CLOSED if closed else CaseStatus.PROCESSING,
        outcome=outcome.value if closed else "",
        submitted_at=dt.datetime(on.year, on.month, on.day, 9, tzinfo=dt.UTC),
        received_on=on,
        closed_on=dt.date.fromisoformat(closed) if closed else None,
        applicant_type=ApplicantType.NATURAL_PERSON,
        applicant_name="测试",
        id_type="resident_id",
        provision_form="electronic",
        obtain_method="email",
    )


def test_transition_table_walk() -> None:
    """Every (action, status) pair: allowed exactly where the table says."""
    for action in ReportAction:
        for status in ReportStatus:
            assert ((action, status) in TRANSITIONS) == (
                (action, status)
                in {
                    (ReportAction.EDIT, ReportStatus.DRAFT),
                    (ReportAction.SUBMIT, ReportStatus.DRAFT),
                    (ReportAction.RETURN, ReportStatus.SUBMITTED),
                    (ReportAction.PUBLISH, ReportStatus.SUBMITTED),
                    (ReportAction.CORRECT, ReportStatus.PUBLISHED),
                }
            )


def test_draft_submit_publish(world: dict[str, Any]) -> None:
    agency, handler, head = world["agency"], world["handler"], world["head"]
    case(agency, "2024-03-04", "2024-03-20")
    report = services.report_get_or_create_draft(agency=agency, year=2024, actor=handler)
    assert report.status == ReportStatus.DRAFT
    assert report.version == 1
    assert "{{表三.一.总计}}" in report.sections["1.2"]
    assert services.report_get_or_create_draft(agency=agency, year=2024, actor=head).pk == report.pk
    sections = dict(report.sections)
    sections["1.3"] = "本机关严格落实保密审查制度。"
    report = services.report_update_sections(report=report, actor=handler, sections=sections)
    report = services.report_submit(report=report, actor=head)
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_by == head
    report = services.report_publish(report=report, actor=head, on=dt.date(2025, 1, 10))
    assert report.status == ReportStatus.PUBLISHED
    assert report.published_on == dt.date(2025, 1, 10)
    assert report.snapshot is not None
    assert report.snapshot["report"]["table3"]["1"]["总计"] == 1
    assert report.snapshot["sections"]["1.3"] == "本机关严格落实保密审查制度。"
    assert "{{" not in json.dumps(report.snapshot["sections"], ensure_ascii=False)
    actions = list(
        AuditEvent.objects.filter(object_type="reports.AnnualReport", object_id=str(report.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["report.create", "report.edit", "report.submit", "report.publish"]
    data = selectors.report_data_from_snapshot(report)
    assert data.as_json() == report.snapshot["report"]
    assert data.published_on == dt.date(2025, 1, 10)
    assert [r.pk for r in selectors.published_reports([agency.pk])] == [report.pk]


def test_handler_cannot_submit_or_publish(world: dict[str, Any]) -> None:
    agency, handler, head = world["agency"], world["handler"], world["head"]
    report = services.report_get_or_create_draft(agency=agency, year=2024, actor=handler)
    with pytest.raises(ValidationError, match="负责人"):
        services.report_submit(report=report, actor=handler)
    report = services.report_submit(report=report, actor=head)
    with pytest.raises(ValidationError, match="负责人"):
        services.report_publish(report=report, actor=handler, on=dt.date(2025, 1, 10))
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.snapshot is None
    assert report.index_number == ""
    outsider = make_staff(world["government"], Role.HEAD)
    with pytest.raises(ValidationError):
        services.report_update_sections(report=report, actor=outsider, sections=report.sections)
    with pytest.raises(ValidationError):
        services.report_get_or_create_draft(agency=agency, year=2024, actor=world["supervisor"])


def _unchanged(report: AnnualReport) -> dict[str, Any]:
    fresh = AnnualReport.objects.get(pk=report.pk)
    return {f: getattr(fresh, f) for f in ("status", "sections", "snapshot", "index_number", "published_on")}


def test_table4_error_blocks_submission_and_publication(world: dict[str, Any]) -> None:
    agency, head = world["agency"], world["head"]
    # 表四 is counted from the tracked appeals: one 复议 of 2024, the narrative says two (R7 against 表四).
    make_appeal(agency, "2024-03-01", result="rc_upheld", result_on="2024-04-20")
    report = services.report_get_or_create_draft(agency=agency, year=2024, actor=head)
    report = services.report_update_sections(
        report=report, actor=head, sections=dict(report.sections, **{"1.5": "本年度行政复议2件。"})
    )
    before = _unchanged(report)
    with pytest.raises(ReportBlocked) as caught:
        services.report_submit(report=report, actor=head)
    assert any(f.rule == "R7" and f.severity == "error" for f in caught.value.findings)
    assert "表四 行政复议" in " ".join(caught.value.messages)
    assert _unchanged(report) == before
    # The second appeal registered: submitted; a third before publication: publishing is refused too.
    make_appeal(agency, "2024-09-01")
    report = services.report_submit(report=report, actor=head)
    make_appeal(agency, "2023-12-20")  # carried over into 2024
    before = _unchanged(report)
    with pytest.raises(ReportBlocked):
        services.report_publish(report=report, actor=head, on=dt.date(2025, 1, 10))
    assert _unchanged(report) == before


def test_r7_narrative_number_blocks(world: dict[str, Any]) -> None:
    agency, head = world["agency"], world["head"]
    case(agency, "2024-03-04", "2024-03-20")
    report = services.report_get_or_create_draft(agency=agency, year=2024, actor=head)
    sections = dict(report.sections, **{"1.2": "本年度共收到政府信息公开申请5件。"})
    report = services.report_update_sections(report=report, actor=head, sections=sections)
    assert any(f["rule"] == "R7" and f["severity"] == "error" for f in report.findings)
    with pytest.raises(ReportBlocked) as caught:
        services.report_submit(report=report, actor=head)
    assert any(f.rule == "R7" for f in caught.value.findings)
    assert AnnualReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_unknown_placeholder_is_refused_in_chinese(world: dict[str, Any]) -> None:
    agency, head = world["agency"], world["head"]
    report = services.report_get_or_create_draft(agency=agency, year=2024, actor=head)
    with pytest.raises(ValidationError) as caught:
        services.report_update_sections(
            report=report, actor=head, sections=dict(report.sections, **{"1.1": "共{{表五.一.总计}}条"})
        )
    assert "表五.一.总计" in caught.value.message_dict["sections"][0]
    assert AnnualReport.objects.get(pk=report.pk).sections == report.sections


def _published(world: dict[str, Any], on: dt.date = dt.date(2025, 1, 10)) -> AnnualReport:
    head = world["head"]
    report = services.report_get_or_create_draft(agency=world["agency"], year=2024, actor=head)
    report = services.report_submit(report=report, actor=head)
    return services.report_publish(report=report, actor=head, on=on)


def test_published_snapshot_is_frozen(world: dict[str, Any]) -> None:
    agency, head = world["agency"], world["head"]
    case(agency, "2024-03-04", "2024-03-20")
    report = _published(world)
    frozen = json.dumps(report.snapshot, sort_keys=True, ensure_ascii=False)
    # The data change afterwards: a case backdated into 2024, figures entered.
    case(agency, "2024-05-06", "2024-05-20", Outcome.PARTIAL)
    services.figures_set(agency=agency, year=2024, actor=head, values={"licensing": 12})
    again = AnnualReport.objects.get(pk=report.pk)
    assert json.dumps(again.snapshot, sort_keys=True, ensure_ascii=False) == frozen
    assert selectors.report_data_from_snapshot(again).table3["1"]["总计"] == 1
    assert selectors.report_current_data(again).table3["1"]["总计"] == 1
    with pytest.raises(ValidationError):
        services.report_update_sections(report=again, actor=head, sections=again.sections)


def test_correction_creates_version_two_with_a_public_note(world: dict[str, Any]) -> None:
    agency, head = world["agency"], world["head"]
    first = _published(world)
    with pytest.raises(ValidationError):
        services.report_correct(report=first, actor=head, revision_note="  ")
    with pytest.raises(ValidationError, match="负责人"):
        services.report_correct(report=first, actor=world["handler"], revision_note="更正")
    second = services.report_correct(report=first, actor=head, revision_note="更正表二行政许可数量")
    assert (second.version, second.status, second.revision_note) == (2, ReportStatus.DRAFT, "更正表二行政许可数量")
    assert second.sections == first.sections
    with pytest.raises(ValidationError, match="正在更正"):
        services.report_correct(report=first, actor=head, revision_note="再次更正")
    services.figures_set(agency=agency, year=2024, actor=head, values={"licensing": 12}, source="手工填报")
    second = services.report_submit(report=second, actor=head)
    with time_machine.travel("2025-02-03 10:00 +0800", tick=False):
        second = services.report_publish(report=second, actor=head, on=dt.date(2025, 2, 3))
    first.refresh_from_db()
    assert first.status == ReportStatus.SUPERSEDED
    assert first.snapshot is not None
    assert first.snapshot["report"]["table2"]["行政许可"] == 0
    assert second.snapshot is not None
    assert second.snapshot["report"]["table2"]["行政许可"] == 12
    assert second.snapshot["meta"]["revision_note"] == "更正表二行政许可数量"
    assert [r.version for r in selectors.published_reports([agency.pk])] == [2]
    assert [r.version for r in selectors.published_reports([agency.pk], include_superseded=True)] == [2, 1]
    # The deadline board judges by the first publication (on time), not by the correction.
    row = next(r for r in selectors.report_status_for_supervisor(world["supervisor"], 2024) if r.agency == agency)
    assert row.timing == "on_time"
    assert row.published_on == dt.date(2025, 1, 10)
    assert row.report == second


def test_index_number_at_publication_gap_free_with_publications(world: dict[str, Any]) -> None:
    agency, head = world["agency"], world["head"]
    data: Any = {"title": "通知", "category": Category.ART20_1, "doc_kind": DocKind.OTHER}
    before = publication_services.publication_create(
        agency=agency, actor=head, data={**data, "formed_on": dt.date(2025, 1, 6)}
    )
    report = services.report_get_or_create_draft(agency=agency, year=2024, actor=head)
    report = services.report_submit(report=report, actor=head)
    assert report.index_number == ""
    report = services.report_publish(report=report, actor=head, on=dt.date(2025, 1, 10))
    after = publication_services.publication_create(
        agency=agency, actor=head, data={**data, "formed_on": dt.date(2025, 1, 10)}
    )
    org = agency.identifier
    assert before.index_number == f"{org}/2025-00001"
    assert report.index_number == f"{org}/2025-00002"
    assert report.snapshot is not None
    assert report.snapshot["meta"]["index_number"] == report.index_number
    assert after.index_number == f"{org}/2025-00003"


def test_a_refused_publication_takes_no_index_number(world: dict[str, Any]) -> None:
    agency, head = world["agency"], world["head"]
    make_appeal(agency, "2024-06-01", kind="litigation", route="direct")
    report = services.report_get_or_create_draft(agency=agency, year=2024, actor=head)
    report = services.report_update_sections(
        report=report, actor=head, sections=dict(report.sections, **{"1.5": "本年度行政诉讼1件。"})
    )
    report = services.report_submit(report=report, actor=head)
    late = make_appeal(agency, "2024-12-30", kind="litigation", route="after_review")
    with pytest.raises(ReportBlocked):
        services.report_publish(report=report, actor=head, on=dt.date(2025, 1, 10))
    late.delete()  # registered against the wrong agency, say
    report = services.report_publish(report=report, actor=head, on=dt.date(2025, 1, 10))
    assert report.index_number.endswith("/2025-00001")


def test_return_to_draft(world: dict[str, Any]) -> None:
    head = world["head"]
    report = services.report_get_or_create_draft(agency=world["agency"], year=2024, actor=head)
    report = services.report_submit(report=report, actor=head)
    with pytest.raises(ValidationError):
        services.report_update_sections(report=report, actor=head, sections=report.sections)
    report = services.report_return_to_draft(report=report, actor=head, reason="主管部门要求补充")
    assert report.status == ReportStatus.DRAFT


def _board(world: dict[str, Any], today: str) -> dict[str, selectors.SupervisedReport]:
    rows = selectors.report_status_for_supervisor(world["supervisor"], 2024, today=dt.date.fromisoformat(today))
    return {row.agency.name: row for row in rows}


def test_supervisor_deadline_status(world: dict[str, Any]) -> None:
    """条例第四十九条: a department by 1月31日, the government by 3月31日 of the following year."""
    with time_machine.travel("2025-01-31 23:59 +0800", tick=False):
        board = _board(world, "2025-01-31")
    assert set(board) >= {"湛河区司法局", "湛河区人民政府"}
    assert board["湛河区司法局"].timing == "due"
    assert board["湛河区司法局"].days == 0
    assert board["湛河区司法局"].status_label == "未开始"
    assert board["湛河区司法局"].deadline == dt.date(2025, 1, 31)
    assert board["湛河区人民政府"].deadline == dt.date(2025, 3, 31)
    with time_machine.travel("2025-02-01 00:00 +0800", tick=False):
        board = _board(world, "2025-02-01")
        assert board["湛河区司法局"].timing == "overdue"
        assert board["湛河区司法局"].timing_label == "已逾期1天未发布"
        assert board["湛河区人民政府"].timing == "due"
        assert board["湛河区人民政府"].days == 58
    board = _board(world, "2025-04-01")
    assert board["湛河区人民政府"].timing == "overdue"
    assert _board(world, "2025-03-31")["湛河区人民政府"].timing == "due"


def test_supervisor_board_counts_findings_and_late_publication(world: dict[str, Any]) -> None:
    agency, head = world["agency"], world["head"]
    draft = services.report_get_or_create_draft(agency=agency, year=2024, actor=head)
    services.report_update_sections(
        report=draft, actor=head, sections=dict(draft.sections, **{"1.5": "本年度行政复议1件。"})
    )
    row = _board(world, "2025-01-20")["湛河区司法局"]
    assert row.status_label == "草稿"
    assert row.errors >= 1
    make_appeal(agency, "2024-10-01")  # the 复议 the narrative speaks of, still open at year end
    with time_machine.travel("2025-02-05 10:00 +0800", tick=False):
        report = _published(world, on=dt.date(2025, 2, 5))
        # R10 is recorded but does not keep a late report unpublished.
        assert any(f["rule"] == "R10" for f in report.findings)
    row = _board(world, "2025-03-01")["湛河区司法局"]
    assert row.timing == "late"
    assert row.timing_label == "逾期5天发布"
    assert row.errors == 1


def test_government_report_publication_by_march(world: dict[str, Any]) -> None:
    government, head = world["government"], world["gov_head"]
    with time_machine.travel("2025-03-31 10:00 +0800", tick=False):
        report = services.report_get_or_create_draft(agency=government, year=2024, actor=head)
        report = services.report_submit(report=report, actor=head)
        report = services.report_publish(report=report, actor=head, on=dt.date(2025, 3, 31))
    assert not any(f["rule"] == "R10" for f in report.findings)
    assert _board(world, "2025-06-01")["湛河区人民政府"].timing == "on_time"


def test_publication_date_checks(world: dict[str, Any]) -> None:
    head = world["head"]
    report = services.report_get_or_create_draft(agency=world["agency"], year=2024, actor=head)
    report = services.report_submit(report=report, actor=head)
    with pytest.raises(ValidationError) as caught:
        services.report_publish(report=report, actor=head, on=dt.date(2025, 1, 11))
    assert "on" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.report_publish(report=report, actor=head, on=dt.date(2024, 12, 31))


def test_published_report_renders_from_its_snapshot(world: dict[str, Any]) -> None:
    from gongkai.reports.render import render

    report = _published(world)
    meta = selectors.report_render_meta(report)
    assert meta.index_number == report.index_number
    assert meta.title == "湛河区司法局2024年政府信息公开工作年度报告"
    data = selectors.report_data_from_snapshot(report)
    html = render(data, "html", meta=meta).decode("utf-8")
    assert report.index_number in html
    assert json.loads(render(data, "json", meta=meta))["table3"] == report.snapshot["report"]["table3"]
    assert "六、其他需要报告的事项" in render(data, "md", meta=meta).decode("utf-8")
