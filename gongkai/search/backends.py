"""One search contract, two engines: SQLite FTS5 (the embedded default) and PostgreSQL tsvector + GIN (production).

Both index the tokens of ``tokenize.index_tokens`` and search with the phrases of ``tokenize.query_tokens``; both
rank an exact 文号 match first, then by relevance with the title and 文号 weighted above the body and the body above
attachments; both filter at query time through the catalogue (published only — withdrawn items also leave the index
— agency, 第二十条 category, year of the 发布日期, validity); both highlight in Python (``highlight``).

The contract test suite (tests/search) runs on whichever database the suite runs on.
"""

# SQL here is built from constant table names and placeholders; every value is a parameter.
# ruff: noqa: S608

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from gongkai.publications.codebook import Channel, DeliveryStatus, Status
from gongkai.publications.models import Publication
from gongkai.search import documents
from gongkai.search.ddl import FTS_TABLE, PG_TABLE
from gongkai.search.documents import IndexFields
from gongkai.search.highlight import highlight, patterns_for, snippet
from gongkai.search.tokenize import Query, Term, doc_number_key, index_tokens, query_tokens

__all__ = [
    "PG_CHUNK_CHARS",
    "PG_CHUNK_OVERLAP",
    "Filters",
    "Hit",
    "PostgresBackend",
    "SearchBackend",
    "SearchPage",
    "SqliteBackend",
    "get_backend",
]

Param = int | float | str | dt.date | None  # an SQL parameter

# PostgreSQL keeps at most 256 positions per lexeme and none past 16383, so a long text indexed as one tsvector loses
# phrase matches in its later part. Long texts are indexed in overlapping chunks instead; a phrase up to the overlap
# (≥ tokenize.MAX_QUERY_CHARS) always lies whole inside one chunk.
PG_CHUNK_CHARS = 4000
PG_CHUNK_OVERLAP = 200

# FTS5 bm25 column weights: title, doc_number, body, attachments, wh_key (unindexed)
_FTS_WEIGHTS = "10.0, 10.0, 1.0, 0.5, 0.0"
# PostgreSQL setweight letters; ts_rank_cd's default weights are D 0.1, C 0.2, B 0.4, A 1.0
_PG_WEIGHTS = {"title": "A", "doc_number": "A", "body": "B", "attachments": "C"}


@dataclass(frozen=True)
class Hit:
    publication_id: int
    score: float
    title_html: str  # escaped, occurrences in <mark>
    snippet_html: str  # escaped, ~80 characters around the first occurrence, occurrences in <mark>
    # the catalogue row (with its agency), so callers list results without another query per hit
    publication: Publication | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class SearchPage:
    total: int  # all matches
    hits: list[Hit]  # this page

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)


@dataclass(frozen=True)
class Filters:
    agency_ids: Sequence[int] | None = None
    category: str | None = None
    year: int | None = None
    validity: str | None = None


