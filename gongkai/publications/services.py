"""Every write to the 主动公开 catalogue. Each function runs in a transaction, locks the row it changes, checks the
transition table (``codebook.TRANSITIONS`` / ``VALIDITY_TRANSITIONS``) and writes the audit row.

A refusal is a ``django.core.exceptions.ValidationError`` whose messages are Chinese and name the field; nothing is
changed then.

The workflow (条例第十七条, 保密法第三十五条, 实施条例第四十二条 先审查、后公开): a 经办人 drafts and submits
(``publication_submit`` — the automatic scan runs then), a 审核人 does the 保密审查 (``finding_redact`` /
``finding_dismiss``, ``publication_review``), a 负责人 approves (``publication_approve``: now, or at a time the
``publish_scheduled`` job keeps). An open high-severity finding blocks every step towards publication.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html as html_lib
import importlib
import logging
import re
from collections.abc import Iterable, Sequence
from typing import Any, TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from gongkai.accounts.access import has_perm
from gongkai.accounts.models import User
from gongkai.accounts.roles import Perm
from gongkai.agencies.models import Agency
from gongkai.audit.services import audit_record
from gongkai.cases.models import Counter
from gongkai.cases.services import next_number
from gongkai.cases.uploads import ALLOWED, sniff
from gongkai.clock.rules import PERIODS, period_end
from gongkai.clock.selectors import current_calendar
from gongkai.publications.codebook import (
    LIFECYCLE_KINDS,
    OPEN_HIGH_FINDING,
    TERMINAL_VALIDITIES,
    VALIDITY_TRANSITIONS,
    Action,
    Actor,
    Category,
    Channel,
    DeliveryStatus,
    DisclosureMode,
    DocKind,
    FindingKind,
    FindingStatus,
    ReviewDecision,
    ReviewStage,
    Severity,
    Status,
    Transition,
    TransitionError,
    Validity,
    WithheldGround,
    transition_for,
)
from gongkai.publications.models import (
    ChannelDelivery,
    Publication,
    PublicationAttachment,
    ReviewOpinion,
    ScanFinding,
)
from gongkai.publications.sanitize import clean_html, html_to_text, text_to_html

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_INDEX_PATTERN",
    "INDEX_SERIES",
    "PublicationData",
    "channel_record_delivery",
    "disclosure_due",
    "finding_dismiss",
    "finding_redact",
    "format_index_number",
    "mask",
    "publication_add_attachment",
    "publication_approve",
    "publication_create",
    "publication_publish",
    "publication_publish_scheduled",
    "publication_remove_attachment",
    "publication_review",
    "publication_set_validity",
    "publication_submit",
    "publication_update",
    "publication_withdraw",
    "take_index_block",
    "take_index_number",
]

INDEX_SERIES = "index"  # the cases Counter series the 索引号 is taken from
DEFAULT_INDEX_PATTERN = "{org}/{year}-{seq:05d}"  # regulations.md §4.2: <机构代码>/<年份>-<5位流水号>


class PublicationData(TypedDict, total=False):
    title: str
    doc_number: str
    issuing_body: str
    written_on: dt.date | None
    formed_on: dt.date
    topic: str
    category: str
    summary: str
    body: str  # plain text; used when body_html is not given
    body_html: str  # rich text, sanitised here; the plain ``body`` is derived from it
    channels: list[str]  # the channels to deliver to when published (default: 门户网站)
    disclosure_mode: str
    withheld_ground: str
    doc_kind: str
    effective_on: dt.date | None
    interprets: Publication | None


def _today() -> dt.date:
    return timezone.localdate()


def format_index_number(agency: Agency, *, year: int, month: int, seq: int) -> str:
    """The 索引号 after the agency's pattern ({org}, {year}, {month}, {seq}); a broken pattern falls back to the default."""
    values = {"org": agency.identifier, "year": year, "month": f"{month:02d}", "seq": seq}
    try:
        return (agency.index_number_pattern or DEFAULT_INDEX_PATTERN).format(**values)
    except (KeyError, IndexError, ValueError):
        return DEFAULT_INDEX_PATTERN.format(**values)


def take_index_number(agency: Agency, formed_on: dt.date) -> tuple[int, int, str]:
    """(year, seq, 索引号) for an item formed on ``formed_on``. Inside the caller's transaction: the counter row stays
    locked until it commits, and a rollback gives the number back, so numbers are gap-free per agency and year."""
    seq = next_number(agency=agency, year=formed_on.year, series=INDEX_SERIES)
    return formed_on.year, seq, format_index_number(agency, year=formed_on.year, month=formed_on.month, seq=seq)


def take_index_block(agency: Agency, year: int, count: int) -> range:
    """``count`` consecutive 索引号 sequence numbers of (agency, year) at once, for bulk imports of an archive. The same
    counter row and lock as ``next_number`` (series ``index``), so single and bulk numbers never collide or leave gaps
    — as long as the caller creates one item for every number inside the same transaction."""
    Counter.objects.bulk_create([Counter(agency=agency, year=year, series=INDEX_SERIES)], ignore_conflicts=True)
    counter = Counter.objects.select_for_update().get(agency=agency, year=year, series=INDEX_SERIES)
    counter.last = F("last") + count
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    return range(counter.last - count + 1, counter.last + 1)


