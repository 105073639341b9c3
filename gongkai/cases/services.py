"""Every write to a 依申请公开 case. One function per action; each locks the case, checks the transition table
(``states.ACTIONS``) and the statute, writes the case event and the audit row, and moves the clock ledger.

Callers (views, API, CLI) pass parsed values; a refusal is a ``django.core.exceptions.ValidationError`` whose messages
are Chinese and name the field, and nothing is changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from gongkai.accounts.access import has_perm
from gongkai.accounts.models import IdType, User
from gongkai.accounts.roles import Perm
from gongkai.agencies.models import Agency
from gongkai.audit.services import audit_record
from gongkai.cases import fees as fee_rules
from gongkai.cases import selectors
from gongkai.cases.codebook import (
    ApplicantType,
    Channel,
    ObtainMethod,
    Outcome,
    OutcomeVariant,
    ProvisionForm,
    outcome_info,
)
from gongkai.cases.models import (
    AttachmentKind,
    Case,
    CaseAttachment,
    CaseDocument,
    CaseEvent,
    Consultation,
    ConsulteeKind,
    Counter,
    Delivery,
    DeliveryMethod,
    DocumentKind,
    DocumentStatus,
    FeeAssessment,
    OpinionResult,
    ReceiptJob,
    ReceiptOccasion,
    RequestedItem,
    WithheldPart,
)
from gongkai.cases.states import Action, Actor, Status, TransitionError, rule_for
from gongkai.clock import selectors as clock_selectors
from gongkai.clock import services as clock_services
from gongkai.clock.engine import EventType, LedgerEvent
from gongkai.clock.rules import PERIODS
from gongkai.core.dates import chinese_date
from gongkai.core.masking import mask_id_number, mask_phone
from gongkai.core.validators import (
    credit_code_problem,
    id_number_problem,
    normalize_code,
    normalize_id_number,
    normalize_phone,
    normalize_postcode,
    phone_problem,
    postcode_problem,
)

if TYPE_CHECKING:
    from gongkai.documents.render import OfficialDocument

log = logging.getLogger(__name__)

_OPINION_DAYS = PERIODS["third_party_opinion"].amount  # 条例第三十二、三十四条：15个工作日
_FEE_DAYS = PERIODS["fee_payment"].amount  # 国办函〔2020〕109号：收到收费通知次日起20个工作日
_CORRECTION_NOTICE_DAYS = PERIODS["correction_notice"].amount  # 条例第三十条：7个工作日
_TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone

MAX_ITEMS = 20


def _fail(field_name: str | None, message: str) -> ValidationError:
    return ValidationError({field_name: message} if field_name else message)


def _today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------------------------------------------------------------
# Numbers


def next_number(*, agency: Agency, year: int, series: str) -> int:
    """Take the next gap-free number of ``series`` for (agency, year). Must run inside the caller's transaction."""
    # The row is created once (a concurrent creator loses the race harmlessly), then locked: numbers are taken
    # one at a time per agency and year, and a rolled-back transaction gives its number back.
    Counter.objects.bulk_create([Counter(agency=agency, year=year, series=series)], ignore_conflicts=True)
    counter = Counter.objects.select_for_update().get(agency=agency, year=year, series=series)
    counter.last = F("last") + 1
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    return counter.last


