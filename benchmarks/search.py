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
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
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

    def add(self, items: list[tuple[int, Doc]]) -> None:
        from gongkai.search.tokenize import index_tokens

        started = time.perf_counter()
        for pk, doc in items:
            document = self.t.Document()
            values = (doc.title, doc.doc_number, f"{doc.summary}\n{doc.body}", doc.attachment)
            for name, value in zip(self.FIELDS, values, strict=True):
                if value:
                    text = value if self.kind == "ngram" else index_tokens(value, doc_number=name == "doc_number")
                    document.add_text(name, text)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--queries", type=int, default=200, help="timed queries per engine (half with a filter)")
    parser.add_argument("--slow", type=int, default=4, help="texts per class asked of the scanning engines (b, c)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per query of the indexed engines (median)")
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--no-tantivy-bigram", action="store_true")
    options = parser.parse_args()
    url = _guard()

    import django

    django.setup()
    from corpus import db_agencies, db_insert
    from django.core.management import call_command
    from django.db import connection, transaction

    from gongkai.publications.models import ChannelDelivery, Publication, PublicationAttachment
    from gongkai.search.backends import Filters, get_backend
    from gongkai.search.ddl import FTS_TABLE, PG_TABLE
    from gongkai.search.documents import IndexFields
    from gongkai.search.models import IndexEntry
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
            cursor.execute(
                f"CREATE VIRTUAL TABLE {TRIGRAM} USING fts5(title, doc_number, body, attachments, tokenize='trigram')"
            )
            cursor.execute("VACUUM")
    agency_pks = db_agencies()

    corpus = Corpus(options.seed)
    per_class = max(1, options.queries // (2 * len(CLASSES)))
    queries = draw_queries(corpus, options.docs, per_class, options.seed + 1)
    by_text: dict[str, list[Q]] = defaultdict(list)
    for q in queries:
        by_text[q.text].append(q)
    texts = list(by_text)
    print(f"queries: {len(queries)} ({per_class} texts per class × with/without a filter)")

    # -- one pass: catalogue, our index, trigram, tantivy, ground truth -------------------------------------
    folder = Path(tempfile.mkdtemp(prefix="gongkai-bench-tantivy-"))
    engines_t = [Tantivy("ngram", folder / "ngram")]
    if not options.no_tantivy_bigram:
        engines_t.append(Tantivy("bigram", folder / "bigram"))
    timers = defaultdict(float)
    meta: dict[int, tuple[int, int]] = {}  # pk -> (agency index, year)
    seqs: dict[tuple[int, int], int] = {}
    started = time.perf_counter()
    done = 0
    while done < options.docs:
        t0 = time.perf_counter()
        docs = [corpus.doc(i) for i in range(done, min(options.docs, done + options.batch))]
        timers["generate"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        with transaction.atomic():
            pks = db_insert(docs, agency_pks, seqs)
        timers["catalogue"] += time.perf_counter() - t0
        items = list(zip(pks, docs, strict=True))
        t0 = time.perf_counter()
        with transaction.atomic():
            backend.index_many(
                [
                    (
                        pk,
                        IndexFields(
                            title=d.title,
                            doc_number=d.doc_number,
                            body=f"{d.summary}\n{d.body}",
                            attachments=d.attachment,
                        ),
                    )
                    for pk, d in items
                ]
            )
        timers["ours"] += time.perf_counter() - t0
        if sqlite:
            t0 = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {TRIGRAM} (rowid, title, doc_number, body, attachments) VALUES (%s, %s, %s, %s, %s)",
                    [(pk, d.title, d.doc_number, f"{d.summary}\n{d.body}", d.attachment) for pk, d in items],
                )
            timers["trigram"] += time.perf_counter() - t0
        for engine in engines_t:
            engine.add(items)
        t0 = time.perf_counter()
        for pk, d in items:
            meta[pk] = (d.agency, d.published_on.year)
            haystack = d.text()
            for text in texts:
                if text in haystack:
                    for q in by_text[text]:
                        q.truth.add(pk)
        timers["truth"] += time.perf_counter() - t0
        done += len(docs)
        rate = done / (time.perf_counter() - started)
        print(f"  … {done:,} documents ({rate:,.0f}/s overall)", end="\r", flush=True)
    for engine in engines_t:
        engine.commit()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"loaded {options.docs:,} documents in {time.perf_counter() - started:.0f} s" + " " * 20)

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
        f"  corpus generation: {options.docs / timers['generate']:,.0f} docs/s;  ground truth: {timers['truth']:.0f} s"
    )
    print(
        f"  catalogue rows (bulk_create): {options.docs / timers['catalogue']:,.0f} docs/s, "
        f"{sizes.get('catalogue', 0) / mb:,.0f} MB (publications tables)"
    )
    build_rows = [
        ("ours", "our index (index_many)"),
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

    def ours_full(q: Q) -> tuple[int, list[int]]:
        page = backend.search(
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
    if sqlite:
        engines.append(Engine("FTS5 trigram", trigram, True))

    slow_texts: set[str] = set()
    for klass in CLASSES:
        slow_texts.update([q.text for q in queries if q.klass == klass][: 2 * options.slow])

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
        for q in asked:
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
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
