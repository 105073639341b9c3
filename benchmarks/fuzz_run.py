"""Run the fuzz properties of tests/fuzz at length: the same properties the suite runs with a few examples each,
here with GONGKAI_FUZZ_EXAMPLES inputs each (default 100,000), one pytest process per target, and print per target
the inputs actually run (Hypothesis' own statistics), the failures and the time.

    .venv/bin/python benchmarks/fuzz_run.py                              # every target, 100,000 inputs each
    .venv/bin/python benchmarks/fuzz_run.py --examples 2000 --budget 600 # at most ~600 s per target
    .venv/bin/python benchmarks/fuzz_run.py --only deadline checker      # targets whose name contains a word
    .venv/bin/python benchmarks/fuzz_run.py --only API --api-each --api-match "^POST /api/public/"
                                                                         # one process per API operation

``--budget S`` calibrates each target on a short run first and lowers its count so that it takes about S seconds
(the count run is printed, never the count asked for). SQLite by default (GONGKAI_DATABASE_URL empty); pass
``--database-url`` for PostgreSQL. Not a test: nothing here runs in ``make test``.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
F = "tests/fuzz/"
API_TARGET = "API: every operation (schemathesis)"
TARGETS: dict[str, str] = {
    "report checker: mutated md/html/txt": F
    + "test_report_checker.py::test_mutated_text_reports_give_findings_or_a_refusal",
    "report checker: random text": F + "test_report_checker.py::test_random_text_gives_findings_or_a_refusal",
    "report checker: mutated docx/xlsx/pdf bytes": F
    + "test_report_checker.py::test_mutated_binary_reports_give_findings_or_a_refusal",
    "report check CLI (exit 0/1/2)": F + "test_report_checker.py::test_report_check_cli_exits_0_1_or_2_with_one_line",
    "holiday notice: notice-like text": F + "test_notice_and_deadline.py::test_notice_like_text",
    "holiday notice: mutated real notices": F + "test_notice_and_deadline.py::test_mutated_real_notices",
    "deadline CLI: any ledger": F + "test_notice_and_deadline.py::test_deadline_cli_on_any_ledger",
    "deadline CLI: junk arguments": F + "test_notice_and_deadline.py::test_deadline_cli_on_junk_arguments",
    "form: application": F + "test_public_forms.py::test_application_form",
    "form: tracking": F + "test_public_forms.py::test_tracking",
    "form: withdrawal": F + "test_public_forms.py::test_withdrawal",
    "form: subscription": F + "test_public_forms.py::test_subscription",
    "form: signup and login": F + "test_public_forms.py::test_signup_and_login",
    "form: applicant profile": F + "test_public_forms.py::test_profile_of_a_signed_in_applicant",
    "form: applicant password change": F + "test_public_forms.py::test_password_change_of_a_signed_in_applicant",
    "form: complaint (投诉举报)": F + "test_public_forms.py::test_complaint_form",
    "form: complaint tracking": F + "test_public_forms.py::test_complaint_tracking",
    "form: deadline calculator": F + "test_public_forms.py::test_deadline_calculator",
    "form: portal search / catalogue": F + "test_public_forms.py::test_portal_search_and_catalogue_filters",
    API_TARGET: F + "test_api.py::test_api_never_5xx",
}
# "- 20 passing, 0 failing, and 1 invalid test cases" per phase (generate, shrink, ...), per test item.
_STATS = re.compile(r"(\d+) passing, (\d+) failing, and (\d+) invalid")
_PHASE = re.compile(r"during \w+ phase \(([\d.]+) seconds\)")


@dataclass
class Outcome:
    inputs: int
    failing: int
    invalid: int
    failed_items: int
    items: int
    seconds: float
    first_failure: str
    fuzz_seconds: float  # time inside Hypothesis' phases, without pytest's start-up and database creation


def run(node: str, examples: int, env: dict[str, str], nice: int) -> Outcome:
    command = [
        *(["nice", "-n", str(nice)] if nice else []),
        sys.executable,
        "-m",
        "pytest",
        node,
        "-q",
        "-p",
        "no:cacheprovider",
        "--hypothesis-show-statistics",
        "-o",
        "log_level=ERROR",
    ]
    started = time.monotonic()
    proc = subprocess.run(  # noqa: S603
        command,
        cwd=ROOT,
        env={**env, "GONGKAI_FUZZ_EXAMPLES": str(examples)},
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - started
    out = proc.stdout + proc.stderr
    passing = failing = invalid = 0
    for match in _STATS.finditer(out):
        passing += int(match.group(1))
        failing += int(match.group(2))
        invalid += int(match.group(3))
    failed = re.search(r"(\d+) failed", out)
    passed = re.search(r"(\d+) passed", out)
    failed_items = int(failed.group(1)) if failed else (0 if proc.returncode == 0 else 1)
    items = failed_items + (int(passed.group(1)) if passed else 0)
    first = ""
    if failed_items:
        lines = [line for line in out.splitlines() if line.startswith(("E ", "FAILED"))]
        first = " | ".join(lines[:3])[:400]
    fuzz_seconds = sum(float(m.group(1)) for m in _PHASE.finditer(out))
    return Outcome(passing + failing, failing, invalid, failed_items, items, seconds, first, fuzz_seconds)


_LIST_OPERATIONS = """
import django
django.setup()
from tests.fuzz.test_api import schema
for result in schema.get_all_operations():
    print(result.ok().label)
