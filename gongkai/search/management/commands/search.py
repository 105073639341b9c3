"""gongkai search — the full-text index from the command line.

    gongkai search 政府信息公开 [--agency 湛河区司法局] [--category art20_1] [--year 2025] [--validity current]
                   [--limit 20] [--offset 0] [--format text|json]
    gongkai search process [--limit 500] [--dry-run]   apply pending outbox rows (run it from cron, every minute)
    gongkai search sync [--dry-run]                    enqueue what the index has missed (run it nightly)
    gongkai search rebuild [--dry-run]                 empty the index and index every published item again

A query that is one of the words process / sync / rebuild is given with ``--query``. JSON output:
``{"results": [{"id", "index_number", "title", "doc_number", "agency", "published_on", "snippet"}], "total": n}``
(``snippet`` is escaped HTML with ``<mark>``). Exit status 2 for bad input, one Chinese line, never a traceback.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.html import strip_tags

from gongkai.agencies.models import Agency
from gongkai.agencies.selectors import agency_by_reference
from gongkai.publications.codebook import Category, Validity
from gongkai.search import selectors, services
from gongkai.search.documents import searchable

ACTIONS = ("process", "sync", "rebuild")


class Command(BaseCommand):
    help = "全文检索：检索（search QUERY），处理索引待办（process），补漏（sync），重建索引（rebuild）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("words", nargs="*", help="检索词，或 process / sync / rebuild")
        parser.add_argument("--query", help="检索词（检索词恰为 process、sync、rebuild 时使用）")
        parser.add_argument("--agency", help="机关代码或能唯一识别的名称片段")
        parser.add_argument("--category", choices=Category.values)
        parser.add_argument("--year", type=int)
        parser.add_argument("--validity", choices=Validity.values)
        parser.add_argument("--limit", type=int, help="每页条数（缺省 20）；process 时为一次处理的条数（缺省 500）")
        parser.add_argument("--offset", type=int, default=0)
        parser.add_argument("--format", default="text", choices=("text", "json"))
        parser.add_argument("--dry-run", action="store_true", help="只显示将要做什么（process / sync / rebuild）")

    def handle(self, *args: Any, **options: Any) -> None:
        words: list[str] = options["words"]
        if options["query"] is None and len(words) == 1 and words[0] in ACTIONS:
            getattr(self, f"_{words[0]}")(options)
            return
        query = options["query"] if options["query"] is not None else " ".join(words)
        if not query.strip():
            raise CommandError("请给出检索词，或 process / sync / rebuild", returncode=2)
        self._search(query, options)

    def _process(self, options: dict[str, Any]) -> None:
        if options["dry_run"]:
            self.stdout.write(f"待处理的索引待办：{selectors.outbox_pending()} 条（未处理）")
            return
        result = services.process_outbox(limit=options["limit"] or 500)
        self.stdout.write(
            f"已处理 {result.processed} 条，失败 {result.failed} 条（下次重试），放弃重试 {result.stuck} 条"
        )

    def _sync(self, options: dict[str, Any]) -> None:
        result = services.search_sync(dry_run=options["dry_run"])
        verb = "需要" if options["dry_run"] else "已"
        self.stdout.write(f"{verb}加入索引待办：需更新 {result.stale} 条，需移除 {result.gone} 条")

    def _rebuild(self, options: dict[str, Any]) -> None:
        if options["dry_run"]:
            count = searchable().count()
            self.stdout.write(f"将重建索引：{count} 条已发布信息")
            return
        count = services.search_rebuild()
        self.stdout.write(f"索引已重建：{count} 条已发布信息")

    def _search(self, query: str, options: dict[str, Any]) -> None:
        agency_ids = None
        if options["agency"]:
            try:
                agency_ids = [agency_by_reference(options["agency"]).pk]
            except (Agency.DoesNotExist, Agency.MultipleObjectsReturned) as error:
                raise CommandError(str(error), returncode=2) from error
        limit = 20 if options["limit"] is None else options["limit"]
        if limit <= 0 or options["offset"] < 0:
            raise CommandError("--limit 须为正数，--offset 不能为负数", returncode=2)
        page = selectors.search(
            query,
            agency_ids=agency_ids,
            category=options["category"],
            year=options["year"],
            validity=options["validity"],
            limit=limit,
            offset=options["offset"],
        )
        results = []
        for hit in page.hits:
            publication = hit.publication
            assert publication is not None  # _hits always loads it
            results.append(
                {
                    "id": hit.publication_id,
                    "index_number": publication.index_number,
                    "title": publication.title,
                    "doc_number": publication.doc_number,
                    "agency": publication.agency.name,
                    "published_on": publication.published_on.isoformat() if publication.published_on else None,
                    "snippet": hit.snippet_html,
                }
            )
        if options["format"] == "json":
            self.stdout.write(json.dumps({"results": results, "total": page.total}, ensure_ascii=False))
            return
        self.stdout.write(f"共 {page.total_display} 条结果")
        for number, (hit, row) in enumerate(zip(page.hits, results, strict=True), start=options["offset"] + 1):
            self.stdout.write(f"{number}. {_plain(hit.title_html)}")
            details = "  ".join(
                str(row[key]) for key in ("index_number", "doc_number", "agency", "published_on") if row[key]
            )
            self.stdout.write(f"   {details}")
            if row["snippet"]:
                self.stdout.write(f"   {_plain(str(row['snippet']))}")


def _plain(html_text: str) -> str:
    """The terminal shows 【】 where the portal shows <mark>."""
    return html.unescape(strip_tags(re.sub(r"<mark>(.*?)</mark>", r"【\1】", html_text)))