def _snapshot(publication: Publication) -> dict[str, Any]:
    return {
        "index_number": publication.index_number,
        "title": publication.title,
        "status": publication.status,
        "published_on": publication.published_on,
        "doc_kind": publication.doc_kind,
        "validity": publication.validity,
        "validity_changed_on": publication.validity_changed_on,
        "abolished_on": publication.abolished_on,
        "replaced_by": publication.replaced_by_id,
        "withdrawn_on": publication.withdrawn_on,
    }


def _lock(publication: Publication) -> Publication:
    return Publication.objects.select_for_update(of=("self",)).select_related("agency").get(pk=publication.pk)


def _check_choice(errors: dict[str, str], field: str, value: str, choices: Any, label: str) -> None:
    if value not in choices.values:
        errors[field] = f"{label}“{value}”不在可选范围内"


def _validate_channels(errors: dict[str, str], channels: Any) -> list[str]:
    wanted = list(dict.fromkeys(channels or ()))
    if not wanted:
        errors["channels"] = "请至少选择一个发布渠道"
    for channel in wanted:
        if channel not in Channel.values:
            errors["channels"] = f"发布渠道“{channel}”不在可选范围内"
    return wanted


def _body(data: PublicationData) -> tuple[str, str]:
    """(body, body_html): the rich text sanitised and the plain text derived from it; plain text alone is wrapped."""
    if data.get("body_html"):
        body_html = clean_html(data.get("body_html") or "")
    else:
        body_html = text_to_html(data.get("body") or "")
    return html_to_text(body_html), body_html


def _validate_data(agency: Agency, data: PublicationData) -> dict[str, Any]:
    errors: dict[str, str] = {}
    unknown = set(data) - set(PublicationData.__annotations__)
    if unknown:
        errors["data"] = "不能填写的字段：" + "、".join(sorted(unknown))
    title = (data.get("title") or "").strip()
    if not title:
        errors["title"] = "请填写标题"
    formed_on = data.get("formed_on") or _today()
    if formed_on > _today():
        errors["formed_on"] = "形成日期不能晚于今天"
    written_on = data.get("written_on")
    if written_on and written_on > formed_on:
        errors["written_on"] = "成文日期不能晚于形成日期"
    category = data.get("category", "")
    if not category:
        errors["category"] = "请选择公开类别（条例第二十条、第二十一条）"
    else:
        _check_choice(errors, "category", category, Category, "公开类别")
    doc_kind = data.get("doc_kind", DocKind.OTHER)
    _check_choice(errors, "doc_kind", doc_kind, DocKind, "文件类型")
    if doc_kind in LIFECYCLE_KINDS and category and category != Category.ART20_1:
        errors["category"] = "规章、行政规范性文件属于条例第二十条第（一）项"
    mode = data.get("disclosure_mode", DisclosureMode.PROACTIVE)
    _check_choice(errors, "disclosure_mode", mode, DisclosureMode, "公开方式")
    ground = data.get("withheld_ground", "")
    if mode == DisclosureMode.WITHHELD:
        if not ground:
            errors["withheld_ground"] = "不予公开的信息须写明理由（条例第十四条、第十五条、第十六条）"
        else:
            _check_choice(errors, "withheld_ground", ground, WithheldGround, "不予公开理由")
    elif ground:
        errors["withheld_ground"] = "只有不予公开的信息才填写不予公开理由"
    interprets = data.get("interprets")
    if interprets is not None and interprets.doc_kind == DocKind.OTHER and interprets.interprets_id is not None:
        errors["interprets"] = "政策解读应指向被解读的文件，而不是另一篇解读"
    channels = _validate_channels(errors, data.get("channels", [Channel.PORTAL]))
    if errors:
        raise ValidationError(errors)
    body, body_html = _body(data)
    return {
        "title": title,
        "doc_number": (data.get("doc_number") or "").strip(),
        "issuing_body": (data.get("issuing_body") or "").strip() or agency.name,
        "written_on": written_on,
        "formed_on": formed_on,
        "topic": (data.get("topic") or "").strip(),
        "category": category,
        "summary": data.get("summary") or "",
        "body": body,
        "body_html": body_html,
        "channels": channels,
        "disclosure_mode": mode,
        "withheld_ground": ground,
        "doc_kind": doc_kind,
        # Validity belongs to 规章 and 行政规范性文件 only; it starts at 现行有效 once published.
        "validity": Validity.CURRENT if doc_kind in LIFECYCLE_KINDS else "",
        "effective_on": data.get("effective_on"),
        "interprets": interprets,
    }


def disclosure_due(formed_on: dt.date) -> dt.date:
    """条例第二十六条: the last day to publish an item formed on ``formed_on`` (20 working days, the day of formation
    not counted), on the working-day calendar in force."""
    due, _unloaded = period_end(PERIODS["proactive_disclosure"], formed_on, current_calendar())
    return due


def _check_staff(actor: Any, perm: Perm, agency_id: int, what: str) -> None:
    """A user acting must hold ``perm`` in the item's agency; ``None`` is the system (imports, the demo, jobs)."""
    if actor is None:
        return
    if not isinstance(actor, User) or not has_perm(actor, perm, agency_id):
        raise ValidationError({"actor": f"“{what}”须由本机关{_WHO[perm]}执行"})


_WHO: dict[Perm, str] = {
    Perm.HANDLE_CASES: "经办人或负责人",
    Perm.REVIEW_SECRECY: "审核人",
    Perm.APPROVE: "负责人",
}


