"""A small world for search tests: agencies, and publications made through the catalogue's own services, announced
through the outbox exactly as the catalogue is to announce them."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest

from gongkai.agencies.models import Agency
from gongkai.publications import services as catalogue
from gongkai.publications.codebook import Category, DocKind
from gongkai.publications.models import Publication
from gongkai.search import documents
from gongkai.search.services import index_enqueue, process_outbox
from tests.factories import make_agency


@pytest.fixture
def agency(db: Any) -> Agency:
    return make_agency("湛河区司法局")


@pytest.fixture
def other_agency(db: Any) -> Agency:
    return make_agency("湛河区财政局")


def publish(
    agency: Agency,
    title: str,
    *,
    body: str = "",
    summary: str = "",
    doc_number: str = "",
    category: str = Category.OTHER,
    doc_kind: str = DocKind.OTHER,
    on: dt.date = dt.date(2025, 3, 10),
    attachment: str = "",
    enqueue: bool = True,
) -> Publication:
    data: dict[str, Any] = {
        "title": title,
        "body": body,
        "summary": summary,
        "doc_number": doc_number,
        "category": Category.ART20_1 if doc_kind != DocKind.OTHER else category,
        "doc_kind": doc_kind,
        "formed_on": on,
    }
    publication = catalogue.publication_create(agency=agency, actor=None, data=data)  # type: ignore[arg-type]
    if attachment:
        add_attachment(publication, attachment)
    publication = catalogue.publication_publish(publication=publication, actor=None, on=on)
    if enqueue:
        index_enqueue([publication.pk], "test: published")
    return publication


# Attachment text for publications when the catalogue has no attachment model yet (the provider is patched).
_FAKE_ATTACHMENTS: dict[int, str] = {}


def add_attachment(publication: Publication, text: str) -> None:
    model = documents.attachment_model()
    if model is None:
        _FAKE_ATTACHMENTS[publication.pk] = text
        return
    digest = hashlib.sha256(text.encode()).hexdigest()
    model._default_manager.create(
        publication=publication,
        file=f"publications/test/{digest}",
        original_name="附件1.pdf",
        content_type="application/pdf",
        size=len(text.encode()),
        sha256=digest,
        extracted_text=text,
    )


@pytest.fixture(autouse=True)
def _attachment_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    if documents.attachment_model() is not None:
        return
    _FAKE_ATTACHMENTS.clear()
    monkeypatch.setattr(
        documents,
        "attachment_texts",
        lambda ids: {pk: _FAKE_ATTACHMENTS[pk] for pk in ids if pk in _FAKE_ATTACHMENTS},
    )


def refresh() -> None:
    result = process_outbox(limit=10_000)
    assert result.failed == 0
