"""Calendar administration (platform system administrator only) and the public 期限计算器. Thin: parse, call, render."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongkai.accounts.access import NOT_FOUND
from gongkai.accounts.decorators import staff_required
from gongkai.accounts.roles import PlatformRole
from gongkai.clock import selectors
from gongkai.clock.engine import LedgerError, compute
from gongkai.clock.forms import DaySetForm, DeadlineForm, NoticeLoadForm
from gongkai.clock.models import CalendarVersion, DayKind
from gongkai.clock.notice import NoticeError, parse_notice
from gongkai.clock.services import calendar_load_notice, calendar_set_day

View = Callable[..., HttpResponse]


def platform_admin_required(view: View) -> View:
    """Only the platform 系统管理员 manages the calendar; any other staff user gets the page-not-found of the gate."""

    @staff_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request.user, "platform_role", "") != PlatformRole.SYSTEM_ADMIN:
            raise Http404(NOT_FOUND)
        return view(request, *args, **kwargs)

    return wrapper


def _today() -> dt.date:
    return timezone.localdate()


def _messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


@platform_admin_required
def calendar_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "clock/calendar_index.html",
        {"years": selectors.year_rows(), "warning": selectors.missing_calendar_warning(_today()), "today": _today()},
    )


def _year_page(request: HttpRequest, year: int, day_form: DaySetForm, status: int = 200) -> HttpResponse:
    if year not in selectors.loaded_years():
        raise Http404(NOT_FOUND)
    return render(
        request,
        "clock/calendar_year.html",
        {
            "year": year,
            "months": selectors.year_grid(year),
            "weekdays": selectors.WEEKDAY_HEADERS,
            "versions": selectors.year_versions(year),
            "day_form": day_form,
        },
        status=status,
    )


@platform_admin_required
def calendar_year(request: HttpRequest, year: int) -> HttpResponse:
    initial: dict[str, Any] = {}
    if request.GET.get("date"):
        with contextlib.suppress(ValueError):
            initial["date"] = dt.date.fromisoformat(request.GET["date"])
    return _year_page(request, year, DaySetForm(initial=initial))


@platform_admin_required
@require_POST
def calendar_day(request: HttpRequest, year: int) -> HttpResponse:
    form = DaySetForm(request.POST)
    if form.is_valid():
        day = form.cleaned_data["date"]
        if day.year != year:
            form.add_error("date", f"只能更正{year}年的日期")
        else:
            try:
                change = calendar_set_day(
                    day=day,
                    kind=form.day_kind(),
                    name=form.cleaned_data["name"],
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                    request=request,
                )
            except ValidationError as error:
                for message in _messages(error):
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    f"已更正，生成版本{change.version.number}；重算办理中台账 {change.recompute.seen} 件，"
                    f"期限变动 {change.recompute.moves} 处。",
                )
                return redirect("calendar_admin:year", year=year)
    return _year_page(request, year, form, status=400)


@platform_admin_required
def calendar_load(request: HttpRequest) -> HttpResponse:
    """Paste or upload the notice → preview the parse and its problems → confirm. Confirm re-parses the text."""
    form = NoticeLoadForm(request.POST or None, request.FILES or None)
    preview: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        text: str = form.cleaned_data["text"]
        year: int | None = form.cleaned_data["year"]
        if request.POST.get("action") == "confirm":
            try:
                change = calendar_load_notice(text=text, year=year, actor=request.user, request=request)
            except ValidationError as error:
                for message in _messages(error):
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    f"{change.version.calendar_year.year}年节假日安排已导入（版本{change.version.number}）；"
                    f"重算办理中台账 {change.recompute.seen} 件，期限变动 {change.recompute.moves} 处。",
                )
                return redirect("calendar_admin:year", year=change.version.calendar_year.year)
        try:
            parsed = parse_notice(text, year=year)
        except NoticeError as error:
            form.add_error(None, str(error))
        else:
            current = selectors.year_days(parsed.year)
            new = {d: (DayKind.HOLIDAY.value, parsed.arrangement.names.get(d, "")) for d in parsed.arrangement.holidays}
            new |= {
                d: (DayKind.WORKDAY.value, parsed.arrangement.names.get(d, "")) for d in parsed.arrangement.workdays
            }
            preview = {
                "parsed": parsed,
                "exists": parsed.year in selectors.loaded_years(),
                "added": sorted((d, *new[d]) for d in new.keys() - current.keys()),
                "removed": sorted((d, *current[d]) for d in current.keys() - new.keys()),
                "changed": sorted(
                    (d, *current[d], *new[d]) for d in new.keys() & current.keys() if new[d] != current[d]
                ),
                # The confirm form carries the same text; it is parsed again, never trusted from the preview.
                "confirm_form": NoticeLoadForm(initial={"year": parsed.year, "text": text}),
            }
    return render(request, "clock/calendar_load.html", {"form": form, "preview": preview})


@platform_admin_required
def calendar_version(request: HttpRequest, version_id: int) -> HttpResponse:
    version = get_object_or_404(CalendarVersion.objects.select_related("calendar_year", "created_by"), pk=version_id)
    changes = version.changes or {}
    kinds = dict(DayKind.choices)
    rows = [(d, "新增", f"{kinds.get(k, k)} {n}") for d, k, n in changes.get("added", [])]
    rows += [(d, "取消", f"{kinds.get(k, k)} {n}") for d, k, n in changes.get("removed", [])]
    rows += [
        (d, "更改", f"{kinds.get(k1, k1)} {n1} → {kinds.get(k2, k2)} {n2}")
        for d, k1, k2, n1, n2 in changes.get("changed", [])
    ]
    return render(request, "clock/calendar_version.html", {"version": version, "rows": sorted(rows)})


def deadline_calculator(request: HttpRequest) -> HttpResponse:
    """The public 期限计算器: GET only (nothing is stored), so results can be linked and no CSRF token is needed."""
    form = DeadlineForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        try:
            result = compute(
                form.cleaned_data["received"],
                form.events(),
                selectors.current_calendar(),
                explain=True,
                fee_pauses_clock=selectors.fee_pauses_clock(),
            )
        except LedgerError as error:
            form.add_error(None, str(error))
    return render(request, "clock/deadline.html", {"form": form, "result": result}, status=400 if form.errors else 200)
