"""gongkai backup / gongkai restore: a round trip on the configured engine (SQLite or PostgreSQL), refusals."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connections, transaction
from django.db.migrations.loader import MigrationLoader

from gongkai.audit.models import AuditEvent
from gongkai.audit.services import audit_verify
from gongkai.backup.services import BackupError, _client_major, current_row_counts, sha256_of
from gongkai.cases.models import Case, CaseAttachment
from tests.backup.conftest import make_world

pytestmark = pytest.mark.usefixtures("flushable_audit_log")


def _backup(path: Path, *extra: str) -> dict[str, Any]:
    call_command("backup", "--output", str(path), *extra)
    manifest: dict[str, Any] = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    return manifest


def test_round_trip_restores_rows_files_and_a_verifiable_audit_log(
    tmp_path: Path, media_root: Path, capsys: Any
) -> None:
    case = make_world("a")
    attachment = CaseAttachment.objects.get(case=case)
    media_file = media_root / attachment.file.name
    original = media_file.read_bytes()
    backup = tmp_path / "backup"

    manifest = _backup(backup)
    engine = connections["default"].vendor
    assert manifest["engine"] == engine
    # The manifest records each app's latest applied migration: the leaf of the migration graph after migrate.
    leaves = dict(MigrationLoader(connections["default"]).graph.leaf_nodes())
    assert manifest["migrations"]["cases"] == leaves["cases"]
    assert manifest["migrations"]["search"] == leaves["search"]
    assert manifest["row_counts"]["cases_case"] == 1
    assert manifest["row_counts"]["audit_auditevent"] == AuditEvent.objects.count() >= 3
    assert manifest["row_counts"] == current_row_counts(connections["default"])
    assert manifest["files"][f"media/{attachment.file.name}"] == sha256_of(media_file)
    assert manifest["database_file"] in manifest["files"]
    assert not manifest["includes_keys"]
    assert not (backup / "keys").exists()  # keys and data are stored apart unless asked
    assert sorted(p.name for p in backup.iterdir()) == sorted(["manifest.json", "media", manifest["database_file"]])
    assert "个人信息密钥未包含在备份中" in capsys.readouterr().out

    # Life goes on after the backup: more rows, a lost file.
    make_world("b")
    media_file.unlink()
    assert Case.objects.count() == 2

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(backup))
    assert refused.value.returncode == 2
    assert "--force" in str(refused.value)
    assert Case.objects.count() == 2

    call_command("restore", str(backup), "--force")
    out = capsys.readouterr().out
    assert "行数与备份清单一致" in out
    assert "审计日志完整" in out
    assert current_row_counts(connections["default"]) == manifest["row_counts"]
    assert list(Case.objects.values_list("number", flat=True)) == ["2026-a"]
    assert Case.objects.get().id_number == case.id_number  # decrypts with the keys kept outside the backup
    assert media_file.read_bytes() == original
    assert audit_verify().ok
    with pytest.raises(DatabaseError), transaction.atomic():  # the append-only triggers came back with the data
        AuditEvent.objects.update(detail="改写")
    # The replaced uploads were moved aside, not deleted.
    assert list(media_root.parent.glob("media.before-restore-*"))


def test_a_tampered_or_incomplete_backup_is_refused_before_anything_changes(tmp_path: Path, media_root: Path) -> None:
    case = make_world("t")
    name = f"media/{CaseAttachment.objects.get(case=case).file.name}"
    backup = tmp_path / "backup"
    manifest = _backup(backup)
    make_world("u")
    rows = current_row_counts(connections["default"])

    (backup / name).write_bytes(b"altered")
    with pytest.raises(CommandError) as tampered:
        call_command("restore", str(backup), "--force")
    assert tampered.value.returncode == 2
    assert name in str(tampered.value)
    assert "SHA-256" in str(tampered.value)

    (backup / name).unlink()
    with pytest.raises(CommandError) as missing:
        call_command("restore", str(backup), "--force")
    assert f"缺少文件 {name}" in str(missing.value)

    (backup / "extra.txt").write_text("?")
    with pytest.raises(CommandError) as extra:
        call_command("restore", str(backup), "--force")
    assert "extra.txt" in str(extra.value) or name in str(extra.value)

    database = backup / manifest["database_file"]
    database.write_bytes(database.read_bytes()[:-10])
    with pytest.raises(CommandError) as truncated:
        call_command("restore", str(backup), "--force")
    assert truncated.value.returncode == 2
    assert current_row_counts(connections["default"]) == rows

    with pytest.raises(CommandError) as not_a_backup:
        call_command("restore", str(tmp_path / "nowhere"))
    assert "manifest.json" in str(not_a_backup.value)


def test_keys_only_on_request_with_a_warning(tmp_path: Path, media_root: Path, capsys: Any, settings: Any) -> None:
    make_world("k")
    key_file = Path(str(settings.PII_KEY_FILE))
    manifest = _backup(tmp_path / "with-keys", "--include-keys")
    assert manifest["includes_keys"]
    assert (tmp_path / "with-keys" / "keys" / "pii_keys.json").read_bytes() == key_file.read_bytes()
    assert manifest["files"]["keys/pii_keys.json"] == sha256_of(key_file)
    assert "警告" in capsys.readouterr().err
    assert oct((tmp_path / "with-keys" / "keys" / "pii_keys.json").stat().st_mode & 0o777) == "0o600"


def test_a_backup_from_another_schema_is_flagged(tmp_path: Path, media_root: Path, capsys: Any) -> None:
    from gongkai.backup.services import _migration_warnings

    make_world("m")
    backup = tmp_path / "backup"
    manifest = _backup(backup)
    assert _migration_warnings(manifest["migrations"]) == []
    older = {**manifest["migrations"], "cases": "0001_initial"}
    assert _migration_warnings(older) == ["备份中的 cases 迁移停在 0001_initial：恢复后请运行 gongkai manage migrate"]
    newer = {**manifest["migrations"], "cases": "0999_future"}
    assert "可能来自更新的 Gongkai 版本" in _migration_warnings(newer)[0]


def test_an_existing_backup_directory_is_not_overwritten(tmp_path: Path, media_root: Path) -> None:
    target = tmp_path / "used"
    target.mkdir()
    (target / "something").write_text("x")
    with pytest.raises(CommandError) as refused:
        call_command("backup", "--output", str(target))
    assert refused.value.returncode == 2
    assert "不是空目录" in str(refused.value)


def test_a_missing_postgresql_client_is_named_in_chinese() -> None:
    with pytest.raises(BackupError) as missing:
        _client_major("pg_dump-not-installed")
    assert "未找到 pg_dump-not-installed" in str(missing.value)
    assert "postgresql-client" in str(missing.value)


def _scratch_database(tmp_path: Path) -> tuple[str, Any]:
    """A new, empty database of the configured engine and a way to drop it."""
    settings_dict = connections["default"].settings_dict
    if connections["default"].vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        return f"sqlite:///{path}", lambda: None
    import psycopg

    name = f"gongkai_restore_test_{secrets.token_hex(4)}"
    params = {"host": settings_dict["HOST"] or "127.0.0.1", "port": settings_dict["PORT"] or 5432}
    user = settings_dict["USER"] or "postgres"
    with psycopg.connect(dbname="postgres", user=user, autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(dbname="postgres", user=user, autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"postgres://{user}@{params['host']}:{params['port']}/{name}", drop


def test_the_cli_restores_into_an_empty_database_of_the_same_engine(
    tmp_path: Path, media_root: Path, settings: Any
) -> None:
    """`gongkai restore` in its own process, as an operator runs it: a new empty database and media directory."""
    make_world("c")
    backup = tmp_path / "backup"
    manifest = _backup(backup)
    url, drop = _scratch_database(tmp_path)
    env = {
        **os.environ,
        "GONGKAI_ENV": "test",
        "GONGKAI_DATABASE_URL": url,
        "GONGKAI_VAR_DIR": str(tmp_path / "var"),
        "GONGKAI_PII_KEY_FILE": str(settings.PII_KEY_FILE),
    }
    command = [sys.executable, "-m", "gongkai.cli", "restore", str(backup)]
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        assert "行数与备份清单一致" in done.stdout
        assert "审计日志完整" in done.stdout
        restored_media = tmp_path / "var" / "media"
        for name, digest in manifest["files"].items():
            if name.startswith("media/"):
                assert sha256_of(restored_media / name.removeprefix("media/")) == digest
        # A second restore over it is refused in one Chinese line, status 2.
        again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
        assert again.returncode == 2
        assert again.stderr.strip().count("\n") == 0
        assert "目标数据库中已有数据" in again.stderr
    finally:
        drop()


def test_restoring_backed_up_keys_replaces_different_ones_only_when_forced(
    tmp_path: Path, media_root: Path, settings: Any, capsys: Any
) -> None:
    from gongkai.core import crypto

    case = make_world("r")
    original = Path(str(settings.PII_KEY_FILE)).read_bytes()
    backup = tmp_path / "backup"
    _backup(backup, "--include-keys")
    elsewhere = tmp_path / "keys" / "pii_keys.json"
    elsewhere.parent.mkdir()
    elsewhere.write_text('{"active": "k9", "keys": {"k9": "other"}, "index_key": "other"}')
    settings.PII_KEY_FILE = str(elsewhere)
    try:
        call_command("restore", str(backup), "--force")
        assert elsewhere.read_bytes() == original
        assert "已从备份恢复个人信息密钥文件" in capsys.readouterr().err
        assert [p.name for p in elsewhere.parent.glob("pii_keys.json.before-restore-*")]  # the old one moved aside
        assert Case.objects.get(pk=case.pk).id_number == case.id_number
    finally:
        crypto.key_ring.cache_clear()


def test_files_deleted_while_the_backup_runs_are_named_not_fatal(
    tmp_path: Path, media_root: Path, capsys: Any, monkeypatch: Any
) -> None:
    """The server keeps working during a backup: one upload is deleted just after the database snapshot (a purge
    between the two), another while the files are being copied. The backup completes, and both the backup and the
    restore name the files its rows refer to but it does not hold."""
    from gongkai.backup import services

    purged = CaseAttachment.objects.get(case=make_world("p")).file.name
    vanishing = CaseAttachment.objects.get(case=make_world("v")).file.name
    kept = CaseAttachment.objects.get(case=make_world("w")).file.name
    real_copy_media, real_copy2 = services._copy_media, services.shutil.copy2

    def purge_then_copy(source: Path, target: Path) -> set[str]:
        (media_root / purged).unlink()
        return real_copy_media(source, target)

    def copy2(source: Any, target: Any, **kwargs: Any) -> Any:
        if Path(source) == media_root / vanishing:
            Path(source).unlink()
        return real_copy2(source, target, **kwargs)

    monkeypatch.setattr(services, "_copy_media", purge_then_copy)
    monkeypatch.setattr(services.shutil, "copy2", copy2)
    backup = tmp_path / "backup"
    manifest = _backup(backup)
    monkeypatch.undo()

    assert manifest["missing_files"] == sorted([purged, vanishing])
    assert f"media/{kept}" in manifest["files"]
    assert f"media/{purged}" not in manifest["files"]
    warning = capsys.readouterr().err
    assert "2 个上传文件不在备份中" in warning
    assert purged in warning
    assert vanishing in warning
    assert kept not in warning

    call_command("restore", str(backup), "--force")
    captured = capsys.readouterr()
    assert "行数与备份清单一致" in captured.out
    assert "2 个上传文件不在备份中" in captured.err
    assert (media_root / kept).is_file()


def test_a_whole_backup_lists_no_missing_files(tmp_path: Path, media_root: Path, capsys: Any) -> None:
    make_world("x")
    manifest = _backup(tmp_path / "backup")
    assert manifest["missing_files"] == []
    assert "不在备份中" not in capsys.readouterr().err


def test_uploads_behind_a_symlinked_directory_are_backed_up(tmp_path: Path, media_root: Path) -> None:
    elsewhere = tmp_path / "other-disk"
    (elsewhere / "2026").mkdir(parents=True)
    (elsewhere / "2026" / "scan.pdf").write_bytes(b"%PDF-1.7 scan")
    (media_root / "linked").symlink_to(elsewhere, target_is_directory=True)
    make_world("l")
    manifest = _backup(tmp_path / "backup")
    assert manifest["files"]["media/linked/2026/scan.pdf"] == sha256_of(elsewhere / "2026" / "scan.pdf")
    assert manifest["missing_files"] == []
