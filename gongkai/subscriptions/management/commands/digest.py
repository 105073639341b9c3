"""gongkai digest [--dry-run] [--since YYYY-MM-DD] — 政策信息精准推送: mail each confirmed subscriber the newly
published items matching their subscription, each item once. Safe on several machines (gongkai/subscriptions/jobs.py)."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongkai.subscriptions.jobs import digest_run


def _date(value: str) -> dt.date:
    try:
        if len(value) != 10:
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since 不是有效日期（应为 YYYY-MM-DD）：{value}", returncode=2) from None


class Command(BaseCommand):
    help = "向已确认的订阅者推送新发布的匹配信息（每封邮件一位订阅者，同一信息只推送一次）"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只显示将推送的内容，不发送、不记录")
        parser.add_argument("--since", help="只推送该日期（YYYY-MM-DD）及以后发布的信息；默认自订阅确认之日起")

    def handle(self, *args: Any, **options: Any) -> None:
        since = _date(options["since"]) if options["since"] else None
        result = digest_run(dry_run=options["dry_run"], since=since)
        self.stdout.write(result.summary)
        if options["verbosity"] >= 2 or options["dry_run"]:
            for subscription_id, email, titles in result.plan:
                self.stdout.write(f"订阅 {subscription_id}（{email}）：{len(titles)} 条")
                for title in titles:
                    self.stdout.write(f"  {title}")
        if result.failed:
            raise CommandError(f"推送邮件发送失败 {result.failed} 封（稍后自动重试）", returncode=1)