def _tracking_code() -> str:
    raw = "".join(secrets.choice(_TRACKING_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def format_doc_number(agency: Agency, year: int, seq: int) -> str:
    pattern = agency.doc_number_pattern or f"{agency.short_name or agency.name}公开〔{{year}}〕{{seq}}号"
    try:
        return pattern.format(year=year, seq=seq)
    except (KeyError, IndexError, ValueError):
        return f"{agency.short_name or agency.name}公开〔{year}〕{seq}号"


# ---------------------------------------------------------------------------------------------------------------------
# Actors and events


def _label(actor: Any) -> str:
    if actor is None:
        return "系统"
    if isinstance(actor, User):
        return actor.full_name or actor.username
    return str(actor)


def _user(actor: Any) -> User | None:
    return actor if isinstance(actor, User) else None


def _lock(case: Case) -> Case:
    # of=("self",): the ledger is a nullable relation (an outer join), which PostgreSQL will not lock FOR UPDATE; the
    # case row is the lock every action takes, and the ledger has its own in clock.services.
    return Case.objects.select_for_update(of=("self",)).select_related("agency", "ledger").get(pk=case.pk)


def _begin(case: Case, action: Action, actor: Any, kind: Actor) -> tuple[Case, Any]:
    """Lock the case and check that ``actor`` may take ``action`` from its current status."""
    locked = _lock(case)
    try:
        rule = rule_for(action, locked.status, kind)
    except TransitionError as error:
        raise ValidationError(error.message) from None
    if kind is Actor.STAFF:
        user = _user(actor)
        if user is None or rule.perm is None or not has_perm(user, rule.perm, locked.agency_id):
            need = "负责人" if rule.perm == Perm.APPROVE else "经办人或负责人"
            raise ValidationError(f"“{action.label}”须由本机关{need}执行")
    elif kind is Actor.APPLICANT and locked.applicant_user_id is not None:
        user = _user(actor)
        if user is not None and user.pk != locked.applicant_user_id:
            raise ValidationError("只能撤回本人的申请")
    return locked, rule


def _record(
    case: Case,
    action: Action,
    *,
    actor: Any,
    on: dt.date,
    from_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    public: bool = False,
    request: HttpRequest | None = None,
) -> CaseEvent:
    seq = (CaseEvent.objects.filter(case=case).order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    event = CaseEvent.objects.create(
        case=case,
        seq=seq,
        action=action,
        from_status=from_status,
        to_status=case.status if from_status else "",
        on=on,
        actor=_user(actor),
        actor_label=_label(actor),
        note=note[:2000],
        data=data or {},
        public=public,
    )
    audit_record(
        action=f"case.{action.value}",
        actor=actor,
        agency_id=case.agency_id,
        obj=case,
        before={"status": from_status} if from_status else None,
        after={"status": case.status, "on": on, **_audit_data(data or {})},
        detail=f"{case.number} {action.label}",
        request=request,
        actor_label=None if actor is not None else "系统",
    )
    return event


# Keys of event data that name a consulted party (a third party under 条例第三十二条 may be a citizen): the case file
# keeps them, where the retention purge reaches them; the audit log gets the consultation's number instead, because no
# name that enters the log can be taken out again (append-only, hash-chained: docs/security.md「个人信息生命周期」).
_NAMING_KEYS = frozenset({"party", "lapsed"})


def _audit_data(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _audit_data(v) for k, v in value.items() if k not in _NAMING_KEYS}
    if isinstance(value, list):
        return [_audit_data(item) for item in value]
    return value


def _move(
    case: Case,
    rule: Any,
    action: Action,
    *,
    actor: Any,
    on: dt.date,
    fields: Sequence[str] = (),
    note: str = "",
    data: dict[str, Any] | None = None,
    public: bool = True,
    request: HttpRequest | None = None,
) -> CaseEvent:
    before = case.status
    if rule.target is not None:
        case.status = rule.target
    case.save(update_fields=sorted({"status", "updated_at", *fields}))
    return _record(
        case, action, actor=actor, on=on, from_status=before, note=note, data=data, public=public, request=request
    )


def _ledger(case: Case, event: LedgerEvent, actor: Any, request: HttpRequest | None) -> None:
    if case.ledger is None:
        raise ValidationError("尚未确认收到申请，期限未开始计算")
    clock_services.ledger_append(ledger=case.ledger, event=event, actor=actor, request=request)


def _not_future(value: dt.date, field_name: str) -> None:
    if value > _today():
        raise _fail(field_name, f"日期（{value.isoformat()}）不能晚于今天")


def _not_before_receipt(case: Case, value: dt.date, field_name: str) -> None:
    if case.received_on and value < case.received_on:
        raise _fail(field_name, f"日期不能早于收到申请之日（{case.received_on.isoformat()}）")


# ---------------------------------------------------------------------------------------------------------------------
# Intake (条例第二十九条、第三十一条)


@dataclass
class ItemInput:
    title: str
    doc_number: str = ""
    description: str = ""


@dataclass
class UploadInput:
    name: str
    content: bytes
    content_type: str  # as sniffed from the content by gongkai.cases.uploads, never the client's claim
    kind: str = AttachmentKind.ID_COPY


@dataclass
class ApplicationInput:
    applicant_type: str
    applicant_name: str
    id_type: str
    id_number: str
    phone: str
    items: list[ItemInput]
    provision_form: str
    obtain_method: str
    email: str = ""
    postal_address: str = ""
    postcode: str = ""
    contact_person: str = ""
    remarks: str = ""
    attachments: list[UploadInput] = field(default_factory=list)


def _choice(errors: dict[str, str], name: str, value: str, choices: Iterable[str], label: str) -> None:
    if value not in set(choices):
        errors[name] = f"请选择{label}"


def validate_application(data: ApplicationInput) -> ApplicationInput:
    """Check and normalise an application; raise ValidationError naming every bad field (条例第二十九条)."""
    errors: dict[str, str] = {}
    _choice(errors, "applicant_type", data.applicant_type, ApplicantType.values, "申请人类型")
    data.applicant_name = data.applicant_name.strip()
    if not data.applicant_name:
        errors["applicant_name"] = "请填写申请人姓名或名称"
    elif len(data.applicant_name) > 100:
        errors["applicant_name"] = "申请人姓名或名称不能超过100个字"
    is_org = data.applicant_type in ApplicantType.values and ApplicantType(data.applicant_type).is_organisation
    if is_org and data.id_type != IdType.CREDIT_CODE:
        errors["id_type"] = "法人或其他组织请使用统一社会信用代码"
    _choice(errors, "id_type", data.id_type, IdType.values, "证件类型")
    number = data.id_number.strip()
    if not number:
        errors["id_number"] = "请填写证件号码"
    elif data.id_type == IdType.RESIDENT_ID:
        problem = id_number_problem(number)
        if problem:
            errors["id_number"] = problem
        else:
            data.id_number = normalize_id_number(number)
    elif data.id_type == IdType.CREDIT_CODE:
        problem = credit_code_problem(number)
        if problem:
            errors["id_number"] = problem
        else:
            data.id_number = normalize_code(number)
    elif not 5 <= len(number) <= 30:
        errors["id_number"] = "证件号码长度应为5至30个字符"
    else:
        data.id_number = number
    if not data.phone.strip():
        errors["phone"] = "请填写联系电话"
    else:
        problem = phone_problem(data.phone)
        if problem:
            errors["phone"] = problem
        else:
            data.phone = normalize_phone(data.phone)
    if is_org and not data.contact_person.strip():
        errors["contact_person"] = "法人或其他组织请填写联系人"
    # A full-width "４６７０００" is the same postcode (as for the phone and ID number); any other digit is refused.
    data.postcode = normalize_postcode(data.postcode)
    problem = postcode_problem(data.postcode) if data.postcode else None
    if problem:
        errors["postcode"] = problem
    _choice(errors, "provision_form", data.provision_form, ProvisionForm.values, "信息的提供形式")
    _choice(errors, "obtain_method", data.obtain_method, ObtainMethod.values, "获取信息的方式")
    if data.obtain_method == ObtainMethod.EMAIL and not data.email.strip():
        errors["email"] = "选择电子邮件方式获取的，请填写电子邮箱"
    if data.obtain_method == ObtainMethod.POST and not data.postal_address.strip():
        errors["postal_address"] = "选择邮寄方式获取的，请填写通信地址"
    if data.email:
        from django.core.validators import validate_email

        try:
            validate_email(data.email.strip())
            data.email = data.email.strip()
        except ValidationError:
            errors["email"] = "电子邮箱格式不正确"
    items = [i for i in data.items if i.title.strip() or i.doc_number.strip() or i.description.strip()]
    if not items:
        errors["items"] = "请至少填写一项申请公开的政府信息（名称、文号或特征性描述）"
    elif len(items) > MAX_ITEMS:
        errors["items"] = f"一份申请最多填写{MAX_ITEMS}项信息"
    for n, item in enumerate(items, start=1):
        if len(item.title) > 300 or len(item.doc_number) > 100 or len(item.description) > 5000:
            errors["items"] = f"第{n}项信息内容过长"
        if not item.title.strip() and not item.description.strip():
            errors["items"] = f"第{n}项信息请填写名称或特征性描述"
    data.items = items
    for name in ("postal_address", "contact_person", "remarks"):
        limit = 5000 if name == "remarks" else 200
        if len(getattr(data, name)) > limit:
            errors[name] = f"内容不能超过{limit}个字"
    if errors:
        raise ValidationError(errors)
    return data


def _store_attachment(case: Case, upload: UploadInput, actor: Any) -> CaseAttachment:
    digest = hashlib.sha256(upload.content).hexdigest()
    attachment = CaseAttachment(
        case=case,
        kind=upload.kind,
        original_name=upload.name[:200],
        content_type=upload.content_type,
        size=len(upload.content),
        sha256=digest,
        uploaded_by=_user(actor),
    )
    attachment.file.save(digest, ContentFile(upload.content), save=False)
    attachment.save()
    return attachment


def _create_case(
    *,
    agency: Agency,
    data: ApplicationInput,
    channel: Channel,
    status: Status,
    actor: Any,
    applicant_user: User | None,
    registered_by: User | None,
    received_on: dt.date | None,
    receipt_note: str,
    submitted_at: dt.datetime | None = None,
) -> Case:
    now = submitted_at or timezone.now()
    if now > timezone.now():
        raise _fail("submitted_at", "提交时间不能晚于现在")
    year = timezone.localtime(now).year if received_on is None else received_on.year
    seq = next_number(agency=agency, year=year, series="case")
    for _attempt in range(5):
        code = _tracking_code()
        if not Case.objects.filter(tracking_code=code).exists():
            break
    case = Case.objects.create(
        agency=agency,
        year=year,
        seq=seq,
        number=f"{year}-{seq:04d}",
        tracking_code=code,
        channel=channel,
        status=status,
        submitted_at=now,
        received_on=received_on,
        receipt_note=receipt_note[:300],
        applicant_type=data.applicant_type,
        applicant_name=data.applicant_name,
        contact_person=data.contact_person.strip()[:50],
        id_type=data.id_type,
        id_number=data.id_number,
        phone=data.phone,
        email=data.email,
        postal_address=data.postal_address.strip(),
        postcode=data.postcode,
        applicant_user=applicant_user,
        provision_form=data.provision_form,
        obtain_method=data.obtain_method,
        remarks=data.remarks.strip(),
        registered_by=registered_by,
    )
    RequestedItem.objects.bulk_create(
        RequestedItem(
            case=case,
            position=n,
            title=item.title.strip()[:300] or item.description.strip()[:60],
            doc_number=item.doc_number.strip()[:100],
            description=item.description.strip(),
        )
        for n, item in enumerate(data.items, start=1)
    )
    for upload in data.attachments:
        _store_attachment(case, upload, actor)
    return case


def _open_clock(case: Case, actor: Any, request: HttpRequest | None) -> None:
    assert case.received_on is not None
    case.ledger = clock_services.ledger_open(
        agency=case.agency,
        received=case.received_on,
        # By number only: the ledger's name enters the audit log, and what was asked may name the applicant.
        subject=f"申请{case.number}",
        actor=actor,
        request=request,
    )
    case.save(update_fields=["ledger", "updated_at"])


def _intake_data(case: Case) -> dict[str, Any]:
    # Only masked values enter the audit log: it must not become a second copy of personal data.
    return {
        "number": case.number,
        "channel": case.channel,
        "applicant_type": case.applicant_type,
        "id_number": mask_id_number(case.id_number),
        "phone": mask_phone(case.phone),
        "items": case.items.count(),
    }


def case_submit_online(
    *,
    agency: Agency,
    data: ApplicationInput,
    applicant_user: User | None = None,
    request: HttpRequest | None = None,
    submitted_at: dt.datetime | None = None,
) -> Case:
    """The public online form (条例第二十九条): the case waits in 待确认 until staff confirm receipt (第三十一条（三）).

    ``submitted_at`` is for importing historical applications (and the demo data); the web form never sets it.
    """
    if not agency.is_active:
        raise _fail("agency", "该机关未开通在线申请")
    data = validate_application(data)
    with transaction.atomic():
        case = _create_case(
            agency=agency,
            data=data,
            channel=Channel.ONLINE,
            status=Status.PENDING,
            actor=applicant_user,
            applicant_user=applicant_user,
            registered_by=None,
            received_on=None,
            receipt_note="",
            submitted_at=submitted_at,
        )
        _record(
            case,
            Action.SUBMIT,
            actor=applicant_user or f"申请人 {case.applicant_name}",
            on=timezone.localtime(case.submitted_at).date(),
            data=_intake_data(case),
            public=True,
            request=request,
        )
        _receipt_enqueue(case, ReceiptOccasion.SUBMITTED)
    return case


def case_register(
    *,
    agency: Agency,
    data: ApplicationInput,
    channel: str,
    actor: User,
    received_on: dt.date | None = None,
    receipt_note: str = "",
    request: HttpRequest | None = None,
    submitted_at: dt.datetime | None = None,
) -> Case:
    """Staff register an application that came on paper, by post, fax or word of mouth (条例第二十九、三十一条).

    ``received_on`` is the date the statute fixes: 当面 the day submitted; 邮寄 the day signed for; 平信 the day
    confirmed with the applicant; 口头 the day it was made. Fax waits in 待确认 like an online application.
    """
    if channel not in Channel.values:
        raise _fail("channel", "请选择申请方式")
    chan = Channel(channel)
    if not has_perm(actor, Perm.HANDLE_CASES, agency.pk):
        raise ValidationError("只有本机关经办人或负责人可以登记申请")
    data = validate_application(data)
    if chan.needs_confirmation:
        if chan is Channel.ONLINE:
            raise _fail("channel", "在线申请由申请人在网上提交")
        received_on = None
    else:
        if received_on is None:
            raise _fail("received_on", "请填写收到申请之日")
        _not_future(received_on, "received_on")
        if chan is Channel.ORDINARY_MAIL and not receipt_note.strip():
            raise _fail("receipt_note", "平常信函须写明与申请人确认的情况（条例第三十一条（二））")
    with transaction.atomic():
        case = _create_case(
            agency=agency,
            data=data,
            channel=chan,
            status=Status.PENDING if received_on is None else Status.PROCESSING,
            actor=actor,
            applicant_user=None,
            registered_by=actor,
            received_on=received_on,
            receipt_note=receipt_note,
            submitted_at=submitted_at,
        )
        if received_on is not None:
            _open_clock(case, actor, request)
        _record(
            case,
            Action.REGISTER,
            actor=actor,
            on=received_on or _today(),
            data={**_intake_data(case), "received_on": received_on},
            public=True,
            request=request,
        )
        _receipt_enqueue(case, ReceiptOccasion.REGISTERED if received_on else ReceiptOccasion.SUBMITTED)
    return case


def case_confirm_receipt(
    *,
    case: Case,
    actor: User,
    received_on: dt.date,
    note: str = "",
    request: HttpRequest | None = None,
) -> Case:
    """条例第三十一条（三）：以双方确认之日为收到申请之日 — the date is the day of confirmation, which staff record."""
    _not_future(received_on, "received_on")
    with transaction.atomic():
        locked, rule = _begin(case, Action.CONFIRM_RECEIPT, actor, Actor.STAFF)
        if received_on < timezone.localtime(locked.submitted_at).date():
            raise _fail("received_on", "确认收到之日不能早于申请提交之日")
        locked.received_on = received_on
        locked.receipt_note = (note or "与申请人确认收到申请")[:300]
        if locked.assignee_id is None and has_perm(actor, Perm.HANDLE_CASES, locked.agency_id):
            locked.assignee = actor
        _move(
            locked,
            rule,
            Action.CONFIRM_RECEIPT,
            actor=actor,
            on=received_on,
            fields=["received_on", "receipt_note", "assignee"],
            note=note,
            request=request,
        )
        _open_clock(locked, actor, request)
    _after_commit_notify(locked.pk, "confirmed")
    return locked


# ---------------------------------------------------------------------------------------------------------------------
# Assignment


def case_assign(*, case: Case, actor: User, assignee: User, request: HttpRequest | None = None) -> Case:
    with transaction.atomic():
        locked, _rule = _begin(case, Action.ASSIGN, actor, Actor.STAFF)
        if not has_perm(assignee, Perm.HANDLE_CASES, locked.agency_id):
            raise _fail("assignee", "只能分办给本机关的经办人或负责人")
        before = locked.assignee_id
        locked.assignee = assignee
        locked.save(update_fields=["assignee", "updated_at"])
        _record(
            locked,
            Action.ASSIGN,
            actor=actor,
            on=_today(),
            data={"from": before, "to": assignee.pk, "to_name": _label(assignee)},
            request=request,
        )
    return locked


def case_claim(*, case: Case, actor: User, request: HttpRequest | None = None) -> Case:
    with transaction.atomic():
        locked, _rule = _begin(case, Action.CLAIM, actor, Actor.STAFF)
        if locked.assignee_id == actor.pk:
            raise ValidationError("该申请已由您办理")
        before = locked.assignee_id
        locked.assignee = actor
        locked.save(update_fields=["assignee", "updated_at"])
        _record(locked, Action.CLAIM, actor=actor, on=_today(), data={"from": before, "to": actor.pk}, request=request)
    return locked


# ---------------------------------------------------------------------------------------------------------------------
# 补正 (条例第三十条)


def case_request_correction(
    *,
    case: Case,
    actor: User,
    on: dt.date,
    items: str,
    period_days: int,
    request: HttpRequest | None = None,
) -> CaseDocument:
    """一次性告知补正: the items to correct and a reasonable period; the reply clock stops until the correction comes."""
    _not_future(on, "on")
    if not items.strip():
        raise _fail("items", "请写明需要补正的事项")
    if not 1 <= period_days <= 60:
        raise _fail("period_days", "补正期限应为1至60个工作日")
    with transaction.atomic():
        locked, rule = _begin(case, Action.REQUEST_CORRECTION, actor, Actor.STAFF)
        _not_before_receipt(locked, on, "on")
        if locked.correction_items:
            raise ValidationError("补正只能一次性告知（条例第三十条）")
        ledger = locked.ledger
        if ledger and ledger.correction_notice_due and on > ledger.correction_notice_due:
            raise _fail(
                "on",
                f"补正告知应在收到申请之日起{_CORRECTION_NOTICE_DAYS}个工作日内发出"
                f"（截止{chinese_date(ledger.correction_notice_due)}，条例第三十条）",
            )
        _ledger(locked, LedgerEvent(EventType.CORRECTION_REQUESTED, on, note=items[:200]), actor, request)
        locked.correction_items = items.strip()
        locked.correction_period_days = period_days
        # The period runs from the applicant's receipt of the notice; until delivery is recorded, from sending.
        locked.correction_deadline = clock_selectors.current_calendar().add_working_days(on, period_days)
        _move(
            locked,
            rule,
            Action.REQUEST_CORRECTION,
            actor=actor,
            on=on,
            fields=["correction_items", "correction_period_days", "correction_deadline"],
            data={"period_days": period_days, "deadline": locked.correction_deadline},
            request=request,
        )
        document = document_draft(case=locked, kind=DocumentKind.CORRECTION_NOTICE, actor=actor, on=on)
    return document


def case_record_correction(
    *, case: Case, actor: User, on: dt.date, note: str = "", request: HttpRequest | None = None
) -> Case:
    """收到补正的申请: the 20 working days count afresh from this day (条例第三十条)."""
    _not_future(on, "on")
    with transaction.atomic():
        locked, rule = _begin(case, Action.RECORD_CORRECTION, actor, Actor.STAFF)
        _not_before_receipt(locked, on, "on")
        _ledger(locked, LedgerEvent(EventType.CORRECTION_RECEIVED, on, note=note[:200]), actor, request)
        locked.corrected_on = on
        _move(
            locked,
            rule,
            Action.RECORD_CORRECTION,
            actor=actor,
            on=on,
            fields=["corrected_on"],
            note=note,
            request=request,
        )
    return locked


def _lapse(
    case: Case,
    action: Action,
    outcome: Outcome,
    deadline_of: Callable[[Case], dt.date | None],
    period: str,
    actor: User | None,
    on: dt.date | None,
    request: HttpRequest | None,
) -> Case:
    """Close a case whose applicant let a period run out (视为放弃申请) — only after its last day, never on it."""
    on = on or _today()
    kind = Actor.STAFF if actor is not None else Actor.SYSTEM
    with transaction.atomic():
        locked, rule = _begin(case, action, actor, kind)
        deadline = deadline_of(locked)
        if deadline is None or on <= deadline:
            raise _fail("on", f"{period}（{chinese_date(deadline) if deadline else '—'}）尚未届满")
        _close(locked, outcome, on, actor, request)
        _move(
            locked,
            rule,
            action,
            actor=actor,
            on=on,
            fields=_CLOSE_FIELDS,
            data={"outcome": locked.outcome},
            request=request,
        )
    return locked


def case_correction_lapsed(
    *, case: Case, actor: User | None, on: dt.date | None = None, request: HttpRequest | None = None
) -> Case:
    """申请人无正当理由逾期不补正的，视为放弃申请 (第三十条) → 表三 （六）1."""
    return _lapse(
        case,
        Action.CORRECTION_LAPSED,
        Outcome.OTHER_NO_CORRECTION,
        lambda c: c.correction_deadline,
        "补正期限",
        actor,
        on,
        request,
    )


# ---------------------------------------------------------------------------------------------------------------------
# 征求意见 (条例第三十二、三十三、三十四条)


@dataclass
class ConsulteeInput:
    kind: str
    party: str
    matter: str
    contact: str = ""
    delivered_on: dt.date | None = None


def case_start_consultation(
    *,
    case: Case,
    actor: User,
    on: dt.date,
    consultees: list[ConsulteeInput],
    request: HttpRequest | None = None,
) -> list[CaseDocument]:
    """Send 征求意见书 to third parties or co-producing agencies; the reply clock stops (第三十三条第三款)."""
    _not_future(on, "on")
    if not consultees:
        raise _fail("consultees", "请至少填写一个征求意见对象")
    for n, consultee in enumerate(consultees, start=1):
        if consultee.kind not in ConsulteeKind.values:
            raise _fail("consultees", f"第{n}个征求意见对象的类别无效")
        if not consultee.party.strip():
            raise _fail("consultees", f"请填写第{n}个征求意见对象的名称")
        if not consultee.matter.strip():
            raise _fail("consultees", f"请写明第{n}个征求意见对象的征求意见事项")
        if consultee.delivered_on and consultee.delivered_on < on:
            raise _fail("consultees", f"第{n}个征求意见对象的送达日期早于发出日期")
    calendar = clock_selectors.current_calendar()
    documents: list[CaseDocument] = []
    with transaction.atomic():
        locked, rule = _begin(case, Action.START_CONSULTATION, actor, Actor.STAFF)
        _not_before_receipt(locked, on, "on")
        _ledger(locked, LedgerEvent(EventType.CONSULTATION_STARTED, on), actor, request)
        rows = []
        for consultee in consultees:
            start = consultee.delivered_on or on
            row = Consultation.objects.create(
                case=locked,
                kind=consultee.kind,
                party=consultee.party.strip()[:200],
                party_contact=consultee.contact.strip()[:200],
                matter=consultee.matter.strip(),
                sent_on=on,
                delivered_on=consultee.delivered_on,
                answer_due=calendar.add_working_days(start, _OPINION_DAYS),
            )
            rows.append(row)
        _move(
            locked,
            rule,
            Action.START_CONSULTATION,
            actor=actor,
            on=on,
            data={
                "consultees": [
                    {"consultation": r.pk, "kind": r.kind, "party": r.party, "answer_due": r.answer_due} for r in rows
                ]
            },
            request=request,
        )
        for row in rows:
            kind = (
                DocumentKind.CONSULT_THIRD_PARTY
                if row.kind == ConsulteeKind.THIRD_PARTY
                else DocumentKind.CONSULT_AGENCY
            )
            documents.append(document_draft(case=locked, kind=kind, actor=actor, on=on, consultation=row))
    return documents


def case_record_opinion(
    *,
    case: Case,
    actor: User,
    consultation: Consultation,
    result: str,
    on: dt.date,
    reasons: str = "",
    request: HttpRequest | None = None,
) -> Case:
    """Record one answer; when the last open consultation is answered the clock resumes on that day."""
    _not_future(on, "on")
    if result not in (OpinionResult.AGREE, OpinionResult.DISAGREE):
        raise _fail("result", "请选择同意公开或不同意公开")
    if result == OpinionResult.DISAGREE and not reasons.strip():
        raise _fail("reasons", "第三方或其他机关不同意公开的，请记录其理由")
    with transaction.atomic():
        locked, _rule = _begin(case, Action.RECORD_OPINION, actor, Actor.STAFF)
        row = Consultation.objects.select_for_update().get(pk=consultation.pk, case=locked)
        if not row.is_open:
            raise ValidationError("该征求意见已有结果")
        if on < row.sent_on:
            raise _fail("on", "答复日期不能早于征求意见书发出日期")
        row.result, row.answered_on, row.reasons = result, on, reasons.strip()
        row.save(update_fields=["result", "answered_on", "reasons"])
        _record(
            locked,
            Action.RECORD_OPINION,
            actor=actor,
            on=on,
            data={"consultation": row.pk, "party": row.party, "result": result},
            request=request,
        )
        _maybe_end_consultation(locked, actor, request, Action.END_CONSULTATION)
    return locked


def _maybe_end_consultation(case: Case, actor: Any, request: HttpRequest | None, action: Action) -> None:
    rows = list(Consultation.objects.filter(case=case))
    if any(r.is_open for r in rows):
        return
    ended = max(r.answered_on or r.answer_due or r.sent_on for r in rows)
    rule = rule_for(action, case.status, Actor.SYSTEM if actor is None else Actor.STAFF)
    _ledger(case, LedgerEvent(EventType.CONSULTATION_ENDED, ended), actor, request)
    _move(case, rule, action, actor=actor, on=ended, data={"ended": ended}, request=request)


def case_consultation_lapsed(
    *, case: Case, actor: User | None, today: dt.date | None = None, request: HttpRequest | None = None
) -> Case:
    """Answer periods that ran out: a silent co-producing agency is taken to consent (第三十四条); for a silent third
    party the agency decides (第三十二条). The clock resumes on the day the last period ended."""
    today = today or _today()
    kind = Actor.STAFF if actor is not None else Actor.SYSTEM
    with transaction.atomic():
        locked, _rule = _begin(case, Action.CONSULTATION_LAPSED, actor, kind)
        lapsed = [
            r
            for r in Consultation.objects.select_for_update().filter(case=locked)
            if r.is_open and r.answer_due is not None and r.answer_due < today
        ]
        if not lapsed:
            raise ValidationError("没有已届满的征求意见期限")
        for row in lapsed:
            row.result = OpinionResult.NO_ANSWER
            row.answered_on = row.answer_due
            row.reasons = "逾期未提出意见，视为同意公开（条例第三十四条）" if row.kind == ConsulteeKind.AGENCY else ""
            row.save(update_fields=["result", "answered_on", "reasons"])
        _record(
            locked,
            Action.CONSULTATION_LAPSED,
            actor=actor,
            on=today,
            data={"lapsed": [r.party for r in lapsed], "consultations": [r.pk for r in lapsed]},
            request=request,
        )
        _maybe_end_consultation(locked, actor, request, Action.END_CONSULTATION)
    return locked


# ---------------------------------------------------------------------------------------------------------------------
# 延期 (条例第三十三条第二款) and 第三十五条


def case_extend(
    *,
    case: Case,
    actor: User,
    days: int,
    reason: str,
    approved_on: dt.date,
    request: HttpRequest | None = None,
) -> CaseDocument:
    """The 负责人 approves an extension of at most 20 working days before the current due date; the applicant is told."""
    _not_future(approved_on, "approved_on")
    if not reason.strip():
        raise _fail("reason", "请写明延期理由")
    with transaction.atomic():
        locked, rule = _begin(case, Action.EXTEND, actor, Actor.STAFF)
        if locked.extension_days:
            raise ValidationError("答复期限只能延长一次（条例第三十三条第二款）")
        limit = PERIODS["extension"].amount
        if not 1 <= days <= limit:
            raise _fail("days", f"延长的期限应为1至{limit}个工作日（条例第三十三条第二款）")
        due = locked.ledger.reply_due if locked.ledger else None
        if due is not None and approved_on > due:
            raise _fail("approved_on", f"延期须在答复期限（{chinese_date(due)}）届满前经负责人同意")
        _ledger(locked, LedgerEvent(EventType.EXTENDED, approved_on, days=days, note=reason[:200]), actor, request)
        locked.extension_days = days
        locked.extension_reason = reason.strip()[:300]
        locked.extension_approved_by = actor
        locked.extension_approved_on = approved_on
        _move(
            locked,
            rule,
            Action.EXTEND,
            actor=actor,
            on=approved_on,
            fields=["extension_days", "extension_reason", "extension_approved_by", "extension_approved_on"],
            data={"days": days, "reply_due": locked.ledger.reply_due if locked.ledger else None},
            request=request,
        )
        return document_draft(case=locked, kind=DocumentKind.EXTENSION_NOTICE, actor=actor, on=approved_on)


def case_ask_reasons(
    *, case: Case, actor: User, on: dt.date, note: str = "", request: HttpRequest | None = None
) -> CaseDocument:
    """第三十五条：申请的数量、频次明显超过合理范围的，可以要求申请人说明理由."""
    _not_future(on, "on")
    with transaction.atomic():
        locked, rule = _begin(case, Action.ASK_REASONS, actor, Actor.STAFF)
        _not_before_receipt(locked, on, "on")
        locked.reasons_requested_on = on
        _move(
            locked,
            rule,
            Action.ASK_REASONS,
            actor=actor,
            on=on,
            fields=["reasons_requested_on"],
            note=note,
            request=request,
        )
        return document_draft(case=locked, kind=DocumentKind.REASONS_NOTICE, actor=actor, on=on)


def case_accept_reasons(
    *,
    case: Case,
    actor: User,
    on: dt.date,
    reasons: str,
    until: dt.date,
    request: HttpRequest | None = None,
) -> CaseDocument:
    """Reasonable, but the reply cannot be made within 第三十三条: a reasonable delayed date, told to the applicant."""
    _not_future(on, "on")
    if not reasons.strip():
        raise _fail("reasons", "请记录申请人说明的理由")
    if until <= on:
        raise _fail("until", "延迟答复期限应晚于今天")
    with transaction.atomic():
        locked, rule = _begin(case, Action.REASONS_ACCEPTED, actor, Actor.STAFF)
        _ledger(locked, LedgerEvent(EventType.DELAY_SET, on, until=until, note=reasons[:200]), actor, request)
        locked.reasons_text = reasons.strip()
        locked.delay_until = until
        _move(
            locked,
            rule,
            Action.REASONS_ACCEPTED,
            actor=actor,
            on=on,
            fields=["reasons_text", "delay_until"],
            data={"until": until},
            request=request,
        )
        return document_draft(case=locked, kind=DocumentKind.DELAY_NOTICE, actor=actor, on=on)


def case_reject_reasons(
    *, case: Case, actor: User, on: dt.date, reasons: str, request: HttpRequest | None = None
) -> CaseDocument:
    """Unreasonable (or none given): 告知申请人不予处理 → 表三 （五）4."""
    _not_future(on, "on")
    with transaction.atomic():
        locked, rule = _begin(case, Action.REASONS_REJECTED, actor, Actor.STAFF)
        locked.reasons_text = reasons.strip() or "申请人未说明理由"
        _close(locked, Outcome.NOT_PROCESSED_EXCESSIVE, on, actor, request)
        _move(
            locked,
            rule,
            Action.REASONS_REJECTED,
            actor=actor,
            on=on,
            fields=[*_CLOSE_FIELDS, "reasons_text"],
            data={"outcome": locked.outcome},
            request=request,
        )
        return document_draft(case=locked, kind=DocumentKind.REPLY, actor=actor, on=on)


# ---------------------------------------------------------------------------------------------------------------------
# 信息处理费 (条例第四十二条，国办函〔2020〕109号)


def applicant_month_ordinal(case: Case) -> int:
    """How many 件 this applicant had already filed at this agency in the natural month of ``case``'s receipt, plus 1."""
    if case.received_on is None:
        raise ValidationError("尚未确认收到申请")
    first = case.received_on.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    same = Case.objects.filter(agency_id=case.agency_id, received_on__gte=first, received_on__lt=nxt).exclude(
        status=Status.CANCELLED
    )
    if case.id_number_index:
        same = same.filter(id_number_index=case.id_number_index)
    else:
        same = same.filter(applicant_name=case.applicant_name, phone_index=case.phone_index)
    earlier = same.filter(received_on__lt=case.received_on) | same.filter(received_on=case.received_on, pk__lt=case.pk)
    counted = 0
    for pieces in earlier.values_list("fee__pieces", flat=True):
        counted += max(1, pieces or 1)
    return counted + 1


def fee_quote(*, case: Case, method: str, pieces: int | None = None, pages: int | None = None) -> fee_rules.FeeQuote:
    if method == fee_rules.FeeMethod.PER_ITEM:
        if pages:
            raise _fail("pages", "按件计收时不填写页数：一件申请只能适用一种标准（109号第三条）")
        return fee_rules.quote_per_item(first_ordinal=applicant_month_ordinal(case), pieces=pieces or 1)
    if method == fee_rules.FeeMethod.PER_VOLUME:
        if pieces and pieces != 1:
            raise _fail("pieces", "按量计收时不拆分件数：一件申请只能适用一种标准（109号第三条）")
        if pages is None or pages < 0:
            raise _fail("pages", "请填写页数")
        return fee_rules.quote_per_volume(pages=pages)
    raise _fail("method", "请选择按件计收或按量计收")


def case_notify_fee(
    *,
    case: Case,
    actor: User,
    on: dt.date,
    method: str,
    pieces: int | None = None,
    pages: int | None = None,
    request: HttpRequest | None = None,
) -> CaseDocument:
    _not_future(on, "on")
    if pieces is not None and not 1 <= pieces <= 100:
        raise _fail("pieces", "件数应为1至100")
    if pages is not None and not 0 <= pages <= 1_000_000:
        raise _fail("pages", "页数无效")
    with transaction.atomic():
        locked, rule = _begin(case, Action.NOTIFY_FEE, actor, Actor.STAFF)
        _not_before_receipt(locked, on, "on")
        if FeeAssessment.objects.filter(case=locked).exists():
            raise ValidationError("该申请已发出过收费通知：一件申请只收取一次信息处理费")
        quote = fee_quote(case=locked, method=method, pieces=pieces, pages=pages)
        if quote.free:
            raise _fail("method", "按该标准计算不收费，无需发出收费通知")
        _ledger(locked, LedgerEvent(EventType.FEE_NOTIFIED, on, note=f"{quote.amount}元"), actor, request)
        FeeAssessment.objects.create(
            case=locked,
            method=quote.method,
            first_ordinal=applicant_month_ordinal(locked) if quote.method == fee_rules.FeeMethod.PER_ITEM else None,
            pieces=(pieces or 1) if quote.method == fee_rules.FeeMethod.PER_ITEM else None,
            pages=pages if quote.method == fee_rules.FeeMethod.PER_VOLUME else None,
            amount=quote.amount,
            breakdown="\n".join(quote.lines),
            notified_on=on,
            pay_by=clock_selectors.current_calendar().add_working_days(on, _FEE_DAYS),
        )
        _move(
            locked,
            rule,
            Action.NOTIFY_FEE,
            actor=actor,
            on=on,
            data={"method": quote.method.value, "amount": quote.amount},
            request=request,
        )
        return document_draft(case=locked, kind=DocumentKind.FEE_NOTICE, actor=actor, on=on)


def case_record_payment(
    *,
    case: Case,
    actor: User,
    on: dt.date,
    amount: int,
    receipt_number: str = "",
    request: HttpRequest | None = None,
) -> Case:
    _not_future(on, "on")
    with transaction.atomic():
        locked, rule = _begin(case, Action.RECORD_PAYMENT, actor, Actor.STAFF)
        fee = FeeAssessment.objects.select_for_update().get(case=locked)
        if on < fee.notified_on:
            raise _fail("on", "缴费日期不能早于收费通知日期")
        if fee.pay_by and on > fee.pay_by:
            raise _fail("on", f"缴费期限已于{chinese_date(fee.pay_by)}届满，应按逾期未缴费处理")
        if amount != fee.amount:
            raise _fail("amount", f"实缴金额应为{fee.amount}元")
        _ledger(locked, LedgerEvent(EventType.FEE_PAID, on), actor, request)
        fee.paid_on, fee.paid_amount, fee.receipt_number = on, amount, receipt_number.strip()[:60]
        fee.save(update_fields=["paid_on", "paid_amount", "receipt_number"])
        _move(locked, rule, Action.RECORD_PAYMENT, actor=actor, on=on, data={"amount": amount}, request=request)
    return locked


def case_fee_lapsed(
    *, case: Case, actor: User | None, on: dt.date | None = None, request: HttpRequest | None = None
) -> Case:
    """逾期未缴纳的视为放弃申请 → 表三 （六）2."""

    def pay_by(locked: Case) -> dt.date | None:
        return FeeAssessment.objects.get(case=locked).pay_by

    return _lapse(case, Action.FEE_LAPSED, Outcome.OTHER_FEE_UNPAID, pay_by, "缴费期限", actor, on, request)


# ---------------------------------------------------------------------------------------------------------------------
# 答复 (条例第三十六条), 撤回, 重新办理

_CLOSE_FIELDS = ["outcome", "outcome_variant", "closed_on"]


def _close(
    case: Case,
    outcome: Outcome,
    on: dt.date,
    actor: Any,
    request: HttpRequest | None,
    variant: str = OutcomeVariant.NONE,
) -> None:
    _not_before_receipt(case, on, "on")
    case.outcome = outcome
    case.outcome_variant = variant
    case.closed_on = on
    if case.ledger is not None and case.ledger.is_open:
        clock_services.ledger_close(ledger=case.ledger, actor=actor, request=request)


@dataclass
class WithheldInput:
    description: str
    ground: str
    reason: str


@dataclass
class ReplyInput:
    outcome: str
    on: dt.date
    text: str = ""
    variant: str = OutcomeVariant.NONE
    withheld: list[WithheldInput] = field(default_factory=list)
    competent_agency: str = ""
    earlier_case_number: str = ""
    public_interest_reason: str = ""


def _check_reply(case: Case, data: ReplyInput) -> tuple[Outcome, Case | None]:
    if data.outcome not in Outcome.values:
        raise _fail("outcome", "请选择办理结果")
    outcome = Outcome(data.outcome)
    info = outcome_info(outcome)
    if info.system_only:
        raise _fail("outcome", f"“{outcome.label}”由相应程序产生，不能直接选择")
    if outcome is Outcome.NOT_PROCESSED_EXCESSIVE:
        raise _fail("outcome", "无正当理由大量反复申请的，须先要求申请人说明理由（条例第三十五条）")
    if outcome is Outcome.OTHER and not data.variant:
        # 表三（六）3 “其他”: a situation the other rows do not name — the reply must say what was done.
        if not data.text.strip():
            raise _fail("text", "办理结果为“其他处理：其他”的，请在答复内容中写明处理情况")
    elif info.variants and data.variant not in info.variants:
        raise _fail("variant", "请选择答复情形：" + "、".join(v.label for v in info.variants))
    if not info.variants and data.variant:
        raise _fail("variant", "该办理结果没有可选的答复情形")
    if data.variant == OutcomeVariant.WITHDRAWN:
        raise _fail("variant", "申请人撤回的，请使用“撤回申请”")
    if info.needs_grounds:
        if not data.withheld:
            raise _fail("withheld", "请列明不予公开的内容及其理由（条例第三十六条（三）、第三十七条）")
        for n, part in enumerate(data.withheld, start=1):
            if not part.description.strip() or not part.reason.strip():
                raise _fail("withheld", f"第{n}项不予公开内容请填写内容和具体理由")
            if (
                part.ground not in Outcome.values
                or not outcome_info(part.ground).withholds
                or part.ground == Outcome.PARTIAL
            ):
                raise _fail("withheld", f"第{n}项不予公开内容的理由类别无效")
    if data.variant == OutcomeVariant.NOT_OURS and not data.competent_agency.strip():
        raise _fail(
            "competent_agency", "不属于本机关负责公开的，请写明负责公开的机关名称、联系方式（条例第三十六条（五））"
        )
    if outcome is Outcome.UNAVAILABLE_UNCLEAR and case.corrected_on is None:
        raise _fail("outcome", "“补正后申请内容仍不明确”须在收到补正之后选择")
    earlier: Case | None = None
    if outcome is Outcome.NOT_PROCESSED_REPEAT:
        number = data.earlier_case_number.strip()
        earlier = Case.objects.filter(agency_id=case.agency_id, number=number).exclude(pk=case.pk).first()
        if earlier is None:
            raise _fail("earlier_case_number", "重复申请请填写本机关此前已答复的申请编号")
        if earlier.status != Status.CLOSED:
            raise _fail("earlier_case_number", f"申请 {number} 尚未答复，不构成重复申请（条例第三十六条（六））")
    third_party_refused = Consultation.objects.filter(
        case=case, kind=ConsulteeKind.THIRD_PARTY, result=OpinionResult.DISAGREE
    ).exists()
    if third_party_refused and not info.withholds and not data.public_interest_reason.strip():
        raise _fail(
            "public_interest_reason",
            "第三方不同意公开且有合理理由的，行政机关不予公开；认为不公开可能对公共利益造成重大影响而决定公开的，"
            "请写明理由，并书面告知第三方（条例第三十二条）",
        )
    if len(data.text) > 20000:
        raise _fail("text", "答复内容过长")
    return outcome, earlier


def case_reply(*, case: Case, actor: User, data: ReplyInput, request: HttpRequest | None = None) -> CaseDocument:
    """Answer the application with exactly one outcome of the codebook; the 答复书 draft is created for issue."""
    _not_future(data.on, "on")
    with transaction.atomic():
        locked, rule = _begin(case, Action.REPLY, actor, Actor.STAFF)
        outcome, earlier = _check_reply(locked, data)
        _close(locked, outcome, data.on, actor, request, variant=data.variant)
        locked.reply_text = data.text.strip()
        locked.competent_agency = data.competent_agency.strip()[:200]
        locked.earlier_case = earlier
        locked.public_interest_reason = data.public_interest_reason.strip()
        WithheldPart.objects.filter(case=locked).delete()
        WithheldPart.objects.bulk_create(
            WithheldPart(case=locked, description=p.description.strip()[:300], ground=p.ground, reason=p.reason.strip())
            for p in data.withheld
        )
        on_time = locked.ledger is None or locked.ledger.reply_due is None or data.on <= locked.ledger.reply_due
        _move(
            locked,
            rule,
            Action.REPLY,
            actor=actor,
            on=data.on,
            fields=[*_CLOSE_FIELDS, "reply_text", "competent_agency", "earlier_case", "public_interest_reason"],
            data={"outcome": outcome.value, "variant": data.variant, "on_time": on_time},
            request=request,
        )
        return document_draft(case=locked, kind=DocumentKind.REPLY, actor=actor, on=data.on)


def case_withdraw(
    *,
    case: Case,
    actor: Any,
    on: dt.date | None = None,
    reason: str = "",
    by_applicant: bool = False,
    request: HttpRequest | None = None,
) -> Case:
    """The applicant withdraws: before receipt was confirmed the case is cancelled and never counted; after, it is
    closed as 其他处理3 (其他)."""
    on = on or _today()
    _not_future(on, "on")
    kind = Actor.APPLICANT if by_applicant else Actor.STAFF
    with transaction.atomic():
        current = Case.objects.only("status").get(pk=case.pk).status
        action = Action.CANCEL if current == Status.PENDING else Action.WITHDRAW
        locked, rule = _begin(case, action, actor, kind)
        fields: list[str] = []
        if action is Action.WITHDRAW:
            _close(locked, Outcome.OTHER, on, actor, request, variant=OutcomeVariant.WITHDRAWN)
            fields = list(_CLOSE_FIELDS)
        if reason:
            locked.reply_text = reason.strip()[:2000]
            fields.append("reply_text")
        _move(
            locked,
            rule,
            action,
            actor=actor,
            on=on,
            fields=fields,
            note=reason,
            data={"outcome": locked.outcome},
            request=request,
        )
    return locked


def case_reopen(*, case: Case, actor: User, reason: str, request: HttpRequest | None = None) -> Case:
    """Only a 负责人, with a reason: the earlier reply stays in the timeline; the case is open again."""
    if not reason.strip():
        raise _fail("reason", "请写明重新办理的理由")
    with transaction.atomic():
        locked, rule = _begin(case, Action.REOPEN, actor, Actor.STAFF)
        before = {"outcome": locked.outcome, "closed_on": locked.closed_on}
        locked.outcome = ""
        locked.outcome_variant = OutcomeVariant.NONE
        locked.closed_on = None
        if locked.ledger is not None:
            clock_services.ledger_reopen(ledger=locked.ledger, actor=actor, request=request)
        _move(
            locked,
            rule,
            Action.REOPEN,
            actor=actor,
            on=_today(),
            fields=_CLOSE_FIELDS,
            note=reason,
            data={"previous": before},
            request=request,
        )
    return locked


def case_add_note(*, case: Case, actor: User, note: str, request: HttpRequest | None = None) -> CaseEvent:
    if not note.strip():
        raise _fail("note", "请填写备注内容")
    with transaction.atomic():
        locked, _rule = _begin(case, Action.ADD_NOTE, actor, Actor.STAFF)
        return _record(locked, Action.ADD_NOTE, actor=actor, on=_today(), note=note.strip(), request=request)


def case_add_attachment(
    *, case: Case, actor: User, upload: UploadInput, request: HttpRequest | None = None
) -> CaseAttachment:
    """Staff attach material (the released information, a correction, the applicant's ID copy)."""
    with transaction.atomic():
        locked, _rule = _begin(case, Action.ADD_NOTE, actor, Actor.STAFF)
        attachment = _store_attachment(locked, upload, actor)
        if upload.kind == AttachmentKind.RELEASED and locked.obtain_method == ObtainMethod.ONLINE:
            attachment.released_online = True
            attachment.save(update_fields=["released_online"])
        _record(
            locked,
            Action.ADD_NOTE,
            actor=actor,
            on=_today(),
            note=f"上传附件：{attachment.original_name}",
            data={"attachment": attachment.pk, "kind": upload.kind, "sha256": attachment.sha256},
            request=request,
        )
    return attachment


REVEALABLE_CASE_FIELDS = {"id_number": ("证件号码", mask_id_number), "phone": ("联系电话", mask_phone)}


def case_personal_data_reveal(*, case: Case, actor: User, field: str, request: HttpRequest | None = None) -> str:
    """The applicant's unmasked ID number or phone, for the staff who handle the case; every call is audited."""
    if field not in REVEALABLE_CASE_FIELDS:
        raise _fail("field", "不支持查看该字段")
    if not has_perm(actor, Perm.HANDLE_CASES, case.agency_id):
        raise ValidationError("只有本机关经办人或负责人可以查看完整的个人信息")
    label, mask = REVEALABLE_CASE_FIELDS[field]
    value: str = getattr(case, field) or ""
    audit_record(
        action="personal_data.reveal",
        actor=actor,
        agency_id=case.agency_id,
        obj=case,
        detail=f"{case.number} 查看申请人完整{label}",
        after={"field": field, "masked": mask(value)},
        request=request,
    )
    return value


# ---------------------------------------------------------------------------------------------------------------------
# 文书 (drafts, issue) and 送达


def document_draft(
    *,
    case: Case,
    kind: str,
    actor: Any,
    on: dt.date,
    consultation: Consultation | None = None,
) -> CaseDocument:
    """Compose a draft from the case (``gongkai.cases.letters``); staff may edit its text before issue."""
    from gongkai.cases import letters

    content = letters.compose(case=case, kind=DocumentKind(kind), on=on, consultation=consultation)
    return CaseDocument.objects.create(
        case=case,
        kind=kind,
        title=content.title,
        addressee=content.addressee,
        body=list(content.body),
        date_on=on,
        recipient=content.recipient,
        consultation=consultation,
    )


def document_update(
    *,
    document: CaseDocument,
    actor: User,
    title: str,
    addressee: str,
    body: list[str],
    request: HttpRequest | None = None,
) -> CaseDocument:
    with transaction.atomic():
        locked_case, _rule = _begin(document.case, Action.ISSUE_DOCUMENT, actor, Actor.STAFF)
        doc = CaseDocument.objects.select_for_update().get(pk=document.pk, case=locked_case)
        if doc.is_issued:
            raise ValidationError("文书已签发，不能修改")
        paragraphs = [p.strip() for p in body if p.strip()]
        if not title.strip():
            raise _fail("title", "请填写标题")
        if not paragraphs:
            raise _fail("body", "请填写正文")
        if sum(len(p) for p in paragraphs) > 30000:
            raise _fail("body", "正文过长")
        doc.title, doc.addressee, doc.body = title.strip()[:200], addressee.strip()[:200], paragraphs
        doc.save(update_fields=["title", "addressee", "body"])
        _record(
            locked_case,
            Action.ADD_NOTE,
            actor=actor,
            on=_today(),
            note=f"修改文书草稿：{doc.get_kind_display()}",
            data={"document": doc.pk},
            request=request,
        )
    return doc


def _render(doc: CaseDocument) -> tuple[bytes, bytes]:
    from gongkai.cases import letters
    from gongkai.documents.render import DocumentRenderError, render_docx, render_pdf

    official = letters.official(doc, draft=False)
    try:
        return render_docx(official), render_pdf(official)
    except DocumentRenderError as error:  # e.g. no CJK font installed: say so, issue nothing
        raise ValidationError(str(error)) from None
    except OSError:  # WeasyPrint could not load Pango
        raise ValidationError(
            "无法生成 PDF：缺少 Pango 组件（Debian/Ubuntu：apt-get install libpango-1.0-0 libpangoft2-1.0-0）"
        ) from None


def document_issue(
    *,
    document: CaseDocument,
    actor: Any,
    on: dt.date | None = None,
    by_system: bool = False,
    request: HttpRequest | None = None,
    prerendered: tuple[OfficialDocument, bytes, bytes] | None = None,
) -> CaseDocument:
    """签发: take a 文号 (the 回执 has none: it carries the application number), render DOCX and PDF, freeze both.

    ``prerendered``: DOCX and PDF rendered before the call from the given ``OfficialDocument``; used when the document
    as it stands under the lock is that same one (else it is rendered again), so the seconds of rendering need not
    hold the case lock — on SQLite the database write lock.
    """
    from gongkai.cases import letters

    on = on or _today()
    with transaction.atomic():
        if by_system:
            locked_case = _lock(document.case)
        else:
            locked_case, _rule = _begin(document.case, Action.ISSUE_DOCUMENT, actor, Actor.STAFF)
        doc = CaseDocument.objects.select_for_update().get(pk=document.pk, case=locked_case)
        if doc.is_issued:
            raise ValidationError("文书已签发")
        if doc.kind == DocumentKind.RECEIPT and selectors.issued_receipt(locked_case) is not None:
            # One 回执 per application, whoever issues it (the receipt job, or staff from a draft a failed job left).
            raise ValidationError("该申请的申请接收回执已签发")
        doc.case = locked_case
        if doc.kind != DocumentKind.RECEIPT:
            seq = next_number(agency=locked_case.agency, year=on.year, series="doc")
            doc.doc_number = format_doc_number(locked_case.agency, on.year, seq)
        doc.date_on = on
        if prerendered is not None and prerendered[0] == letters.official(doc, draft=False):
            docx_bytes, pdf_bytes = prerendered[1], prerendered[2]
        else:
            docx_bytes, pdf_bytes = _render(doc)
        base = f"documents/{locked_case.agency_id}/{locked_case.year}/{locked_case.pk}-{doc.pk}-{doc.kind}"
        doc.docx.save(f"{base}.docx", ContentFile(docx_bytes), save=False)
        doc.pdf.save(f"{base}.pdf", ContentFile(pdf_bytes), save=False)
        doc.docx_sha256 = hashlib.sha256(docx_bytes).hexdigest()
        doc.pdf_sha256 = hashlib.sha256(pdf_bytes).hexdigest()
        doc.status = DocumentStatus.ISSUED
        doc.issued_at = timezone.now()
        doc.issued_by = _user(actor)
        doc.save()
        _record(
            locked_case,
            Action.ISSUE_DOCUMENT,
            actor=actor,
            on=on,
            note=f"{doc.get_kind_display()} {doc.doc_number}".strip(),
            data={"document": doc.pk, "kind": doc.kind, "doc_number": doc.doc_number, "pdf_sha256": doc.pdf_sha256},
            public=doc.consultation_id is None,
            request=request,
        )
    if doc.consultation_id is None and doc.kind != DocumentKind.RECEIPT:
        _after_commit_notify(locked_case.pk, "document", document_id=doc.pk)
    return doc


@dataclass
class DeliveryInput:
    method: str
    sent_on: dt.date
    delivered_on: dt.date | None = None
    waybill: str = ""
    signed_by: str = ""
    address: str = ""
    note: str = ""


def document_deliver(
    *, document: CaseDocument, actor: User, data: DeliveryInput, request: HttpRequest | None = None
) -> Delivery:
    """送达. Where a period runs from the recipient's receipt — the 补正 period, the fee payment period, a consulted
    party's 15 working days — the recorded date starts it."""
    if data.method not in DeliveryMethod.values:
        raise _fail("method", "请选择送达方式")
    _not_future(data.sent_on, "sent_on")
    if data.delivered_on is not None:
        _not_future(data.delivered_on, "delivered_on")
        if data.delivered_on < data.sent_on:
            raise _fail("delivered_on", "送达日期不能早于发出日期")
    if data.method == DeliveryMethod.POST and not data.waybill.strip():
        raise _fail("waybill", "邮寄送达请填写邮件单号")
    if data.method == DeliveryMethod.IN_PERSON and not data.signed_by.strip():
        raise _fail("signed_by", "当面送达请填写签收人")
    calendar = clock_selectors.current_calendar()
    with transaction.atomic():
        locked_case, _rule = _begin(document.case, Action.RECORD_DELIVERY, actor, Actor.STAFF)
        doc = CaseDocument.objects.select_for_update().get(pk=document.pk, case=locked_case)
        if not doc.is_issued:
            raise ValidationError("文书尚未签发，不能送达")
        if data.sent_on < doc.date_on:
            raise _fail("sent_on", "发出日期不能早于文书成文日期")
        delivery = Delivery.objects.create(
            document=doc,
            method=data.method,
            sent_on=data.sent_on,
            delivered_on=data.delivered_on,
            waybill=data.waybill.strip()[:60],
            signed_by=data.signed_by.strip()[:60],
            address=data.address.strip()[:200],
            note=data.note.strip()[:300],
            recorded_by=actor,
        )
        received = data.delivered_on
        changes: dict[str, Any] = {}
        if received is not None:
            if doc.kind == DocumentKind.CORRECTION_NOTICE and locked_case.correction_period_days:
                locked_case.correction_deadline = calendar.add_working_days(
                    received, locked_case.correction_period_days
                )
                locked_case.save(update_fields=["correction_deadline", "updated_at"])
                changes["correction_deadline"] = locked_case.correction_deadline
            elif doc.kind == DocumentKind.FEE_NOTICE:
                fee = FeeAssessment.objects.select_for_update().get(case=locked_case)
                # 收到收费通知次日起20个工作日内缴纳 — the count starts the day after receipt.
                fee.delivered_on = received
                fee.pay_by = calendar.add_working_days(received, _FEE_DAYS)
                fee.save(update_fields=["delivered_on", "pay_by"])
                changes["pay_by"] = fee.pay_by
            elif doc.consultation_id is not None:
                row = Consultation.objects.select_for_update().get(pk=doc.consultation_id)
                row.delivered_on = received
                row.answer_due = calendar.add_working_days(received, _OPINION_DAYS)
                row.save(update_fields=["delivered_on", "answer_due"])
                changes["answer_due"] = row.answer_due
        _record(
            locked_case,
            Action.RECORD_DELIVERY,
            actor=actor,
            on=received or data.sent_on,
            note=f"{doc.get_kind_display()}：{delivery.get_method_display()}",
            data={"document": doc.pk, "method": data.method, "delivered_on": received, **changes},
            public=doc.consultation_id is None,
            request=request,
        )
    return delivery


# ---------------------------------------------------------------------------------------------------------------------
# Notifications (after commit: a mail server that is down never rolls back a case)


def _after_commit_notify(case_id: int, what: str, document_id: int | None = None) -> None:
    def send() -> None:
        from gongkai.cases import notify

        try:
            notify.applicant_event(case_id=case_id, what=what, document_id=document_id)
        except Exception:  # the case is saved; a failed notice is logged and can be re-sent
            log.exception("notification %s for case %s failed", what, case_id)

    transaction.on_commit(send)


# ---------------------------------------------------------------------------------------------------------------------
# 申请接收回执: a job written with the application, processed after the commit (``jobs.receipt_job_run``)


def _receipt_enqueue(case: Case, what: str) -> None:
    """Inside the transaction that saves the application: the job commits with the case, so the receipt survives a
    crash right after the commit. ``GONGKAI_RECEIPTS=inline`` also runs the job in this request once committed."""
    job = ReceiptJob.objects.create(case=case, what=what)
    if settings.GONGKAI_RECEIPTS == "inline":

        def run() -> None:
            from gongkai.cases import jobs

            jobs.receipt_job_run(job.pk)

        transaction.on_commit(run)


def _receipt_document(case: Case) -> CaseDocument:
    issued = selectors.issued_receipt(case)
    if issued is not None:
        return issued
    from gongkai.cases import letters

    on = _today()
    # A draft left by an earlier failed attempt is issued (dated today), never a second draft made beside it.
    draft = (
        CaseDocument.objects.filter(case=case, kind=DocumentKind.RECEIPT, status=DocumentStatus.DRAFT)
        .order_by("id")
        .first()
    ) or document_draft(case=case, kind=DocumentKind.RECEIPT, actor=None, on=on)
    draft.date_on = on
    official = letters.official(draft, draft=False)
    docx_bytes, pdf_bytes = _render(draft)  # before any lock: see document_issue(prerendered=…)
    return document_issue(
        document=draft, actor=None, on=on, by_system=True, prerendered=(official, docx_bytes, pdf_bytes)
    )


def receipt_issue(case: Case, what: str = "submitted") -> CaseDocument | None:
    """The 申请接收回执 of ``case``, issued once (an issued one is kept as it is), then mailed to the applicant with
    it; ``what`` is ``submitted`` or ``registered``. Called by the receipt job after the application is committed.

    Raises ``ValidationError`` when the receipt cannot be rendered (no CJK font, no Pango) and whatever the mail
    backend raises: the job records the error and tries again later; the application itself is never touched.
    Calling it again issues nothing new and only mails the applicant again.
    """
    from gongkai.cases import notify

    document = _receipt_document(case)
    notify.applicant_event(case_id=case.pk, what=what, document_id=document.pk)
    return document


__all__ = [
    "ApplicationInput",
    "ConsulteeInput",
    "DeliveryInput",
    "ItemInput",
    "ReplyInput",
    "UploadInput",
    "WithheldInput",
    "applicant_month_ordinal",
    "case_accept_reasons",
    "case_add_attachment",
    "case_add_note",
    "case_ask_reasons",
    "case_assign",
    "case_claim",
    "case_confirm_receipt",
    "case_consultation_lapsed",
    "case_correction_lapsed",
    "case_extend",
    "case_fee_lapsed",
    "case_notify_fee",
    "case_personal_data_reveal",
    "case_record_correction",
    "case_record_opinion",
    "case_record_payment",
    "case_register",
    "case_reject_reasons",
    "case_reopen",
    "case_reply",
    "case_request_correction",
    "case_start_consultation",
    "case_submit_online",
    "case_withdraw",
    "document_deliver",
    "document_draft",
    "document_issue",
    "document_update",
    "fee_quote",
    "next_number",
    "receipt_issue",
]
