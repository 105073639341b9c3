"""Writes to accounts: staff, memberships, applicants, and the audited reveal of personal data."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from gongkai.accounts.models import ApplicantProfile, IdType, Membership, User, UserKind
from gongkai.accounts.roles import PlatformRole, Role
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


def staff_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    full_name: str,
    email: str = "",
    platform_role: str = PlatformRole.NONE,
    validate: bool = True,
) -> User:
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": "该用户名已被使用"})
    user = User(username=username, full_name=full_name, email=email, kind=UserKind.STAFF, platform_role=platform_role)
    if validate:
        validate_password(password, user)
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
) -> User:
    errors = _check_identity(id_type, id_number, phone)
    if User.objects.filter(username=username).exists():
        errors["username"] = "该用户名已被使用"
    if errors:
        raise ValidationError(errors)
    user = User(username=username, full_name=full_name, email=email, kind=UserKind.PUBLIC)
    if validate:
        validate_password(password, user)
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
