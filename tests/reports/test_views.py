"""The annual report through its pages (issue 5): a head builds, edits, submits and publishes; errors block through
the views too; drill-down; downloads; the access gate; the checker's upload page; the report page's query count."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongkai.accounts.roles import Role
from gongkai.agencies.models import Agency, Kind, Level
from gongkai.cases.codebook import ApplicantType, Channel, Outcome
from gongkai.cases.models import Case
from gongkai.cases.states import Status as CaseStatus
from gongkai.documents.render import DocumentRenderError
from gongkai.reports import services
from gongkai.reports.models import AnnualReport, ReportStatus
from gongkai.reports.render import FORMATS, RenderMeta, render
from gongkai.reports.schema import ReportData
from gongkai.reports.services import SECTION_KEYS
from tests.appeals.factories import make_appeal
from tests.factories import make_agency, make_staff

pytestmark = pytest.mark.django_db

PDF_STUB = b"%PDF-1.7\n% stub\n"


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel("2025-01-10 10:00 +0800", tick=False):
        yield


@pytest.fixture(autouse=True)
def _stub_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    # WeasyPrint is slow and needs a CJK font; the PDF itself is tested in test_render.
    monkeypatch.setattr("gongkai.reports.render.pdf.render_pdf", lambda report, meta: PDF_STUB)


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    government = make_agency("湛河区人民政府", kind=Kind.GOVERNMENT, level=Level.COUNTY)
    office = make_agency("湛河区人民政府办公室", kind=Kind.OFFICE, parent=government)
    agency = make_agency("湛河区司法局", parent=government, supervisor=office, code="zhanhe-sfj")
    other = make_agency("另一县司法局")
    return {
        "agency": agency,
        "other": other,
        "handler": make_staff(agency, Role.HANDLER),
        "head": make_staff(agency, Role.HEAD),
        "supervisor": make_staff(office, Role.SUPERVISOR),
        "other_handler": make_staff(other, Role.HANDLER),
    }


_n = itertools.count(1)


def case(
    agency: Agency,
    received: str = "2024-03-04",
    closed: str | None = "2024-03-20",
    outcome: Outcome = Outcome.DISCLOSED,
    applicant_type: ApplicantType = ApplicantType.NATURAL_PERSON,
) -> Case:
    n = next(_n)
    on = dt.date.fromisoformat(received)
    return Case.objects.create(
        agency=agency,
        year=on.year,
        seq=n,
        number=f"{on.year}-V{n:05d}",
        tracking_code=f"V{n:011d}",
        channel=Channel.IN_PERSON,
        status=CaseStatus.CLOSED if closed else CaseStatus.PROCESSING,
        outcome=outcome.value if closed else "",
        submitted_at=dt.datetime(on.year, on.month, on.day, 9, tzinfo=dt.UTC),
        received_on=on,
        closed_on=dt.date.fromisoformat(closed) if closed else None,
        applicant_type=applicant_type,
        applicant_name="测试",
        id_type="resident_id",
        provision_form="electronic",
        obtain_method="email",
    )


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, agency: Agency, year: int = 2024, **kwargs: Any) -> str:
    return reverse(name, kwargs={"agency_id": agency.pk, "year": year, **kwargs})


def sections_post(report: AnnualReport, **changes: str) -> dict[str, str]:
    sections = {**report.sections, **changes}
    body = {"s" + key.replace(".", "_"): sections.get(key, "") for key in SECTION_KEYS}
    body["report_id"] = str(report.pk)
    return body


def page_text(response: Any) -> str:
    return str(response.content.decode("utf-8"))


def test_head_builds_edits_submits_publishes_and_the_portal_shows_it(world: dict[str, Any]) -> None:
    agency, head = world["agency"], world["head"]
    case(agency)
    client = client_for(head)
    response = client.get(url("reports:detail", agency))
    assert response.status_code == 200
    report = AnnualReport.objects.get(agency=agency, year=2024)
    assert report.status == ReportStatus.DRAFT
    text = page_text(response)
    assert "{{表三.一.总计}}" in text  # the placeholder list
    assert "{{考核结果}}" in text  # the 考核 sentence for 一（五） (条例第五十条（四）) is offered too
    assert 'data-table="table3"' in text

    body = sections_post(report, **{"1.2": "全年共收到政府信息公开申请{{表三.一.总计}}件，均已按期答复。"})
    response = client.post(url("reports:action", agency, op="sections"), body)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.sections["1.2"].startswith("全年共收到政府信息公开申请{{表三.一.总计}}件")
    response = client.get(url("reports:detail", agency))
    assert "全年共收到政府信息公开申请1件，均已按期答复。" in page_text(response)  # the preview

    response = client.post(url("reports:action", agency, op="submit"), {"report_id": report.pk})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    # Not yet public.
    portal = Client()
    assert portal.get(reverse("annual:detail", args=[agency.code, 2024])).status_code == 404
    response = client.post(
        url("reports:action", agency, op="publish"), {"report_id": report.pk, "published_on": "2025-01-10"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.PUBLISHED
    assert report.index_number

    listing = page_text(portal.get(reverse("annual:list", args=[agency.code])))
    assert report.index_number in listing
    assert "2025年1月10日" in listing
    assert reverse("annual:list", args=[agency.code]) in page_text(
        portal.get(reverse("portal:agency", args=[agency.code]))
    )
    page = portal.get(reverse("annual:detail", args=[agency.code, 2024]))
    assert page.status_code == 200
    text = page_text(page)
    assert "湛河区司法局2024年政府信息公开工作年度报告" in text
    assert report.index_number in text
    assert "全年共收到政府信息公开申请1件" in text
    for table in ("table2", "table3", "table4"):
        assert f'data-table="{table}"' in text
    assert 'data-row="1" data-col="总计">1</td>' in text


def test_correction_publishes_a_second_version_with_its_note(world: dict[str, Any]) -> None:
    agency, head = world["agency"], world["head"]
    client = client_for(head)
    client.get(url("reports:detail", agency))
    report = AnnualReport.objects.get(agency=agency, year=2024)
    client.post(url("reports:action", agency, op="submit"), {"report_id": report.pk})
    client.post(url("reports:action", agency, op="publish"), {"report_id": report.pk, "published_on": "2025-01-10"})
    response = client.post(
        url("reports:action", agency, op="correct"), {"report_id": report.pk, "revision_note": "更正表二数据"}
    )
    assert response.status_code == 302
    new = AnnualReport.objects.get(agency=agency, year=2024, version=2)
    client.post(url("reports:action", agency, op="submit"), {"report_id": new.pk})
    client.post(url("reports:action", agency, op="publish"), {"report_id": new.pk, "published_on": "2025-01-10"})
    new.refresh_from_db()
    assert new.status == ReportStatus.PUBLISHED
    portal = Client()
    text = page_text(portal.get(reverse("annual:detail", args=[agency.code, 2024])))
    assert "更正表二数据" in text
    assert "第2版" in text
    old = portal.get(reverse("annual:version", args=[agency.code, 2024, 1]))
    assert old.status_code == 200
    assert "本版本已被更正" in page_text(old)


def test_an_error_blocks_submission_and_publication_through_the_views(world: dict[str, Any]) -> None:
    agency, head = world["agency"], world["head"]
    case(agency)
    client = client_for(head)
    client.get(url("reports:detail", agency))
    report = AnnualReport.objects.get(agency=agency, year=2024)
    # A narrative number contradicting 表三 (R7).
    body = sections_post(report, **{"1.2": "本年度共收到政府信息公开申请5件。"})
    client.post(url("reports:action", agency, op="sections"), body)
    response = client.post(url("reports:action", agency, op="submit"), {"report_id": report.pk})
    assert response.status_code == 200
    text = page_text(response)
    assert "不能报送主管部门" in text
    assert "R7" in text
    assert AnnualReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT

    # Fixed (the narrative's 行政复议 figure agrees with the one tracked appeal) and submitted; then a second appeal of
    # 2024 is registered: 表四 (counted from the appeals) no longer agrees with the narrative (R7), publication is refused.
    make_appeal(agency, "2024-05-06")
    client.post(
        url("reports:action", agency, op="sections"), sections_post(report, **{"1.2": "", "1.5": "行政复议1件。"})
    )
    response = client.post(url("reports:action", agency, op="submit"), {"report_id": report.pk})
    assert response.status_code == 302
    make_appeal(agency, "2024-07-08")
    response = client.post(
        url("reports:action", agency, op="publish"), {"report_id": report.pk, "published_on": "2025-01-10"}
    )
    assert response.status_code == 200
    assert "不能发布" in page_text(response)
    fresh = AnnualReport.objects.get(pk=report.pk)
    assert fresh.status == ReportStatus.SUBMITTED
    assert fresh.snapshot is None
    assert not fresh.index_number


def test_handler_sees_no_publish_button_and_the_service_refuses(world: dict[str, Any]) -> None:
    agency, handler = world["agency"], world["handler"]
    client = client_for(handler)
    text = page_text(client.get(url("reports:detail", agency)))
    assert "保存正文" in text
    assert "报送主管部门</button>" not in text
    report = AnnualReport.objects.get(agency=agency, year=2024)
    response = client.post(url("reports:action", agency, op="submit"), {"report_id": report.pk})
    assert "负责人" in page_text(response)
    assert AnnualReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_stale_form_is_refused(world: dict[str, Any]) -> None:
    agency, head = world["agency"], world["head"]
    client = client_for(head)
    client.get(url("reports:detail", agency))
    report = AnnualReport.objects.get(agency=agency, year=2024)
    response = client.post(url("reports:action", agency, op="submit"), {"report_id": report.pk + 1000})
    assert "页面已过期" in page_text(response)
    assert AnnualReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_figures_form_and_import(world: dict[str, Any]) -> None:
    agency, head = world["agency"], world["head"]
    client = client_for(head)
    body = {"licensing": "12", "penalties": "3", "enforcement": "0", "fees_wan": "1.25", "source": "手工填报"}
    assert client.post(url("reports:action", agency, op="figures"), body).status_code == 302
    text = page_text(client.get(url("reports:detail", agency)))
    assert 'data-row="行政许可">12</td>' in text
    upload = SimpleUploadedFile(
        "执法.csv", "项目,数量\n行政许可,7\n行政处罚,2\n行政强制,1\n行政事业性收费（万元）,0\n".encode()
    )
    response = client.post(url("reports:action", agency, op="import"), {"file": upload})
    assert response.status_code == 302
    text = page_text(client.get(url("reports:detail", agency)))
    assert 'data-row="行政许可">7</td>' in text
    # XLSX, recognised by its content whatever its name.
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (("项目", "数量"), ("行政许可", 9), ("行政处罚", 1), ("行政强制", 0), ("行政事业性收费（万元）", 0)):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("export.bin", buffer.getvalue())
    assert client.post(url("reports:action", agency, op="import"), {"file": upload}).status_code == 302
    assert 'data-row="行政许可">9</td>' in page_text(client.get(url("reports:detail", agency)))
    # Binary that is not an XLSX is refused by content.
    bad = SimpleUploadedFile("执法.xlsx", b"\x00\x01\x02binary")
    response = client.post(url("reports:action", agency, op="import"), {"file": bad})
    assert response.status_code == 200
    assert "类型不受支持" in page_text(response)


def test_drilldown_lists_the_cases_behind_a_number(world: dict[str, Any]) -> None:
    agency, head = world["agency"], world["head"]
    disclosed = case(agency, outcome=Outcome.DISCLOSED)
    partial = case(agency, outcome=Outcome.PARTIAL, applicant_type=ApplicantType.LEGAL_SERVICE)
    client = client_for(head)
    detail = page_text(client.get(url("reports:detail", agency)))
    cell_url = url("reports:cell", agency, table="table3", row="3.1", col="总计")
    assert cell_url in detail
    text = page_text(client.get(cell_url))
    assert disclosed.number in text
    assert partial.number not in text
    assert reverse("cases:detail", args=[disclosed.pk]) in text
    text = page_text(client.get(url("reports:cell", agency, table="table3", row="1", col="法律服务机构")))
    assert partial.number in text
    assert disclosed.number not in text
    assert client.get(url("reports:cell", agency, table="table3", row="9", col="总计")).status_code == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_downloads_are_attachments(world: dict[str, Any], fmt: str) -> None:
    agency, head = world["agency"], world["head"]
    client = client_for(head)
    response = client.get(url("reports:download", agency, fmt=fmt))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert len(response.content) > 0
    report = services.report_get_or_create_draft(agency=agency, year=2024, actor=head)
    report = services.report_submit(report=report, actor=head)
    services.report_publish(report=report, actor=head, on=dt.date(2025, 1, 10))
    public = Client().get(reverse("annual:download", args=[agency.code, 2024, fmt]))
    assert public.status_code == 200
    assert public["Content-Disposition"].startswith("attachment")
    assert public["X-Content-Type-Options"] == "nosniff"


def test_pdf_failure_is_a_message_not_a_500(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    agency, head = world["agency"], world["head"]

    def broken(report: ReportData, meta: RenderMeta) -> bytes:
        raise DocumentRenderError("未找到中文字体")

    monkeypatch.setattr("gongkai.reports.render.pdf.render_pdf", broken)
    client = client_for(head)
    response = client.get(url("reports:download", agency, fmt="pdf"), follow=True)
    assert response.status_code == 200
    assert "未找到中文字体" in page_text(response)
    report = services.report_submit(
        report=services.report_get_or_create_draft(agency=agency, year=2024, actor=head), actor=head
    )
    services.report_publish(report=report, actor=head, on=dt.date(2025, 1, 10))
    public = Client().get(reverse("annual:download", args=[agency.code, 2024, "pdf"]))
    assert public.status_code == 503
    assert "未找到中文字体" in page_text(public)


def test_another_agency_gets_the_same_404(world: dict[str, Any]) -> None:
    agency, other_handler = world["agency"], world["other_handler"]
    client = client_for(other_handler)
    for name, extra in (
        ("reports:detail", {}),
        ("reports:download", {"fmt": "md"}),
        ("reports:cell", {"table": "table3", "row": "1", "col": "总计"}),
    ):
        assert client.get(url(name, agency, **extra)).status_code == 404
        assert (
            client.get(url(name, agency, year=2024, **extra).replace(f"/{agency.pk}/", "/99999999/")).status_code == 404
        )
    assert client.post(url("reports:action", agency, op="sections"), {}).status_code == 404
    assert not AnnualReport.objects.filter(agency=agency).exists()
    assert client.get(reverse("reports:check")).status_code == 404


def test_unpublished_report_is_not_public(world: dict[str, Any]) -> None:
    agency, head = world["agency"], world["head"]
    services.report_get_or_create_draft(agency=agency, year=2024, actor=head)
    portal = Client()
    assert portal.get(reverse("annual:detail", args=[agency.code, 2024])).status_code == 404
    assert portal.get(reverse("annual:download", args=[agency.code, 2024, "md"])).status_code == 404
    assert "暂无已发布的年度报告" in page_text(portal.get(reverse("annual:list", args=[agency.code])))


def test_supervisor_sees_the_deadline_board_and_a_read_only_report(world: dict[str, Any]) -> None:
    agency, supervisor = world["agency"], world["supervisor"]
    response = client_for(supervisor).get(url("reports:detail", agency))
    assert response.status_code == 200
    assert "<textarea" not in page_text(response)
    assert not AnnualReport.objects.filter(agency=agency).exists()  # viewing creates no draft
    text = page_text(client_for(supervisor).get(reverse("reports:index") + "?year=2024"))
    assert agency.name in text
    assert "2025年1月31日" in text
    assert "距截止还有21天" in text


def test_checker_page_reads_a_markdown_report_and_shows_its_findings(world: dict[str, Any]) -> None:
    data = ReportData(agency="湛河区司法局", year=2024, agency_kind="department")
    data.table3["1"]["自然人"] = 2
    data.table3["1"]["总计"] = 3  # the columns do not add up
    content = render(
        data, "md", meta=RenderMeta(title="湛河区司法局2024年政府信息公开工作年度报告", agency_name="湛河区司法局")
    )
    client = client_for(world["supervisor"])
    assert client.get(reverse("reports:check")).status_code == 200
    response = client.post(reverse("reports:check"), {"report": SimpleUploadedFile("report.md", content)})
    assert response.status_code == 200
    text = page_text(response)
    assert "湛河区司法局" in text
    assert "2024" in text
    assert "badge err" in text
    assert 'data-table="table3"' in text
    # A file that is not a report: the checker's message, not a traceback.
    response = client.post(reverse("reports:check"), {"report": SimpleUploadedFile("x.txt", "你好".encode())})
    assert "无法读取该文件" in page_text(response)
    # Binary junk is refused by content before the checker runs.
    response = client.post(reverse("reports:check"), {"report": SimpleUploadedFile("x.pdf", b"\x00\xff\x00junk")})
    assert response.status_code == 400
    assert "类型不受支持" in page_text(response)


def test_report_page_query_count_does_not_grow_with_cases(
    world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    agency, head = world["agency"], world["head"]
    for _ in range(5):
        case(agency)
    client = client_for(head)
    client.get(url("reports:detail", agency))  # creates the draft
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("reports:detail", agency)).status_code == 200
    for i in range(45):
        case(
            agency, outcome=Outcome.PARTIAL if i % 2 else Outcome.DISCLOSED, closed=None if i % 5 == 0 else "2024-04-01"
        )
    with django_assert_max_num_queries(len(few)):
        assert client.get(url("reports:detail", agency)).status_code == 200
