"""Load: N concurrent applicants submit through the public JSON API to a real server for D seconds; then every
acknowledged submission must be in the database (0 lost), no case number twice, the numbers gap-free; then the
申请接收回执 queue is processed and every case must have exactly one receipt.

    nice -n 10 .venv/bin/python benchmarks/load_submit.py [--duration 60] [--concurrency 100] [--workers 4]
                                                          [--receipt-workers 2] [--skip-receipts]

The script creates a scratch PostgreSQL database ``gongkai_load_<pid>`` (``--pg`` names the server, default
postgres://postgres@127.0.0.1:5432), migrates it, creates one agency (the calendar comes with the migrations),
starts ``gongkai serve`` (gunicorn, ``--workers`` × 4 threads) on 127.0.0.1 and a free port, and drives it with
stdlib ``http.client`` keep-alive connections, one thread per applicant. Every submission is a different applicant
(phone and ID number), so the per-applicant limit (GONGKAI_APPLICANT_RATE) is what it is in production; the
per-address API limit is lifted for the run (GONGKAI_API_INTAKE_RATE=off) because every applicant here comes from
127.0.0.1. The server runs with GONGKAI_RECEIPTS=queue (the production default): a request only enqueues the receipt.
After the load the server is stopped and ``--receipt-workers`` processes of ``gongkai receipts process`` (as cron
starts them, on one machine or several) issue the queued receipts; the script reports how long that took and checks
that each case got exactly one issued receipt and no job is left. The database is dropped at the end unless
``--keep``. Loopback only; the load is bounded in time, the receipt processing by the number of submissions.

benchmarks/fault_kill.py and benchmarks/fault_db.py reuse the helpers here.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
GONGKAI = ROOT / ".venv" / "bin" / "gongkai"
PG = "postgres://postgres@127.0.0.1:5432"
AGENCY_CODE = "load-sfj"


# -- scratch database ---------------------------------------------------------------------------------------------


def _admin(pg: str) -> Any:
    import psycopg

    return psycopg.connect(f"{pg}/postgres", autocommit=True)


def create_database(pg: str, name: str) -> str:
    if not name.startswith(("gongkai_load_", "gongkai_fault_")):
        raise SystemExit(f"refusing to create a database not named gongkai_load_* / gongkai_fault_*: {name}")
    with _admin(pg) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{pg}/{name}"


def drop_database(pg: str, name: str) -> None:
    if name.startswith(("gongkai_load_", "gongkai_fault_")):
        with _admin(pg) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_env(database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "GONGKAI_ENV": "development",
        "GONGKAI_DEBUG": "false",
        "GONGKAI_DATABASE_URL": database_url,
        "GONGKAI_VAR_DIR": str(var_dir),
        "GONGKAI_API_INTAKE_RATE": "off",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
    }
    env.update(extra)
    return env


def migrate(env: dict[str, str]) -> None:
    subprocess.run([str(GONGKAI), "manage", "migrate", "--verbosity", "0"], env=env, check=True, cwd=ROOT)  # noqa: S603


def django_setup(env: dict[str, str]) -> None:
    """This process talks to the same scratch database through the ORM (seeding and the final counts)."""
    for key in ("GONGKAI_ENV", "GONGKAI_DEBUG", "GONGKAI_DATABASE_URL", "GONGKAI_VAR_DIR", "DJANGO_SETTINGS_MODULE"):
        os.environ[key] = env[key]
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed() -> dict[str, Any]:
    """One agency with a handler and a head, and an API token for each.

    The accounts are finished as their holders would finish them on the website before using a token: the password
    is the holder's own (no forced change) and a role that needs a second factor has a confirmed authenticator.
    Otherwise the API refuses their tokens (``token_waits_for``) and a fault run would drive no staff action at all.
    """
    from django_otp.oath import TOTP

    from gongkai.accounts.otp import otp_required
    from gongkai.accounts.roles import Role
    from gongkai.accounts.services import membership_grant, otp_enrol_confirm, otp_enrol_start, staff_create
    from gongkai.agencies.models import Agency, Kind, Level
    from gongkai.agencies.services import agency_create
    from gongkai.api.services import token_create, token_waits_for
    from gongkai.demo.data import credit_code

    agency = Agency.objects.filter(code=AGENCY_CODE).first() or agency_create(
        actor=None,
        data={
            "code": AGENCY_CODE,
            "name": "湛河区司法局",
            "short_name": "湛河区司法局",
            "level": Level.COUNTY,
            "kind": Kind.DEPARTMENT,
            "credit_code": credit_code("410411", "3G570999"),
        },
    )
    users = {}
    for username, role in (("load_handler", Role.HANDLER), ("load_head", Role.HEAD)):
        user = staff_create(
            actor=None,
            username=username,
            password="Load-bench-2026!x",  # noqa: S106 — a throwaway account in a throwaway database
            full_name=username,
            validate=False,
            must_change_password=False,
        )
        membership_grant(actor=None, user=user, agency=agency, role=role)
        if otp_required(user):
            # Enrolled through the same services as the website's 绑定身份验证器 page, with the code the app would show.
            device = otp_enrol_start(user=user)
            code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
            if not otp_enrol_confirm(user=user, device=device, token=f"{code:0{device.digits}d}"):
                raise SystemExit(f"{username}: 身份验证器绑定失败")
        waits = token_waits_for(user)
        if waits:
            raise SystemExit(f"{username}: {waits}")
        users[username] = user
    _token, key = token_create(user=users["load_handler"], name="bench")
    _token, head_key = token_create(user=users["load_head"], name="bench")
    return {"agency": agency, "token": key, "head_token": head_key}


# -- the server ---------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``gongkai serve`` in its own process group, so that it (master and workers) can be killed as one."""

    def __init__(self, env: dict[str, str], port: int, workers: int, log: Path) -> None:
        self.env, self.port, self.workers, self.log = env, port, workers, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> None:
        handle = self.log.open("ab")
        self.proc = subprocess.Popen(  # noqa: S603
            [str(GONGKAI), "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers)],
            env=self.env,
            cwd=ROOT,
            stdout=handle,
            stderr=handle,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/api/schema/?format=json")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited with {self.proc.returncode}; see {self.log}")
            time.sleep(0.3)
        raise SystemExit(f"server not ready after {timeout} s; see {self.log}")

    def pids(self) -> list[int]:
        """The master and its workers (children read from /proc)."""
        if self.proc is None:
            return []
        master = self.proc.pid
        children = []
        for status in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = status.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == master:
                    children.append(int(status.parent.name))
        return [master, *children]

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)
        self.kill(signal.SIGKILL)


