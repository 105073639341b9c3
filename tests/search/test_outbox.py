"""The index stays consistent with the catalogue through the outbox: what commits together, fails together, and a
failed run leaves its work for the next one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from gongkai.agencies.models import Agency
from gongkai.publications import services as catalogue
from gongkai.publications.codebook import DocKind, Validity
from gongkai.publications.models import Publication
from gongkai.search.backends import get_backend
from gongkai.search.models import IndexEntry, IndexOutbox, Op
from gongkai.search.selectors import search
from gongkai.search.services import MAX_ATTEMPTS, index_enqueue, process_outbox, search_sync
from tests.search.conftest import publish, refresh

pytestmark = pytest.mark.django_db


def found(query: str) -> set[int]:
    return {hit.publication_id for hit in search(query, limit=100).hits}


def test_outbox_row_survives_a_failed_run_and_the_next_run_succeeds(
    agency: Agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = publish(agency, "政府信息公开工作年度报告")  # the outbox row commits with the publication
    backend_class = type(get_backend())
    real_index = backend_class.index
    calls = {"n": 0}

    def crash_once(self: Any, doc_id: int, fields: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            real_index(self, doc_id, fields)  # half-written index rows must roll back with the failure
            raise RuntimeError("disk full")
        real_index(self, doc_id, fields)

    monkeypatch.setattr(backend_class, "index", crash_once)
    result = process_outbox()
    assert (result.processed, result.failed) == (0, 1)
    rows = list(IndexOutbox.objects.filter(publication_id=p.pk))
    assert rows
    assert all(row.processed_at is None and row.attempts == 1 and "disk full" in row.error for row in rows)
    assert p.pk not in get_backend().indexed_ids()
    assert not IndexEntry.objects.filter(publication_id=p.pk).exists()

    result = process_outbox()
    assert (result.processed, result.failed) == (len(rows), 0)
    assert not IndexOutbox.objects.filter(publication_id=p.pk, processed_at__isnull=True).exists()
    assert set(IndexOutbox.objects.filter(publication_id=p.pk).values_list("error", flat=True)) == {""}
    assert found("年度报告") == {p.pk}
    # nothing left to do: a further run is a no-op
    assert process_outbox().processed == 0


def test_enqueue_rolls_back_with_the_callers_transaction(agency: Agency) -> None:
    def change_that_fails() -> None:
        with transaction.atomic():
            publish(agency, "不会提交的信息")
            raise RuntimeError("the catalogue change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert not IndexOutbox.objects.exists()
    assert not Publication.objects.filter(title="不会提交的信息").exists()


def test_processing_is_idempotent(agency: Agency) -> None:
    p = publish(agency, "法律援助")
    index_enqueue([p.pk, p.pk], "twice")
    index_enqueue([p.pk], "again")
    assert process_outbox().processed >= 3
    index_enqueue([p.pk], "once more")
    refresh()
    assert found("法律援助") == {p.pk}
    assert get_backend().indexed_ids() == {p.pk}
    assert search("法律援助").total == 1


def test_delete_op_removes_whatever_the_state(agency: Agency) -> None:
    p = publish(agency, "法律援助")
    refresh()
    index_enqueue([p.pk], "purge", op=Op.DELETE)
    refresh()
    assert p.pk not in get_backend().indexed_ids()
    with pytest.raises(ValueError, match="unknown outbox op"):
        index_enqueue([p.pk], "x", op="drop")


def test_a_row_failing_too_often_is_left_for_a_person(agency: Agency) -> None:
    p = publish(agency, "法律援助")
    stuck = IndexOutbox.objects.filter(publication_id=p.pk).update(attempts=MAX_ATTEMPTS)
    result = process_outbox()
    assert (result.processed, result.failed, result.stuck) == (0, 0, stuck)


def forget_announcements() -> None:
    """As if the catalogue had changed without calling index_enqueue (or an older version of it had not)."""
    IndexOutbox.objects.filter(processed_at__isnull=True).delete()


def test_sync_enqueues_what_nobody_announced(agency: Agency) -> None:
    quiet = publish(agency, "行政规范性文件", doc_kind=DocKind.NORMATIVE, enqueue=False)
    forget_announcements()
    announced = publish(agency, "法律援助规定")
    refresh()
    assert found("规范性文件") == set()

    assert search_sync(dry_run=True).stale == 1
    assert IndexOutbox.objects.filter(processed_at__isnull=True).count() == 0
    result = search_sync()
    assert (result.stale, result.gone) == (1, 0)
    assert search_sync().stale == 0  # already pending: not enqueued twice
    refresh()
    assert found("规范性文件") == {quiet.pk}
    assert (search_sync().stale, search_sync().gone) == (0, 0)

    # a change without an announcement: a newer updated_at than the indexed version
    catalogue.publication_set_validity(publication=quiet, actor=None, validity=Validity.EXPIRED, on=dt.date(2025, 6, 1))
    catalogue.publication_withdraw(publication=announced, actor=None, reason="错误", on=dt.date(2025, 6, 2))
    forget_announcements()
    result = search_sync()
    assert (result.stale, result.gone) == (1, 1)
    refresh()
    assert found("规范性文件") == {quiet.pk}
    assert found("法律援助") == set()
    assert get_backend().indexed_ids() == {quiet.pk}
    assert (search_sync().stale, search_sync().gone) == (0, 0)


def test_sync_catches_index_rows_without_bookkeeping(agency: Agency) -> None:
    p = publish(agency, "法律援助")
    refresh()
    IndexEntry.objects.all().delete()
    result = search_sync()
    assert result.stale == 1  # published but no record of its version: reindexed
    refresh()
    assert IndexEntry.objects.filter(publication_id=p.pk).exists()
