"""gongkai scan PATH [--format text|json] — the 保密审查 pre-publication scan of one file (.txt, .docx, .pdf, .xlsx).

    gongkai scan 通知.docx
    gongkai scan 通知.pdf --format json

JSON: ``{"findings": [{"kind", "severity", "start", "end", "text"}]}``, offsets into the file's extracted text.
Exit status: 0 no high-severity finding, 1 at least one, 2 the file cannot be read (one Chinese line on stderr).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongkai.scanning.detectors import KIND_LABELS, SEVERITY_LABELS, Finding, has_high
from gongkai.scanning.extract import ScanError, scan_file


def findings_json(findings: list[Finding]) -> str:
    return json.dumps({"findings": [finding.as_dict() for finding in findings]}, ensure_ascii=False)


def findings_lines(findings: list[Finding]) -> list[str]:
    lines = [
        f"{SEVERITY_LABELS[f.severity]} {KIND_LABELS[f.kind]} {f.start}–{f.end} {f.text.replace(chr(10), ' ')}"
        for f in findings
    ]
    if not findings:
        lines.append("未发现需要审查的内容")
    else:
        counts = {label: sum(1 for f in findings if f.severity == key) for key, label in SEVERITY_LABELS.items()}
        detail = "，".join(f"{label} {count}" for label, count in counts.items())
        lines.append(f"共 {len(findings)} 处：{detail}")
    return lines


class Command(BaseCommand):
    help = "保密审查扫描：找出密级标志、身份证号、电话、银行卡号、电子邮箱、统一社会信用代码和相邻的姓名"
    requires_system_checks: list[str] = []  # reads one file; no database
    exit_code = 0  # read by gongkai/cli.py: 1 when a high-severity finding is present

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="要扫描的文件（.txt、.docx、.pdf、.xlsx）")
        parser.add_argument("--format", default="text", choices=("text", "json"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            _text, findings = scan_file(options["path"])
        except ScanError as error:
            raise CommandError(str(error), returncode=2) from None
        if options["format"] == "json":
            self.stdout.write(findings_json(findings))
        else:
            for line in findings_lines(findings):
                self.stdout.write(line)
        self.exit_code = 1 if has_high(findings) else 0
