from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongkai.audit.services import audit_verify


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链，指出第一处断裂"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="校验全部审计链")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] != "verify":
            raise CommandError("未知操作", returncode=2)
        result = audit_verify()
        if result.ok:
            self.stdout.write(f"审计日志完整：{result.chains} 条审计链，共 {result.rows} 条记录，哈希链无断裂。")
            return
        raise CommandError(f"审计日志被篡改：{result.first_break}", returncode=1)
