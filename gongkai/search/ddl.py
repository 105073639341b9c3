"""The index tables, which Django's schema editor cannot describe (an FTS5 virtual table; tsvector + GIN): created by
migration 0001 for the database vendor it runs on. No model imports here — migrations import this module."""

from __future__ import annotations

__all__ = [
    "CREATE",
    "DROP",
    "FTS3_TABLE",
    "FTS_CONTENT_COLUMNS",
    "FTS_TABLE",
    "PG_TABLE",
    "sqlite_create",
    "sqlite_create_trigrams",
]

FTS_TABLE = "search_fts"
# The searchable text columns, to which a query that could meet a filter token is confined (``backends.fts_expression``).
FTS_CONTENT_COLUMNS = ("title", "doc_number", "body", "attachments")


def sqlite_create(name: str = FTS_TABLE) -> str:
    # unicode61 splits on the spaces between our tokens and keeps each token whole (Han characters are letters to it).
    # prefix='1' keeps a second index of every token under its first character (FTS5 counts prefix lengths in
    # characters), so a 1-character query ("公"*) reads one doclist instead of merging those of every bigram starting
    # with it: 9 ms → 0.2 ms at 10 k documents, for ~+65 % on the index b-tree (50 → 83 MB; the stored token text,
    # 94 MB, is unchanged).
    # facets holds the filter tokens (tokenize.facet_tokens: agency, year, category, validity), so that FTS5 applies
    # a filter inside the MATCH, walking the term's doclists against the filter's instead of handing every match to
    # the catalogue. Migration 0003 added it.
    return (
        f"CREATE VIRTUAL TABLE {name} USING fts5(title, doc_number, body, attachments, wh_key UNINDEXED, facets, "
        "tokenize = 'unicode61 remove_diacritics 0', prefix = '1')"
    )


# The trigram table (tokenize.trigram_text): the same rows as FTS_TABLE in trigrams, for queries of Han runs of 3+
# characters. Contentless (content=''): it stores no text — the trigram text would be ~10 bytes a character — so a
# row is removed with FTS5's 'delete' command and the values it was indexed with, which the backend recomputes from
# FTS_TABLE's stored bigram text (``SqliteBackend._delete_trigrams``). The two tables are only ever written together.
# No prefix index (a trigram query is never a prefix). Migration 0004 added it.
FTS3_TABLE = "search_fts3"


def sqlite_create_trigrams(name: str = FTS3_TABLE) -> str:
    return (
        f"CREATE VIRTUAL TABLE {name} USING fts5(title, doc_number, body, attachments, facets, content='', "
        "tokenize = 'unicode61 remove_diacritics 0')"
    )


SQLITE_CREATE = [sqlite_create()]
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
