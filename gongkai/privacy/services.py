"""个人信息生命周期: the retention purge and the export of one person's data.

Purge — 个人信息保护法第十九条 (保存期限应当为实现处理目的所必要的最短时间) and 第四十七条 (保存期限已届满 → 删除):
once a record has been finished for ``GONGKAI_RETENTION_YEARS`` the personal data in it is anonymised in place — a
case's applicant (closed, 办结日期), a 投诉举报's complainant (closed, 办结日期), a 行政复议 / 行政诉讼's 申请人（原告）
(concluded, 结果日期). The rows stay with every column that is counted (表三 for cases, 表四 for appeals, the
主管部门's complaint figures), so published and rebuilt figures do not change. Which field is cleared, scrubbed or
kept, and why, is in docs/security.md「个人信息生命周期」and in ``_anonymise_case``, ``_anonymise_complaint`` and
``_anonymise_appeal`` below.

Export — 个人信息保护法第四十五条 (查阅、复制): a ZIP of JSON and files holding an applicant's account data, their
applications as they submitted them, and the documents and released files sent to them — never staff-internal notes,
never another person's case.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from gongkai.accounts.models import ApplicantProfile, User
from gongkai.appeals.models import Appeal, AppealDocument, AppealEvent
from gongkai.appeals.models import Status as AppealStatus
from gongkai.audit.services import audit_record
from gongkai.cases import selectors as case_selectors
from gongkai.cases.models import (
    AttachmentKind,
    Case,
    CaseAttachment,
    CaseDocument,
    CaseEvent,
    Consultation,
    Delivery,
    RequestedItem,
    WithheldPart,
)
from gongkai.cases.states import Status
from gongkai.clock.models import ClockLedger
from gongkai.rectification.models import Complaint, ComplaintEvent, Notice, NoticeEvent, NoticeItem
from gongkai.rectification.states import OPEN_NOTICE_STATUSES, ComplaintStatus

log = logging.getLogger(__name__)

ANONYMISED_NAME = "（已匿名化）"
REDACTED = "【已删除】"
REMOVED_TEXT = "（已删除）"
APPLICANT_LABEL = "申请人"
# Keys of CaseEvent.data that hold (masked) identifiers of the applicant (cases.services._intake_data).
_Row = TypeVar("_Row", bound=Model)  # a case, a complaint or an appeal
_IDENTIFIER_KEYS = frozenset({"id_number", "phone", "email", "applicant_name", "postal_address"})


# ---------------------------------------------------------------------------------------------------------------------
# Retention


def retention_cutoff(*, today: dt.date, years: int) -> dt.date:
    """Cases closed before this date are past retention: the same calendar day ``years`` earlier (29 Feb → 28 Feb)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def purge_candidates(*, before: dt.date) -> QuerySet[Case]:
    """Cases whose applicant data is due for anonymisation: closed before ``before`` (办结日期), or withdrawn before
    receipt (已撤销, which has no 办结日期: its last change counts) before that date; not yet anonymised; no appeal
    about them still open."""
    start_of_day = timezone.make_aware(dt.datetime.combine(before, dt.time.min))
    return (
        Case.objects.filter(anonymised_at__isnull=True)
        .filter(Q(status=Status.CLOSED, closed_on__lt=before) | Q(status=Status.CANCELLED, updated_at__lt=start_of_day))
        # A 行政复议 or 行政诉讼 still running about the case needs the file as it is, whatever its age.
        .exclude(appeals__in=Appeal.objects.exclude(status=AppealStatus.CONCLUDED))
    )


def complaint_purge_candidates(*, before: dt.date) -> QuerySet[Complaint]:
    """投诉举报 whose complainant's data is due for anonymisation: closed (办结日期) before ``before``, not yet
    anonymised, no 督促整改通知 drawn from them still open (the rectification may still need to go back to them)."""
    return (
        Complaint.objects.filter(anonymised_at__isnull=True, status=ComplaintStatus.CLOSED, closed_on__lt=before)
        # A draft never issued stays a draft for ever and must not hold the complaint back: only issued, open ones.
        .exclude(notices__in=Notice.objects.filter(status__in=OPEN_NOTICE_STATUSES))
    )


