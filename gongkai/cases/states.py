"""The 依申请公开 state machine as data: where a case is (``Status``) and which actions move it, by whom.

Status and outcome are separate: ``Status.CLOSED`` says the case is answered, ``codebook.Outcome`` says how.
Derived states — 即将到期, 已逾期 — are queries over the indexed due date, never statuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from django.db import models

from gongkai.accounts.roles import Perm

__all__ = ["ACTIONS", "OPEN_STATUSES", "Action", "ActionRule", "Actor", "Status", "TransitionError", "rule_for"]


class Status(models.TextChoices):
    PENDING = "pending", "待确认"  # online or fax, waiting for the two sides to confirm receipt (第三十一条（三）)
    PROCESSING = "processing", "办理中"
    AWAITING_CORRECTION = "awaiting_correction", "待补正"  # 第三十条：答复期限自收到补正的申请之日起计算
    CONSULTING = "consulting", "征求意见中"  # 第三十二、三十四条：所需时间不计算在答复期限内
    AWAITING_FEE = "awaiting_fee", "待缴费"  # 国办函〔2020〕109号
    AWAITING_REASONS = "awaiting_reasons", "待说明理由"  # 第三十五条
    CLOSED = "closed", "已办结"
    CANCELLED = "cancelled", "已撤销"  # withdrawn before receipt was confirmed: never received, never counted


OPEN_STATUSES: frozenset[str] = frozenset(
    {
        Status.PROCESSING,
        Status.AWAITING_CORRECTION,
        Status.CONSULTING,
        Status.AWAITING_FEE,
        Status.AWAITING_REASONS,
    }
)
ACTIVE = (
    Status.PROCESSING,
    Status.AWAITING_CORRECTION,
    Status.CONSULTING,
    Status.AWAITING_FEE,
    Status.AWAITING_REASONS,
)


class Actor(StrEnum):
    STAFF = "staff"
    SYSTEM = "system"  # the scheduled `gongkai expire` job, acting when a statutory period has run out
    APPLICANT = "applicant"


class Action(models.TextChoices):
    SUBMIT = "submit", "提交申请"
    REGISTER = "register", "登记申请"
    CONFIRM_RECEIPT = "confirm_receipt", "确认收到申请"
    ASSIGN = "assign", "分办"
    CLAIM = "claim", "认领"
    REQUEST_CORRECTION = "request_correction", "告知补正"
    RECORD_CORRECTION = "record_correction", "收到补正"
    CORRECTION_LAPSED = "correction_lapsed", "逾期未补正"
    START_CONSULTATION = "start_consultation", "征求意见"
    RECORD_OPINION = "record_opinion", "收到意见"
    END_CONSULTATION = "end_consultation", "结束征求意见"
    CONSULTATION_LAPSED = "consultation_lapsed", "意见期限届满"
    EXTEND = "extend", "延长答复期限"
    NOTIFY_FEE = "notify_fee", "发出收费通知"
    RECORD_PAYMENT = "record_payment", "收到缴费"
    FEE_LAPSED = "fee_lapsed", "逾期未缴费"
    ASK_REASONS = "ask_reasons", "要求说明理由"
    REASONS_ACCEPTED = "reasons_accepted", "理由合理，延迟答复"
    REASONS_REJECTED = "reasons_rejected", "理由不合理，不予处理"
    REPLY = "reply", "答复"
    WITHDRAW = "withdraw", "撤回申请"
    CANCEL = "cancel", "撤回申请（未确认收到）"
    REOPEN = "reopen", "重新办理"
    RECORD_DELIVERY = "record_delivery", "记录送达"
    ISSUE_DOCUMENT = "issue_document", "签发文书"
    ADD_NOTE = "add_note", "备注"


@dataclass(frozen=True)
class ActionRule:
    sources: frozenset[str]
    target: str | None  # None: the status does not change
    actors: frozenset[Actor]
    perm: Perm | None  # what a staff actor must hold at the case's agency
    basis: str = ""


def _r(
    sources: tuple[str, ...],
    target: str | None,
    actors: tuple[Actor, ...] = (Actor.STAFF,),
    perm: Perm | None = Perm.HANDLE_CASES,
    basis: str = "",
) -> ActionRule:
    return ActionRule(frozenset(sources), target, frozenset(actors), perm, basis)


S = Status
_OPEN = tuple(OPEN_STATUSES)

ACTIONS: MappingProxyType[str, ActionRule] = MappingProxyType(
    {
        Action.CONFIRM_RECEIPT: _r((S.PENDING,), S.PROCESSING, basis="条例第三十一条（三）"),
        Action.ASSIGN: _r((S.PENDING, *_OPEN), None),
        Action.CLAIM: _r((S.PENDING, *_OPEN), None),
        Action.REQUEST_CORRECTION: _r((S.PROCESSING,), S.AWAITING_CORRECTION, basis="条例第三十条"),
        Action.RECORD_CORRECTION: _r((S.AWAITING_CORRECTION,), S.PROCESSING, basis="条例第三十条"),
        Action.CORRECTION_LAPSED: _r(
            (S.AWAITING_CORRECTION,), S.CLOSED, (Actor.STAFF, Actor.SYSTEM), basis="条例第三十条"
        ),
        Action.START_CONSULTATION: _r((S.PROCESSING,), S.CONSULTING, basis="条例第三十二条、第三十四条"),
        Action.RECORD_OPINION: _r((S.CONSULTING,), None, basis="条例第三十二条、第三十四条"),
        Action.END_CONSULTATION: _r(
            (S.CONSULTING,), S.PROCESSING, (Actor.STAFF, Actor.SYSTEM), basis="条例第三十三条第三款"
        ),
        Action.CONSULTATION_LAPSED: _r(
            (S.CONSULTING,), S.PROCESSING, (Actor.STAFF, Actor.SYSTEM), basis="条例第三十二条、第三十四条"
        ),
        # 条例第三十三条第二款：经政府信息公开工作机构负责人同意 — the approval is a separate recorded fact.
        Action.EXTEND: _r((S.PROCESSING, S.CONSULTING), None, perm=Perm.APPROVE, basis="条例第三十三条第二款"),
        Action.NOTIFY_FEE: _r((S.PROCESSING,), S.AWAITING_FEE, basis="条例第四十二条、国办函〔2020〕109号"),
        Action.RECORD_PAYMENT: _r((S.AWAITING_FEE,), S.PROCESSING, basis="国办函〔2020〕109号"),
        Action.FEE_LAPSED: _r((S.AWAITING_FEE,), S.CLOSED, (Actor.STAFF, Actor.SYSTEM), basis="国办函〔2020〕109号"),
        Action.ASK_REASONS: _r((S.PROCESSING,), S.AWAITING_REASONS, basis="条例第三十五条"),
        Action.REASONS_ACCEPTED: _r((S.AWAITING_REASONS,), S.PROCESSING, basis="条例第三十五条"),
        Action.REASONS_REJECTED: _r((S.AWAITING_REASONS,), S.CLOSED, basis="条例第三十五条"),
        Action.REPLY: _r((S.PROCESSING,), S.CLOSED, basis="条例第三十六条"),
        Action.WITHDRAW: _r(_OPEN, S.CLOSED, (Actor.STAFF, Actor.APPLICANT)),
        Action.CANCEL: _r((S.PENDING,), S.CANCELLED, (Actor.STAFF, Actor.APPLICANT)),
        Action.REOPEN: _r((S.CLOSED,), S.PROCESSING, perm=Perm.APPROVE),
        Action.RECORD_DELIVERY: _r((*_OPEN, S.CLOSED), None),
        Action.ISSUE_DOCUMENT: _r((*_OPEN, S.CLOSED), None),
        Action.ADD_NOTE: _r((S.PENDING, *_OPEN, S.CLOSED, S.CANCELLED), None),
    }
)


class TransitionError(Exception):
    """An action the state machine refuses; ``message`` is the Chinese reason shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def rule_for(action: str, status: str, actor: Actor) -> ActionRule:
    """The rule that allows ``action`` from ``status`` for ``actor``, or TransitionError saying why not."""
    rule = ACTIONS.get(action)
    label = Action(action).label if action in Action.values else action
    if rule is None:
        raise TransitionError(f"未知的操作“{action}”")
    if actor not in rule.actors:
        who = {"staff": "工作人员", "system": "系统", "applicant": "申请人"}[actor.value]
        raise TransitionError(f"“{label}”不能由{who}执行")
    if status not in rule.sources:
        raise TransitionError(f"案件当前状态为“{Status(status).label}”，不能执行“{label}”")
    return rule
