"""Back-office pages of 行政复议 / 行政诉讼. Reading needs VIEW_CASES at the appeal's agency (its staff and its 主管部门);
writing needs HANDLE_CASES there. Every object comes through the access gate (the same 404 for missing and not yours).
The mapping page is read by any staff member and edited by a platform 系统管理员 only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from gongkai.accounts import access
from gongkai.accounts.decorators import staff_required, staff_user
from gongkai.accounts.models import User
from gongkai.accounts.roles import Perm, PlatformRole
from gongkai.agencies.models import Agency
from gongkai.appeals import deadlines, selectors, services
from gongkai.appeals.codebook import COLUMN_LABELS, RESULTS, AppealKind
from gongkai.appeals.forms import (
    AcceptForm,
    AnswerForm,
    AppealForm,
    CopyForm,
    ExtendForm,
    FilterForm,
    MappingForm,
    ResultForm,
)
from gongkai.appeals.models import TRANSITIONS, Appeal, AppealDocument, Status
from gongkai.clock import selectors as clock_selectors
from gongkai.clock.rules import PERIODS
from gongkai.core.form_errors import error_text, errors_to_form, form_problem

PAGE_SIZE = 50
DUE_SOON_DAYS = 5


def _today() -> dt.date:
    return timezone.localdate()


@staff_required
def appeal_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    agencies = access.scope(user, Agency.objects.all(), Perm.VIEW_CASES, agency_field="pk").order_by("name")
    appeals = access.scope(user, Appeal.objects.all(), Perm.VIEW_CASES)
    form = FilterForm(request.GET or None, agencies=agencies)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data.get("agency"):
            appeals = appeals.filter(agency=data["agency"])
        if data.get("kind"):
            appeals = appeals.filter(kind=data["kind"])
        if data.get("status") == "open":
            appeals = appeals.exclude(status=Status.CONCLUDED)
        elif data.get("status"):
            appeals = appeals.filter(status=data["status"])
        if data.get("year"):
            ids = selectors.appeals_in_year(list(agencies.values_list("pk", flat=True)), data["year"])
            appeals = appeals.filter(pk__in=ids.values("pk"))
    today = _today()
    page = Paginator(appeals.select_related("agency").order_by("-filed_on", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = []
    for appeal in page:
        flag = ""
        if appeal.answer_due and not appeal.answered_on and appeal.status != Status.CONCLUDED:
            if appeal.answer_due < today:
                flag = "答复（答辩）已逾期"
            elif appeal.answer_due <= today + dt.timedelta(days=DUE_SOON_DAYS):
                flag = "答复（答辩）即将到期"
        rows.append((appeal, flag))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "appeals/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "can_create": access.has_any(user, Perm.HANDLE_CASES),
        },
    )


@staff_required
def appeal_create(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    agencies = access.scope(user, Agency.objects.filter(is_active=True), Perm.HANDLE_CASES, agency_field="pk")
    agency_id = request.GET.get("agency") or request.POST.get("agency")
    if agency_id is None:
        choices = list(agencies.order_by("name"))
        if len(choices) == 1:
            agency_id = str(choices[0].pk)
        else:
            if not choices:
                raise Http404(access.NOT_FOUND)
            return render(request, "appeals/choose_agency.html", {"agencies": choices})
    agency = access.access_agency(user, agency_id, Perm.HANDLE_CASES)
    form = AppealForm(request.POST or None, agency=agency)
    if request.method == "POST":
        if form.is_valid():
            try:
                appeal = services.appeal_create(agency=agency, actor=user, data=form.to_input(), request=request)
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, "已登记")
                return redirect("appeals:detail", appeal_id=appeal.pk)
        messages.error(request, form_problem(form))
    return render(request, "appeals/form.html", {"form": form, "agency": agency, "appeal": None})


@staff_required
def appeal_edit(request: HttpRequest, appeal_id: int) -> HttpResponse:
    user = staff_user(request)
    appeal = access.access_object(user, Appeal.objects.select_related("agency"), appeal_id, Perm.HANDLE_CASES)
    form = AppealForm(
        request.POST or None, agency=appeal.agency, exclude=appeal.pk, initial=AppealForm.initial_for(appeal)
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.appeal_update(appeal=appeal, actor=user, data=form.to_input(), request=request)
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, "已保存")
                return redirect("appeals:detail", appeal_id=appeal.pk)
        messages.error(request, form_problem(form))
    return render(request, "appeals/form.html", {"form": form, "agency": appeal.agency, "appeal": appeal})


def _explanations(appeal: Appeal) -> list[str]:
    calendar = clock_selectors.current_calendar()
    found = []
    if appeal.copy_received_on is not None:
        found.append(
            deadlines.answer_deadline(
                appeal.kind, appeal.copy_received_on, calendar, simplified=appeal.simplified
            ).explanation
        )
    if appeal.accepted_on is not None:
        decision = deadlines.decision_deadline(
            appeal.kind,
            appeal.accepted_on,
            calendar,
            instance=appeal.instance,
            simplified=appeal.simplified,
            extension_days=appeal.extension_days,
        )
        text = decision.explanation
        if appeal.extension_days:
            text += f"（含经批准延长的{appeal.extension_days}日，{PERIODS['reconsideration_extension'].basis}）"
        found.append(text)
    return found


def _action_forms(appeal: Appeal) -> dict[str, Form]:
    return {
        "accept": AcceptForm(),
        "copy": CopyForm(),
        "answer": AnswerForm(),
        "extend": ExtendForm(),
        "result": ResultForm(kind=appeal.kind),
    }


def _detail(request: HttpRequest, appeal: Appeal, forms: dict[str, Form], open_form: str = "") -> HttpResponse:
    user = staff_user(request)
    can_handle = access.has_perm(user, Perm.HANDLE_CASES, appeal.agency_id)
    allowed = {action for (status, action) in TRANSITIONS if status == appeal.status} if can_handle else set()
    column = ""
    if appeal.result:
        column = COLUMN_LABELS.get(selectors.mapping().get(appeal.result, ""), "")
    return render(
        request,
        "appeals/detail.html",
        {
            "appeal": appeal,
            "cases": list(appeal.cases.order_by("pk")),
            "events": list(appeal.events.order_by("seq")),
            "documents": list(appeal.documents.all()),
            "explanations": _explanations(appeal),
            "result_basis": RESULTS[appeal.result].basis if appeal.result else "",
            "column": column,
            "can_handle": can_handle,
            "allowed": allowed,
            "forms": forms,
            "open_form": open_form,
            "following": list(appeal.following.order_by("filed_on")),
            "today": _today(),
        },
    )


@staff_required
def appeal_detail(request: HttpRequest, appeal_id: int) -> HttpResponse:
    appeal = access.access_object(
        staff_user(request), Appeal.objects.select_related("agency", "preceding"), appeal_id, Perm.VIEW_CASES
    )
    return _detail(request, appeal, _action_forms(appeal))


def _accept(form: Any, appeal: Appeal, user: User, request: HttpRequest) -> str:
    services.appeal_record_acceptance(
        appeal=appeal, actor=user, accepted_on=form.cleaned_data["accepted_on"], request=request
    )
    return "已记录受理（立案）日期"


def _copy(form: Any, appeal: Appeal, user: User, request: HttpRequest) -> str:
    updated = services.appeal_record_copy_received(
        appeal=appeal,
        actor=user,
        received_on=form.cleaned_data["received_on"],
        accepted_on=form.cleaned_data.get("accepted_on"),
        request=request,
    )
    return f"已记录收到副本，答复（答辩）期限为{updated.answer_due:%Y年%m月%d日}"


def _answer(form: Any, appeal: Appeal, user: User, request: HttpRequest) -> str:
    services.appeal_record_answer(
        appeal=appeal,
        actor=user,
        answered_on=form.cleaned_data["answered_on"],
        note=form.cleaned_data.get("note") or "",
        request=request,
    )
    return "已记录提交答复（答辩）"


def _extend(form: Any, appeal: Appeal, user: User, request: HttpRequest) -> str:
    updated = services.appeal_extend_decision(
        appeal=appeal,
        actor=user,
        days=form.cleaned_data["days"],
        approved_on=form.cleaned_data["approved_on"],
        reason=form.cleaned_data.get("reason") or "",
        request=request,
    )
    return f"已延长，审理期限至{updated.decision_due:%Y年%m月%d日}"


def _result(form: Any, appeal: Appeal, user: User, request: HttpRequest) -> str:
    services.appeal_record_result(
        appeal=appeal,
        actor=user,
        result=form.cleaned_data["result"],
        result_on=form.cleaned_data["result_on"],
        note=form.cleaned_data.get("note") or "",
        request=request,
    )
    return "已记录结果"


_OPS: dict[str, tuple[Callable[[Appeal, Any], Form], Callable[[Any, Appeal, User, HttpRequest], str]]] = {
    "accept": (lambda appeal, data: AcceptForm(data), _accept),
    "copy": (lambda appeal, data: CopyForm(data), _copy),
    "answer": (lambda appeal, data: AnswerForm(data), _answer),
    "extend": (lambda appeal, data: ExtendForm(data), _extend),
    "result": (lambda appeal, data: ResultForm(data, kind=appeal.kind), _result),
}


@staff_required
@require_POST
def appeal_action(request: HttpRequest, appeal_id: int, op: str) -> HttpResponse:
    user = staff_user(request)
    appeal = access.access_object(
        user, Appeal.objects.select_related("agency", "preceding"), appeal_id, Perm.HANDLE_CASES
    )
    if op not in _OPS:
        raise Http404(access.NOT_FOUND)
    make_form, run = _OPS[op]
    form = make_form(appeal, request.POST)
    if form.is_valid():
        try:
            done = run(form, appeal, user, request)
        except ValidationError as error:
            errors_to_form(form, error)
            messages.error(request, error_text(error))
        else:
            messages.success(request, done)
            return redirect("appeals:detail", appeal_id=appeal.pk)
    else:
        messages.error(request, form_problem(form))
    forms = _action_forms(appeal)
    forms[op] = form
    return _detail(request, appeal, forms, open_form=op)


@staff_required
@require_POST
def appeal_draft(request: HttpRequest, appeal_id: int) -> HttpResponse:
    user = staff_user(request)
    appeal = access.access_object(user, Appeal.objects.select_related("agency"), appeal_id, Perm.HANDLE_CASES)
    try:
        doc = services.appeal_draft_document(appeal=appeal, actor=user, request=request)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"已生成{doc.get_kind_display()}草稿")
    return redirect("appeals:detail", appeal_id=appeal.pk)


@staff_required
def document_download(request: HttpRequest, appeal_id: int, document_id: int, fmt: str) -> HttpResponse:
    appeal = access.access_object(staff_user(request), Appeal.objects.all(), appeal_id, Perm.VIEW_CASES)
    doc = AppealDocument.objects.filter(appeal=appeal, pk=document_id).first()
    if doc is None or fmt not in ("docx", "pdf"):
        raise Http404(access.NOT_FOUND)
    stored = doc.docx if fmt == "docx" else doc.pdf
    if not stored:
        raise Http404(access.NOT_FOUND)
    with stored.open("rb") as handle:
        content: bytes = handle.read()
    content_type = (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if fmt == "docx"
        else "application/pdf"
    )
    response = HttpResponse(content, content_type=content_type)
    filename = f"{doc.title}（草稿）{doc.date_on:%Y%m%d}.{fmt}"
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_required
def mapping(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    can_edit = user.platform_role == PlatformRole.SYSTEM_ADMIN
    form = MappingForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise Http404(access.NOT_FOUND)
        if form.is_valid():
            try:
                services.mapping_set(
                    actor=user, result=form.cleaned_data["result"], column=form.cleaned_data["column"], request=request
                )
            except ValidationError as error:
                errors_to_form(form, error)
                messages.error(request, error_text(error))
            else:
                messages.success(request, "表四结果归类已更新")
                return redirect("appeals:mapping")
        else:
            messages.error(request, form_problem(form))
    current = selectors.mapping()
    rows = [
        (
            AppealKind(r.kind).label,
            r.label,
            r.basis,
            COLUMN_LABELS.get(current.get(code, ""), "（未归类，不能记录此结果）"),
        )
        for code, r in RESULTS.items()
    ]
    return render(request, "appeals/mapping.html", {"rows": rows, "form": form, "can_edit": can_edit})
