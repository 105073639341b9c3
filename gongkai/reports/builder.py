"""Build one agency's annual report from live data (issue 5 §2–4): 表二 from the publication catalogue and the entered
figures, 表三 from the cases, 表四 from the tracked appeals, the narrative rendered from its placeholders, and
R1–R10 over the result.

Every number is an aggregate query over the case / publication tables at build time; a published report is never
rebuilt (``selectors.report_data_from_snapshot``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q

from gongkai.agencies.models import Agency, Kind
from gongkai.appeals import selectors as appeal_selectors
from gongkai.cases import selectors as case_selectors
from gongkai.cases.codebook import Channel
from gongkai.cases.models import Case
from gongkai.cases.states import Status as CaseStatus
from gongkai.reports import narrative, rules, tables
from gongkai.reports.models import AnnualFigures, AnnualReport, ReportStatus
from gongkai.reports.schema import (
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

__all__ = [
    "Built",
    "agency_kind",
    "build",
    "build_report_data",
    "draft_facts",
    "drilldown",
]

_RECEIPT_PLACEHOLDER: dict[str, str] = {
    Channel.ONLINE: "在线申请",
    Channel.IN_PERSON: "当面申请",
    Channel.REGISTERED_MAIL: "信函申请",
    Channel.ORDINARY_MAIL: "信函申请",
    Channel.FAX: "传真申请",
    Channel.ORAL: "口头申请",
}
_CHANNEL_PLACEHOLDER = {"门户网站": "门户网站发布", "政务新媒体/公众号": "公众号发布", "政府公报": "政府公报发布"}


def agency_kind(agency: Agency) -> str:
    """条例第四十九条: a local government publishes by 3月31日; its departments (and offices) by 1月31日."""
    return "government" if agency.kind == Kind.GOVERNMENT else "department"


def _publications() -> Any:
    try:
        from gongkai.publications import selectors as publication_selectors
    except ImportError as error:  # pragma: no cover - only while the catalogue is being built
        raise ImportError(
            "表二 第二十条第（一）项需要主动公开目录（gongkai.publications.selectors.table2_documents），该模块尚不可用"
        ) from error
    return publication_selectors


@dataclass
class Built:
    """A built report with what the builder knows beyond ``ReportData``: the drill-down ids and the values of the
    placeholders that are not table cells."""

    data: ReportData
    extra: dict[str, int | Decimal]
    fees_collected: Decimal
    table2_ids: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    table3_ids: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    template: dict[str, str] = field(default_factory=dict)  # the sections with their placeholders
    table4_ids: dict[str, dict[str, list[int]]] = field(default_factory=dict)  # appeal ids per 表四 cell


def _timeliness(agency_ids: list[int], year: int) -> tuple[int, int, int, int]:
    """(closed, on time, extended, late) over the cases closed in ``year`` with an outcome (条例第三十三条)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    closed = (
        Case.objects.filter(agency_id__in=agency_ids, closed_on__range=(start, end), received_on__isnull=False)
        .exclude(status=CaseStatus.CANCELLED)
        .exclude(outcome="")
    )
    counts = closed.aggregate(
        total=Count("pk"),
        late=Count("pk", filter=Q(ledger__reply_due__isnull=False, closed_on__gt=F("ledger__reply_due"))),
        extended=Count("pk", filter=Q(extension_days__isnull=False, extension_days__gt=0)),
    )
    total, late, extended = int(counts["total"]), int(counts["late"]), int(counts["extended"])
    return total, total - late, extended, late


def _received_by_channel(agency_ids: list[int], year: int) -> dict[str, int]:
    rows = (
        Case.objects.filter(agency_id__in=agency_ids, received_on__year=year)
        .exclude(status=CaseStatus.CANCELLED)
        .values("channel")
        .annotate(n=Count("pk"))
    )
    result: dict[str, int] = {}
    for row in rows:
        name = _RECEIPT_PLACEHOLDER.get(row["channel"])
        if name:
            result[name] = result.get(name, 0) + int(row["n"])
    return result


def _extra(agency_ids: list[int], year: int, fees: Decimal) -> dict[str, int | Decimal]:
    extra: dict[str, int | Decimal] = {name: 0 for name in narrative.EXTRA_PLACEHOLDERS}
    extra["信息处理费"] = fees
    for label, count in _publications().channel_counts(agency_ids, year).items():
        if label in _CHANNEL_PLACEHOLDER:
            extra[_CHANNEL_PLACEHOLDER[label]] = count
    extra.update(_received_by_channel(agency_ids, year))
    _closed, on_time, extended, late = _timeliness(agency_ids, year)
    extra["按期答复"], extra["延期答复"], extra["逾期答复"] = on_time, extended, late
    from gongkai.responses.selectors import concern_counts  # 舆情回应 (issue 6 §7) for section 一（五）/（一）

    concerns = concern_counts(agency_ids, year)
    extra["舆情收到"], extra["舆情回应"] = concerns["received"], concerns["responded"]
    return extra


