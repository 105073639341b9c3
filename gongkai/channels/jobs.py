"""``gongkai deliver``: send every published item's pending or failed channel copies through their adapters.

Safe on several machines at once. A row is claimed before the channel is called: inside one transaction the delivery
row is locked (PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED``, so a second worker passes over it; SQLite: the
transaction takes the database write lock at BEGIN — ``transaction_mode=IMMEDIATE`` in settings — so claims are
serialised), re-checked, and a ``DeliveryAttempt`` row is inserted (unique per delivery and number: the last guard).
The channel is called outside any transaction, then the outcome is recorded. A delivered row is never picked again.

Retries back off exponentially from the last attempt and stop after ``MAX_ATTEMPTS`` recorded attempts; a claim
whose worker died (no outcome after ``CLAIM_STALE_AFTER``) is closed as interrupted and the copy is sent again.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from gongkai.channels import services
from gongkai.channels.adapters import ChannelAdapter, DeliveryError, NotConfigured, WeChatAdapter, adapter_for
from gongkai.channels.models import DeliveryAttempt, Outcome
from gongkai.publications.codebook import Channel, DeliveryStatus, Status
from gongkai.publications.models import ChannelDelivery

log = logging.getLogger(__name__)

__all__ = [
    "AUTOMATIC_CHANNELS",
    "BACKOFF_BASE",
    "BACKOFF_MAX",
    "CLAIM_STALE_AFTER",
    "MAX_ATTEMPTS",
    "DeliverResult",
    "Line",
    "backoff",
    "deliver_run",
    "deliveries_due",
]

MAX_ATTEMPTS = 6
BACKOFF_BASE = dt.timedelta(minutes=5)
BACKOFF_MAX = dt.timedelta(hours=12)
CLAIM_STALE_AFTER = dt.timedelta(minutes=30)
# Channels with an adapter; 政府公报 and 其他 are delivered by people and recorded by staff.
AUTOMATIC_CHANNELS: tuple[str, ...] = (Channel.PORTAL, Channel.WECHAT)
_RETRYABLE = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th recorded attempt: 0, 5 min, 10 min, 20 min, … at most 12 h."""
    if attempts <= 0:
        return dt.timedelta(0)
    return min(BACKOFF_BASE * (1 << min(attempts - 1, 16)), BACKOFF_MAX)


@dataclass(frozen=True)
class Line:
    delivery_id: int
    publication_id: int
    index_number: str
    title: str
    channel: str
    state: str  # delivered | failed | waiting | would | skipped
    message: str = ""


@dataclass
class DeliverResult:
    dry_run: bool
    lines: list[Line] = field(default_factory=list)
    taken: int = 0  # claimed by another worker first
    exhausted: int = 0  # failed MAX_ATTEMPTS times: left for staff

    def count(self, state: str) -> int:
        return sum(1 for line in self.lines if line.state == state)

    @property
    def summary(self) -> str:
        if self.dry_run:
            return f"（演练，未发送）待发送 {self.count('would')} 条，等待配置 {self.count('waiting')} 条"
        return (
            f"渠道发送：成功 {self.count('delivered')} 条，失败 {self.count('failed')} 条（稍后重试），"
            f"等待配置 {self.count('waiting')} 条，已由其他进程处理 {self.taken} 条"
        )


def _base_queryset(channel: str | None) -> QuerySet[ChannelDelivery]:
    channels = [channel] if channel else list(AUTOMATIC_CHANNELS)
    return ChannelDelivery.objects.filter(
        channel__in=[c for c in channels if c in AUTOMATIC_CHANNELS],
        status__in=_RETRYABLE,
        publication__status=Status.PUBLISHED,  # a withdrawn item is not sent anywhere any more
    )


def _ready(delivery: ChannelDelivery, last_claim: dt.datetime | None, now: dt.datetime) -> bool:
    if delivery.attempts >= MAX_ATTEMPTS:
        return False
    return last_claim is None or last_claim + backoff(delivery.attempts) <= now


