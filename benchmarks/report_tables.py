"""Benchmark: the annual report's tables at platform scale, one report page, and the checker (not a test).

    GONGKAI_DATABASE_URL=sqlite:////tmp/bench_reports.sqlite3 .venv/bin/python benchmarks/report_tables.py
    GONGKAI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongkai_bench .venv/bin/python benchmarks/report_tables.py

In a THROWAWAY database (the URL must be given and must not be the demo database) it generates a platform of
--agencies agencies and --cases 依申请公开 cases over 2024–2026 (bulk inserts; realistic mix of applicant types,
outcomes, carry-overs), then measures in one run:
  (a) the floor: one raw SQL ``GROUP BY agency_id, applicant_type, outcome`` over the whole case table;
  (b) building every agency's 表三 for one year (``cases.selectors.table_three_counts``: one grouped query + the
      fold into 25 rows × 7 columns per agency) — goal ≤ 2× the floor;
  (c) one report page (the staff report page, rendered by the Django test client, server time) for an agency with
      --big cases — goal ≤ 100 ms;
  (d) the checker's throughput on Markdown and HTML reports rendered by the project — goal ≥ 50 reports/s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

YEAR = 2025


def _guard() -> str:
    url = os.environ.get("GONGKAI_DATABASE_URL", "")
    if not url:
        sys.exit("请用 GONGKAI_DATABASE_URL 指定一个可丢弃的数据库（不要用演示数据库）")
    if "var/gongkai.sqlite3" in url or url.rstrip("/").endswith("/gongkai"):
        sys.exit(f"拒绝在演示/正式数据库上运行：{url}")
    return url


def _best(fn: object, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return min(times)


def generate(options: argparse.Namespace) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from gongkai.agencies.models import Agency, Kind, Level
    from gongkai.cases.codebook import ApplicantType, Outcome
    from gongkai.cases.models import Case

    rng = random.Random(options.seed)
    Case.objects.all().delete()
    Agency.objects.filter(code__startswith="bench-").delete()
    agencies = Agency.objects.bulk_create(
        Agency(name=f"基准机关{i:05d}", code=f"bench-{i:05d}", level=Level.COUNTY, kind=Kind.DEPARTMENT)
        for i in range(options.agencies)
    )
    ids = [a.pk for a in agencies]
    big = ids[0]
    types = [t.value for t in ApplicantType]
    type_weights = [70, 12, 2, 3, 8, 5]
    outcomes = [o.value for o in Outcome]
    outcome_weights = [30, 10, 1, 1, 1, 3, 2, 4, 2, 2, 12, 8, 2, 3, 2, 1, 1, 1, 2, 1, 3]
    start = dt.date(2024, 1, 1)
    span = (dt.date(2026, 11, 20) - start).days
    now = timezone.now()
    batch: list[Case] = []
    seq: dict[tuple[int, int], int] = {}
    made = 0
    started = time.perf_counter()

    def flush() -> None:
        with transaction.atomic():
            Case.objects.bulk_create(batch, batch_size=5000)
        batch.clear()

    total = options.cases
    for n in range(total):
        agency_id = big if n < options.big else ids[1 + (n % (len(ids) - 1))]
        received = start + dt.timedelta(days=rng.randrange(span))
        open_case = rng.random() < 0.04
        closed = None if open_case else received + dt.timedelta(days=rng.randrange(1, 45))
        key = (agency_id, received.year)
        seq[key] = seq.get(key, 0) + 1
        batch.append(
            Case(
                agency_id=agency_id,
                year=received.year,
                seq=seq[key],
                number=f"{received.year}-{seq[key]:05d}",
                tracking_code=f"B{n:011d}",
                channel="in_person",
                status="processing" if open_case else "closed",
                outcome="" if open_case else rng.choices(outcomes, outcome_weights)[0],
                submitted_at=now,
                received_on=received,
                closed_on=closed,
                applicant_type=rng.choices(types, type_weights)[0],
                applicant_name="申请人",
                id_type="resident_id",
                provision_form="electronic",
                obtain_method="email",
            )
        )
        made += 1
        if len(batch) >= 20_000:
            flush()
            print(f"  … {made:,} cases", end="\r", flush=True)
    flush()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE cases_case")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"generated {options.agencies:,} agencies and {made:,} cases in {time.perf_counter() - started:.1f} s")


def measure_tables() -> tuple[float, float]:
    from django.db import connection

    from gongkai.cases.selectors import table_three_counts

    def floor() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT agency_id, applicant_type, outcome, COUNT(*) FROM cases_case GROUP BY agency_id, applicant_type, outcome"
            )
            cursor.fetchall()

    def tables() -> None:
        built = table_three_counts(YEAR)
        assert built, "no tables built"

    return _best(floor), _best(tables)


def measure_page(big_agency_code: str) -> list[float]:
    from django.test import Client
    from django.utils import timezone

    from gongkai.accounts.models import Membership, User, UserKind
    from gongkai.accounts.roles import Role
    from gongkai.agencies.models import Agency

    agency = Agency.objects.get(code=big_agency_code)
    # A 经办人 reads the report page and needs no second factor (a 负责人 would: 等保 two-factor rule, issue 8); the
    # password counts as chosen so the forced-change step does not redirect.
    user, _ = User.objects.get_or_create(username="bench-handler", defaults={"kind": UserKind.STAFF})
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["must_change_password", "password_changed_at"])
    Membership.objects.get_or_create(user=user, agency=agency, role=Role.HANDLER)
    client = Client()
    client.force_login(user)
    url = f"/staff/reports/{agency.pk}/{YEAR}/"
    first = client.get(url)
    if first.status_code != 200:
        print(f"  report page {url}: HTTP {first.status_code} — skipped")
        return []
    times = []
    for _ in range(20):
        started = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - started)
    return times


def measure_checker() -> dict[str, float]:
    from decimal import Decimal

    from gongkai.reports.checker import read_report
    from gongkai.reports.render import RenderMeta, render
    from gongkai.reports.rules import check
    from gongkai.reports.schema import TABLE3_COLS, TABLE3_ROWS, ReportData

    rng = random.Random(1)
    rates = {}
    with tempfile.TemporaryDirectory() as folder:
        for fmt in ("md", "html"):
            paths = []
            for i in range(40):
                report = ReportData(agency=f"基准机关{i:05d}", year=YEAR, agency_kind="department")
                for row, _label in TABLE3_ROWS:
                    for col in TABLE3_COLS:
                        report.table3[row][col] = rng.randrange(0, 50)
                report.table2["行政事业性收费"] = Decimal("12.3456")
                report.sections = {key: "本机关认真贯彻落实《条例》。" * 20 for key in ("1", "1.1", "1.2", "5", "6")}
                meta = RenderMeta(
                    title=f"基准机关{i:05d}{YEAR}年政府信息公开工作年度报告", agency_name=f"基准机关{i:05d}"
                )
                path = Path(folder) / f"r{i}.{fmt}"
                path.write_bytes(render(report, fmt, meta=meta))
                paths.append(path)
            started = time.perf_counter()
            rounds = 5
            for _ in range(rounds):
                for path in paths:
                    check(read_report(path))
            rates[fmt] = rounds * len(paths) / (time.perf_counter() - started)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agencies", type=int, default=3000)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--big", type=int, default=10_000, help="cases of the first agency (the report-page test)")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--reuse", action="store_true", help="keep the generated data if the case count matches")
    options = parser.parse_args()
    url = _guard()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from gongkai.cases.models import Case

    call_command("migrate", interactive=False, verbosity=0)
    print(f"database: {connection.vendor} ({url.split('@')[-1]})")
    if not (options.reuse and Case.objects.count() == options.cases):
        generate(options)

    floor, tables = measure_tables()
    print(f"(a) floor — one raw GROUP BY over {options.cases:,} cases: {floor * 1000:.0f} ms")
    print(f"(b) every agency's 表三 for {YEAR} ({options.agencies:,} agencies): {tables * 1000:.0f} ms")
    print(f"    ratio (b)/(a) = {tables / floor:.2f}  (goal ≤ 2)")

    page = measure_page("bench-00000")
    if page:
        print(
            f"(c) report page, agency with {options.big:,} cases: median {statistics.median(page) * 1000:.0f} ms, "
            f"max {max(page) * 1000:.0f} ms  (goal ≤ 100 ms)"
        )
    try:
        rates = measure_checker()
    except ImportError as error:
        print(f"(d) checker: not available ({error})")
    else:
        for fmt, rate in rates.items():
            print(f"(d) checker on {fmt}: {rate:.0f} reports/s  (goal ≥ 50)")


if __name__ == "__main__":
    main()
