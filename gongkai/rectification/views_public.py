"""The public 投诉举报 form (条例第四十七条第二款、第五十一条) and status lookup by tracking code.

The form carries a one-time token: a second POST of the same form (a double click, a reload) finds the complaint the
first one created instead of filing it twice. The status page is shown only to whoever knows the tracking code and the
last four digits of the phone given, with the same per-session brake as the 依申请公开 lookup.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from gongkai.ratelimit.http import limit_posts
from gongkai.rectification import selectors, services
from gongkai.rectification.forms import PublicComplaintForm, TrackForm
from gongkai.rectification.models import Complaint
from gongkai.rectification.states import COMPLAINT_REPLY_DAYS

SESSION_SUBMITTED = "complaint.submitted"
SESSION_FAILURES = "complaint.track_failures"
MAX_TRACK_FAILURES = 10
TRACK_FAILED = "查询码或联系电话后四位不正确"
TRACK_LOCKED = "查询失败次数过多，已暂停查询。请稍后再试，或与主管部门联系。"


@never_cache  # the one-time token must never be served to a second visitor from a cache
@require_http_methods(["GET", "POST"])
# Each complaint is work for an office: a per-address brake shared by every worker (docs/security.md).
@limit_posts("complaint", "GONGKAI_COMPLAINT_RATE", what="投诉举报")
def complaint_form(request: HttpRequest) -> HttpResponse:
    agencies = selectors.public_complaint_agencies()
    if request.method != "POST":
        form = PublicComplaintForm(initial={"form_token": secrets.token_hex(16)}, agencies=agencies)
        return render(request, "rectification/public/complaint_form.html", {"form": form, "days": COMPLAINT_REPLY_DAYS})
    form = PublicComplaintForm(request.POST, agencies=agencies)
    form.is_valid()  # field errors stay on the form; the service then checks everything and names each problem
    data = form.cleaned_data
    agency_id = data.get("agency")
    agency = next((a for a in agencies if a.pk == agency_id), None) if isinstance(agency_id, int) else None
    try:
        complaint, _created = services.complaint_submit_online(
            agency=agency,
            complaint_type=str(data.get("complaint_type") or ""),
            description=str(data.get("description") or ""),
            complainant_name=str(data.get("complainant_name") or ""),
            phone=str(data.get("phone") or ""),
            submission_key=str(data.get("form_token") or ""),
            request=request,
        )
    except ValidationError as error:
        for name, problems in error.message_dict.items():
            if name in form.fields and name not in form.errors:
                form.add_error(name, problems)
            elif name not in form.fields:
                form.add_error(None, problems)
        if not form.errors:
            form.add_error(None, "提交未成功，请检查后重试")
    else:
        request.session[SESSION_SUBMITTED] = complaint.pk
        return redirect("complaints:submitted")
    # A fresh token for the corrected form: the refused one created nothing.
    data_copy = request.POST.copy()
    data_copy["form_token"] = secrets.token_hex(16)
    form.data = data_copy
    return render(
        request, "rectification/public/complaint_form.html", {"form": form, "days": COMPLAINT_REPLY_DAYS}, status=200
    )


@never_cache
@require_GET
def submitted(request: HttpRequest) -> HttpResponse:
    complaint_id = request.session.get(SESSION_SUBMITTED)
    complaint = (
        Complaint.objects.select_related("office", "agency").filter(pk=complaint_id).first()
        if isinstance(complaint_id, int)
        else None
    )
    if complaint is None:
        return redirect("complaints:form")
    return render(request, "rectification/public/submitted.html", {"complaint": complaint})


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    failures = request.session.get(SESSION_FAILURES, 0)
    failures = failures if isinstance(failures, int) else MAX_TRACK_FAILURES
    if request.method != "POST":
        return render(
            request, "rectification/public/track.html", {"form": TrackForm(), "locked": failures >= MAX_TRACK_FAILURES}
        )
    form = TrackForm(request.POST)
    if failures >= MAX_TRACK_FAILURES:
        form.is_valid()
        form.add_error(None, TRACK_LOCKED)
        return render(request, "rectification/public/track.html", {"form": form, "locked": True}, status=429)
    if form.is_valid():
        complaint = selectors.complaint_by_tracking(form.cleaned_data["code"], form.cleaned_data["phone_last4"])
        if complaint is not None:
            return render(request, "rectification/public/status.html", {"complaint": complaint})
        request.session[SESSION_FAILURES] = failures + 1
        form.add_error(None, TRACK_FAILED)
    return render(request, "rectification/public/track.html", {"form": form, "locked": False})
