"""Writes to accounts: staff, memberships, applicants, and the audited reveal of personal data."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongkai.accounts.models import ApplicantProfile, IdType, Membership, User, UserKind
from gongkai.accounts.roles import DUTY_LABELS, PLATFORM_DUTIES, ROLE_DUTIES, Duty, Perm, PlatformRole, Role
from gongkai.agencies.models import Agency
from gongkai.audit.services import audit_record
from gongkai.core.masking import mask_id_number, mask_phone
from gongkai.core.validators import (
    credit_code_problem,
    id_number_problem,
    normalize_code,
    normalize_id_number,
    normalize_phone,
    phone_problem,
)

REVEALABLE = {"id_number": ("证件号码", mask_id_number), "phone": ("联系电话", mask_phone)}


def _password_problems(password: str, user: User) -> dict[str, list[str]]:
    """The password policy's objections (AUTH_PASSWORD_VALIDATORS), keyed "password"; empty when it passes."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {"password": list(error.messages)}
    return {}


def staff_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    full_name: str,
    email: str = "",
    platform_role: str = PlatformRole.NONE,
    validate: bool = True,
    must_change_password: bool = True,
) -> User:
    """A staff account. Its first password was chosen by someone else (an administrator, the demo loader): by default
    the holder must replace it at first sign-in (等保 8.1.4.1)."""
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": "该用户名已被使用"})
    if platform_role not in PlatformRole.values:
        raise ValidationError({"platform_role": "没有这个平台角色"})
    user = User(
        username=username,
        full_name=full_name,
        email=email,
        kind=UserKind.STAFF,
        platform_role=platform_role,
        must_change_password=must_change_password,
    )
    if validate:
        problems = _password_problems(password, user)
        if problems:
            raise ValidationError(problems)
    user.set_password(password)
    with transaction.atomic():
        user.save()
        audit_record(
            action="staff.create",
            actor=actor,
            obj=user,
            after={"username": username, "full_name": full_name, "platform_role": platform_role},
        )
    return user


def membership_grant(
    *, actor: User | None, user: User, agency: Agency, role: Role, request: HttpRequest | None = None
) -> Membership:
    if user.kind != UserKind.STAFF:
        raise ValidationError({"user": "只有工作人员账号可以授予岗位角色"})
    with transaction.atomic():
        # The user row is locked so that two grants cannot each pass the separation check alone.
        locked_user = User.objects.select_for_update().get(pk=user.pk)
        separation_check(user=locked_user, adding_role=role)
        membership, created = Membership.objects.select_for_update().get_or_create(
            user=user, agency=agency, role=role, defaults={"is_active": True}
        )
        if not created and membership.is_active:
            return membership
        if not created:
            membership.is_active = True
            membership.save(update_fields=["is_active"])
        audit_record(
            action="membership.grant",
            actor=actor,
            agency_id=agency.pk,
            obj=membership,
            after={"user": user.username, "role": str(role), "agency": agency.name},
            request=request,
        )
    return membership


