"""The index's bookkeeping. The index itself lives in vendor-specific tables made by migration 0001 (raw SQL, see
``backends``): the FTS5 table ``search_fts`` on SQLite, ``search_pgchunk`` (tsvector + GIN) on PostgreSQL.

``IndexOutbox`` rows are written in the same transaction as the catalogue change they announce
(``services.index_enqueue``), so a change and its promise to reindex commit or roll back together; ``process_outbox``
keeps the promise. ``IndexEntry`` records which version of each publication the index holds, for ``search sync``.
"""

from __future__ import annotations

from django.db import models

__all__ = ["IndexEntry", "IndexOutbox", "Op"]


class Op(models.TextChoices):
    INDEX = "index", "索引"  # bring the index in line with the publication as it is when processed
    DELETE = "delete", "删除"  # take it out whatever its state


class IndexOutbox(models.Model):
    # No foreign key: the row must outlive anything that happens to the publication until it is processed.
    publication_id = models.BigIntegerField("信息ID")
    op = models.CharField("操作", max_length=8, choices=Op.choices, default=Op.INDEX)
    reason = models.CharField("原因", max_length=60, blank=True)
    created_at = models.DateTimeField("写入时间", auto_now_add=True)
    processed_at = models.DateTimeField("处理时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    error = models.CharField("错误信息", max_length=500, blank=True)

    class Meta:
        verbose_name = "索引待办"
        verbose_name_plural = "索引待办"
        indexes = [models.Index(fields=["processed_at", "id"], name="search_outbox_pending")]

    def __str__(self) -> str:
        return f"{self.op} {self.publication_id}"


class IndexEntry(models.Model):
    publication_id = models.BigIntegerField("信息ID", unique=True)
    # max(publication.updated_at, latest attachment upload) when it was indexed
    version = models.DateTimeField("索引的版本")
    indexed_at = models.DateTimeField("索引时间", auto_now=True)

    class Meta:
        verbose_name = "索引记录"
        verbose_name_plural = "索引记录"

    def __str__(self) -> str:
        return f"{self.publication_id} @ {self.version:%Y-%m-%d %H:%M:%S}"