# -- applicants ---------------------------------------------------------------------------------------------------


def _check_char(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


_serial = itertools.count(1)
_serial_lock = threading.Lock()


def applicant_body(run: int) -> dict[str, Any]:
    """A different applicant each call: phone 13<run><n>, ID number with a valid check character."""
    with _serial_lock:
        n = next(_serial)
    first17 = f"410411{1950 + n % 50}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    return {
        "applicant_type": "natural_person",
        "applicant_name": f"申请人{n}",
        "id_type": "resident_id",
        "id_number": first17 + _check_char(first17),
        "phone": f"13{run % 10}{n:08d}"[-11:],
        "email": f"a{n}@example.com",
        "items": [{"title": f"2025年法律援助经费使用情况（第{n}份）"}],
        "provision_form": "electronic",
        "obtain_method": "email",
    }


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    acknowledged: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: str, seconds: float, body: dict[str, Any] | None = None) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.latencies.append(seconds)
            if body is not None:
                self.acknowledged.append(body)


def post_json(
    conn: http.client.HTTPConnection, path: str, body: dict[str, Any], headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    conn.request(
        "POST",
        path,
        body=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json", "Connection": "keep-alive", **(headers or {})},
    )
    response = conn.getresponse()
    return response.status, response.read()


def process_receipts(env: dict[str, str], workers: int) -> dict[str, Any]:
    """``workers`` concurrent ``gongkai receipts process`` runs until the queue is empty, then the receipts per case."""
    from gongkai.cases.models import Case, CaseDocument, DocumentKind, DocumentStatus, ReceiptJob

    queued = ReceiptJob.objects.filter(case__agency__code=AGENCY_CODE, done_at__isnull=True).count()
    started = time.monotonic()
    procs = [
        subprocess.Popen(  # noqa: S603
            [str(GONGKAI), "receipts", "process", "--limit", "1000000"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(workers)
    ]
    outputs = [proc.communicate() for proc in procs]
    elapsed = time.monotonic() - started
    case_ids = list(Case.objects.filter(agency__code=AGENCY_CODE).values_list("pk", flat=True))
    issued = Counter(
        CaseDocument.objects.filter(
            case__agency__code=AGENCY_CODE, kind=DocumentKind.RECEIPT, status=DocumentStatus.ISSUED
        ).values_list("case_id", flat=True)
    )
    jobs = Counter(ReceiptJob.objects.filter(case__agency__code=AGENCY_CODE).values_list("case_id", flat=True))
    return {
        "queued": queued,
        "seconds": elapsed,
        "summaries": [(out.strip().splitlines() or [err.strip()[-300:]])[-1] for out, err in outputs],
        "exit_codes": [proc.returncode for proc in procs],
        "without_receipt": [pk for pk in case_ids if issued[pk] == 0],
        "more_than_one": [pk for pk, n in issued.items() if n > 1],
        "without_one_job": [pk for pk in case_ids if jobs[pk] != 1],
        "not_done": ReceiptJob.objects.filter(case__agency__code=AGENCY_CODE, done_at__isnull=True).count(),
    }


def applicant_loop(port: int, stop_at: float, tally: Tally, run: int) -> None:
    path = f"/api/public/agencies/{AGENCY_CODE}/applications/"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while time.monotonic() < stop_at:
        started = time.monotonic()
        try:
            status, raw = post_json(conn, path, applicant_body(run))
        except (OSError, http.client.HTTPException) as error:
            tally.add(f"error:{type(error).__name__}", time.monotonic() - started)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            time.sleep(0.05)
            continue
        elapsed = time.monotonic() - started
        if status == 201:
            tally.add("201", elapsed, json.loads(raw))
        else:
            tally.add(str(status), elapsed)
    conn.close()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def count_check(acknowledged: list[dict[str, Any]]) -> dict[str, Any]:
    """Acknowledged submissions against the database: lost ones, duplicate numbers, gaps in each year's series."""
    from gongkai.cases.models import Case
    from gongkai.cases.models import Counter as NumberCounter

    rows = list(Case.objects.filter(agency__code=AGENCY_CODE).values_list("tracking_code", "number", "year", "seq"))
    codes = {r[0] for r in rows}
    lost = [a["number"] for a in acknowledged if a["tracking_code"] not in codes]
    numbers = Counter(r[1] for r in rows)
    duplicates = [n for n, c in numbers.items() if c > 1]
    acked_numbers = Counter(a["number"] for a in acknowledged)
    ack_duplicates = [n for n, c in acked_numbers.items() if c > 1]
    gaps = []
    for year in sorted({r[2] for r in rows}):
        seqs = sorted(r[3] for r in rows if r[2] == year)
        counter = NumberCounter.objects.filter(agency__code=AGENCY_CODE, year=year, series="case").first()
        last = counter.last if counter else 0
        missing = sorted(set(range(1, last + 1)) - set(seqs))
        if missing or (seqs and seqs[-1] != last):
            gaps.append((year, missing[:10], len(missing), last, seqs[-1] if seqs else 0))
    return {
        "cases_in_db": len(rows),
        "acknowledged": len(acknowledged),
        "lost": lost,
        "duplicate_numbers": duplicates,
        "duplicate_acknowledged_numbers": ack_duplicates,
        "unacknowledged_in_db": len(codes - {a["tracking_code"] for a in acknowledged}),
        "gaps": gaps,
    }


@contextlib.contextmanager
def scratch(pg: str, prefix: str, keep: bool) -> Iterator[tuple[str, Path]]:
    name = f"{prefix}{os.getpid()}"
    url = create_database(pg, name)
    var_dir = Path(tempfile.gettempdir()) / name
    var_dir.mkdir(parents=True, exist_ok=True)
    try:
        yield url, var_dir
    finally:
        if not keep:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            drop_database(pg, name)
            subprocess.run(["rm", "-rf", str(var_dir)], check=False)  # noqa: S603, S607


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--receipt-workers", type=int, default=os.cpu_count() or 2, help="gongkai receipts process runs at once"
    )
    parser.add_argument("--skip-receipts", action="store_true", help="leave the receipt queue unprocessed")
    parser.add_argument("--pg", default=PG, help="PostgreSQL server (the scratch database is created there)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database and /tmp folder")
    options = parser.parse_args()
    if urlsplit(options.pg).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("loopback only")

    with scratch(options.pg, "gongkai_load_", options.keep) as (url, var_dir):
        env = server_env(url, var_dir, GONGKAI_RECEIPTS="queue")
        migrate(env)
        django_setup(env)
        seed()
        server = Server(env, free_port(), options.workers, var_dir / "server.log")
        server.start()
        print(
            f"server: gongkai serve, {options.workers} workers × 4 threads, PostgreSQL {url.rsplit('/', 1)[1]}, "
            "GONGKAI_RECEIPTS=queue"
        )
        print(
            f"load: {options.concurrency} applicants (threads, keep-alive), {options.duration:.0f} s, JSON API intake"
        )
        tally = Tally()
        started = time.monotonic()
        stop_at = started + options.duration
        threads = [
            threading.Thread(target=applicant_loop, args=(server.port, stop_at, tally, os.getpid()), daemon=True)
            for _ in range(options.concurrency)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=options.duration + 120)
        elapsed = time.monotonic() - started
        server.stop()
        result = count_check(tally.acknowledged)
        ok = [t for t in tally.latencies]
        print(f"requests: {sum(tally.statuses.values())} in {elapsed:.1f} s; statuses: {dict(tally.statuses)}")
        print(f"throughput: {len(tally.acknowledged) / elapsed:.1f} acknowledged submissions/s")
        print(
            "latency (all requests): "
            f"p50 {percentile(ok, 50) * 1000:.0f} ms, p95 {percentile(ok, 95) * 1000:.0f} ms, "
            f"p99 {percentile(ok, 99) * 1000:.0f} ms, mean {statistics.fmean(ok) * 1000 if ok else 0:.0f} ms"
        )
        print(
            f"acknowledged (201): {result['acknowledged']}; cases in the database: {result['cases_in_db']}; "
            f"lost: {len(result['lost'])}; in the database but not acknowledged: {result['unacknowledged_in_db']}"
        )
        print(
            f"duplicate case numbers: {len(result['duplicate_numbers'])} (in acknowledgements: "
            f"{len(result['duplicate_acknowledged_numbers'])}); gaps in the numbering: {result['gaps'] or 0}"
        )
        bad = (
            result["lost"] or result["duplicate_numbers"] or result["duplicate_acknowledged_numbers"] or result["gaps"]
        )
        if options.skip_receipts:
            return 1 if bad else 0
        receipts = process_receipts(env, options.receipt_workers)
        rate = receipts["queued"] / receipts["seconds"] if receipts["seconds"] else 0
        print(
            f"receipts: {receipts['queued']} queued, processed by {options.receipt_workers} × gongkai receipts process "
            f"in {receipts['seconds']:.1f} s ({rate:.1f} receipts/s); exit statuses {receipts['exit_codes']}"
        )
        for summary in receipts["summaries"]:
            print(f"  {summary}")
        print(
            f"cases without an issued receipt: {len(receipts['without_receipt'])}; with more than one: "
            f"{len(receipts['more_than_one'])}; without exactly one receipt job: {len(receipts['without_one_job'])}; "
            f"jobs not done: {receipts['not_done']}"
        )
        bad = bad or receipts["without_receipt"] or receipts["more_than_one"] or receipts["without_one_job"]
        bad = bad or receipts["not_done"] or any(receipts["exit_codes"])
        return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
