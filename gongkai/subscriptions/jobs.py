"""``gongkai digest``: one mail per confirmed subscription with the matching items it has not been sent yet.

Safe on several machines at once. Per subscription, inside one transaction, the subscription row is locked
(PostgreSQL: ``FOR UPDATE SKIP LOCKED`` — a second worker passes over it; SQLite: the transaction holds the database
write lock from BEGIN) and one ``DigestSent`` row per item is inserted — the claim, unique per (subscription, item).
The mail goes out after commit and ``sent_at`` is set. A worker that dies between claim and mail leaves claims without
``sent_at``; after ``CLAIM_STALE_AFTER`` another run takes them over, so an item is neither lost nor sent twice
(short of a crash between the SMTP server's acceptance and the UPDATE).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from gongkai.publications.models import Publication
from gongkai.subscriptions import mail, selectors
from gongkai.subscriptions.models import DigestSent, Subscription
from gongkai.subscriptions.services import mask_email as mask

log = logging.getLogger(__name__)

__all__ = ["CLAIM_STALE_AFTER", "DigestResult", "digest_run"]

CLAIM_STALE_AFTER = dt.timedelta(hours=2)


@dataclass
class DigestResult:
    dry_run: bool
    mails: int = 0
    items: int = 0
    failed: int = 0
    taken: int = 0
    plan: list[tuple[int, str, list[str]]] = field(default_factory=list)  # (subscription id, masked email, titles)

    @property
    def summary(self) -> str:
        if self.dry_run:
            return f"（演练，未发送）将发送推送邮件 {self.mails} 封，共 {self.items} 条信息"
        return f"推送：发送邮件 {self.mails} 封，共 {self.items} 条信息；发送失败 {self.failed} 封（稍后重试）"


def _pending(subscription: Subscription, since: dt.date | None, now: dt.datetime) -> list[Publication]:
    """Matching items with no claim yet, plus those whose claim went stale unsent."""
    claimed = DigestSent.objects.filter(subscription=subscription).exclude(
        sent_at__isnull=True, claimed_at__lt=now - CLAIM_STALE_AFTER
    )
    return list(selectors.matching_items(subscription, since=since).exclude(pk__in=claimed.values("publication_id")))


def _claim(
    subscription_id: int, since: dt.date | None, now: dt.datetime
) -> tuple[Subscription, list[Publication]] | None:
    with transaction.atomic():
        rows = Subscription.objects.filter(pk=subscription_id, confirmed_at__isnull=False, unsubscribed_at__isnull=True)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True, of=("self",))
        subscription = rows.select_related("agency").first()
        if subscription is None:
            return None  # unsubscribed meanwhile, or another worker holds it
        items = _pending(subscription, since, now)
        if not items:
            return subscription, []
        ids = [item.pk for item in items]
        stale = DigestSent.objects.filter(subscription=subscription, publication_id__in=ids, sent_at__isnull=True)
        stale.update(claimed_at=now)
        have = set(stale.values_list("publication_id", flat=True))
        DigestSent.objects.bulk_create(
            [
                DigestSent(subscription=subscription, publication=item, claimed_at=now)
                for item in items
                if item.pk not in have
            ]
        )
    return subscription, items


def digest_run(*, dry_run: bool = False, since: dt.date | None = None) -> DigestResult:
    result = DigestResult(dry_run=dry_run)
    for subscription_id in list(selectors.active_subscriptions().values_list("pk", flat=True)):
        now = timezone.now()
        if dry_run:
            subscription = Subscription.objects.select_related("agency").get(pk=subscription_id)
            items = _pending(subscription, since, now)
            if items:
                result.mails += 1
                result.items += len(items)
                result.plan.append((subscription.pk, mask(subscription.email), [i.title for i in items]))
            continue
        claimed = _claim(subscription_id, since, now)
        if claimed is None:
            result.taken += 1
            continue
        subscription, items = claimed
        if not items:
            continue
        try:
            mail.send_digest(subscription, items)
        except Exception:  # one refused address must not stop the others; the claims are retried once stale
            log.exception("digest to subscription %s failed", subscription.pk)
            result.failed += 1
            continue
        DigestSent.objects.filter(subscription=subscription, publication__in=items, sent_at__isnull=True).update(
            sent_at=timezone.now()
        )
        result.mails += 1
        result.items += len(items)
        result.plan.append((subscription.pk, mask(subscription.email), [i.title for i in items]))
    return result
