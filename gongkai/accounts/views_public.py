"""Public users (applicants): registration, login and their own profile with masked personal data."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from gongkai.accounts.decorators import public_user_required
from gongkai.accounts.forms import ApplicantProfileForm, ApplicantRegisterForm, PasswordChangeForm, PublicLoginForm
from gongkai.accounts.loginflow import PasswordExpiryMixin
from gongkai.accounts.models import ApplicantProfile, User
from gongkai.accounts.passwords import policy_text
from gongkai.accounts.services import (
    REVEALABLE,
    applicant_register,
    applicant_update,
    password_change,
    personal_data_reveal,
)
from gongkai.core.form_errors import errors_to_form
from gongkai.core.masking import mask_id_number, mask_phone
from gongkai.ratelimit.http import limit_posts

_REVEALED = "account.revealed"


# Per client address, shared by every worker (gongkai.ratelimit); the per-account lockout is django-axes' (lockout.py).
@method_decorator(limit_posts("account", "GONGKAI_ACCOUNT_RATE", what="注册或登录"), name="dispatch")
class PublicLoginView(PasswordExpiryMixin, auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = PublicLoginForm


class PublicLogoutView(auth_views.LogoutView):
    next_page = "portal:home"


@limit_posts("account", "GONGKAI_ACCOUNT_RATE", what="注册或登录")
def register(request: HttpRequest) -> HttpResponse:
    form = ApplicantRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = applicant_register(
                username=data["username"],
                password=data["password1"],
                full_name=data["full_name"],
                email=data["email"],
                id_type=data["id_type"],
                id_number=data["id_number"],
                phone=data["phone"],
                request=request,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                target = "password1" if field in ("password", "__all__") else field
                form.add_error(target if target in form.fields else None, problems)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "注册成功。")
            return redirect("account:profile")
    return render(request, "accounts/register.html", {"form": form})


@public_user_required
def profile(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    applicant, _ = ApplicantProfile.objects.get_or_create(user=request.user)
    # Shown once, after the audited reveal's redirect: a reload shows the masked value and writes no second row.
    revealed = request.session.pop(_REVEALED, {})
    return render(request, "accounts/profile.html", {"applicant": applicant, "revealed": revealed})


@public_user_required
@require_POST
def reveal(request: HttpRequest, field: str) -> HttpResponse:
    assert isinstance(request.user, User)
    applicant, _ = ApplicantProfile.objects.get_or_create(user=request.user)
    if field not in REVEALABLE:
        return redirect("account:profile")
    value = personal_data_reveal(actor=request.user, profile=applicant, field=field, request=request)
    request.session[_REVEALED] = {field: value}
    return redirect("account:profile")


@public_user_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    applicant, _ = ApplicantProfile.objects.get_or_create(user=request.user)
    initial = {
        "full_name": request.user.full_name,
        "id_type": applicant.id_type,
        "postal_address": applicant.postal_address,
        "postcode": applicant.postcode,
    }
    # The current numbers are never put back into the form in clear: that would be an unaudited unmasked view.
    form = ApplicantProfileForm(request.POST or None, initial=initial)
    form.fields["id_number"].help_text = f"留空表示不修改（当前：{mask_id_number(applicant.id_number) or '未填写'}）"
    form.fields["phone"].help_text = f"留空表示不修改（当前：{mask_phone(applicant.phone) or '未填写'}）"
    if request.method == "POST" and form.is_valid():
        try:
            applicant_update(user=request.user, data=form.cleaned_data, request=request)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, "个人信息已保存。")
            return redirect("account:profile")
    return render(request, "accounts/profile_edit.html", {"form": form})


@public_user_required
def password_change_view(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_change(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
                request=request,
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改。")
            return redirect("account:profile")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "policy": policy_text(), "forced": request.user.must_change_password},
    )
