"""One search contract, two engines: SQLite FTS5 (the embedded default) and PostgreSQL tsvector + GIN (production).

Both index the tokens of ``tokenize.index_tokens`` and search with the phrases of ``tokenize.query_tokens``; both
rank an exact 文号 match first, then by relevance with the title and 文号 weighted above the body and the body above
attachments; both filter at query time through the catalogue (published only — withdrawn items also leave the index
— agency, 第二十条 category, year of the 发布日期, validity; SQLite also puts the filters into the MATCH as filter
tokens, a pre-filter); both highlight in Python (``highlight``).

The contract test suite (tests/search) runs on whichever database the suite runs on.
"""

# SQL here is built from constant table names and placeholders; every value is a parameter.
# ruff: noqa: S608

from __future__ import annotations

import abc
import datetime as dt
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper

from gongkai.publications.codebook import Channel, DeliveryStatus, Status
from gongkai.publications.models import Publication
from gongkai.search import documents
from gongkai.search.ddl import FTS3_TABLE, FTS_CONTENT_COLUMNS, FTS_TABLE, PG_TABLE
from gongkai.search.documents import IndexFields
from gongkai.search.highlight import highlight, patterns_for, snippet
from gongkai.search.tokenize import (
    Query,
    Term,
    doc_number_key,
    facet_token,
    fts_columns,
    index_tokens,
    may_be_facet_token,
    normalize,
    query_tokens,
    trigram_columns,
    trigram_query,
)