def publication_create(*, agency: Agency, actor: Any, data: PublicationData) -> Publication:
    """A draft in the agency's catalogue. It takes its 索引号 now (year of the 形成日期) and keeps it forever."""
    _check_staff(actor, Perm.HANDLE_CASES, agency.pk, "新建主动公开信息")
    values = _validate_data(agency, data)
    with transaction.atomic():
        year, seq, index_number = take_index_number(agency, values["formed_on"])
        publication = Publication.objects.create(
            agency=agency,
            year=year,
            seq=seq,
            index_number=index_number,
            status=Status.DRAFT,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            disclosure_due_on=disclosure_due(values["formed_on"]),
            **values,
        )
        audit_record(
            action="publication.create",
            actor=actor,
            agency_id=agency.pk,
            obj=publication,
            after=_snapshot(publication),
        )
    return publication


def _portal_time(on: dt.date) -> dt.datetime:
    # Published today: now. A past 发布日期 (registering an item already published, e.g. taking over an existing
    # catalogue): the portal carried it from that day, 09:00 local time.
    if on == _today():
        return timezone.now()
    return dt.datetime.combine(on, dt.time(9, 0), tzinfo=timezone.get_default_timezone())


def _search_enqueue(publication_ids: Sequence[int], reason: str) -> None:
    """THE call site of the search outbox (gongkai.search.services.index_enqueue), inside the caller's transaction so
    the outbox row commits or rolls back with the change. A no-op while the search app has no outbox."""
    try:
        module = importlib.import_module("gongkai.search.services")
    except ImportError:
        return
    enqueue = getattr(module, "index_enqueue", None)
    if enqueue is not None:
        enqueue(list(publication_ids), reason)


def _audit(action: str, actor: Any, publication: Publication, **kwargs: Any) -> None:
    audit_record(action=action, actor=actor, agency_id=publication.agency_id, obj=publication, **kwargs)


def _begin(publication: Publication, action: Action, actor: Any, kind: Actor) -> tuple[Publication, Transition]:
    """Lock the item and check that ``actor`` may take ``action`` from its current status (ValidationError naming
    ``status`` or ``actor`` otherwise)."""
    locked = _lock(publication)
    try:
        rule = transition_for(action, locked.status, kind)
    except TransitionError as exc:
        raise ValidationError({"status": str(exc)}) from exc
    if rule.actor is Actor.STAFF:
        assert rule.perm is not None
        if actor is None:
            raise ValidationError({"actor": f"“{action.label}”须由本机关{_WHO[rule.perm]}执行"})
        _check_staff(actor, rule.perm, locked.agency_id, action.label)
    return locked, rule


def _open_high(publication: Publication) -> bool:
    return ScanFinding.objects.filter(
        publication=publication, status=FindingStatus.OPEN, severity=Severity.HIGH
    ).exists()


def _refuse_open_high(publication: Publication) -> None:
    if _open_high(publication):
        raise ValidationError({"findings": OPEN_HIGH_FINDING})


def _deliver(publication: Publication, channels: Sequence[str], on: dt.date) -> None:
    """One ``ChannelDelivery`` per channel. The portal serves the item itself, so its delivery is done at once; the
    other channels stay pending for their adapters (``channel_record_delivery``)."""
    for channel in channels:
        delivery, _ = ChannelDelivery.objects.get_or_create(publication=publication, channel=channel)
        if channel == Channel.PORTAL and delivery.status != DeliveryStatus.DELIVERED:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = _portal_time(on)
            delivery.attempts += 1
            delivery.error = ""
            delivery.save(update_fields=["status", "delivered_at", "attempts", "error", "updated_at"])


def _go_public(locked: Publication, rule: Transition, on: dt.date, channels: Sequence[str]) -> None:
    if locked.disclosure_mode != DisclosureMode.PROACTIVE:
        raise ValidationError({"disclosure_mode": "只有公开方式为“主动公开”的信息才能发布"})
    if on < locked.formed_on:
        raise ValidationError({"on": "发布日期不能早于形成日期"})
    locked.status = rule.target
    locked.published_on = on
    locked.scheduled_for = None
    locked.channels = list(channels)
    locked.save(update_fields=["status", "published_on", "scheduled_for", "channels", "updated_at"])
    _deliver(locked, channels, on)
    _search_enqueue([locked.pk], "publish")


def publication_publish(
    *, publication: Publication, actor: Any, on: dt.date | None = None, channels: Iterable[str] = (Channel.PORTAL,)
) -> Publication:
    """Register a draft as published on an earlier day ``on`` (taking over an existing catalogue; imports; the demo):
    it was reviewed where it was published then. A new item goes through ``publication_submit`` →
    ``publication_review`` → ``publication_approve`` instead (先审查、后公开), so ``on`` must be before today."""
    errors: dict[str, str] = {}
    wanted = _validate_channels(errors, channels)
    if on is None:
        errors["on"] = "请填写原发布日期；新信息须经保密审查和审批后发布"
    elif on > _today():
        errors["on"] = "发布日期不能晚于今天"
    elif on == _today():
        errors["on"] = "登记的是此前已发布的信息，发布日期须早于今天；新信息须经保密审查和审批后发布"
    if errors:
        raise ValidationError(errors)
    assert on is not None
    with transaction.atomic():
        locked, rule = _begin(publication, Action.PUBLISH, actor, Actor.SYSTEM)
        before = _snapshot(locked)
        _go_public(locked, rule, on, wanted)
        _audit("publication.publish", actor, locked, before=before, after={**_snapshot(locked), "channels": wanted})
    return locked