def _tables(
    agency: Agency, year: int, report: ReportData, *, with_ids: bool = True
) -> tuple[dict[str, Any], dict[str, Any], list[Finding]]:
    """Fill ``report``'s three tables; return the drill-down ids and the builder's notes (unfilled figures)."""
    notes: list[Finding] = []
    ids2: dict[str, dict[str, list[int]]] = {}
    documents = _publications().table2_documents([agency.pk], year)
    for doc in TABLE2_DOCS:
        columns = documents.get(doc, {})
        report.table2[doc] = {column: count for column, (count, _ids) in columns.items()} or report.table2[doc]
        ids2[doc] = {column: list(pks) for column, (_count, pks) in columns.items()}
    figures = AnnualFigures.objects.filter(agency=agency, year=year).first()
    if figures is None:
        notes.append(
            Finding(
                "R9",
                rules.WARNING,
                "表二 第二十条第（五）（六）（八）项",
                f"{year}年度行政许可、行政处罚、行政强制、行政事业性收费尚未填报，按0计；请填报或从执法系统导入",
            )
        )
    else:
        report.table2["行政许可"] = figures.licensing
        report.table2["行政处罚"] = figures.penalties
        report.table2["行政强制"] = figures.enforcement
        report.table2[TABLE2_FEE] = Decimal(figures.fees_wan)
    case_ids: dict[str, Any] = {}
    if with_ids:
        counted = tables.table3([agency.pk], year)
        report.table3, case_ids = counted.cells, counted.case_ids
    else:  # the previous year only feeds R5/R6: counts from one grouped query, no ids
        report.table3 = tables.table3_counts([agency.pk], year)
    # 表四 from the tracked appeals (gongkai.appeals: carried-over appeals included, results mapped by the table in force).
    report.table4 = {block: dict(cells) for block, cells in appeal_selectors.table4([agency.pk], year).items()}
    return ids2, case_ids, notes


def _previous_published(agency: Agency, year: int) -> AnnualReport | None:
    return (
        AnnualReport.objects.filter(agency=agency, year=year - 1, status=ReportStatus.PUBLISHED)
        .order_by("-version")
        .first()
    )


def _similarity_note(agency: Agency, year: int, rendered: Mapping[str, str]) -> list[Finding]:
    previous = _previous_published(agency, year)
    if previous is None or not previous.snapshot:
        return []
    before = narrative.narrative_text(previous.snapshot.get("sections", {}))
    ratio = narrative.similarity(narrative.narrative_text(rendered), before)
    if ratio <= narrative.SIMILARITY_LIMIT:
        return []
    return [
        Finding(
            "R7",
            rules.WARNING,
            f"正文与{year - 1}年度报告",
            f"正文与上一年度已发布报告的相似度为{ratio:.0%}，超过70%（国办公开办函〔2021〕30号：不得内容雷同、敷衍塞责）",
        )
    ]


def _tables_only(agency: Agency, year: int) -> ReportData:
    report = ReportData(agency=agency.name, year=year, agency_kind=agency_kind(agency))
    _tables(agency, year, report, with_ids=False)
    return report


def build(
    agency: Agency,
    year: int,
    *,
    sections: Mapping[str, str] | None = None,
    today: dt.date | None = None,
    published_on: dt.date | None = None,
) -> Built:
    """The full build. ``sections`` are the narrative with placeholders — by default the latest version's text, else a
    first draft. Raises ``narrative.PlaceholderError`` for an unknown placeholder."""
    report = ReportData(agency=agency.name, year=year, agency_kind=agency_kind(agency), published_on=published_on)
    ids2, ids3, notes = _tables(agency, year, report)
    fees = Decimal(case_selectors.fees_collected([agency.pk], year))
    extra = _extra([agency.pk], year, fees)
    if sections is None:
        latest = AnnualReport.objects.filter(agency=agency, year=year).order_by("-version").first()
        sections = dict(latest.sections) if latest is not None and latest.sections else None
    if sections is None:
        sections = narrative.draft_from_facts(year, draft_facts(agency, year, extra=extra))
    template = dict(sections)
    rendered = narrative.render_sections(template, report, extra=extra)
    report.sections = rendered
    by_placeholder = narrative.placeholder_figures(template, report, extra=extra)
    typed, fee_stated = narrative.figures_in_text(rendered)
    # One figure per claim: a placeholder's number and the same number found again in the text are one claim; a
    # hand-typed number that differs is kept, and R7 names it.
    seen: set[tuple[str, str]] = set()
    figures: list[Figure] = []
    for figure in [*by_placeholder, *typed]:
        if figure.key != "fee_yuan" and (figure.key, str(figure.value)) not in seen:
            seen.add((figure.key, str(figure.value)))
            figures.append(figure)
    report.figures = figures
    # 六 states the fee: through the placeholder it is the amount collected by construction; typed, it is read back.
    uses_fee_placeholder = "信息处理费" in narrative.placeholders_in(template.get("6", ""))
    report.fee_yuan = fees if uses_fee_placeholder else fee_stated
    previous = _tables_only(agency, year - 1)
    report.findings = [
        *notes,
        *rules.check(report, previous, fees_collected=fees, today=today),
        *_similarity_note(agency, year, rendered),
    ]
    ids4 = appeal_selectors.table4_ids([agency.pk], year)
    return Built(report, extra, fees, ids2, ids3, template, ids4)


