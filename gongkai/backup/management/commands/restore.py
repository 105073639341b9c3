from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongkai.backup.services import BackupError, backup_restore


class Command(BaseCommand):
    help = "从 gongkai backup 生成的目录恢复：先校验清单，恢复后核对行数并校验审计日志"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("source", help="备份目录")
        parser.add_argument("--force", action="store_true", help="覆盖已有数据的数据库和上传文件目录")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_restore(source=Path(options["source"]), force=options["force"])
        except BackupError as error:
            raise CommandError(str(error), returncode=2) from None
        for warning in result.warnings:
            sys.stderr.write(warning + "\n")
        manifest = result.manifest
        self.stdout.write(
            f"已恢复 {manifest['created_at']} 的备份（{manifest['engine']}，Gongkai {manifest['gongkai_version']}）。"
        )
        if result.count_mismatches:
            details = "；".join(
                f"{t} 清单 {a} 行，恢复后 {b} 行" for t, (a, b) in sorted(result.count_mismatches.items())
            )
            raise CommandError(f"恢复后的行数与备份清单不符：{details}", returncode=1)
        self.stdout.write(f"行数与备份清单一致（{len(manifest['row_counts'])} 张表）。")
        if not result.audit_ok:
            raise CommandError(result.audit_message, returncode=1)
        self.stdout.write(result.audit_message + "。")
