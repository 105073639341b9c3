"""The staff pages through the HTTP client: the gate (same 404), register, act, drafts, the mapping page; and the
annual report built from the appeals."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import docx
import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from gongkai.accounts.roles import PlatformRole, Role
from gongkai.appeals.models import Appeal, AppealDocument, ResultMapping, Status
from gongkai.cases.models import CaseDocument, CaseEvent, DocumentKind, DocumentStatus
from gongkai.documents.render import docx_text
from gongkai.reports import builder
from tests.appeals.factories import make_appeal, make_case
from tests.factories import make_agency, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel("2026-01-15 10:00 +0800", tick=False):
        yield


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    agency = make_agency("湛河区司法局")
    other = make_agency("湛河区民政局")
    return {
        "agency": agency,
        "other": other,
        "handler": make_staff(agency, Role.HANDLER, full_name="李经办"),
        "head": make_staff(agency, Role.HEAD, full_name="王负责"),
        "reviewer": make_staff(agency, Role.REVIEWER),
        "outsider": make_staff(other, Role.HEAD),
    }


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response: Any) -> str:
    return str(response.content.decode())


def test_another_agencys_appeal_is_the_same_404(world: dict[str, Any]) -> None:
    appeal = make_appeal(world["agency"], "2025-03-01")
    outsider = client_for(world["outsider"])
    missing = outsider.get(reverse("appeals:detail", args=[999_999]))
    theirs = outsider.get(reverse("appeals:detail", args=[appeal.pk]))
    assert missing.status_code == theirs.status_code == 404
    assert outsider.get(reverse("appeals:edit", args=[appeal.pk])).status_code == 404
    assert outsider.post(reverse("appeals:action", args=[appeal.pk, "answer"]), {}).status_code == 404
    assert outsider.post(reverse("appeals:draft", args=[appeal.pk])).status_code == 404
    assert "湛河区司法局" not in text_of(outsider.get(reverse("appeals:list")))
    # A reader without HANDLE_CASES sees it but cannot act.
    reviewer = client_for(world["reviewer"])
    assert reviewer.get(reverse("appeals:detail", args=[appeal.pk])).status_code == 200
    assert reviewer.post(reverse("appeals:action", args=[appeal.pk, "answer"]), {}).status_code == 404


def test_register_act_and_list_flags(world: dict[str, Any]) -> None:
    agency = world["agency"]
    case = make_case(agency, "2025-11-03", "2025-11-20")
    client = client_for(world["handler"])
    create = reverse("appeals:create") + f"?agency={agency.pk}"
    assert client.get(create).status_code == 200
    bad = client.post(
        create,
        {
            "agency": agency.pk,
            "kind": "reconsideration",
            "body": "湛河区人民政府",
            "appellant": "张三",
            "subject": "不予公开答复",
            "case_numbers": case.number,
            "filed_on": "2025-12-20",
            "accepted_on": "2025-12-10",
        },
    )
    assert bad.status_code == 200
    assert "受理（立案）日期不能早于申请（起诉）日期" in text_of(bad)
    assert not Appeal.objects.exists()
    good = client.post(
        create,
        {
            "agency": agency.pk,
            "kind": "reconsideration",
            "body": "湛河区人民政府",
            "number": "湛政复〔2025〕12号",
            "appellant": "张三",
            "subject": "不予公开答复",
            "case_numbers": case.number,
            "filed_on": "2025-12-20",
            "accepted_on": "2025-12-24",
        },
    )
    appeal = Appeal.objects.get()
    assert good.status_code == 302
    assert list(appeal.cases.all()) == [case]
    done = client.post(reverse("appeals:action", args=[appeal.pk, "copy"]), {"received_on": "2025-12-29"})
    assert done.status_code == 302
    appeal.refresh_from_db()
    assert appeal.answer_due is not None
    page = text_of(client.get(reverse("appeals:detail", args=[appeal.pk])))
    assert "第四十八条" in page
    assert "期限说明" in page
    listing = text_of(client.get(reverse("appeals:list")))
    assert "湛政复〔2025〕12号" in listing
    assert "答复（答辩）已逾期" in listing  # due 13 Jan 2026, today 15 Jan
    # Filters: a 诉讼 filter hides it; year 2025 shows it.
    assert "湛政复〔2025〕12号" not in text_of(client.get(reverse("appeals:list") + "?kind=litigation"))
    assert "湛政复〔2025〕12号" in text_of(client.get(reverse("appeals:list") + "?year=2025"))
    refused = client.post(reverse("appeals:action", args=[appeal.pk, "answer"]), {"answered_on": "2025-12-28"})
    assert refused.status_code == 200
    assert "不能早于收到副本之日" in text_of(refused)
    # The case page lists the appeal.
    case_page = text_of(client.get(reverse("cases:detail", args=[case.pk])))
    assert "湛政复〔2025〕12号" in case_page


def test_drafts_render_with_timeline_and_evidence(world: dict[str, Any]) -> None:
    agency = world["agency"]
    case = make_case(agency, "2025-11-03", "2025-11-20")
    CaseEvent.objects.create(
        case=case, seq=1, action="register", on=dt.date(2025, 11, 3), actor_label="李经办", note="当面提交申请"
    )
    CaseDocument.objects.create(
        case=case,
        kind=DocumentKind.RECEIPT,
        status=DocumentStatus.ISSUED,
        title="政府信息公开申请接收回执",
        doc_number="",
        date_on=dt.date(2025, 11, 3),
    )
    CaseDocument.objects.create(
        case=case,
        kind=DocumentKind.CORRECTION_NOTICE,
        status=DocumentStatus.ISSUED,
        title="政府信息公开申请答复书",
        doc_number="湛司公复〔2025〕9号",
        date_on=dt.date(2025, 11, 20),
    )
    for kind, route, title in (
        ("reconsideration", "", "行政复议答复书"),
        ("litigation", "direct", "行政诉讼答辩状"),
    ):
        appeal = make_appeal(agency, "2025-12-01", kind=kind, route=route, copy_received_on=dt.date(2025, 12, 5))
        appeal.cases.set([case])
        client = client_for(world["handler"])
        assert client.post(reverse("appeals:draft", args=[appeal.pk])).status_code == 302
        doc = AppealDocument.objects.get(appeal=appeal)
        assert doc.title == title
        got = client.get(reverse("appeals:document", args=[appeal.pk, doc.pk, "docx"]))
        assert got.status_code == 200
        assert got["Content-Disposition"].startswith("attachment")
        content = b"".join(got.streaming_content) if got.streaming else got.content
        opened = docx.Document(io.BytesIO(content))
        assert any(title in p.text for p in opened.paragraphs)
        text = docx_text(content)
        assert "证据清单" in text
        assert "湛司公复〔2025〕9号" in text
        assert "2025年11月20日" in text
        assert "当面提交申请" in text  # the case timeline
        pdf = client.get(reverse("appeals:document", args=[appeal.pk, doc.pk, "pdf"]))
        pdf_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        assert title in pdf_text.replace(" ", "").replace("\n", "")
        assert (
            client_for(world["outsider"]).get(reverse("appeals:document", args=[appeal.pk, doc.pk, "pdf"])).status_code
            == 404
        )


def test_mapping_page_edits_for_the_system_admin_only(world: dict[str, Any]) -> None:
    page = client_for(world["head"]).get(reverse("appeals:mapping"))
    assert page.status_code == 200
    assert "第六十八条" in text_of(page)
    assert (
        client_for(world["head"])
        .post(reverse("appeals:mapping"), {"result": "rc_mediated", "column": "upheld"})
        .status_code
        == 404
    )
    admin = client_for(make_staff(platform_role=PlatformRole.SYSTEM_ADMIN))
    assert admin.post(reverse("appeals:mapping"), {"result": "rc_mediated", "column": "upheld"}).status_code == 302
    assert ResultMapping.objects.get(result="rc_mediated").column == "upheld"


def test_report_builder_counts_the_tracked_appeals(world: dict[str, Any]) -> None:
    agency = world["agency"]
    make_appeal(agency, "2025-02-01", result="rc_revoked", result_on="2025-04-01")
    make_appeal(agency, "2024-12-01")  # carried over, open
    make_appeal(
        agency, "2025-03-01", kind="litigation", route="after_review", result="lt_withdrawn", result_on="2025-09-09"
    )
    report = builder.build_report_data(agency, 2025)
    assert report.table4["行政复议"] == {"结果维持": 0, "结果纠正": 1, "其他结果": 0, "尚未审结": 1, "总计": 2}
    assert report.table4["复议后起诉"]["其他结果"] == 1
    ids = builder.drilldown(agency, 2025, "表四", "行政复议", "结果纠正")
    assert [Appeal.objects.get(pk=i).result for i in ids] == ["rc_revoked"]
    assert Appeal.objects.filter(status=Status.CONCLUDED).count() == 2


def test_published_report_freezes_the_appeals_behind_table4(world: dict[str, Any]) -> None:
    from gongkai.reports import services as report_services

    agency, head = world["agency"], world["head"]
    counted = make_appeal(agency, "2025-02-01", result="rc_revoked", result_on="2025-04-01")
    report = report_services.report_get_or_create_draft(agency=agency, year=2025, actor=head)
    report = report_services.report_submit(report=report, actor=head)
    report = report_services.report_publish(report=report, actor=head)
    assert report.snapshot is not None
    assert report.snapshot["drilldown"]["table4"]["行政复议"]["结果纠正"] == [counted.pk]
    later = make_appeal(agency, "2025-03-01", result="rc_revoked", result_on="2025-05-01", number="湛政复〔2025〕99号")
    cell = reverse(
        "reports:cell",
        kwargs={"agency_id": agency.pk, "year": 2025, "table": "table4", "row": "行政复议", "col": "结果纠正"},
    )
    page = text_of(client_for(head).get(cell))
    assert reverse("appeals:detail", args=[counted.pk]) in page
    assert reverse("appeals:detail", args=[later.pk]) not in page
    # The report page links 表四's numbers to their drill-down.
    detail = text_of(client_for(head).get(reverse("reports:detail", kwargs={"agency_id": agency.pk, "year": 2025})))
    assert "/table4/" in detail


def test_edit_through_the_form_and_the_list_query_count(world: dict[str, Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    agency = world["agency"]
    case = make_case(agency, "2025-01-06", "2025-01-20")
    appeal = make_appeal(agency, "2025-02-03", accepted_on=dt.date(2025, 2, 5))
    appeal.cases.set([case])
    client = client_for(world["handler"])
    page = client.get(reverse("appeals:edit", args=[appeal.pk]))
    assert page.status_code == 200
    assert case.number in text_of(page)
    form = {
        "agency": agency.pk,
        "kind": "litigation",
        "route": "direct",
        "instance": "first",
        "body": "湛河区人民法院",
        "number": "（2025）豫0411行初7号",
        "appellant": "张三",
        "subject": "答复",
        "case_numbers": case.number,
        "filed_on": "2025-02-03",
        "accepted_on": "2025-02-05",
    }
    assert client.post(reverse("appeals:edit", args=[appeal.pk]), form).status_code == 302
    appeal.refresh_from_db()
    assert (appeal.kind, appeal.route, appeal.number) == ("litigation", "direct", "（2025）豫0411行初7号")
    # Six months from 立案 (行政诉讼法第八十一条): 5 Feb → 5 Aug 2025, a Tuesday.
    assert appeal.decision_due == dt.date(2025, 8, 5)
    unknown = client.post(reverse("appeals:edit", args=[appeal.pk]), {**form, "case_numbers": "NOPE-1"})
    assert "本机关没有申请编号为NOPE-1的申请" in text_of(unknown)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("appeals:list")).status_code == 200
        return len(ctx)

    few = queries()
    for i in range(8):
        make_appeal(agency, f"2025-03-{i + 1:02d}", kind="litigation", route="after_review")
    assert queries() == few
