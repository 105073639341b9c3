"""`gongkai appeals mapping [--set RESULT COLUMN | --remove RESULT | --reset]` — the 表四 result mapping in force;
`gongkai appeals due` — answers (答复/答辩) overdue or due within days."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongkai.agencies.models import Agency
from gongkai.appeals import selectors, services
from gongkai.appeals.codebook import COLUMN_LABELS, DEFAULT_MAPPING, RESULTS, AppealKind, Column


class Command(BaseCommand):
    help = "复议诉讼：mapping 查看或修改表四结果归类；due 列出逾期或即将到期的答复（答辩）"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        mapping = sub.add_parser("mapping", help="查看或修改表四结果归类（不带参数为查看）")
        group = mapping.add_mutually_exclusive_group()
        group.add_argument("--set", nargs=2, metavar=("RESULT", "COLUMN"), help="COLUMN：upheld、corrected、other")
        group.add_argument("--remove", metavar="RESULT", help="移出归类（此后不能记录该结果）")
        group.add_argument("--reset", action="store_true", help="恢复默认归类")
        due = sub.add_parser("due", help="列出逾期或即将到期的答复（答辩）")
        due.add_argument("--days", type=int, default=5, help="即将到期的天数（默认5）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "due":
            self._due(options["days"])
            return
        try:
            if options["set"]:
                result, column = options["set"]
                services.mapping_set(actor=None, result=result, column=column)
            elif options["remove"]:
                services.mapping_set(actor=None, result=options["remove"], column="")
            elif options["reset"]:
                for result, column in DEFAULT_MAPPING.items():
                    services.mapping_set(actor=None, result=str(result), column=str(column))
        except ValidationError as error:
            raise CommandError("；".join(error.messages), returncode=2) from None
        current = selectors.mapping()
        for code, definition in RESULTS.items():
            column = COLUMN_LABELS.get(current.get(code, ""), "（未归类）")
            self.stdout.write(f"{code}\t{AppealKind(definition.kind).label}\t{definition.label}\t{column}")
        assert set(COLUMN_LABELS) == set(Column.values)

    def _due(self, days: int) -> None:
        if days < 0:
            raise CommandError("--days 不能为负数", returncode=2)
        today = timezone.localdate()
        ids = list(Agency.objects.values_list("pk", flat=True))
        for label, rows in (
            ("逾期", selectors.answers_overdue(ids, today=today)),
            ("即将到期", selectors.answers_due_soon(ids, today=today, days=days)),
        ):
            for appeal in rows.select_related("agency"):
                self.stdout.write(
                    f"{label}\t{appeal.answer_due}\t{appeal.agency.name}\t{appeal.get_kind_display()}\t"
                    f"{appeal.number or appeal.pk}"
                )