def appeal_purge_candidates(*, before: dt.date) -> QuerySet[Appeal]:
    """行政复议 / 行政诉讼 whose 申请人（原告）'s data is due for anonymisation: concluded with a result dated before
    ``before``, not yet anonymised, and no later proceeding about them (复议后起诉, 二审) still open."""
    return Appeal.objects.filter(
        anonymised_at__isnull=True, status=AppealStatus.CONCLUDED, result_on__lt=before
    ).exclude(following__in=Appeal.objects.exclude(status=AppealStatus.CONCLUDED))


@dataclass(frozen=True)
class KindResult:
    """One kind of record in one purge run."""

    candidates: int = 0
    anonymised: int = 0
    skipped: int = 0  # taken by another machine meanwhile, or anonymised already
    files: int = 0  # files deleted (or, on a dry run, that would be)


@dataclass(frozen=True)
class PurgeResult:
    before: dt.date
    dry_run: bool
    cases: KindResult
    complaints: KindResult
    appeals: KindResult

    @property
    def kinds(self) -> tuple[KindResult, KindResult, KindResult]:
        return (self.cases, self.complaints, self.appeals)

    # Totals over the three kinds.
    @property
    def candidates(self) -> int:
        return sum(kind.candidates for kind in self.kinds)

    @property
    def anonymised(self) -> int:
        return sum(kind.anonymised for kind in self.kinds)

    @property
    def skipped(self) -> int:
        return sum(kind.skipped for kind in self.kinds)

    @property
    def files(self) -> int:
        return sum(kind.files for kind in self.kinds)


def privacy_purge(*, before: dt.date, dry_run: bool = False, actor: User | None = None) -> PurgeResult:
    """Anonymise every case, complaint and appeal past retention, one transaction per record, so that a crash leaves
    finished records finished and two machines running the command at once share the work (row locks with SKIP
    LOCKED on PostgreSQL; SQLite has one writer at a time and each record is re-checked under the write lock)."""
    case_ids = _ids(purge_candidates(before=before))
    complaint_ids = _ids(complaint_purge_candidates(before=before))
    appeal_ids = _ids(appeal_purge_candidates(before=before))
    if dry_run:
        return PurgeResult(
            before,
            True,
            cases=KindResult(len(case_ids), files=_count_files(case_ids)),
            complaints=KindResult(len(complaint_ids)),
            appeals=KindResult(len(appeal_ids), files=_count_appeal_files(appeal_ids)),
        )
    return PurgeResult(
        before,
        False,
        cases=_purge_each(case_ids, lambda pk: case_anonymise(case_id=pk, before=before, actor=actor)),
        complaints=_purge_each(
            complaint_ids, lambda pk: complaint_anonymise(complaint_id=pk, before=before, actor=actor)
        ),
        appeals=_purge_each(appeal_ids, lambda pk: appeal_anonymise(appeal_id=pk, before=before, actor=actor)),
    )


def _ids(queryset: QuerySet[Any]) -> list[int]:
    return list(queryset.order_by("pk").values_list("pk", flat=True))


def _purge_each(ids: list[int], anonymise: Callable[[int], int | None]) -> KindResult:
    anonymised = skipped = files = 0
    for pk in ids:
        deleted = anonymise(pk)
        if deleted is None:
            skipped += 1
        else:
            anonymised += 1
            files += deleted
    return KindResult(len(ids), anonymised, skipped, files)


def _count_files(ids: list[int]) -> int:
    attachments = (
        CaseAttachment.objects.filter(case_id__in=ids).exclude(kind=AttachmentKind.RELEASED).exclude(file="").count()
    )
    documents = CaseDocument.objects.filter(case_id__in=ids)
    return attachments + documents.exclude(docx="").count() + documents.exclude(pdf="").count()


def _count_appeal_files(ids: list[int]) -> int:
    documents = AppealDocument.objects.filter(appeal_id__in=ids)
    return documents.exclude(docx="").count() + documents.exclude(pdf="").count()


