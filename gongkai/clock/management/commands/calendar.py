"""gongkai calendar show YEAR | load YEAR FILE [--dry-run] | status | recompute — thin: parse, call a service, print."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongkai.clock import selectors
from gongkai.clock.models import DayKind
from gongkai.clock.notice import NoticeError, parse_notice
from gongkai.clock.services import calendar_load_notice, ledger_recompute_all
from gongkai.core.validators import ascii_digits

ACTOR = "命令行 gongkai calendar"
MAX_FILE = 200 * 1024


def _year(value: str) -> int:
    if not ascii_digits(value) or not 2000 <= int(value) <= 2200:
        raise CommandError(f"年份无效：{value}（应为 2000–2200 之间的四位数）", returncode=2)
    return int(value)


def _read(path: str) -> str:
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"找不到文件：{path}", returncode=2)
    if file.stat().st_size > MAX_FILE:
        raise CommandError(f"文件过大：{path}（超过 200KB，请只保留通知正文）", returncode=2)
    raw = file.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CommandError(f"无法读取文件：{path} 不是 UTF-8 或 GB18030 编码的文本", returncode=2)


class Command(BaseCommand):
    help = "工作日历：show 显示某年安排，load 从国务院办公厅通知导入，status 查看导入情况，recompute 重算办理中期限"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="显示某年的放假与调休上班日")
        show.add_argument("year")
        load = sub.add_parser("load", help="从通知文本文件导入某年安排（生成新版本并重算期限）")
        load.add_argument("year")
        load.add_argument("file")
        load.add_argument("--dry-run", action="store_true", help="只解析并显示结果，不导入")
        sub.add_parser("status", help="已导入的年份与缺失提醒")
        sub.add_parser("recompute", help="按当前日历重算全部办理中台账的期限（幂等）")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "show":
            self.show(_year(options["year"]))
        elif action == "load":
            self.load(_year(options["year"]), options["file"], dry_run=options["dry_run"])
        elif action == "status":
            self.status()
        elif action == "recompute":
            result = ledger_recompute_all(reason="按当前日历重算（命令行）")
            self.stdout.write(
                f"已检查办理中台账 {result.seen} 件，更新 {result.changed} 件，期限变动 {result.moves} 处。"
            )
        else:  # argparse already refuses other words
            raise CommandError(f"未知操作：{action}", returncode=2)

    def show(self, year: int) -> None:
        if year not in selectors.loaded_years():
            raise CommandError(f"{year}年节假日安排尚未导入", returncode=2)
        versions = selectors.year_versions(year)
        latest = versions[0]
        self.stdout.write(
            f"{year}年节假日安排（版本{latest.number}，{latest.get_source_display()}，"
            f"{timezone.localtime(latest.created_at):%Y-%m-%d %H:%M}）"
        )
        days = sorted(selectors.year_days(year).items())
        for kind, title in ((DayKind.HOLIDAY, "放假"), (DayKind.WORKDAY, "调休上班")):
            chosen = [(d, name) for d, (k, name) in days if k == kind]
            self.stdout.write(f"{title}（{len(chosen)} 天）：")
            for day, name in chosen:
                self.stdout.write(f"  {day.isoformat()} 星期{'一二三四五六日'[day.weekday()]} {name}")

    def load(self, year: int, path: str, *, dry_run: bool) -> None:
        text = _read(path)
        try:
            parsed = parse_notice(text, year=year)
        except NoticeError as error:
            raise CommandError(str(error), returncode=2) from None
        for problem in parsed.problems:
            self.stderr.write(f"{'错误' if problem.is_error else '提示'}：{problem}")
        self.stdout.write(
            f"{parsed.year}年：放假 {len(parsed.arrangement.holidays)} 天，调休上班 {len(parsed.arrangement.workdays)} 天"
        )
        if parsed.errors:
            raise CommandError(f"通知文本有 {len(parsed.errors)} 处错误，未导入", returncode=2)
        if dry_run:
            self.stdout.write("试运行：未导入。")
            return
        try:
            change = calendar_load_notice(text=text, year=year, actor=None, actor_label=ACTOR)
        except ValidationError as error:
            raise CommandError("；".join(error.messages), returncode=2) from None
        self.stdout.write(
            f"已导入，版本{change.version.number}：{change.version.summary}\n"
            f"重算办理中台账 {change.recompute.seen} 件，更新 {change.recompute.changed} 件，期限变动 {change.recompute.moves} 处。"
        )

    def status(self) -> None:
        rows = selectors.year_rows()
        if not rows:
            self.stdout.write("尚未导入任何年份。")
        else:
            years = sorted(row.year for row in rows)
            self.stdout.write(f"已导入 {len(years)} 个年份：{years[0]}–{years[-1]}")
            missing = [y for y in range(years[0], years[-1] + 1) if y not in years]
            if missing:
                self.stdout.write(f"中间缺失：{'、'.join(map(str, missing))}")
            for row in rows[:3]:
                when = f"{timezone.localtime(row.last_change):%Y-%m-%d}" if row.last_change else "—"
                self.stdout.write(
                    f"  {row.year}年：放假 {row.holidays} 天，调休上班 {row.workdays} 天，{row.versions} 个版本，最近变更 {when}"
                )
        warning = selectors.missing_calendar_warning(timezone.localdate())
        if warning:
            self.stdout.write(f"提醒：{warning}")
