"""Reads over annual reports: the 主管部门's deadline board, the portal's 年报 column, and the in-memory form of a
published report rebuilt from its frozen snapshot (for rendering, never from live data)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import timezone

from gongkai.accounts.access import AllAgencies, agency_ids_with
from gongkai.accounts.roles import Perm
from gongkai.agencies.models import Agency
from gongkai.agencies.selectors import supervised_agency_ids
from gongkai.reports import builder, rules
from gongkai.reports.models import AnnualReport, ReportStatus
from gongkai.reports.schema import (
    TABLE2_COUNTS,
    TABLE2_DECISIONS,
    TABLE2_DOCS,
    TABLE2_FEE,
    TABLE3_COLS,
    TABLE3_ROWS,
    TABLE4_BLOCKS,
    TABLE4_RESULTS,
    Figure,
    Finding,
    ReportData,
)

if TYPE_CHECKING:
    from gongkai.reports.render.content import RenderMeta

__all__ = [
    "SupervisedReport",
    "published_reports",
    "report_current_data",
    "report_data_from_snapshot",
    "report_render_meta",
    "report_status_for_supervisor",
    "report_versions",
]


@dataclass(frozen=True)
class SupervisedReport:
    agency: Agency
    report: AnnualReport | None  # the latest version, None when not started
    status: str  # ReportStatus value, "" when not started
    status_label: str  # 未开始 / 草稿 / 已报送主管部门 / 已发布
    published_on: dt.date | None
    deadline: dt.date | None  # 条例第四十九条
    timing: str  # "on_time" | "late" | "overdue" | "due"
    timing_label: str  # 按时发布 / 逾期发布 / 已逾期N天未发布 / 距截止还有N天
    days: int | None  # days left ("due") or overdue ("overdue"/"late")
    errors: int
    warnings: int


def _timing(published_on: dt.date | None, due: dt.date | None, today: dt.date) -> tuple[str, str, int | None]:
    if due is None:
        return "due", "无法定期限", None
    if published_on is not None:
        if published_on <= due:
            return "on_time", "按时发布", 0
        late = (published_on - due).days
        return "late", f"逾期{late}天发布", late
    if today > due:
        late = (today - due).days
        return "overdue", f"已逾期{late}天未发布", late
    left = (due - today).days
    return "due", f"距截止还有{left}天", left


def report_status_for_supervisor(
    supervisor_user: Any, year: int, *, today: dt.date | None = None
) -> list[SupervisedReport]:
    """Every agency the user supervises (主管部门 membership; 条例第四十七条) with the deadline status of its ``year``
    report: 1月31日 for departments, 3月31日 for governments of the following year (条例第四十九条)."""
    today = today or timezone.localdate()
    offices = agency_ids_with(supervisor_user, Perm.SUPERVISE)
    if isinstance(offices, AllAgencies):
        ids: set[int] = set(Agency.objects.filter(is_active=True).values_list("pk", flat=True))
    else:
        ids = set()
        for office in offices:
            ids |= supervised_agency_ids(office)
    agencies = list(Agency.objects.filter(pk__in=ids, is_active=True).order_by("level", "name"))
    latest: dict[int, AnnualReport] = {}
    published: dict[int, AnnualReport] = {}
    for version in AnnualReport.objects.filter(agency_id__in=ids, year=year).order_by("agency_id", "version"):
        latest[version.agency_id] = version
        if version.status in (ReportStatus.PUBLISHED, ReportStatus.SUPERSEDED) and version.agency_id not in published:
            published[version.agency_id] = version  # the first publication decides timeliness
    rows = []
    for agency in agencies:
        report = latest.get(agency.pk)
        first = published.get(agency.pk)
        published_on = first.published_on if first is not None else None
        due = rules.deadline(year, builder.agency_kind(agency))
        timing, timing_label, days = _timing(published_on, due, today)
        findings = report.findings if report is not None else []
        rows.append(
            SupervisedReport(
                agency=agency,
                report=report,
                status=report.status if report is not None else "",
                status_label=ReportStatus(report.status).label if report is not None else "未开始",
                published_on=published_on,
                deadline=due,
                timing=timing,
                timing_label=timing_label,
                days=days,
                errors=sum(1 for f in findings if f.get("severity") == rules.ERROR),
                warnings=sum(1 for f in findings if f.get("severity") == rules.WARNING),
            )
        )
    return rows


def published_reports(agency_ids: list[int] | set[int], *, include_superseded: bool = False) -> QuerySet[AnnualReport]:
    """The portal's 年报 column: published reports (the current version of each year), newest year first, with
    索引号 and 发布日期. ``include_superseded`` adds the earlier versions (public history of corrections)."""
    statuses = [ReportStatus.PUBLISHED, ReportStatus.SUPERSEDED] if include_superseded else [ReportStatus.PUBLISHED]
    return (
        AnnualReport.objects.filter(agency_id__in=list(agency_ids), status__in=statuses)
        .select_related("agency")
        .defer("snapshot")
        .order_by("-year", "agency__name", "-version")
    )


def report_versions(agency: Agency, year: int) -> QuerySet[AnnualReport]:
    return AnnualReport.objects.filter(agency=agency, year=year).order_by("-version")


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def report_data_from_snapshot(report: AnnualReport) -> ReportData:
    """The frozen report as ``ReportData`` (tables, rendered narrative, figures, findings, dates) — what the renderers
    take for a published report. Raises ``ValueError`` for a report that was never published."""
    snap = report.snapshot
    if not snap:
        raise ValueError("该报告尚未发布，没有发布快照")
    body = snap["report"]
    # PostgreSQL's jsonb keeps no key order: the tables are put back in the template's order.
    table2: dict[str, Any] = {}
    for key in (*TABLE2_DOCS, *TABLE2_DECISIONS, TABLE2_FEE, *body["table2"]):
        if key in body["table2"] and key not in table2:
            value = body["table2"][key]
            table2[key] = {c: value[c] for c in TABLE2_COUNTS if c in value} if isinstance(value, dict) else value
    if "行政事业性收费" in table2:
        table2["行政事业性收费"] = _decimal(table2["行政事业性收费"])
    meta = snap.get("meta", {})
    published_on = meta.get("published_on")
    return ReportData(
        agency=body["agency"],
        year=int(body["year"]),
        table2=table2,
        table3={row: {col: body["table3"][row][col] for col in TABLE3_COLS} for row, _label in TABLE3_ROWS},
        table4={block: {res: body["table4"][block][res] for res in TABLE4_RESULTS} for block in TABLE4_BLOCKS},
        sections=dict(snap.get("sections", {})),
        figures=[Figure(f["key"], Decimal(f["value"]), f["text"]) for f in snap.get("figures", [])],
        fee_yuan=_decimal(snap.get("fee_yuan")),
        published_on=dt.date.fromisoformat(published_on) if published_on else None,
        agency_kind=meta.get("agency_kind", ""),
        findings=[Finding(**f) for f in body.get("findings", [])],
    )


def report_current_data(report: AnnualReport, *, today: dt.date | None = None) -> ReportData:
    """What to show for a report: the frozen snapshot once published, else a build from live data with its text."""
    if report.snapshot:
        return report_data_from_snapshot(report)
    return builder.build(report.agency, report.year, sections=report.sections, today=today).data


def report_render_meta(report: AnnualReport) -> RenderMeta:
    """The renderers' header for a report: title, agency, 索引号, 发布日期, version and the public revision note (from the
    snapshot once published, so the header is as frozen as the tables)."""
    from gongkai.reports.render.content import RenderMeta

    meta = (report.snapshot or {}).get("meta", {})
    agency_name = meta.get("agency") or report.agency.name
    published_on = meta.get("published_on")
    return RenderMeta(
        title=f"{agency_name}{report.year}年政府信息公开工作年度报告",
        agency_name=agency_name,
        index_number=meta.get("index_number", report.index_number),
        published_on=dt.date.fromisoformat(published_on) if published_on else report.published_on,
        revision_note=meta.get("revision_note", report.revision_note),
        version=int(meta.get("version", report.version)),
    )
