"""`gongkai remind` and `gongkai expire`: the job services at their interface, and the commands' summary lines.

Dates are in March 2026 (no holidays); the working-day arithmetic is checked against the calendar, not assumed.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from gongkai.accounts.roles import Role
from gongkai.agencies.models import Agency
from gongkai.cases import jobs, services
from gongkai.cases.codebook import Channel, Outcome
from gongkai.cases.models import Case, Consultation, OpinionResult, Reminder, ReminderKind
from gongkai.cases.states import Status
from gongkai.clock.selectors import current_calendar
from tests.cases.conftest import application, d
from tests.factories import make_agency, make_staff

RECEIVED = d("2026-03-02")  # a Monday
REPLY_DUE = d("2026-03-30")  # 20 working days later, a Monday


def register(agency: Agency, actor: Any, received: dt.date = RECEIVED, title: str = "法律援助经费") -> Case:
    with time_machine.travel(dt.datetime.combine(received, dt.time(9), tzinfo=timezone.get_current_timezone())):
        return services.case_register(
            agency=agency,
            data=application(items=[services.ItemInput(title=title, doc_number="")]),
            channel=Channel.IN_PERSON,
            actor=actor,
            received_on=received,
        )


def pay_by_of(case: Case) -> dt.date:
    pay_by = Case.objects.get(pk=case.pk).fee.pay_by
    assert pay_by is not None
    return pay_by


def at(day: str, time: str = "09:00") -> Any:
    return time_machine.travel(f"{day} {time} +0800", tick=False)


@pytest.fixture
def staff(handler: Any, head: Any) -> tuple[Any, Any]:
    handler.email, head.email = "handler@example.gov.cn", "head@example.gov.cn"
    handler.save(update_fields=["email"])
    head.save(update_fields=["email"])
    return handler, head


@pytest.fixture
def assigned(agency: Agency, staff: tuple[Any, Any]) -> Case:
    handler, head = staff
    case = register(agency, handler)
    with at("2026-03-02"):
        services.case_assign(case=case, actor=head, assignee=handler)
    case.refresh_from_db()
    assert case.ledger is not None
    assert case.ledger.reply_due == REPLY_DUE
    return case


# ---------------------------------------------------------------------------------------------------------------------
# remind


def test_due_soon_mails_the_assignee_once(assigned: Case) -> None:
    result = jobs.reminders_send(d("2026-03-25"))
    assert (result.count(ReminderKind.DUE_SOON), result.count(ReminderKind.OVERDUE), result.mails) == (1, 0, 1)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["handler@example.gov.cn"]
    assert assigned.number in message.body
    assert "2026年3月30日" in message.body
    row = Reminder.objects.get(case=assigned)
    assert (row.kind, row.due, row.recipients) == (ReminderKind.DUE_SOON, REPLY_DUE, "handler@example.gov.cn")
    assert row.sent_at is not None

    again = jobs.reminders_send(d("2026-03-25"))
    assert again.mails == 0
    assert again.sent == []
    assert len(mail.outbox) == 1
    assert jobs.reminders_send(d("2026-03-26")).mails == 0  # same due date, a day later: still once
    assert len(mail.outbox) == 1


def test_due_soon_boundary_across_a_weekend(assigned: Case) -> None:
    calendar = current_calendar()
    # Wed 25 → Thu 26, Fri 27, Mon 30: three working days ahead; from Tue 24 it is four.
    assert calendar.add_working_days(d("2026-03-25"), 3) == REPLY_DUE
    assert calendar.working_days_between(d("2026-03-24"), REPLY_DUE) == 4
    assert jobs.reminders_due(d("2026-03-24")) == []
    assert jobs.reminders_send(d("2026-03-24")).mails == 0
    due = jobs.reminders_due(d("2026-03-25"))
    assert [(r.case_id, r.kind, r.due) for r in due] == [(assigned.pk, ReminderKind.DUE_SOON, REPLY_DUE)]


def test_overdue_is_reminded_even_after_due_soon(assigned: Case) -> None:
    jobs.reminders_send(d("2026-03-27"))
    result = jobs.reminders_send(d("2026-03-31"))
    assert (result.count(ReminderKind.DUE_SOON), result.count(ReminderKind.OVERDUE), result.mails) == (0, 1, 1)
    assert "已逾期" in mail.outbox[-1].subject
    assert set(Reminder.objects.filter(case=assigned).values_list("kind", flat=True)) == {"due_soon", "overdue"}
    assert jobs.reminders_send(d("2026-04-01")).mails == 0


def test_unassigned_goes_to_the_agencys_handlers_and_heads_only(agency: Agency, staff: tuple[Any, Any]) -> None:
    handler, _head = staff
    make_staff(agency, Role.REVIEWER, email="reviewer@example.gov.cn")  # 审核人 do not handle cases
    other = make_agency("湛河区财政局")
    make_staff(other, Role.HANDLER, email="other@example.gov.cn")
    make_staff(agency, Role.HANDLER, email="gone@example.gov.cn", is_active=False)
    first = register(agency, handler, title="第一件")
    second = register(agency, handler, title="第二件")
    result = jobs.reminders_send(d("2026-03-27"))
    assert result.mails == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["handler@example.gov.cn", "head@example.gov.cn"]
    for message in mail.outbox:  # one mail per recipient, listing both cases
        assert first.number in message.body
        assert second.number in message.body
    assert Reminder.objects.filter(sent_at__isnull=False).count() == 2


def test_assignee_without_email_falls_back_to_the_agency(agency: Agency, staff: tuple[Any, Any]) -> None:
    handler, head = staff
    quiet = make_staff(agency, Role.HANDLER)
    case = register(agency, handler)
    with at("2026-03-02"):
        services.case_assign(case=case, actor=head, assignee=quiet)
    jobs.reminders_send(d("2026-03-27"))
    assert sorted(m.to[0] for m in mail.outbox) == ["handler@example.gov.cn", "head@example.gov.cn"]


def test_correction_notice_nudge(agency: Agency, staff: tuple[Any, Any]) -> None:
    handler, _head = staff
    case = register(agency, handler)
    assert case.ledger is not None
    notice_due = case.ledger.correction_notice_due
    assert notice_due == current_calendar().add_working_days(RECEIVED, 7) == d("2026-03-11")
    assert jobs.reminders_due(d("2026-03-06")) == []  # three working days before: not yet
    result = jobs.reminders_send(d("2026-03-09"))
    assert [(r.kind, r.due) for r in result.sent] == [(ReminderKind.CORRECTION_NOTICE_DUE, notice_due)]
    assert "补正告知期限即将届满" in mail.outbox[0].body
    # Once a correction is asked for, there is nothing to nudge about.
    other = register(agency, handler, title="另一件")
    with at("2026-03-04"):
        services.case_request_correction(
            case=other, actor=handler, on=d("2026-03-04"), items="请明确年份", period_days=10
        )
    assert [r.case_id for r in jobs.reminders_due(d("2026-03-09"))] == []


def test_dry_run_writes_nothing_and_sends_nothing(assigned: Case) -> None:
    result = jobs.reminders_send(d("2026-03-25"), dry_run=True)
    assert (result.count(ReminderKind.DUE_SOON), result.mails) == (1, 1)
    assert result.mail_plan == {"handler@example.gov.cn": result.sent}
    assert mail.outbox == []
    assert not Reminder.objects.exists()


def test_a_claim_by_another_worker_is_never_sent_twice(assigned: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    # The other worker inserted its row between our look-up and our claim: the unique INSERT fails for us.
    seen = jobs.reminders_due(d("2026-03-25"))
    Reminder.objects.create(case=assigned, kind=ReminderKind.DUE_SOON, due=REPLY_DUE)
    monkeypatch.setattr(jobs, "reminders_due", lambda today: seen)
    result = jobs.reminders_send(d("2026-03-25"))
    assert (result.taken, result.mails, result.sent) == (1, 0, [])
    assert mail.outbox == []
    monkeypatch.undo()
    # And a fresh claim (another worker still sending) is not even looked at.
    assert jobs.reminders_due(d("2026-03-25")) == []
    assert jobs.reminders_send(d("2026-03-25")).mails == 0
    assert mail.outbox == []


def test_a_stale_claim_is_finished_for_the_recipients_not_yet_mailed(agency: Agency, staff: tuple[Any, Any]) -> None:
    handler, _head = staff
    case = register(agency, handler)  # unassigned: handler and head are told
    with at("2026-03-27"):
        row = Reminder.objects.create(
            case=case, kind=ReminderKind.DUE_SOON, due=REPLY_DUE, recipients="handler@example.gov.cn"
        )
    with at("2026-03-27", "10:00"):  # one hour later: the first worker may still be at it
        assert jobs.reminders_send(d("2026-03-27")).mails == 0
    with at("2026-03-27", "12:00"):
        result = jobs.reminders_send(d("2026-03-27"))
    assert result.mails == 1
    assert [m.to for m in mail.outbox] == [["head@example.gov.cn"]]
    row.refresh_from_db()
    assert row.sent_at is not None
    assert row.recipients.splitlines() == ["handler@example.gov.cn", "head@example.gov.cn"]


def test_a_failed_mail_leaves_the_claim_for_a_later_retry(assigned: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Any, fail_silently: bool = False) -> int:
        raise OSError("connection refused")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with at("2026-03-25"):
        result = jobs.reminders_send(d("2026-03-25"))
    assert (result.mails, len(result.unsent)) == (0, 1)
    assert Reminder.objects.get(case=assigned).sent_at is None
    monkeypatch.undo()
    with at("2026-03-25", "12:00"):
        assert jobs.reminders_send(d("2026-03-25")).mails == 1
    assert len(mail.outbox) == 1


def test_remind_command_prints_the_summary(assigned: Case) -> None:
    out = StringIO()
    call_command("remind", "--dry-run", "--today", "2026-03-25", stdout=out)
    assert "提醒：即将到期 1 件，已逾期 0 件，发出邮件 1 封" in out.getvalue()
    assert not Reminder.objects.exists()
    out = StringIO()
    call_command("remind", "--today", "2026-03-31", "-v", "2", stdout=out)
    text = out.getvalue()
    assert "提醒：即将到期 0 件，已逾期 1 件，发出邮件 1 封" in text
    assert f"已逾期 湛河区司法局 {assigned.number}" in text


def test_remind_command_refuses_a_bad_date(db: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--today 不是有效日期") as caught:
        call_command("remind", "--today", "2026-02-30")
    assert caught.value.returncode == 2


# ---------------------------------------------------------------------------------------------------------------------
# expire


def test_unpaid_fee_closes_the_case_only_after_pay_by(agency: Agency, staff: tuple[Any, Any]) -> None:
    handler, _head = staff
    case = register(agency, handler)
    with at("2026-03-05"):
        services.case_notify_fee(case=case, actor=handler, on=d("2026-03-05"), method="per_volume", pages=200)
    pay_by = Case.objects.get(pk=case.pk).fee.pay_by
    assert pay_by == current_calendar().add_working_days(d("2026-03-05"), 20)
    assert pay_by is not None

    on_the_day = jobs.expire_run(pay_by)
    assert on_the_day.items == []
    assert Case.objects.get(pk=case.pk).status == Status.AWAITING_FEE

    after = pay_by + dt.timedelta(days=1)
    with at(after.isoformat()):
        result = jobs.expire_run(after)
    assert [(i.case_id, i.action, i.state) for i in result.items] == [(case.pk, jobs.FEE_LAPSED, "done")]
    case.refresh_from_db()
    assert (case.status, case.outcome, case.closed_on) == (Status.CLOSED, Outcome.OTHER_FEE_UNPAID, after)
    assert case.events.filter(action="fee_lapsed", actor__isnull=True, actor_label="系统").exists()

    with at(after.isoformat()):
        again = jobs.expire_run(after)
    assert again.items == []
    assert case.events.filter(action="fee_lapsed").count() == 1


def test_lapsed_consultation_resumes_the_clock(agency: Agency, staff: tuple[Any, Any]) -> None:
    handler, _head = staff
    case = register(agency, handler)
    started = d("2026-03-04")
    with at("2026-03-04"):
        services.case_start_consultation(
            case=case,
            actor=handler,
            on=started,
            consultees=[services.ConsulteeInput(kind="agency", party="湛河区财政局", matter="是否同意公开")],
        )
    answer_due = Consultation.objects.get(case=case).answer_due
    assert answer_due is not None
    assert jobs.expire_run(answer_due).items == []  # the last day of the period is still the agency's

    today = answer_due + dt.timedelta(days=1)
    with at(today.isoformat()):
        result = jobs.expire_run(today)
    assert [(i.action, i.state) for i in result.items] == [(jobs.CONSULTATION_LAPSED, "done")]
    case = Case.objects.select_related("ledger").get(pk=case.pk)
    assert case.status == Status.PROCESSING
    calendar = current_calendar()
    paused = calendar.working_days_between(started, answer_due)
    assert case.ledger is not None
    assert case.ledger.reply_due == calendar.add_working_days(REPLY_DUE, paused)
    row = Consultation.objects.get(case=case)
    assert row.result == OpinionResult.NO_ANSWER
    assert "视为同意" in row.reasons  # 条例第三十四条

    events = case.events.count()
    with at(today.isoformat()):
        assert jobs.expire_run(today).items == []
    assert case.events.count() == events


def test_a_case_moved_by_another_worker_is_skipped_not_failed(
    agency: Agency, staff: tuple[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, _head = staff
    case = register(agency, handler)
    with at("2026-03-05"):
        services.case_notify_fee(case=case, actor=handler, on=d("2026-03-05"), method="per_volume", pages=200)
    after = pay_by_of(case) + dt.timedelta(days=1)
    real = services.case_fee_lapsed

    def raced(**kwargs: Any) -> Case:
        real(**kwargs)  # the other worker wins the row lock and closes the case ...
        return real(**kwargs)  # ... and ours re-checks the status under the lock and is refused

    monkeypatch.setattr(services, "case_fee_lapsed", raced)
    with at(after.isoformat()):
        result = jobs.expire_run(after)
    assert [(i.state, i.action) for i in result.items] == [("skipped", jobs.FEE_LAPSED)]
    assert result.errors == []


def test_lapsed_correction_is_listed_never_closed(agency: Agency, staff: tuple[Any, Any]) -> None:
    handler, _head = staff
    case = register(agency, handler)
    with at("2026-03-04"):
        services.case_request_correction(
            case=case, actor=handler, on=d("2026-03-04"), items="请明确年份", period_days=5
        )
    case.refresh_from_db()
    assert case.correction_deadline is not None
    after = case.correction_deadline + dt.timedelta(days=1)
    out = StringIO()
    with at(after.isoformat()):
        call_command("expire", "--today", after.isoformat(), stdout=out)
    assert Case.objects.get(pk=case.pk).status == Status.AWAITING_CORRECTION
    text = out.getvalue()
    assert "逾期未补正待决定 1 件" in text
    assert f"待决定：湛河区司法局 {case.number}" in text


def test_expire_command_dry_run_changes_nothing(agency: Agency, staff: tuple[Any, Any]) -> None:
    handler, _head = staff
    case = register(agency, handler)
    with at("2026-03-05"):
        services.case_notify_fee(case=case, actor=handler, on=d("2026-03-05"), method="per_volume", pages=200)
    after = pay_by_of(case) + dt.timedelta(days=1)
    out = StringIO()
    call_command("expire", "--dry-run", "--today", after.isoformat(), "-v", "2", stdout=out)
    text = out.getvalue()
    assert "（演练，未改动）到期处理：逾期未缴费办结 1 件" in text
    assert f"将处理：湛河区司法局 {case.number}" in text
    assert Case.objects.get(pk=case.pk).status == Status.AWAITING_FEE
