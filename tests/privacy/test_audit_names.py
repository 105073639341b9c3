"""The audit log cannot be anonymised (append-only, hash-chained), so no new row may name a member of the public or
carry an unmasked identifier: rows name people's records by number (case, complaint, account) and hold masked
values only. Checked on the rows real service calls write."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import time_machine

from gongkai.appeals import services as appeal_services
from gongkai.appeals.codebook import AppealKind, ResultCode
from gongkai.audit.models import AuditEvent
from gongkai.cases import services
from gongkai.cases.models import Case, CaseEvent, Consultation
from gongkai.privacy.services import personal_data_export
from gongkai.rectification import services as rectification_services
from tests.cases.conftest import application, d
from tests.factories import make_public, valid_id_number
from tests.rectification.conftest import World

NAME = "欧阳明远"
PHONE = "13911112222"
ID_NUMBER = valid_id_number(serial="421")
THIRD_PARTY = "上官雨桐"
WALK_IN = "诸葛文清"


def _audit_text(rows: Iterable[AuditEvent]) -> str:
    return "\n".join(
        " ".join(
            [
                row.actor_label,
                row.object_repr,
                row.detail,
                json.dumps(row.before, ensure_ascii=False),
                json.dumps(row.after, ensure_ascii=False),
            ]
        )
        for row in rows
    )


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_case_events_name_the_case_and_the_account_by_number(
    agency: Any, handler: Any, django_capture_on_commit_callbacks: Any
) -> None:
    applicant = make_public(full_name=NAME, email="oymy@example.com")
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_submit_online(
            agency=agency,
            applicant_user=applicant,
            data=application(
                applicant_name=NAME,
                phone=PHONE,
                id_number=ID_NUMBER,
                # What is asked may name the applicant: the case's name in the log must not be built from it.
                items=[services.ItemInput(title=f"{NAME}户宅基地审批材料", doc_number="")],
            ),
        )
        walk_in = services.case_submit_online(agency=agency, data=application(applicant_name=WALK_IN))
    case = services.case_confirm_receipt(case=case, actor=handler, received_on=d("2026-03-02"))
    assert services.case_personal_data_reveal(case=case, actor=handler, field="phone") == PHONE
    services.case_start_consultation(
        case=case,
        actor=handler,
        on=d("2026-03-02"),
        consultees=[services.ConsulteeInput(kind="third_party", party=THIRD_PARTY, matter="是否同意公开")],
    )
    consultation = Consultation.objects.get(case=case)
    services.case_record_opinion(
        case=case, actor=handler, consultation=consultation, result="agree", on=d("2026-03-02")
    )
    personal_data_export(user=applicant, actor=applicant)

    rows = list(AuditEvent.objects.filter(id__gt=start).order_by("id"))
    actions = {row.action for row in rows}
    assert {"case.submit", "case.confirm_receipt", "clock.ledger_open", "personal_data.reveal"} <= actions
    assert {"case.start_consultation", "case.record_opinion", "privacy.export"} <= actions
    text = _audit_text(rows)
    for secret in (NAME, WALK_IN, THIRD_PARTY, PHONE, ID_NUMBER, applicant.email):
        assert secret not in text, secret
    submit = next(row for row in rows if row.action == "case.submit" and row.object_id == str(case.pk))
    assert submit.actor_id == applicant.pk
    assert submit.actor_label == f"公众用户#{applicant.pk}"
    assert submit.object_repr == f"申请{case.number}"
    assert submit.after["phone"] == "139****2222"  # masked, as before
    walk_in_submit = next(row for row in rows if row.object_id == str(walk_in.pk))
    assert walk_in_submit.actor_label == "匿名"
    opinion = next(row for row in rows if row.action == "case.record_opinion")
    assert opinion.after["consultation"] == consultation.pk  # the party by number
    export = next(row for row in rows if row.action == "privacy.export")
    assert export.object_repr == f"公众用户#{applicant.pk}"
    # The case file itself still names them: that is what the retention purge later anonymises.
    assert Case.objects.get(pk=case.pk).applicant_name == NAME
    assert CaseEvent.objects.filter(case=case, actor_label=NAME).exists()


def test_an_applicants_own_withdrawal_is_logged_by_account_number(
    agency: Any, django_capture_on_commit_callbacks: Any
) -> None:
    applicant = make_public(full_name=NAME)
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_submit_online(
            agency=agency, applicant_user=applicant, data=application(applicant_name=NAME)
        )
    services.case_withdraw(case=case, actor=applicant, by_applicant=True, reason=f"{NAME}本人撤回")
    rows = AuditEvent.objects.filter(object_id=str(case.pk), object_type="cases.Case")
    withdrawal = rows.get(action="case.cancel")  # withdrawn before receipt: 已撤销
    assert (withdrawal.actor_id, withdrawal.actor_label) == (applicant.pk, f"公众用户#{applicant.pk}")
    assert NAME not in _audit_text(rows)


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_complaint_events_carry_the_complaint_number_and_a_masked_phone(world: World) -> None:
    complaint, created = rectification_services.complaint_submit_online(
        agency=world.dept_a,
        complaint_type="not_answered",
        description=f"本人{NAME}，电话{PHONE}，申请未获答复",
        complainant_name=NAME,
        phone=PHONE,
        submission_key="k" * 32,
    )
    assert created
    complaint = rectification_services.complaint_investigate(complaint=complaint, actor=world.supervisor)
    rectification_services.complaint_conclude(
        complaint=complaint,
        actor=world.supervisor,
        conclusion="unsubstantiated",
        findings=f"{NAME}的申请已于法定期限内答复",
        reply_text=f"{NAME}：经查，已答复。",
    )
    assert rectification_services.complaint_phone_reveal(complaint=complaint, actor=world.supervisor) == PHONE
    rows = list(AuditEvent.objects.filter(object_type="rectification.Complaint", object_id=str(complaint.pk)))
    assert {row.action for row in rows} == {
        "rectification.complaint.submit",
        "rectification.complaint.investigate",
        "rectification.complaint.conclude",
        "rectification.complaint.reveal",
    }
    assert {row.object_repr for row in rows} == {f"投诉{complaint.number}"}
    text = _audit_text(rows)
    assert NAME not in text
    assert PHONE not in text
    assert "139****2222" in text


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_appeal_events_do_not_copy_the_appellant_or_free_text(world: World) -> None:
    appeal = appeal_services.appeal_create(
        agency=world.dept_a,
        actor=world.handler_a,
        data=appeal_services.AppealInput(
            kind=AppealKind.RECONSIDERATION,
            body="湛河区人民政府",
            appellant=NAME,
            subject=f"对{NAME}的申请作出的答复",
            filed_on=d("2026-02-02"),
            proactive=True,
            accepted_on=d("2026-02-05"),
            copy_received_on=d("2026-02-06"),
        ),
    )
    appeal = appeal_services.appeal_record_answer(
        appeal=appeal, actor=world.handler_a, answered_on=d("2026-02-10"), note=f"已向复议机关说明{NAME}申请的办理经过"
    )
    appeal_services.appeal_record_result(
        appeal=appeal, actor=world.handler_a, result=ResultCode.RC_UPHELD, result_on=d("2026-03-02"), note=NAME
    )
    rows = list(AuditEvent.objects.filter(object_type="appeals.Appeal", object_id=str(appeal.pk)))
    assert {row.action for row in rows} == {"appeal.create", "appeal.answer", "appeal.result"}
    assert NAME not in _audit_text(rows)
    # The appeal's own timeline keeps the note (the purge scrubs it there).
    assert appeal.events.filter(note__contains=NAME).exists()