def _anonymise_one(
    candidates: QuerySet[_Row],
    pk: int,
    *,
    anonymise: Callable[[_Row], tuple[dict[str, int], list[str]]],
    action: str,
    agency_id: Callable[[_Row], int],
    state: Callable[[_Row], dict[str, Any]],
    detail: Callable[[_Row], str],
    before: dt.date,
    actor: User | None,
) -> int | None:
    """Lock one row still eligible, anonymise it, audit it, and delete its files after the commit: the number of
    files, or None when there was nothing to do (another machine holds the row, or it was done already).
    Idempotent: the eligibility test (``candidates``) is re-run on the locked row."""
    with transaction.atomic():
        row = (
            candidates.filter(pk=pk)
            .select_for_update(skip_locked=True)  # PostgreSQL; a no-op on SQLite, whose writers queue instead
            .first()
        )
        if row is None:
            return None
        counts, files = anonymise(row)
        audit_record(
            action=action,
            actor=actor,
            agency_id=agency_id(row),
            obj=row,
            after={**state(row), "retention_before": before, **counts},
            detail=detail(row),
            actor_label=None if actor is not None else "系统",
        )
        # Files go only once the rows no longer name them: a rollback must not leave rows pointing at nothing.
        if files:
            transaction.on_commit(lambda: _delete_files(files))
    return len(files)


def case_anonymise(*, case_id: int, before: dt.date, actor: User | None = None) -> int | None:
    """Anonymise one case's applicant; the number of files scheduled for deletion, or None when there was nothing to
    do (``_anonymise_one``)."""
    return _anonymise_one(
        purge_candidates(before=before),
        case_id,
        anonymise=_anonymise_case,
        action="privacy.anonymise",
        agency_id=lambda case: case.agency_id,
        state=lambda case: {"closed_on": case.closed_on, "status": case.status},
        detail=lambda case: f"{case.number} 保存期限届满，申请人个人信息已匿名化",
        before=before,
        actor=actor,
    )


def _needles(case: Case) -> list[str]:
    values = [
        case.applicant_name,
        case.contact_person,
        case.id_number or "",
        case.phone or "",
        case.email,
        case.postal_address,
    ]
    if case.applicant_user_id is not None and case.applicant_user is not None:
        values.append(case.applicant_user.full_name)
    # Longest first, so that a name inside an address is not replaced before the address.
    return sorted({v.strip() for v in values if len(v.strip()) >= 2}, key=len, reverse=True)


def _scrubber(needles: list[str]) -> Any:
    pattern = re.compile("|".join(re.escape(n) for n in needles)) if needles else None

    def scrub(value: Any) -> Any:
        if isinstance(value, str):
            return pattern.sub(REDACTED, value) if pattern is not None else value
        if isinstance(value, list):
            return [scrub(item) for item in value]
        if isinstance(value, dict):
            return {k: ("" if k in _IDENTIFIER_KEYS and v else scrub(v)) for k, v in value.items()}
        return value

    return scrub