def membership_revoke(*, actor: User, membership: Membership, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if not locked.is_active:
            return
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        audit_record(
            action="membership.revoke",
            actor=actor,
            agency_id=locked.agency_id,
            obj=locked,
            before={"user": locked.user.username, "role": locked.role, "active": True},
            after={"active": False},
            request=request,
        )


def _check_identity(id_type: str, id_number: str, phone: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if id_number:
        if id_type == IdType.RESIDENT_ID:
            problem = id_number_problem(id_number)
        elif id_type == IdType.CREDIT_CODE:
            problem = credit_code_problem(id_number)
        else:
            problem = None if 5 <= len(id_number.strip()) <= 30 else "证件号码长度应为5至30个字符"
        if problem:
            errors["id_number"] = problem
    if phone:
        problem = phone_problem(phone)
        if problem:
            errors["phone"] = problem
    return errors


def applicant_register(
    *,
    username: str,
    password: str,
    full_name: str,
    email: str,
    id_type: str = IdType.RESIDENT_ID,
    id_number: str = "",
    phone: str = "",
    postal_address: str = "",
    postcode: str = "",
    request: HttpRequest | None = None,
    validate: bool = True,
    must_change_password: bool = False,
) -> User:
    errors: dict[str, Any] = dict(_check_identity(id_type, id_number, phone))
    if User.objects.filter(username=username).exists():
        errors["username"] = "该用户名已被使用"
    user = User(
        username=username,
        full_name=full_name,
        email=email,
        kind=UserKind.PUBLIC,
        must_change_password=must_change_password,
    )
    if validate:
        # Keyed by field like every other refusal here, and named together with them: the password policy's own
        # ValidationError is a bare list, which a caller reading message_dict cannot take (a 500 on sign-up).
        errors.update(_password_problems(password, user))
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    with transaction.atomic():
        user.save()
        ApplicantProfile.objects.create(
            user=user,
            id_type=id_type,
            id_number=_normalized_id(id_type, id_number),
            phone=normalize_phone(phone) if phone else None,
            postal_address=postal_address,
            postcode=postcode,
        )
        audit_record(action="applicant.register", actor=user, obj=user, after={"username": username}, request=request)
    return user


def _normalized_id(id_type: str, id_number: str) -> str | None:
    if not id_number:
        return None
    if id_type == IdType.RESIDENT_ID:
        return normalize_id_number(id_number)
    if id_type == IdType.CREDIT_CODE:
        return normalize_code(id_number)
    return id_number.strip()


def applicant_update(*, user: User, data: dict[str, Any], request: HttpRequest | None = None) -> ApplicantProfile:
    errors = _check_identity(str(data.get("id_type", "")), str(data.get("id_number", "")), str(data.get("phone", "")))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        profile = ApplicantProfile.objects.select_for_update().get(user=user)
        before = {"id_number": mask_id_number(profile.id_number), "phone": mask_phone(profile.phone)}
        # A blank number means "unchanged": the edit form never shows the current number in clear.
        if data.get("id_number"):
            profile.id_type = data["id_type"]
            profile.id_number = _normalized_id(profile.id_type, data["id_number"])
        elif data.get("id_type") and data["id_type"] != profile.id_type and profile.id_number:
            raise ValidationError({"id_number": "更改证件类型时请同时填写新的证件号码"})
        if data.get("phone"):
            profile.phone = normalize_phone(data["phone"])
        profile.postal_address = data.get("postal_address", "")
        profile.postcode = data.get("postcode", "")
        profile.save()
        if data.get("full_name"):
            user.full_name = data["full_name"]
            user.save(update_fields=["full_name"])
        # Only masked values enter the audit log: the log must not become a second copy of personal data.
        audit_record(
            action="applicant.update",
            actor=user,
            obj=profile,
            before=before,
            after={"id_number": mask_id_number(profile.id_number), "phone": mask_phone(profile.phone)},
            request=request,
        )
    return profile


def personal_data_reveal(
    *,
    actor: User,
    profile: ApplicantProfile,
    field: str,
    agency_id: int | None = None,
    request: HttpRequest | None = None,
) -> str:
    """The unmasked value of ``field``; every call leaves an audit entry (个人信息保护法, 等保 8.1.4.3)."""
    if field not in REVEALABLE:
        raise ValidationError({"field": "不支持查看该字段"})
    value: str | None = getattr(profile, field)
    audit_record(
        action="personal_data.reveal",
        actor=actor,
        agency_id=agency_id,
        obj=profile,
        detail=f"查看完整{REVEALABLE[field][0]}",
        after={"field": field, "masked": REVEALABLE[field][1](value)},
        request=request,
    )
    return value or ""


# --- 三员分立 (等保 8.1.4.2 c/d: 系统管理员、安全管理员、审计管理员分设) -----------------------------------------


def user_duties(user: User, *, adding_role: Role | None = None, platform_role: str | None = None) -> set[Duty]:
    """The administrative duties ``user`` carries (or would carry after the change)."""
    current_platform = user.platform_role if platform_role is None else platform_role
    duties: set[Duty] = set()
    if current_platform in PLATFORM_DUTIES:
        duties.add(PLATFORM_DUTIES[current_platform])
    roles = set(Membership.objects.filter(user=user, is_active=True).values_list("role", flat=True))
    if adding_role is not None:
        roles.add(adding_role)
    duties |= {ROLE_DUTIES[Role(role)] for role in roles if Role(role) in ROLE_DUTIES}
    return duties


def separation_check(*, user: User, adding_role: Role | None = None, platform_role: str | None = None) -> None:
    """Refuses a change that would give one account two of the three duties."""
    duties = user_duties(user, adding_role=adding_role, platform_role=platform_role)
    if len(duties) > 1:
        labels = "、".join(DUTY_LABELS[duty] for duty in sorted(duties))
        field = "platform_role" if platform_role is not None else "role"
        raise ValidationError(
            {field: f"三员分立：同一账号不得同时承担{labels}职责（系统管理员、安全管理员、审计员须由不同账号担任）"}
        )


def platform_role_set(
    *, actor: User | None, user: User, platform_role: str, request: HttpRequest | None = None
) -> User:
    if user.kind != UserKind.STAFF:
        raise ValidationError({"platform_role": "只有工作人员账号可以担任平台角色"})
    if platform_role not in PlatformRole.values:
        raise ValidationError({"platform_role": "没有这个平台角色"})
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.platform_role == platform_role:
            return locked
        separation_check(user=locked, platform_role=platform_role)
        before = locked.platform_role
        locked.platform_role = platform_role
        locked.save(update_fields=["platform_role"])
        audit_record(
            action="staff.platform_role",
            actor=actor,
            obj=locked,
            before={"platform_role": before},
            after={"platform_role": platform_role},
            request=request,
        )
    return locked


# --- Passwords ---------------------------------------------------------------------------------------------------


def password_change(*, user: User, old_password: str, new_password: str, request: HttpRequest | None = None) -> User:
    """The holder replaces their password (a forced change after an initial password or expiry, or by choice)."""
    errors: dict[str, list[str]] = {}
    if not user.check_password(old_password):
        errors["old_password"] = ["当前密码不正确"]
    if old_password and new_password == old_password:
        errors["new_password1"] = ["新密码不能与当前密码相同"]
    if not errors:
        try:
            validate_password(new_password, user)
        except ValidationError as error:
            errors["new_password1"] = list(error.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        forced = locked.must_change_password
        locked.set_password(new_password)
        locked.must_change_password = False
        locked.save(update_fields=["password", "password_changed_at", "must_change_password"])
        audit_record(
            action="auth.password_change",
            actor=locked,
            obj=locked,
            detail="修改初始或到期密码" if forced else "修改密码",
            request=request,
        )
    user.password = locked.password
    user.password_changed_at = locked.password_changed_at
    user.must_change_password = False
    return user


def password_expire(*, user: User, request: HttpRequest | None = None) -> None:
    """The 等保 profile's period has run out: the next page is the change form (8.1.4.1 a: 定期更换)."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(must_change_password=True)
        audit_record(action="auth.password_expired", actor=user, obj=user, detail="密码已到期，须修改", request=request)
    user.must_change_password = True


# --- Second factor ------------------------------------------------------------------------------------------------


def otp_enrol_start(*, user: User) -> TOTPDevice:
    """A fresh unconfirmed TOTP device (its secret shown once, as a QR code and as text); earlier unconfirmed ones go."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)


def otp_enrol_confirm(*, user: User, device: TOTPDevice, token: str, request: HttpRequest | None = None) -> bool:
    """The first code from the app proves the secret arrived; then this device replaces any earlier one."""
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError({"token": "请重新开始绑定"})
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not locked.verify_token(token.strip()):
            audit_record(
                action="auth.otp_enrol", success=False, actor=user, obj=user, detail="绑定验证码错误", request=request
            )
            return False
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
        audit_record(action="auth.otp_enrol", actor=user, obj=user, detail="绑定身份验证器", request=request)
    device.refresh_from_db()
    return True


def otp_failed(*, user: User, request: HttpRequest | None = None) -> None:
    audit_record(
        action="auth.otp_failed", success=False, actor=user, obj=user, detail="动态验证码错误", request=request
    )


def _require_security_admin(actor: User) -> None:
    from gongkai.accounts.access import has_any

    if not has_any(actor, Perm.MANAGE_SECURITY):
        raise PermissionDenied("只有安全管理员可以执行此操作")


def otp_reset(*, actor: User, user: User, request: HttpRequest | None = None) -> int:
    """Recovery of a lost phone: the 安全管理员 removes the account's devices; it enrols again at next sign-in."""
    _require_security_admin(actor)
    if user.pk == actor.pk:
        raise ValidationError({"username": "不能重置自己的双因素认证，请由另一名安全管理员操作"})
    with transaction.atomic():
        removed: int = TOTPDevice.objects.filter(user=user).delete()[0]
        audit_record(
            action="auth.otp_reset",
            actor=actor,
            obj=user,
            detail=f"重置双因素认证（删除设备 {removed} 个）",
            request=request,
        )
    return removed


def lockout_clear(*, actor: User, username: str, request: HttpRequest | None = None) -> int:
    """Lifts a login lock before its cool-off ends (the 安全管理员's duty); returns the attempt rows removed."""
    _require_security_admin(actor)
    with transaction.atomic():
        removed = int(axes_reset(username=username) or 0)
        audit_record(action="auth.unlock", actor=actor, detail=f"解除登录锁定：{username}", request=request)
    return removed


def attempted(username: str) -> str:
    """The audit log's name for who tried to sign in as ``username``.

    A name that is an account is kept: the security officer must see which accounts are being tried. Any other text is
    not: people type their password into the name field, and the audit log is append-only and kept for years. It is
    recorded as a keyed digest (HMAC with SECRET_KEY) instead, so that repeated tries of the same text still show as
    one name without the text being recoverable.
    """
    username = username[:150]
    if username and User.objects.filter(username=username).exists():
        return f"（尝试）{username}"
    digest = hmac.new(settings.SECRET_KEY.encode(), username.encode("utf-8", "replace"), hashlib.sha256).hexdigest()
    return f"（尝试）未知账号#{digest[:10]}"
