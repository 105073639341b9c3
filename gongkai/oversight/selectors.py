"""Reads of the 主管部门 (条例第四十七条): which agencies a user oversees, each agency's figures of a year (a bounded
number of grouped queries, never one per agency), the lists behind them, the 考核 ranking and its published snapshots.

Definitions (docs/oversight.md), each the same as the page it drills into:
- 依申请公开 收到: received in the year, not cancelled (表三 一); 办结: closed in the year with an outcome (表三 三（七）);
  按期: closed on or before the ledger's reply_due (条例第三十三条); 在办 / 逾期: open now / open now past reply_due
  (the case queues 全部在办 / 已逾期).
- 复议诉讼: ``gongkai.appeals.selectors.appeal_counts`` (表四's counting: filed in the year, or carried over and not
  concluded before it; all three blocks); 纠正率 = 纠正 ÷ 已审结 (总数 − 尚未审结).
- 主动公开 (条例第二十六条): published in the year within / after the 20 working days (``disclosure_due_on``), and items
  still unpublished past it now — as ``gongkai.publications.selectors.timeliness``.
- 年报 (条例第四十九条): the first published version's date against 1月31日 / 3月31日, the latest version's findings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone

from gongkai.accounts.access import AllAgencies, agency_ids_with
from gongkai.accounts.roles import Perm
from gongkai.agencies.models import Agency, Kind
from gongkai.agencies.selectors import supervised_agency_ids
from gongkai.appeals.selectors import AppealCounts, appeal_counts
from gongkai.cases.models import Case
from gongkai.cases.states import OPEN_STATUSES
from gongkai.cases.states import Status as CaseStatus
from gongkai.oversight import scoring
from gongkai.oversight.metrics import Metric
from gongkai.oversight.models import RankingPublication, Scope, ScoringRule, ScoringScheme
from gongkai.publications.codebook import UNPUBLISHED_STATUSES, DisclosureMode
from gongkai.publications.codebook import Status as PublicationStatus
from gongkai.publications.models import Publication
from gongkai.reports import rules as report_rules
from gongkai.reports.builder import agency_kind
from gongkai.reports.models import AnnualReport, ReportStatus
from gongkai.reports.selectors import SupervisedReport, report_status_for_supervisor

__all__ = [
    "AgencyFigures",
    "Dashboard",
    "ReportState",
    "dashboard",
    "figures",
    "latest_publication",
    "office_agencies",
    "ranking",
    "scoring_sentence",
    "supervised_ids",
    "supervising_offices",
]

HUNDRED = Decimal(100)


def _rate(part: int, whole: int) -> Decimal | None:
    """A percentage with two decimals' worth of precision kept (rounded only for display); None for 0 / 0."""
    if whole <= 0:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal("0.0001"))


@dataclass(frozen=True)
class ReportState:
    report_id: int | None
    status_label: str
    deadline: dt.date | None
    published_on: dt.date | None
    timing: str  # "on_time" | "late" | "overdue" | "due"
    timing_label: str
    errors: int
    warnings: int

    @property
    def on_time(self) -> Decimal | None:
        """条例第四十九条 as a 考核 flag: 1 published by the deadline, 0 late or overdue, None not yet due."""
        if self.timing == "on_time":
            return Decimal(1)
        if self.timing in ("late", "overdue"):
            return Decimal(0)
        return None


def _state_from_supervised(row: SupervisedReport) -> ReportState:
    return ReportState(
        report_id=row.report.pk if row.report is not None else None,
        status_label=row.status_label,
        deadline=row.deadline,
        published_on=row.published_on,
        timing=row.timing,
        timing_label=row.timing_label,
        errors=row.errors,
        warnings=row.warnings,
    )