def _anonymise_case(case: Case) -> tuple[dict[str, int], list[str]]:
    """Clear what the applicant gave, scrub their identifiers out of the agency's free text, keep what is counted."""
    scrub = _scrubber(_needles(case))
    applicant_user_id = case.applicant_user_id
    files: list[str] = []

    # The applicant's own fields (条例第二十九条（一）) and the free text that came from them: cleared.
    case.applicant_name = ANONYMISED_NAME
    case.contact_person = ""
    case.id_number = None  # the blind indexes follow in BlindIndexField.pre_save: the applicant can no longer be found
    case.phone = None
    case.email = ""
    case.postal_address = ""
    case.postcode = ""
    case.applicant_user = None
    case.remarks = ""
    case.reasons_text = ""
    # The agency's own text (what to correct, why extended, the reply): kept as a record, the identifiers scrubbed.
    for name in ("receipt_note", "correction_items", "extension_reason", "reply_text", "public_interest_reason"):
        setattr(case, name, scrub(getattr(case, name)))
    case.anonymised_at = timezone.now()
    case.save(
        update_fields=[
            "applicant_name",
            "contact_person",
            "id_number",
            "id_number_index",
            "phone",
            "phone_index",
            "email",
            "postal_address",
            "postcode",
            "applicant_user",
            "remarks",
            "reasons_text",
            "receipt_note",
            "correction_items",
            "extension_reason",
            "reply_text",
            "public_interest_reason",
            "anonymised_at",
            "updated_at",
        ]
    )

    items = list(RequestedItem.objects.filter(case=case))
    for item in items:
        item.title, item.description = scrub(item.title), scrub(item.description)
    RequestedItem.objects.bulk_update(items, ["title", "description"])

    attachments = list(CaseAttachment.objects.filter(case=case))
    removed_attachments = 0
    for attachment in attachments:
        if attachment.kind == AttachmentKind.RELEASED:
            # Government information released to the applicant is not the applicant's data; kept.
            attachment.original_name = scrub(attachment.original_name)
            continue
        # ID copies, application and correction material came from the applicant: the file goes, the row (kind,
        # size, checksum) stays as the record that something was received.
        if attachment.file and attachment.file.name:
            files.append(attachment.file.name)
            removed_attachments += 1
        attachment.file = ""
        attachment.original_name = f"（已删除）{attachment.get_kind_display()}"
    CaseAttachment.objects.bulk_update(attachments, ["file", "original_name"])

    documents = list(CaseDocument.objects.filter(case=case))
    removed_documents = 0
    for document in documents:
        # Issued letters name and address the applicant: the platform's DOCX/PDF copies go (the 文号, title, date and
        # checksums stay; the signed originals belong in the agency's archive, filed before retention ends).
        for name in ("docx", "pdf"):
            file = getattr(document, name)
            if file and file.name:
                files.append(file.name)
                removed_documents += 1
            setattr(document, name, "")
        document.title = scrub(document.title)
        document.addressee = scrub(document.addressee)
        document.recipient = scrub(document.recipient)
        document.body = scrub(document.body)
    CaseDocument.objects.bulk_update(documents, ["docx", "pdf", "title", "addressee", "recipient", "body"])
    Delivery.objects.filter(document__case=case).update(address="", signed_by="", waybill="")

    events = list(CaseEvent.objects.filter(case=case))
    for event in events:
        if (applicant_user_id is not None and event.actor_id == applicant_user_id) or event.actor_label.startswith(
            APPLICANT_LABEL
        ):
            event.actor_label = APPLICANT_LABEL
        event.note = scrub(event.note)
        event.data = scrub(event.data)
    CaseEvent.objects.bulk_update(events, ["actor_label", "note", "data"])

    consultations = list(Consultation.objects.filter(case=case))
    for consultation in consultations:
        consultation.matter, consultation.reasons = scrub(consultation.matter), scrub(consultation.reasons)
    Consultation.objects.bulk_update(consultations, ["matter", "reasons"])
    withheld = list(WithheldPart.objects.filter(case=case))
    for part in withheld:
        part.description, part.reason = scrub(part.description), scrub(part.reason)
    WithheldPart.objects.bulk_update(withheld, ["description", "reason"])
    if case.ledger_id is not None:
        ledger = ClockLedger.objects.get(pk=case.ledger_id)
        ledger.subject = scrub(ledger.subject)
        ledger.save(update_fields=["subject"])

    counts = {
        "attachments_deleted": removed_attachments,
        "document_files_deleted": removed_documents,
        "events": len(events),
    }
    return counts, files


def _delete_files(names: Iterable[str]) -> None:
    for name in names:
        still_used = (
            CaseAttachment.objects.filter(file=name).exists()
            or CaseDocument.objects.filter(Q(docx=name) | Q(pdf=name)).exists()
            or AppealDocument.objects.filter(Q(docx=name) | Q(pdf=name)).exists()
        )
        if still_used:
            continue
        try:
            default_storage.delete(name)
        except OSError:
            # The row no longer names the file; an orphan left here is found by its absence from every row.
            log.exception("could not delete %s after anonymisation", name)


# ---------------------------------------------------------------------------------------------------------------------
# 投诉举报 (gongkai.rectification)


def complaint_anonymise(*, complaint_id: int, before: dt.date, actor: User | None = None) -> int | None:
    """Anonymise one complaint's complainant: 0 (no file is the complainant's), or None when there was nothing to do
    (``_anonymise_one``)."""
    return _anonymise_one(
        complaint_purge_candidates(before=before),
        complaint_id,
        anonymise=lambda complaint: (_anonymise_complaint(complaint), []),
        # The complaint's own chain (the receiving office's, as in rectification.services): the agency complained
        # about never sees who complained, not even that their data was removed.
        action="privacy.anonymise_complaint",
        agency_id=lambda complaint: complaint.office_id,
        state=lambda complaint: {"closed_on": complaint.closed_on, "status": complaint.status},
        detail=lambda complaint: f"投诉{complaint.number} 保存期限届满，投诉人个人信息已匿名化",
        before=before,
        actor=actor,
    )