"""


def api_operations(env: dict[str, str]) -> list[str]:
    """The labels ("POST /api/public/track/") of the operations the API fuzz target drives, read from its schema."""
    proc = subprocess.run(  # noqa: S603
        [sys.executable, "-c", _LIST_OPERATIONS],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return [
        line for line in proc.stdout.splitlines() if line.startswith(("GET ", "POST ", "PUT ", "PATCH ", "DELETE "))
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=100_000, help="inputs per target (default 100000)")
    parser.add_argument("--budget", type=float, default=0, help="seconds per target: lower the count to fit")
    parser.add_argument("--only", nargs="*", default=[], help="run the targets whose name contains one of these")
    parser.add_argument("--database-url", default="", help="GONGKAI_DATABASE_URL for the test runs (default SQLite)")
    parser.add_argument("--nice", type=int, default=10)
    parser.add_argument(
        "--api-each",
        action="store_true",
        help="run the API target as one process per operation, each with --examples inputs (28 × 100,000 in all)",
    )
    parser.add_argument("--api-match", default="", help="with --api-each: the operations whose label matches this")
    options = parser.parse_args()

    env = {**os.environ, "GONGKAI_ENV": "test", "GONGKAI_DATABASE_URL": options.database_url}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    selected = {n: t for n, t in TARGETS.items() if not options.only or any(w in n for w in options.only)}
    targets: dict[str, tuple[str, dict[str, str]]] = {}
    for name, node in selected.items():
        if name == API_TARGET and options.api_each:
            for label in api_operations(env):
                if re.search(options.api_match, label):
                    targets[f"API: {label}"] = (node, {"GONGKAI_FUZZ_API_OPERATIONS": f"^{re.escape(label)}$"})
        else:
            targets[name] = (node, {})
    width = max([44, *(len(name) for name in targets)])
    print(f"{'target':{width}} {'asked':>8} {'inputs run':>11} {'invalid':>8} {'failures':>8} {'time':>9}")
    total_failures = 0
    for name, (node, extra) in targets.items():
        examples = options.examples
        target_env = {**env, **extra}
        if options.budget:
            probe = run(node, 50, target_env, options.nice)
            per_input = probe.fuzz_seconds / max(probe.inputs + probe.invalid, 1)
            examples = max(30, min(examples, int(options.budget / max(per_input, 1e-4))))
        outcome = run(node, examples, target_env, options.nice)
        total_failures += outcome.failed_items
        items = f" ({outcome.items} tests)" if outcome.items > 1 else ""
        print(
            f"{name:{width}} {examples:>8} {outcome.inputs:>11} {outcome.invalid:>8} {outcome.failed_items:>8} "
            f"{outcome.seconds:>8.1f}s{items}",
            flush=True,
        )
        if outcome.first_failure:
            print(f"    first failure: {outcome.first_failure}", flush=True)
    print(f"failures: {total_failures}")
    return 1 if total_failures else 0


if __name__ == "__main__":
    sys.exit(main())