class SearchBackend(abc.ABC):
    vendor: str

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection

    @abc.abstractmethod
    def index(self, doc_id: int, fields: IndexFields) -> None:
        """Put (or replace) one publication in the index. Idempotent."""

    def index_many(self, items: Sequence[tuple[int, IndexFields]]) -> None:
        for doc_id, fields in items:
            self.index(doc_id, fields)

    @abc.abstractmethod
    def delete(self, doc_id: int) -> None:
        """Take one publication out of the index. Idempotent."""

    @abc.abstractmethod
    def clear(self) -> None:
        """Empty the index."""

    @abc.abstractmethod
    def indexed_ids(self) -> set[int]:
        """The ids the index holds (tests and ``search sync``)."""

    @abc.abstractmethod
    def _match(self, query: Query, filters: Filters, limit: int, offset: int) -> tuple[int, list[tuple[int, float]]]:
        """(total, [(publication id, score)]) best first."""

    def search(
        self,
        query: str,
        *,
        agency_ids: Sequence[int] | None = None,
        category: str | None = None,
        year: int | None = None,
        validity: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> SearchPage:
        parsed = query_tokens(query)
        if not parsed or limit <= 0 or (agency_ids is not None and not agency_ids):
            return SearchPage(total=0, hits=[])
        filters = Filters(agency_ids=agency_ids, category=category or None, year=year, validity=validity or None)
        total, rows = self._match(parsed, filters, limit, max(offset, 0))
        return SearchPage(total=total, hits=_hits(parsed, rows))

    # -- shared SQL pieces -------------------------------------------------------------------------------------

    def _date(self, value: dt.date) -> Param:
        return value

    def _filter_sql(self, filters: Filters) -> tuple[str, list[Param]]:
        """Conditions on the catalogue row ``p``: published, and the caller's filters."""
        # The portal's rule: an item is public on the website once its 门户网站 delivery is recorded; 公众号-only
        # posts have no portal page, so they are not search results either.
        sql = [
            "p.status = %s",
            "EXISTS (SELECT 1 FROM publications_channeldelivery d WHERE d.publication_id = p.id"
            " AND d.channel = %s AND d.status = %s)",
        ]
        params: list[Param] = [Status.PUBLISHED.value, Channel.PORTAL.value, DeliveryStatus.DELIVERED.value]
        if filters.agency_ids is not None:
            sql.append(f"p.agency_id IN ({', '.join(['%s'] * len(filters.agency_ids))})")
            params.extend(int(pk) for pk in filters.agency_ids)
        if filters.category:
            sql.append("p.category = %s")
            params.append(filters.category)
        if filters.year is not None:
            sql.append("p.published_on >= %s AND p.published_on < %s")
            params.extend([self._date(dt.date(filters.year, 1, 1)), self._date(dt.date(filters.year + 1, 1, 1))])
        if filters.validity:
            sql.append("p.validity = %s")
            params.append(filters.validity)
        return " AND ".join(sql), params


def _hits(query: Query, rows: list[tuple[int, float]]) -> list[Hit]:
    ids = [pk for pk, _ in rows]
    publications = Publication.objects.select_related("agency").in_bulk(ids)
    attachments = documents.attachment_texts(ids)
    patterns = patterns_for(query)
    hits = []
    for pk, score in rows:
        publication = publications.get(pk)
        if publication is None:  # deleted between the match and now
            continue
        body = "\n".join(part for part in (publication.summary, publication.body) if part)
        hits.append(
            Hit(
                publication_id=pk,
                score=float(score),
                title_html=highlight(publication.title, patterns),
                snippet_html=snippet([body, attachments.get(pk, "")], patterns),
                publication=publication,
            )
        )
    return hits


# -- SQLite FTS5 -------------------------------------------------------------------------------------------------


def _fts_term(term: Term) -> str:
    return '"' + " ".join(term.tokens) + '"' + ("*" if term.prefix else "")


def fts_expression(query: Query) -> str:
    """The FTS5 MATCH expression: every term as a phrase, all required; a 文号 query also matches its exact token."""
    expression = " AND ".join(_fts_term(term) for term in query.terms)
    if query.doc_number:
        expression = f'"{query.doc_number}"' + (f" OR ({expression})" if expression else "")
    return expression


class SqliteBackend(SearchBackend):
    vendor = "sqlite"

    def _date(self, value: dt.date) -> Param:
        return value.isoformat()  # dates are ISO text in SQLite

    def index(self, doc_id: int, fields: IndexFields) -> None:
        self.index_many([(doc_id, fields)])

    def index_many(self, items: Sequence[tuple[int, IndexFields]]) -> None:
        rows = [
            (
                doc_id,
                index_tokens(fields.title),
                index_tokens(fields.doc_number, doc_number=True),
                index_tokens(fields.body),
                index_tokens(fields.attachments),
                doc_number_key(fields.doc_number),
            )
            for doc_id, fields in items
        ]
        with self.connection.cursor() as cursor:
            cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(row[0],) for row in rows])
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, title, doc_number, body, attachments, wh_key) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                rows,
            )

    def delete(self, doc_id: int) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [doc_id])

    def clear(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE}")

    def indexed_ids(self) -> set[int]:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM {FTS_TABLE}")
            return {row[0] for row in cursor.fetchall()}

    def _match(self, query: Query, filters: Filters, limit: int, offset: int) -> tuple[int, list[tuple[int, float]]]:
        where, params = self._filter_sql(filters)
        source = (
            f"FROM {FTS_TABLE} JOIN {Publication._meta.db_table} p ON p.id = {FTS_TABLE}.rowid "
            f"WHERE {FTS_TABLE} MATCH %s AND {where}"
        )
        match = [fts_expression(query), *params]
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {FTS_TABLE}.rowid, -bm25({FTS_TABLE}, {_FTS_WEIGHTS}) AS score, "
                f"{FTS_TABLE}.wh_key = %s AS exact {source} "
                f"ORDER BY exact DESC, score DESC, {FTS_TABLE}.rowid DESC LIMIT %s OFFSET %s",
                [query.doc_number or None, *match, limit, offset],
            )
            rows = [(int(pk), float(score)) for pk, score, _ in cursor.fetchall()]
            if offset == 0 and len(rows) < limit:
                return len(rows), rows
            cursor.execute(f"SELECT count(*) {source}", match)
            return int(cursor.fetchone()[0]), rows