def publication_update(*, publication: Publication, actor: Any, data: PublicationData) -> Publication:
    """Change a draft's content (only in 草稿 — after a return, too). Fields not in ``data`` keep their value; the
    索引号 stays, so the 形成日期 stays in its year."""
    with transaction.atomic():
        locked, _rule = _begin(publication, Action.EDIT, actor, Actor.STAFF)
        current: PublicationData = {
            "title": locked.title,
            "doc_number": locked.doc_number,
            "issuing_body": locked.issuing_body,
            "written_on": locked.written_on,
            "formed_on": locked.formed_on,
            "topic": locked.topic,
            "category": locked.category,
            "summary": locked.summary,
            "body": locked.body,
            "body_html": locked.body_html,
            "channels": list(locked.channels or [Channel.PORTAL]),
            "disclosure_mode": locked.disclosure_mode,
            "withheld_ground": locked.withheld_ground,
            "doc_kind": locked.doc_kind,
            "effective_on": locked.effective_on,
            "interprets": locked.interprets,
        }
        merged: PublicationData = {**current, **data}
        if "body" in data and "body_html" not in data:
            merged["body_html"] = ""  # plain text given: the rich text follows it
        values = _validate_data(locked.agency, merged)
        if values["formed_on"].year != locked.year:
            raise ValidationError({"formed_on": f"形成日期须在索引号的年份（{locked.year}年）内"})
        if values["interprets"] is not None and values["interprets"].pk == locked.pk:
            raise ValidationError({"interprets": "政策解读不能指向本文件"})
        values.pop("validity")  # set at creation for 规章/规范性文件; its lifecycle starts once published
        if values["doc_kind"] in LIFECYCLE_KINDS and not locked.validity:
            values["validity"] = Validity.CURRENT
        elif values["doc_kind"] not in LIFECYCLE_KINDS:
            values["validity"] = ""
        before = _snapshot(locked)
        changed = [name for name, value in values.items() if getattr(locked, name) != value]
        for name in changed:
            setattr(locked, name, values[name])
        if "formed_on" in changed:
            locked.disclosure_due_on = disclosure_due(locked.formed_on)
            changed.append("disclosure_due_on")
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
            _search_enqueue([locked.pk], "update")
        _audit("publication.update", actor, locked, before=before, after={**_snapshot(locked), "changed": changed})
    return locked


# --- 保密审查 ------------------------------------------------------------------------------------------------------


def mask(text: str) -> str:
    """The matched text as stored: first and last character only (findings must not copy the personal data)."""
    text = text.strip()
    if len(text) <= 1:
        return "*"
    if len(text) == 2:
        return text[0] + "*"
    return (text[0] + "*" * (len(text) - 2) + text[-1])[:120]


def _scanning(name: str, module: str) -> Any:
    """``gongkai.scanning``'s ``name`` (exported by the package, or from its module), or None when it is absent."""
    for path in ("gongkai.scanning", f"gongkai.scanning.{module}"):
        try:
            found = getattr(importlib.import_module(path), name, None)
        except ImportError:
            continue
        if found is not None:
            return found
    return None


def _scan_text(text: str) -> list[Any]:
    scan = _scanning("scan_text", "detectors")
    if scan is None:
        # 先审查、后公开: without the scanner nothing may go to review as if it had been scanned.
        raise ValidationError({"findings": "自动扫描不可用，暂不能送保密审查，请联系系统管理员"})
    return list(scan(text))


def _extract_text(data: bytes, name: str, content_type: str) -> str:
    extract = _scanning("extract_text", "extract")
    if extract is None or content_type.startswith("image/"):
        return ""  # no text layer to scan or index (an image's text would need OCR)
    try:
        return str(extract(data, name=name))
    except Exception:  # a damaged file is stored all the same; its text is simply not known
        logger.warning("附件文字提取失败：%s", name, exc_info=True)
        return ""


def _value(obj: Any, name: str) -> Any:
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


def _finding_rows(publication: Publication, text: str, attachment: PublicationAttachment | None) -> list[ScanFinding]:
    label = "正文" if attachment is None else f"附件：{attachment.original_name}"[:220]
    rows = []
    for hit in _scan_text(text):
        kind, severity = str(_value(hit, "kind")), str(_value(hit, "severity"))
        start, end = int(_value(hit, "start")), int(_value(hit, "end"))
        if kind not in FindingKind.values or severity not in Severity.values:
            logger.warning("未知的扫描结果类型：%s/%s", kind, severity)
            kind = kind if kind in FindingKind.values else FindingKind.CLASSIFICATION
            severity = severity if severity in Severity.values else Severity.HIGH
        rows.append(
            ScanFinding(
                publication=publication,
                attachment=attachment,
                source_label=label,
                kind=kind,
                severity=severity,
                start=start,
                end=end,
                masked_text=mask(text[start:end] or str(_value(hit, "text"))),
            )
        )
    return rows


def _scan(locked: Publication) -> list[ScanFinding]:
    """Scan the body and every attachment's text; replace the open findings of an earlier round. A dismissal of an
    attachment's finding stands for the same (unchanged) attachment; the body may have changed, so it is re-judged."""
    ScanFinding.objects.filter(publication=locked, status=FindingStatus.OPEN).delete()
    rows = _finding_rows(locked, locked.body, None)
    dismissed = set(
        ScanFinding.objects.filter(
            publication=locked, status=FindingStatus.DISMISSED, attachment__isnull=False
        ).values_list("attachment_id", "kind", "start", "end")
    )
    for attachment in locked.attachments.order_by("pk"):
        for row in _finding_rows(locked, attachment.extracted_text, attachment):
            if (attachment.pk, row.kind, row.start, row.end) not in dismissed:
                rows.append(row)
    return ScanFinding.objects.bulk_create(rows)


