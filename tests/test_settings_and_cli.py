"""Settings profiles and start-up failures: one line naming the problem, never a traceback."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

import pytest

from tests.cli import run_gongkai


def _key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def production_env(tmp_path: Path) -> dict[str, str]:
    return {
        "GONGKAI_ENV": "production",
        "GONGKAI_SECRET_KEY": secrets.token_urlsafe(64),
        "GONGKAI_ALLOWED_HOSTS": "gongkai.example.gov.cn",
        "GONGKAI_PII_KEYS": f"k1={_key()}",
        "GONGKAI_PII_INDEX_KEY": _key(),
        "GONGKAI_EMAIL_HOST": "smtp.example.gov.cn",
        "GONGKAI_DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "GONGKAI_VAR_DIR": str(tmp_path / "var"),
    }


def test_production_profile_passes_check_deploy(tmp_path: Path) -> None:
    result = run_gongkai("manage", "check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_demo_data(tmp_path: Path) -> None:
    env = production_env(tmp_path)
    assert run_gongkai("manage", "migrate", env=env).returncode == 0
    result = run_gongkai("load_demo", env=env)
    assert result.returncode == 2
    assert "生产环境不导入演示数据" in result.stderr


@pytest.mark.parametrize(
    ("change", "variable"),
    [
        ({"GONGKAI_SECRET_KEY": ""}, "GONGKAI_SECRET_KEY"),
        ({"GONGKAI_SECRET_KEY": "short"}, "GONGKAI_SECRET_KEY"),
        ({"GONGKAI_ALLOWED_HOSTS": ""}, "GONGKAI_ALLOWED_HOSTS"),
        ({"GONGKAI_PII_KEYS": ""}, "GONGKAI_PII_KEYS"),
        ({"GONGKAI_EMAIL_HOST": ""}, "GONGKAI_EMAIL_HOST"),
        ({"GONGKAI_DATABASE_URL": "mysql://root@localhost/x"}, "GONGKAI_DATABASE_URL"),
        ({"GONGKAI_DATABASE_URL": "no-scheme-here"}, "GONGKAI_DATABASE_URL"),
        ({"GONGKAI_DEBUG": "perhaps"}, "GONGKAI_DEBUG"),
        ({"GONGKAI_ENV": "staging"}, "GONGKAI_ENV"),
        ({"GONGKAI_SQLITE_BUSY_TIMEOUT": "soon"}, "GONGKAI_SQLITE_BUSY_TIMEOUT"),
    ],
)
def test_bad_setting_stops_start_up_with_one_line(tmp_path: Path, change: dict[str, str], variable: str) -> None:
    env = production_env(tmp_path)
    env.update(change)
    result = run_gongkai("manage", "check", env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]
    assert "配置错误" in lines[0]
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    env = {"GONGKAI_DATABASE_URL": "postgres://nobody@127.0.0.1:1/none", "GONGKAI_VAR_DIR": str(tmp_path)}
    result = run_gongkai("audit", "verify", env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "无法访问数据库" in lines[0]
    assert "Traceback" not in result.stderr


def test_unknown_command_is_one_line() -> None:
    result = run_gongkai("frobnicate")
    assert result.returncode == 2
    assert "未知命令" in result.stderr
    assert "Traceback" not in result.stderr


def test_staff_create_command(tmp_path: Path) -> None:
    env = {"GONGKAI_VAR_DIR": str(tmp_path)}
    assert run_gongkai("manage", "migrate", env=env).returncode == 0
    weak = run_gongkai(
        "staff",
        "create",
        "admin1",
        "--full-name",
        "管理员",
        "--platform-role",
        "system_admin",
        "--password-stdin",
        env=env,
        input="123\n",
    )
    assert weak.returncode == 2
    assert "密码" in weak.stderr
    assert "Traceback" not in weak.stderr
    ok = run_gongkai(
        "staff",
        "create",
        "admin1",
        "--full-name",
        "管理员",
        "--platform-role",
        "system_admin",
        "--password-stdin",
        env=env,
        input="Long-enough-pass-42\n",
    )
    assert ok.returncode == 0, ok.stderr
    again = run_gongkai(
        "staff", "create", "admin1", "--full-name", "x", "--password-stdin", env=env, input="Long-enough-pass-42\n"
    )
    assert again.returncode == 2
    assert "已被使用" in again.stderr