def deliveries_due(now: dt.datetime, channel: str | None = None) -> list[ChannelDelivery]:
    """Rows to send now: pending or failed, fewer than MAX_ATTEMPTS attempts, their backoff over, oldest first."""
    rows = (
        _base_queryset(channel)
        .select_related("publication", "publication__agency")
        .annotate(last_claim=Max("attempt_log__claimed_at"))
        .order_by("publication__published_on", "pk")
    )
    return [row for row in rows if _ready(row, row.last_claim, now)]


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def _claim(delivery: ChannelDelivery, now: dt.datetime) -> DeliveryAttempt | None:
    """This worker's attempt on ``delivery``, or None when another worker has it or it no longer needs sending."""
    try:
        with transaction.atomic():
            rows = ChannelDelivery.objects.filter(pk=delivery.pk, status__in=_RETRYABLE)
            if connection.features.has_select_for_update_skip_locked:
                rows = rows.select_for_update(skip_locked=True)
            locked = rows.first()
            if locked is None or locked.attempts != delivery.attempts:
                return None  # delivered, locked by another worker, or attempted since we looked
            log_rows = DeliveryAttempt.objects.filter(delivery=locked)
            open_claims = log_rows.filter(finished_at__isnull=True)
            if open_claims.filter(claimed_at__gt=now - CLAIM_STALE_AFTER).exists():
                return None  # another worker is talking to the channel right now
            open_claims.update(finished_at=now, outcome=Outcome.FAILED, error=services.INTERRUPTED)
            last = log_rows.aggregate(n=Max("number"))["n"] or 0
            return DeliveryAttempt.objects.create(delivery=locked, number=last + 1, claimed_at=now, worker=_worker())
    except IntegrityError:
        return None


def _line(delivery: ChannelDelivery, state: str, message: str = "") -> Line:
    publication = delivery.publication
    return Line(
        delivery_id=delivery.pk,
        publication_id=publication.pk,
        index_number=publication.index_number,
        title=publication.title,
        channel=delivery.channel,
        state=state,
        message=message,
    )


def deliver_run(*, dry_run: bool = False, channel: str | None = None, now: dt.datetime | None = None) -> DeliverResult:
    now = now or timezone.now()
    result = DeliverResult(dry_run=dry_run)
    result.exhausted = _base_queryset(channel).filter(attempts__gte=MAX_ATTEMPTS).count()
    adapters: dict[str, ChannelAdapter | None] = {}
    for delivery in deliveries_due(now, channel):
        if delivery.channel not in adapters:
            adapters[delivery.channel] = adapter_for(delivery.channel)
        adapter = adapters[delivery.channel]
        if adapter is None:
            continue
        if isinstance(adapter, WeChatAdapter) and not adapter.configured:
            # Not an attempt: the rows wait, with a note saying why, until the 公众号 is configured.
            note = adapter.not_configured_note()
            if not dry_run and delivery.status == DeliveryStatus.PENDING:
                services.delivery_note_waiting(delivery=delivery, note=note)
            result.lines.append(_line(delivery, "waiting", note))
            continue
        if dry_run:
            result.lines.append(_line(delivery, "would"))
            continue
        attempt = _claim(delivery, timezone.now())
        if attempt is None:
            result.taken += 1
            continue
        try:
            sent = adapter.deliver(delivery.publication)
        except NotConfigured as error:  # configuration vanished mid-run: give the claim back unfinished-free
            DeliveryAttempt.objects.filter(pk=attempt.pk).delete()
            result.lines.append(_line(delivery, "waiting", str(error)))
            continue
        except DeliveryError as error:
            services.attempt_finish(attempt=attempt, delivered=False, error=str(error) or type(error).__name__)
            result.lines.append(_line(delivery, "failed", str(error)))
            continue
        except Exception as error:  # one broken item must not stop the others; logged with its traceback
            log.exception("delivery %s on %s failed", delivery.pk, delivery.channel)
            message = f"{type(error).__name__}: {error}"
            services.attempt_finish(attempt=attempt, delivered=False, error=message)
            result.lines.append(_line(delivery, "failed", message))
            continue
        finished = services.attempt_finish(attempt=attempt, delivered=True, external_id=sent.external_id)
        if finished.outcome == Outcome.SKIPPED:
            result.lines.append(_line(delivery, "skipped", finished.error))
        else:
            result.lines.append(_line(delivery, "delivered", sent.external_id))
    return result