def publication_submit(*, publication: Publication, actor: Any) -> Publication:
    """送保密审查: the automatic scan runs on the body and every attachment's text and records its findings."""
    with transaction.atomic():
        locked, rule = _begin(publication, Action.SUBMIT, actor, Actor.STAFF)
        if not locked.title.strip():
            raise ValidationError({"title": "请填写标题"})
        before = _snapshot(locked)
        if not locked.body_html and locked.body:
            # Items from before rich text: derive it once, so body == html_to_text(body_html) from here on and a
            # redaction can rewrite both at the same offsets.
            locked.body_html = text_to_html(locked.body)
        locked.body = html_to_text(locked.body_html)
        findings = _scan(locked)
        locked.status = rule.target
        locked.save(update_fields=["status", "body", "body_html", "updated_at"])
        counts = {s.value: sum(1 for f in findings if f.severity == s) for s in Severity}
        _audit("publication.submit", actor, locked, before=before, after={**_snapshot(locked), "findings": counts})
    return locked


_DECISIONS = frozenset(ReviewDecision.values)


def _opinion(locked: Publication, stage: ReviewStage, decision: str, opinion: str, actor: Any, **extra: Any) -> None:
    ReviewOpinion.objects.create(
        publication=locked,
        stage=stage,
        decision=decision,
        opinion=opinion,
        actor=actor if isinstance(actor, User) else None,
        actor_label=str(actor) if actor is not None else "系统",
        at=timezone.now(),
        **extra,
    )


def _check_decision(decision: str, opinion: str) -> str:
    if decision not in _DECISIONS:
        raise ValidationError({"decision": f"审查意见“{decision}”不在可选范围内"})
    opinion = opinion.strip()
    if decision != ReviewDecision.AGREE and not opinion:
        raise ValidationError({"opinion": f"{ReviewDecision(decision).label}须写明意见"})
    return opinion


def publication_review(*, publication: Publication, actor: Any, decision: str, opinion: str = "") -> Publication:
    """保密审查 by a 审核人: 同意 → 审批 (refused while a high-severity finding is open), 退回/不同意 → 草稿 with the
    opinion (required)."""
    opinion = _check_decision(decision, opinion)
    action = Action.REVIEW_PASS if decision == ReviewDecision.AGREE else Action.REVIEW_RETURN
    with transaction.atomic():
        locked, rule = _begin(publication, action, actor, Actor.STAFF)
        if action == Action.REVIEW_PASS:
            _refuse_open_high(locked)
        before = _snapshot(locked)
        locked.status = rule.target
        locked.save(update_fields=["status", "updated_at"])
        _opinion(locked, ReviewStage.SECRECY_REVIEW, decision, opinion, actor)
        _audit(f"publication.{action.value}", actor, locked, before=before, after=_snapshot(locked), detail=opinion)
    return locked


def publication_approve(
    *,
    publication: Publication,
    actor: Any,
    decision: str,
    opinion: str = "",
    scheduled_for: dt.datetime | None = None,
    channels: Iterable[str] | None = None,
) -> Publication:
    """审批 by a 负责人. 同意: published now on ``channels`` (default: the item's chosen channels), or — with
    ``scheduled_for`` in the future — approved to be published then by the ``publish_scheduled`` job (the item stays
    in 审批 with its time). 退回/不同意: back to 草稿 with the opinion. An open high-severity finding refuses 同意."""
    opinion = _check_decision(decision, opinion)
    errors: dict[str, str] = {}
    wanted = _validate_channels(errors, channels) if channels is not None else None
    if decision == ReviewDecision.AGREE and scheduled_for is not None:
        if timezone.is_naive(scheduled_for):
            errors["scheduled_for"] = "定时发布时间须带时区"
        elif scheduled_for <= timezone.now():
            errors["scheduled_for"] = "定时发布时间须晚于现在"
    if errors:
        raise ValidationError(errors)
    if decision != ReviewDecision.AGREE:
        action = Action.APPROVAL_RETURN
    else:
        action = Action.SCHEDULE if scheduled_for is not None else Action.APPROVE
    with transaction.atomic():
        locked, rule = _begin(publication, action, actor, Actor.STAFF)
        before = _snapshot(locked)
        if action == Action.APPROVAL_RETURN:
            locked.status = rule.target
            locked.scheduled_for = None
            locked.save(update_fields=["status", "scheduled_for", "updated_at"])
        else:
            _refuse_open_high(locked)
            chosen = wanted if wanted is not None else list(locked.channels or [Channel.PORTAL])
            if action == Action.SCHEDULE:
                locked.scheduled_for = scheduled_for
                locked.channels = chosen
                locked.save(update_fields=["scheduled_for", "channels", "updated_at"])
            else:
                _go_public(locked, rule, _today(), chosen)
        _opinion(locked, ReviewStage.APPROVAL, decision, opinion, actor, scheduled_for=locked.scheduled_for)
        _audit(
            f"publication.{action.value}",
            actor,
            locked,
            before=before,
            after={**_snapshot(locked), "channels": list(locked.channels or [])},
            detail=opinion,
        )
    return locked


