"""Fault: kill -9 the server (gunicorn master and workers, or one worker) at random moments while applicants submit
and staff act through the API; restart; then check that no case is left in a partial state.

    nice -n 10 .venv/bin/python benchmarks/fault_kill.py [--kills 6] [--threads 12] [--workers 2] [--seed 1]

Scratch PostgreSQL database ``gongkai_fault_<pid>`` (created, migrated, dropped unless ``--keep``), loopback only.
Drivers: public intake (POST /api/public/agencies/<code>/applications/) and staff actions with a handler's token
(confirm_receipt, claim, add_note, extend, request_correction, record_correction, reply, withdraw). The killer sends
SIGKILL to the whole process group (master + workers) and restarts ``gongkai serve``, and in between SIGKILLs single
workers (the master forks a new one).

Invariants checked afterwards (from gongkai/cases/models.py, states.py and services.py):

  N1 per agency and year the case numbers are exactly 1..Counter.last (gap-free: a rolled-back transaction gives its
     number back), number == "YYYY-NNNN", no number twice;
  E1 each case's events are numbered 1..n, the first is submit, each event's from_status is the status the previous
     status-changing event left, and the case's status is the last one;
  S1 pending ⇔ no received_on ⇔ no clock ledger; closed ⇒ outcome and closed_on; open ⇒ no closed_on;
  L1 the ledger's received date is the case's received_on; the ledger is open ⇔ the case is open;
  L2 the ledger holds as many "extended" / "correction_requested" events as the case has extend / request_correction;
  A1 every acknowledged submission (201) is in the database, every acknowledged action (200) has its event;
  AU ``gongkai audit verify`` passes (the hash chain is whole).
  R1 every case has exactly one receipt job (written in the case's own transaction) and at most one issued 回执;
     after the run ``gongkai receipts process`` issues the rest: a case still without a receipt must have its job
     held by a killed worker's claim (due again when the claim ends) — counted, not an error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from typing import Any

from load_submit import (
    AGENCY_CODE,
    GONGKAI,
    PG,
    ROOT,
    Server,
    applicant_body,
    django_setup,
    free_port,
    migrate,
    post_json,
    scratch,
    seed,
    server_env,
)


class Acks:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.submissions: list[dict[str, Any]] = []
        self.actions: Counter[tuple[int, str]] = Counter()
        self.statuses: Counter[str] = Counter()
        self.samples: dict[str, str] = {}

    def status(self, what: str) -> None:
        with self.lock:
            self.statuses[what] += 1


def _case_ids() -> list[tuple[int, str]]:
    from django.db import connection

    from gongkai.cases.models import Case

    try:
        return list(Case.objects.filter(agency__code=AGENCY_CODE).values_list("pk", "status"))
    except Exception:  # the driver only reads to pick targets; a hiccup is not a finding
        connection.close()
        return []


def _action_body(action: str, today: str) -> dict[str, Any]:
    return {
        "confirm_receipt": {"received_on": today},
        "claim": {},
        "add_note": {"note": "压力测试备注"},
        "extend": {"days": 5, "reason": "需要调取档案", "approved_on": today},
        "request_correction": {"on": today, "items": "请写明所需信息的名称", "period_days": 10},
        "record_correction": {"on": today},
        "reply": {"outcome": "disclosed", "variant": "provided", "on": today, "text": "经查，您申请的信息予以公开。"},
        "withdraw": {"reason": "申请人撤回"},
    }[action]


ACTIONS_BY_STATUS = {
    "pending": ["confirm_receipt", "confirm_receipt", "withdraw"],
    "processing": ["claim", "add_note", "extend", "request_correction", "reply", "reply"],
    "awaiting_correction": ["record_correction", "add_note"],
}


def driver(port: int, stop: threading.Event, acks: Acks, token: str, head_token: str, rng: random.Random) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    today = dt.date.today().isoformat()
    while not stop.is_set():
        try:
            if rng.random() < 0.45:
                status, raw = post_json(
                    conn, f"/api/public/agencies/{AGENCY_CODE}/applications/", applicant_body(run=rng.randrange(10))
                )
                acks.status(f"submit {status}")
                if status == 201:
                    with acks.lock:
                        acks.submissions.append(json.loads(raw))
                continue
            cases = [c for c in _case_ids() if c[1] in ACTIONS_BY_STATUS]
            if not cases:
                time.sleep(0.05)
                continue
            pk, case_status = rng.choice(cases)
            action = rng.choice(ACTIONS_BY_STATUS[case_status])
            # 延长答复期限 is the head's (经政府信息公开工作机构负责人同意): the head's token for it.
            key = head_token if action == "extend" else token
            status, raw = post_json(
                conn,
                f"/api/staff/cases/{pk}/actions/{action}/",
                _action_body(action, today),
                {"Authorization": f"Token {key}"},
            )
            acks.status(f"{action} {status}")
            if status >= 400:
                acks.samples.setdefault(f"{action} {status}", raw.decode("utf-8", "replace")[:160])
            if status == 200:
                with acks.lock:
                    acks.actions[(pk, action)] += 1
        except (OSError, http.client.HTTPException) as error:
            acks.status(f"connection {type(error).__name__}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            time.sleep(0.1)
    conn.close()


def check(acks: Acks) -> dict[str, list[str]]:
    from django.db import connection
    from django.utils import timezone

    from gongkai.cases.models import Case, CaseDocument, CaseEvent, DocumentKind, ReceiptJob
    from gongkai.cases.models import Counter as NumberCounter
    from gongkai.cases.states import OPEN_STATUSES
    from gongkai.clock.models import ClockLedgerEvent

    connection.close()
    problems: dict[str, list[str]] = {k: [] for k in ("N1", "E1", "S1", "L1", "L2", "A1", "AU", "R1")}
    cases = list(Case.objects.filter(agency__code=AGENCY_CODE).select_related("ledger"))
    by_year: dict[int, list[Case]] = {}
    for case in cases:
        by_year.setdefault(case.year, []).append(case)
        if case.number != f"{case.year}-{case.seq:04d}":
            problems["N1"].append(f"{case.pk}: number {case.number} for seq {case.seq}")
    for year, group in by_year.items():
        counter = NumberCounter.objects.get(agency__code=AGENCY_CODE, year=year, series="case")
        seqs = sorted(c.seq for c in group)
        if seqs != list(range(1, counter.last + 1)):
            missing = sorted(set(range(1, counter.last + 1)) - set(seqs))
            problems["N1"].append(f"{year}: counter {counter.last}, {len(seqs)} cases, missing {missing[:10]}")
    numbers = Counter(c.number for c in cases)
    problems["N1"] += [f"number {n} ×{k}" for n, k in numbers.items() if k > 1]

    events: dict[int, list[CaseEvent]] = {}
    for event in CaseEvent.objects.filter(case__in=cases).order_by("case_id", "seq"):
        events.setdefault(event.case_id, []).append(event)
    ledger_events: Counter[tuple[int, str]] = Counter(
        ClockLedgerEvent.objects.filter(ledger__case__in=cases).values_list("ledger_id", "type")
    )
    for case in cases:
        mine = events.get(case.pk, [])
        if [e.seq for e in mine] != list(range(1, len(mine) + 1)):
            problems["E1"].append(f"{case.number}: event numbers {[e.seq for e in mine]}")
        if not mine or mine[0].action != "submit":
            problems["E1"].append(f"{case.number}: first event {mine[0].action if mine else None}")
        status = (mine[0].to_status or "pending") if mine else None  # an online submission starts in 待确认
        for event in mine[1:]:
            if event.to_status:
                if event.from_status and event.from_status != status:
                    problems["E1"].append(f"{case.number}#{event.seq}: from {event.from_status}, was {status}")
                status = event.to_status
        if status != case.status:
            problems["E1"].append(f"{case.number}: status {case.status}, events end at {status}")
        pending = case.status == "pending"
        if case.status != "cancelled" and pending != (case.received_on is None):
            problems["S1"].append(f"{case.number}: {case.status} with received_on {case.received_on}")
        if case.status != "cancelled" and (case.received_on is None) != (case.ledger_id is None):
            problems["S1"].append(f"{case.number}: received_on {case.received_on}, ledger {case.ledger_id}")
        if case.status == "closed" and (not case.outcome or case.closed_on is None):
            problems["S1"].append(f"{case.number}: closed without outcome/closed_on")
        if case.status in OPEN_STATUSES and case.closed_on is not None:
            problems["S1"].append(f"{case.number}: open with closed_on {case.closed_on}")
        if case.ledger is not None:
            if case.ledger.received != case.received_on:
                problems["L1"].append(f"{case.number}: ledger received {case.ledger.received} ≠ {case.received_on}")
            if case.ledger.is_open != (case.status in OPEN_STATUSES):
                problems["L1"].append(f"{case.number}: ledger open={case.ledger.is_open}, status {case.status}")
            for action, kind in (("extend", "extended"), ("request_correction", "correction_requested")):
                n_case = sum(1 for e in mine if e.action == action)
                if n_case != ledger_events[(case.ledger_id, kind)]:
                    problems["L2"].append(
                        f"{case.number}: {n_case} {action} events, {ledger_events[(case.ledger_id, kind)]} {kind}"
                    )
    codes = {c.tracking_code for c in cases}
    problems["A1"] += [
        f"submission {a['number']} acknowledged, not stored"
        for a in acks.submissions
        if a["tracking_code"] not in codes
    ]
    # Withdrawal before receipt is confirmed is recorded as "cancel" (撤回申请（未确认收到）).
    stored = Counter(
        (e.case_id, "withdraw" if e.action == "cancel" else e.action) for group in events.values() for e in group
    )
    problems["A1"] += [
        f"case {pk}: {n}× {action} acknowledged, {stored[(pk, action)]} stored"
        for (pk, action), n in acks.actions.items()
        if stored[(pk, action)] < n
    ]

    env_ok = subprocess.run(  # noqa: S603
        [str(GONGKAI), "audit", "verify"], env=ENV, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if env_ok.returncode != 0:
        problems["AU"].append((env_ok.stdout + env_ok.stderr).strip()[:500])
    AUDIT_OUTPUT.append((env_ok.stdout + env_ok.stderr).strip())
    # The receipts the killed requests did not get to: the job command issues them (jobs a dead worker had claimed
    # stay held until their claim ends).
    processed = subprocess.run(  # noqa: S603
        [str(GONGKAI), "receipts", "process", "--limit", "100000"],
        env=ENV,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    STATS["receipts process"] = (processed.stdout + processed.stderr).strip().splitlines()[-1:]
    jobs = Counter(ReceiptJob.objects.filter(case__in=cases).values_list("case_id", flat=True))
    issued = Counter(
        CaseDocument.objects.filter(case__in=cases, kind=DocumentKind.RECEIPT)
        .exclude(issued_at=None)
        .values_list("case_id", flat=True)
    )
    problems["R1"] += [f"{c.number}: {jobs[c.pk]} receipt jobs" for c in cases if jobs[c.pk] != 1]
    problems["R1"] += [f"{c.number}: {issued[c.pk]} receipts issued" for c in cases if issued[c.pk] > 1]
    held = set(
        ReceiptJob.objects.filter(case__in=cases, done_at=None, next_attempt_at__gt=timezone.now()).values_list(
            "case_id", flat=True
        )
    )
    missing = [c for c in cases if not issued[c.pk]]
    problems["R1"] += [f"{c.number}: no receipt and its job is not held" for c in missing if c.pk not in held]
    STATS["cases"] = len(cases)
    STATS["without receipt"] = len(missing)
    STATS["by status"] = dict(Counter(c.status for c in cases))
    return problems


ENV: dict[str, str] = {}
AUDIT_OUTPUT: list[str] = []
STATS: dict[str, Any] = {}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=6, help="kills of the whole server (master + workers)")
    parser.add_argument("--threads", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg", default=PG)
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args()
    rng = random.Random(options.seed)

    with scratch(options.pg, "gongkai_fault_", options.keep) as (url, var_dir):
        ENV.update(server_env(url, var_dir))
        migrate(ENV)
        django_setup(ENV)
        world = seed()
        server = Server(ENV, free_port(), options.workers, var_dir / "server.log")
        server.start()
        acks = Acks()
        stop = threading.Event()
        threads = [
            threading.Thread(
                target=driver,
                args=(server.port, stop, acks, world["token"], world["head_token"], random.Random(rng.random())),
                daemon=True,
            )
            for _ in range(options.threads)
        ]
        for thread in threads:
            thread.start()
        started = time.monotonic()
        whole, single = 0, 0
        while whole < options.kills:
            time.sleep(rng.uniform(2.0, 6.0))
            if rng.random() < 0.35:
                pids = server.pids()[1:]
                if pids:
                    victim = rng.choice(pids)
                    try:
                        os.kill(victim, signal.SIGKILL)
                        single += 1
                        print(f"{time.monotonic() - started:6.1f}s kill -9 worker {victim}", flush=True)
                    except ProcessLookupError:
                        pass
                continue
            pids = server.pids()
            server.kill(signal.SIGKILL)
            whole += 1
            print(f"{time.monotonic() - started:6.1f}s kill -9 master + workers {pids}; restart", flush=True)
            time.sleep(rng.uniform(0.2, 1.5))
            server.start()
        time.sleep(3)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        server.stop()
        elapsed = time.monotonic() - started
        problems = check(acks)
        print(f"ran {elapsed:.0f} s: {whole} kills of master + workers, {single} kills of one worker")
        print(f"requests: {dict(sorted(acks.statuses.items()))}")
        print(
            f"acknowledged: {len(acks.submissions)} submissions, {sum(acks.actions.values())} staff actions; "
            f"cases: {STATS['cases']} {STATS['by status']}; without a receipt after `receipts process`: "
            f"{STATS['without receipt']} (held by a killed worker's claim) — {STATS['receipts process']}"
        )
        for key, sample in sorted(acks.samples.items()):
            print(f"  e.g. {key}: {sample}")
        print(f"gongkai audit verify: {AUDIT_OUTPUT[0] if AUDIT_OUTPUT else '?'}")
        for key, found in problems.items():
            print(f"  {key}: {len(found)} violation(s)" + (f" — {found[:5]}" if found else ""))
        if not acks.submissions or not acks.actions:
            # A run that acknowledged no submission or no staff action did not test what it claims (state changes
            # under kill -9), however clean its invariants: a failure, not a pass.
            print("FAILED: the run acknowledged no submission or no staff action — nothing was tested under the kills")
            return 1
        return 1 if any(problems.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
