"""Benchmark: Chinese full-text search at 10 k / 100 k / 1 M documents against its peers (not a test).

    GONGKAI_DATABASE_URL=sqlite:////tmp/bench_search.sqlite3 .venv/bin/python benchmarks/search.py --docs 100000
    GONGKAI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongkai_bench_search .venv/bin/python benchmarks/search.py

In a THROWAWAY database (the URL must be given and must not be the demo database) it loads --docs documents of
``benchmarks/corpus.py`` as published catalogue items (bulk inserts, a delivered 门户网站 delivery each, attachment
text for one in five) and, in the same single pass over the corpus, builds
  (a) our index (``get_backend().index_many`` in batches: ``tokenize.index_tokens`` + FTS5 / tsvector + GIN),
  (c) on SQLite, an FTS5 ``trigram`` table over the same four fields,
  (d) tantivy in-process, in a temporary directory, with its ``ngram(2,2)`` tokenizer over the same text (one
      writer thread, as our index has one); and (d') tantivy over *our* bigram tokens (whitespace tokenizer), to
      compare engines with identical tokens — tantivy's ngram tokenizer gives every gram position 0, so a phrase of
      bigrams cannot be asked of it and a multi-gram query there is an AND of its grams (a superset of the truth);
and records each one's build rate (documents/s, time in that sink only) and size. Ground truth: exact-substring over
title + 文号 + 内容概述 + 正文 + attachment, computed in Python during the same pass for the sampled queries.

Then the same query mix — 1-char, 2-char, 3–4-char, phrases (5–10 chars), 文号, zero-hit; each drawn from the corpus
and asked once without a filter and once with an agency or year filter — first page (limit 20 + the total, as the
portal asks) against (a) ``get_backend().search`` (what the portal calls: match, rank, load rows, highlight) and its
``_match`` alone, (b) a LIKE scan of the catalogue (title, 文号, 概述, 正文 or an attachment; newest first), (c) the
trigram table (``MATCH '"q"'`` for 3+ characters, its documented ``LIKE`` fallback below that), (d)/(d') tantivy.
Per engine and class: p50/p95/p99 of per-query medians over --repeat runs, and recall (and precision) against the
ground truth. Goals at 1 M on SQLite: recall 1.0 for 2+ chars, p95 ≤ 50 ms, p95 ≤ 1.5× tantivy's.
"""

# SQL here is built from constant table names and placeholders; every value is a parameter.

from __future__ import annotations

import argparse
import multiprocessing
import multiprocessing.pool
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from corpus import Corpus, Doc

CLASSES = ("1字", "2字", "3-4字", "短语", "文号", "无结果")
HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
TRIGRAM = "bench_trigram"
LIMIT = 20
DRAW_FROM = 200_000


def _guard() -> str:
    url = os.environ.get("GONGKAI_DATABASE_URL", "")
    if not url:
        sys.exit("请用 GONGKAI_DATABASE_URL 指定一个可丢弃的数据库（不要用演示数据库）")
    if "var/gongkai.sqlite3" in url or url.rstrip("/").endswith("/gongkai"):
        sys.exit(f"拒绝在演示/正式数据库上运行：{url}")
    return url


# -- the query mix ---------------------------------------------------------------------------------------------------


@dataclass
class Q:
    klass: str
    text: str
    agency: int | None = None  # index into AGENCIES
    year: int | None = None
    truth: set[int] = field(default_factory=set)  # publication pks containing text (before the filter)


def draw_queries(corpus: Corpus, docs: int, per_class: int, seed: int) -> list[Q]:
    """``per_class`` texts per class, each asked without a filter and with the agency or the year of the document it
    was drawn from."""
    rng = random.Random(seed)
    texts: dict[str, list[tuple[str, Doc]]] = {k: [] for k in CLASSES}
    zero_chars = "鸮鹬蜉蝣龘靐齉爩麤鱻猋骉"
    attempts = 0
    while any(len(v) < per_class for v in texts.values()):
        attempts += 1
        doc = corpus.doc(rng.randrange(docs))
        field_text = doc.body if rng.random() < 0.8 else (doc.attachment or doc.title)
        runs = [r for r in HAN_RUN.findall(field_text) if len(r) >= 2]
        if not runs:
            continue
        run = rng.choice(runs)
        for klass, (low, high) in (("1字", (1, 1)), ("2字", (2, 2)), ("3-4字", (3, 4)), ("短语", (5, 10))):
            if len(texts[klass]) >= per_class:
                continue
            size = rng.randint(low, high)
            if len(run) >= size:
                start = rng.randrange(len(run) - size + 1)
                texts[klass].append((run[start : start + size], doc))
                break
        if doc.doc_number and len(texts["文号"]) < per_class:
            texts["文号"].append((doc.doc_number, doc))
        if len(texts["无结果"]) < per_class:
            a, b = rng.sample(zero_chars, 2)
            texts["无结果"].append((rng.choice([f"{a}{b}", f"{a}{run[:2]}{b}", f"{run[:3]}{a}"]), doc))
        if attempts > 100 * per_class:
            break
    queries = []
    for klass, items in texts.items():
        for n, (text, doc) in enumerate(items):
            queries.append(Q(klass, text))
            if n % 2 == 0:
                queries.append(Q(klass, text, agency=doc.agency))
            else:
                queries.append(Q(klass, text, year=doc.published_on.year))
    return queries