# -- PostgreSQL tsvector + GIN -----------------------------------------------------------------------------------


def chunks(text: str, size: int = PG_CHUNK_CHARS, overlap: int = PG_CHUNK_OVERLAP) -> list[str]:
    """Overlapping pieces: any substring of up to ``overlap`` characters lies whole inside one piece. A piece cut
    inside a Han run ends in a unigram of a character that is really there, so the cut adds no false match."""
    if len(text) <= size + overlap:
        return [text]
    return [text[start : start + size + overlap] for start in range(0, len(text), size)]


def _pg_term(term: Term) -> str:
    quoted = [f"'{token.replace(chr(39), chr(39) * 2)}'" for token in term.tokens]
    if term.prefix:
        quoted[-1] += ":*"
    return " <-> ".join(quoted)


class PostgresBackend(SearchBackend):
    vendor = "postgresql"

    def index(self, doc_id: int, fields: IndexFields) -> None:
        rows: list[tuple[Param, ...]] = []
        for name, weight in _PG_WEIGHTS.items():
            text = getattr(fields, name)
            wh_key = doc_number_key(text) if name == "doc_number" else ""
            for number, piece in enumerate(chunks(text)):
                tokens = index_tokens(piece, doc_number=name == "doc_number")
                if tokens:
                    rows.append((doc_id, name, number, wh_key, tokens, weight))
        with self.connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {PG_TABLE} WHERE publication_id = %s", [doc_id])
            if rows:
                cursor.executemany(
                    f"INSERT INTO {PG_TABLE} (publication_id, field, chunk, wh_key, vector) "
                    "VALUES (%s, %s, %s, %s, setweight(to_tsvector('simple', %s), %s::\"char\"))",
                    rows,
                )

    def delete(self, doc_id: int) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {PG_TABLE} WHERE publication_id = %s", [doc_id])

    def clear(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {PG_TABLE}")

    def indexed_ids(self) -> set[int]:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT publication_id FROM {PG_TABLE}")
            return {row[0] for row in cursor.fetchall()}

    def _match(self, query: Query, filters: Filters, limit: int, offset: int) -> tuple[int, list[tuple[int, float]]]:
        # A term must match inside one chunk (a phrase never spans fields or chunks), but different terms may match
        # different chunks of the same publication: rows are matched on any term, publications kept when every
        # term matched some row (or the exact 文号 did).
        terms = [_pg_term(term) for term in query.terms]
        alternatives = [*terms, *([f"'{query.doc_number}'"] if query.doc_number else [])]
        any_term = " | ".join(f"({alt})" for alt in alternatives)
        where, params = self._filter_sql(filters)
        having_terms = " AND ".join(["bool_or(c.vector @@ to_tsquery('simple', %s))"] * len(terms)) or "FALSE"
        having_params: list[Param] = list(terms)
        if query.doc_number:
            having_terms = f"bool_or(c.wh_key = %s) OR ({having_terms})"
            having_params.insert(0, query.doc_number)
        source = (
            f"FROM {PG_TABLE} c JOIN {Publication._meta.db_table} p ON p.id = c.publication_id "
            f"WHERE c.vector @@ to_tsquery('simple', %s) AND {where} "
            f"GROUP BY c.publication_id HAVING {having_terms}"
        )
        source_params = [any_term, *params, *having_params]
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.publication_id, sum(ts_rank_cd(c.vector, to_tsquery('simple', %s))) AS score, "
                f"bool_or(c.wh_key = %s) AS exact, count(*) OVER () AS total {source} "
                "ORDER BY exact DESC, score DESC, c.publication_id DESC LIMIT %s OFFSET %s",
                [any_term, query.doc_number or None, *source_params, limit, offset],
            )
            fetched = cursor.fetchall()
            if fetched:
                return int(fetched[0][3]), [(int(pk), float(score)) for pk, score, _, _ in fetched]
            if offset == 0:
                return 0, []
            cursor.execute(f"SELECT count(*) FROM (SELECT c.publication_id {source}) m", source_params)
            return int(cursor.fetchone()[0]), []


_BACKENDS: dict[str, type[SearchBackend]] = {"sqlite": SqliteBackend, "postgresql": PostgresBackend}


def get_backend(using: str = "default") -> SearchBackend:
    connection = connections[using]
    try:
        return _BACKENDS[connection.vendor](connection)
    except KeyError:
        raise RuntimeError(f"全文检索不支持数据库 {connection.vendor}（只支持 SQLite 与 PostgreSQL）") from None
