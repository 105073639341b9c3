"""Writing to the audit log. Every state change and every unmasked view of personal data calls ``audit_record``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from gongkai.accounts.models import UserKind
from gongkai.audit.models import AuditChain, AuditEvent

PLATFORM_CHAIN = "platform"
GENESIS = "0" * 64


def chain_key(agency_id: int | None) -> str:
    return f"agency:{agency_id}" if agency_id else PLATFORM_CHAIN


def _jsonable(value: Any) -> Any:
    """The value exactly as it will read back from the JSON column, so that hashing at write and at verify agree."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def row_hash(
    *,
    chain: str,
    seq: int,
    prev_hash: str,
    created_at: dt.datetime,
    actor_id: int | None,
    actor_label: str,
    agency_id: int | None,
    object_type: str,
    object_id: str,
    object_repr: str,
    action: str,
    success: bool,
    before: Any,
    after: Any,
    detail: str,
    ip: str | None,
) -> str:
    content = _canonical(
        {
            "chain": chain,
            "seq": seq,
            "prev": prev_hash,
            "at": created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "actor": actor_id,
            "actor_label": actor_label,
            "agency": agency_id,
            "object_type": object_type,
            "object_id": object_id,
            "object_repr": object_repr,
            "action": action,
            "success": success,
            "before": before,
            "after": after,
            "detail": detail,
            "ip": ip,
        }
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def event_hash(event: AuditEvent) -> str:
    return row_hash(
        chain=event.chain,
        seq=event.seq,
        prev_hash=event.prev_hash,
        created_at=event.created_at,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        agency_id=event.agency_id,
        object_type=event.object_type,
        object_id=event.object_id,
        object_repr=event.object_repr,
        action=event.action,
        success=event.success,
        before=event.before,
        after=event.after,
        detail=event.detail,
        ip=event.ip,
    )


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _actor_label(actor: Any) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "匿名"
    if getattr(actor, "kind", "") == UserKind.PUBLIC:
        # A member of the public is named by account number: the log cannot be anonymised when their data's retention
        # ends (append-only, hash-chained), so their name must never enter it. Staff act in office and are named.
        return str(actor.audit_label)
    full_name = getattr(actor, "full_name", "") or ""
    return f"{full_name}（{actor.get_username()}）" if full_name else str(actor.get_username())


def _object_repr(obj: models.Model) -> str:
    """How the log names the row: by its ``audit_label`` where the model has one. Models holding a person's data (a
    case, an account) name their rows there by number only, for the same reason as ``_actor_label``."""
    label = getattr(obj, "audit_label", None)
    return (label if isinstance(label, str) else str(obj))[:300]


def audit_record(
    *,
    action: str,
    actor: Any = None,
    agency_id: int | None = None,
    obj: models.Model | None = None,
    success: bool = True,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: str = "",
    request: HttpRequest | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one row to the chain of ``agency_id`` (or the platform chain).

    Called inside the caller's transaction, so a state change and its audit row commit or roll back together. A
    refused or failed attempt is recorded by calling this after the failed transaction, with ``success=False``.
    """
    key = chain_key(agency_id)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    with transaction.atomic():
        head = _locked_head(key)
        created_at = timezone.now()
        fields: dict[str, Any] = {
            "chain": key,
            "seq": head.last_seq + 1,
            "prev_hash": head.last_hash or GENESIS,
            "created_at": created_at,
            "actor_id": actor.pk if is_user else None,
            "actor_label": actor_label if actor_label is not None else _actor_label(actor),
            "agency_id": agency_id,
            "object_type": obj._meta.label if obj is not None else "",
            "object_id": str(obj.pk) if obj is not None and obj.pk is not None else "",
            "object_repr": _object_repr(obj) if obj is not None else "",
            "action": action,
            "success": success,
            "before": _jsonable(before),
            "after": _jsonable(after),
            "detail": detail,
            "ip": client_ip(request),
        }
        digest = row_hash(**fields)
        event = AuditEvent.objects.create(hash=digest, **fields)
        head.last_seq = event.seq
        head.last_hash = digest
        head.save(update_fields=["last_seq", "last_hash"])
    return event


def _locked_head(key: str) -> AuditChain:
    try:
        return AuditChain.objects.select_for_update().get(key=key)
    except AuditChain.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            return AuditChain.objects.create(key=key)
    except IntegrityError:
        # Another transaction created the head first; wait for its lock.
        return AuditChain.objects.select_for_update().get(key=key)


@dataclass(frozen=True)
class Break:
    chain: str
    seq: int
    event_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"审计链 {self.chain} 第 {self.seq} 条" + (f"（id={self.event_id}）" if self.event_id else "")
        return f"{where}：{self.reason}"


@dataclass(frozen=True)
class VerifyResult:
    chains: int
    rows: int
    first_break: Break | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def audit_verify() -> VerifyResult:
    """Walk every chain in order and stop at the first broken link."""
    rows = 0
    heads = {head.key: head for head in AuditChain.objects.all()}
    keys = sorted(set(heads) | set(AuditEvent.objects.values_list("chain", flat=True).distinct()))
    for key in keys:
        expected_seq = 1
        prev = GENESIS
        for event in AuditEvent.objects.filter(chain=key).order_by("seq").iterator(chunk_size=2000):
            rows += 1
            if event.seq != expected_seq:
                return VerifyResult(
                    len(keys), rows, Break(key, expected_seq, None, f"缺少记录（下一条为第 {event.seq} 条）")
                )
            if event.prev_hash != prev:
                return VerifyResult(
                    len(keys), rows, Break(key, event.seq, event.id, "前序哈希与上一条记录不符：上一条记录被修改或删除")
                )
            if event_hash(event) != event.hash:
                return VerifyResult(
                    len(keys), rows, Break(key, event.seq, event.id, "记录内容与其哈希不符：记录被修改")
                )
            prev = event.hash
            expected_seq += 1
        head = heads.get(key)
        last_seq = expected_seq - 1
        if head is None:
            return VerifyResult(len(keys), rows, Break(key, last_seq, None, "缺少审计链头"))
        if head.last_seq != last_seq or (head.last_hash or GENESIS) != prev:
            return VerifyResult(
                len(keys),
                rows,
                Break(key, last_seq + 1, None, f"链尾记录缺失：链头记载共 {head.last_seq} 条，实有 {last_seq} 条"),
            )
    return VerifyResult(len(keys), rows, None)
