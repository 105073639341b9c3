"""Every write to the search index.

The catalogue announces a change with ``index_enqueue`` **inside its own transaction**: the outbox row commits or
rolls back with the change, so a crash can delay the index but never leave it silently apart from the data.
``process_outbox`` then brings each announced publication in line with what the catalogue holds at that moment
(index it if published, remove it otherwise) — idempotent, so a row processed twice does no harm. ``search_sync``
is the safety net for changes nobody announced: it compares each publication's ``updated_at`` (and its latest
attachment) with the version the index holds, and enqueues what is stale. ``search_rebuild`` starts over.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, Max, OuterRef, Q, Subquery
from django.utils import timezone

from gongkai.publications.codebook import Status
from gongkai.publications.models import Publication
from gongkai.search.backends import SearchBackend, get_backend
from gongkai.search.documents import attachment_model, attachment_versions, fields_for, searchable
from gongkai.search.models import IndexEntry, IndexOutbox, Op
from gongkai.search.selectors import search  # the read lives in selectors; re-exported for callers that look here

__all__ = [
    "MAX_ATTEMPTS",
    "OutboxResult",
    "SyncResult",
    "index_enqueue",
    "process_outbox",
    "search",
    "search_rebuild",
    "search_sync",
]

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10  # a row failing this often is left for a person to look at (``gongkai search process`` shows it)


def index_enqueue(publication_ids: Iterable[int], reason: str = "", *, op: str = Op.INDEX) -> int:
    """Announce that these publications changed. Call it inside the transaction that changes them; ``op`` DELETE
    takes them out of the index whatever their state (INDEX already removes anything no longer published)."""
    if op not in Op.values:
        raise ValueError(f"unknown outbox op {op!r}")
    rows = [IndexOutbox(publication_id=int(pk), op=op, reason=reason[:60]) for pk in dict.fromkeys(publication_ids)]
    IndexOutbox.objects.bulk_create(rows)
    return len(rows)


@dataclass(frozen=True)
class OutboxResult:
    processed: int  # outbox rows done
    failed: int  # publications whose rows stay for the next run
    stuck: int  # rows that reached MAX_ATTEMPTS and are no longer retried


def _version(publication: Publication, attachments: dict[int, dt.datetime]) -> dt.datetime:
    latest = attachments.get(publication.pk)
    return max(publication.updated_at, latest) if latest is not None else publication.updated_at


def _apply(backend: SearchBackend, publication_id: int, *, remove: bool) -> None:
    # The lock on the catalogue row serialises us with its writers and with a second worker on the same item, so
    # what is indexed is a committed state and two workers never interleave their delete + insert.
    publication = Publication.objects.select_for_update(of=("self",)).filter(pk=publication_id).first()
    if remove or publication is None or publication.status != Status.PUBLISHED:
        backend.delete(publication_id)
        IndexEntry.objects.filter(publication_id=publication_id).delete()
        return
    backend.index(publication_id, fields_for([publication])[publication_id])
    version = _version(publication, attachment_versions([publication_id]))
    IndexEntry.objects.update_or_create(publication_id=publication_id, defaults={"version": version})


def process_outbox(*, limit: int = 500) -> OutboxResult:
    """Apply up to ``limit`` pending outbox rows, oldest first. Safe to run on several machines at once: PostgreSQL
    workers claim disjoint rows (``SKIP LOCKED``); on SQLite the database's single writer serialises them. A
    publication whose indexing raises keeps its rows (attempts + 1, the error recorded) for the next run."""
    backend = get_backend()
    processed = failed = 0
    with transaction.atomic():
        pending = IndexOutbox.objects.filter(processed_at__isnull=True, attempts__lt=MAX_ATTEMPTS).order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        by_publication: dict[int, list[IndexOutbox]] = {}
        for row in pending[:limit]:
            by_publication.setdefault(row.publication_id, []).append(row)
        now = timezone.now()
        for publication_id, rows in by_publication.items():
            try:
                with transaction.atomic():
                    _apply(backend, publication_id, remove=rows[-1].op == Op.DELETE)
            except Exception as error:
                logger.exception("search index: publication %s failed", publication_id)
                failed += 1
                for row in rows:
                    row.attempts += 1
                    row.error = f"{type(error).__name__}: {error}"[:500]
                IndexOutbox.objects.bulk_update(rows, ["attempts", "error"])
                continue
            for row in rows:
                row.attempts += 1
                row.processed_at = now
                row.error = ""
            IndexOutbox.objects.bulk_update(rows, ["attempts", "processed_at", "error"])
            processed += len(rows)
    stuck = IndexOutbox.objects.filter(processed_at__isnull=True, attempts__gte=MAX_ATTEMPTS).count()
    return OutboxResult(processed=processed, failed=failed, stuck=stuck)


@dataclass(frozen=True)
class SyncResult:
    stale: int  # published, and not indexed or indexed at an older version
    gone: int  # indexed, but no longer published (or no longer there)


def search_sync(*, dry_run: bool = False) -> SyncResult:
    """Enqueue what the index has missed: the safety net under ``index_enqueue``."""
    pending = IndexOutbox.objects.filter(processed_at__isnull=True).values("publication_id")
    indexed = IndexEntry.objects.filter(publication_id=OuterRef("pk")).values("version")[:1]
    published = searchable().annotate(indexed=Subquery(indexed))
    behind = Q(indexed__isnull=True) | Q(indexed__lt=F("updated_at"))
    if attachment_model() is not None:
        published = published.annotate(latest_attachment=Max("attachments__uploaded_at"))
        behind |= Q(latest_attachment__gt=F("indexed"))
    stale = list(published.filter(behind).exclude(pk__in=pending).values_list("pk", flat=True))
    searchable_ids = searchable().values("pk")
    gone = set(
        IndexEntry.objects.exclude(publication_id__in=searchable_ids)
        .exclude(publication_id__in=pending)
        .values_list("publication_id", flat=True)
    )
    # rows in the index with no bookkeeping entry (e.g. written by hand): let the outbox decide what they should be
    entries = set(IndexEntry.objects.values_list("publication_id", flat=True))
    pending_ids = set(pending.values_list("publication_id", flat=True))
    gone |= get_backend().indexed_ids() - entries - pending_ids - set(stale)
    if not dry_run:
        with transaction.atomic():
            index_enqueue(stale, "sync: stale")
            index_enqueue(sorted(gone), "sync: not published")
    return SyncResult(stale=len(stale), gone=len(gone))


def search_rebuild(*, batch_size: int = 500) -> int:
    """Empty the index and index every published item again, in one transaction (searches meanwhile see the old
    index). Returns the number indexed. Pending outbox rows stay and are applied later, harmlessly."""
    backend = get_backend()
    count = 0
    with transaction.atomic():
        backend.clear()
        IndexEntry.objects.all().delete()
        last = 0
        while True:
            batch = list(searchable().filter(pk__gt=last).order_by("pk")[:batch_size])
            if not batch:
                break
            last = batch[-1].pk
            fields = fields_for(batch)
            versions = attachment_versions(p.pk for p in batch)
            backend.index_many([(p.pk, fields[p.pk]) for p in batch])
            IndexEntry.objects.bulk_create(
                [IndexEntry(publication_id=p.pk, version=_version(p, versions)) for p in batch]
            )
            count += len(batch)
    backend.optimize()  # merge the index's segments / flush the GIN pending list; refresh planner statistics
    return count