__all__ = [
    "MAX_FACET_AGENCIES",
    "PG_CHUNK_CHARS",
    "PG_CHUNK_OVERLAP",
    "RANKED_MATCHES",
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

# Ranking and counting every match of a common term is what made search slow (a 2-character query matches most of
# the catalogue). A query matching at most this many documents is ranked by relevance and counted exactly; past it
# the page comes from the newest ``RANKED_MATCHES`` matches (at least offset + limit), ranked "exact 文号, then the
# title holding more of the terms, then newest" (``_title_then_newest``), and the total is a lower bound
# (``SearchPage.total_is_lower_bound``, shown as "1000+"). Matching itself stays exact: every page holds true
# matches only, and asking for enough (``limit``) returns every match.
RANKED_MATCHES = 1000

# SQLite, a common query with filters: FTS5 applies them inside the MATCH through the filter tokens of the facets
# column (``tokenize.facet_tokens``) — at most this many agencies, OR-ed. At 100 k documents an OR of 200 agencies
# was still 1.5–5× faster than the catalogue's ways below (a first page in 24–50 ms against 49–163 ms); a longer
# list (a government across all its departments; not measured) is left to the catalogue.
MAX_FACET_AGENCIES = 200

# SQLite, a common query with more agencies than MAX_FACET_AGENCIES: FTS5 is asked about each of the agencies'
# items (~25 µs each) when they number under 1/_PROBE_RATIO of the matches; else the match set is collected once
# (~0.35 µs a match).
_PROBE_RATIO = 40

# FTS5 bm25 column weights: title, doc_number, body, attachments, wh_key (unindexed), facets (filter tokens: a term
# never matches there, see ``fts_expression``)
_FTS_WEIGHT_VALUES = (10.0, 10.0, 1.0, 0.5, 0.0, 0.0)
# the trigram table's: title, doc_number, body, attachments, facets — the same weights
_FTS3_WEIGHT_VALUES = (10.0, 10.0, 1.0, 0.5, 0.0)
_WEIGHTS = {
    FTS_TABLE: ", ".join(str(weight) for weight in _FTS_WEIGHT_VALUES),
    FTS3_TABLE: ", ".join(str(weight) for weight in _FTS3_WEIGHT_VALUES),
}

# SQLite, a one-phrase query with few matches: scoring a match from its stored tokens costs about this many ms
# (reading ~13 KB of tokens and counting the phrase); bm25 in SQL costs about two more walks of the phrase's doclists,
# as long as the probe took. The cheaper one is taken; both give the same scores.
_READ_MS = 0.03
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
    total: int  # all matches; when ``total_is_lower_bound``, at least this many (the portal shows "1000+")
    hits: list[Hit]  # this page
    total_is_lower_bound: bool = False

    @property
    def total_display(self) -> str:
        return f"{self.total}+" if self.total_is_lower_bound else str(self.total)

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
    def optimize(self) -> None:
        """Compact the index after a rebuild (merge FTS5 segments; flush the GIN pending list, refresh statistics)."""

    @abc.abstractmethod
    def _match_page(
        self, query: Query, filters: Filters, limit: int, offset: int
    ) -> tuple[int, bool, list[tuple[int, float]]]:
        """(total, total is a lower bound, [(publication id, score)] best first) — see ``RANKED_MATCHES``."""

    def _match(self, query: Query, filters: Filters, limit: int, offset: int) -> tuple[int, list[tuple[int, float]]]:
        """(total, [(publication id, score)]) best first."""
        total, _, rows = self._match_page(query, filters, limit, offset)
        return total, rows

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
        total, lower_bound, rows = self._match_page(parsed, filters, limit, max(offset, 0))
        return SearchPage(total=total, hits=_hits(parsed, rows), total_is_lower_bound=lower_bound)

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


def _window(limit: int, offset: int) -> int:
    """How many of the newest matches a common query's pages are drawn from."""
    return max(RANKED_MATCHES, offset + limit)


def _title_then_newest(
    query: Query, candidates: Sequence[tuple[int, str, str]], window: int, limit: int, offset: int
) -> tuple[int, bool, list[tuple[int, float]]]:
    """The cheap rank of a common query, over candidates (id, title, 文号) newest first: the exact 文号, then the title
    holding more of the terms, then newest. Score: the number of terms in the title (+ 100 for the exact 文号)."""
    lower_bound = len(candidates) > window
    scored = []
    for pk, title, doc_number in candidates[:window]:
        exact = bool(query.doc_number) and doc_number_key(doc_number or "") == query.doc_number
        folded = normalize(title or "")
        score = sum(term.text in folded for term in query.terms) + (100.0 if exact else 0.0)
        scored.append((int(pk), float(score)))
    scored.sort(key=lambda row: (-row[1], -row[0]))
    return len(scored), lower_bound, scored[offset : offset + limit]


def _hits(query: Query, rows: list[tuple[int, float]]) -> list[Hit]:
    ids = [pk for pk, _ in rows]
    # body_html (the rich text, as long as the body again) is not shown in a result list; reading it on access only
    publications = Publication.objects.select_related("agency").defer("body_html").in_bulk(ids)
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


def _phrases(query: Query) -> list[tuple[str, bool]] | None:
    """bm25's phrases of a query that the Python scoring serves — (space-separated tokens, last one a prefix) — when
    every match of the query matches one of them and each of them only matches where the query does, so that the
    probe's matches are all the matches of each phrase: one term (a phrase), or a 文号 (its exact token OR its
    phrase). None for an AND of terms (a term's own matches reach beyond the query's)."""
    if len(query.terms) > 1:
        return None
    phrases = [(query.doc_number, False)] if query.doc_number else []
    phrases += [(" ".join(term.tokens), term.prefix) for term in query.terms]
    return phrases or None


def _varints(blob: bytes) -> list[int]:
    """SQLite/FTS5 varints (big-endian, 7 bits a byte, the ninth byte whole)."""
    values = []
    i = 0
    while i < len(blob):
        value = 0
        for k in range(9):
            byte = blob[i]
            i += 1
            if k == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        values.append(value)
    return values


def _occurrences(tokens: str, phrase: str, prefix: bool = False) -> int:
    """How many times the phrase's tokens occur one after another in a space-separated token string (overlapping
    occurrences count, as FTS5 counts phrase instances); with ``prefix`` the last token is a prefix ("号"* meets
    号, 号文, …)."""
    count = 0
    start = tokens.find(phrase)
    end_of = len(tokens)
    while start >= 0:
        end = start + len(phrase)
        if (start == 0 or tokens[start - 1] == " ") and (prefix or end == end_of or tokens[end] == " "):
            count += 1
        start = tokens.find(phrase, start + 1)
    return count


def _fts_term(term: Term) -> str:
    return '"' + " ".join(term.tokens) + '"' + ("*" if term.prefix else "")


def fts_expression(query: Query) -> str:
    """The FTS5 MATCH expression: every term as a phrase, all required; a 文号 query also matches its exact token.
    A query with a token that could equal a filter token (a typed word such as "ag12" or "y2025") is confined to the
    text columns. Others (Han, numbers: nearly all) are left unconfined — a column filter costs FTS5 a look at the
    positions of each row it visits (a 文号 query, whose digits are tokens: p50 8 → 11 ms at 100 k documents)."""
    expression = " AND ".join(_fts_term(term) for term in query.terms)
    if query.doc_number:
        expression = f'"{query.doc_number}"' + (f" OR ({expression})" if expression else "")
    tokens = [token for term in query.terms for token in term.tokens] + [query.doc_number]
    if any(may_be_facet_token(token) for token in tokens if token):
        expression = "{" + " ".join(FTS_CONTENT_COLUMNS) + "} : (" + expression + ")"
    return expression


def fts_facet_filter(filters: Filters) -> tuple[str, bool]:
    """The filters as an FTS5 condition on the facets column ('' when none) and whether it covers the agencies
    (not past MAX_FACET_AGENCIES). A pre-filter only: the tokens are kept in line with the catalogue through the
    outbox, but the catalogue conditions (``_filter_sql``) still decide."""
    groups = []
    agencies = filters.agency_ids is not None and len(filters.agency_ids) <= MAX_FACET_AGENCIES
    if filters.agency_ids is not None and agencies:
        groups.append(" OR ".join(f'"{facet_token("ag", int(pk))}"' for pk in dict.fromkeys(filters.agency_ids)))
    if filters.year is not None:
        groups.append(f'"{facet_token("y", filters.year)}"')
    if filters.category:
        groups.append(f'"{facet_token("c", filters.category)}"')
    if filters.validity:
        groups.append(f'"{facet_token("v", filters.validity)}"')
    return " AND ".join(f"facets : ({group})" for group in groups), agencies


class SqliteBackend(SearchBackend):
    vendor = "sqlite"

    def _date(self, value: dt.date) -> Param:
        return value.isoformat()  # dates are ISO text in SQLite

    def index(self, doc_id: int, fields: IndexFields) -> None:
        self.index_many([(doc_id, fields)])

    def index_many(self, items: Sequence[tuple[int, IndexFields]]) -> None:
        rows = [
            (doc_id, *fts_columns(fields.title, fields.doc_number, fields.body, fields.attachments, fields.facets))
            for doc_id, fields in items
        ]
        with self.connection.cursor() as cursor:
            self._delete_rows(cursor, [row[0] for row in rows])
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, title, doc_number, body, attachments, wh_key, facets) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
            cursor.executemany(
                f"INSERT INTO {FTS3_TABLE} (rowid, title, doc_number, body, attachments, facets) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [(row[0], *trigram_columns(row[1:])) for row in rows],
            )

    def delete(self, doc_id: int) -> None:
        with self.connection.cursor() as cursor:
            self._delete_rows(cursor, [doc_id])

    def _delete_rows(self, cursor: CursorWrapper, doc_ids: Sequence[int]) -> None:
        """Take rows out of both tables. The contentless trigram table forgets a row only through FTS5's 'delete'
        command given the values the row was indexed with: they are recomputed from the bigram table's stored
        text, from which they were made (``tokenize.trigram_columns``). Ids not indexed are skipped — a 'delete'
        of values never inserted would corrupt the trigram index."""
        for start in range(0, len(doc_ids), 500):
            part = list(doc_ids[start : start + 500])
            cursor.execute(
                f"SELECT rowid, title, doc_number, body, attachments, wh_key, facets FROM {FTS_TABLE} "
                f"WHERE rowid IN ({', '.join(['%s'] * len(part))})",
                part,
            )
            stored = cursor.fetchall()
            if not stored:
                continue
            cursor.executemany(
                f"INSERT INTO {FTS3_TABLE} ({FTS3_TABLE}, rowid, title, doc_number, body, attachments, facets) "
                "VALUES ('delete', %s, %s, %s, %s, %s, %s)",
                [(row[0], *trigram_columns(row[1:])) for row in stored],
            )
            cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(row[0],) for row in stored])

    def clear(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE}")
            cursor.execute(f"INSERT INTO {FTS3_TABLE} ({FTS3_TABLE}) VALUES ('delete-all')")

    def indexed_ids(self) -> set[int]:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM {FTS_TABLE}")
            return {row[0] for row in cursor.fetchall()}

    def optimize(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')")
            cursor.execute(f"INSERT INTO {FTS3_TABLE} ({FTS3_TABLE}) VALUES ('optimize')")

    def _match_page(
        self, query: Query, filters: Filters, limit: int, offset: int
    ) -> tuple[int, bool, list[tuple[int, float]]]:
        where, params = self._filter_sql(filters)
        # Han runs of 3+ characters (the 3–4 character and phrase queries) are asked of the trigram table: a
        # phrase of common bigrams that are rarely adjacent made FTS5 walk and position-check long doclists
        # (60–200 ms at 1 M documents); its trigrams' doclists are far shorter. Same matches (tokenize).
        trigrams = trigram_query(query)
        table, asked = (FTS3_TABLE, trigrams) if trigrams is not None else (FTS_TABLE, query)
        expression = fts_expression(asked)
        catalogue = Publication._meta.db_table
        with self.connection.cursor() as cursor:
            started = time.perf_counter()
            # How common is the query? Reading up to RANKED_MATCHES + 1 rowids of the doclists, newest first (FTS5
            # walks a doclist backwards as cheaply as forwards), costs well under 1 ms; how far back they reach
            # estimates how many documents match in all. Without the filters: whether a query is ranked by bm25
            # depends on its matches overall (as it always has), and bm25 counts each phrase's documents over the
            # whole table, so a common term ranked by bm25 within a narrow filter would walk its whole doclists.
            cursor.execute(
                f"SELECT rowid FROM {table} WHERE {table} MATCH %s ORDER BY rowid DESC LIMIT %s",
                [expression, RANKED_MATCHES + 1],
            )
            probe = [int(row[0]) for row in cursor.fetchall()]
            probe_ms = (time.perf_counter() - started) * 1000
            if not probe:  # nothing matches, whatever the filters
                return 0, False, []
            phrases = _phrases(query)
            if len(probe) <= RANKED_MATCHES and phrases and len(probe) * _READ_MS < 2 * probe_ms:
                # Few matches of one phrase (or a 文号) that was costly to find (common tokens, rarely adjacent: FTS5
                # walks their long doclists). bm25 would walk them twice more (the MATCH and its document-frequency
                # count), so score the probe's matches here instead, from their stored tokens — the same bm25, in
                # the same order.
                return self._rank_phrase(cursor, query, phrases, table, probe, where, params, limit, offset)
            if len(probe) <= RANKED_MATCHES:
                # Few matches: rank them all by bm25 (exact 文号 first) and count them, in one statement.
                # (a trigram query is never a 文号: the trigram table has no wh_key)
                exact, exact_params = (
                    (f"{table}.wh_key = %s", [query.doc_number or None]) if asked is query else ("0", [])
                )
                cursor.execute(
                    f"SELECT {table}.rowid, -bm25({table}, {_WEIGHTS[table]}), {exact} "
                    f"FROM {table} JOIN {catalogue} p ON p.id = {table}.rowid "
                    f"WHERE {table} MATCH %s AND {where}",
                    [*exact_params, expression, *params],
                )
                ranked = sorted(
                    ((int(pk), float(score), bool(exact)) for pk, score, exact in cursor.fetchall()),
                    key=lambda row: (not row[2], -row[1], -row[0]),
                )
                return len(ranked), False, [(pk, score) for pk, score, _ in ranked[offset : offset + limit]]
            # Many matches: the page comes from the newest ``window`` of those the filters admit. The filters go
            # into the MATCH as filter tokens, so FTS5 walks the term's doclists against the (short) doclists of the
            # agency, year, … and hands only their matches to the catalogue, which still checks every condition.
            window = _window(limit, offset)
            facets, agencies_in_match = fts_facet_filter(filters)
            filtered = f"({expression}) AND {facets}" if facets else expression
            if filters.agency_ids is not None and not agencies_in_match:
                self._many_agencies(cursor, table, filters.agency_ids, probe, filtered, where, params, window)
            else:
                # Walk the doclists newest first and stop once the window is full (CROSS JOIN: FTS5 drives, never
                # the catalogue's agency index with a seek into the doclists for each of its rows).
                cursor.execute(
                    f"SELECT p.id, p.title, p.doc_number FROM {table} CROSS JOIN {catalogue} p "
                    f"ON p.id = {table}.rowid WHERE {table} MATCH %s AND {where} "
                    f"ORDER BY {table}.rowid DESC LIMIT %s",
                    [filtered, *params, window + 1],
                )
            return _title_then_newest(query, cursor.fetchall(), window, limit, offset)

    def _rank_phrase(
        self,
        cursor: CursorWrapper,
        query: Query,
        phrases: list[tuple[str, bool]],
        table: str,
        probe: list[int],
        where: str,
        params: list[Param],
        limit: int,
        offset: int,
    ) -> tuple[int, bool, list[tuple[int, float]]]:
        """FTS5's bm25 over ``table`` of the query's ``phrases`` (``_phrases``) over ``probe`` (all the query's
        matches), computed from the stored tokens, the row sizes (``_docsize``) and the table's totals (``_data`` row
        1), as fts5_aux.c does: the sum over the phrases of idf · f·(k1 + 1) / (f + k1·(1 − b + b·D/avgdl)), f the
        column-weighted count of the phrase's occurrences, idf from the number of rows the phrase occurs in. The
        occurrences are counted in the bigram table's stored text (the trigram table stores none), which holds as
        many occurrences of a term as the trigram stream does. An exact 文号 comes first, as in SQL."""
        catalogue = Publication._meta.db_table
        marks = ", ".join(["%s"] * len(probe))
        cursor.execute(f"SELECT p.id FROM {catalogue} p WHERE p.id IN ({marks}) AND {where}", [*probe, *params])
        kept = [int(row[0]) for row in cursor.fetchall()]
        if not kept:
            return 0, False, []
        # One phrase occurs in every match; with more, each one's row count needs every match's tokens.
        read = kept if len(phrases) == 1 else probe
        marks = ", ".join(["%s"] * len(read))
        cursor.execute(
            f"SELECT rowid, title, doc_number, body, attachments, wh_key FROM {FTS_TABLE} WHERE rowid IN ({marks})",
            read,
        )
        columns: dict[int, tuple[str, ...]] = {}
        exact: dict[int, bool] = {}
        for row in cursor.fetchall():
            columns[int(row[0])] = tuple(text or "" for text in row[1:5])
            exact[int(row[0])] = bool(query.doc_number) and row[5] == query.doc_number
        # per row, per phrase: the column-weighted occurrences
        frequencies = {
            pk: [
                sum(
                    weight * _occurrences(text, phrase, prefix)
                    for weight, text in zip(_FTS_WEIGHT_VALUES, texts, strict=False)
                )
                for phrase, prefix in phrases
            ]
            for pk, texts in columns.items()
        }
        marks = ", ".join(["%s"] * len(kept))
        cursor.execute(f"SELECT id, sz FROM {table}_docsize WHERE id IN ({marks})", kept)
        sizes = {int(pk): sum(_varints(bytes(sz))) for pk, sz in cursor.fetchall()}
        cursor.execute(f"SELECT block FROM {table}_data WHERE id = 1")  # the averages record
        totals = _varints(bytes(cursor.fetchone()[0]))
        rows, avgdl = totals[0], sum(totals[1:]) / max(totals[0], 1)
        idfs = []
        for i in range(len(phrases)):
            hits = len(probe) if len(phrases) == 1 else sum(1 for counts in frequencies.values() if counts[i] > 0)
            idf = math.log((rows - hits + 0.5) / (hits + 0.5))
            idfs.append(idf if idf > 0 else 1e-6)
        k1, b = 1.2, 0.75
        scored = []
        for pk in kept:
            length = sizes.get(pk, 0)
            score = sum(
                idf * (frequency * (k1 + 1)) / (frequency + k1 * (1 - b + b * length / avgdl))
                for idf, frequency in zip(idfs, frequencies.get(pk, [0.0] * len(phrases)), strict=True)
            )
            scored.append((pk, score, exact.get(pk, False)))
        scored.sort(key=lambda row: (not row[2], -row[1], -row[0]))
        return len(scored), False, [(pk, score) for pk, score, _ in scored[offset : offset + limit]]

    def _many_agencies(
        self,
        cursor: CursorWrapper,
        table: str,
        agency_ids: Sequence[int],
        probe: list[int],
        expression: str,
        where: str,
        params: list[Param],
        window: int,
    ) -> None:
        """A common query limited to more agencies than the MATCH takes: their items, newest first, each checked
        against the matches; the rows are left in ``cursor``."""
        catalogue = Publication._meta.db_table
        if self._few_items(cursor, agency_ids, probe):
            # The agencies hold few items against the matches: walk their items newest first (the agency index)
            # and ask FTS5 about each one (``rowid =`` is a seek into the doclists, ~25 µs), until the window is
            # full. Collecting the whole match set instead costs ~0.35 µs a match (~35 ms at 100 k matches).
            cursor.execute(
                f"SELECT p.id, p.title, p.doc_number FROM {catalogue} p WHERE {where} "
                f"AND EXISTS (SELECT 1 FROM {table} WHERE {table} MATCH %s AND {table}.rowid = p.id) "
                "ORDER BY p.id DESC LIMIT %s",
                [*params, expression, window + 1],
            )
        else:
            # Agencies with many items: walk them newest first and look each up in the match set, built once
            # (``+p.id`` keeps SQLite from driving the walk from the match set through the primary key, which
            # reads a catalogue row per match: ~170 ms at 100 k matches).
            cursor.execute(
                f"SELECT p.id, p.title, p.doc_number FROM {catalogue} p WHERE {where} "
                f"AND +p.id IN (SELECT rowid FROM {table} WHERE {table} MATCH %s) "
                "ORDER BY p.id DESC LIMIT %s",
                [*params, expression, window + 1],
            )

    def _few_items(self, cursor: CursorWrapper, agency_ids: Sequence[int], probe: list[int]) -> bool:
        """Whether asking FTS5 about each of the agencies' items is cheaper than collecting every match: the items
        number less than ``PROBE_RATIO``-th of the matches, estimated from how far back the newest ``probe`` reach
        (the ids are roughly evenly spread over the matches)."""
        catalogue = Publication._meta.db_table
        cursor.execute(f"SELECT max(id) FROM {catalogue}")
        newest = max(cursor.fetchone()[0] or 0, probe[0])
        reach = max(newest - min(probe) + 1, 1)
        estimated_matches = len(probe) * max(newest, 1) / reach
        cursor.execute(
            f"SELECT count(*) FROM {catalogue} WHERE agency_id IN ({', '.join(['%s'] * len(agency_ids))})",
            [int(pk) for pk in agency_ids],
        )
        items = int(cursor.fetchone()[0])
        return items * _PROBE_RATIO < estimated_matches


# -- PostgreSQL tsvector + GIN -----------------------------------------------------------------------------------


def chunks(text: str, size: int = PG_CHUNK_CHARS, overlap: int = PG_CHUNK_OVERLAP) -> list[str]:
    """Overlapping pieces: any substring of up to ``overlap`` characters lies whole inside one piece. A piece cut
    inside a Han run ends in a unigram of a character that is really there, so the cut adds no false match."""
    if len(text) <= size + overlap:
        return [text]
    return [text[start : start + size + overlap] for start in range(0, len(text), size)]


def _pg_term(term: Term, *, loose: bool = False) -> str:
    """The term as a tsquery phrase; ``loose``: all its tokens anywhere in the chunk (answered by the GIN index
    alone, without reading the tsvector's positions)."""
    quoted = [f"'{token.replace(chr(39), chr(39) * 2)}'" for token in term.tokens]
    if term.prefix:
        quoted[-1] += ":*"
    return (" & " if loose else " <-> ").join(quoted)


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

    def optimize(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list('search_pgchunk_vector')")
            cursor.execute(f"ANALYZE {PG_TABLE}")

    def _match_page(
        self, query: Query, filters: Filters, limit: int, offset: int
    ) -> tuple[int, bool, list[tuple[int, float]]]:
        # A term must match inside one chunk (a phrase never spans fields or chunks), but different terms may match
        # different chunks of the same publication. The candidates are the intersection over the terms of the
        # publications with a chunk holding all the term's tokens, plus those with the exact 文号 — GIN lookups that
        # read no tsvector. A phrase (positions: its tsvector is read, ~20 µs a chunk) is then checked only on the
        # newest candidates, until the window is full.
        terms = [_pg_term(term) for term in query.terms]
        doc_token = f"'{query.doc_number}'" if query.doc_number else ""
        sets = [f"SELECT publication_id FROM {PG_TABLE} WHERE vector @@ to_tsquery('simple', %s)"] * len(terms)
        set_params: list[Param] = [_pg_term(term, loose=True) for term in query.terms]
        phrases = [_pg_term(term) for term in query.terms if len(term.tokens) > 1]
        # Scalar subqueries (not EXISTS, which the planner turns into a join over every candidate), applied above
        # the candidates sorted newest first (OFFSET 0 keeps them from being pushed below the sort), so that the
        # LIMIT stops the checking.
        strict = " AND ".join(
            [
                f"(SELECT true FROM {PG_TABLE} c WHERE c.publication_id = m.id "
                "AND c.vector @@ to_tsquery('simple', %s) LIMIT 1)"
            ]
            * len(phrases)
        )
        strict_params: list[Param] = list(phrases)
        if strict and doc_token:
            strict = (
                f"((SELECT true FROM {PG_TABLE} c WHERE c.publication_id = m.id AND c.wh_key = %s LIMIT 1) "
                f"OR ({strict}))"
            )
            strict_params.insert(0, query.doc_number)
        ids_sql = " INTERSECT ".join(sets)
        if doc_token:
            exact_sql = (
                f"SELECT publication_id FROM {PG_TABLE} WHERE vector @@ to_tsquery('simple', %s) AND wh_key = %s"
            )
            ids_sql = f"({ids_sql}) UNION {exact_sql}" if ids_sql else exact_sql
            set_params += [doc_token, query.doc_number]
        where, params = self._filter_sql(filters)
        window = _window(limit, offset)
        any_term = " | ".join(f"({alt})" for alt in [*terms, *([doc_token] if doc_token else [])])
        with self.connection.cursor() as cursor:
            # The planner prices a sequential scan of the chunks below the GIN index, but the scan evaluates every
            # tsvector (75 ms for a zero-hit query at 10 k documents against < 1 ms): only this statement is told
            # so (SET LOCAL semantics), and the setting is put back for the rest of the caller's transaction.
            with transaction.atomic(using=self.connection.alias):
                cursor.execute("SELECT current_setting('enable_seqscan')")
                previous = cursor.fetchone()[0]
                cursor.execute("SELECT set_config('enable_seqscan', 'off', true)")
                cursor.execute(
                    f"WITH ids AS MATERIALIZED ({ids_sql}) SELECT m.id, m.title, m.doc_number FROM "
                    f"(SELECT p.id, p.title, p.doc_number FROM {Publication._meta.db_table} p "
                    f"JOIN ids ON ids.publication_id = p.id WHERE {where} ORDER BY p.id DESC OFFSET 0) m "
                    f"{'WHERE ' + strict if strict else ''} ORDER BY m.id DESC LIMIT %s",
                    [*set_params, *params, *strict_params, window + 1],
                )
                candidates = cursor.fetchall()
                cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [previous])
            if len(candidates) > RANKED_MATCHES:
                return _title_then_newest(query, candidates, window, limit, offset)
            if not candidates:
                return 0, False, []
            # Few matches: rank them all (exact 文号 first, then the sum of ts_rank_cd over the matching chunks).
            cursor.execute(
                "SELECT c.publication_id, sum(ts_rank_cd(c.vector, to_tsquery('simple', %s))), "
                f"bool_or(c.wh_key = %s) FROM {PG_TABLE} c WHERE c.publication_id = ANY(%s) "
                "AND c.vector @@ to_tsquery('simple', %s) GROUP BY c.publication_id",
                [any_term, query.doc_number or None, [int(row[0]) for row in candidates], any_term],
            )
            ranked = sorted(
                ((int(pk), float(score), bool(exact)) for pk, score, exact in cursor.fetchall()),
                key=lambda row: (not row[2], -row[1], -row[0]),
            )
            return len(ranked), False, [(pk, score) for pk, score, _ in ranked[offset : offset + limit]]


_BACKENDS: dict[str, type[SearchBackend]] = {"sqlite": SqliteBackend, "postgresql": PostgresBackend}


def get_backend(using: str = "default") -> SearchBackend:
    connection = connections[using]
    try:
        return _BACKENDS[connection.vendor](connection)
    except KeyError:
        raise RuntimeError(f"全文检索不支持数据库 {connection.vendor}（只支持 SQLite 与 PostgreSQL）") from None
