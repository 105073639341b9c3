"""The 依申请公开 state machine: every (action, status, actor) triple, and refusals that change nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from gongkai.audit.models import AuditEvent
from gongkai.cases import services
from gongkai.cases.codebook import Channel, Outcome
from gongkai.cases.models import Case, CaseDocument, CaseEvent
from gongkai.cases.states import ACTIONS, OPEN_STATUSES, Action, Actor, Status, TransitionError, rule_for
from gongkai.clock.models import ClockLedgerEvent
from tests.cases.conftest import application, d

S = Status
_OPEN = {S.PROCESSING, S.AWAITING_CORRECTION, S.CONSULTING, S.AWAITING_FEE, S.AWAITING_REASONS}
_STAFF = {Actor.STAFF}
_STAFF_SYSTEM = {Actor.STAFF, Actor.SYSTEM}
_STAFF_APPLICANT = {Actor.STAFF, Actor.APPLICANT}

# Written out independently of states.ACTIONS: action → (statuses it may start from, target, who may take it).
EXPECTED: dict[str, tuple[set[str], str | None, set[Actor]]] = {
    Action.CONFIRM_RECEIPT: ({S.PENDING}, S.PROCESSING, _STAFF),  # 条例第三十一条（三）
    Action.ASSIGN: ({S.PENDING, *_OPEN}, None, _STAFF),
    Action.CLAIM: ({S.PENDING, *_OPEN}, None, _STAFF),
    Action.REQUEST_CORRECTION: ({S.PROCESSING}, S.AWAITING_CORRECTION, _STAFF),  # 第三十条
    Action.RECORD_CORRECTION: ({S.AWAITING_CORRECTION}, S.PROCESSING, _STAFF),
    Action.CORRECTION_LAPSED: ({S.AWAITING_CORRECTION}, S.CLOSED, _STAFF_SYSTEM),
    Action.START_CONSULTATION: ({S.PROCESSING}, S.CONSULTING, _STAFF),  # 第三十二、三十四条
    Action.RECORD_OPINION: ({S.CONSULTING}, None, _STAFF),
    Action.END_CONSULTATION: ({S.CONSULTING}, S.PROCESSING, _STAFF_SYSTEM),  # the system ends a lapsed one
    Action.CONSULTATION_LAPSED: ({S.CONSULTING}, S.PROCESSING, _STAFF_SYSTEM),
    Action.EXTEND: ({S.PROCESSING, S.CONSULTING}, None, _STAFF),  # 第三十三条第二款
    Action.NOTIFY_FEE: ({S.PROCESSING}, S.AWAITING_FEE, _STAFF),  # 第四十二条、109号
    Action.RECORD_PAYMENT: ({S.AWAITING_FEE}, S.PROCESSING, _STAFF),
    Action.FEE_LAPSED: ({S.AWAITING_FEE}, S.CLOSED, _STAFF_SYSTEM),
    Action.ASK_REASONS: ({S.PROCESSING}, S.AWAITING_REASONS, _STAFF),  # 第三十五条
    Action.REASONS_ACCEPTED: ({S.AWAITING_REASONS}, S.PROCESSING, _STAFF),
    Action.REASONS_REJECTED: ({S.AWAITING_REASONS}, S.CLOSED, _STAFF),
    Action.REPLY: ({S.PROCESSING}, S.CLOSED, _STAFF),  # 第三十六条
    Action.WITHDRAW: (set(_OPEN), S.CLOSED, _STAFF_APPLICANT),
    Action.CANCEL: ({S.PENDING}, S.CANCELLED, _STAFF_APPLICANT),
    Action.REOPEN: ({S.CLOSED}, S.PROCESSING, _STAFF),
    Action.RECORD_DELIVERY: ({*_OPEN, S.CLOSED}, None, _STAFF),
    Action.ISSUE_DOCUMENT: ({*_OPEN, S.CLOSED}, None, _STAFF),
    Action.ADD_NOTE: ({S.PENDING, *_OPEN, S.CLOSED, S.CANCELLED}, None, _STAFF),
}


def test_expected_table_covers_the_machine() -> None:
    assert set(EXPECTED) == set(ACTIONS)
    assert set(_OPEN) == set(OPEN_STATUSES)
    for action, (_sources, target, _actors) in EXPECTED.items():
        assert ACTIONS[action].target == target, action
    # Only a 负责人 extends (条例第三十三条第二款) or reopens.
    assert {a for a, rule in ACTIONS.items() if rule.perm == "approve"} == {Action.EXTEND, Action.REOPEN}


@pytest.mark.parametrize("actor", list(Actor))
@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_action_status_actor(action: str, status: str, actor: Actor) -> None:
    sources, target, actors = EXPECTED[action]
    if status in sources and actor in actors:
        rule = rule_for(action, status, actor)
        assert rule.target == target
        return
    with pytest.raises(TransitionError) as caught:
        rule_for(action, status, actor)
    message = caught.value.message
    assert Action(action).label in message
    if actor in actors:
        # The refusal names the status the case is in, in Chinese.
        assert f"案件当前状态为“{Status(status).label}”" in message
    else:
        assert "不能由" in message


def test_unknown_action_is_refused() -> None:
    with pytest.raises(TransitionError, match="未知的操作"):
        rule_for("teleport", Status.PROCESSING, Actor.STAFF)
    for action in (Action.SUBMIT, Action.REGISTER):  # intake actions create a case; they are not transitions
        with pytest.raises(TransitionError):
            rule_for(action, Status.PENDING, Actor.STAFF)


# ---------------------------------------------------------------------------------------------------------------------
# At the service level: an invalid transition is refused with a reason and changes nothing.


def _snapshot(case: Case) -> tuple[Any, ...]:
    row = Case.objects.select_related("ledger").get(pk=case.pk)
    return (
        row.status,
        row.outcome,
        row.closed_on,
        row.ledger.reply_due if row.ledger else None,
        CaseEvent.objects.filter(case=case).count(),
        CaseDocument.objects.filter(case=case).count(),
        ClockLedgerEvent.objects.filter(ledger_id=row.ledger_id).count() if row.ledger_id else 0,
        AuditEvent.objects.count(),
    )


Attempt = Callable[[Case, Any, Any], object]

_ON = d("2026-03-10")

ATTEMPTS: dict[str, Attempt] = {
    "record_correction_while_processing": lambda c, h, _: services.case_record_correction(case=c, actor=h, on=_ON),
    "correction_lapsed_while_processing": lambda c, _h, _: services.case_correction_lapsed(case=c, actor=None, on=_ON),
    "record_payment_without_fee": lambda c, h, _: services.case_record_payment(case=c, actor=h, on=_ON, amount=100),
    "fee_lapsed_without_fee": lambda c, _h, _: services.case_fee_lapsed(case=c, actor=None, on=_ON),
    "accept_reasons_unasked": lambda c, h, _: services.case_accept_reasons(
        case=c, actor=h, on=_ON, reasons="研究需要", until=d("2026-05-29")
    ),
    "reject_reasons_unasked": lambda c, h, _: services.case_reject_reasons(case=c, actor=h, on=_ON, reasons="无"),
    "reopen_open_case": lambda c, _h, head: services.case_reopen(case=c, actor=head, reason="复核"),
    "confirm_twice": lambda c, h, _: services.case_confirm_receipt(case=c, actor=h, received_on=_ON),
    "extend_by_handler": lambda c, h, _: services.case_extend(
        case=c, actor=h, days=10, reason="材料较多", approved_on=_ON
    ),
    "consultation_lapsed_not_consulting": lambda c, _h, _: services.case_consultation_lapsed(
        case=c, actor=None, today=_ON
    ),
}


@pytest.mark.parametrize("attempt", list(ATTEMPTS))
@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_invalid_transition_on_an_open_case_changes_nothing(attempt: str, agency: Any, handler: Any, head: Any) -> None:
    case = services.case_register(
        agency=agency, data=application(), channel=Channel.IN_PERSON, actor=handler, received_on=d("2026-03-02")
    )
    before = _snapshot(case)
    with pytest.raises(ValidationError) as caught:
        ATTEMPTS[attempt](case, handler, head)
    # A Chinese reason, never an empty or English one.
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in caught.value.messages)
    assert _snapshot(case) == before


CLOSED_ATTEMPTS: dict[str, Attempt] = {
    "reply_again": lambda c, h, _: services.case_reply(
        case=c, actor=h, data=services.ReplyInput(outcome=Outcome.UNAVAILABLE_NEEDS_CREATION, on=_ON)
    ),
    "request_correction_after_reply": lambda c, h, _: services.case_request_correction(
        case=c, actor=h, on=_ON, items="请明确年份", period_days=10
    ),
    "withdraw_after_reply": lambda c, h, _: services.case_withdraw(case=c, actor=h, on=_ON),
    "notify_fee_after_reply": lambda c, h, _: services.case_notify_fee(
        case=c, actor=h, on=_ON, method="per_volume", pages=150
    ),
    "extend_after_reply": lambda c, _h, head: services.case_extend(
        case=c, actor=head, days=5, reason="材料较多", approved_on=_ON
    ),
    "reopen_by_handler": lambda c, h, _: services.case_reopen(case=c, actor=h, reason="复核"),
}


@pytest.mark.parametrize("attempt", list(CLOSED_ATTEMPTS))
@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_invalid_transition_on_a_closed_case_changes_nothing(
    attempt: str, agency: Any, handler: Any, head: Any
) -> None:
    case = services.case_register(
        agency=agency, data=application(), channel=Channel.IN_PERSON, actor=handler, received_on=d("2026-03-02")
    )
    services.case_reply(
        case=case,
        actor=handler,
        data=services.ReplyInput(outcome=Outcome.DISCLOSED, variant="provided", on=d("2026-03-09")),
    )
    before = _snapshot(case)
    assert before[0] == Status.CLOSED
    with pytest.raises(ValidationError):
        CLOSED_ATTEMPTS[attempt](case, handler, head)
    assert _snapshot(case) == before


@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_pending_case_refuses_work_until_receipt_is_confirmed(agency: Any, handler: Any) -> None:
    """条例第三十一条（三）: an online application is not received until both sides confirm it."""
    case = services.case_submit_online(agency=agency, data=application())
    before = _snapshot(case)
    with pytest.raises(ValidationError, match="待确认"):
        services.case_reply(
            case=case, actor=handler, data=services.ReplyInput(outcome=Outcome.DISCLOSED, variant="provided", on=_ON)
        )
    with pytest.raises(ValidationError, match="待确认"):
        services.case_request_correction(case=case, actor=handler, on=_ON, items="请明确", period_days=5)
    with pytest.raises(ValidationError, match="待确认"):
        services.case_ask_reasons(case=case, actor=handler, on=_ON)
    assert _snapshot(case) == before
