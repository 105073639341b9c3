"""Compare two versions of the search code on the same data (not a test).

    GONGKAI_DATABASE_URL=sqlite:////tmp/bench6_1m.sqlite3 .venv/bin/python benchmarks/search_compare.py \
        TREE DOCS PAGES.json

Runs ``gongkai.search.selectors.search(…, limit=20)`` — what the portal calls — for the query draw of ``search.py``
(same seeds, so the same 192 queries for a database it built with DOCS documents) against that existing database,
with the code of the working tree TREE (e.g. a ``git worktree`` of an older commit, then this one: alternate them),
3 runs a query, the median. Prints p50 / p95 per class with ``search.py``'s percentile, and writes each query's total,
page ids and time to PAGES.json, so that two trees' pages can be compared.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path


def main() -> None:
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    tree, docs, out = Path(sys.argv[1]).resolve(), int(sys.argv[2]), Path(sys.argv[3])
    if not os.environ.get("GONGKAI_DATABASE_URL"):
        sys.exit("请用 GONGKAI_DATABASE_URL 指定 search.py 建好的基准数据库")
    sys.path[:0] = [str(tree), str(tree / "benchmarks")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import search as bench  # benchmarks/search.py of that tree
    from corpus import Corpus

    import gongkai
    from gongkai.agencies.models import Agency
    from gongkai.search.selectors import search

    if not str(gongkai.__file__).startswith(str(tree)):
        sys.exit(f"gongkai was imported from {gongkai.__file__}, not from {tree}")
    seed = 20261127  # search.py's default --seed; its queries are drawn with seed + 1
    queries = bench.draw_queries(Corpus(seed), min(docs, bench.DRAW_FROM), 16, seed + 1)
    from django.db import connection

    if "publications_publication" not in connection.introspection.table_names():
        sys.exit("这个数据库还没有基准数据：先用 benchmarks/search.py 在其中建库")
    agency_pks = list(Agency.objects.order_by("pk").values_list("pk", flat=True))
    times: dict[str, list[float]] = {}
    pages = []
    for q in queries:
        agency_ids = [agency_pks[q.agency]] if q.agency is not None else None
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            page = search(q.text, agency_ids=agency_ids, year=q.year, limit=20)
            runs.append((time.perf_counter() - started) * 1000)
        median = statistics.median(runs)
        times.setdefault(q.klass, []).append(median)
        pages.append([q.klass, q.text, q.agency, q.year, page.total, [hit.publication_id for hit in page], median])
    every = [t for values in times.values() for t in values]
    for klass, values in times.items():
        print(f"{klass:6} p50 {bench.pct(values, 50):6.1f} p95 {bench.pct(values, 95):6.1f}")
    print(
        f"all    p50 {bench.pct(every, 50):6.1f} p95 {bench.pct(every, 95):6.1f} p99 {bench.pct(every, 99):6.1f}"
        f"  load {os.getloadavg()[0]:.2f}"
    )
    out.write_text(json.dumps(pages, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