def _complaint_needles(complaint: Complaint) -> list[str]:
    return _longest_first([complaint.complainant_name, complaint.phone or "", complaint.other_contact or ""])


def _longest_first(values: Iterable[str]) -> list[str]:
    # Longest first, so that a name inside a longer identifier is not replaced before it.
    return sorted({v.strip() for v in values if len(v.strip()) >= 2}, key=len, reverse=True)


def _anonymise_complaint(complaint: Complaint) -> dict[str, int]:
    """Clear who complained and what they wrote; scrub them out of the office's text; keep what is counted (office,
    agency, year, number, channel, type, dates, status, conclusion, remedy)."""
    scrub = _scrubber(_complaint_needles(complaint))
    # An anonymous complaint stays recognisably anonymous: only a name given is replaced by the marker.
    complaint.complainant_name = ANONYMISED_NAME if complaint.complainant_name else ""
    complaint.phone = None  # the blind index follows in BlindIndexField.pre_save: the phone no longer finds it
    complaint.other_contact = None
    # The complainant's own words can name anyone and anything about them; unlike the office's text they are not
    # the authority's record, so they go whole (as a case's 其他说明 does), not just scrubbed.
    complaint.description = REMOVED_TEXT
    complaint.findings = scrub(complaint.findings)
    complaint.criticism = scrub(complaint.criticism)
    complaint.reply_text = scrub(complaint.reply_text)
    complaint.anonymised_at = timezone.now()
    complaint.save(
        update_fields=[
            "complainant_name",
            "phone",
            "phone_index",
            "other_contact",
            "description",
            "findings",
            "criticism",
            "reply_text",
            "anonymised_at",
            "updated_at",
        ]
    )
    events = list(ComplaintEvent.objects.filter(complaint=complaint))
    for event in events:
        event.text = scrub(event.text)
    ComplaintEvent.objects.bulk_update(events, ["text"])

    # A 督促整改通知 drawn from the complaint quotes it (complaint_conclude): an official letter to the agency, kept as
    # the agency's record with the complainant's identifiers scrubbed.
    notices = list(Notice.objects.filter(complaint=complaint))
    for notice in notices:
        notice.title = scrub(notice.title)
        notice.return_reason = scrub(notice.return_reason)
        notice.criticism = scrub(notice.criticism)
    Notice.objects.bulk_update(notices, ["title", "return_reason", "criticism"])
    items = list(NoticeItem.objects.filter(notice__in=notices))
    for item in items:
        item.problem = scrub(item.problem)
        item.requirement = scrub(item.requirement)
        item.rectification = scrub(item.rectification)
    NoticeItem.objects.bulk_update(items, ["problem", "requirement", "rectification"])
    notice_events = list(NoticeEvent.objects.filter(notice__in=notices))
    for notice_event in notice_events:
        notice_event.text = scrub(notice_event.text)
    NoticeEvent.objects.bulk_update(notice_events, ["text"])
    return {"events": len(events), "notices": len(notices)}


# ---------------------------------------------------------------------------------------------------------------------
# 行政复议 / 行政诉讼 (gongkai.appeals)


def appeal_anonymise(*, appeal_id: int, before: dt.date, actor: User | None = None) -> int | None:
    """Anonymise one appeal's 申请人（原告）; the number of files scheduled for deletion, or None when there was
    nothing to do (``_anonymise_one``)."""
    return _anonymise_one(
        appeal_purge_candidates(before=before),
        appeal_id,
        anonymise=_anonymise_appeal,
        action="privacy.anonymise_appeal",
        agency_id=lambda appeal: appeal.agency_id,
        state=lambda appeal: {"result_on": appeal.result_on, "status": appeal.status},
        detail=lambda appeal: f"{appeal} 保存期限届满，申请人（原告）个人信息已匿名化",
        before=before,
        actor=actor,
    )


