"""Back-office sign-in steps after the password: forced password change, second-factor enrolment and verification;
and the 安全管理员's page (login failures, locks, second-factor resets)."""

from __future__ import annotations

from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import verify_token

from gongkai.accounts import access
from gongkai.accounts.decorators import staff_required, staff_user
from gongkai.accounts.forms import OtpTokenForm, PasswordChangeForm, StaffLoginForm, StaffUsernameForm
from gongkai.accounts.loginflow import PasswordExpiryMixin
from gongkai.accounts.otp import confirmed_device, otp_required, pending_device, qr_svg, secret_base32
from gongkai.accounts.passwords import policy_text
from gongkai.accounts.roles import Perm
from gongkai.accounts.services import (
    lockout_clear,
    otp_enrol_confirm,
    otp_enrol_start,
    otp_failed,
    otp_reset,
    password_change,
)
from gongkai.core.form_errors import error_text, errors_to_form


class StaffLoginView(PasswordExpiryMixin, auth_views.LoginView):
    template_name = "staff/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = False
    next_page = "staff:home"  # without ?next=, not Django's /accounts/profile/


class StaffLogoutView(auth_views.LogoutView):
    next_page = "staff:login"


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


def _onwards(request: HttpRequest) -> HttpResponse:
    target = _next(request)
    return redirect(target) if target else redirect("staff:home")


@staff_required
def password_change_view(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_change(
                user=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
                request=request,
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, "密码已修改。")
            return _onwards(request)
    return render(
        request,
        "staff/auth/password_change.html",
        {"form": form, "policy": policy_text(), "forced": user.must_change_password, "next": _next(request)},
    )


@staff_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrolment: a new secret as a QR code and as text; the first code from the app confirms it."""
    user = staff_user(request)
    form = OtpTokenForm(request.POST or None)
    device = pending_device(user)
    if request.method == "POST" and device is not None and form.is_valid():
        if otp_enrol_confirm(user=user, device=device, token=form.cleaned_data["token"], request=request):
            otp_login(request, device)
            messages.success(request, "身份验证器已绑定，以后登录时须输入其显示的动态验证码。")
            return _onwards(request)
        form.add_error("token", "验证码不正确，请确认手机时间准确后重新输入当前显示的6位数字")
    if device is None:
        device = otp_enrol_start(user=user)
    return render(
        request,
        "staff/auth/otp_setup.html",
        {
            "form": form,
            "secret": secret_base32(device),
            "required": otp_required(user),
            "replacing": confirmed_device(user) is not None,
            "next": _next(request),
        },
    )


@staff_required
def otp_qr(request: HttpRequest) -> HttpResponse:
    """The QR code of the enrolment in progress, drawn by the server (never by a third-party service)."""
    user = staff_user(request)
    device = pending_device(user) or otp_enrol_start(user=user)
    response = HttpResponse(qr_svg(device), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


@staff_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    device = confirmed_device(user)
    if device is None:
        return redirect("staff:otp_setup")
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        verified = verify_token(user, device.persistent_id, form.cleaned_data["token"].strip()) if allowed else None
        if verified is not None:
            otp_login(request, verified)
            return _onwards(request)
        otp_failed(user=user, request=request)
        form.add_error(
            "token",
            "验证码不正确或已使用过，请输入身份验证器当前显示的6位数字"
            if allowed
            else "验证码错误次数过多，请稍候再试",
        )
    return render(request, "staff/auth/otp_verify.html", {"form": form, "next": _next(request)})


@staff_required
def security(request: HttpRequest) -> HttpResponse:
    """The 安全管理员's page: current locks, recent login failures, unlock and second-factor reset."""
    if not access.has_any(request.user, Perm.MANAGE_SECURITY):
        raise Http404(access.NOT_FOUND)
    failures_shown = 100
    return render(
        request,
        "staff/auth/security.html",
        {
            "attempts": AccessAttempt.objects.order_by("-attempt_time")[:200],
            "failures": AccessFailureLog.objects.order_by("-attempt_time")[:failures_shown],
            "failures_shown": failures_shown,
            "limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
            "unlock_form": StaffUsernameForm(prefix="unlock"),
            "reset_form": StaffUsernameForm(prefix="reset"),
        },
    )


@staff_required
@require_POST
def security_unlock(request: HttpRequest) -> HttpResponse:
    if not access.has_any(request.user, Perm.MANAGE_SECURITY):
        raise Http404(access.NOT_FOUND)
    username = (request.POST.get("unlock-username") or "").strip()[:150]
    if not username:
        messages.error(request, "请填写要解锁的用户名")
        return redirect("staff:security")
    removed = lockout_clear(actor=staff_user(request), username=username, request=request)
    messages.success(request, f"已解除 {username} 的登录锁定（清除失败记录 {removed} 条）。")
    return redirect("staff:security")


@staff_required
@require_POST
def security_otp_reset(request: HttpRequest) -> HttpResponse:
    if not access.has_any(request.user, Perm.MANAGE_SECURITY):
        raise Http404(access.NOT_FOUND)
    form = StaffUsernameForm(request.POST, prefix="reset")
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for e in form.errors.get("username", [])) or "请填写用户名")
        return redirect("staff:security")
    target = form.cleaned_data["username"]
    try:
        removed = otp_reset(actor=staff_user(request), user=target, request=request)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request, f"已重置 {target.username} 的双因素认证（删除设备 {removed} 个），其下次登录时须重新绑定。"
        )
    return redirect("staff:security")
