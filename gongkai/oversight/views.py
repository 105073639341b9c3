"""Back-office pages of the 主管部门 (条例第四十七条): the dashboard over every agency it oversees, one agency's figures
with the lists behind them, the XLSX export, and the 考核 (rules, ranking, publication).

Only users with SUPERVISE somewhere (a 主管部门 membership, or a platform role with the perm) reach these pages; an
agency outside what the user oversees is the same 404 as a missing one. Thin: parse, gate, one selector or service.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from gongkai.accounts import access
from gongkai.accounts.decorators import staff_required, staff_user
from gongkai.accounts.models import User
from gongkai.accounts.roles import Perm
from gongkai.agencies.models import Agency
from gongkai.appeals.selectors import appeals_in_year
from gongkai.cases.models import Case
from gongkai.cases.states import OPEN_STATUSES
from gongkai.cases.states import Status as CaseStatus
from gongkai.clock import selectors as clock_selectors
from gongkai.core.form_errors import error_text
from gongkai.oversight import charts, export, selectors, services
from gongkai.oversight.forms import RuleFormSet, SchemeForm
from gongkai.oversight.metrics import DEADLINE_TEXTS, METRICS, SUGGESTED_RULES, Metric
from gongkai.oversight.models import RankingPublication, ScoringRule, ScoringScheme
from gongkai.publications import selectors as publication_selectors

FIRST_YEAR = services.FIRST_YEAR
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _not_found() -> Http404:
    return Http404(access.NOT_FOUND)


def _overseer(request: HttpRequest) -> User:
    user = staff_user(request)
    if not access.has_any(user, Perm.SUPERVISE):
        raise _not_found()
    return user


def _year(request: HttpRequest, today: dt.date) -> tuple[int, str]:
    """The ``year`` query parameter (default: this year), and a Chinese note when it was not usable."""
    raw = request.GET.get("year", "").strip()
    if not raw:
        return today.year, ""
    try:
        year = int(raw)
    except ValueError:
        return today.year, f"年度“{raw[:20]}”不是数字，已显示{today.year}年度"
    if not FIRST_YEAR <= year <= today.year:
        return today.year, f"年度应在{FIRST_YEAR}年至{today.year}年之间，已显示{today.year}年度"
    return year, ""


def _years(today: dt.date) -> list[int]:
    return list(range(today.year, max(FIRST_YEAR, today.year - 6) - 1, -1))


def _rate_bars(board: selectors.Dashboard) -> list[charts.Bar]:
    bars = []
    for row in board.rows:
        assert row.agency is not None
        rate = row.on_time_rate
        tone = "" if rate is None else ("ok" if rate >= 95 else "warn" if rate >= 80 else "err")
        text = "无办结" if rate is None else f"{rate.quantize(Decimal('0.01'))}%（{row.closed_on_time}/{row.closed}）"
        bars.append(charts.Bar(row.agency.name, rate, text, tone))
    return bars


_TIMING_LABELS = (("on_time", "按时发布", "ok"), ("late", "逾期发布", "warn"), ("overdue", "逾期未发布", "err"))


def _report_bars(board: selectors.Dashboard) -> list[charts.Bar]:
    bars = [
        charts.Bar(label, board.report_counts.get(key, 0), f"{board.report_counts.get(key, 0)}个", tone)
        for key, label, tone in _TIMING_LABELS
    ]
    bars.append(charts.Bar("未到期", board.report_counts.get("due", 0), f"{board.report_counts.get('due', 0)}个"))
    return bars


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _overseer(request)
    today = timezone.localdate()
    year, problem = _year(request, today)
    if problem:
        messages.warning(request, problem)
    board = selectors.dashboard(user, year, today=today)
    rate_chart = charts.bar_chart(
        "chart-on-time",
        f"{year}年度各机关依申请公开按期办结率",
        "横条长度为按期办结件数占本年办结件数的比例（0%至100%），每条右侧注明比例和件数；没有办结的机关注明“无办结”。",
        _rate_bars(board),
        maximum=100,
    )
    report_chart = charts.bar_chart(
        "chart-reports",
        f"{year}年度报告发布情况",
        "按条例第四十九条的期限统计各机关年度报告：按时发布、逾期发布、逾期未发布、未到期的机关个数。",
        _report_bars(board),
        maximum=max(1, len(board.rows)),
    )
    return render(
        request,
        "oversight/dashboard.html",
        {
            "board": board,
            "year": year,
            "years": _years(today),
            "rate_chart": rate_chart,
            "report_chart": report_chart,
            "calendar_warning": clock_selectors.missing_calendar_warning(today),
            "next_year_loaded": (today.year + 1) in clock_selectors.loaded_years(),
            "offices": selectors.supervising_offices(user),
            "deadlines": DEADLINE_TEXTS,
        },
    )


@staff_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    user = _overseer(request)
    today = timezone.localdate()
    year, _problem = _year(request, today)
    board = selectors.dashboard(user, year, today=today)
    response = HttpResponse(export.dashboard_xlsx(board), content_type=XLSX)
    filename = f"{year}年度政府信息公开工作监督统计.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _supervised_agency(user: User, agency_id: int) -> Agency:
    if int(agency_id) not in selectors.supervised_ids(user):
        raise _not_found()
    return access.access_agency(user, agency_id, Perm.VIEW_AGENCY)


@staff_required
def agency(request: HttpRequest, agency_id: int) -> HttpResponse:
    user = _overseer(request)
    target = _supervised_agency(user, agency_id)
    today = timezone.localdate()
    year, problem = _year(request, today)
    if problem:
        messages.warning(request, problem)
    rows = selectors.figures([target], year, today, selectors.report_states([target], year, today))
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    cases = Case.objects.filter(agency=target).select_related("ledger").prefetch_related("items")
    overdue = cases.filter(status__in=OPEN_STATUSES, ledger__reply_due__lt=today).order_by("ledger__reply_due", "pk")
    late = (
        cases.filter(closed_on__range=(start, end), received_on__isnull=False, ledger__reply_due__isnull=False)
        .exclude(status=CaseStatus.CANCELLED)
        .exclude(outcome="")
        .filter(closed_on__gt=F("ledger__reply_due"))
        .order_by("closed_on", "pk")
    )
    timeliness = publication_selectors.timeliness([target.pk], today, year=year)
    appeals = list(appeals_in_year([target.pk], year).order_by("filed_on", "pk"))
    return render(
        request,
        "oversight/agency.html",
        {
            "agency": target,
            "row": rows[0],
            "year": year,
            "years": _years(today),
            "today": today,
            "overdue_cases": list(overdue[:200]),
            "late_cases": list(late[:200]),
            "timeliness": timeliness,
            "appeals": appeals,
            "deadlines": DEADLINE_TEXTS,
        },
    )


# ---------------------------------------------------------------------------------------------------------------------
# 考核


def _office(request: HttpRequest, agency_id: int, year: int) -> tuple[User, Agency]:
    user = _overseer(request)
    office = access.access_agency(user, agency_id, Perm.SUPERVISE)
    if not FIRST_YEAR <= year <= timezone.localdate().year + 1:
        raise _not_found()
    return user, office


def _metric_rows() -> list[tuple[str, str, Any]]:
    return [(Metric(key).label, key, info) for key, info in METRICS.items()]


@staff_required
def scoring(request: HttpRequest, agency_id: int, year: int) -> HttpResponse:
    _user, office = _office(request, agency_id, year)
    scheme = ScoringScheme.objects.filter(office=office, year=year).first()
    rules = list(ScoringRule.objects.filter(scheme=scheme).order_by("position")) if scheme is not None else []
    live = selectors.ranking(scheme) if scheme is not None and rules else None
    publications = list(RankingPublication.objects.filter(office=office, year=year).order_by("-version"))
    shown = publications[0] if publications else None
    wanted = request.GET.get("version", "").strip()
    if wanted:
        shown = next((p for p in publications if str(p.version) == wanted), None)
        if shown is None:
            raise _not_found()
    return render(
        request,
        "oversight/scoring.html",
        {
            "office": office,
            "year": year,
            "scheme": scheme,
            "rules": rules,
            "live": live,
            "publications": publications,
            "shown": shown,
            "labels": dict(Metric.choices),
            "units": {key: info.unit for key, info in METRICS.items()},
        },
    )


def _initial_rules(office: Agency, year: int, scheme: ScoringScheme | None) -> list[dict[str, Any]]:
    """The saved rules; for a new year, last year's (or the suggested set) as a starting point — nothing is saved until
    the 主管部门 saves."""
    source = scheme
    if source is None:
        source = ScoringScheme.objects.filter(office=office, year__lt=year).order_by("-year").first()
    if source is not None:
        saved = ScoringRule.objects.filter(scheme=source).order_by("position")
        if saved:
            return [
                {
                    "metric": r.metric,
                    "weight": r.weight,
                    "full_at": r.full_at.normalize(),
                    "zero_at": r.zero_at.normalize(),
                    "when_missing": r.when_missing,
                }
                for r in saved
            ]
    return [
        {
            "metric": r.metric,
            "weight": r.weight,
            "full_at": r.full_at,
            "zero_at": r.zero_at,
            "when_missing": r.when_missing,
        }
        for r in SUGGESTED_RULES
    ]


@staff_required
def scoring_edit(request: HttpRequest, agency_id: int, year: int) -> HttpResponse:
    user, office = _office(request, agency_id, year)
    scheme = ScoringScheme.objects.filter(office=office, year=year).first()
    if request.method == "POST":
        scheme_form = SchemeForm(request.POST)
        formset = RuleFormSet(request.POST, prefix="rules")
        if scheme_form.is_valid() and formset.is_valid():
            rules = [
                services.RuleInput(
                    metric=form.cleaned_data["metric"],
                    weight=form.cleaned_data["weight"],
                    full_at=form.cleaned_data["full_at"],
                    zero_at=form.cleaned_data["zero_at"],
                    when_missing=form.cleaned_data["when_missing"],
                )
                for form in formset.forms
                if form.cleaned_data.get("metric") and not form.cleaned_data.get("DELETE")
            ]
            try:
                services.scheme_save(
                    office=office,
                    year=year,
                    actor=user,
                    rules=rules,
                    scope=scheme_form.cleaned_data["scope"],
                    note=scheme_form.cleaned_data.get("note") or "",
                    request=request,
                )
            except ValidationError as error:
                problems = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
                for name, lines in problems.items():
                    if name in scheme_form.fields:
                        scheme_form.add_error(name, lines)
                    else:
                        scheme_form.add_error(None, lines)
                messages.error(request, "未保存：" + error_text(error))
            else:
                messages.success(request, f"{year}年度考核规则已保存")
                return redirect("oversight:scoring", agency_id=office.pk, year=year)
        else:
            messages.error(request, "未保存：请检查下方标出的内容。")
    else:
        scheme_form = SchemeForm(
            initial={"scope": scheme.scope, "note": scheme.note} if scheme is not None else {"scope": "all"}
        )
        formset = RuleFormSet(initial=_initial_rules(office, year, scheme), prefix="rules")
    return render(
        request,
        "oversight/scoring_edit.html",
        {
            "office": office,
            "year": year,
            "scheme": scheme,
            "scheme_form": scheme_form,
            "formset": formset,
            "metrics": _metric_rows(),
        },
    )


@staff_required
@require_POST
def scoring_publish(request: HttpRequest, agency_id: int, year: int) -> HttpResponse:
    user, office = _office(request, agency_id, year)
    try:
        publication = services.ranking_publish(
            office=office, year=year, actor=user, note=request.POST.get("note", ""), request=request
        )
    except ValidationError as error:
        messages.error(request, "未发布：" + error_text(error))
    else:
        messages.success(request, f"{publication}已发布并固定，此后数据变化不影响已发布的结果")
    return redirect("oversight:scoring", agency_id=office.pk, year=year)
