"""gongkai receipts — the 申请接收回执 queue (docs/operations.md).

    gongkai receipts process [--limit 200] [--dry-run]   issue the receipts waiting (run it from cron, every minute)
    gongkai receipts retry [--dry-run]                   queue the jobs that were given up again, once the cause is fixed

Each application writes a receipt job when it is saved; with ``GONGKAI_RECEIPTS=queue`` this command issues the
receipt and mails the applicant, with ``inline`` the request has already tried and this command retries what failed.
Exit status 1 when an attempt failed in this run (the job is retried later), 2 for bad input.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongkai.cases.jobs import process_receipts, receipts_retry


class Command(BaseCommand):
    help = "申请接收回执：签发排队中的回执并通知申请人（process），重新排队已停止重试的回执（retry）"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("action", choices=("process", "retry"), help="process：处理排队的回执；retry：重新排队")
        parser.add_argument("--limit", type=int, default=200, help="一次最多处理的回执数（缺省 200）")
        parser.add_argument("--dry-run", action="store_true", help="只显示数量，不作处理")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "retry":
            count = receipts_retry(dry_run=options["dry_run"])
            verb = "将重新排队" if options["dry_run"] else "已重新排队"
            self.stdout.write(f"{verb}已停止重试的回执 {count} 件")
            return
        if options["limit"] <= 0:
            raise CommandError("--limit 须为正数", returncode=2)
        result = process_receipts(limit=options["limit"], dry_run=options["dry_run"])
        for failure in result.failures:
            then = "已停止重试" if failure.gave_up else "稍后重试"
            self.stdout.write(f"失败（{then}）：{failure.number} {failure.message}")
        self.stdout.write(result.summary)
        if result.failures:
            raise CommandError(f"回执生成失败 {len(result.failures)} 件", returncode=1)