def publication_publish_scheduled(*, publication: Publication, now: dt.datetime | None = None) -> bool:
    """The system job's step for one item: publish it if it is (still) approved for a time that has come. Idempotent
    and safe on several machines: the row lock serialises them, and a second run finds it no longer due (False)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(publication)
        if locked.status != Status.APPROVAL or locked.scheduled_for is None or locked.scheduled_for > now:
            return False
        rule = transition_for(Action.PUBLISH_SCHEDULED, locked.status, Actor.SYSTEM)
        if _open_high(locked):
            # Cannot happen through the services (findings are made only on submit); refuse loudly all the same.
            _audit(
                "publication.publish_scheduled",
                None,
                locked,
                success=False,
                detail=OPEN_HIGH_FINDING,
            )
            return False
        before = _snapshot(locked)
        when = locked.scheduled_for
        _go_public(locked, rule, timezone.localtime(now).date(), list(locked.channels or [Channel.PORTAL]))
        _audit(
            "publication.publish_scheduled",
            None,
            locked,
            before=before,
            after={**_snapshot(locked), "scheduled_for": when, "channels": list(locked.channels)},
            actor_label="系统（定时发布）",
        )
    return True


def _lock_finding(finding: ScanFinding) -> tuple[ScanFinding, Publication]:
    publication = _lock(finding.publication)
    locked = ScanFinding.objects.select_for_update().get(pk=finding.pk)
    return locked, publication


def _begin_finding(finding: ScanFinding, actor: Any, what: str) -> tuple[ScanFinding, Publication]:
    locked, publication = _lock_finding(finding)
    if publication.status != Status.SECRECY_REVIEW:
        raise ValidationError({"status": f"只有保密审查中的信息才能{what}"})
    if actor is None:
        raise ValidationError({"actor": f"“{what}”须由本机关审核人执行"})
    _check_staff(actor, Perm.REVIEW_SECRECY, publication.agency_id, what)
    if locked.status != FindingStatus.OPEN:
        raise ValidationError({"finding": f"该项已{locked.get_status_display()}"})
    return locked, publication


_REDACTION = "■"


def _redact_html(body_html: str, original: str) -> str:
    """Every occurrence of ``original`` in the rich text's text replaced by ■ one per character, markup kept (the
    text may run across inline tags and entities). Also inside attributes (a mailto: link): the data is really gone."""
    units = []
    for char in original:
        forms = {re.escape(char), re.escape(html_lib.escape(char, quote=False)), re.escape(html_lib.escape(char))}
        units.append("(?:" + "|".join(sorted(forms)) + ")")
    pattern = re.compile("(?:<[^>]*>)*".join(units))

    def blot(match: re.Match[str]) -> str:
        return re.sub(
            r"<[^>]*>|&#?\w+;|.", lambda m: m[0] if m[0].startswith("<") else _REDACTION, match[0], flags=re.S
        )

    return pattern.sub(blot, body_html)


def finding_redact(*, finding: ScanFinding, actor: Any) -> ScanFinding:
    """遮盖 a finding in the body: the matched text — everywhere it occurs in the body — is replaced by ■ in ``body``
    and ``body_html`` (really removed, not covered; the PDF is made from this text). A finding in an attachment
    cannot be redacted here: dismiss it with a reason, or remove the attachment (or replace it after a return)."""
    with transaction.atomic():
        locked, publication = _begin_finding(finding, actor, "遮盖")
        if locked.attachment_id is not None or locked.source_label != "正文":
            raise ValidationError(
                {
                    "finding": "附件中的内容不能在系统内遮盖：请说明理由后排除，或删除该附件；"
                    "需要替换附件的，请退回草稿，由经办人上传处理后的文件"
                }
            )
        body = publication.body
        original = body[locked.start : locked.end]
        if not original.strip() or len(body) < locked.end:
            raise ValidationError({"finding": "正文已变化，该项的位置失效，请退回后重新送审"})
        new_html = _redact_html(publication.body_html, original)
        new_body = html_to_text(new_html)
        fallback = len(new_body) != len(body) or original in new_body
        if fallback:
            # The text ran across paragraphs or otherwise could not be matched in the markup: keep the text exact
            # and rebuild plain paragraphs from it (formatting is lost; the data is gone, which is what matters).
            new_body = body.replace(original, _REDACTION * len(original))
            new_html = text_to_html(new_body)
        for form in {original, html_lib.escape(original, quote=False), html_lib.escape(original)}:
            new_html = new_html.replace(form, _REDACTION * len(original))
        publication.body, publication.body_html = new_body, new_html
        publication.save(update_fields=["body", "body_html", "updated_at"])
        now = timezone.now()
        resolved = [locked.pk]
        for other in ScanFinding.objects.filter(
            publication=publication, status=FindingStatus.OPEN, attachment__isnull=True, source_label="正文"
        ).exclude(pk=locked.pk):
            span = new_body[other.start : other.end]
            if span and set(span) == {_REDACTION}:
                resolved.append(other.pk)  # the same data elsewhere in the body went with it
        ScanFinding.objects.filter(pk__in=resolved).update(
            status=FindingStatus.REDACTED, resolved_by=actor, resolved_at=now
        )
        locked.refresh_from_db()
        _search_enqueue([publication.pk], "redact")
        _audit(
            "publication.redact",
            actor,
            publication,
            after={
                "findings": resolved,
                "kind": locked.kind,
                "text": locked.masked_text,
                "markup_rebuilt": fallback,
            },
        )
    return locked


def finding_dismiss(*, finding: ScanFinding, actor: Any, reason: str) -> ScanFinding:
    """排除 a finding the 审核人 judges publishable (e.g. the agency's public hotline), with the reason recorded."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "排除须写明理由"})
    with transaction.atomic():
        locked, publication = _begin_finding(finding, actor, "排除")
        locked.status = FindingStatus.DISMISSED
        locked.dismissed_reason = reason[:500]
        locked.resolved_by = actor
        locked.resolved_at = timezone.now()
        locked.save(update_fields=["status", "dismissed_reason", "resolved_by", "resolved_at"])
        _audit(
            "publication.dismiss_finding",
            actor,
            publication,
            after={
                "finding": locked.pk,
                "kind": locked.kind,
                "text": locked.masked_text,
                "source": locked.source_label,
            },
            detail=reason,
        )
    return locked


# --- Attachments ---------------------------------------------------------------------------------------------------


def publication_add_attachment(
    *, publication: Publication, actor: Any, name: str, content: bytes
) -> PublicationAttachment:
    """Attach a file to a draft: the type by its content (PDF, DOCX, XLSX, images), the size limit of
    GONGKAI_UPLOAD_MAX_BYTES, its text extracted for the scan and the search index, stored under MEDIA_ROOT."""
    upload = sniff(name, content, field="attachment")
    limit = int(getattr(settings, "GONGKAI_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))
    if len(content) > limit:  # pragma: no cover - sniff enforces the same limit
        raise ValidationError({"attachment": "附件超过大小限制"})
    text = _extract_text(upload.content, f"附件.{ALLOWED[upload.content_type][0]}", upload.content_type)
    digest = hashlib.sha256(upload.content).hexdigest()
    with transaction.atomic():
        locked, _rule = _begin(publication, Action.EDIT, actor, Actor.STAFF)
        attachment = PublicationAttachment(
            publication=locked,
            original_name=upload.name,
            content_type=upload.content_type,
            size=len(upload.content),
            sha256=digest,
            extracted_text=text,
            uploaded_by=actor if isinstance(actor, User) else None,
        )
        attachment.file.save(digest, ContentFile(upload.content), save=False)
        try:
            attachment.save()
        except Exception:
            attachment.file.delete(save=False)
            raise
        _search_enqueue([locked.pk], "attachment")
        _audit(
            "publication.add_attachment",
            actor,
            locked,
            after={"attachment": attachment.pk, "name": attachment.original_name, "sha256": digest},
        )
    return attachment


def publication_remove_attachment(*, attachment: PublicationAttachment, actor: Any) -> None:
    """Remove an attachment and its file: by the 经办人 in 草稿, or by the 审核人 during 保密审查 (its open findings
    are then resolved as 附件已删除). The file is deleted once the removal has committed."""
    with transaction.atomic():
        publication = _lock(attachment.publication)
        locked = PublicationAttachment.objects.select_for_update().get(pk=attachment.pk)
        if publication.status == Status.DRAFT:
            perm = Perm.HANDLE_CASES
        elif publication.status == Status.SECRECY_REVIEW:
            perm = Perm.REVIEW_SECRECY
        else:
            raise ValidationError({"status": f"状态为“{publication.get_status_display()}”的信息不能删除附件"})
        if actor is None:
            raise ValidationError({"actor": f"“删除附件”须由本机关{_WHO[perm]}执行"})
        _check_staff(actor, perm, publication.agency_id, "删除附件")
        ScanFinding.objects.filter(attachment=locked, status=FindingStatus.OPEN).update(
            status=FindingStatus.REMOVED, resolved_by=actor, resolved_at=timezone.now()
        )
        storage, stored_name = locked.file.storage, locked.file.name
        info = {"attachment": locked.pk, "name": locked.original_name, "sha256": locked.sha256}
        locked.delete()
        _search_enqueue([publication.pk], "attachment")
        _audit("publication.remove_attachment", actor, publication, before=info)
        if stored_name:
            transaction.on_commit(lambda: storage.delete(stored_name))


# --- Withdrawal ----------------------------------------------------------------------------------------------------


def publication_withdraw(
    *, publication: Publication, actor: Any, reason: str, on: dt.date | None = None, notice: str = ""
) -> Publication:
    """Take a published item down (负责人). It keeps its 索引号 (never reused), its delivery history, and shows
    ``notice`` (default: the date it was withdrawn) on the portal in its place."""
    on = on or _today()
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "请填写撤回原因"})
    if on > _today():
        raise ValidationError({"on": "撤回日期不能晚于今天"})
    with transaction.atomic():
        if actor is None:
            locked, rule = _system_withdraw(publication)
        else:
            locked, rule = _begin(publication, Action.WITHDRAW, actor, Actor.STAFF)
        if locked.published_on and on < locked.published_on:
            raise ValidationError({"on": "撤回日期不能早于发布日期"})
        before = _snapshot(locked)
        locked.status = rule.target
        locked.withdrawn_on = on
        locked.withdrawal_reason = reason
        locked.withdrawal_notice = (notice.strip() or f"本信息已于{on.year}年{on.month}月{on.day}日撤回。")[:500]
        locked.save(update_fields=["status", "withdrawn_on", "withdrawal_reason", "withdrawal_notice", "updated_at"])
        _search_enqueue([locked.pk], "withdraw")
        _audit("publication.withdraw", actor, locked, before=before, after=_snapshot(locked), detail=reason)
    return locked


def _system_withdraw(publication: Publication) -> tuple[Publication, Transition]:
    # Without an actor: an import correcting its own archive. Same table, no permission to check.
    locked = _lock(publication)
    try:
        return locked, transition_for(Action.WITHDRAW, locked.status)
    except TransitionError as exc:
        raise ValidationError({"status": str(exc)}) from exc


def publication_set_validity(
    *,
    publication: Publication,
    actor: Any,
    validity: str,
    on: dt.date,
    replaced_by: Publication | None = None,
) -> Publication:
    """Record a change of a 规章's or 行政规范性文件's validity on date ``on``.

    已修改 names the amending document (``replaced_by``) and stays in force; 已废止 and 失效 end it on ``on`` (表二
    本年废止), optionally naming the document that replaces it. The date is never before the 发布日期, which keeps
    表二's cross-year identity exact (selectors.table2_documents).
    """
    if validity not in Validity.values:
        raise ValidationError({"validity": f"有效性“{validity}”不在可选范围内"})
    if on > _today():
        raise ValidationError({"on": "有效性变更日期不能晚于今天"})
    with transaction.atomic():
        locked = _lock(publication)
        _check_staff(actor, Perm.HANDLE_CASES, locked.agency_id, "变更有效性")
        if locked.doc_kind not in LIFECYCLE_KINDS:
            raise ValidationError({"validity": "只有规章和行政规范性文件有有效性"})
        if locked.status != Status.PUBLISHED:
            raise ValidationError({"status": "只有已发布的文件才能变更有效性"})
        if validity not in VALIDITY_TRANSITIONS[locked.validity]:
            raise ValidationError(
                {
                    "validity": f"有效性不能从“{Validity(locked.validity).label}”变更为“{Validity(validity).label}”",
                }
            )
        if locked.published_on is not None and on < locked.published_on:
            raise ValidationError({"on": "有效性变更日期不能早于发布日期"})
        if locked.validity_changed_on and on < locked.validity_changed_on:
            raise ValidationError({"on": "有效性变更日期不能早于上一次变更日期"})
        if validity == Validity.AMENDED and replaced_by is None:
            raise ValidationError({"replaced_by": "已修改的文件须指明修改它的文件"})
        if replaced_by is not None:
            if replaced_by.pk == locked.pk:
                raise ValidationError({"replaced_by": "修改或替代文件不能是本文件"})
            if replaced_by.doc_kind not in LIFECYCLE_KINDS:
                raise ValidationError({"replaced_by": "修改或替代文件须为规章或行政规范性文件"})
            if replaced_by.status != Status.PUBLISHED:
                raise ValidationError({"replaced_by": "修改或替代文件须已发布"})
        before = _snapshot(locked)
        locked.validity = validity
        locked.validity_changed_on = on
        locked.abolished_on = on if validity in TERMINAL_VALIDITIES else None
        if replaced_by is not None:
            locked.replaced_by = replaced_by
        locked.save(update_fields=["validity", "validity_changed_on", "abolished_on", "replaced_by", "updated_at"])
        _search_enqueue([locked.pk], "validity")
        audit_record(
            action="publication.set_validity",
            actor=actor,
            agency_id=locked.agency_id,
            obj=locked,
            before=before,
            after=_snapshot(locked),
        )
    return locked


def channel_record_delivery(
    *,
    publication: Publication,
    channel: str,
    actor: Any,
    delivered: bool,
    at: dt.datetime | None = None,
    external_id: str = "",
    error: str = "",
) -> ChannelDelivery:
    """Record one attempt to deliver a published item on ``channel``: delivered (at ``at``, default now) or failed
    with ``error``. A channel not chosen at publication is added (e.g. a 公众号 post made later)."""
    if channel not in Channel.values:
        raise ValidationError({"channel": f"发布渠道“{channel}”不在可选范围内"})
    if not delivered and not error.strip():
        raise ValidationError({"error": "发送失败须写明错误信息"})
    at = at or timezone.now()
    if at > timezone.now():
        raise ValidationError({"at": "发布时间不能晚于现在"})
    with transaction.atomic():
        locked = _lock(publication)
        if locked.status != Status.PUBLISHED:
            raise ValidationError({"status": "只有已发布的信息才能向渠道发布"})
        if delivered and locked.published_on and timezone.localtime(at).date() < locked.published_on:
            raise ValidationError({"at": "渠道发布时间不能早于发布日期"})
        delivery, _ = ChannelDelivery.objects.select_for_update().get_or_create(publication=locked, channel=channel)
        if delivery.status == DeliveryStatus.DELIVERED:
            raise ValidationError({"channel": f"该信息已在“{Channel(channel).label}”发布"})
        before = {"channel": channel, "status": delivery.status, "attempts": delivery.attempts}
        delivery.attempts += 1
        if delivered:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = at
            delivery.external_id = external_id.strip()
            delivery.error = ""
        else:
            delivery.status = DeliveryStatus.FAILED
            delivery.error = error.strip()[:500]
        delivery.save(update_fields=["status", "delivered_at", "attempts", "external_id", "error", "updated_at"])
        audit_record(
            action="publication.deliver",
            actor=actor,
            agency_id=locked.agency_id,
            obj=locked,
            before=before,
            after={
                "channel": channel,
                "status": delivery.status,
                "attempts": delivery.attempts,
                "delivered_at": delivery.delivered_at,
                "external_id": delivery.external_id,
                "error": delivery.error,
            },
        )
    return delivery