def _appeal_needles(appeal: Appeal) -> list[str]:
    # Several 申请人 or 原告 are written in one field ("张三、李四"): each name is a needle of its own as well.
    parts = re.split(r"[、，,；;\s]+", appeal.appellant)
    return _longest_first([appeal.appellant, *parts])


def _anonymise_appeal(appeal: Appeal) -> tuple[dict[str, int], list[str]]:
    """Clear the 申请人（原告）, scrub them out of the agency's text, delete the drafts that name them; keep what 表四
    counts (agency, kind, route, instance, status, result, dates, the preceding proceeding) and the 复议机关 or
    court's case number."""
    scrub = _scrubber(_appeal_needles(appeal))
    appeal.appellant = ANONYMISED_NAME
    appeal.subject = scrub(appeal.subject)
    appeal.result_note = scrub(appeal.result_note)
    appeal.anonymised_at = timezone.now()
    appeal.save(update_fields=["appellant", "subject", "result_note", "anonymised_at", "updated_at"])

    events = list(AppealEvent.objects.filter(appeal=appeal))
    for event in events:
        event.note = scrub(event.note)
        event.data = scrub(event.data)
    AppealEvent.objects.bulk_update(events, ["note", "data"])

    files: list[str] = []
    documents = list(AppealDocument.objects.filter(appeal=appeal))
    for document in documents:
        # The 答复书 / 答辩状 drafts name the 申请人（原告）: the platform's copies go (title, date and checksums stay);
        # what was filed with the 复议机关 or court belongs in the agency's archive.
        for name in ("docx", "pdf"):
            file = getattr(document, name)
            if file and file.name:
                files.append(file.name)
            setattr(document, name, "")
        document.title = scrub(document.title)
    AppealDocument.objects.bulk_update(documents, ["docx", "pdf", "title"])
    return {"events": len(events), "document_files_deleted": len(files)}, files


# ---------------------------------------------------------------------------------------------------------------------
# Export (个人信息保护法第四十五条)


@dataclass(frozen=True)
class ExportSubject:
    """Whose data: a public account (its linked applications only), or — for a request verified by staff in
    person — an ID number, which finds the applications made under it through the blind index."""

    user: User | None = None
    id_number: str | None = None


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[\\/\x00-\x1f:*?\"<>|]+", "_", name).strip(". ") or "file"
    return cleaned[:120]


def _account_data(user: User) -> dict[str, Any]:
    profile = ApplicantProfile.objects.filter(user=user).first()
    data: dict[str, Any] = {
        "用户名": user.username,
        "姓名或名称": user.full_name,
        "电子邮箱": user.email,
        "注册时间": _iso(user.date_joined),
        "最近登录": _iso(user.last_login),
    }
    if profile is not None:
        data["申请人信息"] = {
            "证件类型": profile.get_id_type_display(),
            "证件号码": profile.id_number or "",
            "联系电话": profile.phone or "",
            "通信地址": profile.postal_address,
            "邮政编码": profile.postcode,
            "更新时间": _iso(profile.updated_at),
        }
    return data


def _own_actions(user: User) -> list[dict[str, Any]]:
    """What the audit log holds about this person's own actions (time, action, address): their data too."""
    from gongkai.audit.models import AuditEvent

    return [
        {
            "时间": _iso(event.created_at),
            "操作": event.action,
            "说明": event.detail,
            "成功": event.success,
            "IP": event.ip,
        }
        for event in AuditEvent.objects.filter(actor_id=user.pk).order_by("created_at", "id")
    ]


