"""Every write to the 舆情 log: register a concern, respond (optionally with the published item that answers it), link
a response to an item later, close. Each locks its row, checks ``models.TRANSITIONS`` and writes the audit row.
Refusals are ``ValidationError`` with Chinese messages naming the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gongkai.agencies.models import Agency
from gongkai.audit.services import audit_record
from gongkai.publications.codebook import Status as PublicationStatus
from gongkai.publications.models import Publication
from gongkai.responses.models import TRANSITIONS, ConcernAction, ConcernResponse, ConcernStatus, PublicConcern, Source

__all__ = ["concern_close", "concern_create", "concern_respond", "response_link_publication"]


def _snapshot(concern: PublicConcern) -> dict[str, Any]:
    return {"topic": concern.topic, "source": concern.source, "raised_at": concern.raised_at, "status": concern.status}


def _transition(concern: PublicConcern, action: ConcernAction) -> str:
    target = TRANSITIONS.get((concern.status, action))
    if target is None:
        raise ValidationError(
            {"status": f"“{ConcernStatus(concern.status).label}”的舆情不能{ConcernAction(action).label}"}
        )
    return target


def _check_publication(publication: Publication | None, agency_id: int) -> None:
    if publication is None:
        return
    if publication.agency_id != agency_id:
        raise ValidationError({"publication": "回应信息须为本机关发布的信息"})
    if publication.status != PublicationStatus.PUBLISHED:
        raise ValidationError({"publication": "回应信息须为已发布的信息"})


def concern_create(
    *,
    agency: Agency,
    actor: Any,
    source: str,
    raised_at: dt.datetime,
    topic: str,
    summary: str = "",
    url: str = "",
) -> PublicConcern:
    errors: dict[str, str] = {}
    topic = " ".join(topic.split())
    if not topic:
        errors["topic"] = "请填写主题"
    elif len(topic) > 200:
        errors["topic"] = "主题不能超过 200 个字"
    if source not in Source.values:
        errors["source"] = f"来源“{source}”不在可选范围内"
    if raised_at > timezone.now():
        errors["raised_at"] = "发现时间不能晚于现在"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        concern = PublicConcern.objects.create(
            agency=agency,
            source=source,
            raised_at=raised_at,
            topic=topic,
            summary=summary.strip(),
            url=url.strip(),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(action="concern.create", actor=actor, agency_id=agency.pk, obj=concern, after=_snapshot(concern))
    return concern


def concern_respond(
    *,
    concern: PublicConcern,
    actor: Any,
    text: str,
    responded_at: dt.datetime | None = None,
    publication: Publication | None = None,
) -> ConcernResponse:
    """A response (statement, 情况通报, 解读) to the concern, at ``responded_at`` (default now)."""
    text = text.strip()
    responded_at = responded_at or timezone.now()
    if not text:
        raise ValidationError({"text": "请填写回应内容"})
    if responded_at > timezone.now():
        raise ValidationError({"responded_at": "回应时间不能晚于现在"})
    with transaction.atomic():
        locked = PublicConcern.objects.select_for_update().get(pk=concern.pk)
        target = _transition(locked, ConcernAction.RESPOND)
        if responded_at < locked.raised_at:
            raise ValidationError({"responded_at": "回应时间不能早于发现时间"})
        _check_publication(publication, locked.agency_id)
        before = _snapshot(locked)
        response = ConcernResponse.objects.create(
            concern=locked,
            responded_at=responded_at,
            text=text,
            publication=publication,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
        )
        locked.status = target
        locked.save(update_fields=["status", "updated_at"])
        audit_record(
            action="concern.respond",
            actor=actor,
            agency_id=locked.agency_id,
            obj=locked,
            before=before,
            after={
                **_snapshot(locked),
                "response": response.pk,
                "publication": publication.pk if publication else None,
            },
        )
    return response


def response_link_publication(*, response: ConcernResponse, actor: Any, publication: Publication) -> ConcernResponse:
    """Name the published item that carried a response (e.g. a 情况通报 published after the statement)."""
    with transaction.atomic():
        concern = PublicConcern.objects.select_for_update().get(pk=response.concern_id)
        locked = ConcernResponse.objects.select_for_update().get(pk=response.pk)
        _check_publication(publication, concern.agency_id)
        before = {"response": locked.pk, "publication": locked.publication_id}
        locked.publication = publication
        locked.save(update_fields=["publication"])
        audit_record(
            action="concern.link",
            actor=actor,
            agency_id=concern.agency_id,
            obj=concern,
            before=before,
            after={"response": locked.pk, "publication": publication.pk},
        )
    return locked


def concern_close(*, concern: PublicConcern, actor: Any) -> PublicConcern:
    with transaction.atomic():
        locked = PublicConcern.objects.select_for_update().get(pk=concern.pk)
        target = _transition(locked, ConcernAction.CLOSE)
        before = _snapshot(locked)
        locked.status = target
        locked.save(update_fields=["status", "updated_at"])
        audit_record(
            action="concern.close",
            actor=actor,
            agency_id=locked.agency_id,
            obj=locked,
            before=before,
            after=_snapshot(locked),
        )
    return locked
