"""三员分立 (等保 8.1.4.2): 系统管理员, 安全管理员 and 审计员 are separate accounts; the 安全管理员 has real duties."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from gongkai.accounts import access
from gongkai.accounts.models import Membership, User
from gongkai.accounts.roles import Perm, PlatformRole, Role
from gongkai.accounts.services import membership_grant, platform_role_set, staff_create
from gongkai.audit.models import AuditEvent
from tests.factories import make_agency, make_staff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("platform_role", "role"),
    [
        (PlatformRole.SYSTEM_ADMIN, Role.AUDITOR),
        (PlatformRole.SECURITY_ADMIN, Role.AUDITOR),
        (PlatformRole.SECURITY_ADMIN, Role.AGENCY_ADMIN),
        (PlatformRole.AUDITOR, Role.AGENCY_ADMIN),
    ],
)
def test_a_platform_role_and_an_agency_role_of_another_duty_are_refused(platform_role: str, role: Role) -> None:
    agency = make_agency()
    user = make_staff(platform_role=platform_role)
    with pytest.raises(ValidationError) as error:
        membership_grant(actor=None, user=user, agency=agency, role=role)
    assert "三员分立" in error.value.message_dict["role"][0]
    assert not Membership.objects.filter(user=user).exists()


def test_agency_admin_and_auditor_are_separate_accounts_even_across_agencies() -> None:
    first, second = make_agency(), make_agency()
    user = make_staff(first, Role.AGENCY_ADMIN)
    with pytest.raises(ValidationError, match="三员分立"):
        membership_grant(actor=None, user=user, agency=second, role=Role.AUDITOR)
    with pytest.raises(ValidationError, match="三员分立"):
        membership_grant(actor=None, user=user, agency=first, role=Role.AUDITOR)


@pytest.mark.parametrize(
    ("platform_role", "role"),
    [
        (PlatformRole.SYSTEM_ADMIN, Role.AGENCY_ADMIN),  # the same duty at two levels
        (PlatformRole.AUDITOR, Role.AUDITOR),
        (PlatformRole.SYSTEM_ADMIN, Role.HANDLER),  # business roles carry none of the three duties
    ],
)
def test_same_duty_or_business_roles_are_allowed(platform_role: str, role: Role) -> None:
    user = make_staff(platform_role=platform_role)
    membership_grant(actor=None, user=user, agency=make_agency(), role=role)


def test_platform_role_change_is_checked_and_audited() -> None:
    agency = make_agency()
    auditor = make_staff(agency, Role.AUDITOR)
    with pytest.raises(ValidationError) as error:
        platform_role_set(actor=None, user=auditor, platform_role=PlatformRole.SYSTEM_ADMIN)
    assert "三员分立" in error.value.message_dict["platform_role"][0]
    auditor.refresh_from_db()
    assert auditor.platform_role == ""
    platform_role_set(actor=None, user=auditor, platform_role=PlatformRole.AUDITOR)
    assert AuditEvent.objects.filter(action="staff.platform_role", object_id=str(auditor.pk)).exists()
    # A revoked membership no longer carries its duty.
    admin = make_staff(agency, Role.AGENCY_ADMIN)
    Membership.objects.filter(user=admin).update(is_active=False)
    platform_role_set(actor=None, user=admin, platform_role=PlatformRole.SECURITY_ADMIN)


def test_one_account_holds_one_platform_role_and_only_a_known_one() -> None:
    # platform_role is one column: two platform duties in one account cannot even be written down.
    user = staff_create(
        actor=None, username="sys1", password="Long-enough-1", full_name="x", platform_role="system_admin"
    )
    with transaction.atomic(), pytest.raises(IntegrityError):
        User.objects.filter(pk=user.pk).update(platform_role="system_admin,auditor")
    with transaction.atomic(), pytest.raises(IntegrityError):
        Membership.objects.create(user=user, agency=make_agency(), role="superuser")


def test_the_members_page_shows_the_refusal_in_chinese_and_saves_nothing() -> None:
    agency = make_agency()
    admin = make_staff(agency, Role.AGENCY_ADMIN)
    target = make_staff(platform_role=PlatformRole.SYSTEM_ADMIN)
    client = Client()
    client.force_login(admin)
    response = client.post(f"/staff/agencies/{agency.pk}/members/", {"username": target.username, "role": "auditor"})
    assert response.status_code == 200
    assert "三员分立" in response.content.decode()
    assert not Membership.objects.filter(user=target).exists()


def test_each_platform_role_has_its_own_duty_and_no_other() -> None:
    system = make_staff(platform_role=PlatformRole.SYSTEM_ADMIN)
    security = make_staff(platform_role=PlatformRole.SECURITY_ADMIN)
    auditor = make_staff(platform_role=PlatformRole.AUDITOR)
    assert access.has_any(system, Perm.MANAGE_MEMBERS)
    assert not access.has_any(system, Perm.VIEW_AUDIT)
    assert not access.has_any(system, Perm.MANAGE_SECURITY)
    assert access.has_any(security, Perm.MANAGE_SECURITY)
    assert not access.has_any(security, Perm.VIEW_AUDIT)
    assert not access.has_any(security, Perm.MANAGE_MEMBERS)
    assert access.has_any(auditor, Perm.VIEW_AUDIT)
    assert not access.has_any(auditor, Perm.MANAGE_SECURITY)


def test_the_security_admin_page_lists_login_failures(settings: Any) -> None:
    user = make_staff()
    Client().post("/staff/login/", {"username": user.username, "password": "wrong"})
    client = Client()
    client.force_login(make_staff(platform_role=PlatformRole.SECURITY_ADMIN))
    body = client.get("/staff/security/").content.decode()
    assert "最近的登录失败" in body
    assert user.username in body
    assert "/staff/login/" in body
    home = client.get("/staff/").content.decode()
    assert "/staff/security/" in home


def test_the_staff_command_refuses_two_duties_before_creating_anything(tmp_path: Any) -> None:
    from tests.cli import run_gongkai

    env = {"GONGKAI_VAR_DIR": str(tmp_path)}
    assert run_gongkai("manage", "migrate", env=env).returncode == 0
    args = [
        "staff",
        "create",
        "sa1",
        "--full-name",
        "系统管理员",
        "--platform-role",
        "system_admin",
        "--password-stdin",
    ]
    refused = run_gongkai(*args, "--agency", "x", "--role", "auditor", env=env, input="Long-enough-pass-42\n")
    assert refused.returncode == 2
    assert "三员分立" in refused.stderr
    assert "Traceback" not in refused.stderr
    created = run_gongkai(*args, env=env, input="Long-enough-pass-42\n")
    assert created.returncode == 0, created.stderr
    assert "首次登录时须修改密码" in created.stdout


def test_the_staff_grant_command_refuses_in_one_line() -> None:
    from django.core.management import CommandError, call_command

    agency = make_agency()
    user = make_staff(platform_role=PlatformRole.SECURITY_ADMIN)
    with pytest.raises(CommandError, match="三员分立"):
        call_command("staff", "grant", user.username, "--agency", agency.code, "--role", "agency_admin")
    assert not Membership.objects.filter(user=user).exists()
