"""Writes of the delivery machinery. A delivery's outcome goes through ``publications.services.channel_record_delivery``
(it locks the item, counts the attempt and writes the audit row); this module writes only what that service does not
know: the attempt log (``DeliveryAttempt``) and the note on a row that waits for its channel to be configured."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gongkai.audit.services import audit_record
from gongkai.channels.models import DeliveryAttempt, Outcome
from gongkai.publications.codebook import Channel, DeliveryStatus
from gongkai.publications.models import ChannelDelivery
from gongkai.publications.services import channel_record_delivery

__all__ = ["INTERRUPTED", "attempt_finish", "delivery_note_waiting"]

INTERRUPTED = "上次发送在完成前中断，结果未知，已重新发送"
SYSTEM_ACTOR_LABEL = "系统（gongkai deliver）"


def delivery_note_waiting(*, delivery: ChannelDelivery, note: str) -> bool:
    """Put ``note`` on a pending row that cannot be sent yet (its channel is not configured). The row stays pending and
    no attempt is counted. Returns whether anything changed: a second run with the same note writes nothing."""
    with transaction.atomic():
        locked = ChannelDelivery.objects.select_for_update().select_related("publication").get(pk=delivery.pk)
        if locked.status != DeliveryStatus.PENDING or locked.error == note:
            return False
        before = {"channel": locked.channel, "status": locked.status, "error": locked.error}
        locked.error = note[:500]
        locked.save(update_fields=["error", "updated_at"])
        audit_record(
            action="channels.waiting",
            actor=None,
            actor_label=SYSTEM_ACTOR_LABEL,
            agency_id=locked.publication.agency_id,
            obj=locked.publication,
            before=before,
            after={"channel": locked.channel, "status": locked.status, "error": locked.error},
        )
    return True


def attempt_finish(
    *, attempt: DeliveryAttempt, delivered: bool, external_id: str = "", error: str = "", at: dt.datetime | None = None
) -> DeliveryAttempt:
    """Record the outcome of a claimed attempt on the delivery (through the catalogue's service) and close the claim.

    When the catalogue refuses (the item was withdrawn meanwhile, or someone recorded the delivery by hand), nothing
    was counted there and the attempt is closed as skipped with the reason."""
    at = at or timezone.now()
    delivery = attempt.delivery
    outcome = Outcome.DELIVERED if delivered else Outcome.FAILED
    note = "" if delivered else error
    with transaction.atomic():
        try:
            with transaction.atomic():
                channel_record_delivery(
                    publication=delivery.publication,
                    channel=Channel(delivery.channel),
                    actor=None,
                    delivered=delivered,
                    at=at,
                    external_id=external_id,
                    error=error,
                )
        except ValidationError as refused:
            outcome = Outcome.SKIPPED
            note = "；".join(refused.messages)
        DeliveryAttempt.objects.filter(pk=attempt.pk).update(finished_at=at, outcome=outcome, error=note[:500])
    attempt.refresh_from_db()
    return attempt
