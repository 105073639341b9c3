"""Back-office pages of 督促整改 and 投诉举报. The 主管部门 side (Perm.SUPERVISE at the issuing office) drafts, issues,
accepts or returns notices and handles complaints; the addressed agency's staff (HANDLE_CASES; APPROVE to report)
see notices addressed to them once issued. Complaints are the office's only: the agency never sees the complainant.
Objects come through ``selectors.notice_for`` / ``complaint_for`` — the same 404 for missing and not yours."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from gongkai.accounts import access
from gongkai.accounts.decorators import staff_required, staff_user
from gongkai.agencies.models import Agency
from gongkai.core.form_errors import error_text, errors_to_form, form_problem
from gongkai.core.masking import mask_phone
from gongkai.rectification import selectors, services
from gongkai.rectification.forms import (
    ITEM_ROWS,
    ComplaintFilterForm,
    ComplaintForm,
    ConcludeForm,
    CriticizeForm,
    NoteForm,
    NoticeFilterForm,
    NoticeForm,
    ReasonForm,
    RejectForm,
)
from gongkai.rectification.models import Complaint, Notice, NoticeItem
from gongkai.rectification.states import ComplaintAction, NoticeAction

PAGE_SIZE = 50
_REVEAL_KEY = "rectification_revealed"
_MAX_UPLOAD_FIELDS = 20


def _not_found() -> Http404:
    return Http404(access.NOT_FOUND)


def _page(request: HttpRequest, queryset: Any) -> tuple[Any, str]:
    query = request.GET.copy()
    query.pop("page", None)
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page")), query.urlencode()


# ---------------------------------------------------------------------------------------------------------------------
# Notices


@staff_required
def notice_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    today = timezone.localdate()
    notices = selectors.visible_notices(user)
    agencies = Agency.objects.filter(pk__in=notices.values("agency_id")).order_by("name")
    form = NoticeFilterForm(request.GET or None, agencies=agencies)
    if form.is_bound and form.is_valid():
        notices = selectors.filter_notices(notices, form.cleaned_data, today)
    overdue_ids = set(selectors.overdue_notices(notices, today).values_list("pk", flat=True))
    page, query = _page(request, notices.select_related("office", "agency").order_by("-created_at", "-pk"))
    offices = selectors.offices_of(user)
    return render(
        request,
        "rectification/notice_list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "overdue_ids": overdue_ids,
            "can_create": offices.exists(),
            "can_complaints": offices.exists(),
            "tab": "notices",
        },
    )


def _notice_form(user: Any, data: Any = None, *, notice: Notice | None = None) -> NoticeForm:
    offices = selectors.offices_of(user)
    initial: dict[str, Any] = {}
    if notice is not None:
        initial = {"title": notice.title, "basis": notice.basis, "deadline": notice.deadline}
        for item in notice.items.all():
            initial[f"item-{item.position}-problem"] = item.problem
            initial[f"item-{item.position}-requirement"] = item.requirement
    return NoticeForm(
        data,
        initial=initial,
        offices=offices,
        agencies=selectors.supervised_by_offices(offices),
        fixed=notice is not None,
    )


@staff_required
def notice_create(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if not selectors.offices_of(user).exists():
        raise _not_found()
    form = _notice_form(user, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                notice = services.notice_create(
                    office=data["office"],
                    agency=data["agency"],
                    actor=user,
                    title=data["title"],
                    basis=data["basis"],
                    deadline=data["deadline"],
                    items=form.items(),
                )
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, "督促整改通知草稿已保存")
                return redirect("rectification:notice", notice_id=notice.pk)
        messages.error(request, "未保存：" + form_problem(form))
    return render(request, "rectification/notice_form.html", {"form": form, "item_rows": range(1, ITEM_ROWS + 1)})


@staff_required
def notice_edit(request: HttpRequest, notice_id: int) -> HttpResponse:
    user = staff_user(request)
    notice = selectors.notice_for(user, notice_id)
    if not services.can_act(user, NoticeAction.EDIT, notice=notice):
        raise _not_found()
    form = _notice_form(user, request.POST or None, notice=notice)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.notice_update(
                    notice=notice,
                    actor=user,
                    title=data["title"],
                    basis=data["basis"],
                    deadline=data["deadline"],
                    items=form.items(),
                )
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, "草稿已修改")
                return redirect("rectification:notice", notice_id=notice.pk)
        messages.error(request, "未保存：" + form_problem(form))
    return render(
        request,
        "rectification/notice_form.html",
        {"form": form, "notice": notice, "item_rows": range(1, ITEM_ROWS + 1)},
    )


@staff_required
def notice_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    user = staff_user(request)
    notice = selectors.notice_for(user, notice_id)
    can = {action.value: services.can_act(user, action, notice=notice) for action in NoticeAction if action != "create"}
    return render(
        request,
        "rectification/notice_detail.html",
        {
            "notice": notice,
            "items": list(notice.items.all()),
            "events": list(notice.events.select_related("actor")),
            "overdue": notice in selectors.overdue_notices(Notice.objects.filter(pk=notice.pk), timezone.localdate()),
            "can": can,
            "reason_form": ReasonForm(),
            "note_form": NoteForm(),
            "criticize_form": CriticizeForm(),
        },
    )


@staff_required
@require_POST
def notice_act(request: HttpRequest, notice_id: int, action: str) -> HttpResponse:
    user = staff_user(request)
    notice = selectors.notice_for(user, notice_id)
    try:
        if action == NoticeAction.ISSUE:
            services.notice_issue(notice=notice, actor=user)
        elif action == NoticeAction.ACKNOWLEDGE:
            services.notice_acknowledge(notice=notice, actor=user)
        elif action == NoticeAction.ACCEPT:
            services.notice_accept(notice=notice, actor=user, note=str(request.POST.get("note", ""))[:5000])
        elif action == NoticeAction.RETURN:
            services.notice_return(notice=notice, actor=user, reason=str(request.POST.get("reason", "")))
        elif action == NoticeAction.CRITICIZE:
            services.notice_criticize(notice=notice, actor=user, text=str(request.POST.get("criticism", "")))
        else:
            return HttpResponseBadRequest("未知的操作")
    except ValidationError as error:
        messages.error(request, f"未能{NoticeAction(action).label}：" + error_text(error))
    else:
        messages.success(request, f"已{NoticeAction(action).label}")
    return redirect("rectification:notice", notice_id=notice.pk)


@staff_required
@require_POST
def notice_items(request: HttpRequest, notice_id: int) -> HttpResponse:
    """The agency's rectification per item: 保存 (经办人) or 保存并报告整改 (负责人)."""
    user = staff_user(request)
    notice = selectors.notice_for(user, notice_id)
    entries: list[services.ItemReport] = []
    for position in notice.items.values_list("position", flat=True)[:_MAX_UPLOAD_FIELDS]:
        text = request.POST.get(f"item-{position}-rectification")
        upload = request.FILES.get(f"item-{position}-attachment")
        if text is None and upload is None:
            continue
        content = (upload.name or "附件", upload.read()) if upload is not None else None
        entries.append(services.ItemReport(position, str(text or ""), content))
    report = request.POST.get("submit") == "report"
    try:
        if report:
            services.notice_report(notice=notice, actor=user, entries=entries)
        else:
            services.notice_record(notice=notice, actor=user, entries=entries)
    except ValidationError as error:
        messages.error(request, ("未报告整改：" if report else "未保存：") + error_text(error))
    else:
        messages.success(request, "已报告整改" if report else "整改情况已保存")
    return redirect("rectification:notice", notice_id=notice.pk)


