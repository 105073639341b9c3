"""`gongkai report build|check` as a user runs them: real subprocesses, exit statuses 0/1/2, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli import run_gongkai
from tests.seed import SEED_REPORT as SEED

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated embedded database with one agency (the command reads agencies by code or name)."""
    folder = tmp_path_factory.mktemp("var")
    env = {"GONGKAI_VAR_DIR": str(folder)}
    assert run_gongkai("manage", "migrate", "--verbosity", "0", env=env, timeout=300).returncode == 0
    script = (
        "from gongkai.agencies.models import Agency;"
        "Agency.objects.create(name='湛河区司法局', code='zhanhe-sfj', level='county', kind='department',"
        "org_code='MA3X0000-1')"
    )
    made = run_gongkai("manage", "shell", "-c", script, env=env)
    assert made.returncode == 0, made.stderr
    return folder


def test_build_writes_every_format(var_dir: Path, tmp_path: Path) -> None:
    env = {"GONGKAI_VAR_DIR": str(var_dir)}
    for fmt in ("md", "html", "json", "docx", "xlsx"):
        out = tmp_path / f"r.{fmt}"
        done = run_gongkai(
            "report", "build", "--agency", "司法局", "--year", "2024", "--format", fmt, "--output", str(out), env=env
        )
        assert done.returncode == 0, done.stderr
        assert out.stat().st_size > 500
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert set(data) == {"agency", "year", "table2", "table3", "table4", "findings"}
    assert data["agency"] == "湛河区司法局"
    assert data["table3"]["1"]["总计"] == 0


def test_build_refuses_bad_input_in_one_line(var_dir: Path) -> None:
    env = {"GONGKAI_VAR_DIR": str(var_dir)}
    unknown = run_gongkai("report", "build", "--agency", "不存在的机关", "--year", "2024", env=env)
    assert unknown.returncode == 2
    assert "不存在的机关" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    binary = run_gongkai("report", "build", "--agency", "zhanhe-sfj", "--year", "2024", "--format", "pdf", env=env)
    assert binary.returncode == 2
    assert "--output" in binary.stderr


def test_check_statuses(var_dir: Path, tmp_path: Path) -> None:
    env = {"GONGKAI_VAR_DIR": str(var_dir)}
    faults = run_gongkai("report", "check", str(FIXTURES / "faults.md"), env=env)
    assert faults.returncode == 1, faults.stderr
    assert "R1" in faults.stdout
    not_report = run_gongkai("report", "check", str(FIXTURES / "notreport.txt"), env=env)
    assert not_report.returncode == 2
    assert "Traceback" not in not_report.stderr
    assert not_report.stderr.strip().count("\n") == 0
    missing = run_gongkai("report", "check", str(tmp_path / "nothing.md"), env=env)
    assert missing.returncode == 2
    folder = tmp_path / "batch"
    folder.mkdir()
    for name in ("faults.md", "messy.md", "notreport.txt"):
        (folder / name).write_bytes((FIXTURES / name).read_bytes())
    batch = run_gongkai("report", "check", str(folder), "--csv", str(tmp_path / "out.csv"), env=env)
    assert batch.returncode == 1
    assert (tmp_path / "out.csv").read_text(encoding="utf-8-sig").count("\n") >= 3


def test_check_reads_the_seed_without_errors(var_dir: Path) -> None:
    done = run_gongkai("report", "check", str(SEED), "--format", "json", env={"GONGKAI_VAR_DIR": str(var_dir)})
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(done.stdout)
    assert data["agency"] == "湛河区司法局"
    assert data["year"] == 2024
    assert all(v == 0 for cols in data["table3"].values() for v in cols.values())