# -- tantivy ---------------------------------------------------------------------------------------------------------


class Tantivy:
    """One tantivy index: ``ngram`` (its ngram(2,2) tokenizer over the raw text) or ``bigram`` (our tokens)."""

    FIELDS = ("title", "doc_number", "body", "attachments")

    def __init__(self, kind: str, folder: Path) -> None:
        import tantivy

        self.t = tantivy
        self.kind = kind
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        if kind == "ngram":
            tokenizer = tantivy.Tokenizer.ngram(min_gram=2, max_gram=2, prefix_only=False)
            analyzer = tantivy.TextAnalyzerBuilder(tokenizer).filter(tantivy.Filter.lowercase()).build()
        else:
            analyzer = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
        builder = tantivy.SchemaBuilder()
        for name in self.FIELDS:
            builder.add_text_field(name, stored=False, tokenizer_name="tk", index_option="position")
        builder.add_unsigned_field("id", stored=False, indexed=False, fast=True)
        builder.add_unsigned_field("agency", stored=False, indexed=True, fast=True)
        builder.add_unsigned_field("year", stored=False, indexed=True, fast=True)
        self.schema = builder.build()
        self.index = tantivy.Index(self.schema, path=str(folder))
        self.index.register_tokenizer("tk", analyzer)
        self.writer = self.index.writer(heap_size=200_000_000, num_threads=1)
        self.seconds = 0.0

    def add(self, items: list[tuple[int, Doc, tuple[str, ...]]]) -> None:
        """(pk, document, its FTS columns — our tokens of title, 文号, body, attachments, made once by the loader)."""
        started = time.perf_counter()
        for pk, doc, columns in items:
            document = self.t.Document()
            values = (
                (doc.title, doc.doc_number, f"{doc.summary}\n{doc.body}", doc.attachment)
                if self.kind == "ngram"
                else columns[:4]
            )
            for name, value in zip(self.FIELDS, values, strict=True):
                if value:
                    document.add_text(name, value)
            document.add_unsigned("id", pk)
            document.add_unsigned("agency", doc.agency)
            document.add_unsigned("year", doc.published_on.year)
            self.writer.add_document(document)
        self.seconds += time.perf_counter() - started

    def commit(self) -> None:
        started = time.perf_counter()
        self.writer.commit()
        self.writer.wait_merging_threads()
        self.seconds += time.perf_counter() - started
        self.index.reload()
        self.searcher = self.index.searcher()

    def size(self) -> int:
        return sum(p.stat().st_size for p in self.folder.rglob("*") if p.is_file())

    def _field_query(self, name: str, text: str) -> object:
        t = self.t
        if self.kind == "ngram":
            grams = [text[i : i + 2] for i in range(len(text) - 1)]
            if not grams:  # one character: any gram holding it
                return t.Query.regex_query(self.schema, name, f"({re.escape(text)}.|.{re.escape(text)})")
            if len(grams) == 1:
                return t.Query.term_query(self.schema, name, grams[0])
            # positions are all 0 with the ngram tokenizer: a phrase cannot match, so every gram must occur
            return t.Query.boolean_query([(t.Occur.Must, t.Query.term_query(self.schema, name, g)) for g in grams])
        from gongkai.search.tokenize import query_tokens

        parsed = query_tokens(text)
        alternatives = []
        for term in parsed.terms:
            tokens = list(term.tokens)
            if term.prefix:
                last = re.escape(tokens.pop())
                if not tokens:
                    alternatives.append(t.Query.regex_query(self.schema, name, f"{last}.*"))
                    continue
                alternatives.append(
                    t.Query.boolean_query(
                        [
                            (
                                t.Occur.Must,
                                t.Query.phrase_query(self.schema, name, tokens)
                                if len(tokens) > 1
                                else t.Query.term_query(self.schema, name, tokens[0]),
                            ),
                            (t.Occur.Must, t.Query.regex_query(self.schema, name, f"{last}.*")),
                        ]
                    )  # approximate: the prefix token is not tied to the phrase's position
                )
            elif len(tokens) == 1:
                alternatives.append(t.Query.term_query(self.schema, name, tokens[0]))
            else:
                alternatives.append(t.Query.phrase_query(self.schema, name, tokens))
        if parsed.doc_number and name == "doc_number":
            alternatives.append(t.Query.term_query(self.schema, name, parsed.doc_number))
        return (
            t.Query.boolean_query([(t.Occur.Should, a) for a in alternatives])
            if alternatives
            else t.Query.empty_query()
        )

    def query(self, q: Q) -> object:
        t = self.t
        text_query = t.Query.boolean_query([(t.Occur.Should, self._field_query(name, q.text)) for name in self.FIELDS])
        clauses = [(t.Occur.Must, text_query)]
        if q.agency is not None:
            clauses.append((t.Occur.Must, t.Query.term_query(self.schema, "agency", q.agency)))
        if q.year is not None:
            clauses.append((t.Occur.Must, t.Query.term_query(self.schema, "year", q.year)))
        return t.Query.boolean_query(clauses)

    def search(self, q: Q, limit: int = LIMIT) -> tuple[int, list[int]]:
        result = self.searcher.search(self.query(q), limit, count=True)
        ids = self.searcher.fast_field_values("id", [address for _, address in result.hits])
        return result.count, ids