def build_report_data(
    agency: Agency, year: int, *, sections: dict[str, str] | None = None, today: dt.date | None = None
) -> ReportData:
    """``ReportData`` of (agency, year) from live data, with its findings (R1–R10 and the builder's notes)."""
    return build(agency, year, sections=sections, today=today).data


def draft_facts(agency: Agency, year: int, *, extra: Mapping[str, int | Decimal] | None = None) -> narrative.DraftFacts:
    agency_ids = [agency.pk]
    values = (
        dict(extra)
        if extra is not None
        else _extra(agency_ids, year, Decimal(case_selectors.fees_collected(agency_ids, year)))
    )
    closed, _on_time, extended, late = _timeliness(agency_ids, year)
    received = sum(int(values.get(name, 0)) for name in ("在线申请", "当面申请", "信函申请", "传真申请", "口头申请"))
    previous = _previous_published(agency, year)
    problems: list[str] | None = None
    if previous is not None and previous.snapshot:
        problems = narrative.previous_problems(previous.snapshot.get("sections", {}).get("5", "")) or None
    channels = _publications().channel_counts(agency_ids, year)
    return narrative.DraftFacts(
        channels=channels,
        received_by_channel={k: int(v) for k, v in values.items() if k in narrative.EXTRA_PLACEHOLDERS},
        received=received,
        closed=closed,
        extended=extended,
        late=late,
        fee_yuan=int(values.get("信息处理费", 0)),
        previous_problems=problems,
    )


# Rows of 表二 (drill-down to publications) by the labels callers use.
_T3_ROWS = {key for key, _ in TABLE3_ROWS}


def drilldown(agency: Agency, year: int, table: str, row: str, col: str) -> list[int]:
    """The ids behind one cell: case ids for 表三 (row "3.3.4", col "法律服务机构"/"总计"), publication ids for 表二
    (row "规章"/"行政规范性文件", col "本年制发"/"本年废止"/"现行有效"), publication ids for the channel counts (table
    "渠道", row the channel label), appeal ids for 表四 (row the block, col the result column or "总计").
    表二（五）（六）（八） are entered figures: no items behind them ([]).
    Raises ``ValueError`` (Chinese) for an unknown cell."""
    if table in ("表三", "3", "table3"):
        if row not in _T3_ROWS or col not in TABLE3_COLS:
            raise ValueError(f"表三没有“{row}”行“{col}”列")
        return sorted(tables.table3([agency.pk], year).case_ids[row][col])
    if table in ("表二", "2", "table2"):
        if row in TABLE2_DOCS:
            columns = _publications().table2_documents([agency.pk], year).get(row, {})
            if col not in columns:
                raise ValueError(f"表二“{row}”没有“{col}”列")
            return list(columns[col][1])
        if row in (*TABLE2_DECISIONS, TABLE2_FEE):
            return []
        raise ValueError(f"表二没有“{row}”行")
    if table in ("表四", "4", "table4"):
        if row not in TABLE4_BLOCKS or col not in TABLE4_RESULTS:
            raise ValueError(f"表四没有“{row}”“{col}”")
        return [appeal.pk for appeal in appeal_selectors.table4_cell_appeals([agency.pk], year, row, col)]
    if table == "渠道":
        from gongkai.publications.codebook import Channel as PublicationChannel

        by_label = {c.label: c for c in PublicationChannel}
        if row not in by_label:
            raise ValueError(f"没有“{row}”这一发布渠道")
        return list(_publications().channel_delivered([agency.pk], year, by_label[row]).values_list("pk", flat=True))
    raise ValueError(f"没有“{table}”这张表")
