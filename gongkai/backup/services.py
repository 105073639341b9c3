"""Backup and restore of the database, the uploaded files and (only on request) the personal-data keys.

A backup is a directory:

    manifest.json        created_at, version, engine, last migration per app, row counts per table, SHA-256 per file
    database.sqlite3     SQLite: made with the online backup API (consistent while the server writes)
    database.pgdump      PostgreSQL: pg_dump -Fc, from the same snapshot the row counts were taken in
    media/…              the uploaded files (MEDIA_ROOT), copied file by file after the database snapshot
    keys/pii_keys.json   only with --include-keys

The key file is left out by default: a stolen backup without its keys holds ID numbers and phones only as ciphertext,
so keys and data are stored apart (等保2.0 三级 asks for confidentiality of important data in storage, which a
backup is).

Files cannot be snapshotted with the database, so they are copied just after it: a file added meanwhile is an
unreferenced extra, harmless; a file the snapshot's rows refer to but that was deleted meanwhile (a purge, a replaced
attachment) or was already lost is named in a warning and in the manifest ("missing_files"), so the restore says
which downloads will fail rather than the backup looking whole.

A restore first checks every checksum, refuses a database that already holds data unless forced, and ends by
comparing row counts with the manifest and verifying the audit chain (lessons.md: a backup counts only once a
restore of it has been tested).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from gongkai import __version__

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
MEDIA_DIR = "media"
KEY_FILE = "keys/pii_keys.json"
FORMAT = 1
# Tables whose rows mean "this database is in use": a restore over them needs --force.
_DATA_TABLES = ("accounts_user", "agencies_agency", "cases_case", "audit_auditevent")
_PG_TIMEOUT = 6 * 3600


class BackupError(Exception):
    """A refusal or failure, in one Chinese sentence for the operator."""


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    count_mismatches: dict[str, tuple[int, int | None]]  # table → (manifest, restored)
    audit_ok: bool
    audit_message: str
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.count_mismatches and self.audit_ok


# ---------------------------------------------------------------------------------------------------------------------
# Files and checksums


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _files_under(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path


def _checksums(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): sha256_of(path) for path in _files_under(root) if path.name != MANIFEST}


def _is_empty_dir(path: Path) -> bool:
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))


# ---------------------------------------------------------------------------------------------------------------------
# Database introspection (row counts, migrations) on a raw DB-API cursor: the same code reads the live database,
# a SQLite backup file, and a PostgreSQL snapshot.


def _table_names(cursor: Any, engine: str) -> list[str]:
    if engine == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    else:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
    return [row[0] for row in cursor.fetchall()]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _row_counts(cursor: Any, engine: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in _table_names(cursor, engine):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 — names from the catalogue, quoted
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _migrations(cursor: Any, engine: str) -> dict[str, str]:
    if "django_migrations" not in _table_names(cursor, engine):
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    last: dict[str, str] = {}
    for app, name in cursor.fetchall():
        last[app] = name
    return dict(sorted(last.items()))


def _engine(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"不支持的数据库类型：{connection.vendor}")
    return str(connection.vendor)


def database_has_data(connection: BaseDatabaseWrapper) -> bool:
    with connection.cursor() as cursor:
        present = set(_table_names(cursor, _engine(connection)))
        for table in _DATA_TABLES:
            if table in present:
                cursor.execute(f"SELECT 1 FROM {_quote(table)} LIMIT 1")  # noqa: S608 — fixed names
                if cursor.fetchone() is not None:
                    return True
    return False


def current_row_counts(connection: BaseDatabaseWrapper) -> dict[str, int]:
    with connection.cursor() as cursor:
        return _row_counts(cursor, _engine(connection))


# ---------------------------------------------------------------------------------------------------------------------
# PostgreSQL client programs


def _pg_env_and_args(settings_dict: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    args: list[str] = []
    if settings_dict.get("HOST"):
        args += ["-h", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["-p", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["-U", str(settings_dict["USER"])]
    return env, args


def _client_major(program: str) -> int:
    try:
        out = subprocess.run(  # noqa: S603
            [program, "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout
    except FileNotFoundError:
        raise BackupError(
            f"未找到 {program}：请安装与数据库服务器主版本一致的 PostgreSQL 客户端（Debian：apt-get install postgresql-client）"
        ) from None
    except (subprocess.SubprocessError, OSError) as error:
        raise BackupError(f"无法运行 {program}：{error}") from None
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    if match is None:
        raise BackupError(f"无法识别 {program} 的版本：{out.strip()}")
    return int(match.group(1))


def _check_client_version(program: str, connection: BaseDatabaseWrapper) -> None:
    client = _client_major(program)
    server = int(getattr(connection, "pg_version", 0) or 0) // 10000
    if server and client < server:
        raise BackupError(
            f"{program} 的主版本（{client}）低于数据库服务器（{server}）：请安装 PostgreSQL {server} 或更新版本的客户端"
        )


def _run_pg(program: str, args: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(  # noqa: S603 — fixed program, arguments from settings, no shell
            [program, *args], capture_output=True, text=True, env=env, timeout=_PG_TIMEOUT
        )
    except FileNotFoundError:
        raise BackupError(
            f"未找到 {program}：请安装 PostgreSQL 客户端（Debian：apt-get install postgresql-client）"
        ) from None
    if done.returncode != 0:
        message = (done.stderr.strip().splitlines() or [f"退出状态 {done.returncode}"])[0]
        if "version mismatch" in done.stderr or "unsupported version" in done.stderr:
            raise BackupError(f"{program} 与数据库或备份文件的版本不一致：{message}")
        raise BackupError(f"{program} 失败：{message}")


# ---------------------------------------------------------------------------------------------------------------------
# Backup


def backup_create(
    *, output: Path, include_keys: bool = False, connection: BaseDatabaseWrapper | None = None
) -> BackupResult:
    connection = connection or connections["default"]
    engine = _engine(connection)
    if not _is_empty_dir(output):
        raise BackupError(f"备份目录不是空目录，不覆盖：{output}")
    output.mkdir(parents=True, exist_ok=True)
    os.chmod(output, 0o700)  # the backup holds personal data (encrypted or not): owner only
    result = BackupResult(output, {})
    if engine == "sqlite":
        counts, migrations, referenced = _backup_sqlite(connection, output / SQLITE_FILE)
    else:
        counts, migrations, referenced = _backup_postgresql(connection, output / PG_FILE)
    copied = _copy_media(Path(settings.MEDIA_ROOT), output / MEDIA_DIR)
    missing = sorted(referenced - copied) if _media_is_local() else []
    if missing:
        result.warnings.append(_missing_warning(missing))
    if include_keys:
        result.warnings += _copy_keys(output)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "gongkai_version": __version__,
        "engine": engine,
        "database_file": SQLITE_FILE if engine == "sqlite" else PG_FILE,
        "migrations": migrations,
        "row_counts": counts,
        "includes_keys": include_keys and (output / KEY_FILE).exists(),
        "missing_files": missing,
        "files": _checksums(output),
    }
    (output / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    result.manifest = manifest
    return result


_Snapshot = tuple[dict[str, int], dict[str, str], set[str]]  # row counts, last migrations, referenced file names


def _referenced_files(cursor: Any, engine: str) -> set[str]:
    """The stored names every file field of every model points at, read in the snapshot itself."""
    from django.apps import apps
    from django.db import models

    present = set(_table_names(cursor, engine))
    names: set[str] = set()
    for model in apps.get_models():
        table = model._meta.db_table
        if model._meta.proxy or table not in present:
            continue
        for field_ in model._meta.concrete_fields:
            if isinstance(field_, models.FileField) and field_.column:
                column = _quote(field_.column)
                cursor.execute(
                    f"SELECT {column} FROM {_quote(table)} WHERE {column} <> ''"  # noqa: S608 — names from the models
                )
                names.update(str(row[0]) for row in cursor.fetchall() if row[0])
    return names


def _media_is_local() -> bool:
    """Uploads on the local disk at MEDIA_ROOT (the default), not in a bucket, which a backup does not copy."""
    from django.core.files.storage import FileSystemStorage, default_storage

    return isinstance(default_storage, FileSystemStorage) and Path(default_storage.location) == Path(
        settings.MEDIA_ROOT
    )


def _copy_media(source: Path, target: Path) -> set[str]:
    """Copy the uploads file by file and return the names copied; a file deleted while the copy runs is skipped
    (the server keeps working during a backup), where copying the tree whole would fail the backup."""
    target.mkdir()
    copied: set[str] = set()
    if not source.is_dir():
        return copied
    # Symlinked directories are followed, as copying the tree did: a deployment may keep part of the uploads on
    # another disk behind a link.
    for directory, _subdirs, files in os.walk(source, followlinks=True):
        relative = Path(directory).relative_to(source)
        (target / relative).mkdir(parents=True, exist_ok=True)
        for name in sorted(files):
            try:
                shutil.copy2(Path(directory) / name, target / relative / name)
            except FileNotFoundError:
                continue
            copied.add((relative / name).as_posix())
    return copied


def _missing_warning(missing: list[str]) -> str:
    shown = "、".join(missing[:5]) + ("等" if len(missing) > 5 else "")
    return (
        f"警告：数据库中登记的 {len(missing)} 个上传文件不在备份中（备份前已丢失，或在数据库快照之后被删除）：{shown}；"
        "清单 missing_files 列出全部，恢复后这些文件无法下载。"
    )


def _backup_sqlite(connection: BaseDatabaseWrapper, target: Path) -> _Snapshot:
    connection.ensure_connection()
    source = connection.connection
    assert isinstance(source, sqlite3.Connection)
    destination = sqlite3.connect(target)
    try:
        # The online backup API copies a consistent snapshot while other connections keep writing (WAL).
        source.backup(destination)
        # A standalone file: no -wal/-shm beside it that a later read could change (the checksums must hold).
        destination.execute("PRAGMA journal_mode=DELETE")
    finally:
        destination.close()
    # Counted in the copy itself, so they describe exactly what was saved.
    with contextlib.closing(sqlite3.connect(f"file:{target}?mode=ro", uri=True)) as copy:
        cursor = copy.cursor()
        return _row_counts(cursor, "sqlite"), _migrations(cursor, "sqlite"), _referenced_files(cursor, "sqlite")


def _backup_postgresql(connection: BaseDatabaseWrapper, target: Path) -> _Snapshot:
    import psycopg

    connection.ensure_connection()
    _check_client_version("pg_dump", connection)
    env, args = _pg_env_and_args(connection.settings_dict)
    params = {
        key: value
        for key, value in {
            "dbname": connection.settings_dict["NAME"],
            "user": connection.settings_dict.get("USER"),
            "password": connection.settings_dict.get("PASSWORD"),
            "host": connection.settings_dict.get("HOST"),
            "port": connection.settings_dict.get("PORT"),
        }.items()
        if value
    }
    # One REPEATABLE READ transaction exports its snapshot: pg_dump dumps from it and the counts are taken in it, so
    # the manifest describes the dump exactly even while the server writes.
    with psycopg.connect(**params) as snap:
        snap.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        row = snap.execute("SELECT pg_export_snapshot()").fetchone()
        assert row is not None
        cursor = snap.cursor()
        counts, migrations = _row_counts(cursor, "postgresql"), _migrations(cursor, "postgresql")
        referenced = _referenced_files(cursor, "postgresql")
        _run_pg(
            "pg_dump",
            [
                *args,
                "-Fc",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={row[0]}",
                "-f",
                str(target),
                str(connection.settings_dict["NAME"]),
            ],
            env,
        )
        snap.execute("COMMIT")
    return counts, migrations, referenced


def _key_file() -> Path | None:
    name = getattr(settings, "PII_KEY_FILE", None)
    return Path(str(name)) if name else None


def _copy_keys(output: Path) -> list[str]:
    key_file = _key_file()
    if settings.PII_KEYS or key_file is None or not key_file.exists():
        return ["个人信息密钥来自环境变量（GONGKAI_PII_KEYS），未写入备份：请另行妥善保管。"]
    target = output / KEY_FILE
    target.parent.mkdir(mode=0o700)
    shutil.copyfile(key_file, target)
    os.chmod(target, 0o600)
    return [
        "警告：备份中包含个人信息密钥（keys/pii_keys.json）。持有此备份即可解密证件号码和电话，"
        "请按密钥的要求保管，或将密钥与备份分开存放。"
    ]


# ---------------------------------------------------------------------------------------------------------------------
# Restore


def manifest_load(source: Path) -> dict[str, Any]:
    path = source / MANIFEST
    if not path.is_file():
        raise BackupError(f"不是备份目录：缺少 {MANIFEST}（{source}）")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(f"{MANIFEST} 无法读取：{error}") from None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not isinstance(manifest.get("files"), dict)
    ):
        raise BackupError(f"{MANIFEST} 格式不符（应为第 {FORMAT} 版备份清单）")
    return manifest


def backup_verify(source: Path) -> dict[str, Any]:
    """Every file the manifest lists, with its checksum, and no file it does not list: else name the first culprit."""
    manifest = manifest_load(source)
    listed: dict[str, str] = manifest["files"]
    for name, expected in sorted(listed.items()):
        path = source / name
        if ".." in Path(name).parts or Path(name).is_absolute():
            raise BackupError(f"备份清单中的路径不合法：{name}")
        if not path.is_file():
            raise BackupError(f"备份不完整：缺少文件 {name}")
        if sha256_of(path) != expected:
            raise BackupError(f"备份文件已损坏或被篡改：{name} 的 SHA-256 与清单不符")
    for path in _files_under(source):
        name = path.relative_to(source).as_posix()
        if name != MANIFEST and name not in listed:
            raise BackupError(f"备份目录中有清单未列出的文件：{name}")
    if manifest.get("database_file") not in listed:
        raise BackupError("备份清单未列出数据库文件")
    return manifest


def backup_restore(
    *, source: Path, force: bool = False, connection: BaseDatabaseWrapper | None = None
) -> RestoreResult:
    connection = connection or connections["default"]
    manifest = backup_verify(source)
    engine = _engine(connection)
    if manifest.get("engine") != engine:
        raise BackupError(f"备份来自 {manifest.get('engine')} 数据库，当前配置的是 {engine}：请配置相同类型的数据库")
    media_root = Path(settings.MEDIA_ROOT)
    if not force:
        if database_has_data(connection):
            raise BackupError("目标数据库中已有数据（用户、机关、申请或审计记录）；确认要覆盖，请加 --force")
        if not _is_empty_dir(media_root):
            raise BackupError(f"上传文件目录不是空目录：{media_root}；确认要覆盖，请加 --force")
    result = RestoreResult(manifest, {}, False, "")
    result.warnings += _migration_warnings(manifest.get("migrations", {}))
    missing = manifest.get("missing_files") or []
    if isinstance(missing, list) and missing:
        result.warnings.append(_missing_warning([str(name) for name in missing]))
    result.warnings += _restore_keys(source, force=force)
    database_file = source / str(manifest["database_file"])
    if engine == "sqlite":
        _restore_sqlite(connection, database_file)
    else:
        _restore_postgresql(connection, database_file)
    result.warnings += _restore_media(source / MEDIA_DIR, media_root)

    restored = current_row_counts(connection)
    expected: dict[str, int] = manifest.get("row_counts", {})
    for table, count in expected.items():
        if restored.get(table) != count:
            result.count_mismatches[table] = (count, restored.get(table))
    from gongkai.audit.services import audit_verify

    verified = audit_verify()
    result.audit_ok = verified.ok
    result.audit_message = (
        f"审计日志完整：{verified.chains} 条审计链，共 {verified.rows} 条记录"
        if verified.ok
        else f"审计日志校验失败：{verified.first_break}"
    )
    return result


def _migration_warnings(saved: dict[str, str]) -> list[str]:
    """The backup's schema against this code's migrations: older needs `migrate` after the restore; newer means the
    backup came from a later Gongkai, whose data this code may not read correctly."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    leaves = dict(loader.graph.leaf_nodes())
    warnings = []
    for app, name in sorted(saved.items()):
        if (app, name) not in loader.disk_migrations:
            warnings.append(f"警告：备份中的迁移 {app}.{name} 不在当前版本的代码中，备份可能来自更新的 Gongkai 版本")
        elif leaves.get(app) != name:
            warnings.append(f"备份中的 {app} 迁移停在 {name}：恢复后请运行 gongkai manage migrate")
    return warnings


