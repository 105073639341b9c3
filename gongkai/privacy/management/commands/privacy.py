from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongkai.accounts.models import User, UserKind
from gongkai.privacy.services import (
    ExportSubject,
    export_cases,
    personal_data_export,
    privacy_purge,
    retention_cutoff,
)


class Command(BaseCommand):
    help = "个人信息生命周期：purge 匿名化保存期限届满的申请人、投诉人、复议申请人（原告）信息；export 为经核实的申请导出本人数据"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        purge = sub.add_parser(
            "purge",
            help="匿名化办结（审结）已超过保存期限（GONGKAI_RETENTION_YEARS）的申请、投诉举报、行政复议和行政诉讼中的个人信息",
        )
        purge.add_argument("--dry-run", action="store_true", help="只统计，不修改")
        purge.add_argument("--before", help="只处理此日期（YYYY-MM-DD）之前办结（审结）的记录；不得晚于保存期限届满日")
        export = sub.add_parser("export", help="为经核实身份的个人信息查阅复制请求导出 ZIP")
        who = export.add_mutually_exclusive_group(required=True)
        who.add_argument("--username", help="公众账户的用户名（导出该账户及其名下的申请）")
        who.add_argument("--id-number", help="证件号码（导出以该证件提交的申请，适用于未注册账户的申请人）")
        export.add_argument("--output", required=True, help="ZIP 文件路径")
        export.add_argument("--operator", required=True, help="核实身份并导出的工作人员姓名")
        export.add_argument("--reference", required=True, help="请求的登记号或说明（记入审计日志）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "purge":
            self._purge(options)
        else:
            self._export(options)

    def _purge(self, options: dict[str, Any]) -> None:
        years = int(settings.GONGKAI_RETENTION_YEARS)
        cutoff = retention_cutoff(today=timezone.localdate(), years=years)
        before = cutoff
        if options["before"]:
            try:
                before = dt.date.fromisoformat(options["before"])
            except ValueError:
                raise CommandError("--before 应为日期，例如 2015-12-31", returncode=2) from None
            if before > cutoff:
                raise CommandError(
                    f"--before 不得晚于保存期限届满日 {cutoff}（GONGKAI_RETENTION_YEARS={years}）", returncode=2
                )
        result = privacy_purge(before=before, dry_run=options["dry_run"])
        cases, complaints, appeals = result.cases, result.complaints, result.appeals
        if result.dry_run:
            self.stdout.write(
                f"试运行：{before} 之前办结（或撤销）且尚未匿名化的申请 {cases.candidates} 件，"
                f"办结的投诉举报 {complaints.candidates} 件，审结的行政复议、行政诉讼 {appeals.candidates} 件；"
                f"将删除文件 {result.files} 个；未作任何修改。"
            )
            return
        self.stdout.write(
            f"已匿名化 {cases.anonymised} 件申请（{before} 之前办结或撤销）、{complaints.anonymised} 件投诉举报"
            f"（{before} 之前办结）、{appeals.anonymised} 件行政复议或行政诉讼（{before} 之前审结），"
            f"删除文件 {result.files} 个；跳过 {result.skipped} 件（其他进程正在处理或已处理）。"
        )

    def _export(self, options: dict[str, Any]) -> None:
        output = Path(options["output"])
        if output.exists():
            raise CommandError(f"文件已存在，不覆盖：{output}", returncode=2)
        if not output.parent.is_dir():
            raise CommandError(f"目录不存在：{output.parent}", returncode=2)
        user = None
        if options["username"]:
            user = User.objects.filter(username=options["username"], kind=UserKind.PUBLIC).first()
            if user is None:
                raise CommandError(f"没有用户名为 {options['username']} 的公众账户", returncode=2)
        found = export_cases(ExportSubject(user=user, id_number=options["id_number"])).count()
        content = personal_data_export(
            user=user,
            id_number=options["id_number"],
            actor=None,
            actor_label=f"{options['operator']}（命令行）",
            reference=options["reference"],
        )
        output.write_bytes(content)
        output.chmod(0o600)
        self.stdout.write(f"已导出 {found} 件申请到 {output}（{len(content)} 字节），操作已记入审计日志。")
