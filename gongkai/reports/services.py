"""Every write to an annual report and to the figures entered for it.

Each service runs in one transaction, re-reads the report ``select_for_update``, checks the transition table below,
saves the named fields and writes the audit row with the values before and after. A refusal is a
``django.core.exceptions.ValidationError`` (``ReportBlocked`` when R1–R10 found errors) with Chinese messages, and
nothing is changed.

Lifecycle (issue 5 §5, 条例第四十九条): 草稿 → 已报送主管部门 → 已发布; a published report is corrected by a new draft
version, whose publication supersedes the old one. Errors block submission and publication on every path, with no
override: the views, the API and the CLI all call these functions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gongkai.accounts.access import has_perm
from gongkai.accounts.roles import Perm
from gongkai.agencies.models import Agency
from gongkai.audit.services import audit_record
from gongkai.publications.services import INDEX_SERIES, take_index_number
from gongkai.reports import builder, narrative, rules
from gongkai.reports.models import AnnualFigures, AnnualReport, ReportStatus
from gongkai.reports.schema import SECTIONS, SUBHEADS, Finding

__all__ = [
    "INDEX_SERIES",
    "SECTION_KEYS",
    "TRANSITIONS",
    "ReportAction",
    "ReportBlocked",
    "ReportStateError",
    "figures_set",
    "report_correct",
    "report_get_or_create_draft",
    "report_publish",
    "report_recheck",
    "report_return_to_draft",
    "report_submit",
    "report_update_sections",
]

SECTION_KEYS: tuple[str, ...] = ("1", *(k for k, _ in SUBHEADS), *(k for k, _ in SECTIONS if k != "1"))
MAX_SECTION_CHARS = 20_000


class ReportAction(StrEnum):
    EDIT = "edit"
    SUBMIT = "submit"
    RETURN = "return"
    PUBLISH = "publish"
    CORRECT = "correct"

    @property
    def label(self) -> str:
        return _ACTION_LABELS[self]


_ACTION_LABELS = {
    ReportAction.EDIT: "修改正文",
    ReportAction.SUBMIT: "报送主管部门",
    ReportAction.RETURN: "退回修改",
    ReportAction.PUBLISH: "发布",
    ReportAction.CORRECT: "更正",
}


@dataclass(frozen=True)
class Transition:
    source: ReportStatus
    target: ReportStatus
    perms: frozenset[Perm]  # any one of them suffices


_EDITORS = frozenset({Perm.HANDLE_CASES, Perm.EDIT_REPORTS})
_HEAD = frozenset({Perm.EDIT_REPORTS})

# The transition table. CORRECT leaves the published version as it is and creates a new draft version (its target is
# the new version's status); PUBLISH of a version > 1 moves the previous published version to SUPERSEDED.
TRANSITIONS: dict[tuple[ReportAction, ReportStatus], Transition] = {
    (ReportAction.EDIT, ReportStatus.DRAFT): Transition(ReportStatus.DRAFT, ReportStatus.DRAFT, _EDITORS),
    (ReportAction.SUBMIT, ReportStatus.DRAFT): Transition(ReportStatus.DRAFT, ReportStatus.SUBMITTED, _HEAD),
    (ReportAction.RETURN, ReportStatus.SUBMITTED): Transition(ReportStatus.SUBMITTED, ReportStatus.DRAFT, _HEAD),
    (ReportAction.PUBLISH, ReportStatus.SUBMITTED): Transition(ReportStatus.SUBMITTED, ReportStatus.PUBLISHED, _HEAD),
    (ReportAction.CORRECT, ReportStatus.PUBLISHED): Transition(ReportStatus.PUBLISHED, ReportStatus.DRAFT, _HEAD),
}


class ReportBlocked(ValidationError):
    """Refused because R1–R10 found errors; ``findings`` are all of them (errors and warnings)."""

    def __init__(self, action: ReportAction, findings: list[Finding]) -> None:
        self.findings = findings
        errors = [f for f in findings if f.severity == rules.ERROR and f.rule != "R10"]
        lines = [f"{f.rule} {f.where}：{f.message}" for f in errors]
        super().__init__([f"报告有{len(errors)}项错误，不能{action.label}（错误不可忽略，请先更正）", *lines])


class ReportStateError(ValidationError):
    """Refused because the report's status does not allow the action (a published report cannot be submitted): a
    conflict with the report's state, which the API answers with 409 like a case's, not a missing right (403)."""


def _today() -> dt.date:
    return timezone.localdate()


def _allowed(actor: Any, perms: frozenset[Perm], agency_id: int) -> bool:
    return any(has_perm(actor, perm, agency_id) for perm in perms)


def _rule(report: AnnualReport, action: ReportAction, actor: Any) -> Transition:
    transition = TRANSITIONS.get((action, ReportStatus(report.status)))
    if transition is None:
        raise ReportStateError(f"{report.get_status_display()}的报告不能{action.label}")
    if not _allowed(actor, transition.perms, report.agency_id):
        who = "负责人" if transition.perms == _HEAD else "经办人或负责人"
        raise ValidationError(f"“{action.label}”须由本机关{who}执行")
    return transition


def _lock(report: AnnualReport) -> AnnualReport:
    # of=("self",): the agency row is read, not locked — reports of one agency do not wait on its other work.
    return AnnualReport.objects.select_for_update(of=("self",)).select_related("agency").get(pk=report.pk)


def _blocking(findings: list[Finding]) -> bool:
    # R10 (published after 1月31日/3月31日) is a fact about the date, not the content: blocking it would keep a late
    # report unpublished for ever, against 条例第四十九条's duty to publish. It is recorded and shown.
    return any(f.severity == rules.ERROR and f.rule != "R10" for f in findings)


def _findings_json(findings: list[Finding]) -> list[dict[str, str]]:
    return [f.as_json() for f in findings]


def _audit(
    report: AnnualReport,
    action: str,
    actor: Any,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    detail: str = "",
) -> None:
    audit_record(
        action=f"report.{action}",
        actor=actor,
        agency_id=report.agency_id,
        obj=report,
        before=before,
        after=after,
        detail=detail or f"{report.agency.name} {report}",
    )


def _clean_sections(sections: Mapping[str, Any]) -> dict[str, str]:
    unknown = [key for key in sections if key not in SECTION_KEYS]
    if unknown:
        raise ValidationError(
            {"sections": f"没有“{'、'.join(map(str, unknown))}”这一部分（可用：{'、'.join(SECTION_KEYS)}）"}
        )
    cleaned: dict[str, str] = {}
    for key in SECTION_KEYS:
        value = sections.get(key, "")
        if not isinstance(value, str):
            raise ValidationError({"sections": f"第{key}部分应为文本"})
        if len(value) > MAX_SECTION_CHARS:
            raise ValidationError({"sections": f"第{key}部分超过{MAX_SECTION_CHARS}字"})
        cleaned[key] = value.replace("\r\n", "\n")
    return cleaned


def _build(report: AnnualReport, *, today: dt.date, published_on: dt.date | None = None) -> builder.Built:
    try:
        return builder.build(
            report.agency, report.year, sections=report.sections, today=today, published_on=published_on
        )
    except narrative.PlaceholderError as error:
        raise ValidationError({"sections": str(error)}) from None


def _check_year(year: int, today: dt.date) -> None:
    if not 2008 <= year <= today.year:  # 条例 in force since 2008-05-01
        raise ValidationError({"year": f"年度应在2008年至{today.year}年之间"})


# ---------------------------------------------------------------------------------------------------------------------
# Reports


def report_get_or_create_draft(*, agency: Agency, year: int, actor: Any) -> AnnualReport:
    """The version being written for (agency, year): the open draft or submitted version, else the current published
    version, else a new version 1 with a first draft generated from the year's data."""
    if not _allowed(actor, _EDITORS, agency.pk):
        raise ValidationError("编写年度报告须由本机关经办人或负责人执行")
    today = _today()
    _check_year(year, today)
    existing = AnnualReport.objects.filter(agency=agency, year=year).order_by("-version").first()
    if existing is not None:
        return existing
    sections = _clean_sections(narrative.first_draft(agency, year))
    try:
        with transaction.atomic():
            report = AnnualReport.objects.create(
                agency=agency, year=year, version=1, sections=sections, created_by=actor
            )
            built = _build(report, today=today)
            report.findings = _findings_json(built.data.findings)
            report.findings_at = timezone.now()
            report.save(update_fields=["findings", "findings_at"])
            _audit(report, "create", actor, before=None, after={"status": report.status, "version": 1})
    except IntegrityError:
        # Created at the same moment by someone else: theirs is the draft.
        return AnnualReport.objects.filter(agency=agency, year=year).order_by("-version").first()  # type: ignore[return-value]
    return report