@staff_required
def notice_attachment(request: HttpRequest, notice_id: int, item_id: int) -> HttpResponse:
    notice = selectors.notice_for(staff_user(request), notice_id)
    item = NoticeItem.objects.filter(notice=notice, pk=item_id).exclude(attachment="").first()
    if item is None:
        raise _not_found()
    try:
        with item.attachment.open("rb") as handle:
            content = handle.read()
    except OSError:
        raise _not_found() from None
    # Always an attachment, never inline: an uploaded file must not run in the back office's origin.
    response = HttpResponse(content, content_type=item.attachment_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, item.attachment_name) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------------------------------------------------------------
# Complaints


def _office_user(request: HttpRequest) -> Any:
    user = staff_user(request)
    if not selectors.offices_of(user).exists():
        raise _not_found()
    return user


@staff_required
def complaint_list(request: HttpRequest) -> HttpResponse:
    user = _office_user(request)
    today = timezone.localdate()
    complaints = selectors.visible_complaints(user)
    agencies = Agency.objects.filter(pk__in=complaints.values("agency_id")).order_by("name")
    form = ComplaintFilterForm(request.GET or None, agencies=agencies)
    if form.is_bound and form.is_valid():
        complaints = selectors.filter_complaints(complaints, form.cleaned_data, today)
    overdue_ids = set(selectors.overdue_complaints(complaints, today).values_list("pk", flat=True))
    page, query = _page(request, complaints.select_related("agency").order_by("-received_on", "-pk"))
    return render(
        request,
        "rectification/complaint_list.html",
        {"form": form, "page": page, "query": query, "overdue_ids": overdue_ids, "tab": "complaints"},
    )


