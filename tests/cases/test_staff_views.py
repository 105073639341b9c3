"""The back office of 依申请公开 through the HTTP client: queues, registration, the case page, actions, documents."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongkai.accounts.roles import Role
from gongkai.audit.models import AuditEvent
from gongkai.cases import services
from gongkai.cases.codebook import Channel, Outcome
from gongkai.cases.models import AttachmentKind, Case, DocumentKind, DocumentStatus
from gongkai.cases.states import Status
from tests.cases.conftest import application, d
from tests.factories import make_agency, make_staff, valid_id_number

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64

pytestmark = pytest.mark.usefixtures("_media")


@pytest.fixture
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def register(agency: Any, actor: Any, on: str = "2026-03-02", **overrides: Any) -> Case:
    return services.case_register(
        agency=agency,
        data=application(**overrides),
        channel=Channel.IN_PERSON,
        actor=actor,
        received_on=d(on),
    )


def messages_of(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def action(client: Client, case: Case, slug: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    posted = {f"{slug}-{key}": value for key, value in (data or {}).items()}
    return client.post(reverse("cases:action", args=[case.pk, slug]), posted, **kw)


# ---------------------------------------------------------------------------------------------------------------------
# Queues


def test_queues_list_the_right_cases_with_counts(agency: Any, handler: Any) -> None:
    client = client_for(handler)
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False):
        processing = register(agency, handler, applicant_name="王处理")
        pending = services.case_submit_online(agency=agency, data=application(applicant_name="李待确认"))
        page = client.get(reverse("cases:list"), {"q": "pending"})
        body = page.content.decode()
        assert pending.number in body
        assert processing.number not in body
        assert "待确认（1）" in body
        assert processing.ledger is not None
        assert processing.ledger.reply_due == d("2026-03-30")
    with time_machine.travel("2026-03-26 09:00 +0800", tick=False):
        body = client.get(reverse("cases:list"), {"q": "due_soon"}).content.decode()
        assert processing.number in body
        assert "即将到期（1）" in body
        assert "已逾期（0）" in body
    with time_machine.travel("2026-03-31 09:00 +0800", tick=False):
        body = client.get(reverse("cases:list"), {"q": "overdue"}).content.decode()
        assert processing.number in body
        assert "已逾期（1）" in body
        assert "即将到期（0）" in body
        assert "已逾期</span>" in body


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_search_by_exact_id_number(agency: Any, handler: Any) -> None:
    number = valid_id_number(serial="517")
    case = register(agency, handler, id_number=number)
    client = client_for(handler)
    found = client.get(reverse("cases:list"), {"q": "all", "s": number}).content.decode()
    assert case.number in found
    other = client.get(reverse("cases:list"), {"q": "all", "s": valid_id_number(serial="518")}).content.decode()
    assert case.number not in other


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_list_queries_do_not_grow_with_rows(agency: Any, handler: Any, django_assert_max_num_queries: Any) -> None:
    client = client_for(handler)
    register(agency, handler)
    register(agency, handler)
    url = reverse("cases:list") + "?q=all"
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(6):
        register(agency, handler, items=[services.ItemInput(title="第二项"), services.ItemInput(title="第三项")])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('name="cases"') == 8


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_bulk_claim_reports_each_failure(agency: Any, handler: Any, head: Any) -> None:
    mine = register(agency, handler)
    theirs = register(agency, handler)
    services.case_assign(case=mine, actor=head, assignee=handler)
    services.case_assign(case=theirs, actor=head, assignee=head)
    other_agency = make_agency("宝丰县司法局")
    foreign = register(other_agency, make_staff(other_agency, Role.HANDLER))
    client = client_for(handler)
    response = client.post(
        reverse("cases:bulk"), {"op": "claim", "cases": [mine.pk, theirs.pk, foreign.pk], "q": "all"}, follow=True
    )
    text = messages_of(response)
    assert f"已认领1件：{theirs.number}" in text
    assert f"认领失败 {mine.number}：该申请已由您办理" in text
    assert f"编号{foreign.pk}：未找到该申请" in text
    assert Case.objects.get(pk=foreign.pk).assignee_id != handler.pk
    response = client.post(
        reverse("cases:bulk"), {"op": "assign", "cases": [mine.pk], "assignee": head.pk, "q": "all"}, follow=True
    )
    assert Case.objects.get(pk=mine.pk).assignee_id == head.pk


# ---------------------------------------------------------------------------------------------------------------------
# Registration


def _register_post(agency: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "agency": agency.pk,
        "channel": Channel.IN_PERSON,
        "received_on": "2026-03-02",
        "receipt_note": "",
        "applicant_type": "natural_person",
        "applicant_name": "赵当面",
        "id_type": "resident_id",
        "id_number": valid_id_number(serial="611"),
        "phone": "13903755678",
        "email": "zhao@example.com",
        "provision_form": "paper",
        "obtain_method": "pickup",
        "item_1_title": "2025年行政复议案件统计",
        "item_2_description": "本局2025年政府信息公开工作台账",
    }
    data.update(overrides)
    return data


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_register_in_person_opens_the_clock(agency: Any, handler: Any) -> None:
    client = client_for(handler)
    assert "第三十一条（一）" in client.get(reverse("cases:register")).content.decode()
    upload = SimpleUploadedFile("身份证.png", PNG, content_type="application/octet-stream")
    response = client.post(reverse("cases:register"), {**_register_post(agency), "attachments": [upload]})
    case = Case.objects.get(applicant_name="赵当面")
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.status == Status.PROCESSING
    assert case.received_on == d("2026-03-02")
    assert case.items.count() == 2
    assert case.attachments.get().content_type == "image/png"


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_register_ordinary_mail_needs_the_confirmation_note(agency: Any, handler: Any) -> None:
    client = client_for(handler)
    response = client.post(reverse("cases:register"), _register_post(agency, channel=Channel.ORDINARY_MAIL))
    assert response.status_code == 200
    assert "收到日期依据：平常信函须写明与申请人确认的情况" in response.content.decode()
    assert not Case.objects.exists()


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_register_fax_waits_for_confirmation_and_bad_upload_is_named(agency: Any, handler: Any) -> None:
    client = client_for(handler)
    client.post(reverse("cases:register"), _register_post(agency, channel=Channel.FAX))
    assert Case.objects.get().status == Status.PENDING
    bad = SimpleUploadedFile("id.png", b"#!/bin/sh\necho hi\n", content_type="image/png")
    response = client.post(reverse("cases:register"), {**_register_post(agency), "attachments": [bad]})
    assert "文件类型不受支持" in response.content.decode()
    assert Case.objects.count() == 1


def test_register_is_not_found_without_handling_rights(agency: Any) -> None:
    reviewer = make_staff(agency, Role.REVIEWER)
    assert client_for(reviewer).get(reverse("cases:register")).status_code == 404


# ---------------------------------------------------------------------------------------------------------------------
# The case page and its actions


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_confirm_receipt_by_post(agency: Any, handler: Any) -> None:
    case = services.case_submit_online(agency=agency, data=application())
    client = client_for(handler)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="action-confirm_receipt"' in page
    response = action(client, case, "confirm_receipt", {"received_on": "2026-03-02", "note": "电话确认"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.PROCESSING
    assert case.received_on == d("2026-03-02")
    assert case.assignee_id == handler.pk


@time_machine.travel("2026-03-03 09:00 +0800", tick=False)
def test_request_correction_makes_a_draft_notice(agency: Any, handler: Any) -> None:
    case = register(agency, handler)
    client = client_for(handler)
    response = action(
        client,
        case,
        "request_correction",
        {"on": "2026-03-03", "standard": ["DESCRIPTION"], "other": "请注明年份", "period_days": "10"},
        follow=True,
    )
    assert "补正告知书草稿" in messages_of(response)
    case.refresh_from_db()
    assert case.status == Status.AWAITING_CORRECTION
    assert "特征性描述不明确" in case.correction_items
    assert "请注明年份" in case.correction_items
    doc = case.documents.get(kind=DocumentKind.CORRECTION_NOTICE)
    assert doc.status == DocumentStatus.DRAFT


@time_machine.travel("2026-03-03 09:00 +0800", tick=False)
def test_action_form_errors_rerender_and_change_nothing(agency: Any, handler: Any) -> None:
    case = register(agency, handler)
    response = action(client_for(handler), case, "request_correction", {"on": "2026-03-03", "period_days": "10"})
    assert response.status_code == 200
    assert "补正事项：请写明需要补正的事项" in response.content.decode() or "请写明需要补正的事项" in (
        response.content.decode()
    )
    assert "未执行" in messages_of(response)
    assert Case.objects.get(pk=case.pk).status == Status.PROCESSING


@time_machine.travel("2026-03-10 09:00 +0800", tick=False)
def test_partial_reply_closes_with_a_draft_and_the_document_is_issued(agency: Any, handler: Any) -> None:
    case = register(agency, handler)
    client = client_for(handler)
    response = action(
        client,
        case,
        "reply",
        {
            "outcome": Outcome.PARTIAL,
            "variant": "",
            "on": "2026-03-10",
            "text": "经审查，部分公开。",
            "w1_description": "受援人姓名",
            "w1_ground": Outcome.WITHHELD_THIRD_PARTY,
            "w1_reason": "涉及个人隐私",
        },
    )
    assert response.status_code == 302, messages_of(response)
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.outcome == Outcome.PARTIAL
    assert case.withheld_parts.get().ground == Outcome.WITHHELD_THIRD_PARTY
    doc = case.documents.get(kind=DocumentKind.REPLY)
    assert doc.status == DocumentStatus.DRAFT

    doc_url = reverse("cases:document", args=[case.pk, doc.pk])
    page = client.get(doc_url).content.decode()
    assert "修改草稿" in page
    assert "签发" in page
    body = "第一段内容。\n\n第二段\n接续同一段。"
    response = client.post(doc_url, {"doc-title": "答复书", "doc-addressee": "张三：", "doc-body": body})
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.body == ["第一段内容。", "第二段接续同一段。"]
    draft_pdf = client.get(reverse("cases:document_pdf", args=[case.pk, doc.pk]))
    assert draft_pdf["Content-Disposition"].startswith("attachment")
    assert draft_pdf.content.startswith(b"%PDF")

    response = client.post(reverse("cases:document_issue", args=[case.pk, doc.pk]), {"issue-on": "2026-03-10"})
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.ISSUED
    assert doc.doc_number == "湛司公复〔2026〕1号"
    page = client.get(doc_url).content.decode()
    assert doc.pdf_sha256 in page
    assert "修改草稿" not in page
    docx = client.get(reverse("cases:document_docx", args=[case.pk, doc.pk]))
    pdf = client.get(reverse("cases:document_pdf", args=[case.pk, doc.pk]))
    for response in (docx, pdf):
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
    assert docx.content.startswith(b"PK")
    assert pdf.content.startswith(b"%PDF")

    # An issued document is frozen: a later edit is refused with the service's reason.
    response = client.post(doc_url, {"doc-title": "改", "doc-body": "改"})
    assert "文书已签发，不能修改" in response.content.decode()
    # 送达 of the issued reply
    deliver = reverse("cases:document_deliver", args=[case.pk, doc.pk])
    response = client.post(deliver, {"delivery-method": "post", "delivery-sent_on": "2026-03-10"})
    assert "邮件单号（邮寄）：邮寄送达请填写邮件单号" in response.content.decode()
    response = client.post(
        deliver, {"delivery-method": "post", "delivery-sent_on": "2026-03-10", "delivery-waybill": "EMS123"}
    )
    assert response.status_code == 302
    assert doc.deliveries.get().waybill == "EMS123"


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_other_agency_gets_404_on_case_documents_and_attachments(agency: Any, handler: Any) -> None:
    case = services.case_register(
        agency=agency,
        data=application(attachments=[services.UploadInput("id.png", PNG, "image/png", AttachmentKind.ID_COPY)]),
        channel=Channel.IN_PERSON,
        actor=handler,
        received_on=d("2026-03-02"),
    )
    doc = services.case_request_correction(case=case, actor=handler, on=d("2026-03-02"), items="年份", period_days=5)
    attachment = case.attachments.get()
    own = client_for(handler)
    got = own.get(reverse("cases:attachment", args=[case.pk, attachment.pk]))
    assert got.status_code == 200
    assert got.content == PNG
    assert got["Content-Disposition"].startswith("attachment")
    assert got["X-Content-Type-Options"] == "nosniff"

    other = make_agency("宝丰县司法局")
    outsider = client_for(make_staff(other, Role.HANDLER))
    urls = [
        reverse("cases:detail", args=[case.pk]),
        reverse("cases:document", args=[case.pk, doc.pk]),
        reverse("cases:document_docx", args=[case.pk, doc.pk]),
        reverse("cases:document_pdf", args=[case.pk, doc.pk]),
        reverse("cases:attachment", args=[case.pk, attachment.pk]),
        reverse("cases:fee_quote", args=[case.pk]),
    ]
    for url in urls:
        assert outsider.get(url).status_code == 404, url
    assert action(outsider, case, "add_note", {"note": "x"}).status_code == 404
    assert outsider.post(reverse("cases:reveal", args=[case.pk]), {"field": "phone"}).status_code == 404
    # A document of one case is not reachable under another case's id, even one the user may see.
    mine = register(agency, handler)
    assert own.get(reverse("cases:document", args=[mine.pk, doc.pk])).status_code == 404


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_handler_cannot_extend_but_head_can(agency: Any, handler: Any, head: Any) -> None:
    case = register(agency, handler)
    client = client_for(handler)
    assert 'id="action-extend"' not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    data = {"days": "10", "reason": "需要检索档案", "approved_on": "2026-03-02"}
    response = action(client, case, "extend", data, follow=True)
    assert "须由本机关负责人执行" in messages_of(response)
    assert Case.objects.get(pk=case.pk).extension_days is None

    boss = client_for(head)
    assert 'id="action-extend"' in boss.get(reverse("cases:detail", args=[case.pk])).content.decode()
    response = action(boss, case, "extend", data, follow=True)
    assert "延期答复告知书草稿" in messages_of(response)
    assert Case.objects.get(pk=case.pk).extension_days == 10


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_invalid_transition_is_refused_with_the_reason(agency: Any, handler: Any) -> None:
    case = register(agency, handler)
    client = client_for(handler)
    assert 'id="action-record_payment"' not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    response = action(client, case, "record_payment", {"on": "2026-03-02", "amount": "100"}, follow=True)
    assert "案件当前状态为“办理中”，不能执行“收到缴费”" in messages_of(response)
    assert Case.objects.get(pk=case.pk).status == Status.PROCESSING
    assert action(client, case, "no_such_action").status_code == 404


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_fee_quote_is_a_read_only_preview(agency: Any, handler: Any) -> None:
    case = register(agency, handler)
    response = client_for(handler).get(
        reverse("cases:fee_quote", args=[case.pk]),
        {"notify_fee-on": "2026-03-02", "notify_fee-method": "per_volume", "notify_fee-pages": "120"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "按量计收：1100元" in body  # 70 × 10 + 20 × 20
    assert not hasattr(Case.objects.get(pk=case.pk), "fee") or not Case.objects.filter(fee__isnull=False).exists()


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_reveal_is_audited_once_and_shown_once(agency: Any, handler: Any) -> None:
    number = valid_id_number(serial="733")
    case = register(agency, handler, id_number=number)
    client = client_for(handler)
    detail = reverse("cases:detail", args=[case.pk])
    first = client.get(detail).content.decode()
    assert number not in first
    assert "查看完整信息" in first
    before = AuditEvent.objects.filter(action="personal_data.reveal").count()
    response = client.post(reverse("cases:reveal", args=[case.pk]), {"field": "id_number"})
    assert response.status_code == 302
    assert response["Location"] == detail
    shown = client.get(detail).content.decode()
    assert number in shown
    again = client.get(detail).content.decode()
    assert number not in again
    rows = AuditEvent.objects.filter(action="personal_data.reveal")
    assert rows.count() == before + 1
    assert number not in str(rows.last().after)  # only the masked value enters the log

    # A reviewer sees the case but not the full number.
    reviewer = client_for(make_staff(agency, Role.REVIEWER))
    assert "查看完整信息" not in reviewer.get(detail).content.decode()
    response = reviewer.post(reverse("cases:reveal", args=[case.pk]), {"field": "id_number"}, follow=True)
    assert "只有本机关经办人或负责人" in messages_of(response)
    assert rows.count() == before + 1


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_case_page_shows_the_clock_and_timeline(agency: Any, handler: Any) -> None:
    case = register(agency, handler)
    services.case_add_note(case=case, actor=handler, note="已电话联系申请人")
    body = client_for(handler).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "2026年3月30日" in body
    assert "已电话联系申请人" in body
    assert "登记申请" in body
    assert case.applicant_name in body
    assert "139****" in body


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_attachment_upload_through_the_action(agency: Any, handler: Any) -> None:
    case = register(agency, handler)
    client = client_for(handler)
    upload = SimpleUploadedFile("公开信息.png", PNG)
    response = action(client, case, "add_attachment", {"kind": "released", "file": upload})
    assert response.status_code == 302
    assert case.attachments.get().original_name == "公开信息.png"
    fake = SimpleUploadedFile("x.pdf", b"not a pdf at all")
    response = action(client, case, "add_attachment", {"kind": "released", "file": fake})
    assert response.status_code == 200
    assert "文件类型不受支持" in response.content.decode()
    assert case.attachments.count() == 1


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_staff_home_shows_the_queue_counts(agency: Any, handler: Any) -> None:
    services.case_submit_online(agency=agency, data=application())
    body = client_for(handler).get(reverse("staff:home")).content.decode()
    assert f'href="{reverse("cases:list")}?q=pending">待确认</a> <strong>1</strong>' in body
    assert f'href="{reverse("cases:list")}"' in body  # the nav link
    reviewer_without_cases = client_for(make_staff(make_agency("无案件机关"), Role.AUDITOR))
    assert "?q=pending" not in reviewer_without_cases.get(reverse("staff:home")).content.decode()


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_garbage_in_every_action_form_is_never_a_500(agency: Any, handler: Any, head: Any) -> None:
    from gongkai.cases.views_staff import ACTIONS

    processing = register(agency, head)
    pending = services.case_submit_online(agency=agency, data=application())
    client = client_for(head)
    for case in (processing, pending):
        for slug, spec in ACTIONS.items():
            fields = spec.form(case=case, user=head).fields
            for junk in ("垃圾", "-1", "99999999999999999999", ""):
                response = action(client, case, slug, dict.fromkeys(fields, junk))
                assert response.status_code in (200, 302), (slug, junk, response.status_code)
    bulk = client.post(reverse("cases:bulk"), {"op": "claim", "cases": ["99999999999999999999", "x"]})
    assert bulk.status_code == 302
    listing = client.get(
        reverse("cases:list"), {"q": "nope", "agency": "x", "received_from": "2026-13-45", "page": "z"}
    )
    assert listing.status_code == 200