def report_update_sections(*, report: AnnualReport, actor: Any, sections: Mapping[str, Any]) -> AnnualReport:
    """Save the narrative of a draft (all sections; placeholders checked). Findings are recomputed and stored."""
    cleaned = _clean_sections(sections)
    today = _today()
    with transaction.atomic():
        locked = _lock(report)
        _rule(locked, ReportAction.EDIT, actor)
        before = dict(locked.sections)
        locked.sections = cleaned
        built = _build(locked, today=today)
        locked.findings = _findings_json(built.data.findings)
        locked.findings_at = timezone.now()
        locked.save(update_fields=["sections", "findings", "findings_at", "updated_at"])
        changed = sorted(k for k in SECTION_KEYS if before.get(k, "") != cleaned[k])
        _audit(
            locked,
            "edit",
            actor,
            before={k: before.get(k, "") for k in changed},
            after={k: cleaned[k] for k in changed},
        )
    return locked


def report_recheck(*, report: AnnualReport, today: dt.date | None = None) -> list[Finding]:
    """Rebuild from live data and store the findings (a read of the data; not a state change, so not audited).
    A frozen report keeps the findings of its publication."""
    if report.snapshot is not None:
        return [Finding(**f) for f in report.findings]
    built = _build(report, today=today or _today())
    AnnualReport.objects.filter(pk=report.pk, snapshot__isnull=True).update(
        findings=_findings_json(built.data.findings), findings_at=timezone.now()
    )
    return built.data.findings


