"""Back-office pages of the annual report (issue 5): the years × agencies overview with the 主管部门's deadline board,
the report page (tables with drill-down, findings, narrative, entered figures, lifecycle buttons), downloads, the
drill-down list behind a number, and the checker's upload page for 主管部门 staff.

Thin: parse, the access gate (``access_agency``: the same 404 for missing and not yours), one service or selector,
render. Permissions and R1–R10 are the services'; the buttons only hide what the user could not do anyway.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from gongkai.accounts import access
from gongkai.accounts.decorators import staff_required, staff_user
from gongkai.accounts.models import Membership, User
from gongkai.accounts.roles import Perm
from gongkai.agencies.models import Agency
from gongkai.cases.models import Case
from gongkai.reports import builder, importers, narrative, rules, selectors, services
from gongkai.reports import forms as f
from gongkai.reports.checker import UnreadableReport, check_file, format_text
from gongkai.reports.models import AnnualFigures, AnnualReport
from gongkai.reports.render import (
    CONTENT_TYPES,
    FORMATS,
    DocumentRenderError,
    RenderMeta,
    table2_html,
    table3_html,
    table4_html,
)
from gongkai.reports.render import (
    render as render_report,
)
from gongkai.reports.schema import (
    TABLE2_DOCS,
    TABLE3_COLS,
    TABLE3_ROWS,
    TABLE4_BLOCKS,
    TABLE4_RESULTS,
    Finding,
    ReportData,
)
from gongkai.reports.services import ReportAction

FIRST_YEAR = 2008  # 条例 in force since 2008-05-01
PAGE_SIZE = 100
FORMAT_LABELS: dict[str, str] = {
    "html": "HTML",
    "md": "Markdown",
    "docx": "Word（DOCX）",
    "xlsx": "Excel（XLSX）",
    "pdf": "PDF",
    "json": "JSON",
}


def _not_found() -> Http404:
    return Http404(access.NOT_FOUND)


def _agency(request: HttpRequest, agency_id: int) -> Agency:
    return access.access_agency(request.user, agency_id, Perm.VIEW_REPORTS)


def _year(year: int) -> int:
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise _not_found()
    return year


def _latest(agency: Agency, year: int) -> AnnualReport | None:
    return AnnualReport.objects.filter(agency=agency, year=year).order_by("-version").first()


def _can_edit(user: User, agency_id: int) -> bool:
    return access.has_perm(user, Perm.EDIT_REPORTS, agency_id) or access.has_perm(user, Perm.HANDLE_CASES, agency_id)


def _error_lines(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for problems in error.message_dict.values() for m in problems]
    return list(error.messages)


def title_of(agency_name: str, year: int) -> str:
    return f"{agency_name}{year}年政府信息公开工作年度报告"


def meta_of(agency: Agency, year: int, report: AnnualReport | None) -> RenderMeta:
    """The publication data printed under the title: from the frozen snapshot once published."""
    if report is not None and report.snapshot:
        meta = report.snapshot.get("meta", {})
        published_on = meta.get("published_on")
        return RenderMeta(
            title=title_of(meta.get("agency", agency.name), year),
            agency_name=meta.get("agency", agency.name),
            index_number=meta.get("index_number") or report.index_number,
            published_on=dt.date.fromisoformat(published_on) if published_on else None,
            revision_note=meta.get("revision_note", ""),
            version=int(meta.get("version", report.version)),
        )
    return RenderMeta(
        title=title_of(agency.name, year),
        agency_name=agency.name,
        revision_note=report.revision_note if report is not None else "",
        version=report.version if report is not None else 1,
    )


def file_name(meta: RenderMeta, fmt: str, *, draft: bool) -> str:
    version = f"（第{meta.version}版）" if meta.version > 1 else ""
    return f"{meta.title}{version}{'（草稿）' if draft else ''}.{fmt}"


def attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    # Always an attachment, never rendered inline in the back office's origin.
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------------------------------------------------------------
# The report shown on the page: built once per request


@dataclass
class Shown:
    data: ReportData
    frozen: bool
    template: dict[str, str] = field(default_factory=dict)  # sections with placeholders
    extra: dict[str, int | Decimal] = field(default_factory=dict)
    problem: str = ""


def _shown(agency: Agency, year: int, report: AnnualReport | None) -> Shown:
    """The frozen snapshot of a published version; otherwise one build from live data (one query per table, not
    per cell: the page must stay fast for an agency with 10,000 cases)."""
    if report is not None and report.snapshot:
        snap = report.snapshot
        extra: dict[str, int | Decimal] = {str(k): Decimal(v) for k, v in snap.get("values", {}).items()}
        return Shown(selectors.report_data_from_snapshot(report), True, dict(snap.get("template", {})), extra)
    sections = dict(report.sections) if report is not None else None
    try:
        built = builder.build(agency, year, sections=sections)
    except narrative.PlaceholderError as error:
        built = builder.build(agency, year, sections={})
        return Shown(built.data, False, sections or {}, dict(built.extra), str(error))
    return Shown(built.data, False, built.template, dict(built.extra))


_NUM_CELL = re.compile(
    r'(<td[^>]*? class="num" data-table="(table[234])" data-row="([^"]*)" data-col="([^"]*)">)([^<]*)(</td>)'
)


def linked_tables(data: ReportData, cell_prefix: str | None) -> dict[str, SafeString]:
    """The three tables (escaped by the renderer) with every 表二（一）/表三/表四 number linked to its drill-down."""

    def link(match: re.Match[str]) -> str:
        table, row, col = match.group(2), html.unescape(match.group(3)), html.unescape(match.group(4))
        if table == "table2" and row not in TABLE2_DOCS:
            return match.group(0)
        url = f"{cell_prefix}{table}/{quote(row, safe='')}/{quote(col, safe='')}/"
        return f'{match.group(1)}<a href="{html.escape(url)}">{match.group(5)}</a>{match.group(6)}'

    tables = {"table2": table2_html(data), "table3": table3_html(data), "table4": table4_html(data)}
    if cell_prefix is not None:
        tables = {name: _NUM_CELL.sub(link, text) for name, text in tables.items()}
    return {name: mark_safe(text) for name, text in tables.items()}  # noqa: S308 - escaped by the renderer


# Placeholders offered in the editor: name → what it counts.
_TABLE3_LIST = [
    ("表三.一.总计", "表三 一、本年新收申请 总计"),
    ("表三.二.总计", "表三 二、上年结转 总计"),
    ("表三.三（一）.总计", "表三 （一）予以公开 总计"),
    ("表三.三（二）.总计", "表三 （二）部分公开 总计"),
    ("表三.三（七）.总计", "表三 （七）总计"),
    ("表三.四.总计", "表三 四、结转下年度继续办理 总计"),
    ("表四.行政复议.总计", "表四 行政复议 总计"),
    ("表四.行政诉讼.总计", "表四 行政诉讼（未经复议直接起诉＋复议后起诉）总计"),
    ("本年制发规范性文件", "表二 行政规范性文件 本年制发"),
    ("本年废止规范性文件", "表二 行政规范性文件 本年废止"),
    ("现行有效规范性文件", "表二 行政规范性文件 现行有效"),
    ("本年制发规章", "表二 规章 本年制发"),
    ("现行有效规章", "表二 规章 现行有效"),
    ("行政许可", "表二 行政许可"),
    ("行政处罚", "表二 行政处罚"),
    ("行政强制", "表二 行政强制"),
    ("行政事业性收费", "表二 行政事业性收费（万元）"),
]


def placeholder_list(shown: Shown) -> list[tuple[str, str, str]]:
    """(placeholder, meaning, current value) for the editor's list."""
    items = [*_TABLE3_LIST, *narrative.EXTRA_PLACEHOLDERS.items(), *narrative.TEXT_PLACEHOLDERS.items()]
    try:
        values = narrative.render_sections(
            {name: "{{" + name + "}}" for name, _ in items}, shown.data, extra=shown.extra
        )
    except narrative.PlaceholderError:
        values = {}
    return [("{{" + name + "}}", meaning, values.get(name, "")) for name, meaning in items]


