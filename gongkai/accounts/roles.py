"""Roles and what each may do — data, read by the one access gate (``gongkai.accounts.access``).

Staff hold roles per agency (a membership); the platform roles are held by a user directly, one at most, so that the
system administrator and the auditor can never be the same account (三员分立, 等保 8.1.4.2).
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models


class Role(models.TextChoices):
    HANDLER = "handler", "经办人"
    REVIEWER = "reviewer", "审核人"  # 保密审查
    HEAD = "head", "负责人"  # approves extensions and publication (条例第三十三条: 工作机构负责人同意)
    AGENCY_ADMIN = "agency_admin", "机构管理员"
    SUPERVISOR = "supervisor", "主管部门"  # reads across the agencies its office supervises (条例第三、四十七条)
    AUDITOR = "auditor", "审计员"  # reads the audit log only


class PlatformRole(models.TextChoices):
    NONE = "", "无"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDITOR = "auditor", "平台审计员"


class Perm(StrEnum):
    VIEW_AGENCY = "agency.view"
    EDIT_AGENCY = "agency.edit"
    MANAGE_MEMBERS = "agency.members"
    VIEW_AUDIT = "audit.view"
    VIEW_CASES = "cases.view"
    HANDLE_CASES = "cases.handle"
    REVIEW_SECRECY = "publications.review"
    APPROVE = "approve"
    VIEW_REPORTS = "reports.view"
    EDIT_REPORTS = "reports.edit"
    SUPERVISE = "supervise"
    MANAGE_SECURITY = "security.manage"  # unlock accounts, reset second factors, read login failures


ROLE_PERMS: dict[Role, frozenset[Perm]] = {
    Role.HANDLER: frozenset({Perm.VIEW_AGENCY, Perm.VIEW_CASES, Perm.HANDLE_CASES, Perm.VIEW_REPORTS}),
    Role.REVIEWER: frozenset({Perm.VIEW_AGENCY, Perm.VIEW_CASES, Perm.REVIEW_SECRECY, Perm.VIEW_REPORTS}),
    Role.HEAD: frozenset(
        {Perm.VIEW_AGENCY, Perm.VIEW_CASES, Perm.HANDLE_CASES, Perm.APPROVE, Perm.VIEW_REPORTS, Perm.EDIT_REPORTS}
    ),
    Role.AGENCY_ADMIN: frozenset({Perm.VIEW_AGENCY, Perm.EDIT_AGENCY, Perm.MANAGE_MEMBERS}),
    Role.SUPERVISOR: frozenset({Perm.VIEW_AGENCY, Perm.VIEW_CASES, Perm.VIEW_REPORTS, Perm.SUPERVISE}),
    Role.AUDITOR: frozenset({Perm.VIEW_AUDIT}),
}

# What a 主管部门 membership grants over every agency its office supervises, directly or through lower governments.
SUPERVISED_PERMS: frozenset[Perm] = frozenset({Perm.VIEW_AGENCY, Perm.VIEW_CASES, Perm.VIEW_REPORTS})

# Platform roles act on every agency, but only within their own duty: configuration is not case content.
PLATFORM_PERMS: dict[str, frozenset[Perm]] = {
    PlatformRole.SYSTEM_ADMIN: frozenset({Perm.VIEW_AGENCY, Perm.EDIT_AGENCY, Perm.MANAGE_MEMBERS}),
    PlatformRole.SECURITY_ADMIN: frozenset({Perm.MANAGE_SECURITY}),
    PlatformRole.AUDITOR: frozenset({Perm.VIEW_AUDIT}),
}


class Duty(StrEnum):
    """The three separated administrative duties of 等保 8.1.4.2 (系统管理员、安全管理员、审计管理员)."""

    SYSTEM = "system"
    SECURITY = "security"
    AUDIT = "audit"


DUTY_LABELS: dict[Duty, str] = {Duty.SYSTEM: "系统管理", Duty.SECURITY: "安全管理", Duty.AUDIT: "安全审计"}

# Which duty each role carries; business roles (经办人、审核人、负责人、主管部门) carry none of the three. One account may
# carry at most one duty, over its platform role and all its active memberships together (三员分立).
PLATFORM_DUTIES: dict[str, Duty] = {
    PlatformRole.SYSTEM_ADMIN: Duty.SYSTEM,
    PlatformRole.SECURITY_ADMIN: Duty.SECURITY,
    PlatformRole.AUDITOR: Duty.AUDIT,
}
ROLE_DUTIES: dict[Role, Duty] = {Role.AGENCY_ADMIN: Duty.SYSTEM, Role.AUDITOR: Duty.AUDIT}

# Accounts that must sign in with a second factor (等保 8.1.4.1 d: 两种或两种以上组合的鉴别技术 for administrators);
# other staff may enrol one.
OTP_REQUIRED_ROLES: frozenset[Role] = frozenset({Role.HEAD, Role.AGENCY_ADMIN, Role.AUDITOR})
OTP_REQUIRED_PLATFORM_ROLES: frozenset[str] = frozenset(
    {PlatformRole.SYSTEM_ADMIN, PlatformRole.SECURITY_ADMIN, PlatformRole.AUDITOR}
)
