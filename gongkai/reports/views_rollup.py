"""Back-office pages of a government's region-wide summary (全区汇总 / 全市汇总, gongkai/reports/rollup.py): the summed
tables with every number linked to its contributing agencies, R1–R4 on the sum, and downloads in the report formats.

Access: the user must be able to read the reports of every part — directly (a membership with ``VIEW_REPORTS``), or as
the 主管部门 over them (``Role.SUPERVISOR`` reaches the supervised agencies and everything under them through
``SUPERVISED_PERMS``, which holds ``VIEW_REPORTS``), or through a platform role; the government's own 办公室 holding
``SUPERVISE`` may also read the government's own figures (条例第四十九条第二款, ``_may_view``). Anyone else — and any agency that is
not a government — gets the same 404 as for a missing agency: a summary would otherwise disclose the figures of
agencies the user may not read.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from gongkai.accounts import access
from gongkai.accounts.decorators import staff_required, staff_user
from gongkai.accounts.roles import Perm
from gongkai.agencies.models import Agency, Kind
from gongkai.reports import rollup, rules
from gongkai.reports.render import (
    CONTENT_TYPES,
    FORMATS,
    DocumentRenderError,
    table2_html,
    table3_html,
    table4_html,
)
from gongkai.reports.render import render as render_report
from gongkai.reports.schema import TABLE3_ROWS
from gongkai.reports.views_staff import FIRST_YEAR, FORMAT_LABELS, attachment

__all__ = ["rollup_cell", "rollup_detail", "rollup_download"]

EMPTY_COL = "_"  # 表二（五）（六）（八） cells have one column only: "_" in the URL
_TABLE_NAMES = {"table2": "表二", "table3": "表三", "table4": "表四"}
_NUM_CELL = re.compile(
    r'(<td[^>]*? class="num" data-table="(table[234])" data-row="([^"]*)"(?: data-col="([^"]*)")?>)([^<]*)(</td>)'
)


def _rollup_for(request: HttpRequest, agency_id: int, year: int) -> rollup.Rollup:
    user = staff_user(request)
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise Http404(access.NOT_FOUND)
    agency = Agency.objects.filter(pk=agency_id, is_active=True, kind=Kind.GOVERNMENT).first()
    if agency is None:
        raise Http404(access.NOT_FOUND)
    if not _may_view(user, agency, rollup.rollup_agencies(agency)):
        raise Http404(access.NOT_FOUND)
    return rollup.rollup_build(agency=agency, year=year)


def _may_view(user: Any, government: Agency, parts: list[Agency]) -> bool:
    readable = access.agency_ids_with(user, Perm.VIEW_REPORTS)  # ALL (a platform role) contains every id
    missing = [part for part in parts if part.pk not in readable]
    if not missing:
        return True
    # 条例第四十九条第二款: the 主管部门 of a local government publishes that government's own report. Its office —
    # the 办公室 under the government, where the user holds SUPERVISE and reads everything else — may therefore read
    # the government's own figures here even when the government's supervisor is the next level up.
    supervising = access.agency_ids_with(user, Perm.SUPERVISE)
    return missing == [government] and any(
        part.pk in supervising and part.parent_id == government.pk and part.kind == Kind.OFFICE for part in parts
    )


def _linked(summed: rollup.Rollup, prefix: str) -> dict[str, SafeString]:
    def link(match: re.Match[str]) -> str:
        table, row = match.group(2), html.unescape(match.group(3))
        col = html.unescape(match.group(4)) if match.group(4) is not None else ""
        count = len(summed.contributors(table, row, col))
        url = f"{prefix}{table}/{quote(row, safe='')}/{quote(col or EMPTY_COL, safe='')}/"
        title = f"{count}个机关" if count else "各机关均为0"
        return f'{match.group(1)}<a href="{html.escape(url)}" title="{title}">{match.group(5)}</a>{match.group(6)}'

    tables = {
        "table2": table2_html(summed.data),
        "table3": table3_html(summed.data),
        "table4": table4_html(summed.data),
    }
    return {name: mark_safe(_NUM_CELL.sub(link, text)) for name, text in tables.items()}  # noqa: S308 - escaped


@staff_required
def rollup_detail(request: HttpRequest, agency_id: int, year: int) -> HttpResponse:
    summed = _rollup_for(request, agency_id, year)
    prefix = reverse("reports:rollup", kwargs={"agency_id": agency_id, "year": year}) + "cell/"
    errors = [f for f in summed.data.findings if f.severity == rules.ERROR]
    broken = [(p, f) for p in summed.parts for f in p.findings]
    return render(
        request,
        "reports/staff/rollup.html",
        {
            "agency": summed.agency,
            "year": year,
            "title": rollup.rollup_title(summed.agency, year),
            "rollup": summed,
            "errors": errors,
            "broken": broken,
            "tables": _linked(summed, prefix),
            "formats": [(fmt, FORMAT_LABELS[fmt]) for fmt in FORMATS],
        },
    )


@staff_required
def rollup_download(request: HttpRequest, agency_id: int, year: int, fmt: str) -> HttpResponse:
    if fmt not in FORMATS and fmt != "trace":
        raise Http404(access.NOT_FOUND)
    summed = _rollup_for(request, agency_id, year)
    meta = rollup.rollup_meta(summed)
    if fmt in ("json", "trace"):
        body = json.dumps(summed.as_json(with_trace=fmt == "trace"), ensure_ascii=False, indent=2).encode("utf-8")
        suffix = "（组成明细）" if fmt == "trace" else ""
        return attachment(body, f"{meta.title}{suffix}.json", CONTENT_TYPES["json"])
    try:
        content = render_report(summed.data, fmt, meta=meta)
    except DocumentRenderError as error:
        return HttpResponse(f"无法生成{FORMAT_LABELS[fmt]}文件：{error}", status=503, content_type="text/plain")
    return attachment(content, f"{meta.title}.{fmt}", CONTENT_TYPES[fmt])


def _cell_label(table: str, row: str, col: str) -> str:
    name = dict(TABLE3_ROWS).get(row, row) if table == "table3" else row
    return f"{_TABLE_NAMES[table]} {name}" + (f" · {col}" if col else "")


@staff_required
def rollup_cell(request: HttpRequest, agency_id: int, year: int, table: str, row: str, col: str) -> HttpResponse:
    """The agencies behind one summed number and their values, each linked to that agency's report (and, for 表二（一）
    and 表三, to the drill-down of the same cell there)."""
    if table not in _TABLE_NAMES:
        raise Http404(access.NOT_FOUND)
    col = "" if col == EMPTY_COL else col
    if (table, row, col) not in set(rollup.cells()):
        raise Http404(access.NOT_FOUND)
    summed = _rollup_for(request, agency_id, year)
    drill = table == "table3" or (table == "table2" and col != "")
    rows = []
    for part, value in summed.contributors(table, row, col):
        detail = reverse("reports:detail", kwargs={"agency_id": part.agency_id, "year": year})
        cell = f"{detail}cell/{table}/{quote(row, safe='')}/{quote(col, safe='')}/" if drill else ""
        rows.append((part, value, detail, cell))
    return render(
        request,
        "reports/staff/rollup_cell.html",
        {
            "agency": summed.agency,
            "year": year,
            "title": rollup.rollup_title(summed.agency, year),
            "label": _cell_label(table, row, col),
            "total": rollup.cell_value(summed.data, table, row, col),
            "rows": rows,
            "parts": len(summed.parts),
        },
    )
