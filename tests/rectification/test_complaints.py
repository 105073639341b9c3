"""投诉举报: registration, the workflow per actor, conclusions and remedies, complaint → notice, reply due, personal
data encrypted at rest."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gongkai.audit.models import AuditEvent
from gongkai.core.fields import lookup
from gongkai.rectification import selectors, services
from gongkai.rectification.models import Complaint, ComplaintEvent, Notice
from gongkai.rectification.states import (
    COMPLAINT_ACTIONS,
    COMPLAINT_REPLY_DAYS,
    Basis,
    ComplaintAction,
    ComplaintStatus,
    Conclusion,
    NoticeStatus,
    Remedy,
)
from tests.rectification.conftest import TODAY, World


def register(world: World, **overrides: Any) -> Complaint:
    values: dict[str, Any] = {
        "office": world.office,
        "agency": world.dept_a,
        "actor": world.supervisor,
        "channel": "hotline",
        "complaint_type": "not_answered",
        "description": "2026年1月5日向司法局申请公开法律援助经费，至今未答复",
        "received_on": TODAY,
        "complainant_name": "张三",
        "phone": "139-0375-1234",
        "today": TODAY,
    }
    values.update(overrides)
    return services.complaint_register(**values)


def complaint_in(world: World, status: str) -> Complaint:
    complaint = register(world)
    if status in (ComplaintStatus.INVESTIGATING, ComplaintStatus.CLOSED):
        complaint = services.complaint_investigate(complaint=complaint, actor=world.supervisor)
    if status == ComplaintStatus.CLOSED:
        complaint = services.complaint_conclude(
            complaint=complaint,
            actor=world.supervisor,
            conclusion=Conclusion.UNSUBSTANTIATED,
            findings="已于法定期限内答复",
            reply_text="经查，该局已于2026年1月20日答复。",
        )
    assert complaint.status == status
    return complaint


def _do(action: str, complaint: Complaint, actor: Any) -> Complaint:
    if action == ComplaintAction.INVESTIGATE:
        return services.complaint_investigate(complaint=complaint, actor=actor)
    if action == ComplaintAction.CONCLUDE:
        return services.complaint_conclude(
            complaint=complaint,
            actor=actor,
            conclusion=Conclusion.SUBSTANTIATED,
            findings="逾期未答复属实",
            reply_text="经查属实，已督促整改。",
            remedy=Remedy.CRITICIZE,
            criticism="在全区通报批评",
        )
    return services.complaint_reject(
        complaint=complaint, actor=actor, reason="不属于政府信息公开事项", reply_text="不予受理"
    )


@pytest.mark.parametrize("status", ComplaintStatus.values)
@pytest.mark.parametrize("action", list(COMPLAINT_ACTIONS))
def test_every_transition_per_actor(world: World, status: str, action: str) -> None:
    rule = COMPLAINT_ACTIONS[action]
    for name in ("supervisor", "supervisor2", "handler_a", "head_a"):
        complaint = complaint_in(world, status)
        actor = getattr(world, name)
        expected = name == "supervisor" and status in rule.sources
        assert services.can_act(actor, action, complaint=complaint) == expected
        events = ComplaintEvent.objects.filter(complaint=complaint).count()
        if expected:
            assert _do(action, complaint, actor).status == rule.target
            assert ComplaintEvent.objects.filter(complaint=complaint).count() == events + 1
        else:
            with pytest.raises(ValidationError):
                _do(action, complaint, actor)
            assert Complaint.objects.get(pk=complaint.pk).status == status
            assert ComplaintEvent.objects.filter(complaint=complaint).count() == events


def test_register_numbers_and_reply_due(world: World) -> None:
    first = register(world)
    second = register(world, received_on=TODAY - dt.timedelta(days=3))
    assert (first.number, second.number) == ("2026-0001", "2026-0002")
    assert first.reply_due == TODAY + dt.timedelta(days=COMPLAINT_REPLY_DAYS)
    assert first.status == ComplaintStatus.RECEIVED
    assert len(first.tracking_code) == 14


def test_register_refuses_bad_input_naming_fields(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        register(
            world,
            channel="fax",
            complaint_type="x",
            description=" ",
            phone="12",
            received_on=TODAY + dt.timedelta(days=1),
        )
    assert set(caught.value.message_dict) == {"channel", "complaint_type", "description", "phone", "received_on"}
    assert Complaint.objects.count() == 0


def test_register_only_for_supervised_agencies_of_ones_own_office(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        register(world, agency=world.dept_c)
    assert "agency" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        register(world, actor=world.handler_a)
    assert "office" in caught.value.message_dict


def test_anonymous_registration_by_staff(world: World) -> None:
    complaint = register(world, complainant_name="", phone="", channel="letter")
    assert complaint.phone is None
    assert complaint.complainant_name == ""


def test_substantiated_needs_a_remedy_and_rectify_drafts_a_prefilled_notice(world: World) -> None:
    complaint = complaint_in(world, ComplaintStatus.INVESTIGATING)
    with pytest.raises(ValidationError) as caught:
        services.complaint_conclude(
            complaint=complaint,
            actor=world.supervisor,
            conclusion=Conclusion.SUBSTANTIATED,
            findings="属实",
            reply_text="属实",
        )
    assert "remedy" in caught.value.message_dict
    complaint = services.complaint_conclude(
        complaint=complaint,
        actor=world.supervisor,
        conclusion=Conclusion.SUBSTANTIATED,
        findings="该局逾期未答复属实",
        reply_text="经查属实，已督促该局整改。",
        remedy=Remedy.RECTIFY,
        today=TODAY,
    )
    assert (complaint.status, complaint.conclusion, complaint.closed_on) == (
        ComplaintStatus.CLOSED,
        Conclusion.SUBSTANTIATED,
        TODAY,
    )
    notice = Notice.objects.get(complaint=complaint)
    assert notice.status == NoticeStatus.DRAFT
    assert (notice.office, notice.agency, notice.basis) == (world.office, world.dept_a, Basis.COMPLAINT)
    assert notice.deadline == TODAY + dt.timedelta(days=services.DEFAULT_RECTIFY_DAYS)
    item = notice.items.get()
    assert "至今未答复" in item.problem
    assert "该局逾期未答复属实" in item.problem
    # The draft needs its requirement before it can be issued.
    with pytest.raises(ValidationError):
        services.notice_issue(notice=notice, actor=world.supervisor, today=TODAY)


def test_criticism_on_a_complaint_and_partly_true(world: World) -> None:
    complaint = complaint_in(world, ComplaintStatus.INVESTIGATING)
    with pytest.raises(ValidationError) as caught:
        services.complaint_conclude(
            complaint=complaint,
            actor=world.supervisor,
            conclusion=Conclusion.PARTLY,
            findings="部分属实",
            reply_text="部分属实",
            remedy=Remedy.CRITICIZE,
        )
    assert "criticism" in caught.value.message_dict
    complaint = services.complaint_conclude(
        complaint=complaint,
        actor=world.supervisor,
        conclusion=Conclusion.PARTLY,
        findings="部分属实",
        reply_text="部分属实，已通报批评。",
        remedy=Remedy.CRITICIZE,
        criticism="通报批评湛河区司法局",
    )
    assert (complaint.remedy, complaint.criticism) == (Remedy.CRITICIZE, "通报批评湛河区司法局")
    assert not Notice.objects.filter(complaint=complaint).exists()


def test_unsubstantiated_takes_no_remedy(world: World) -> None:
    complaint = complaint_in(world, ComplaintStatus.INVESTIGATING)
    with pytest.raises(ValidationError) as caught:
        services.complaint_conclude(
            complaint=complaint,
            actor=world.supervisor,
            conclusion=Conclusion.UNSUBSTANTIATED,
            findings="不属实",
            reply_text="不属实",
            remedy=Remedy.RECTIFY,
        )
    assert "remedy" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.complaint_conclude(
            complaint=complaint,
            actor=world.supervisor,
            conclusion=Conclusion.NOT_ACCEPTED,
            findings="x",
            reply_text="x",
        )
    assert "conclusion" in caught.value.message_dict


def test_reject_needs_reason_and_reply(world: World) -> None:
    complaint = complaint_in(world, ComplaintStatus.RECEIVED)
    with pytest.raises(ValidationError) as caught:
        services.complaint_reject(complaint=complaint, actor=world.supervisor, reason="", reply_text="")
    assert set(caught.value.message_dict) == {"findings", "reply_text"}
    closed = services.complaint_reject(
        complaint=complaint, actor=world.supervisor, reason="不属于本部门主管范围", reply_text="请向有关部门反映"
    )
    assert closed.conclusion == Conclusion.NOT_ACCEPTED


@pytest.mark.parametrize(("offset", "overdue"), [(COMPLAINT_REPLY_DAYS, False), (COMPLAINT_REPLY_DAYS + 1, True)])
def test_complaint_overdue_at_the_reply_due_boundary(world: World, offset: int, overdue: bool) -> None:
    complaint = register(world)
    today = TODAY + dt.timedelta(days=offset)
    assert (complaint in selectors.overdue_complaints(Complaint.objects.all(), today)) is overdue
    closed = complaint_in(world, ComplaintStatus.CLOSED)
    assert closed not in selectors.overdue_complaints(Complaint.objects.all(), today + dt.timedelta(days=400))


def test_phone_is_encrypted_at_rest_and_masked_in_the_audit_log(world: World) -> None:
    complaint = register(world, phone="13903751234", other_contact="河南省平顶山市湛河区某路1号")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, other_contact FROM rectification_complaint WHERE id = %s", [complaint.pk])
        phone_raw, other_raw = cursor.fetchone()
    assert "13903751234" not in phone_raw
    assert "1234" not in phone_raw
    assert "湛河区" not in other_raw
    fresh = Complaint.objects.get(pk=complaint.pk)
    assert fresh.phone == "13903751234"
    assert Complaint.objects.filter(**lookup(Complaint, "phone", "139 0375 1234")).get() == fresh
    rows = AuditEvent.objects.filter(object_id=str(complaint.pk), action__startswith="rectification.complaint.")
    assert rows.exists()
    for row in rows:
        assert "13903751234" not in str(row.after)
    assert rows.get(action="rectification.complaint.register").after["phone"] == "139****1234"


def test_phone_reveal_is_audited_and_office_only(world: World) -> None:
    complaint = register(world, phone="13903751234")
    assert services.complaint_phone_reveal(complaint=complaint, actor=world.supervisor) == "13903751234"
    assert AuditEvent.objects.filter(action="rectification.complaint.reveal", actor_id=world.supervisor.pk).count() == 1
    with pytest.raises(ValidationError):
        services.complaint_phone_reveal(complaint=complaint, actor=world.supervisor2)


def test_complaint_audit_rows_go_to_the_office_chain(world: World) -> None:
    complaint = complaint_in(world, ComplaintStatus.CLOSED)
    rows = AuditEvent.objects.filter(object_id=str(complaint.pk), action__startswith="rectification.complaint.")
    assert list(rows.order_by("seq").values_list("action", flat=True)) == [
        "rectification.complaint.register",
        "rectification.complaint.investigate",
        "rectification.complaint.conclude",
    ]
    assert set(rows.values_list("agency_id", flat=True)) == {world.office.pk}
