"""The two workflows of the app as data: 督促整改通知 (条例第四十七条第一款) and 投诉举报 (第四十七条第二款、第五十一条).

Each action names the statuses it starts from, where it leads (None: the status stays), which side may take it and the
permission that side must hold. Who is on which side: the ``OFFICE`` is the 政府信息公开工作主管部门 that issued the
notice or received the complaint (Perm.SUPERVISE there); the ``AGENCY`` is the agency the notice is addressed to.
Derived states — 已逾期 — are queries over the indexed deadline columns (selectors), never statuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from django.db import models

from gongkai.accounts.roles import Perm

__all__ = [
    "COMPLAINT_ACTIONS",
    "NOTICE_ACTIONS",
    "OPEN_COMPLAINT_STATUSES",
    "OPEN_NOTICE_STATUSES",
    "ActionRule",
    "Basis",
    "ComplaintAction",
    "ComplaintChannel",
    "ComplaintStatus",
    "ComplaintType",
    "Conclusion",
    "NoticeAction",
    "NoticeStatus",
    "Remedy",
    "Side",
]


class Side(StrEnum):
    OFFICE = "office"  # the 主管部门 that issued the notice / received the complaint
    AGENCY = "agency"  # the agency the notice is addressed to


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    ISSUED = "issued", "已下发"
    ACKNOWLEDGED = "acknowledged", "已签收"
    REPORTED = "reported", "已报告整改"
    CLOSED = "closed", "已验收关闭"


# Issued and not yet accepted: the rectification is not done until the 主管部门 has accepted it, so a notice reported
# but not yet accepted still counts as open (and as overdue once its deadline has passed).
OPEN_NOTICE_STATUSES: frozenset[str] = frozenset(
    {NoticeStatus.ISSUED, NoticeStatus.ACKNOWLEDGED, NoticeStatus.REPORTED}
)


class NoticeAction(models.TextChoices):
    CREATE = "create", "起草"
    EDIT = "edit", "修改草稿"
    ISSUE = "issue", "下发"
    ACKNOWLEDGE = "acknowledge", "签收"
    RECORD = "record", "填写整改情况"
    REPORT = "report", "报告整改"
    ACCEPT = "accept", "验收通过"
    RETURN = "return", "退回重改"
    CRITICIZE = "criticize", "通报批评"


class Basis(models.TextChoices):
    ROUTINE = "routine", "日常检查"
    COMPLAINT = "complaint", "投诉举报查证属实"
    ANNUAL_REPORT = "annual_report", "年度报告检查"
    WEBSITE = "website", "网站检查"
    OTHER = "other", "其他"


@dataclass(frozen=True)
class ActionRule:
    sources: frozenset[str]
    target: str | None  # None: the status does not change
    side: Side
    perm: Perm
    basis: str = ""


N = NoticeStatus
_SUPERVISE = Perm.SUPERVISE

NOTICE_ACTIONS: MappingProxyType[str, ActionRule] = MappingProxyType(
    {
        NoticeAction.EDIT: ActionRule(frozenset({N.DRAFT}), None, Side.OFFICE, _SUPERVISE),
        NoticeAction.ISSUE: ActionRule(frozenset({N.DRAFT}), N.ISSUED, Side.OFFICE, _SUPERVISE, "条例第四十七条第一款"),
        # The agency's 经办人 or 负责人 signs for the notice and writes down what was done, item by item …
        NoticeAction.ACKNOWLEDGE: ActionRule(frozenset({N.ISSUED}), N.ACKNOWLEDGED, Side.AGENCY, Perm.HANDLE_CASES),
        NoticeAction.RECORD: ActionRule(frozenset({N.ACKNOWLEDGED}), None, Side.AGENCY, Perm.HANDLE_CASES),
        # … but the report to the 主管部门 is the agency's formal word that the work is done: its 负责人 (APPROVE)
        # sends it, as the 工作机构负责人 approves an extension under 条例第三十三条第二款.
        NoticeAction.REPORT: ActionRule(frozenset({N.ACKNOWLEDGED}), N.REPORTED, Side.AGENCY, Perm.APPROVE),
        NoticeAction.ACCEPT: ActionRule(frozenset({N.REPORTED}), N.CLOSED, Side.OFFICE, _SUPERVISE),
        NoticeAction.RETURN: ActionRule(frozenset({N.REPORTED}), N.ACKNOWLEDGED, Side.OFFICE, _SUPERVISE),
        # 条例第四十七条：督促整改或者通报批评 — a decision recorded on the notice, the workflow goes on.
        NoticeAction.CRITICIZE: ActionRule(
            frozenset({N.ISSUED, N.ACKNOWLEDGED, N.REPORTED, N.CLOSED}),
            None,
            Side.OFFICE,
            _SUPERVISE,
            "条例第四十七条第一款",
        ),
    }
)


class ComplaintChannel(models.TextChoices):
    LETTER = "letter", "信函"
    PHONE = "phone", "电话"
    ONLINE = "online", "网上"
    VISIT = "visit", "来访"
    HOTLINE = "hotline", "12345热线转办"
    OTHER = "other", "其他"


class ComplaintType(models.TextChoices):
    # 条例第四十七条第二款 names the first two; 第五十一条 covers the rest (侵犯其合法权益).
    NOT_PUBLISHED = "not_published", "未按要求主动公开"
    NOT_ANSWERED = "not_answered", "申请未依法答复"
    OTHER = "other", "其他"


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", "已收到"
    INVESTIGATING = "investigating", "调查中"
    CLOSED = "closed", "已办结"


OPEN_COMPLAINT_STATUSES: frozenset[str] = frozenset({ComplaintStatus.RECEIVED, ComplaintStatus.INVESTIGATING})


class Conclusion(models.TextChoices):
    NONE = "", "—"
    SUBSTANTIATED = "substantiated", "查证属实"
    PARTLY = "partly", "部分属实"
    UNSUBSTANTIATED = "unsubstantiated", "不属实"
    NOT_ACCEPTED = "not_accepted", "不予受理"


class Remedy(models.TextChoices):
    # 条例第四十七条第二款：查证属实的，应当予以督促整改或者通报批评。
    NONE = "", "无"
    RECTIFY = "rectify", "督促整改"
    CRITICIZE = "criticize", "通报批评"
    BOTH = "both", "督促整改并通报批评"


# The conclusions after which a remedy may follow, and must: 第四十七条第二款 says 应当 for 查证属实; a complaint found
# partly true is treated the same for the part that is true.
REMEDY_REQUIRED: frozenset[str] = frozenset({Conclusion.SUBSTANTIATED, Conclusion.PARTLY})


class ComplaintAction(models.TextChoices):
    REGISTER = "register", "登记"
    SUBMIT = "submit", "网上提交"
    INVESTIGATE = "investigate", "开始调查"
    CONCLUDE = "conclude", "办结"
    REJECT = "reject", "不予受理"
    REVEAL = "reveal", "查看完整联系电话"


COMPLAINT_ACTIONS: MappingProxyType[str, ActionRule] = MappingProxyType(
    {
        ComplaintAction.INVESTIGATE: ActionRule(
            frozenset({ComplaintStatus.RECEIVED}), ComplaintStatus.INVESTIGATING, Side.OFFICE, _SUPERVISE
        ),
        ComplaintAction.CONCLUDE: ActionRule(
            frozenset({ComplaintStatus.INVESTIGATING}),
            ComplaintStatus.CLOSED,
            Side.OFFICE,
            _SUPERVISE,
            "条例第四十七条第二款",
        ),
        ComplaintAction.REJECT: ActionRule(
            frozenset({ComplaintStatus.RECEIVED, ComplaintStatus.INVESTIGATING}),
            ComplaintStatus.CLOSED,
            Side.OFFICE,
            _SUPERVISE,
        ),
    }
)

# 条例 sets no period for answering a complaint. 60 calendar days from receipt is borrowed from 信访 practice
# (《信访工作条例》(2022) sets 60 days for handling a 信访事项); it is this platform's working target, not a statutory
# deadline, and is shown as "答复期限（参照）". Change it here.
COMPLAINT_REPLY_DAYS = 60