def _restore_sqlite(connection: BaseDatabaseWrapper, database_file: Path) -> None:
    connection.ensure_connection()
    target = connection.connection
    assert isinstance(target, sqlite3.Connection)
    if connection.in_atomic_block:
        raise BackupError("不能在事务中恢复数据库")
    # Through the backup API into the open connection: pages are replaced under SQLite's own locks, the WAL stays
    # consistent, and nothing copies files under a running database.
    with contextlib.closing(sqlite3.connect(f"file:{database_file}?mode=ro", uri=True)) as source:
        source.backup(target)


def _restore_postgresql(connection: BaseDatabaseWrapper, database_file: Path) -> None:
    connection.ensure_connection()
    _check_client_version("pg_restore", connection)
    env, args = _pg_env_and_args(connection.settings_dict)
    connection.close()  # hold no locks while pg_restore drops and recreates the tables
    _run_pg(
        "pg_restore",
        [
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "-d",
            str(connection.settings_dict["NAME"]),
            str(database_file),
        ],
        env,
    )


def _restore_media(source: Path, media_root: Path) -> list[str]:
    warnings = []
    if media_root.exists() and not _is_empty_dir(media_root):
        # Kept, not deleted: a restore over the wrong directory can be undone.
        aside = media_root.with_name(f"{media_root.name}.before-restore-{dt.datetime.now():%Y%m%d%H%M%S}")
        media_root.rename(aside)
        warnings.append(f"原有上传文件已移至 {aside}")
    elif media_root.exists():
        media_root.rmdir()
    media_root.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, media_root)
    else:
        media_root.mkdir()
    return warnings


def _restore_keys(source: Path, *, force: bool) -> list[str]:
    backed_up = source / KEY_FILE
    if not backed_up.is_file():
        return []
    key_file = _key_file()
    if settings.PII_KEYS or key_file is None:
        return ["备份中包含密钥文件，但当前密钥由环境变量配置：未写入密钥文件。"]
    if key_file.exists():
        if key_file.read_bytes() == backed_up.read_bytes():
            return []
        if not force:
            raise BackupError(f"备份中的密钥与现有密钥文件 {key_file} 不同；确认要替换，请加 --force")
        aside = key_file.with_name(f"{key_file.name}.before-restore-{dt.datetime.now():%Y%m%d%H%M%S}")
        key_file.rename(aside)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(backed_up, key_file)
    os.chmod(key_file, 0o600)
    from gongkai.core import crypto

    crypto.key_ring.cache_clear()
    return [f"已从备份恢复个人信息密钥文件 {key_file}"]
