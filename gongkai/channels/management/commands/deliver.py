"""gongkai deliver [--dry-run] [--channel CH] — send published items' pending and failed channel copies (门户网站,
政务新媒体/公众号), with retries and backoff. Safe under cron on several machines; see gongkai/channels/jobs.py."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand

from gongkai.channels.jobs import AUTOMATIC_CHANNELS, MAX_ATTEMPTS, deliver_run
from gongkai.publications.codebook import Channel


class Command(BaseCommand):
    help = "向各发布渠道发送已发布信息（门户网站、政务新媒体/公众号），失败的按退避时间重试，已发布的不再重发"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只显示将发送的信息，不发送、不记录")
        parser.add_argument("--channel", choices=list(AUTOMATIC_CHANNELS), help="只处理该渠道（portal 或 wechat）")

    def handle(self, *args: Any, **options: Any) -> None:
        result = deliver_run(dry_run=options["dry_run"], channel=options["channel"])
        self.stdout.write(result.summary)
        for line in result.lines:
            if line.state == "delivered" and options["verbosity"] < 2:
                continue
            label = Channel(line.channel).label
            state = {
                "delivered": "已发送",
                "failed": "失败",
                "waiting": "等待",
                "would": "将发送",
                "skipped": "未发送",
            }[line.state]
            tail = f"：{line.message}" if line.message else ""
            self.stdout.write(f"  {state} {label} {line.index_number}《{line.title}》{tail}")
        if result.exhausted:
            self.stdout.write(f"已失败 {MAX_ATTEMPTS} 次、不再自动重试：{result.exhausted} 条（请工作人员处理）")
