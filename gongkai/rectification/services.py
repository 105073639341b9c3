"""Every write of 督促整改 and 投诉举报. One function per action; each locks its row, checks the transition table in
``states`` and who is acting (the 主管部门 side holds Perm.SUPERVISE at the issuing office, the agency side its
permission at the addressed agency), saves, writes the timeline event and the audit row in the same transaction.

A refusal is a ``ValidationError`` with Chinese messages naming the field, and nothing is changed.
Audit chains: a notice's rows go to the addressed agency's chain (it is about that agency's work); a complaint's to
the receiving office's chain (the agency never sees who complained). Personal data enters the audit log masked only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from gongkai.accounts.access import has_perm
from gongkai.accounts.models import User
from gongkai.accounts.roles import Perm
from gongkai.agencies.models import Agency
from gongkai.agencies.selectors import supervised_agency_ids
from gongkai.audit.services import audit_record

# One gap-free counter and one tracking-code format for the whole platform (cases.services).
from gongkai.cases.services import _tracking_code, next_number
from gongkai.cases.uploads import sniff
from gongkai.core.masking import mask_phone
from gongkai.core.validators import normalize_phone, phone_problem
from gongkai.rectification import selectors
from gongkai.rectification.models import Complaint, ComplaintEvent, Notice, NoticeEvent, NoticeItem
from gongkai.rectification.states import (
    COMPLAINT_ACTIONS,
    COMPLAINT_REPLY_DAYS,
    NOTICE_ACTIONS,
    REMEDY_REQUIRED,
    ActionRule,
    Basis,
    ComplaintAction,
    ComplaintChannel,
    ComplaintStatus,
    ComplaintType,
    Conclusion,
    NoticeAction,
    NoticeStatus,
    Remedy,
    Side,
)

__all__ = [
    "ItemInput",
    "ItemReport",
    "can_act",
    "complaint_conclude",
    "complaint_investigate",
    "complaint_phone_reveal",
    "complaint_register",
    "complaint_reject",
    "complaint_submit_online",
    "notice_accept",
    "notice_acknowledge",
    "notice_create",
    "notice_criticize",
    "notice_issue",
    "notice_record",
    "notice_report",
    "notice_return",
    "notice_update",
]

MAX_ITEMS = 20
MAX_TEXT = 5000
# A notice drafted from a complaint gets this many days to its deadline; the drafter changes it before issuing.
# Practice, not statute: 条例 sets no rectification period.
DEFAULT_RECTIFY_DAYS = 30
NOTICE_SERIES = "rectif_notice"
COMPLAINT_SERIES = "rectif_complaint"


@dataclass(frozen=True)
class ItemInput:
    problem: str
    requirement: str = ""


@dataclass(frozen=True)
class ItemReport:
    """What the agency did about item ``position``; ``upload`` is (file name, content) or None."""

    position: int
    text: str
    upload: tuple[str, bytes] | None = None


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _user(actor: Any) -> User | None:
    return actor if isinstance(actor, User) and actor.is_authenticated else None


# ---------------------------------------------------------------------------------------------------------------------
# Who may act


def _allowed(actor: Any, rule: ActionRule, office_id: int, agency_id: int) -> bool:
    return has_perm(actor, rule.perm, office_id if rule.side == Side.OFFICE else agency_id)


def _rule(
    table: Any, action: str, label: str, status: str, status_label: str, actor: Any, office_id: int, agency_id: int
) -> ActionRule:
    rule: ActionRule = table[action]
    if not _allowed(actor, rule, office_id, agency_id):
        who = "主管部门" if rule.side == Side.OFFICE else "被督促整改的机关"
        raise ValidationError({"actor": f"“{label}”须由{who}有相应权限的工作人员办理"})
    if status not in rule.sources:
        raise ValidationError({"status": f"当前状态为“{status_label}”，不能{label}"})
    return rule


def can_act(actor: Any, action: str, notice: Notice | None = None, complaint: Complaint | None = None) -> bool:
    """Whether ``actor`` may take ``action`` now (for showing buttons; the services check again)."""
    if notice is not None:
        rule = NOTICE_ACTIONS[action]
        return notice.status in rule.sources and _allowed(actor, rule, notice.office_id, notice.agency_id)
    assert complaint is not None
    rule = COMPLAINT_ACTIONS[action]
    return complaint.status in rule.sources and _allowed(actor, rule, complaint.office_id, complaint.agency_id)


def _require_office(actor: Any, office: Agency, agency: Agency) -> None:
    if not has_perm(actor, Perm.SUPERVISE, office.pk):
        raise ValidationError({"office": "您不是该主管部门有督促整改权限的工作人员"})
    if agency.pk not in supervised_agency_ids(office.pk):
        raise ValidationError({"agency": f"“{agency.name}”不在“{office.name}”主管的范围内"})


# ---------------------------------------------------------------------------------------------------------------------
# 督促整改通知


def _snapshot(notice: Notice) -> dict[str, Any]:
    return {
        "number": notice.number,
        "status": notice.status,
        "title": notice.title,
        "basis": notice.basis,
        "deadline": notice.deadline,
        "agency": notice.agency_id,
    }


def _notice_event(notice: Notice, action: str, actor: Any, before: dict[str, Any], text: str = "") -> None:
    NoticeEvent.objects.create(
        notice=notice,
        action=action,
        from_status=before.get("status", ""),
        to_status=notice.status,
        text=text,
        actor=_user(actor),
    )
    audit_record(
        action=f"rectification.notice.{action}",
        actor=actor,
        agency_id=notice.agency_id,
        obj=notice,
        before=before or None,
        after={**_snapshot(notice), **({"text": text[:500]} if text else {})},
    )


def _clean_notice(
    *, title: str, basis: str, deadline: dt.date | None, items: Sequence[ItemInput], today: dt.date
) -> tuple[str, list[ItemInput]]:
    errors: dict[str, str] = {}
    title = " ".join(title.split())
    if not title:
        errors["title"] = "请填写标题"
    elif len(title) > 200:
        errors["title"] = "标题不能超过 200 个字"
    if basis not in Basis.values:
        errors["basis"] = "请从列表中选择依据"
    if deadline is None:
        errors["deadline"] = "请填写整改期限"
    elif deadline < today:
        errors["deadline"] = "整改期限不能早于下发日期"
    cleaned = [
        ItemInput(i.problem.strip(), i.requirement.strip()) for i in items if i.problem.strip() or i.requirement.strip()
    ]
    if not cleaned:
        errors["items"] = "请至少填写一项存在问题"
    elif len(cleaned) > MAX_ITEMS:
        errors["items"] = f"整改事项不能超过 {MAX_ITEMS} 项"
    elif any(not i.problem for i in cleaned):
        errors["items"] = "每一项都须写明存在问题"
    elif any(len(i.problem) > MAX_TEXT or len(i.requirement) > MAX_TEXT for i in cleaned):
        errors["items"] = f"每项的问题和要求不能超过 {MAX_TEXT} 个字"
    if errors:
        raise ValidationError(errors)
    return title, cleaned


def _replace_items(notice: Notice, items: Sequence[ItemInput]) -> None:
    notice.items.all().delete()
    NoticeItem.objects.bulk_create(
        NoticeItem(notice=notice, position=n, problem=item.problem, requirement=item.requirement)
        for n, item in enumerate(items, start=1)
    )


def notice_create(
    *,
    office: Agency,
    agency: Agency,
    actor: Any,
    title: str,
    basis: str,
    deadline: dt.date | None,
    items: Sequence[ItemInput],
    complaint: Complaint | None = None,
    today: dt.date | None = None,
) -> Notice:
    """A draft notice from ``office`` to ``agency``; it gets its number when issued."""
    today = _today(today)
    _require_office(actor, office, agency)
    title, cleaned = _clean_notice(title=title, basis=basis, deadline=deadline, items=items, today=today)
    if complaint is not None and (complaint.office_id != office.pk or complaint.agency_id != agency.pk):
        raise ValidationError({"complaint": "所关联的投诉须为本主管部门收到的、针对该机关的投诉"})
    assert deadline is not None
    with transaction.atomic():
        notice = Notice.objects.create(
            office=office,
            agency=agency,
            title=title,
            basis=basis,
            deadline=deadline,
            complaint=complaint,
            created_by=_user(actor),
        )
        _replace_items(notice, cleaned)
        _notice_event(notice, NoticeAction.CREATE, actor, {})
    return notice


def _lock_notice(notice: Notice, action: NoticeAction, actor: Any) -> tuple[Notice, ActionRule, dict[str, Any]]:
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    rule = _rule(
        NOTICE_ACTIONS,
        action,
        action.label,
        locked.status,
        NoticeStatus(locked.status).label,
        actor,
        locked.office_id,
        locked.agency_id,
    )
    return locked, rule, _snapshot(locked)


def notice_update(
    *,
    notice: Notice,
    actor: Any,
    title: str,
    basis: str,
    deadline: dt.date | None,
    items: Sequence[ItemInput],
    today: dt.date | None = None,
) -> Notice:
    today = _today(today)
    with transaction.atomic():
        locked, _, before = _lock_notice(notice, NoticeAction.EDIT, actor)
        title, cleaned = _clean_notice(title=title, basis=basis, deadline=deadline, items=items, today=today)
        assert deadline is not None
        locked.title, locked.basis, locked.deadline = title, basis, deadline
        locked.save(update_fields=["title", "basis", "deadline", "updated_at"])
        _replace_items(locked, cleaned)
        _notice_event(locked, NoticeAction.EDIT, actor, before)
    return locked


def notice_issue(*, notice: Notice, actor: Any, today: dt.date | None = None) -> Notice:
    """条例第四十七条第一款：督促整改. Takes the office's next number for the year of issue."""
    today = _today(today)
    with transaction.atomic():
        locked, rule, before = _lock_notice(notice, NoticeAction.ISSUE, actor)
        if locked.deadline < today:
            raise ValidationError({"deadline": "整改期限不能早于下发日期，请先修改整改期限"})
        if any(not item.requirement.strip() for item in locked.items.all()):
            raise ValidationError({"items": "下发前须为每一项写明整改要求"})
        office = Agency.objects.get(pk=locked.office_id)
        locked.year = today.year
        locked.seq = next_number(agency=office, year=today.year, series=NOTICE_SERIES)
        locked.number = f"{office.short_name or office.name}督改〔{today.year}〕{locked.seq}号"
        locked.status = rule.target or locked.status
        locked.issued_on = today
        locked.save(update_fields=["year", "seq", "number", "status", "issued_on", "updated_at"])
        _notice_event(locked, NoticeAction.ISSUE, actor, before)
    return locked


