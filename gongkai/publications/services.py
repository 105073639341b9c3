"""Every write to the 主动公开 catalogue. Each function runs in a transaction, locks the row it changes, checks the
transition table (``codebook.TRANSITIONS`` / ``VALIDITY_TRANSITIONS``) and writes the audit row.

A refusal is a ``django.core.exceptions.ValidationError`` whose messages are Chinese and name the field; nothing is
changed then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from gongkai.agencies.models import Agency
from gongkai.audit.services import audit_record
from gongkai.cases.models import Counter
from gongkai.cases.services import next_number
from gongkai.publications.codebook import (
    LIFECYCLE_KINDS,
    TERMINAL_VALIDITIES,
    VALIDITY_TRANSITIONS,
    Action,
    Category,
    Channel,
    DeliveryStatus,
    DisclosureMode,
    DocKind,
    Status,
    TransitionError,
    Validity,
    WithheldGround,
    transition_for,
)
from gongkai.publications.models import ChannelDelivery, Publication

__all__ = [
    "DEFAULT_INDEX_PATTERN",
    "INDEX_SERIES",
    "PublicationData",
    "channel_record_delivery",
    "format_index_number",
    "publication_create",
    "publication_publish",
    "publication_set_validity",
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
    body: str
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


def _validate_data(agency: Agency, data: PublicationData) -> dict[str, Any]:
    errors: dict[str, str] = {}
    unknown = set(data) - set(PublicationData.__annotations__)
    if unknown:
        errors["data"] = "不能在创建时填写的字段：" + "、".join(sorted(unknown))
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
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "doc_number": (data.get("doc_number") or "").strip(),
        "issuing_body": (data.get("issuing_body") or "").strip() or agency.name,
        "written_on": written_on,
        "formed_on": formed_on,
        "topic": (data.get("topic") or "").strip(),
        "category": category,
        "summary": data.get("summary") or "",
        "body": data.get("body") or "",
        "disclosure_mode": mode,
        "withheld_ground": ground,
        "doc_kind": doc_kind,
        # Validity belongs to 规章 and 行政规范性文件 only; it starts at 现行有效 once published.
        "validity": Validity.CURRENT if doc_kind in LIFECYCLE_KINDS else "",
        "effective_on": data.get("effective_on"),
        "interprets": interprets,
    }


def publication_create(*, agency: Agency, actor: Any, data: PublicationData) -> Publication:
    """A draft in the agency's catalogue. It takes its 索引号 now (year of the 形成日期) and keeps it forever."""
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


def publication_publish(
    *, publication: Publication, actor: Any, on: dt.date | None = None, channels: Iterable[str] = (Channel.PORTAL,)
) -> Publication:
    """Publish once, deliver everywhere: 发布日期 ``on`` (default today), one ``ChannelDelivery`` per channel. The portal
    serves the item itself, so its delivery is recorded as done at once; the other channels wait for their adapters
    (``channel_record_delivery``)."""
    on = on or _today()
    wanted = list(dict.fromkeys(channels))
    errors: dict[str, str] = {}
    if not wanted:
        errors["channels"] = "请至少选择一个发布渠道"
    for channel in wanted:
        if channel not in Channel.values:
            errors["channels"] = f"发布渠道“{channel}”不在可选范围内"
    if on > _today():
        errors["on"] = "发布日期不能晚于今天"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock(publication)
        try:
            rule = transition_for(Action.PUBLISH, locked.status)
        except TransitionError as exc:
            raise ValidationError({"status": str(exc)}) from exc
        if locked.disclosure_mode != DisclosureMode.PROACTIVE:
            raise ValidationError({"disclosure_mode": "只有公开方式为“主动公开”的信息才能发布"})
        if on < locked.formed_on:
            raise ValidationError({"on": "发布日期不能早于形成日期"})
        before = _snapshot(locked)
        locked.status = rule.target
        locked.published_on = on
        locked.save(update_fields=["status", "published_on", "updated_at"])
        for channel in wanted:
            delivery, _ = ChannelDelivery.objects.get_or_create(publication=locked, channel=channel)
            if channel == Channel.PORTAL:
                delivery.status = DeliveryStatus.DELIVERED
                delivery.delivered_at = _portal_time(on)
                delivery.attempts += 1
                delivery.error = ""
                delivery.save(update_fields=["status", "delivered_at", "attempts", "error", "updated_at"])
        audit_record(
            action="publication.publish",
            actor=actor,
            agency_id=locked.agency_id,
            obj=locked,
            before=before,
            after={**_snapshot(locked), "channels": wanted},
        )
    return locked


def publication_withdraw(
    *, publication: Publication, actor: Any, reason: str, on: dt.date | None = None
) -> Publication:
    """Take a published item down. It keeps its 索引号 (never reused) and its delivery history."""
    on = on or _today()
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "请填写撤回原因"})
    with transaction.atomic():
        locked = _lock(publication)
        try:
            rule = transition_for(Action.WITHDRAW, locked.status)
        except TransitionError as exc:
            raise ValidationError({"status": str(exc)}) from exc
        if locked.published_on and on < locked.published_on:
            raise ValidationError({"on": "撤回日期不能早于发布日期"})
        before = _snapshot(locked)
        locked.status = rule.target
        locked.withdrawn_on = on
        locked.withdrawal_reason = reason
        locked.save(update_fields=["status", "withdrawn_on", "withdrawal_reason", "updated_at"])
        audit_record(
            action="publication.withdraw",
            actor=actor,
            agency_id=locked.agency_id,
            obj=locked,
            before=before,
            after=_snapshot(locked),
            detail=reason,
        )
    return locked


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