def report_submit(*, report: AnnualReport, actor: Any) -> AnnualReport:
    """报送主管部门 (条例第四十九条). Refused with the findings when R1–R10 found any error."""
    today = _today()
    with transaction.atomic():
        locked = _lock(report)
        transition = _rule(locked, ReportAction.SUBMIT, actor)
        built = _build(locked, today=today)
        if _blocking(built.data.findings):
            raise ReportBlocked(ReportAction.SUBMIT, built.data.findings)
        before = locked.status
        locked.status = transition.target
        locked.submitted_at = timezone.now()
        locked.submitted_by = actor
        locked.findings = _findings_json(built.data.findings)
        locked.findings_at = locked.submitted_at
        locked.save(update_fields=["status", "submitted_at", "submitted_by", "findings", "findings_at", "updated_at"])
        _audit(
            locked,
            "submit",
            actor,
            before={"status": before},
            after={"status": locked.status, "findings": locked.findings},
        )
    return locked


def report_return_to_draft(*, report: AnnualReport, actor: Any, reason: str = "") -> AnnualReport:
    """A submitted report goes back to draft for changes (e.g. at the 主管部门's request)."""
    with transaction.atomic():
        locked = _lock(report)
        transition = _rule(locked, ReportAction.RETURN, actor)
        before = locked.status
        locked.status = transition.target
        locked.save(update_fields=["status", "updated_at"])
        _audit(locked, "return", actor, before={"status": before}, after={"status": locked.status, "reason": reason})
    return locked