def notice_acknowledge(*, notice: Notice, actor: Any, today: dt.date | None = None) -> Notice:
    with transaction.atomic():
        locked, rule, before = _lock_notice(notice, NoticeAction.ACKNOWLEDGE, actor)
        locked.status = rule.target or locked.status
        locked.acknowledged_on = _today(today)
        locked.save(update_fields=["status", "acknowledged_on", "updated_at"])
        _notice_event(locked, NoticeAction.ACKNOWLEDGE, actor, before)
    return locked


def _record_entries(notice: Notice, entries: Sequence[ItemReport]) -> list[int]:
    items = {item.position: item for item in NoticeItem.objects.select_for_update().filter(notice=notice)}
    errors: dict[str, str] = {}
    prepared: list[tuple[NoticeItem, str, Any]] = []
    for entry in entries:
        item = items.get(entry.position)
        field = f"item-{entry.position}-rectification"
        if item is None:
            errors[field] = f"没有第 {entry.position} 项整改事项"
            continue
        text = entry.text.strip()
        if len(text) > MAX_TEXT:
            errors[field] = f"第 {entry.position} 项的整改情况不能超过 {MAX_TEXT} 个字"
            continue
        sniffed = None
        if entry.upload is not None:
            try:
                sniffed = sniff(entry.upload[0], entry.upload[1], field=f"item-{entry.position}-attachment")
            except ValidationError as error:
                errors.update({k: "；".join(v) for k, v in error.message_dict.items()})
                continue
        prepared.append((item, text, sniffed))
    if errors:
        raise ValidationError(errors)
    changed: list[int] = []
    for item, text, sniffed in prepared:
        fields = ["rectification", "updated_at"]
        item.rectification = text
        if sniffed is not None:
            digest = hashlib.sha256(sniffed.content).hexdigest()
            item.attachment_sha256 = digest
            item.attachment_name = sniffed.name
            item.attachment_type = sniffed.content_type
            item.attachment.save(digest, ContentFile(sniffed.content), save=False)
            fields += ["attachment", "attachment_name", "attachment_type", "attachment_sha256"]
        item.save(update_fields=fields)
        changed.append(item.position)
    return changed


