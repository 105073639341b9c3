from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

from gongkai.accounts.models import IdType, User, UserKind
from gongkai.accounts.roles import Role
from gongkai.accounts.services import attempted
from gongkai.audit.services import audit_record
from gongkai.core.formfields import DigitsField, PostcodeField


class _KindAuthenticationForm(AuthenticationForm):
    kind: str = ""
    wrong_kind_message = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # AuthenticationForm sets max_length after the field is built, so it is not enforced: a 2,000-character name
        # reached authenticate() and django-axes' failure log (varchar 255), a 500 on PostgreSQL (found by fuzzing).
        self.fields["username"].validators.append(MaxLengthValidator(self.username_field.max_length or 150))
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        self.error_messages["invalid_login"] = "用户名或密码不正确。"

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if user.kind != self.kind:
            # The same message as a wrong password: the login page must not reveal which accounts exist.
            audit_record(
                action="auth.login_failed",
                success=False,
                actor_label=attempted(user.get_username()),
                detail="账号类别与登录入口不符",
                request=self.request,
            )
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class StaffLoginForm(_KindAuthenticationForm):
    kind = UserKind.STAFF


class PublicLoginForm(_KindAuthenticationForm):
    kind = UserKind.PUBLIC


class ApplicantRegisterForm(forms.Form):
    username = forms.RegexField(
        label="用户名",
        max_length=40,
        regex=r"^[A-Za-z0-9_.@+-]{3,40}$",
        error_messages={"invalid": "用户名为3至40位字母、数字或 _ . @ + -"},
    )
    full_name = forms.CharField(label="姓名或名称", max_length=100)
    email = forms.EmailField(label="电子邮箱")
    id_type = forms.ChoiceField(label="证件类型", choices=IdType.choices, initial=IdType.RESIDENT_ID)
    id_number = forms.CharField(label="证件号码", max_length=30, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    password1 = forms.CharField(label="密码", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="确认密码", widget=forms.PasswordInput, strip=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致")
        return data


class ApplicantProfileForm(forms.Form):
    full_name = forms.CharField(label="姓名或名称", max_length=100)
    id_type = forms.ChoiceField(label="证件类型", choices=IdType.choices)
    id_number = forms.CharField(label="证件号码", max_length=30, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    postal_address = forms.CharField(label="通信地址", max_length=200, required=False)
    postcode = PostcodeField()


class MembershipForm(forms.Form):
    username = forms.CharField(label="工作人员用户名", max_length=150)
    role = forms.ChoiceField(label="角色", choices=Role.choices)

    def clean_username(self) -> User:
        username = self.cleaned_data["username"].strip()
        user = User.objects.filter(username=username, kind=UserKind.STAFF, is_active=True).first()
        if user is None:
            raise forms.ValidationError("没有这个工作人员账号")
        return user


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label="当前密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password1 = forms.CharField(
        label="新密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label="再次输入新密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致")
        return data


class OtpTokenForm(forms.Form):
    token = DigitsField(
        6,
        label="动态验证码",
        error_messages={"invalid": "请输入身份验证器显示的6位数字", "required": "请输入动态验证码"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )


class StaffUsernameForm(forms.Form):
    username = forms.CharField(label="工作人员用户名", max_length=150)

    def clean_username(self) -> User:
        username = self.cleaned_data["username"].strip()
        user = User.objects.filter(username=username, kind=UserKind.STAFF).first()
        if user is None:
            raise forms.ValidationError("没有这个工作人员账号")
        return user
