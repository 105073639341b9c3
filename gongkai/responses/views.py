"""Back-office pages of 舆情回应. Reading needs VIEW_CASES at the concern's agency (those who read its 依申请公开 work,
and its 主管部门); writing needs HANDLE_CASES there (经办人, 负责人) — concerns can name 信访 and 热线 callers, so the
configuration roles (机构管理员, 系统管理员) do not see them. Every object comes through the access gate."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gongkai.accounts import access
from gongkai.accounts.decorators import staff_required, staff_user
from gongkai.accounts.roles import Perm
from gongkai.agencies.models import Agency
from gongkai.publications.models import Publication
from gongkai.responses import selectors, services
from gongkai.responses.forms import ConcernFilterForm, ConcernForm, LinkForm, RespondForm
from gongkai.responses.models import ConcernResponse, PublicConcern

PAGE_SIZE = 50


def _errors(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "；".join(m for problems in error.message_dict.values() for m in problems)
    return "；".join(error.messages)


def _form_errors(form: Any) -> str:
    return "；".join(
        f"{form.fields[name].label if name in form.fields else ''}：{e}".lstrip("：")
        for name, errs in form.errors.items()
        for e in errs
    )


def _publication(agency_id: int, index_number: str) -> Publication | None:
    index_number = index_number.strip()
    if not index_number:
        return None
    found = Publication.objects.filter(agency_id=agency_id, index_number=index_number).first()
    if found is None:
        raise ValidationError({"publication": f"本机关没有索引号为“{index_number}”的信息"})
    return found


@staff_required
def concern_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    agencies = access.scope(user, Agency.objects.all(), Perm.VIEW_CASES, agency_field="pk").order_by("name")
    concerns = access.scope(user, PublicConcern.objects.all(), Perm.VIEW_CASES)
    form = ConcernFilterForm(request.GET or None, agencies=agencies)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data.get("agency"):
            concerns = concerns.filter(agency=data["agency"])
        if data.get("year"):
            concerns = concerns.filter(raised_at__year=data["year"])
        if data.get("source"):
            concerns = concerns.filter(source=data["source"])
    counts = selectors.status_counts(concerns)
    if form.is_bound and form.is_valid() and form.cleaned_data.get("status"):
        concerns = concerns.filter(status=form.cleaned_data["status"])
    page = Paginator(
        selectors.with_first_response(concerns.select_related("agency")).order_by("-raised_at", "-pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    calendar = selectors.calendar()
    rows = [
        (
            concern,
            selectors.response_time(concern.raised_at, concern.first_response_at, calendar)  # type: ignore[attr-defined]
            if concern.first_response_at  # type: ignore[attr-defined]
            else None,
        )
        for concern in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "responses/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "counts": counts,
            "query": query.urlencode(),
            "can_create": access.has_any(user, Perm.HANDLE_CASES),
        },
    )


@staff_required
def concern_create(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if not access.has_any(user, Perm.HANDLE_CASES):
        raise Http404(access.NOT_FOUND)
    agencies = access.scope(user, Agency.objects.filter(is_active=True), Perm.HANDLE_CASES, agency_field="pk")
    form = ConcernForm(request.POST or None, agencies=agencies.order_by("name"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            concern = services.concern_create(
                agency=data["agency"],
                actor=user,
                source=data["source"],
                raised_at=data["raised_at"],
                topic=data["topic"],
                summary=data.get("summary") or "",
                url=data.get("url") or "",
            )
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
        else:
            messages.success(request, "舆情已登记")
            return redirect("responses:detail", concern_id=concern.pk)
    return render(request, "responses/create.html", {"form": form})


@staff_required
def concern_detail(request: HttpRequest, concern_id: int) -> HttpResponse:
    user = staff_user(request)
    concern = access.access_object(user, PublicConcern.objects.select_related("agency"), concern_id, Perm.VIEW_CASES)
    responses = list(concern.responses.select_related("publication", "actor"))
    calendar = selectors.calendar()
    first = responses[0].responded_at if responses else None
    return render(
        request,
        "responses/detail.html",
        {
            "concern": concern,
            "responses": responses,
            "time": selectors.response_time(concern.raised_at, first, calendar) if first else None,
            "can_handle": access.has_perm(user, Perm.HANDLE_CASES, concern.agency_id),
            "respond_form": RespondForm(),
        },
    )


def _handled(request: HttpRequest, concern_id: int) -> PublicConcern:
    return access.access_object(staff_user(request), PublicConcern.objects.all(), concern_id, Perm.HANDLE_CASES)


@staff_required
@require_POST
def concern_respond(request: HttpRequest, concern_id: int) -> HttpResponse:
    concern = _handled(request, concern_id)
    form = RespondForm(request.POST)
    if not form.is_valid():
        messages.error(request, "未回应：" + _form_errors(form))
        return redirect("responses:detail", concern_id=concern.pk)
    data = form.cleaned_data
    try:
        services.concern_respond(
            concern=concern,
            actor=request.user,
            text=data["text"],
            responded_at=data.get("responded_at"),
            publication=_publication(concern.agency_id, data.get("index_number") or ""),
        )
    except ValidationError as error:
        messages.error(request, "未回应：" + _errors(error))
    else:
        messages.success(request, "回应已登记")
    return redirect("responses:detail", concern_id=concern.pk)


@staff_required
@require_POST
def concern_link(request: HttpRequest, concern_id: int) -> HttpResponse:
    concern = _handled(request, concern_id)
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "未关联：" + _form_errors(form))
        return redirect("responses:detail", concern_id=concern.pk)
    response = ConcernResponse.objects.filter(concern=concern, pk=form.cleaned_data["response_id"]).first()
    if response is None:
        raise Http404(access.NOT_FOUND)
    try:
        publication = _publication(concern.agency_id, form.cleaned_data["index_number"])
        assert publication is not None  # the form requires an index number
        services.response_link_publication(response=response, actor=request.user, publication=publication)
    except ValidationError as error:
        messages.error(request, "未关联：" + _errors(error))
    else:
        messages.success(request, "已关联回应信息")
    return redirect("responses:detail", concern_id=concern.pk)


@staff_required
@require_POST
def concern_close(request: HttpRequest, concern_id: int) -> HttpResponse:
    concern = _handled(request, concern_id)
    try:
        services.concern_close(concern=concern, actor=request.user)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, "舆情已办结")
    return redirect("responses:detail", concern_id=concern.pk)
