"""Benchmark: portal throughput under load against a hello-world Django view on the same server (not a test).

    GONGKAI_DATABASE_URL=sqlite:////tmp/bench_portal.sqlite3 .venv/bin/python benchmarks/portal_throughput.py

In a THROWAWAY database (the URL must be given and must not be the demo database) it loads --docs documents of
``benchmarks/corpus.py`` (200 agencies; published, on the 门户网站) unless they are there, then starts gunicorn on
loopback with the settings ``gongkai serve`` uses (2 workers × 4 threads; no access log) and measures requests/s with
``wrk`` (or, without it, a Python client: threads with keep-alive ``http.client`` connections) for
  • ``/hello/`` — a hello-world view through the same middleware (added only here: this module doubles as the
    settings module, ``config.settings`` + ``ROOT_URLCONF`` pointing back at this module, whose ``urlpatterns`` add
    ``/hello/`` in front of ``config.urls``),
  • the portal 目录 ``/agencies/<code>/xxgk/catalogue/`` of one department, and
  • an item page ``/agencies/<code>/xxgk/<pk>/``.
Rounds alternate the three URLs (--rounds × --seconds each); the median per URL is printed with its ratio to
hello-world. Goal: list and item pages ≥ 50 % of hello-world.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

if __name__ != "__main__":
    # Imported by Django (DJANGO_SETTINGS_MODULE=portal_throughput) in the gunicorn workers: the project's settings,
    # with this module as the URLconf. ``urlpatterns`` is resolved lazily (PEP 562): apps are not ready yet here.
    from config.settings import *  # noqa: F403

    ROOT_URLCONF = __name__

    def __getattr__(name: str) -> Any:
        if name != "urlpatterns":
            raise AttributeError(name)
        from django.http import HttpRequest, HttpResponse
        from django.urls import include, path

        def hello(request: HttpRequest) -> HttpResponse:
            return HttpResponse("Hello, world", content_type="text/plain; charset=utf-8")

        patterns = [path("hello/", hello), path("", include("config.urls"))]
        globals()["urlpatterns"] = patterns
        return patterns


def _guard() -> str:
    url = os.environ.get("GONGKAI_DATABASE_URL", "")
    if not url:
        sys.exit("请用 GONGKAI_DATABASE_URL 指定一个可丢弃的数据库（不要用演示数据库）")
    if "var/gongkai.sqlite3" in url or url.rstrip("/").endswith("/gongkai"):
        sys.exit(f"拒绝在演示/正式数据库上运行：{url}")
    return url


def prepare(docs: int, seed: int) -> tuple[str, int]:
    """Load the catalogue when it is not there; (agency code, item pk) to request."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from corpus import AGENCIES, Corpus, db_agencies, db_insert
    from django.core.management import call_command
    from django.db import transaction

    from gongkai.publications.models import Publication

    call_command("migrate", interactive=False, verbosity=0)
    agency_pks = db_agencies()
    have = Publication.objects.filter(agency__code__startswith="bench-").count()
    if have < docs:
        if have:
            sys.exit(f"数据库里已有 {have} 条基准数据，少于 --docs {docs}：请换一个空数据库")
        corpus = Corpus(seed)
        seqs: dict[tuple[int, int], int] = {}
        started = time.perf_counter()
        for start in range(0, docs, 2000):
            batch = [corpus.doc(i) for i in range(start, min(docs, start + 2000))]
            with transaction.atomic():
                db_insert(batch, agency_pks, seqs)
        print(f"loaded {docs:,} documents in {time.perf_counter() - started:.0f} s")
    agency = AGENCIES[2]  # 湛河区司法局 (a department: its 目录 is its own items)
    pk = (
        Publication.objects.filter(agency__code=agency.code, status="published")
        .order_by("-published_on", "-pk")
        .values_list("pk", flat=True)[3]
    )
    count = Publication.objects.filter(agency__code=agency.code).count()
    print(f"catalogue: {Publication.objects.count():,} items; {agency.name} has {count} items (目录 page 1 of them)")
    return agency.code, pk


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def python_client(host: str, port: int, path: str, seconds: float, connections: int) -> tuple[float, int]:
    stop = time.perf_counter() + seconds
    counts = [0] * connections
    errors = [0] * connections

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        while time.perf_counter() < stop:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                counts[n] += 1
            else:
                errors[n] += 1
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - started), sum(errors)


def wrk_client(host: str, port: int, path: str, seconds: float, connections: int) -> tuple[float, int]:
    # wrk from PATH (apt), our own arguments
    arguments = ["wrk", "-t2", f"-c{connections}", f"-d{int(seconds)}s", f"http://{host}:{port}{path}"]
    output = subprocess.run(  # noqa: S603
        arguments,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])  # type: ignore[index]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rate, int(bad[1]) if bad else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    options = parser.parse_args()
    url = _guard()
    code, pk = prepare(options.docs, options.seed)

    host, port = "127.0.0.1", free_port()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="portal_throughput", PYTHONPATH=f"{HERE}{os.pathsep}{ROOT}")
    env.setdefault("GONGKAI_DEBUG", "false")  # as in production: no query log in the workers
    # as in production (config/settings.py: 60 s when GONGKAI_ENV=production): persistent connections, so the page
    # cache's one version query runs on an open connection
    env.setdefault("GONGKAI_DB_CONN_MAX_AGE", "60")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn), "config.wsgi:application", "--bind", f"{host}:{port}", "--workers", "2", "--threads", "4",
        "--timeout", "60", "--access-logfile", "/dev/null", "--error-logfile", "-",
    ]  # fmt: skip
    server = subprocess.Popen(  # noqa: S603 — our own arguments
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        paths = {
            "hello-world": "/hello/",
            "目录 list": f"/agencies/{code}/xxgk/catalogue/",
            "item page": f"/agencies/{code}/xxgk/{pk}/",
        }
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = http.client.HTTPConnection(host, port, timeout=10)
                for path in paths.values():  # warm every worker's caches a little, and check each page works
                    for _ in range(4):
                        conn.request("GET", path)
                        response = conn.getresponse()
                        body = response.read()
                        if response.status != 200:
                            sys.exit(f"{path}: HTTP {response.status}\n{body[:500]!r}")
                break
            except (ConnectionRefusedError, http.client.RemoteDisconnected):
                if time.monotonic() > deadline or server.poll() is not None:
                    sys.exit("gunicorn did not start:\n" + (server.stderr.read().decode() if server.stderr else ""))
                time.sleep(0.3)
        use_wrk = options.client == "wrk" or (options.client == "auto" and shutil.which("wrk"))
        client = wrk_client if use_wrk else python_client
        print(
            f"server: gunicorn 2 workers × 4 threads on {host}:{port} ({url.split('://')[0]}); client: "
            f"{'wrk -t2' if use_wrk else 'Python threads, keep-alive'} -c{options.connections}, "
            f"{options.rounds} rounds × {options.seconds:.0f} s per URL"
        )
        rates: dict[str, list[float]] = {name: [] for name in paths}
        for _ in range(options.rounds):
            for name, path in paths.items():
                rate, errors = client(host, port, path, options.seconds, options.connections)
                if errors:
                    print(f"  {name}: {errors} non-200 responses")
                rates[name].append(rate)
        hello = statistics.median(rates["hello-world"])
        for name, path in paths.items():
            median = statistics.median(rates[name])
            runs = ", ".join(f"{r:.0f}" for r in rates[name])
            goal = "" if name == "hello-world" else "  (goal ≥ 50 %)"
            print(f"  {name:12s} {path:40s} {median:8.0f} req/s  [{runs}]  {median / hello:6.1%} of hello-world{goal}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
