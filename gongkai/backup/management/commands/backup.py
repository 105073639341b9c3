from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongkai.backup.services import BackupError, backup_create


class Command(BaseCommand):
    help = "备份数据库（SQLite 在线备份 / PostgreSQL pg_dump）、上传文件和清单；默认不含个人信息密钥"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--output", required=True, help="备份目录（不存在或为空）")
        parser.add_argument(
            "--include-keys", action="store_true", help="同时备份个人信息密钥文件（不建议：密钥应与数据分开保存）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_create(output=Path(options["output"]), include_keys=options["include_keys"])
        except BackupError as error:
            raise CommandError(str(error), returncode=2) from None
        for warning in result.warnings:
            sys.stderr.write(warning + "\n")
        manifest = result.manifest
        rows = sum(manifest["row_counts"].values())
        self.stdout.write(
            f"备份完成：{result.path}（{manifest['engine']}，{len(manifest['row_counts'])} 张表共 {rows} 行，"
            f"{len(manifest['files'])} 个文件，清单 manifest.json）"
        )
        if not manifest["includes_keys"]:
            self.stdout.write(
                "个人信息密钥未包含在备份中：恢复时须使用原密钥（GONGKAI_PII_KEY_FILE 或 GONGKAI_PII_KEYS）。"
            )