@dataclass
class AgencyFigures:
    agency: Agency | None  # None for the totals row
    received: int = 0
    open_now: int = 0
    overdue_now: int = 0
    closed: int = 0
    closed_on_time: int = 0
    appeals_total: int = 0
    appeals_corrected: int = 0
    appeals_pending: int = 0
    publications_on_time: int = 0
    publications_late: int = 0
    publications_overdue_now: int = 0
    report: ReportState | None = None

    @property
    def closed_late(self) -> int:
        return self.closed - self.closed_on_time

    @property
    def on_time_rate(self) -> Decimal | None:
        return _rate(self.closed_on_time, self.closed)

    @property
    def appeals_decided(self) -> int:
        return self.appeals_total - self.appeals_pending

    @property
    def correction_rate(self) -> Decimal | None:
        return _rate(self.appeals_corrected, self.appeals_decided)

    @property
    def publications_published(self) -> int:
        return self.publications_on_time + self.publications_late

    @property
    def publications_rate(self) -> Decimal | None:
        return _rate(self.publications_on_time, self.publications_published)

    def metrics(self) -> dict[str, Decimal | None]:
        """The raw values the 考核 rules score (metrics.Metric → value; None: no value)."""
        report = self.report
        return {
            Metric.CASES_ON_TIME_RATE: self.on_time_rate,
            Metric.CASES_OVERDUE: Decimal(self.overdue_now),
            Metric.REPORT_ON_TIME: report.on_time if report is not None else None,
            Metric.REPORT_FINDINGS: (
                Decimal(report.errors + report.warnings) if report is not None and report.report_id else None
            ),
            Metric.REPORT_ERRORS: Decimal(report.errors) if report is not None and report.report_id else None,
            Metric.APPEAL_CORRECTION_RATE: self.correction_rate,
            Metric.PUBLICATIONS_ON_TIME_RATE: self.publications_rate,
            Metric.PUBLICATIONS_OVERDUE: Decimal(self.publications_overdue_now),
        }

    def add(self, other: AgencyFigures) -> None:
        for name in (
            "received",
            "open_now",
            "overdue_now",
            "closed",
            "closed_on_time",
            "appeals_total",
            "appeals_corrected",
            "appeals_pending",
            "publications_on_time",
            "publications_late",
            "publications_overdue_now",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Dashboard:
    year: int
    today: dt.date
    rows: list[AgencyFigures]
    totals: AgencyFigures
    report_counts: dict[str, int] = field(default_factory=dict)  # timing → agencies


# ---------------------------------------------------------------------------------------------------------------------
# Who oversees what


def supervising_offices(user: Any) -> list[Agency]:
    """The offices where ``user`` holds SUPERVISE (a 主管部门 membership); for a platform role with the perm, every
    agency that supervises another."""
    ids = agency_ids_with(user, Perm.SUPERVISE)
    if isinstance(ids, AllAgencies):
        return list(Agency.objects.filter(is_active=True, supervised__isnull=False).distinct().order_by("name"))
    return list(Agency.objects.filter(pk__in=ids, is_active=True).order_by("name"))


def supervised_ids(user: Any) -> set[int]:
    """Every agency ``user`` oversees as 主管部门: those its offices supervise, directly or through lower governments;
    every agency for a platform role with SUPERVISE; nothing for anyone else."""
    offices = agency_ids_with(user, Perm.SUPERVISE)
    if isinstance(offices, AllAgencies):
        return set(Agency.objects.filter(is_active=True).values_list("pk", flat=True))
    ids: set[int] = set()
    for office in offices:
        ids |= supervised_agency_ids(office)
    return ids


def office_agencies(office: Agency, scope: str) -> list[Agency]:
    """The agencies a scheme of ``office`` ranks: those it supervises directly, or its whole region — never itself."""
    if scope == Scope.DIRECT:
        queryset = Agency.objects.filter(supervisor=office, is_active=True)
    else:
        queryset = Agency.objects.filter(pk__in=supervised_agency_ids(office.pk), is_active=True)
    return list(queryset.exclude(pk=office.pk).order_by("level", "name"))


# ---------------------------------------------------------------------------------------------------------------------
# Figures: one grouped query per source


def _case_counts(agency_ids: Sequence[int], year: int, today: dt.date) -> dict[int, dict[str, int]]:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    in_year = Q(received_on__range=(start, end)) & ~Q(status=CaseStatus.CANCELLED)
    # 表三 三（七）: closed in the year with an outcome (builder._timeliness counts the same cases).
    closed = (
        Q(closed_on__range=(start, end), received_on__isnull=False) & ~Q(status=CaseStatus.CANCELLED) & ~Q(outcome="")
    )
    late = closed & Q(ledger__reply_due__isnull=False, closed_on__gt=F("ledger__reply_due"))
    open_now = Q(status__in=OPEN_STATUSES)
    rows = (
        Case.objects.filter(agency_id__in=list(agency_ids))
        .filter(in_year | closed | open_now)
        .values("agency_id")
        .annotate(
            received=Count("pk", filter=in_year),
            closed=Count("pk", filter=closed),
            late=Count("pk", filter=late),
            open_now=Count("pk", filter=open_now),
            overdue_now=Count("pk", filter=open_now & Q(ledger__reply_due__lt=today)),
        )
        .order_by()
    )
    return _by_agency(rows)


def _by_agency(rows: Iterable[Mapping[str, Any]]) -> dict[int, dict[str, int]]:
    return {int(row["agency_id"]): {key: int(value) for key, value in row.items()} for row in rows}


def _publication_counts(agency_ids: Sequence[int], year: int, today: dt.date) -> dict[int, dict[str, int]]:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    # As publications.selectors.timeliness: published (or later withdrawn) in the year with a 第二十六条 deadline.
    published = Q(
        status__in=(PublicationStatus.PUBLISHED, PublicationStatus.WITHDRAWN),
        published_on__range=(start, end),
        disclosure_due_on__isnull=False,
    )
    overdue = Q(
        status__in=UNPUBLISHED_STATUSES,
        disclosure_mode=DisclosureMode.PROACTIVE,
        disclosure_due_on__isnull=False,
        disclosure_due_on__lt=today,
    )
    rows = (
        Publication.objects.filter(agency_id__in=list(agency_ids))
        .filter(published | overdue)
        .values("agency_id")
        .annotate(
            on_time=Count("pk", filter=published & Q(published_on__lte=F("disclosure_due_on"))),
            late=Count("pk", filter=published & Q(published_on__gt=F("disclosure_due_on"))),
            overdue=Count("pk", filter=overdue),
        )
        .order_by()
    )
    return _by_agency(rows)


def report_states(agencies: Iterable[Agency], year: int, today: dt.date) -> dict[int, ReportState]:
    """条例第四十九条 for each agency without a user (the ranking of an office): the same rules as
    ``reports.selectors.report_status_for_supervisor`` — the first publication decides timeliness, the latest version
    carries the findings."""
    by_id = {agency.pk: agency for agency in agencies}
    latest: dict[int, AnnualReport] = {}
    first_published: dict[int, dt.date | None] = {}
    versions = (
        AnnualReport.objects.filter(agency_id__in=list(by_id), year=year)
        .only("pk", "agency_id", "version", "status", "published_on", "findings")
        .order_by("agency_id", "version")
    )
    for version in versions:
        latest[version.agency_id] = version
        if version.status in (ReportStatus.PUBLISHED, ReportStatus.SUPERSEDED):
            first_published.setdefault(version.agency_id, version.published_on)
    states: dict[int, ReportState] = {}
    for agency_id, agency in by_id.items():
        report = latest.get(agency_id)
        published_on = first_published.get(agency_id)
        due = report_rules.deadline(year, agency_kind(agency))
        timing, label = _timing(published_on, due, today)
        findings = report.findings if report is not None else []
        states[agency_id] = ReportState(
            report_id=report.pk if report is not None else None,
            status_label=ReportStatus(report.status).label if report is not None else "未开始",
            deadline=due,
            published_on=published_on,
            timing=timing,
            timing_label=label,
            errors=sum(1 for f in findings if f.get("severity") == report_rules.ERROR),
            warnings=sum(1 for f in findings if f.get("severity") == report_rules.WARNING),
        )
    return states


def _timing(published_on: dt.date | None, due: dt.date | None, today: dt.date) -> tuple[str, str]:
    if due is None:
        return "due", "无法定期限"
    if published_on is not None:
        if published_on <= due:
            return "on_time", "按时发布"
        return "late", f"逾期{(published_on - due).days}天发布"
    if today > due:
        return "overdue", f"已逾期{(today - due).days}天未发布"
    return "due", f"距截止还有{(due - today).days}天"


def figures(
    agencies: Sequence[Agency], year: int, today: dt.date, reports: Mapping[int, ReportState]
) -> list[AgencyFigures]:
    """Each agency's figures of ``year``, in the order given — one grouped query per source, whatever the number of
    agencies."""
    ids = [agency.pk for agency in agencies]
    cases = _case_counts(ids, year, today)
    publications = _publication_counts(ids, year, today)
    appeals = appeal_counts(ids, year)  # 表四's counting (gongkai.appeals): filed in the year or carried over
    rows: list[AgencyFigures] = []
    for agency in agencies:
        c = cases.get(agency.pk, {})
        p = publications.get(agency.pk, {})
        a = appeals.get(agency.pk, AppealCounts())
        closed = int(c.get("closed", 0))
        rows.append(
            AgencyFigures(
                agency=agency,
                received=int(c.get("received", 0)),
                open_now=int(c.get("open_now", 0)),
                overdue_now=int(c.get("overdue_now", 0)),
                closed=closed,
                closed_on_time=closed - int(c.get("late", 0)),
                appeals_total=a.total,
                appeals_corrected=a.corrected,
                appeals_pending=a.pending,
                publications_on_time=int(p.get("on_time", 0)),
                publications_late=int(p.get("late", 0)),
                publications_overdue_now=int(p.get("overdue", 0)),
                report=reports.get(agency.pk),
            )
        )
    return rows


def dashboard(user: Any, year: int, *, today: dt.date | None = None) -> Dashboard:
    """The dashboard over every agency ``user`` oversees (see ``supervised_ids``), with totals."""
    today = today or timezone.localdate()
    supervised = report_status_for_supervisor(user, year, today=today)  # the agencies, in order, with their reports
    agencies = [row.agency for row in supervised]
    reports = {row.agency.pk: _state_from_supervised(row) for row in supervised}
    rows = figures(agencies, year, today, reports)
    totals = AgencyFigures(agency=None)
    counts: dict[str, int] = {"on_time": 0, "late": 0, "overdue": 0, "due": 0}
    for row in rows:
        totals.add(row)
        if row.report is not None:
            counts[row.report.timing] = counts.get(row.report.timing, 0) + 1
    return Dashboard(year, today, rows, totals, counts)


# ---------------------------------------------------------------------------------------------------------------------
# 考核


@dataclass(frozen=True)
class RankedRow:
    rank: int | None
    agency_id: int
    agency_name: str
    total: Decimal | None
    full_marks: Decimal
    lines: tuple[scoring.Line, ...]


@dataclass(frozen=True)
class Ranking:
    scheme: ScoringScheme
    rules: tuple[scoring.Rule, ...]
    rows: list[RankedRow]
    computed_on: dt.date


def rules_of(scheme: ScoringScheme) -> tuple[scoring.Rule, ...]:
    return tuple(
        scoring.Rule(rule.metric, rule.weight, rule.full_at, rule.zero_at, rule.when_missing)
        for rule in ScoringRule.objects.filter(scheme=scheme).order_by("position", "pk")
    )


def ranking(scheme: ScoringScheme, *, today: dt.date | None = None) -> Ranking:
    """The scheme applied to today's data: every agency of the office ranked, with its per-rule breakdown."""
    today = today or timezone.localdate()
    agencies = office_agencies(scheme.office, scheme.scope)
    rows = figures(agencies, scheme.year, today, report_states(agencies, scheme.year, today))
    rules = rules_of(scheme)
    scores: dict[str, tuple[AgencyFigures, scoring.Score]] = {}
    order: list[tuple[str, Decimal | None]] = []
    for row in sorted(rows, key=lambda r: r.agency.name if r.agency else ""):
        assert row.agency is not None
        key = str(row.agency.pk)
        result = scoring.score(row.metrics(), rules)
        scores[key] = (row, result)
        order.append((key, result.total))
    ranked = []
    for position, key, total in scoring.rank(order):
        row, result = scores[key]
        assert row.agency is not None
        ranked.append(RankedRow(position, row.agency.pk, row.agency.name, total, result.full_marks, result.lines))
    return Ranking(scheme, rules, ranked, today)


def latest_publication(office_ids: Iterable[int], year: int) -> RankingPublication | None:
    return (
        RankingPublication.objects.filter(office_id__in=list(office_ids), year=year)
        .select_related("office")
        .order_by("-published_at", "-version")
        .first()
    )


def _government_offices(government: Agency) -> list[int]:
    """The 政府信息公开工作主管部门 of a government: its 办公厅（室） (an OFFICE under it) and its named supervisor."""
    ids = set(Agency.objects.filter(parent=government, kind=Kind.OFFICE).values_list("pk", flat=True))
    if government.supervisor_id is not None:
        ids.add(government.supervisor_id)
    return sorted(ids)


def scoring_sentence(agency_name: str, year: int) -> str:
    """条例第五十条（四）: the sentence a government's report quotes for {{考核结果}} — from the latest published (frozen)
    ranking of the year by its 主管部门; a marker to complete by hand when none is published."""
    government = Agency.objects.filter(name=agency_name).first()
    if government is None or government.kind != Kind.GOVERNMENT:
        return "【请补充】工作考核结果情况"
    published = latest_publication(_government_offices(government), year)
    if published is None:
        return f"【请补充】{year}年度政府信息公开工作考核结果（尚未发布考核结果）"
    rows = published.snapshot.get("rows", [])
    scored = [row for row in rows if row.get("total") is not None]
    if not scored:
        return f"【请补充】{year}年度政府信息公开工作考核结果（考核结果中没有可评分的单位）"
    totals = [Decimal(row["total"]) for row in scored]
    average = (sum(totals, Decimal(0)) / len(totals)).quantize(Decimal("0.01"))
    full = Decimal(published.snapshot.get("full_marks", "100"))
    first = [row["agency"] for row in scored if row.get("rank") == 1]
    best = max(totals)
    leaders = "、".join(first) if len(first) <= 3 else f"{len(first)}个单位并列"
    return (
        f"{year}年度，{published.office.name}对{len(rows)}个单位开展政府信息公开工作考核（满分{_plain(full)}分），"
        f"平均得分{_plain(average)}分，{leaders}得分最高（{_plain(best)}分）。"
    )


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text