def notice_record(*, notice: Notice, actor: Any, entries: Sequence[ItemReport]) -> Notice:
    """Save what was done, item by item, without reporting yet (经办人 drafts, 负责人 reports)."""
    with transaction.atomic():
        locked, _, before = _lock_notice(notice, NoticeAction.RECORD, actor)
        changed = _record_entries(locked, entries)
        _notice_event(
            locked,
            NoticeAction.RECORD,
            actor,
            before,
            text=f"填写第 {'、'.join(map(str, changed))} 项" if changed else "",
        )
    return locked


def notice_report(
    *, notice: Notice, actor: Any, entries: Sequence[ItemReport] = (), today: dt.date | None = None
) -> Notice:
    """The agency reports the rectification to the 主管部门: every item must say what was done."""
    with transaction.atomic():
        locked, rule, before = _lock_notice(notice, NoticeAction.REPORT, actor)
        _record_entries(locked, entries)
        missing = [item.position for item in locked.items.all() if not item.rectification.strip()]
        if missing:
            raise ValidationError(
                {f"item-{missing[0]}-rectification": f"第 {'、'.join(map(str, missing))} 项尚未填写整改情况"}
            )
        locked.status = rule.target or locked.status
        locked.reported_on = _today(today)
        locked.save(update_fields=["status", "reported_on", "updated_at"])
        _notice_event(locked, NoticeAction.REPORT, actor, before)
    return locked