# -- the run ---------------------------------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


# -- loading: worker processes generate, tokenise and check the ground truth; the main process writes ----------------

_WORKER: dict[str, object] = {}


def _worker_init(seed: int, texts: list[str], agency_pks: list[int]) -> None:
    _WORKER["corpus"] = Corpus(seed)
    _WORKER["texts"] = texts
    _WORKER["agency_pks"] = agency_pks


def _prepare(span: tuple[int, int]) -> list[tuple[Doc, tuple[str, ...], list[int]]]:
    """Documents start..stop, each with its FTS columns (``tokenize.fts_columns``, the function
    ``SqliteBackend.index_many`` calls, on the fields ``documents.fields_for`` builds, filter tokens included; then
    the trigram table's, ``tokenize.trigram_columns``) and
    the indices of the query texts it contains (exact substring over every searchable field)."""
    from gongkai.search.tokenize import facet_tokens, fts_columns, trigram_columns

    corpus = _WORKER["corpus"]
    texts = _WORKER["texts"]
    agency_pks = _WORKER["agency_pks"]
    if not isinstance(corpus, Corpus) or not isinstance(texts, list) or not isinstance(agency_pks, list):
        raise RuntimeError("worker not initialised")
    out = []
    for i in range(*span):
        doc = corpus.doc(i)
        body = "\n".join(part for part in (doc.summary, doc.body) if part)
        # the catalogue row ``corpus._publication`` writes: this agency, 发布日期 and category, no validity
        facets = facet_tokens(
            agency_id=agency_pks[doc.agency], published_on=doc.published_on, category=doc.category, validity=""
        )
        bigrams = fts_columns(doc.title, doc.doc_number, body, doc.attachment, facets)
        columns = (*bigrams, *trigram_columns(bigrams))  # the two tables' rows, as index_many writes them
        haystack = doc.text()
        out.append((doc, columns, [n for n, text in enumerate(texts) if text in haystack]))
    return out


def _now() -> object:
    import datetime as dt

    return dt.datetime.now(dt.UTC)


def _utc_time(hh_mm: str) -> object:
    """Today's (or, if that is more than 12 hours ago, tomorrow's) HH:MM UTC."""
    import datetime as dt

    now = dt.datetime.now(dt.UTC)
    hour, minute = (int(x) for x in hh_mm.split(":"))
    moment = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return moment + dt.timedelta(days=1) if moment < now - dt.timedelta(hours=12) else moment


def _past(moment: object) -> bool:
    return moment is not None and _now() >= moment  # type: ignore[operator]


def _wait_for_quiet(threshold: float, until: str) -> None:
    """Before the query phase: wait until the 1-minute load average is below ``threshold`` or it is ``until`` (UTC
    HH:MM), whichever comes first."""
    import datetime as dt

    if threshold <= 0:
        return
    deadline = _utc_time(until)
    while os.getloadavg()[0] >= threshold and not _past(deadline):
        print(f"  waiting for a quiet machine: load {os.getloadavg()[0]:.2f} ≥ {threshold} (until {until} UTC)")
        time.sleep(30)
    print(f"  query phase starts {dt.datetime.now(dt.UTC):%H:%M:%S} UTC, load average {os.getloadavg()}")


