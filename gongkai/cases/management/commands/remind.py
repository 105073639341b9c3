"""gongkai remind [--dry-run] [--today YYYY-MM-DD] — mail staff about deadlines: due soon, overdue, 补正告知 closing.

Safe under cron on several machines at once; never sends the same reminder twice (see gongkai/cases/jobs.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongkai.cases.jobs import reminders_send
from gongkai.cases.models import ReminderKind


def parse_today(value: str | None) -> dt.date:
    """--today, strictly YYYY-MM-DD; the local date when absent."""
    if value is None:
        return timezone.localdate()
    try:
        if len(value) != 10:
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today 不是有效日期（应为 YYYY-MM-DD）：{value}", returncode=2) from None


class Command(BaseCommand):
    help = "向工作人员发送办理期限提醒（即将到期、已逾期、补正告知期限将届满），同一期限只提醒一次"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只显示将发送的提醒，不发送、不记录")
        parser.add_argument("--today", help="按该日期计算（YYYY-MM-DD，默认今天）")

    def handle(self, *args: Any, **options: Any) -> None:
        today = parse_today(options["today"])
        result = reminders_send(today, dry_run=options["dry_run"])
        self.stdout.write(result.summary)
        notice = result.count(ReminderKind.CORRECTION_NOTICE_DUE)
        if notice:
            self.stdout.write(f"补正告知期限即将届满 {notice} 件")
        if result.taken:
            self.stdout.write(f"已由其他进程发送 {result.taken} 件")
        for item in result.unreachable:
            self.stdout.write(f"无法提醒：{item.agency} {item.number}（本机关没有设置电子邮箱的经办人或负责人）")
        for item in result.unsent:
            self.stdout.write(f"邮件发送失败：{item.agency} {item.number}（稍后自动重试）")
        if options["verbosity"] >= 2:
            for email, items in result.mail_plan.items():
                self.stdout.write(f"{email}：")
                for item in items:
                    label = ReminderKind(item.kind).label
                    self.stdout.write(f"  {label} {item.agency} {item.number} 期限 {item.due.isoformat()}")
        if result.unsent:
            raise CommandError(f"提醒邮件发送失败 {len(result.unsent)} 件", returncode=1)