def report_publish(*, report: AnnualReport, actor: Any, on: dt.date | None = None) -> AnnualReport:
    """发布: refused on errors; takes the next 索引号 of the agency's series; freezes the snapshot (tables, rendered
    narrative, findings, meta), which no later data change touches; the previous published version is superseded."""
    today = _today()
    on = on or today
    if on > today:
        raise ValidationError({"on": f"发布日期（{on.isoformat()}）不能晚于今天"})
    with transaction.atomic():
        locked = _lock(report)
        transition = _rule(locked, ReportAction.PUBLISH, actor)
        if on.year <= locked.year:
            raise ValidationError(
                {"on": f"{locked.year}年度报告应在{locked.year + 1}年公布，发布日期不能是{on.isoformat()}"}
            )
        if locked.version > 1 and not locked.revision_note.strip():
            raise ValidationError({"revision_note": "更正版本须填写更正说明"})
        built = _build(locked, today=today, published_on=on)
        if _blocking(built.data.findings):
            raise ReportBlocked(ReportAction.PUBLISH, built.data.findings)
        previous = (
            AnnualReport.objects.select_for_update()
            .filter(agency_id=locked.agency_id, year=locked.year, status=ReportStatus.PUBLISHED)
            .exclude(pk=locked.pk)
            .first()
        )
        if previous is not None:
            previous.status = ReportStatus.SUPERSEDED
            previous.save(update_fields=["status", "updated_at"])
            _audit(
                previous,
                "supersede",
                actor,
                before={"status": ReportStatus.PUBLISHED},
                after={"status": previous.status, "by_version": locked.version},
            )
        # The same gap-free series as the catalogue's items (publications.services.take_index_number).
        _year, _seq, index_number = take_index_number(locked.agency, on)
        before = locked.status
        locked.status = transition.target
        locked.index_number = index_number
        locked.published_on = on
        locked.published_at = timezone.now()
        locked.published_by = actor
        locked.findings = _findings_json(built.data.findings)
        locked.findings_at = locked.published_at
        locked.snapshot = _snapshot(locked, built)
        locked.save(
            update_fields=[
                "status",
                "index_number",
                "published_on",
                "published_at",
                "published_by",
                "findings",
                "findings_at",
                "snapshot",
                "updated_at",
            ]
        )
        _audit(
            locked,
            "publish",
            actor,
            before={"status": before},
            after={
                "status": locked.status,
                "index_number": locked.index_number,
                "published_on": on,
                "version": locked.version,
                "sha256": locked.snapshot["sha256"],
            },
        )
    return locked


def _snapshot(report: AnnualReport, built: builder.Built) -> dict[str, Any]:
    import json

    data = built.data
    body = {
        "report": data.as_json(),
        "sections": dict(data.sections),
        "template": dict(built.template),
        "figures": [{"key": f.key, "value": str(f.value), "text": f.text} for f in data.figures],
        "fee_yuan": None if data.fee_yuan is None else str(data.fee_yuan),
        "fees_collected": str(built.fees_collected),
        "values": {k: str(v) for k, v in built.extra.items()},
        "drilldown": {"table2": built.table2_ids, "table3": built.table3_ids, "table4": built.table4_ids},
        "meta": {
            "agency": report.agency.name,
            "agency_code": report.agency.code,
            "agency_kind": data.agency_kind,
            "year": report.year,
            "version": report.version,
            "index_number": report.index_number,
            "published_on": report.published_on.isoformat() if report.published_on else None,
            "revision_note": report.revision_note,
        },
    }
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    body["sha256"] = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return body


def report_correct(*, report: AnnualReport, actor: Any, revision_note: str) -> AnnualReport:
    """更正: a new draft version from the published one's narrative; the revision note is published with it."""
    note = (revision_note or "").strip()
    if not note:
        raise ValidationError({"revision_note": "请填写更正说明（将随更正后的报告公开）"})
    if len(note) > 2000:
        raise ValidationError({"revision_note": "更正说明不超过2000字"})
    with transaction.atomic():
        locked = _lock(report)
        transition = _rule(locked, ReportAction.CORRECT, actor)
        if AnnualReport.objects.filter(
            agency_id=locked.agency_id, year=locked.year, status__in=[ReportStatus.DRAFT, ReportStatus.SUBMITTED]
        ).exists():
            raise ValidationError("该年度已有正在更正的版本")
        latest = (
            AnnualReport.objects.filter(agency_id=locked.agency_id, year=locked.year)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        ) or locked.version
        new = AnnualReport.objects.create(
            agency=locked.agency,
            year=locked.year,
            version=latest + 1,
            status=transition.target,
            sections=dict(locked.sections),
            revision_note=note,
            created_by=actor,
        )
        _audit(
            new,
            "correct",
            actor,
            before={"version": locked.version, "status": locked.status},
            after={"version": new.version, "status": new.status, "revision_note": note},
        )
    return new


