"""The index tables, which Django's schema editor cannot describe (an FTS5 virtual table; tsvector + GIN): created by
migration 0001 for the database vendor it runs on. No model imports here — migrations import this module."""

from __future__ import annotations

__all__ = ["CREATE", "DROP", "FTS_TABLE", "PG_TABLE"]

FTS_TABLE = "search_fts"
SQLITE_CREATE = [
    # unicode61 splits on the spaces between our tokens and keeps each token whole (Han characters are letters to it).
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
    "title, doc_number, body, attachments, wh_key UNINDEXED, tokenize = 'unicode61 remove_diacritics 0')",
]
SQLITE_DROP = [f"DROP TABLE IF EXISTS {FTS_TABLE}"]

PG_TABLE = "search_pgchunk"
PG_CREATE = [
    f"""CREATE TABLE {PG_TABLE} (
        id bigserial PRIMARY KEY,
        publication_id bigint NOT NULL,
        field varchar(16) NOT NULL,
        chunk integer NOT NULL,
        wh_key varchar(100) NOT NULL DEFAULT '',
        vector tsvector NOT NULL,
        CONSTRAINT search_pgchunk_unique UNIQUE (publication_id, field, chunk)
    )""",
    f"CREATE INDEX search_pgchunk_vector ON {PG_TABLE} USING gin (vector)",
]
PG_DROP = [f"DROP TABLE IF EXISTS {PG_TABLE}"]

CREATE: dict[str, list[str]] = {"sqlite": SQLITE_CREATE, "postgresql": PG_CREATE}
DROP: dict[str, list[str]] = {"sqlite": SQLITE_DROP, "postgresql": PG_DROP}