def _check_index_sample(backend: object, first_pk: int, docs: int) -> None:
    """The bulk loader must leave the index the real indexer leaves: re-index a sample of publications with
    ``documents.fields_for`` + ``SqliteBackend.index_many`` (what ``search_rebuild`` and the outbox call) inside a
    transaction that is rolled back, and compare the FTS5 rows and the IndexEntry versions."""
    from django.db import connection, transaction

    from gongkai.publications.models import Publication
    from gongkai.search import documents
    from gongkai.search.backends import SearchBackend
    from gongkai.search.ddl import FTS3_TABLE, FTS_TABLE
    from gongkai.search.models import IndexEntry
    from gongkai.search.services import _version
    from gongkai.search.tokenize import trigram_columns

    if not isinstance(backend, SearchBackend):
        raise TypeError(backend)
    step = max(1, docs // 40)
    sample = list(range(first_pk, first_pk + docs, step))[:40]

    def rows() -> list[tuple[object, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, title, doc_number, body, attachments, wh_key, facets FROM {FTS_TABLE} "
                f"WHERE rowid IN ({', '.join(['%s'] * len(sample))}) ORDER BY rowid",
                sample,
            )
            found = [tuple(row) for row in cursor.fetchall()]
            # the trigram table stores no text: its row sizes, and each row's first trigrams as a phrase, found there
            cursor.execute(
                f"SELECT id, sz FROM {FTS3_TABLE}_docsize WHERE id IN ({', '.join(['%s'] * len(sample))}) ORDER BY id",
                sample,
            )
            found += [(row[0], bytes(row[1])) for row in cursor.fetchall()]
            for row in found[: len(sample)]:
                tokens = trigram_columns(row[1:7])[2].split()[:6]
                if tokens:
                    cursor.execute(
                        f"SELECT count(*) FROM {FTS3_TABLE} WHERE {FTS3_TABLE} MATCH %s AND rowid = %s",
                        ['body : "' + " ".join(tokens) + '"', row[0]],
                    )
                    if cursor.fetchone()[0] != 1:
                        sys.exit(f"the trigram table does not find publication {row[0]} by a phrase of its body")
            return found

    loaded = rows()
    entries = dict(IndexEntry.objects.filter(publication_id__in=sample).values_list("publication_id", "version"))
    with transaction.atomic():
        publications = list(Publication.objects.filter(pk__in=sample))
        fields = documents.fields_for(publications)
        backend.index_many([(pk, fields[pk]) for pk in sample])
        reindexed = rows()
        versions = documents.attachment_versions(sample)
        expected = {p.pk: _version(p, versions) for p in publications}
        transaction.set_rollback(True)
    if len([row for row in loaded if len(row) == 7]) != len(sample) or loaded != reindexed:
        sys.exit("the bulk loader's FTS rows differ from those index_many writes")
    if entries != expected:
        sys.exit("the bulk loader's IndexEntry versions differ from those search_rebuild writes")
    print(
        f"  index check: {len(sample)} sampled publications re-indexed by index_many give identical FTS rows "
        "(trigram table: row sizes and a phrase of each body)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--queries", type=int, default=200, help="timed queries per engine (half with a filter)")
    parser.add_argument("--slow", type=int, default=4, help="texts per class asked of the scanning engines (b, c)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per query of the indexed engines (median)")
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--no-tantivy-bigram", action="store_true")
    parser.add_argument("--workers", type=int, default=2, help="processes generating and tokenising documents")
    parser.add_argument(
        "--trigram",
        choices=("after", "skip"),
        default="after",
        help="SQLite: build the FTS5 trigram table from the loaded catalogue (one INSERT … SELECT), or skip it",
    )
    parser.add_argument(
        "--stop-load-at",
        default="",
        help="UTC HH:MM: stop loading at this time and measure what is loaded (the figures then say how many)",
    )
    parser.add_argument("--slow-budget", type=float, default=0, help="seconds per scanning engine (0: no limit)")
    parser.add_argument("--quiet-load", type=float, default=0, help="wait for a 1-minute load below this to query")
    parser.add_argument("--quiet-until", default="07:40", help="stop waiting at this UTC time (HH:MM)")
    options = parser.parse_args()
    url = _guard()

    import django

    django.setup()
    from corpus import db_agencies, db_insert, db_insert_fast
    from django.core.management import call_command
    from django.db import connection, transaction

    from gongkai.publications.models import ChannelDelivery, Publication, PublicationAttachment
    from gongkai.search import documents
    from gongkai.search.backends import Filters, get_backend
    from gongkai.search.ddl import FTS3_TABLE, FTS_TABLE, PG_TABLE
    from gongkai.search.models import IndexEntry
    from gongkai.search.selectors import search as portal_search
    from gongkai.search.tokenize import query_tokens

    call_command("migrate", interactive=False, verbosity=0)
    sqlite = connection.vendor == "sqlite"
    print(f"database: {connection.vendor} ({url.split('@')[-1]}), SQLite {__import__('sqlite3').sqlite_version}")
    print(f"documents: {options.docs:,}   seed {options.seed}   first-page queries limit={LIMIT}")

    # -- clean slate -------------------------------------------------------------------------------------------
    backend = get_backend()
    with transaction.atomic():
        bench = Publication.objects.filter(agency__code__startswith="bench-")
        PublicationAttachment.objects.filter(publication__in=bench).delete()
        ChannelDelivery.objects.filter(publication__in=bench).delete()
        bench.delete()
        backend.clear()
        IndexEntry.objects.all().delete()
    with connection.cursor() as cursor:
        if sqlite:
            cursor.execute(f"DROP TABLE IF EXISTS {TRIGRAM}")
            cursor.execute("VACUUM")
    agency_pks = db_agencies()

    corpus = Corpus(options.seed)
    per_class = max(1, options.queries // (2 * len(CLASSES)))
    # Documents are independent draws (document i depends on the seed and i only), so drawing the queries from the
    # first DRAW_FROM documents gives the same mix as from all; it keeps them loaded if --stop-load-at cuts the load.
    queries = draw_queries(corpus, min(options.docs, DRAW_FROM), per_class, options.seed + 1)
    by_text: dict[str, list[Q]] = defaultdict(list)
    for q in queries:
        by_text[q.text].append(q)
    texts = list(by_text)
    print(f"queries: {len(queries)} ({per_class} texts per class × with/without a filter)")

    # -- one pass: catalogue, our index, tantivy, ground truth ----------------------------------------------
    # SQLite (a fresh file): the loader writes what the real indexer writes, faster — catalogue rows by
    # ``corpus.db_insert_fast`` (explicit ids, one executemany per table), the FTS5 rows made by
    # ``tokenize.fts_columns`` (what ``SqliteBackend.index_many`` inserts) in worker processes, IndexEntry rows as
    # ``search_rebuild`` writes them; journal and fsync off for this load only; FTS5 merges 64 segments at a time
    # instead of 4 (automerge 0, crisismerge 64), then ``optimize`` and the defaults back. Checked on a sample after
    # the load: the real indexer (``fields_for`` + ``index_many``) writes the same rows. PostgreSQL: the ORM bulk
    # insert and ``index_many``, as before.
    # forked before tantivy starts its writer threads
    pool = multiprocessing.get_context("fork").Pool(options.workers, _worker_init, (options.seed, texts, agency_pks))
    folder = Path(tempfile.mkdtemp(prefix="gongkai-bench-tantivy-"))
    engines_t = [Tantivy("ngram", folder / "ngram")]
    if not options.no_tantivy_bigram:
        engines_t.append(Tantivy("bigram", folder / "bigram"))
    timers: dict[str, float] = defaultdict(float)
    meta: dict[int, tuple[int, int]] = {}  # pk -> (agency index, year)
    seqs: dict[tuple[int, int], int] = {}
    if sqlite:
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM publications_publication")
            next_pk = int(cursor.fetchone()[0]) + 1
            for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -1000000", "temp_store = MEMORY"):
                cursor.execute(f"PRAGMA {pragma}")
            for table in (FTS_TABLE, FTS3_TABLE):
                cursor.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('automerge', 0)")
                cursor.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('crisismerge', 64)")
    spans = [(start, min(options.docs, start + options.batch)) for start in range(0, options.docs, options.batch)]
    pending: deque[multiprocessing.pool.AsyncResult[list[tuple[Doc, tuple[str, ...], list[int]]]]] = deque()
    started = time.perf_counter()
    done = 0
    stop_at = _utc_time(options.stop_load_at) if options.stop_load_at else None
    for span in spans:  # at most 2 batches per worker in flight, so memory stays bounded
        if stop_at is not None and _now() >= stop_at and done >= DRAW_FROM:
            print(f"\n  --stop-load-at {options.stop_load_at}: loading stopped after {done:,} documents")
            break
        pending.append(pool.apply_async(_prepare, (span,)))
        if len(pending) < 2 * options.workers and span is not spans[-1]:
            continue
        while pending and (len(pending) >= 2 * options.workers or span is spans[-1] or _past(stop_at)):
            t0 = time.perf_counter()
            prepared = pending.popleft().get()
            timers["waiting for workers"] += time.perf_counter() - t0
            docs = [d for d, _, _ in prepared]
            t0 = time.perf_counter()
            with transaction.atomic():
                if sqlite:
                    versions = db_insert_fast(docs, agency_pks, seqs, next_pk)
                    next_pk += len(docs)
                else:
                    versions = [(pk, None) for pk in db_insert(docs, agency_pks, seqs)]
            timers["catalogue"] += time.perf_counter() - t0
            pks = [pk for pk, _ in versions]
            t0 = time.perf_counter()
            with transaction.atomic():
                if sqlite:
                    with connection.cursor() as cursor:
                        cursor.executemany(
                            f"INSERT INTO {FTS_TABLE} (rowid, title, doc_number, body, attachments, wh_key, facets) "
                            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                            [(pk, *columns[:6]) for pk, (_, columns, _) in zip(pks, prepared, strict=True)],
                        )
                        cursor.executemany(
                            f"INSERT INTO {FTS3_TABLE} (rowid, title, doc_number, body, attachments, facets) "
                            "VALUES (%s, %s, %s, %s, %s, %s)",
                            [(pk, *columns[6:]) for pk, (_, columns, _) in zip(pks, prepared, strict=True)],
                        )
                    IndexEntry.objects.bulk_create(
                        [IndexEntry(publication_id=pk, version=version) for pk, version in versions],
                        batch_size=options.batch,
                    )
                else:
                    fields = documents.fields_for(Publication.objects.filter(pk__in=pks))
                    backend.index_many([(pk, fields[pk]) for pk in pks])
            timers["ours"] += time.perf_counter() - t0
            items = [(pk, d, columns) for pk, (d, columns, _) in zip(pks, prepared, strict=True)]
            for engine in engines_t:
                engine.add(items)
            t0 = time.perf_counter()
            for pk, (d, _, hits) in zip(pks, prepared, strict=True):
                meta[pk] = (d.agency, d.published_on.year)
                for n in hits:
                    for q in by_text[texts[n]]:
                        q.truth.add(pk)
            timers["truth"] += time.perf_counter() - t0
            done += len(docs)
            elapsed = time.perf_counter() - started
            print(f"  … {done:,} documents ({done / elapsed:,.0f}/s overall, {elapsed:,.0f} s)", end="\r", flush=True)
    pool.terminate()  # batches prepared after a stop are dropped
    pool.join()
    if done < options.docs:
        options.docs = done  # every figure below is for what was loaded
    for engine in engines_t:
        engine.commit()
    print(f"loaded {options.docs:,} documents in {time.perf_counter() - started:.0f} s" + " " * 30)
    if sqlite:
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            for table in (FTS_TABLE, FTS3_TABLE):
                cursor.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('automerge', 4)")
                cursor.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('crisismerge', 16)")
        backend.optimize()
        timers["ours: optimize"] = time.perf_counter() - t0
        timers["ours"] += timers["ours: optimize"]
        print(f"  our index: optimize {timers['ours: optimize']:.0f} s")
        if options.trigram == "after":
            t0 = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(
                    f"CREATE VIRTUAL TABLE {TRIGRAM} USING fts5(title, doc_number, body, attachments, "
                    "tokenize='trigram')"
                )
                # the same four fields as ours: title, 文号, 概述 + 正文, the attachments' text
                cursor.execute(
                    f"INSERT INTO {TRIGRAM} (rowid, title, doc_number, body, attachments) "
                    "SELECT p.id, p.title, p.doc_number, p.summary || char(10) || p.body, "
                    "coalesce((SELECT group_concat(a.extracted_text, char(10)) FROM publications_publicationattachment a "
                    "WHERE a.publication_id = p.id), '') FROM publications_publication p ORDER BY p.id"
                )
                cursor.execute(f"INSERT INTO {TRIGRAM} ({TRIGRAM}) VALUES ('optimize')")
            timers["trigram"] = time.perf_counter() - t0
            print(f"  FTS5 trigram table built in {timers['trigram']:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode = WAL")
        connection.close()  # the query phase runs on a connection as the settings open it (WAL, synchronous NORMAL)
        _check_index_sample(backend, next_pk - options.docs, options.docs)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    # -- sizes -------------------------------------------------------------------------------------------------
    sizes: dict[str, int] = {}
    with connection.cursor() as cursor:
        if sqlite:
            try:
                cursor.execute(
                    "SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE %s OR name LIKE %s OR name LIKE %s "
                    "GROUP BY name",
                    [f"{FTS_TABLE}%", f"{TRIGRAM}%", "publications_%"],
                )
                for name, size in cursor.fetchall():
                    key = (
                        "ours" if name.startswith(FTS_TABLE) else "trigram" if name.startswith(TRIGRAM) else "catalogue"
                    )
                    sizes[key] = sizes.get(key, 0) + int(size)
            except Exception as error:  # dbstat not compiled in
                print(f"  (dbstat unavailable: {error})")
        else:
            cursor.execute(f"SELECT pg_total_relation_size('{PG_TABLE}')")
            sizes["ours"] = int(cursor.fetchone()[0])
            cursor.execute(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                "WHERE c.relname IN ('publications_publication', 'publications_publicationattachment') "
            )
            sizes["catalogue"] = int(cursor.fetchone()[0])
    for engine in engines_t:
        sizes[f"tantivy-{engine.kind}"] = engine.size()
        timers[f"tantivy-{engine.kind}"] = engine.seconds

    mb = 1024 * 1024
    print()
    print("BUILD (time spent in each sink during the single pass; size of what it wrote)")
    print(
        f"  {options.workers} worker processes generate, tokenise and check the ground truth; the writer waited "
        f"{timers['waiting for workers']:.0f} s for them; ground truth bookkeeping {timers['truth']:.0f} s"
    )
    if sqlite:
        print(f"  database file: {os.path.getsize(connection.settings_dict['NAME']) / mb:,.0f} MB")
    print(
        f"  catalogue rows ({'raw executemany' if sqlite else 'bulk_create'}): "
        f"{options.docs / timers['catalogue']:,.0f} docs/s, "
        f"{sizes.get('catalogue', 0) / mb:,.0f} MB (publications tables)"
    )
    build_rows = [
        ("ours", "our index" + (" (FTS5 rows, IndexEntry, optimize)" if sqlite else " (index_many)")),
        ("trigram", "FTS5 trigram"),
        ("tantivy-ngram", "tantivy ngram(2,2)"),
        ("tantivy-bigram", "tantivy our bigrams"),
    ]
    for key, label in build_rows:
        if key in timers:
            size = sizes.get(key)
            print(
                f"  {label:24s} {options.docs / timers[key]:>9,.0f} docs/s   "
                + (f"{size / mb:>8,.0f} MB" if size is not None else "   size n/a")
            )

    # -- engines ---------------------------------------------------------------------------------------------------
    def filters_of(q: Q) -> Filters:
        return Filters(agency_ids=[agency_pks[q.agency]] if q.agency is not None else None, year=q.year)

    def ours_full(q: Q) -> tuple[int, list[int]]:  # what the portal's search view calls
        page = portal_search(
            q.text, agency_ids=[agency_pks[q.agency]] if q.agency is not None else None, year=q.year, limit=LIMIT
        )
        return page.total, [h.publication_id for h in page.hits]

    def ours_match(q: Q) -> tuple[int, list[int]]:
        total, rows = backend._match(query_tokens(q.text), filters_of(q), LIMIT, 0)
        return total, [pk for pk, _ in rows]

    def ours_all(q: Q) -> set[int]:
        return {pk for pk, _ in backend._match(query_tokens(q.text), filters_of(q), 10**9, 0)[1]}

    def like(q: Q) -> tuple[int, list[int]]:
        where = ["p.status = 'published'"]
        params: list[object] = []
        if q.agency is not None:
            where.append("p.agency_id = %s")
            params.append(agency_pks[q.agency])
        if q.year is not None:
            where.append("p.published_on >= %s AND p.published_on < %s")
            params += [f"{q.year}-01-01", f"{q.year + 1}-01-01"]
        pattern = f"%{q.text}%"
        where.append(
            "(p.title LIKE %s OR p.doc_number LIKE %s OR p.summary LIKE %s OR p.body LIKE %s OR EXISTS "
            "(SELECT 1 FROM publications_publicationattachment a WHERE a.publication_id = p.id "
            "AND a.extracted_text LIKE %s))"
        )
        params += [pattern] * 5
        source = f"FROM publications_publication p WHERE {' AND '.join(where)}"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT p.id {source} ORDER BY p.id DESC LIMIT {LIMIT}", params)
            ids = [row[0] for row in cursor.fetchall()]
            if len(ids) < LIMIT:
                return len(ids), ids
            cursor.execute(f"SELECT count(*) {source}", params)
            return int(cursor.fetchone()[0]), ids

    def trigram(q: Q) -> tuple[int, list[int]]:
        where = ["p.status = 'published'"]
        params: list[object] = []
        if len(q.text) >= 3:
            match = f"{TRIGRAM} MATCH %s"
            params.append('"' + q.text.replace('"', '""') + '"')
            order = "ORDER BY rank"
        else:  # below 3 characters the trigram table can only be LIKE-scanned
            pattern = f"%{q.text}%"
            match = (
                "("
                + " OR ".join(f"{TRIGRAM}.{c} LIKE %s" for c in ("title", "doc_number", "body", "attachments"))
                + ")"
            )
            params += [pattern] * 4
            order = ""
        if q.agency is not None:
            where.append("p.agency_id = %s")
            params.append(agency_pks[q.agency])
        if q.year is not None:
            where.append("p.published_on >= %s AND p.published_on < %s")
            params += [f"{q.year}-01-01", f"{q.year + 1}-01-01"]
        source = f"FROM {TRIGRAM} JOIN publications_publication p ON p.id = {TRIGRAM}.rowid WHERE {match} AND {' AND '.join(where)}"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT p.id {source} {order} LIMIT {LIMIT}", params)
            ids = [row[0] for row in cursor.fetchall()]
            if len(ids) < LIMIT:
                return len(ids), ids
            cursor.execute(f"SELECT count(*) {source}", params)
            return int(cursor.fetchone()[0]), ids

    def truth_of(q: Q) -> set[int]:
        out = q.truth
        if q.agency is not None:
            out = {pk for pk in out if meta[pk][0] == q.agency}
        if q.year is not None:
            out = {pk for pk in out if meta[pk][1] == q.year}
        return out

    @dataclass
    class Engine:
        name: str
        run: Callable[[Q], tuple[int, list[int]]]
        slow: bool
        all_ids: Callable[[Q], set[int]] | None = None

    engines = [Engine("ours: search()", ours_full, False), Engine("ours: _match only", ours_match, False, ours_all)]
    for t_engine in engines_t:

        def run_t(q: Q, e: Tantivy = t_engine) -> tuple[int, list[int]]:
            return e.search(q)

        def all_t(q: Q, e: Tantivy = t_engine) -> set[int]:
            return set(e.search(q, limit=max(1, len(q.truth) * 3 + 100))[1])

        engines.append(
            Engine(f"tantivy {'ngram(2,2)' if t_engine.kind == 'ngram' else 'our bigrams'}", run_t, False, all_t)
        )
    engines.append(Engine("LIKE scan", like, True))
    if sqlite and options.trigram == "after":
        engines.append(Engine("FTS5 trigram", trigram, True))

    slow_texts: set[str] = set()
    for klass in CLASSES:
        slow_texts.update([q.text for q in queries if q.klass == klass][: 2 * options.slow])

    _wait_for_quiet(options.quiet_load, options.quiet_until)
    loads = [os.getloadavg()[0]]
    # warm-up: every indexed engine sees the mix once (page cache, statement caches)
    for engine in engines:
        if not engine.slow:
            for q in queries:
                engine.run(q)

    results: dict[str, dict[str, dict[str, list[float]]]] = {}
    print()
    print(
        f"QUERIES — latency in ms (per-query median of {options.repeat} runs for indexed engines, 1 run for scans); "
        "recall/precision vs exact-substring truth"
    )
    for engine in engines:
        per_class: dict[str, dict[str, list[float]]] = {k: {"t": [], "recall": [], "precision": []} for k in CLASSES}
        asked = [q for q in queries if not engine.slow or q.text in slow_texts]
        engine_started = time.perf_counter()
        for q in asked:
            if engine.slow and options.slow_budget and time.perf_counter() - engine_started > options.slow_budget:
                print(
                    f"  ({engine.name}: --slow-budget {options.slow_budget:.0f} s spent, rest of its queries not asked)"
                )
                break
            times = []
            for _ in range(1 if engine.slow else options.repeat):
                t0 = time.perf_counter()
                total, ids = engine.run(q)
                times.append(time.perf_counter() - t0)
            per_class[q.klass]["t"].append(statistics.median(times) * 1000)
            truth = truth_of(q)
            if engine.all_ids is not None:
                found = engine.all_ids(q)
                hit = len(found & truth)
                if truth:
                    per_class[q.klass]["recall"].append(hit / len(truth))
                if found:
                    per_class[q.klass]["precision"].append(hit / len(found))
            else:  # scans and the full search(): the first page must be true matches; the total must be the truth's
                if truth:
                    per_class[q.klass]["recall"].append(min(total, len(truth)) / len(truth))
                if ids:
                    per_class[q.klass]["precision"].append(sum(pk in truth for pk in ids) / len(ids))
        results[engine.name] = per_class
        loads.append(os.getloadavg()[0])
        print(f"  {engine.name}")
        print(f"    {'class':8s} {'n':>4s} {'p50':>8s} {'p95':>8s} {'p99':>8s} {'recall':>7s} {'precis.':>7s}")
        everything: list[float] = []
        for klass in CLASSES:
            row = per_class[klass]
            everything += row["t"]
            recall = f"{min(row['recall']):.3f}" if row["recall"] else "—"
            recall_mean = statistics.mean(row["recall"]) if row["recall"] else None
            precision = f"{statistics.mean(row['precision']):.3f}" if row["precision"] else "—"
            recall_text = recall if recall_mean is None or recall_mean == 1 else f"{recall_mean:.3f}"
            print(
                f"    {klass:8s} {len(row['t']):>4d} {pct(row['t'], 50):>8.1f} {pct(row['t'], 95):>8.1f} "
                f"{pct(row['t'], 99):>8.1f} {recall_text:>7s} {precision:>7s}"
            )
        print(
            f"    {'all':8s} {len(everything):>4d} {pct(everything, 50):>8.1f} {pct(everything, 95):>8.1f} "
            f"{pct(everything, 99):>8.1f}"
        )

    # -- goals -----------------------------------------------------------------------------------------------------
    def all_times(name: str) -> list[float]:
        return [t for klass in CLASSES for t in results[name][klass]["t"]]

    ours = all_times("ours: search()")
    match_only = all_times("ours: _match only")
    recalls = [r for klass in CLASSES[1:] for r in results["ours: _match only"][klass]["recall"]]
    print()
    print(
        f"GOALS ({'SQLite' if sqlite else 'PostgreSQL'}, {options.docs:,} documents; the goals are set for 1 M on SQLite)"
    )
    print(f"  recall for 2+ char queries: min {min(recalls):.3f}  (goal 1.0)")
    print(f"  p95 ours search(): {pct(ours, 95):.1f} ms, _match only: {pct(match_only, 95):.1f} ms  (goal ≤ 50 ms)")
    for t_engine in engines_t:
        name = f"tantivy {'ngram(2,2)' if t_engine.kind == 'ngram' else 'our bigrams'}"
        theirs = pct(all_times(name), 95)
        print(
            f"  p95 ratio ours/{name}: search() {pct(ours, 95) / theirs:.2f}×, _match {pct(match_only, 95) / theirs:.2f}× "
            f"(tantivy p95 {theirs:.2f} ms; goal ≤ 1.5×)"
        )
    print(
        f"  1-minute load average during the query phase: {min(loads):.2f}–{max(loads):.2f} "
        f"(at start and after each engine: {', '.join(f'{x:.2f}' for x in loads)})"
    )
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
