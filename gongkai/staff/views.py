"""Back-office views: thin — parse input, go through the access gate, call one service, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gongkai.accounts import access
from gongkai.accounts.decorators import staff_required, staff_user
from gongkai.accounts.forms import MembershipForm
from gongkai.accounts.models import Membership
from gongkai.accounts.roles import Perm, Role
from gongkai.accounts.services import membership_grant, membership_revoke
from gongkai.agencies.forms import AgencyContactForm
from gongkai.agencies.models import Agency
from gongkai.agencies.services import CONTACT_FIELDS, POLICY_FIELDS, agency_update
from gongkai.audit.models import AuditEvent
from gongkai.audit.services import PLATFORM_CHAIN
from gongkai.cases import selectors as case_selectors
from gongkai.cases.selectors import Queue
from gongkai.core.form_errors import errors_to_form, form_problem
from gongkai.core.validators import ascii_digits
from gongkai.staff.views_auth import StaffLoginView, StaffLogoutView

__all__ = ["StaffLoginView", "StaffLogoutView"]  # the login views live in views_auth; the URL conf names them here


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(user=staff_user(request), is_active=True)
        .select_related("agency")
        .order_by("agency__name")
    )
    supervised = access.scope(request.user, Agency.objects.all(), Perm.VIEW_AGENCY, agency_field="pk")
    queue_counts = []
    if access.has_any(request.user, Perm.VIEW_CASES):
        counts = case_selectors.queue_counts(request.user)
        shown = (Queue.PENDING, Queue.TODO, Queue.DUE_SOON, Queue.OVERDUE)
        queue_counts = [(key, Queue.LABELS[key], counts[key]) for key in shown]
    return render(
        request,
        "staff/home.html",
        {
            "memberships": memberships,
            "agencies": supervised.select_related("parent").order_by("level", "name")[:200],
            "can_audit": access.has_any(request.user, Perm.VIEW_AUDIT),
            "queue_counts": queue_counts,
        },
    )


@staff_required
def agency_detail(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = access.access_agency(request.user, agency_id, Perm.VIEW_AGENCY)
    return render(
        request,
        "staff/agency_detail.html",
        {
            "agency": agency,
            "can_edit": access.has_perm(request.user, Perm.EDIT_AGENCY, agency.pk),
            "can_manage": access.has_perm(request.user, Perm.MANAGE_MEMBERS, agency.pk),
            "supervised": Agency.objects.filter(supervisor=agency).order_by("name"),
        },
    )


@staff_required
def agency_edit(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = access.access_agency(request.user, agency_id, Perm.EDIT_AGENCY)
    form = AgencyContactForm(request.POST or None, instance=Agency.objects.get(pk=agency.pk))
    if request.method == "POST" and form.is_valid():
        try:
            agency_update(
                actor=staff_user(request),
                agency=agency,
                data=form.cleaned_data,
                fields=(*CONTACT_FIELDS, *POLICY_FIELDS),
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "机关信息已保存。")
            return redirect("staff:agency_detail", agency_id=agency.pk)
    return render(request, "staff/agency_edit.html", {"agency": agency, "form": form})


@staff_required
def agency_members(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = access.access_agency(request.user, agency_id, Perm.MANAGE_MEMBERS)
    form = MembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership_grant(
                actor=staff_user(request),
                user=form.cleaned_data["username"],
                agency=agency,
                role=Role(form.cleaned_data["role"]),
                request=request,
            )
        except ValidationError as error:  # 三员分立 refusals name the role field
            errors_to_form(form, error)
            messages.error(request, form_problem(form))
        else:
            messages.success(request, "已授予岗位角色。")
            return redirect("staff:agency_members", agency_id=agency.pk)
    memberships = (
        Membership.objects.filter(agency=agency).select_related("user").order_by("-is_active", "user__username", "role")
    )
    return render(request, "staff/agency_members.html", {"agency": agency, "memberships": memberships, "form": form})


@staff_required
@require_POST
def membership_revoke_view(request: HttpRequest, agency_id: int, membership_id: int) -> HttpResponse:
    agency = access.access_agency(request.user, agency_id, Perm.MANAGE_MEMBERS)
    membership = access.access_object(
        request.user, Membership.objects.filter(agency=agency), membership_id, Perm.MANAGE_MEMBERS
    )
    membership_revoke(actor=staff_user(request), membership=membership, request=request)
    messages.success(request, "已撤销岗位角色。")
    return redirect("staff:agency_members", agency_id=agency.pk)


def _parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


@staff_required
def audit_list(request: HttpRequest) -> HttpResponse:
    if not access.has_any(request.user, Perm.VIEW_AUDIT):
        return render(request, "404.html", status=404)
    # A platform auditor's scope is every agency and the platform chain; an agency auditor's, its own agency.
    events = access.scope(request.user, AuditEvent.objects.all(), Perm.VIEW_AUDIT)
    params = request.GET
    if params.get("agency"):
        events = events.filter(agency_id=params["agency"]) if ascii_digits(params["agency"]) else events.none()
    if params.get("chain") == PLATFORM_CHAIN:
        events = events.filter(chain=PLATFORM_CHAIN)
    if params.get("actor"):
        events = events.filter(actor_label__icontains=params["actor"])
    if params.get("action"):
        events = events.filter(action__startswith=params["action"])
    if params.get("object"):
        events = events.filter(Q(object_type__icontains=params["object"]) | Q(object_repr__icontains=params["object"]))
    if params.get("success") in ("0", "1"):
        events = events.filter(success=params["success"] == "1")
    start, end = _parse_date(params.get("from")), _parse_date(params.get("to"))
    if start:
        events = events.filter(created_at__date__gte=start)
    if end:
        events = events.filter(created_at__date__lte=end)
    date_error = bool(params.get("from") and not start) or bool(params.get("to") and not end)
    page = Paginator(events.order_by("-created_at", "-id"), 50).get_page(params.get("page"))
    agencies = access.scope(request.user, Agency.objects.all(), Perm.VIEW_AUDIT, agency_field="pk").order_by("name")
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "staff/audit_list.html",
        {"page": page, "agencies": agencies, "params": params, "query": query.urlencode(), "date_error": date_error},
    )


@staff_required
def audit_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = access.access_object(request.user, AuditEvent.objects.all(), event_id, Perm.VIEW_AUDIT)
    return render(request, "staff/audit_detail.html", {"event": event})
