"""Back-office pages over HTTP: who sees what (the same 404 for missing and not yours), lists and filters, the forms
and actions, the masked phone."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongkai.audit.models import AuditEvent
from gongkai.rectification.models import Complaint, Notice
from gongkai.rectification.states import ComplaintStatus, NoticeStatus
from tests.cases.test_public_views import PNG
from tests.rectification.conftest import World, draft, notice_in
from tests.rectification.test_complaints import register


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _notice(world: World, status: str) -> Notice:
    return notice_in(world, status, today=timezone.localdate())


def test_notice_access_per_side(world: World) -> None:
    issued = _notice(world, NoticeStatus.ISSUED)
    unsent = draft(world, today=timezone.localdate())
    url = reverse("rectification:notice", args=[issued.pk])
    assert login(world.supervisor).get(url).status_code == 200
    assert login(world.handler_a).get(url).status_code == 200
    assert login(world.head_a).get(url).status_code == 200
    # Another agency, another office: the same 404 as for a missing notice.
    missing = reverse("rectification:notice", args=[999999])
    for outsider in (world.handler_b, world.supervisor2):
        response = login(outsider).get(url)
        assert response.status_code == 404
        assert login(outsider).get(missing).status_code == 404
    # The agency does not see drafts: they are the office's work in progress.
    assert login(world.handler_a).get(reverse("rectification:notice", args=[unsent.pk])).status_code == 404
    assert login(world.supervisor).get(reverse("rectification:notice", args=[unsent.pk])).status_code == 200
    assert login(world.supervisor).get("/staff/rectification/99999999999999999999/").status_code == 404


def test_list_shows_only_ones_own_and_filters(world: World, django_assert_max_num_queries: Any) -> None:
    today = timezone.localdate()
    open_one = _notice(world, NoticeStatus.ACKNOWLEDGED)
    closed = _notice(world, NoticeStatus.CLOSED)
    late = _notice(world, NoticeStatus.ISSUED)
    Notice.objects.filter(pk=late.pk).update(deadline=today - dt.timedelta(days=1))
    client = login(world.supervisor)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("rectification:list")).content.decode()
    assert all(n.title in page for n in (open_one, closed, late))
    assert page.count('<strong class="overdue">已逾期</strong>') == 1
    filtered = client.get(reverse("rectification:list"), {"overdue": "on"}).content.decode()
    assert filtered.count(f'href="/staff/rectification/{late.pk}/"') == 1
    assert f'href="/staff/rectification/{open_one.pk}/"' not in filtered
    by_status = client.get(reverse("rectification:list"), {"status": "closed"}).content.decode()
    assert f'href="/staff/rectification/{closed.pk}/"' in by_status
    assert f'href="/staff/rectification/{late.pk}/"' not in by_status
    assert "没有符合条件" in login(world.handler_b).get(reverse("rectification:list")).content.decode()
    assert "没有符合条件" in login(world.supervisor2).get(reverse("rectification:list")).content.decode()
    # Bad filter input is a form error, not a 500.
    assert client.get(reverse("rectification:list"), {"agency": "x", "status": "nope"}).status_code == 200


def test_create_edit_and_issue_over_http(world: World) -> None:
    client = login(world.supervisor)
    today = timezone.localdate()
    data = {
        "office": world.office.pk,
        "agency": world.dept_a.pk,
        "title": "关于主动公开目录不全的督促整改通知",
        "basis": "routine",
        "deadline": (today - dt.timedelta(days=1)).isoformat(),
        "item-1-problem": "目录缺少文件",
        "item-1-requirement": "补齐",
    }
    refused = client.post(reverse("rectification:notice_create"), data)
    assert refused.status_code == 200
    assert "整改期限：整改期限不能早于下发日期" in refused.content.decode()
    assert Notice.objects.count() == 0
    data["deadline"] = (today + dt.timedelta(days=20)).isoformat()
    response = client.post(reverse("rectification:notice_create"), data)
    notice = Notice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("rectification:notice", args=[notice.pk])
    edit = {k: v for k, v in data.items() if k not in ("office", "agency")} | {"item-2-problem": "指南过期"}
    client.post(reverse("rectification:notice_edit", args=[notice.pk]), edit)
    assert notice.items.count() == 2
    # Issuing without a requirement for item 2 is refused with the reason shown.
    page = client.post(reverse("rectification:notice_act", args=[notice.pk, "issue"]), follow=True).content.decode()
    assert "下发前须为每一项写明整改要求" in page
    client.post(reverse("rectification:notice_edit", args=[notice.pk]), edit | {"item-2-requirement": "更新"})
    client.post(reverse("rectification:notice_act", args=[notice.pk, "issue"]))
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ISSUED
    assert notice.seq == 1
    # A draft-only page is gone once issued.
    assert client.get(reverse("rectification:notice_edit", args=[notice.pk])).status_code == 404


def test_create_refused_to_agency_staff(world: World) -> None:
    assert login(world.handler_a).get(reverse("rectification:notice_create")).status_code == 404


def test_agency_side_acknowledge_record_report_with_file_then_office_returns_and_accepts(world: World) -> None:
    notice = _notice(world, NoticeStatus.ISSUED)
    handler, head, office = login(world.handler_a), login(world.head_a), login(world.supervisor)
    # The office cannot sign for the agency.
    office.post(reverse("rectification:notice_act", args=[notice.pk, "acknowledge"]))
    assert Notice.objects.get(pk=notice.pk).status == NoticeStatus.ISSUED
    handler.post(reverse("rectification:notice_act", args=[notice.pk, "acknowledge"]))
    assert Notice.objects.get(pk=notice.pk).status == NoticeStatus.ACKNOWLEDGED
    items_url = reverse("rectification:notice_items", args=[notice.pk])
    handler.post(
        items_url,
        {
            "item-1-rectification": "已更新指南",
            "item-1-attachment": SimpleUploadedFile("截图.png", PNG),
            "item-2-rectification": "已补充目录",
            "submit": "record",
        },
    )
    # A 经办人 cannot report: that is the 负责人's.
    page = handler.post(items_url, {"submit": "report"}, follow=True).content.decode()
    assert "须由被督促整改的机关有相应权限的工作人员办理" in page
    assert Notice.objects.get(pk=notice.pk).status == NoticeStatus.ACKNOWLEDGED
    assert "报告整改须由本机关负责人提交" in page
    head.post(items_url, {"submit": "report"})
    assert Notice.objects.get(pk=notice.pk).status == NoticeStatus.REPORTED
    item = notice.items.get(position=1)
    download = office.get(reverse("rectification:notice_attachment", args=[notice.pk, item.pk]))
    assert download.status_code == 200
    assert download.content == PNG
    assert download["Content-Disposition"].startswith("attachment")
    assert (
        login(world.handler_b).get(reverse("rectification:notice_attachment", args=[notice.pk, item.pk])).status_code
        == 404
    )
    office.post(reverse("rectification:notice_act", args=[notice.pk, "return"]), {"reason": "截图不清晰"})
    assert Notice.objects.get(pk=notice.pk).status == NoticeStatus.ACKNOWLEDGED
    assert "截图不清晰" in handler.get(reverse("rectification:notice", args=[notice.pk])).content.decode()
    head.post(items_url, {"item-1-rectification": "已重新截图", "submit": "report"})
    office.post(reverse("rectification:notice_act", args=[notice.pk, "accept"]), {"note": "整改到位"})
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.CLOSED
    timeline = office.get(reverse("rectification:notice", args=[notice.pk])).content.decode()
    for label in ("起草", "下发", "签收", "填写整改情况", "报告整改", "退回重改", "验收通过"):
        assert label in timeline
    # An unknown action is bad input (400) for those who may see the notice, the plain 404 for everyone else.
    assert office.post(reverse("rectification:notice_act", args=[notice.pk, "bogus"])).status_code == 400
    assert (
        login(world.handler_b).post(reverse("rectification:notice_act", args=[notice.pk, "bogus"])).status_code == 404
    )


def test_complaints_are_the_offices_only(world: World) -> None:
    complaint = register(world, received_on=timezone.localdate(), today=timezone.localdate())
    url = reverse("rectification:complaint", args=[complaint.pk])
    assert login(world.supervisor).get(url).status_code == 200
    for outsider in (world.handler_a, world.head_a, world.supervisor2):
        assert login(outsider).get(url).status_code == 404
    assert login(world.handler_a).get(reverse("rectification:complaints")).status_code == 404
    assert login(world.handler_a).get(reverse("rectification:complaint_create")).status_code == 404


def test_phone_masked_on_screen_and_revealed_once_with_audit(world: World) -> None:
    complaint = register(world, phone="13903751234", received_on=timezone.localdate(), today=timezone.localdate())
    client = login(world.supervisor)
    url = reverse("rectification:complaint", args=[complaint.pk])
    page = client.get(url).content.decode()
    assert "139****1234" in page
    assert "13903751234" not in page
    client.post(reverse("rectification:complaint_reveal", args=[complaint.pk]))
    assert "13903751234" in client.get(url).content.decode()
    assert "13903751234" not in client.get(url).content.decode()  # once only
    assert AuditEvent.objects.filter(action="rectification.complaint.reveal").count() == 1


def test_register_investigate_conclude_with_rectify_over_http(world: World) -> None:
    client = login(world.supervisor)
    today = timezone.localdate()
    response = client.post(
        reverse("rectification:complaint_create"),
        {
            "office": world.office.pk,
            "agency": world.dept_a.pk,
            "channel": "letter",
            "complaint_type": "not_published",
            "received_on": today.isoformat(),
            "complainant_name": "",
            "phone": "",
            "description": "未公开2025年预算",
        },
    )
    complaint = Complaint.objects.get()
    assert response["Location"] == reverse("rectification:complaint", args=[complaint.pk])
    client.post(reverse("rectification:complaint_act", args=[complaint.pk, "investigate"]))
    refused = client.post(
        reverse("rectification:complaint_act", args=[complaint.pk, "conclude"]),
        {"conclusion": "substantiated", "findings": "属实", "reply_text": "属实"},
        follow=True,
    ).content.decode()
    assert "应当予以督促整改或者通报批评" in refused
    response = client.post(
        reverse("rectification:complaint_act", args=[complaint.pk, "conclude"]),
        {"conclusion": "substantiated", "remedy": "rectify", "findings": "属实", "reply_text": "已督促整改"},
    )
    notice = Notice.objects.get(complaint=complaint)
    assert response["Location"] == reverse("rectification:notice", args=[notice.pk])
    assert Complaint.objects.get().status == ComplaintStatus.CLOSED
    filtered = client.get(reverse("rectification:complaints"), {"status": "closed"}).content.decode()
    assert re.search(rf'href="/staff/rectification/complaints/{complaint.pk}/"', filtered)


def test_complaint_list_overdue_filter(world: World) -> None:
    today = timezone.localdate()
    late = register(world, received_on=today - dt.timedelta(days=61), today=today)
    fresh = register(world, received_on=today, today=today)
    page = login(world.supervisor).get(reverse("rectification:complaints"), {"overdue": "on"}).content.decode()
    assert f"/staff/rectification/complaints/{late.pk}/" in page
    assert f"/staff/rectification/complaints/{fresh.pk}/" not in page


def test_complaint_list_queries_do_not_grow_with_rows(world: World, django_assert_max_num_queries: Any) -> None:
    today = timezone.localdate()
    for _ in range(12):
        register(world, received_on=today, today=today)
    client = login(world.supervisor)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("rectification:complaints")).content.decode()
    assert page.count("/staff/rectification/complaints/") >= 12


def test_complaint_timeline_in_words(world: World) -> None:
    today = timezone.localdate()
    complaint = register(world, received_on=today, today=today)
    client = login(world.supervisor)
    client.post(
        reverse("rectification:complaint_act", args=[complaint.pk, "reject"]),
        {"findings": "非本部门主管", "reply_text": "请向市级主管部门反映"},
    )
    page = client.get(reverse("rectification:complaint", args=[complaint.pk])).content.decode()
    for words in ("登记", "不予受理", "→ 已办结", "非本部门主管", "请向市级主管部门反映"):
        assert words in page
