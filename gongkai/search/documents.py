"""What the index holds for a publication: the searchable fields, read from the catalogue.

Only published items are searchable (a withdrawn one is removed on withdrawal and filtered at query time). The
attachments' text comes through ``attachment_texts`` — the one place the search app reads attachments, looked up
by name so the index works whether or not the catalogue has the attachment model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Max, Model, QuerySet

from gongkai.publications.codebook import Status
from gongkai.publications.models import Publication
from gongkai.search.tokenize import facet_tokens

__all__ = ["IndexFields", "attachment_model", "attachment_texts", "attachment_versions", "fields_for", "searchable"]


@dataclass(frozen=True)
class IndexFields:
    title: str
    doc_number: str
    body: str  # 内容概述 and the plain-text body
    attachments: str
    # what the filters ask about (SQLite indexes them as ``tokenize.facet_tokens``); no defaults, so that no caller
    # can leave them out: an item indexed without them would be missing from every filtered search
    agency_id: int
    published_on: dt.date | None
    category: str
    validity: str

    @property
    def facets(self) -> str:
        return facet_tokens(
            agency_id=self.agency_id, published_on=self.published_on, category=self.category, validity=self.validity
        )


def searchable() -> QuerySet[Publication]:
    return Publication.objects.filter(status=Status.PUBLISHED)


def attachment_model() -> type[Model] | None:
    try:
        return apps.get_model("publications", "PublicationAttachment")
    except LookupError:
        return None


def attachment_texts(publication_ids: Iterable[int]) -> dict[int, str]:
    """The extracted text of each publication's attachments, joined, by publication id."""
    model = attachment_model()
    ids = list(publication_ids)
    if model is None or not ids:
        return {}
    texts: dict[int, list[str]] = {}
    rows = model._default_manager.filter(publication_id__in=ids).order_by("publication_id", "pk")
    for publication_id, text in rows.values_list("publication_id", "extracted_text"):
        if text:
            texts.setdefault(publication_id, []).append(text)
    return {pk: "\n".join(parts) for pk, parts in texts.items()}


def attachment_versions(publication_ids: Iterable[int]) -> dict[int, dt.datetime]:
    """The latest attachment upload per publication (part of the indexed version ``search sync`` compares)."""
    model = attachment_model()
    ids = list(publication_ids)
    if model is None or not ids:
        return {}
    rows = (
        model._default_manager.filter(publication_id__in=ids)
        .values("publication_id")
        .annotate(latest=Max("uploaded_at"))
        .values_list("publication_id", "latest")
    )
    return {pk: latest for pk, latest in rows if latest is not None}


def fields_for(publications: Iterable[Publication]) -> dict[int, IndexFields]:
    items = list(publications)
    attachments = attachment_texts(p.pk for p in items)
    return {
        p.pk: IndexFields(
            title=p.title,
            doc_number=p.doc_number,
            body="\n".join(part for part in (p.summary, p.body) if part),
            attachments=attachments.get(p.pk, ""),
            agency_id=p.agency_id,
            published_on=p.published_on,
            category=p.category,
            validity=p.validity,
        )
        for p in items
    }