# ---------------------------------------------------------------------------------------------------------------------
# Entered figures


def _int(value: Any, label: str, errors: dict[str, str], name: str) -> int:
    if isinstance(value, bool):
        errors[name] = f"{label}应为非负整数"
        return 0
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        errors[name] = f"{label}应为非负整数，实为“{value}”"
        return 0
    if number < 0 or number > 2_000_000_000:
        errors[name] = f"{label}应为非负整数，实为“{value}”"
    return number


def _wan(value: Any, errors: dict[str, str]) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        errors["fees_wan"] = f"行政事业性收费应为非负金额（万元），实为“{value}”"
        return Decimal(0)
    if not amount.is_finite() or amount < 0:
        errors["fees_wan"] = f"行政事业性收费应为非负金额（万元），实为“{value}”"
        return Decimal(0)
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4:
        errors["fees_wan"] = f"行政事业性收费最多4位小数（万元），实为“{value}”"
    if amount >= Decimal("1e10"):
        errors["fees_wan"] = f"行政事业性收费（万元）过大：“{value}”"
    return amount


FIGURE_FIELDS: dict[str, str] = {"licensing": "行政许可", "penalties": "行政处罚", "enforcement": "行政强制"}


def _can_edit_figures(actor: Any, agency: Agency) -> None:
    if not _allowed(actor, _EDITORS, agency.pk):
        raise ValidationError("填报年度数据须由本机关经办人或负责人执行")


def figures_set(
    *, agency: Agency, year: int, actor: Any, values: Mapping[str, Any], source: str = "手工填报"
) -> AnnualFigures:
    """表二 第（五）（六）（八）项 of (agency, year): ``values`` keys licensing, penalties, enforcement (ints ≥ 0) and
    fees_wan (万元, ≤ 4 decimals). A missing key keeps its value."""
    _can_edit_figures(actor, agency)
    _check_year(year, _today())
    errors: dict[str, str] = {}
    unknown = [k for k in values if k not in (*FIGURE_FIELDS, "fees_wan")]
    if unknown:
        errors["values"] = f"未知的项目：{'、'.join(map(str, unknown))}"
    parsed: dict[str, Any] = {}
    for name, label in FIGURE_FIELDS.items():
        if name in values:
            parsed[name] = _int(values[name], label, errors, name)
    if "fees_wan" in values:
        parsed["fees_wan"] = _wan(values["fees_wan"], errors)
    if not source.strip():
        errors["source"] = "请说明数据来源"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        AnnualFigures.objects.bulk_create(
            [AnnualFigures(agency=agency, year=year, source=source)], ignore_conflicts=True
        )
        figures = AnnualFigures.objects.select_for_update().get(agency=agency, year=year)
        before = {name: getattr(figures, name) for name in (*FIGURE_FIELDS, "fees_wan", "source")}
        for name, value in parsed.items():
            setattr(figures, name, value)
        figures.source = source.strip()[:2000]
        figures.updated_by = actor
        figures.save()
        after = {name: getattr(figures, name) for name in (*FIGURE_FIELDS, "fees_wan", "source")}
        audit_record(
            action="report.figures_set",
            actor=actor,
            agency_id=agency.pk,
            obj=figures,
            before={k: str(v) for k, v in before.items()},
            after={k: str(v) for k, v in after.items()},
            detail=f"{agency.name} {year}年度 表二（五）（六）（八）",
        )
    return figures
