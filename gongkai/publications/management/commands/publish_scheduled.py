"""gongkai publish_scheduled [--dry-run] — publish the items a 负责人 approved for a time that has come.

Idempotent and safe on several machines at once: each item's row is taken with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL;
an item another machine holds is passed over) and published by ``services.publication_publish_scheduled`` in the
same transaction, which re-checks under the lock that it is still approved and due; a second run (or a second
machine) finds it published already and skips it. Run it every few minutes from cron or a systemd timer.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from gongkai.publications import selectors, services
from gongkai.publications.models import Publication


def _take(pk: int) -> bool:
    """Lock the item's row for this transaction, passing over one another machine holds (PostgreSQL: ``FOR UPDATE
    SKIP LOCKED``), so that machines share the work instead of queueing on each row. SQLite has no row locks; its
    IMMEDIATE transactions serialise the workers and the service re-checks the status under its own lock."""
    if not connection.features.has_select_for_update_skip_locked:
        return True
    rows = Publication.objects.select_for_update(skip_locked=True).filter(pk=pk).values_list("pk", flat=True)
    return bool(list(rows))


class Command(BaseCommand):
    help = "定时发布：发布已审批同意且定时发布时间已到的主动公开信息"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只列出将发布的信息，不作改动")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        ids = selectors.scheduled_due(now)
        items = Publication.objects.filter(pk__in=ids).select_related("agency").order_by("scheduled_for", "pk")
        done = skipped = 0
        errors: list[str] = []
        for item in items:
            when = timezone.localtime(item.scheduled_for).strftime("%Y-%m-%d %H:%M") if item.scheduled_for else ""
            line = f"{item.agency.name} {item.index_number} {item.title}（定时 {when}）"
            if options["dry_run"]:
                self.stdout.write(f"将发布：{line}")
                continue
            try:
                with transaction.atomic():
                    if not _take(item.pk):
                        skipped += 1  # another machine holds the row and is publishing it right now
                        continue
                    published = services.publication_publish_scheduled(publication=item, now=now)
            except ValidationError as error:
                errors.append(f"发布失败：{line}：{'；'.join(error.messages)}")
                continue
            if published:
                done += 1
                if options["verbosity"] >= 1:
                    self.stdout.write(f"已发布：{line}")
            else:
                skipped += 1
        if options["dry_run"]:
            self.stdout.write(f"定时发布（试运行）：将发布 {len(ids)} 条")
        else:
            self.stdout.write(f"定时发布：已发布 {done} 条，已由其他进程处理或不再待发 {skipped} 条")
        for message in errors:
            self.stderr.write(message)
        if errors:
            raise CommandError(f"定时发布失败 {len(errors)} 条", returncode=1)
