"""个人信息生命周期: the retention purge and the export of one person's data.

Purge — 个人信息保护法第十九条 (保存期限应当为实现处理目的所必要的最短时间) and 第四十七条 (保存期限已届满 → 删除):
once a case has been closed for ``GONGKAI_RETENTION_YEARS`` the applicant's personal data is anonymised in place. The
case row itself stays with every column that 表三 and the reports count (agency, year, applicant type, channel, dates,
outcome, fee), so published and rebuilt annual figures do not change. Which field is cleared, scrubbed or kept, and
why, is in docs/security.md「个人信息生命周期」and in ``_anonymise_case`` below.

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
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from gongkai.accounts.models import ApplicantProfile, User
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

log = logging.getLogger(__name__)

ANONYMISED_NAME = "（已匿名化）"
REDACTED = "【已删除】"
APPLICANT_LABEL = "申请人"
# Keys of CaseEvent.data that hold (masked) identifiers of the applicant (cases.services._intake_data).
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
    from gongkai.appeals.models import Appeal
    from gongkai.appeals.models import Status as AppealStatus

    start_of_day = timezone.make_aware(dt.datetime.combine(before, dt.time.min))
    return (
        Case.objects.filter(anonymised_at__isnull=True)
        .filter(Q(status=Status.CLOSED, closed_on__lt=before) | Q(status=Status.CANCELLED, updated_at__lt=start_of_day))
        # A 行政复议 or 行政诉讼 still running about the case needs the file as it is, whatever its age.
        .exclude(appeals__in=Appeal.objects.exclude(status=AppealStatus.CONCLUDED))
    )


@dataclass(frozen=True)
class PurgeResult:
    before: dt.date
    dry_run: bool
    candidates: int
    anonymised: int
    skipped: int  # taken by another machine meanwhile, or anonymised already
    files: int  # files deleted (or, on a dry run, that would be)


def privacy_purge(*, before: dt.date, dry_run: bool = False, actor: User | None = None) -> PurgeResult:
    """Anonymise every case past retention, one transaction per case, so that a crash leaves finished cases finished
    and two machines running the command at once share the work (row locks with SKIP LOCKED on PostgreSQL; SQLite
    has one writer at a time and each case is re-checked under the write lock)."""
    ids = list(purge_candidates(before=before).order_by("pk").values_list("pk", flat=True))
    if dry_run:
        return PurgeResult(before, True, len(ids), 0, 0, _count_files(ids))
    anonymised = skipped = files = 0
    for case_id in ids:
        deleted = case_anonymise(case_id=case_id, before=before, actor=actor)
        if deleted is None:
            skipped += 1
        else:
            anonymised += 1
            files += deleted
    return PurgeResult(before, False, len(ids), anonymised, skipped, files)


def _count_files(ids: list[int]) -> int:
    attachments = (
        CaseAttachment.objects.filter(case_id__in=ids).exclude(kind=AttachmentKind.RELEASED).exclude(file="").count()
    )
    documents = CaseDocument.objects.filter(case_id__in=ids)
    return attachments + documents.exclude(docx="").count() + documents.exclude(pdf="").count()


def case_anonymise(*, case_id: int, before: dt.date, actor: User | None = None) -> int | None:
    """Anonymise one case's applicant; the number of files scheduled for deletion, or None when there was nothing to
    do (another machine holds the row, or it was done already). Idempotent: the eligibility test is re-run on the
    locked row."""
    with transaction.atomic():
        case = (
            purge_candidates(before=before)
            .filter(pk=case_id)
            .select_for_update(skip_locked=True)  # PostgreSQL; a no-op on SQLite, whose writers queue instead
            .first()
        )
        if case is None:
            return None
        counts, files = _anonymise_case(case)
        audit_record(
            action="privacy.anonymise",
            actor=actor,
            agency_id=case.agency_id,
            obj=case,
            after={"closed_on": case.closed_on, "status": case.status, "retention_before": before, **counts},
            detail=f"{case.number} 保存期限届满，申请人个人信息已匿名化",
            actor_label=None if actor is not None else "系统",
        )
        # Files go only once the rows no longer name them: a rollback must not leave rows pointing at nothing.
        transaction.on_commit(lambda: _delete_files(files))
    return len(files)


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
        )
        if still_used:
            continue
        try:
            default_storage.delete(name)
        except OSError:
            # The row no longer names the file; an orphan left here is found by its absence from every row.
            log.exception("could not delete %s after anonymisation", name)


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
