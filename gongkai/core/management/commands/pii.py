from __future__ import annotations

import argparse
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from gongkai.core import crypto
from gongkai.core.fields import BlindIndexField, EncryptedTextField


class Command(BaseCommand):
    help = "个人信息加密：rotate 用当前密钥重新加密全部加密字段并重算盲索引（更换密钥后运行）"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rotate = sub.add_parser("rotate", help="重新加密并重算盲索引")
        rotate.add_argument("--dry-run", action="store_true", help="只统计需要处理的行数")
        sub.add_parser("new-key", help="生成一个新的随机密钥（base64），用于 GONGKAI_PII_KEYS")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "new-key":
            self.stdout.write(crypto.new_key_b64())
            return
        ring = crypto.key_ring()
        total = 0
        for model in apps.get_models():
            encrypted = [f for f in model._meta.get_fields() if isinstance(f, EncryptedTextField)]
            if not encrypted:
                continue
            indexes = [f for f in model._meta.get_fields() if isinstance(f, BlindIndexField)]
            names = [f.name for f in encrypted] + [f.name for f in indexes]
            count = 0
            # Loading decrypts with whichever key made each value; saving re-encrypts with the active key and
            # BlindIndexField.pre_save recomputes the index under the current index key.
            for pk in model._default_manager.values_list("pk", flat=True).iterator():
                if options["dry_run"]:
                    count += 1
                    continue
                with transaction.atomic():
                    row = model._default_manager.select_for_update().get(pk=pk)
                    row.save(update_fields=names)
                count += 1
            total += count
            self.stdout.write(f"{model._meta.label}: {count} 行")
        verb = "需要处理" if options["dry_run"] else "已用密钥 " + ring.active_id + " 重新加密"
        self.stdout.write(f"{verb}：共 {total} 行")