@staff_required
def complaint_create(request: HttpRequest) -> HttpResponse:
    user = _office_user(request)
    offices = selectors.offices_of(user)
    form = ComplaintForm(
        request.POST or None,
        initial={"received_on": timezone.localdate()},
        offices=offices,
        agencies=selectors.supervised_by_offices(offices),
    )
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                complaint = services.complaint_register(
                    office=data["office"],
                    agency=data["agency"],
                    actor=user,
                    channel=data["channel"],
                    complaint_type=data["complaint_type"],
                    description=data["description"],
                    received_on=data["received_on"],
                    complainant_name=data.get("complainant_name") or "",
                    phone=data.get("phone") or "",
                    other_contact=data.get("other_contact") or "",
                )
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, f"投诉已登记，编号 {complaint.number}")
                return redirect("rectification:complaint", complaint_id=complaint.pk)
        messages.error(request, "未登记：" + form_problem(form))
    return render(request, "rectification/complaint_form.html", {"form": form})


@staff_required
def complaint_detail(request: HttpRequest, complaint_id: int) -> HttpResponse:
    user = staff_user(request)
    complaint = selectors.complaint_for(user, complaint_id)
    revealed = request.session.pop(_REVEAL_KEY, None)
    if not (isinstance(revealed, dict) and revealed.get("complaint") == complaint.pk):
        revealed = None
    can = {
        a.value: services.can_act(user, a, complaint=complaint)
        for a in (ComplaintAction.INVESTIGATE, ComplaintAction.CONCLUDE, ComplaintAction.REJECT)
    }
    return render(
        request,
        "rectification/complaint_detail.html",
        {
            "complaint": complaint,
            "phone_masked": mask_phone(complaint.phone),
            "revealed": revealed,
            "events": list(complaint.events.select_related("actor")),
            "notices": list(complaint.notices.all()),
            "overdue": complaint
            in selectors.overdue_complaints(Complaint.objects.filter(pk=complaint.pk), timezone.localdate()),
            "can": can,
            "conclude_form": ConcludeForm(),
            "reject_form": RejectForm(),
        },
    )


@staff_required
@require_POST
def complaint_act(request: HttpRequest, complaint_id: int, action: str) -> HttpResponse:
    user = staff_user(request)
    complaint = selectors.complaint_for(user, complaint_id)
    post = request.POST
    try:
        if action == ComplaintAction.INVESTIGATE:
            services.complaint_investigate(complaint=complaint, actor=user, note=str(post.get("note", ""))[:5000])
        elif action == ComplaintAction.CONCLUDE:
            services.complaint_conclude(
                complaint=complaint,
                actor=user,
                conclusion=str(post.get("conclusion", "")),
                findings=str(post.get("findings", "")),
                reply_text=str(post.get("reply_text", "")),
                remedy=str(post.get("remedy", "")),
                criticism=str(post.get("criticism", "")),
            )
        elif action == ComplaintAction.REJECT:
            services.complaint_reject(
                complaint=complaint,
                actor=user,
                reason=str(post.get("findings", "")),
                reply_text=str(post.get("reply_text", "")),
            )
        else:
            return HttpResponseBadRequest("未知的操作")
    except ValidationError as error:
        messages.error(request, f"未能{ComplaintAction(action).label}：" + error_text(error))
    else:
        messages.success(request, f"已{ComplaintAction(action).label}")
        draft = complaint.notices.filter(status="draft").order_by("-pk").first()
        if action == ComplaintAction.CONCLUDE and draft is not None:
            messages.info(request, "已根据投诉起草督促整改通知，请完善整改要求和期限后下发")
            return redirect("rectification:notice", notice_id=draft.pk)
    return redirect("rectification:complaint", complaint_id=complaint.pk)


@staff_required
@require_POST
def complaint_reveal(request: HttpRequest, complaint_id: int) -> HttpResponse:
    """Show the full phone once: audited in the service, shown on the next page only."""
    user = staff_user(request)
    complaint = selectors.complaint_for(user, complaint_id)
    try:
        value = services.complaint_phone_reveal(complaint=complaint, actor=user, request=request)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        request.session[_REVEAL_KEY] = {"complaint": complaint.pk, "value": value}
    return redirect("rectification:complaint", complaint_id=complaint.pk)