def _case_data(case: Case, archive: zipfile.ZipFile) -> tuple[dict[str, Any], int]:
    folder = f"申请/{_safe_name(case.number)}"
    files = 0
    documents = []
    for document in case_selectors.public_documents(case):
        entry: dict[str, Any] = {
            "文书": document.get_kind_display(),
            "文号": document.doc_number,
            "标题": document.title,
            "成文日期": _iso(document.date_on),
            "文件": [],
        }
        for fmt in ("pdf", "docx"):
            file = getattr(document, fmt)
            if file:
                path = f"{folder}/文书/{document.pk}-{_safe_name(document.get_kind_display())}.{fmt}"
                with file.open("rb") as handle:
                    archive.writestr(path, handle.read())
                entry["文件"].append(path)
                files += 1
        documents.append(entry)
    attachments = []
    # What the applicant gave (ID copy, material, corrections) and what was released to them online; not staff-only
    # material such as a released file meant for collection in person.
    own = case.attachments.exclude(kind=AttachmentKind.RELEASED)
    released = case_selectors.released_attachments(case)
    for attachment in list(own) + list(released):
        entry = {
            "类别": attachment.get_kind_display(),
            "文件名": attachment.original_name,
            "上传时间": _iso(attachment.uploaded_at),
        }
        if attachment.file:
            path = f"{folder}/附件/{attachment.pk}-{_safe_name(attachment.original_name)}"
            with attachment.file.open("rb") as handle:
                archive.writestr(path, handle.read())
            entry["文件"] = path
            files += 1
        attachments.append(entry)
    data = {
        "申请编号": case.number,
        "查询码": case.tracking_code,
        "受理机关": case.agency.name,
        "申请方式": case.get_channel_display(),
        "提交时间": _iso(case.submitted_at),
        "收到申请之日": _iso(case.received_on),
        "状态": case.get_status_display(),
        "办理结果": case.get_outcome_display() if case.outcome else "",
        "办结日期": _iso(case.closed_on),
        "申请人": {
            "申请人类型": case.get_applicant_type_display(),
            "姓名或名称": case.applicant_name,
            "联系人": case.contact_person,
            "证件类型": case.get_id_type_display(),
            "证件号码": case.id_number or "",
            "联系电话": case.phone or "",
            "电子邮箱": case.email,
            "通信地址": case.postal_address,
            "邮政编码": case.postcode,
        },
        "申请公开的信息": [
            {"信息名称": item.title, "文号": item.doc_number, "特征性描述": item.description}
            for item in case.items.all()
        ],
        "提供形式": case.get_provision_form_display(),
        "获取方式": case.get_obtain_method_display(),
        "其他说明": case.remarks,
        "申请人说明的理由": case.reasons_text,
        "办理记录": [
            {"日期": _iso(event.on), "操作": event.get_action_display(), "说明": event.note}
            for event in case_selectors.public_events(case)
        ],
        "文书": documents,
        "附件": attachments,
    }
    return data, files


def export_cases(subject: ExportSubject) -> QuerySet[Case]:
    if subject.user is not None:
        # By the account link only: an ID number typed into a profile is not proof of identity.
        return Case.objects.filter(applicant_user=subject.user)
    if subject.id_number:
        from gongkai.core.fields import lookup

        return Case.objects.filter(**lookup(Case, "id_number", subject.id_number))
    return Case.objects.none()


def personal_data_export(
    *,
    user: User | None = None,
    id_number: str | None = None,
    actor: User | None,
    request: HttpRequest | None = None,
    actor_label: str | None = None,
    reference: str = "",
) -> bytes:
    """The ZIP of one person's data; audited (who exported whose data, how many applications and files)."""
    subject = ExportSubject(user=user, id_number=(id_number or "").strip() or None)
    if subject.user is None and subject.id_number is None:
        raise ValueError("an export needs a user or an ID number")
    cases = export_cases(subject).select_related("agency").prefetch_related("items").order_by("submitted_at", "pk")
    buffer = io.BytesIO()
    files = 0
    applications = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for case in cases:
            data, n = _case_data(case, archive)
            applications.append(data)
            files += n
        content: dict[str, Any] = {
            "导出时间": timezone.localtime().isoformat(),
            "说明": "依据《个人信息保护法》第四十五条导出的本人个人信息：账户信息、本人提交的申请及向本人送达的文书和文件。",
            "申请": applications,
        }
        if subject.user is not None:
            content["账户"] = _account_data(subject.user)
            content["操作记录"] = _own_actions(subject.user)
        archive.writestr("我的数据.json", json.dumps(content, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
    audit_record(
        action="privacy.export",
        actor=actor,
        obj=subject.user,
        after={
            "subject_user": subject.user.pk if subject.user is not None else None,
            "by_id_number": subject.id_number is not None,
            "applications": len(applications),
            "files": files,
            "reference": reference,
        },
        detail="导出个人信息" + (f"（{reference}）" if reference else ""),
        request=request,
        actor_label=actor_label,
    )
    return buffer.getvalue()
