"""gongkai report build|check — the annual report from the command line.

    gongkai report build --agency 湛河区司法局 --year 2024 --format md --output report.md
    gongkai report build --agency 湛河区人民政府 --year 2024 --rollup --format trace   (全区汇总, gongkai/reports/rollup.py)
    gongkai report check report.pdf [--previous last-year.pdf] [--format text|json]
    gongkai report check FOLDER --csv summary.csv
    gongkai report submit|publish --agency 湛河区司法局 --year 2024 --user zh_head

``submit`` and ``publish`` go through the same services as the staff pages: a report with an R1–R9 error is refused
(exit 1, every error listed), there is no override.

``build`` renders the published version when one exists (its frozen snapshot), otherwise the report built from live
data now. ``build --rollup`` sums a government's region (gongkai/reports/rollup.py) and exits 1 when R1–R4 fail on
the sum; ``--format trace`` is its JSON with every cell's contributing agencies. ``check`` reads any published
report (md, html, txt, docx, xlsx, pdf) and runs R1–R10 on what it read.
Exit status: 0 no error findings, 1 error findings, 2 the input cannot be used (one Chinese line, never a traceback).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongkai.agencies.models import Agency
from gongkai.agencies.selectors import agency_by_reference

FORMATS = ("html", "md", "docx", "xlsx", "pdf", "json")


def _bad(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "年度报告：build 生成（html|md|docx|xlsx|pdf|json），check 检查已发布的报告"
    exit_code = 0  # read by gongkai/cli.py: 1 when a check found errors
    # `report check` reads one file and `build` reads the catalogue; Django's system checks (~40 ms of model and URL
    # introspection per run) say nothing about either and were most of a check's time.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("build", help="生成年度报告")
        build.add_argument("--agency", required=True, help="机关代码或能唯一识别的名称片段，如 湛河区司法局")
        build.add_argument("--year", required=True, type=int)
        build.add_argument("--format", default="md", choices=(*FORMATS, "trace"))
        build.add_argument("--output", help="输出文件（缺省时写到标准输出，二进制格式必须指定）")
        build.add_argument("--live", action="store_true", help="即使已发布也按当前数据生成（草稿视图）")
        build.add_argument(
            "--rollup",
            action="store_true",
            help="人民政府的汇总（本级、所属部门和下级政府逐格相加，检查 R1–R4）；--format trace 输出每格的组成机关",
        )
        for action, text in (("submit", "报送主管部门"), ("publish", "发布")):
            step = sub.add_parser(action, help=f"{text}（有错误时拒绝，不能越过）")
            step.add_argument("--agency", required=True, help="机关代码或能唯一识别的名称片段")
            step.add_argument("--year", required=True, type=int)
            step.add_argument("--user", required=True, help="执行操作的工作人员用户名（须为本机关负责人）")
        check = sub.add_parser("check", help="检查已发布的年度报告（文件或文件夹）")
        check.add_argument("path")
        check.add_argument("--previous", help="上一年度的报告（用于 R5、R6）")
        check.add_argument("--format", default="text", choices=("text", "json"))
        check.add_argument("--csv", help="文件夹批量检查时的汇总 CSV（缺省为 文件夹/检查结果.csv）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "build":
            self._build(options)
        elif options["action"] in ("submit", "publish"):
            self._step(options)
        else:
            self._check(options)

    # -- submit / publish -------------------------------------------------------------------------------------

    def _step(self, options: dict[str, Any]) -> None:
        from django.core.exceptions import ValidationError

        from gongkai.accounts.models import User, UserKind
        from gongkai.reports import services
        from gongkai.reports.models import OPEN_STATUSES, AnnualReport

        try:
            agency = agency_by_reference(options["agency"])
        except (Agency.DoesNotExist, Agency.MultipleObjectsReturned) as error:
            raise _bad(str(error)) from None
        user = User.objects.filter(username=options["user"], kind=UserKind.STAFF, is_active=True).first()
        if user is None:
            raise _bad(f"没有用户名为“{options['user']}”的在职工作人员")
        action = options["action"]
        report = (
            AnnualReport.objects.filter(agency=agency, year=options["year"], status__in=OPEN_STATUSES)
            .order_by("-version")
            .first()
        )
        try:
            if report is None:
                report = services.report_get_or_create_draft(agency=agency, year=options["year"], actor=user)
            if action == "submit":
                report = services.report_submit(report=report, actor=user)
            else:
                report = services.report_publish(report=report, actor=user)
        except services.ReportBlocked as blocked:
            for finding in blocked.findings:
                self.stdout.write(f"{finding.rule} {finding.severity} {finding.where}：{finding.message}")
            self.stderr.write("存在错误，已拒绝（不能越过）")
            self.exit_code = 1
            return
        except ValidationError as error:
            raise _bad("；".join(error.messages)) from None
        done = "已报送主管部门" if action == "submit" else f"已发布（索引号 {report.index_number}）"
        self.stdout.write(f"{agency.name}{report.year}年度报告 第{report.version}版：{done}")

    # -- build ------------------------------------------------------------------------------------------------

    def _build(self, options: dict[str, Any]) -> None:
        from gongkai.reports import builder
        from gongkai.reports.models import AnnualReport, ReportStatus
        from gongkai.reports.render import RenderMeta, render
        from gongkai.reports.selectors import report_data_from_snapshot, report_render_meta

        try:
            agency = agency_by_reference(options["agency"])
        except (Agency.DoesNotExist, Agency.MultipleObjectsReturned) as error:
            raise _bad(str(error)) from None
        year = options["year"]
        if not 2008 <= year <= 2100:  # 条例 in force since 2008
            raise _bad(f"年份无效：{year}")
        fmt = options["format"]
        if fmt in ("docx", "xlsx", "pdf") and not options.get("output"):
            raise _bad(f"{fmt} 是二进制格式，请用 --output 指定输出文件")
        if options["rollup"]:
            self._rollup(agency, year, fmt, options)
            return
        if fmt == "trace":
            raise _bad("trace 格式只用于汇总，请同时指定 --rollup")
        published = (
            AnnualReport.objects.filter(agency=agency, year=year, status=ReportStatus.PUBLISHED).first()
            if not options["live"]
            else None
        )
        if published is not None:
            data = report_data_from_snapshot(published)
            meta = report_render_meta(published)
        else:
            data = builder.build_report_data(agency, year)
            meta = RenderMeta(title=f"{agency.name}{year}年政府信息公开工作年度报告", agency_name=agency.name)
        try:
            content = render(data, fmt, meta=meta)
        except Exception as error:  # DocumentRenderError (no CJK font) and the like: one line, not a traceback
            raise _bad(f"无法生成 {fmt}：{error}") from None
        self._write(content, options.get("output"))
        errors = [f for f in data.findings if f.severity == "error"]
        status = "已发布版本" if published is not None else "按当前数据生成（未发布）"
        self.stderr.write(
            f"{agency.name}{year}年度报告：{status}，错误 {len(errors)} 项，提示 {len(data.findings) - len(errors)} 项"
        )

    def _rollup(self, agency: Agency, year: int, fmt: str, options: dict[str, Any]) -> None:
        from gongkai.reports import rollup
        from gongkai.reports.render import render

        try:
            summed = rollup.rollup_build(agency=agency, year=year, live=options["live"])
        except rollup.RollupError as error:
            raise _bad(str(error)) from None
        if fmt in ("json", "trace"):
            body = summed.as_json(with_trace=fmt == "trace")
            content = json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")
        else:
            try:
                content = render(summed.data, fmt, meta=rollup.rollup_meta(summed))
            except Exception as error:  # DocumentRenderError (no CJK font) and the like: one line
                raise _bad(f"无法生成 {fmt}：{error}") from None
        self._write(content, options.get("output"))
        errors = [f for f in summed.data.findings if f.severity == "error"]
        published = sum(1 for p in summed.parts if p.source == rollup.PUBLISHED)
        self.stderr.write(
            f"{rollup.rollup_title(agency, year)}：{len(summed.parts)} 个机关（已发布 {published} 个），"
            f"R1–R4 错误 {len(errors)} 项"
        )
        self.exit_code = 1 if errors else 0

    def _write(self, content: bytes, output: str | None) -> None:
        if output:
            try:
                Path(output).write_bytes(content)
            except OSError as error:
                raise _bad(f"无法写入 {output}：{error.strerror}") from None
        else:
            sys.stdout.buffer.write(content)
            sys.stdout.flush()

    # -- check ------------------------------------------------------------------------------------------------

    def _check(self, options: dict[str, Any]) -> None:
        from gongkai.reports.checker import UnreadableReport, check_file, check_folder, format_text

        path = Path(options["path"])
        if path.is_dir():
            csv_out = Path(options.get("csv") or path / "检查结果.csv")
            results = check_folder(path, csv_out)
            failed = 0
            unreadable = 0
            for file, result in results:
                if isinstance(result, UnreadableReport):
                    unreadable += 1
                    self.stdout.write(f"{file.name}：无法读取（{result.message}）")
                    continue
                errors = sum(1 for f in result.findings if f.severity == "error")
                failed += bool(errors)
                self.stdout.write(f"{file.name}：{result.agency} {result.year}年，错误 {errors} 项")
            self.stdout.write(f"共 {len(results)} 份，有错误 {failed} 份，无法读取 {unreadable} 份；汇总见 {csv_out}")
            self.exit_code = 1 if failed else 0
            return
        if not path.exists():
            raise _bad(f"文件不存在：{path}")
        previous = Path(options["previous"]) if options.get("previous") else None
        if previous is not None and not previous.exists():
            raise _bad(f"文件不存在：{previous}")
        try:
            report = check_file(path, previous=previous)
        except UnreadableReport as error:
            raise _bad(error.message) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(format_text(report))
        self.exit_code = 1 if any(f.severity == "error" for f in report.findings) else 0
