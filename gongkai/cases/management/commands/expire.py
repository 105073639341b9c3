"""gongkai expire [--dry-run] [--today YYYY-MM-DD] — the system's transitions when a statutory period has run out.

逾期未缴费 closes the case (表三（六）2); a lapsed consultation period resumes the clock (条例第三十四条: a silent
co-producing agency consents). 逾期未补正 is only listed: whether a reason was good is for staff (条例第三十条).
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongkai.cases.jobs import FEE_LAPSED, expire_run
from gongkai.cases.management.commands.remind import parse_today

_LABELS = {FEE_LAPSED: "逾期未缴费，视为放弃申请", "consultation_lapsed": "征求意见期限届满，恢复计时"}
_STATES = {"done": "已处理", "would": "将处理", "skipped": "已由其他进程处理", "error": "失败"}


class Command(BaseCommand):
    help = "法定期限届满时的系统处理：逾期未缴费办结、征求意见期限届满恢复计时；列出逾期未补正待决定的申请"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只显示将处理的申请，不作改动")
        parser.add_argument("--today", help="按该日期计算（YYYY-MM-DD，默认今天）")

    def handle(self, *args: Any, **options: Any) -> None:
        today = parse_today(options["today"])
        result = expire_run(today, dry_run=options["dry_run"])
        self.stdout.write(result.summary)
        for item in result.items:
            if item.state == "error" or options["verbosity"] >= 2:
                reason = f"：{item.message}" if item.message else ""
                self.stdout.write(
                    f"{_STATES[item.state]}：{item.agency} {item.number} {_LABELS[item.action]}"
                    f"（{item.on.isoformat()}）{reason}"
                )
        for case in result.needs_decision:
            self.stdout.write(
                f"待决定：{case.agency} {case.number} 补正期限 {case.deadline.isoformat()} 已届满，"
                "是否有正当理由由工作人员判断（条例第三十条）"
            )
        if result.errors:
            raise CommandError(f"到期处理失败 {len(result.errors)} 件", returncode=1)
