"""Public pages of 依申请公开: the online application (条例第二十九条), tracking by code, downloads, withdrawal, and a
signed-in applicant's list of applications.

Views parse input, call one service or selector, render. A case is shown only to a session that proved it knows the
case — the tracking code plus the last four digits of the phone, a signed link, or having just submitted it — or to
the account that submitted it; everything else gets the same redirect (pages) or 404 (files).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from gongkai.accounts.decorators import public_user_required
from gongkai.accounts.models import ApplicantProfile, User, UserKind
from gongkai.agencies.models import Agency
from gongkai.cases import selectors, services
from gongkai.cases.forms_public import ApplicationForm, TrackForm, WithdrawForm
from gongkai.cases.links import tracking_token_valid
from gongkai.cases.models import Case, DocumentKind
from gongkai.cases.states import OPEN_STATUSES, Status
from gongkai.clock.rules import PERIODS
from gongkai.core.masking import mask_id_number, mask_phone
from gongkai.ratelimit.captcha import REFRESH, captcha_needed, prior_hits
from gongkai.ratelimit.http import client_ip, retry_text, too_many, with_retry_after
from gongkai.ratelimit.services import (
    Decision,
    applicant_hits,
    rate_from_settings,
    rate_hit,
    rate_hit_all,
    rate_peek,
    tracking_code_ident,
)

SESSION_VERIFIED = "apply.verified"  # ids of cases this session has proved it knows
SESSION_FAILURES = "apply.track_failures"
SESSION_SUBMITTED = "apply.submitted"
MAX_TRACK_FAILURES = 10  # per session, besides the shared per-address and per-code limits below
MAX_VERIFIED = 50
TRACK_FAILED = "查询码或手机号后四位不正确"
TRACK_LOCKED = "查询失败次数过多，已暂停查询。请稍后再试，或与受理机关联系。"
STORAGE_FAILED = (
    "服务器暂时无法保存上传的材料，申请没有提交。已填写的内容保留在下方，请重新选择附件后再次提交，或稍后再试。"
)
WITHDRAWABLE = frozenset({Status.PENDING, *OPEN_STATUSES})


def _public_user(request: HttpRequest) -> User | None:
    user = request.user
    if isinstance(user, User) and user.is_active and user.kind == UserKind.PUBLIC:
        return user
    return None


def _remember(request: HttpRequest, case: Case) -> None:
    verified = [i for i in request.session.get(SESSION_VERIFIED, []) if isinstance(i, int) and i != case.pk]
    request.session[SESSION_VERIFIED] = [*verified[-(MAX_VERIFIED - 1) :], case.pk]


def _verified_case(request: HttpRequest, code: str) -> Case | None:
    """The case of ``code`` if this session verified it or the signed-in applicant owns it; otherwise None."""
    case = selectors.case_by_tracking(code)
    if case is None:
        return None
    if case.pk in request.session.get(SESSION_VERIFIED, []):
        return case
    user = _public_user(request)
    if user is not None and case.applicant_user_id == user.pk:
        return case
    return None


def _to_check(code: str) -> HttpResponse:
    return redirect(f"{reverse('apply:track')}?{urlencode({'code': code[:40]})}")


def _attachment(file: FieldFile, filename: str, content_type: str) -> FileResponse:
    try:
        handle = file.open("rb")
    except OSError:
        raise Http404("文件不存在") from None
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------------------------------------------------------------
# The application (条例第二十九条)


@require_http_methods(["GET", "POST"])
def application_form(request: HttpRequest, code: str) -> HttpResponse:
    agency = Agency.objects.filter(code=code, is_active=True).first()
    if agency is None:
        raise Http404("未找到该机关")
    user = _public_user(request)
    profile = ApplicantProfile.objects.filter(user=user).first() if user is not None else None
    initial: dict[str, Any] = {}
    if user is not None:
        initial = {"applicant_type": "natural_person", "applicant_name": user.full_name, "email": user.email}
        if profile is not None:
            initial.update(id_type=profile.id_type, postal_address=profile.postal_address, postcode=profile.postcode)
    # Every POST counts against the client address (GONGKAI_APPLY_RATE); past GONGKAI_APPLY_CAPTCHA_AFTER of them in
    # the window the form asks for a CAPTCHA. "换一张" re-renders the typed data (unbound: no errors yet) with a new one.
    ip = client_ip(request)
    ip_rate = rate_from_settings("GONGKAI_APPLY_RATE")
    refused: Decision | None = None
    if request.method == "POST" and REFRESH in request.POST:
        # Each new image is a row and a Pillow drawing: "换一张" has its own count under the same rate.
        decision = rate_hit(scope="apply_refresh", ident=ip, rate=ip_rate)
        if not decision.allowed:
            return too_many(request, decision, what="验证码")
        form = ApplicationForm(initial={**initial, **request.POST.dict()}, captcha=True)
    elif request.method == "POST":
        decision = rate_hit(scope="apply", ident=ip, rate=ip_rate)
        refused = None if decision.allowed else decision
        form = ApplicationForm(
            request.POST, request.FILES, initial=initial, captcha=captcha_needed(prior_hits(decision))
        )
    else:
        form = ApplicationForm(
            initial=initial, captcha=captcha_needed(rate_peek(scope="apply", ident=ip, rate=ip_rate))
        )
    # A signed-in applicant's stored numbers are used when the fields are left empty, never shown in clear
    # (showing them would be an unaudited unmasked view, see accounts.views_public.profile_edit).
    if profile is not None and profile.phone:
        form.fields["phone"].help_text = f"留空则使用账户中登记的号码（{mask_phone(profile.phone)}）"
    if profile is not None and profile.id_number:
        form.fields[
            "id_number"
        ].help_text = f"留空则使用账户中登记的{profile.get_id_type_display()}（{mask_id_number(profile.id_number)}）"

    if refused is not None:
        form.is_valid()
        form.add_error(
            None, f"来自您所在网络的申请提交过于频繁，本次未提交。请在{retry_text(refused.retry_after)}后再试。"
        )
        return _apply_page(request, agency, form, user, refused)
    if request.method == "POST" and REFRESH not in request.POST:
        valid = form.is_valid()
        fallback: dict[str, str] = {}
        if profile is not None:
            fallback["phone"] = profile.phone or ""
            if form.cleaned_data.get("id_type") == profile.id_type:
                fallback["id_number"] = profile.id_number or ""
        data = form.application_input(fallback=fallback)
        if valid:
            # Per applicant (web and API together), so that rotating addresses does not help.
            applicant = rate_hit_all(
                applicant_hits(phone=data.phone, id_number=data.id_number), rate_from_settings("GONGKAI_APPLICANT_RATE")
            )
            if not applicant.allowed:
                form.add_error(
                    None, f"同一申请人近期提交的申请过多，本次未提交。请在{retry_text(applicant.retry_after)}后再试。"
                )
                return _apply_page(request, agency, form, user, applicant)
            try:
                case = services.case_submit_online(agency=agency, data=data, applicant_user=user, request=request)
            except ValidationError as error:
                form.add_service_errors(error)
            except OSError as error:
                # Disk full (ENOSPC) or the storage gone while the files were written: the transaction rolled back,
                # so there is no case without its files; the form comes back with what was typed.
                logging.getLogger("gongkai.cases").error("application not saved, storage failed: %s", error)
                form.add_error(None, STORAGE_FAILED)
                response = _apply_page(request, agency, form, user, None)
                response.status_code = 503
                return response
            else:
                _remember(request, case)
                request.session[SESSION_SUBMITTED] = case.pk
                return redirect("apply:submitted")
        else:
            # An upload was refused: still name every other problem now, not in a second round.
            try:
                services.validate_application(data)
            except ValidationError as error:
                form.add_service_errors(error)
    return _apply_page(request, agency, form, user, None)


def _apply_page(
    request: HttpRequest, agency: Agency, form: ApplicationForm, user: User | None, refused: Decision | None
) -> HttpResponse:
    response = render(
        request,
        "cases/public/apply.html",
        {"agency": agency, "form": form, "signed_in": user, "periods": PERIODS},
        status=200 if refused is None else 429,
    )
    return response if refused is None else with_retry_after(response, refused)


@require_GET
def submitted(request: HttpRequest) -> HttpResponse:
    case_id = request.session.get(SESSION_SUBMITTED)
    case = Case.objects.select_related("agency").filter(pk=case_id).first() if isinstance(case_id, int) else None
    if case is None:
        return redirect("portal:home")
    # The receipt is issued after the commit; if rendering failed it is not there (yet): the page says so.
    receipt = selectors.public_documents(case).filter(kind=DocumentKind.RECEIPT).last()
    return render(request, "cases/public/submitted.html", {"case": case, "receipt": receipt})


# ---------------------------------------------------------------------------------------------------------------------
# Tracking


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    failures = request.session.get(SESSION_FAILURES, 0)
    failures = failures if isinstance(failures, int) else MAX_TRACK_FAILURES
    locked = failures >= MAX_TRACK_FAILURES
    if request.method == "POST":
        form = TrackForm(request.POST)
        if locked:
            form.is_valid()
            form.add_error(None, TRACK_LOCKED)
            return render(request, "cases/public/track.html", {"form": form, "locked": True}, status=429)
        # Shared limits (every worker, every session): per client address, and per tracking code so that guessing the
        # four digits of one code from many addresses is slow too.
        decision = rate_hit(scope="track", ident=client_ip(request), rate=rate_from_settings("GONGKAI_TRACK_RATE"))
        if decision.allowed and form.is_valid():
            decision = rate_hit(
                scope="track_code",
                ident=tracking_code_ident(form.cleaned_data["code"]),
                rate=rate_from_settings("GONGKAI_TRACK_CODE_RATE"),
            )
        if not decision.allowed:
            form.is_valid()
            form.add_error(None, f"查询过于频繁，已暂停查询。请在{retry_text(decision.retry_after)}后再试。")
            response = render(request, "cases/public/track.html", {"form": form, "locked": True}, status=429)
            return with_retry_after(response, decision)
        if form.is_valid():
            case = selectors.case_by_tracking(form.cleaned_data["code"])
            # The same message for an unknown code and wrong digits: the page must not confirm that a code exists.
            if case is not None and selectors.tracking_check(case, form.cleaned_data["phone_last4"]):
                _remember(request, case)
                return redirect("apply:case", code=case.tracking_code)
            request.session[SESSION_FAILURES] = failures + 1
            form.add_error(None, TRACK_FAILED)
    else:
        form = TrackForm(initial={"code": request.GET.get("code", "")[:40]})
    return render(request, "cases/public/track.html", {"form": form, "locked": locked})


@require_GET
def case_page(request: HttpRequest, code: str) -> HttpResponse:
    token = request.GET.get("t")
    if token is not None:
        case = selectors.case_by_tracking(code)
        if case is not None and tracking_token_valid(case.tracking_code, token):
            _remember(request, case)
            # Drop the token from the address: it must not leak through Referer or the browser history.
            return redirect("apply:case", code=case.tracking_code)
        messages.error(request, "查询链接无效或已过期，请输入查询码和手机号后四位。")
        return _to_check(code)
    case = _verified_case(request, code)
    if case is None:
        return _to_check(code)
    return render(
        request,
        "cases/public/case.html",
        {
            "case": case,
            "explanation": selectors.case_explanation(case),
            "events": selectors.public_events(case),
            "documents": selectors.public_documents(case),
            "released": selectors.released_attachments(case),
            "can_withdraw": case.status in WITHDRAWABLE,
            "withdraw_form": WithdrawForm(),
        },
    )


@require_GET
def document_download(request: HttpRequest, code: str, doc_id: int, fmt: str) -> HttpResponseBase:
    case = _verified_case(request, code)
    if case is None or fmt not in ("pdf", "docx"):
        raise Http404("未找到该文书")
    document = selectors.public_documents(case).filter(pk=doc_id).first()
    file = getattr(document, fmt, None)
    if document is None or not file:
        raise Http404("未找到该文书")
    content_type = (
        "application/pdf" if fmt == "pdf" else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    return _attachment(file, f"{case.number}-{document.get_kind_display()}.{fmt}", content_type)


@require_GET
def file_download(request: HttpRequest, code: str, att_id: int) -> HttpResponseBase:
    case = _verified_case(request, code)
    attachment = selectors.released_attachments(case).filter(pk=att_id).first() if case is not None else None
    if attachment is None or not attachment.file:
        raise Http404("未找到该文件")
    return _attachment(attachment.file, attachment.original_name, attachment.content_type)


@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    case = _verified_case(request, code)
    if case is None:
        return _to_check(code)
    if case.status not in WITHDRAWABLE:
        messages.error(request, f"该申请当前状态为“{case.get_status_display()}”，不能撤回。")
        return redirect("apply:case", code=case.tracking_code)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = _public_user(request)
        # The owning account acts as itself; a session that proved the code acts as the applicant, by name.
        actor: Any = user if user is not None and case.applicant_user_id == user.pk else f"申请人 {case.applicant_name}"
        try:
            services.case_withdraw(
                case=case, actor=actor, by_applicant=True, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            for problem in error.messages:
                form.add_error(None, problem)
        else:
            messages.success(request, "申请已撤回。")
            return redirect("apply:case", code=case.tracking_code)
    return render(request, "cases/public/withdraw.html", {"case": case, "form": form})


# ---------------------------------------------------------------------------------------------------------------------
# A signed-in applicant's applications


def _applications_of(user: User) -> QuerySet[Case]:
    return (
        Case.objects.filter(applicant_user=user)
        .select_related("agency", "ledger")
        .prefetch_related("items")
        .order_by("-submitted_at", "-pk")
    )


@public_user_required
def mine(request: HttpRequest) -> HttpResponse:
    user = _public_user(request)
    assert user is not None
    return render(request, "cases/public/mine.html", {"cases": _applications_of(user)})
