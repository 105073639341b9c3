"""`gongkai demo --no-serve`: idempotent, and no applicant's ID number or phone in clear in the SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from gongkai.demo.data import APPLICANTS
from tests.cli import run_gongkai


def _counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as connection:
        return {
            table: connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("agencies_agency", "accounts_user", "accounts_membership", "accounts_applicantprofile")
        }


def test_demo_loads_once_and_keeps_personal_data_encrypted(tmp_path: Path) -> None:
    env = {"GONGKAI_VAR_DIR": str(tmp_path)}
    # The whole demo (migrations, years of cases, appeals, reports, rendered documents) takes ~1 minute on a quiet
    # machine and several on a busy CI runner; the timeout only guards against a hang.
    first = run_gongkai("demo", "--no-serve", env=env, timeout=600)
    assert first.returncode == 0, first.stderr
    assert "演示数据已导入" in first.stdout
    assert "zh_admin" in first.stdout
    database = tmp_path / "gongkai.sqlite3"
    counts = _counts(database)
    assert counts["agencies_agency"] >= 10
    assert counts["accounts_applicantprofile"] == len(APPLICANTS)

    second = run_gongkai("demo", "--no-serve", env=env, timeout=600)
    assert second.returncode == 0, second.stderr
    assert "未作改动" in second.stdout
    assert _counts(database) == counts

    # Read every file SQLite uses (the main file and the WAL), byte for byte.
    raw = b"".join(path.read_bytes() for path in tmp_path.glob("gongkai.sqlite3*"))
    assert len(raw) > 10_000
    for applicant in APPLICANTS:
        for secret in (applicant.id_number, applicant.phone):
            assert secret.encode() not in raw, f"{secret} is stored in clear"
            assert secret.encode("utf-16-le") not in raw
    with sqlite3.connect(database) as connection:
        stored = connection.execute("SELECT id_number, phone FROM accounts_applicantprofile").fetchall()
    assert all(value.startswith("gk1$") for row in stored for value in row)
    verify = run_gongkai("audit", "verify", env=env)
    assert verify.returncode == 0
    assert "无断裂" in verify.stdout