def _findings(data: ReportData) -> tuple[list[Finding], list[Finding]]:
    errors = [x for x in data.findings if x.severity == rules.ERROR]
    return errors, [x for x in data.findings if x.severity != rules.ERROR]


# ---------------------------------------------------------------------------------------------------------------------
# Overview


@dataclass(frozen=True)
class OverviewRow:
    agency: Agency
    cells: list[tuple[int, AnnualReport | None, dt.date | None]]  # (year, latest version, deadline)


@staff_required
def index(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    today = timezone.localdate()
    years = [today.year - 1, today.year, today.year - 2]
    member_ids = {
        agency_id
        for agency_id in Membership.objects.filter(user=user, is_active=True, agency__is_active=True).values_list(
            "agency_id", flat=True
        )
        if access.has_perm(user, Perm.VIEW_REPORTS, agency_id)
    }
    agencies = list(Agency.objects.filter(pk__in=member_ids).order_by("name"))
    latest: dict[tuple[int, int], AnnualReport] = {}
    for report in (
        AnnualReport.objects.filter(agency_id__in=member_ids, year__in=years).defer("snapshot").order_by("version")
    ):
        latest[(report.agency_id, report.year)] = report
    rows = [
        OverviewRow(
            agency,
            [
                (year, latest.get((agency.pk, year)), rules.deadline(year, builder.agency_kind(agency)))
                for year in years
            ],
        )
        for agency in agencies
    ]
    board = None
    board_year = today.year - 1
    if access.has_any(user, Perm.SUPERVISE):
        try:
            board_year = int(request.GET.get("year", board_year))
        except ValueError:
            board_year = today.year - 1
        if not FIRST_YEAR <= board_year <= today.year:
            board_year = today.year - 1
        board = selectors.report_status_for_supervisor(user, board_year, today=today)
    return render(
        request,
        "reports/staff/index.html",
        {
            "years": years,
            "rows": rows,
            "board": board,
            "board_year": board_year,
            "board_years": list(range(today.year, max(FIRST_YEAR, today.year - 5) - 1, -1)),
            "today": today,
            "can_check": access.has_any(user, Perm.SUPERVISE),
        },
    )


# ---------------------------------------------------------------------------------------------------------------------
# The report page


def _forms(report: AnnualReport | None, agency: Agency, year: int) -> dict[str, Form]:
    pk = report.pk if report is not None else None
    figures = AnnualFigures.objects.filter(agency=agency, year=year).first()
    figures_initial: dict[str, Any] = {}
    if figures is not None:
        figures_initial = {
            "licensing": figures.licensing,
            "penalties": figures.penalties,
            "enforcement": figures.enforcement,
            "fees_wan": figures.fees_wan,
            "source": figures.source,
        }
    return {
        "sections": f.SectionsForm(
            report_pk=pk, initial=f.SectionsForm.initial_for(report.sections if report is not None else {})
        ),
        "submit": f.ReportForm(report_pk=pk),
        "return": f.ReturnForm(report_pk=pk),
        "publish": f.PublishForm(report_pk=pk),
        "correct": f.CorrectForm(report_pk=pk),
        "figures": f.FiguresForm(initial=figures_initial),
        "import": f.ImportForm(),
    }


def _allowed_actions(user: User, report: AnnualReport | None) -> set[str]:
    if report is None:
        return set()
    allowed = set()
    for (action, status), transition in services.TRANSITIONS.items():
        if status == report.status and any(access.has_perm(user, p, report.agency_id) for p in transition.perms):
            allowed.add(str(action))
    return allowed


def _render_detail(
    request: HttpRequest,
    agency: Agency,
    year: int,
    report: AnnualReport | None,
    *,
    bound: dict[str, Form] | None = None,
    open_form: str = "",
    status: int = 200,
) -> HttpResponse:
    user = staff_user(request)
    shown = _shown(agency, year, report)
    if shown.problem:
        messages.error(request, shown.problem)
    prefix = reverse("reports:detail", kwargs={"agency_id": agency.pk, "year": year}) + "cell/"
    errors, warnings = _findings(shown.data)
    forms = _forms(report, agency, year)
    forms.update(bound or {})
    allowed = _allowed_actions(user, report)
    can_edit = _can_edit(user, agency.pk)
    sections_form = forms["sections"]
    editor = [(sections_form[f.section_field(key)], shown.data.sections.get(key, "")) for key in services.SECTION_KEYS]
    versions = list(selectors.report_versions(agency, year).defer("snapshot", "sections")) if report else []
    return render(
        request,
        "reports/staff/detail.html",
        {
            "agency": agency,
            "year": year,
            "report": report,
            "versions": versions,
            "data": shown.data,
            "frozen": shown.frozen,
            "tables": linked_tables(shown.data, prefix),
            "errors": errors,
            "warnings": warnings,
            "editor": editor,
            "placeholders": placeholder_list(shown) if ReportAction.EDIT in allowed else [],
            "forms": forms,
            "can_edit_text": ReportAction.EDIT in allowed,
            "can_edit_figures": can_edit,
            "can": {a: a in allowed for a in ("submit", "return", "publish", "correct")},
            "deadline": rules.deadline(year, builder.agency_kind(agency)),
            "formats": [(fmt, FORMAT_LABELS[fmt]) for fmt in FORMATS],
            "open_form": open_form,
        },
        status=status,
    )


@staff_required
def detail(request: HttpRequest, agency_id: int, year: int) -> HttpResponse:
    user = staff_user(request)
    agency = _agency(request, agency_id)
    _year(year)
    report = _latest(agency, year)
    if report is None and _can_edit(user, agency.pk):
        try:
            report = services.report_get_or_create_draft(agency=agency, year=year, actor=user)
        except ValidationError as error:
            for line in _error_lines(error):
                messages.error(request, line)
    return _render_detail(request, agency, year, report)


# ---------------------------------------------------------------------------------------------------------------------
# Actions: one service each


@dataclass(frozen=True)
class Op:
    label: str
    form: Callable[[HttpRequest, AnnualReport | None], Form]
    run: Callable[[Any, Agency, int, AnnualReport | None, User], str]  # → the success message
    needs_report: bool = True


def _report_form(cls: type[f.ReportForm]) -> Callable[[HttpRequest, AnnualReport | None], Form]:
    def make(request: HttpRequest, report: AnnualReport | None) -> Form:
        return cls(request.POST, report_pk=report.pk if report is not None else None)

    return make


def _run_sections(form: Any, agency: Agency, year: int, report: AnnualReport | None, user: User) -> str:
    assert report is not None
    saved = services.report_update_sections(report=report, actor=user, sections=form.sections())
    errors = sum(1 for x in saved.findings if x.get("severity") == rules.ERROR)
    return "正文已保存" + (f"；检查发现{errors}项错误，须更正后才能报送或发布" if errors else "")


def _run_submit(form: Any, agency: Agency, year: int, report: AnnualReport | None, user: User) -> str:
    assert report is not None
    services.report_submit(report=report, actor=user)
    return "已报送主管部门"


def _run_return(form: Any, agency: Agency, year: int, report: AnnualReport | None, user: User) -> str:
    assert report is not None
    services.report_return_to_draft(report=report, actor=user, reason=form.cleaned_data["reason"])
    return "已退回修改，报告回到草稿状态"


def _run_publish(form: Any, agency: Agency, year: int, report: AnnualReport | None, user: User) -> str:
    assert report is not None
    published = services.report_publish(report=report, actor=user, on=form.cleaned_data["published_on"])
    return f"已发布，索引号 {published.index_number}"


def _run_correct(form: Any, agency: Agency, year: int, report: AnnualReport | None, user: User) -> str:
    assert report is not None
    new = services.report_correct(report=report, actor=user, revision_note=form.cleaned_data["revision_note"])
    return f"已创建第{new.version}版草稿，修改后重新报送、发布"


def _run_figures(form: Any, agency: Agency, year: int, report: AnnualReport | None, user: User) -> str:
    services.figures_set(agency=agency, year=year, actor=user, values=form.values(), source=form.cleaned_data["source"])
    return "表二 第（五）（六）（八）项已保存"


def _run_import(form: Any, agency: Agency, year: int, report: AnnualReport | None, user: User) -> str:
    upload: f.CheckedUpload = form.cleaned_data["file"]
    importers.import_figures(agency=agency, year=year, file_name=upload.name, content=upload.content, actor=user)
    return f"已从“{upload.name}”导入表二 第（五）（六）（八）项"


OPS: dict[str, Op] = {
    "sections": Op(
        "保存正文",
        lambda request, report: f.SectionsForm(request.POST, report_pk=report.pk if report else None),
        _run_sections,
    ),
    "submit": Op(ReportAction.SUBMIT.label, _report_form(f.ReportForm), _run_submit),
    "return": Op(ReportAction.RETURN.label, _report_form(f.ReturnForm), _run_return),
    "publish": Op(ReportAction.PUBLISH.label, _report_form(f.PublishForm), _run_publish),
    "correct": Op(ReportAction.CORRECT.label, _report_form(f.CorrectForm), _run_correct),
    "figures": Op("保存表二数据", lambda request, report: f.FiguresForm(request.POST), _run_figures, False),
    "import": Op("导入表二数据", lambda request, report: f.ImportForm(request.POST, request.FILES), _run_import, False),
}


@staff_required
@require_POST
def action(request: HttpRequest, agency_id: int, year: int, op: str) -> HttpResponse:
    user = staff_user(request)
    agency = _agency(request, agency_id)
    _year(year)
    spec = OPS.get(op)
    if spec is None:
        raise _not_found()
    report = _latest(agency, year)
    form = spec.form(request, report)
    if form.is_valid():
        try:
            done = spec.run(form, agency, year, report, user)
        except ValidationError as error:
            lines = _error_lines(error)
            messages.error(request, f"“{spec.label}”未执行，报告未作任何改动：{lines[0] if lines else ''}")
            for line in lines[1:]:
                messages.error(request, line)
        else:
            messages.success(request, done)
            return redirect("reports:detail", agency_id=agency.pk, year=year)
    else:
        problems = [str(e) for errs in form.errors.values() for e in errs]
        messages.error(request, f"“{spec.label}”未执行，报告未作任何改动：{'；'.join(problems)}")
    return _render_detail(request, agency, year, _latest(agency, year), bound={op: form}, open_form=op)


# ---------------------------------------------------------------------------------------------------------------------
# Downloads and drill-down


@staff_required
def download(request: HttpRequest, agency_id: int, year: int, fmt: str) -> HttpResponse:
    agency = _agency(request, agency_id)
    _year(year)
    if fmt not in FORMATS:
        raise _not_found()
    report = _latest(agency, year)
    meta = meta_of(agency, year, report)
    shown = _shown(agency, year, report)
    try:
        content = render_report(shown.data, fmt, meta=meta)
    except DocumentRenderError as error:
        messages.error(request, f"无法生成{FORMAT_LABELS[fmt]}文件：{error}")
        return redirect("reports:detail", agency_id=agency.pk, year=year)
    return attachment(content, file_name(meta, fmt, draft=not shown.frozen), CONTENT_TYPES[fmt])


_TABLE_NAMES = {"table2": "表二", "table3": "表三", "table4": "表四"}


def _cell_label(table: str, row: str, col: str) -> str:
    if table == "table3":
        return f"表三 {dict(TABLE3_ROWS).get(row, row)} · {col}"
    return f"{_TABLE_NAMES[table]} {row} · {col}"


@staff_required
def cell(request: HttpRequest, agency_id: int, year: int, table: str, row: str, col: str) -> HttpResponse:
    """The cases (表三), catalogue items (表二（一）) or appeals (表四) behind one number; 表二（五）（六）（八） are
    entered figures with nothing behind them."""
    user = staff_user(request)
    agency = _agency(request, agency_id)
    _year(year)
    if table not in _TABLE_NAMES:
        raise _not_found()
    report = _latest(agency, year)
    snapshot = report.snapshot if report is not None else None
    frozen = bool(snapshot)
    try:
        if snapshot and (table in ("table2", "table3") or table in snapshot.get("drilldown", {})):
            # The ids frozen with the published numbers, not today's data (表四's since appeals are tracked).
            rows_of = {"table3": {k for k, _ in TABLE3_ROWS}, "table2": set(TABLE2_DOCS), "table4": set(TABLE4_BLOCKS)}
            known = rows_of[table]
            if row not in known or (table == "table3" and col not in TABLE3_COLS):
                raise ValueError(row)
            if table == "table4" and col not in TABLE4_RESULTS:
                raise ValueError(col)
            ids = list(snapshot.get("drilldown", {}).get(table, {}).get(row, {}).get(col, []))
        else:
            ids = builder.drilldown(agency, year, table, row, col)
    except ValueError:
        raise _not_found() from None
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    page_ids = list(page.object_list)
    items: list[Any] = []
    if table == "table3":
        by_id = {c.pk: c for c in Case.objects.filter(pk__in=page_ids, agency=agency)}
        items = [by_id[pk] for pk in page_ids if pk in by_id]
    elif table == "table2":
        from gongkai.publications.models import Publication

        by_pub = {p.pk: p for p in Publication.objects.filter(pk__in=page_ids, agency=agency)}
        items = [by_pub[pk] for pk in page_ids if pk in by_pub]
    elif table == "table4":
        from gongkai.appeals.models import Appeal

        by_appeal = {a.pk: a for a in Appeal.objects.filter(pk__in=page_ids, agency=agency)}
        items = [by_appeal[pk] for pk in page_ids if pk in by_appeal]
    return render(
        request,
        "reports/staff/cell.html",
        {
            "agency": agency,
            "year": year,
            "table": table,
            "label": _cell_label(table, row, col),
            "count": len(ids),
            "page": page,
            "items": items,
            "frozen": frozen,
            "can_view_cases": access.has_perm(user, Perm.VIEW_CASES, agency.pk),
        },
    )


# ---------------------------------------------------------------------------------------------------------------------
# The checker's upload page (主管部门)


@dataclass(frozen=True)
class CheckResult:
    data: ReportData
    errors: list[Finding]
    warnings: list[Finding]
    tables: dict[str, SafeString]
    text: str
    name: str


def _check(form: f.CheckForm) -> CheckResult:
    upload: f.CheckedUpload = form.cleaned_data["report"]
    previous: f.CheckedUpload | None = form.cleaned_data.get("previous")
    # The checker reads paths: the uploads go to a private temporary directory, removed on return.
    with tempfile.TemporaryDirectory(prefix="gongkai-check-") as folder:
        path = Path(folder) / f"report{upload.suffix}"
        path.write_bytes(upload.content)
        previous_path = None
        if previous is not None:
            previous_path = Path(folder) / f"previous{previous.suffix}"
            previous_path.write_bytes(previous.content)
        data = check_file(path, previous=previous_path)
    errors, warnings = _findings(data)
    return CheckResult(data, errors, warnings, linked_tables(data, None), format_text(data), upload.name)


@staff_required
def check(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if not access.has_any(user, Perm.SUPERVISE):
        raise _not_found()
    form = f.CheckForm(request.POST or None, request.FILES or None)
    result: CheckResult | None = None
    unreadable = ""
    if request.method == "POST" and form.is_valid():
        try:
            result = _check(form)
        except UnreadableReport as error:
            unreadable = error.message
    return render(
        request,
        "reports/staff/check.html",
        {"form": form, "result": result, "unreadable": unreadable},
        status=400 if request.method == "POST" and form.errors else 200,
    )


__all__ = [
    "action",
    "attachment",
    "cell",
    "check",
    "detail",
    "download",
    "file_name",
    "index",
    "meta_of",
    "title_of",
]