def notice_accept(*, notice: Notice, actor: Any, note: str = "", today: dt.date | None = None) -> Notice:
    """验收: the 主管部门 accepts the rectification and closes the notice."""
    with transaction.atomic():
        locked, rule, before = _lock_notice(notice, NoticeAction.ACCEPT, actor)
        locked.status = rule.target or locked.status
        locked.closed_on = _today(today)
        locked.save(update_fields=["status", "closed_on", "updated_at"])
        _notice_event(locked, NoticeAction.ACCEPT, actor, before, text=note.strip()[:MAX_TEXT])
    return locked


def notice_return(*, notice: Notice, actor: Any, reason: str) -> Notice:
    """退回重改: back to 已签收, with the reason the agency must act on."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "请填写退回理由"})
    if len(reason) > MAX_TEXT:
        raise ValidationError({"reason": f"退回理由不能超过 {MAX_TEXT} 个字"})
    with transaction.atomic():
        locked, rule, before = _lock_notice(notice, NoticeAction.RETURN, actor)
        locked.status = rule.target or locked.status
        locked.return_reason = reason
        locked.reported_on = None
        locked.save(update_fields=["status", "return_reason", "reported_on", "updated_at"])
        _notice_event(locked, NoticeAction.RETURN, actor, before, text=reason)
    return locked


def notice_criticize(*, notice: Notice, actor: Any, text: str, today: dt.date | None = None) -> Notice:
    """条例第四十七条第一款：通报批评, recorded on the notice (the status does not change)."""
    text = text.strip()
    if not text:
        raise ValidationError({"criticism": "请填写通报批评的内容"})
    if len(text) > MAX_TEXT:
        raise ValidationError({"criticism": f"通报批评内容不能超过 {MAX_TEXT} 个字"})
    with transaction.atomic():
        locked, _, before = _lock_notice(notice, NoticeAction.CRITICIZE, actor)
        if locked.criticized_on is not None:
            raise ValidationError({"criticism": "该通知已记录通报批评"})
        locked.criticism = text
        locked.criticized_on = _today(today)
        locked.save(update_fields=["criticism", "criticized_on", "updated_at"])
        _notice_event(locked, NoticeAction.CRITICIZE, actor, before, text=text)
    return locked


# ---------------------------------------------------------------------------------------------------------------------
# 投诉举报


def _complaint_snapshot(complaint: Complaint) -> dict[str, Any]:
    return {
        "number": complaint.number,
        "status": complaint.status,
        "agency": complaint.agency_id,
        "channel": complaint.channel,
        "type": complaint.complaint_type,
        "phone": mask_phone(complaint.phone),
        "conclusion": complaint.conclusion,
        "remedy": complaint.remedy,
    }


def _complaint_event(complaint: Complaint, action: str, actor: Any, before: dict[str, Any], text: str = "") -> None:
    ComplaintEvent.objects.create(
        complaint=complaint,
        action=action,
        from_status=before.get("status", ""),
        to_status=complaint.status,
        text=text,
        actor=_user(actor),
    )
    audit_record(
        action=f"rectification.complaint.{action}",
        actor=actor,
        agency_id=complaint.office_id,
        obj=complaint,
        before=before or None,
        after=_complaint_snapshot(complaint),
    )


def _clean_complaint(
    *,
    channel: str,
    complaint_type: str,
    description: str,
    complainant_name: str,
    phone: str,
    other_contact: str,
    received_on: dt.date,
    today: dt.date,
    phone_required: bool,
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = " ".join(complainant_name.split())
    description = description.strip()
    phone = normalize_phone(phone.strip())
    if channel not in ComplaintChannel.values:
        errors["channel"] = "请从列表中选择来源渠道"
    if complaint_type not in ComplaintType.values:
        errors["complaint_type"] = "请从列表中选择投诉类型"
    if not description:
        errors["description"] = "请填写投诉内容"
    elif len(description) > MAX_TEXT:
        errors["description"] = f"投诉内容不能超过 {MAX_TEXT} 个字（现有 {len(description)} 个字）"
    if phone_required and not name:
        errors["complainant_name"] = "请填写投诉人姓名或名称"
    elif len(name) > 100:
        errors["complainant_name"] = "投诉人姓名或名称不能超过 100 个字"
    if "\x00" in description or "\x00" in name or "\x00" in other_contact:
        errors.setdefault("description", "内容含有不能保存的字符")
    if phone:
        problem = phone_problem(phone)
        if problem:
            errors["phone"] = problem
    elif phone_required:
        errors["phone"] = "请填写联系电话，用于答复和查询办理进度"
    if len(other_contact.strip()) > 200:
        errors["other_contact"] = "其他联系方式不能超过 200 个字"
    if received_on > today:
        errors["received_on"] = "收到日期不能晚于今天"
    if errors:
        raise ValidationError(errors)
    return {
        "channel": channel,
        "complaint_type": complaint_type,
        "description": description,
        "complainant_name": name,
        "phone": phone or None,
        "other_contact": other_contact.strip() or None,
        "received_on": received_on,
        "reply_due": received_on + dt.timedelta(days=COMPLAINT_REPLY_DAYS),
    }


def _create_complaint(
    *, office: Agency, agency: Agency, values: dict[str, Any], actor: Any, action: str, submission_key: str | None
) -> Complaint:
    year = values["received_on"].year
    seq = next_number(agency=office, year=year, series=COMPLAINT_SERIES)
    code = _tracking_code()
    for _attempt in range(5):
        if not Complaint.objects.filter(tracking_code=code).exists():
            break
        code = _tracking_code()
    complaint = Complaint.objects.create(
        office=office,
        agency=agency,
        year=year,
        seq=seq,
        number=f"{year}-{seq:04d}",
        tracking_code=code,
        submission_key=submission_key,
        registered_by=_user(actor),
        **values,
    )
    _complaint_event(complaint, action, actor, {})
    return complaint


def complaint_register(
    *,
    office: Agency,
    agency: Agency,
    actor: Any,
    channel: str,
    complaint_type: str,
    description: str,
    received_on: dt.date,
    complainant_name: str = "",
    phone: str = "",
    other_contact: str = "",
    today: dt.date | None = None,
) -> Complaint:
    """主管部门 staff register a complaint received by letter, phone, visit or 12345 (anonymous ones too)."""
    _require_office(actor, office, agency)
    values = _clean_complaint(
        channel=channel,
        complaint_type=complaint_type,
        description=description,
        complainant_name=complainant_name,
        phone=phone,
        other_contact=other_contact,
        received_on=received_on,
        today=_today(today),
        phone_required=False,
    )
    with transaction.atomic():
        return _create_complaint(
            office=office,
            agency=agency,
            values=values,
            actor=actor,
            action=ComplaintAction.REGISTER,
            submission_key=None,
        )


def complaint_submit_online(
    *,
    agency: Agency | None,
    complaint_type: str,
    description: str,
    complainant_name: str,
    phone: str,
    submission_key: str,
    request: HttpRequest | None = None,
) -> tuple[Complaint, bool]:
    """The public form. Returns (complaint, created): a second POST of the same form returns the first complaint."""
    existing = Complaint.objects.filter(submission_key=submission_key).first() if submission_key else None
    if existing is not None:
        return existing, False
    errors: dict[str, str] = {}
    office = selectors.supervising_office(agency) if agency is not None else None
    if agency is None or not agency.is_active:
        errors["agency"] = "请选择被投诉的机关"
    elif office is None:
        errors["agency"] = f"“{agency.name}”尚未设置政府信息公开工作主管部门，请通过信函或来访投诉"
    if not submission_key:
        errors["form_token"] = "页面已过期，请刷新后重新提交"  # noqa: S105 (a message, not a secret)
    try:
        values = _clean_complaint(
            channel=ComplaintChannel.ONLINE,
            complaint_type=complaint_type,
            description=description,
            complainant_name=complainant_name,
            phone=phone,
            other_contact="",
            received_on=timezone.localdate(),
            today=timezone.localdate(),
            phone_required=True,
        )
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    assert agency is not None
    assert office is not None
    try:
        with transaction.atomic():
            complaint = _create_complaint(
                office=office,
                agency=agency,
                values=values,
                actor=None,
                action=ComplaintAction.SUBMIT,
                submission_key=submission_key,
            )
    except IntegrityError:
        # Two POSTs of the same form at once: the other one won the unique submission key.
        existing = Complaint.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise
        return existing, False
    return complaint, True


def _lock_complaint(
    complaint: Complaint, action: ComplaintAction, actor: Any
) -> tuple[Complaint, ActionRule, dict[str, Any]]:
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    rule = _rule(
        COMPLAINT_ACTIONS,
        action,
        action.label,
        locked.status,
        ComplaintStatus(locked.status).label,
        actor,
        locked.office_id,
        locked.agency_id,
    )
    return locked, rule, _complaint_snapshot(locked)


def complaint_investigate(*, complaint: Complaint, actor: Any, note: str = "") -> Complaint:
    with transaction.atomic():
        locked, rule, before = _lock_complaint(complaint, ComplaintAction.INVESTIGATE, actor)
        locked.status = rule.target or locked.status
        locked.save(update_fields=["status", "updated_at"])
        _complaint_event(locked, ComplaintAction.INVESTIGATE, actor, before, text=note.strip()[:MAX_TEXT])
    return locked


def _reply(reply_text: str) -> str:
    reply_text = reply_text.strip()
    if not reply_text:
        raise ValidationError({"reply_text": "请填写给投诉人的答复"})
    if len(reply_text) > MAX_TEXT:
        raise ValidationError({"reply_text": f"答复不能超过 {MAX_TEXT} 个字"})
    return reply_text


def complaint_conclude(
    *,
    complaint: Complaint,
    actor: Any,
    conclusion: str,
    findings: str,
    reply_text: str,
    remedy: str = Remedy.NONE,
    criticism: str = "",
    today: dt.date | None = None,
) -> Complaint:
    """办结 after investigation. 条例第四十七条第二款：查证属实的，应当予以督促整改或者通报批评 — a true (or partly true)
    complaint must name its remedy; 督促整改 drafts a notice prefilled from the complaint, for the office to finish."""
    today = _today(today)
    errors: dict[str, str] = {}
    findings, criticism = findings.strip(), criticism.strip()
    if conclusion not in (Conclusion.SUBSTANTIATED, Conclusion.PARTLY, Conclusion.UNSUBSTANTIATED):
        errors["conclusion"] = "请选择办理结论（查证属实、部分属实或不属实）；不予受理请用“不予受理”"
    elif conclusion in REMEDY_REQUIRED and remedy not in (Remedy.RECTIFY, Remedy.CRITICIZE, Remedy.BOTH):
        errors["remedy"] = "查证属实的，应当予以督促整改或者通报批评（条例第四十七条第二款）"
    elif conclusion not in REMEDY_REQUIRED and remedy:
        errors["remedy"] = "投诉不属实的，不能督促整改或通报批评"
    if not findings:
        errors["findings"] = "请填写调查情况"
    elif len(findings) > MAX_TEXT:
        errors["findings"] = f"调查情况不能超过 {MAX_TEXT} 个字"
    if remedy in (Remedy.CRITICIZE, Remedy.BOTH) and not criticism:
        errors["criticism"] = "请填写通报批评的内容"
    elif len(criticism) > MAX_TEXT:
        errors["criticism"] = f"通报批评内容不能超过 {MAX_TEXT} 个字"
    try:
        reply_text = _reply(reply_text)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked, rule, before = _lock_complaint(complaint, ComplaintAction.CONCLUDE, actor)
        locked.status = rule.target or locked.status
        locked.conclusion = conclusion
        locked.findings = findings
        locked.remedy = remedy
        locked.criticism = criticism if remedy in (Remedy.CRITICIZE, Remedy.BOTH) else ""
        locked.reply_text = reply_text
        locked.closed_on = today
        locked.save(
            update_fields=[
                "status",
                "conclusion",
                "findings",
                "remedy",
                "criticism",
                "reply_text",
                "closed_on",
                "updated_at",
            ]
        )
        _complaint_event(locked, ComplaintAction.CONCLUDE, actor, before, text=findings)
        if remedy in (Remedy.RECTIFY, Remedy.BOTH):
            office = Agency.objects.get(pk=locked.office_id)
            agency = Agency.objects.get(pk=locked.agency_id)
            notice_create(
                office=office,
                agency=agency,
                actor=actor,
                title=f"关于{agency.name}{ComplaintType(locked.complaint_type).label}问题的督促整改通知",
                basis=Basis.COMPLAINT,
                deadline=today + dt.timedelta(days=DEFAULT_RECTIFY_DAYS),
                items=[
                    ItemInput(problem=f"投诉{locked.number}反映：{locked.description}\n调查情况：{findings}"[:MAX_TEXT])
                ],
                complaint=locked,
                today=today,
            )
    return locked


def complaint_reject(
    *, complaint: Complaint, actor: Any, reason: str, reply_text: str, today: dt.date | None = None
) -> Complaint:
    """不予受理 (e.g. not about disclosure work, or not about an agency this office supervises), with the reason."""
    errors: dict[str, str] = {}
    reason = reason.strip()
    if not reason:
        errors["findings"] = "请填写不予受理的理由"
    elif len(reason) > MAX_TEXT:
        errors["findings"] = f"不予受理的理由不能超过 {MAX_TEXT} 个字"
    try:
        reply_text = _reply(reply_text)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked, rule, before = _lock_complaint(complaint, ComplaintAction.REJECT, actor)
        locked.status = rule.target or locked.status
        locked.conclusion = Conclusion.NOT_ACCEPTED
        locked.findings = reason
        locked.remedy = Remedy.NONE
        locked.reply_text = reply_text
        locked.closed_on = _today(today)
        locked.save(
            update_fields=["status", "conclusion", "findings", "remedy", "reply_text", "closed_on", "updated_at"]
        )
        _complaint_event(locked, ComplaintAction.REJECT, actor, before, text=reason)
    return locked


def complaint_phone_reveal(*, complaint: Complaint, actor: Any, request: HttpRequest | None = None) -> str:
    """The full phone number, to call the complainant back: only the receiving office, and every view is audited."""
    if not has_perm(actor, Perm.SUPERVISE, complaint.office_id):
        raise ValidationError({"actor": "只有受理的主管部门可以查看完整联系电话"})
    if not complaint.phone:
        raise ValidationError({"phone": "该投诉没有登记联系电话"})
    audit_record(
        action="rectification.complaint.reveal",
        actor=actor,
        agency_id=complaint.office_id,
        obj=complaint,
        after={"field": "phone", "phone": mask_phone(complaint.phone)},
        request=request,
    )
    return str(complaint.phone)
