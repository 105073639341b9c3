"""Small factories: each test builds the little world it needs."""

from __future__ import annotations

import itertools
import time
from typing import Any

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongkai.accounts.models import ApplicantProfile, Membership, User, UserKind
from gongkai.accounts.roles import PlatformRole, Role
from gongkai.agencies.models import Agency, Kind, Level
from gongkai.core.validators import id_number_check_char, org_code_check_char, uscc_check_char

_seq = itertools.count(1)
PASSWORD = "Test-password-123"


def valid_org_code(n: int) -> str:
    body = f"{70000000 + n:08d}"
    return body + org_code_check_char(body)


def valid_credit_code(n: int, division: str = "410411") -> str:
    first17 = "11" + division + valid_org_code(n)
    return first17 + uscc_check_char(first17)


def valid_id_number(birth: str = "19850312", serial: str = "413", region: str = "410411") -> str:
    first17 = region + birth + serial
    return first17 + id_number_check_char(first17)


def make_agency(name: str | None = None, **fields: Any) -> Agency:
    n = next(_seq)
    values: dict[str, Any] = {
        "name": name or f"测试机关{n}",
        "code": fields.pop("code", f"test-agency-{n}"),
        "level": Level.COUNTY,
        "kind": Kind.DEPARTMENT,
        "credit_code": valid_credit_code(n),
        "org_code": valid_org_code(n),
        "office_name": f"测试机关{n}办公室",
        "office_phone": "0375-8166000",
    }
    values.update(fields)
    return Agency.objects.create(**values)


def make_staff(
    agency: Agency | None = None,
    role: Role | None = None,
    *,
    platform_role: str = PlatformRole.NONE,
    otp: bool = True,
    **fields: Any,
) -> User:
    """A staff account that has chosen its own password and, unless ``otp=False``, enrolled a TOTP device.

    With a device, ``client.force_login(user)`` signs in with both factors: django-otp's own ``user_logged_in``
    receiver marks the session verified when the user carries ``otp_device``, as its OTP-aware login forms do. The
    back office's 2FA rule (gongkai/accounts/middleware.py) is therefore met honestly, not switched off; a test of the
    rule itself signs in through the login pages, or uses ``otp=False``.
    """
    n = next(_seq)
    user = User(
        username=fields.pop("username", f"staff{n}"), kind=UserKind.STAFF, platform_role=platform_role, **fields
    )
    user.set_password(PASSWORD)
    user.save()
    if agency is not None and role is not None:
        Membership.objects.create(user=user, agency=agency, role=role)
    if otp:
        user.otp_device = TOTPDevice.objects.create(user=user, name="测试验证器", confirmed=True)  # type: ignore[attr-defined]
    return user


def totp_now(user: User) -> str:
    """The code the user's authenticator app shows now (RFC 6238, from the stored secret)."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return totp_for(device)


def totp_for(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def make_public(**fields: Any) -> User:
    n = next(_seq)
    user = User(username=fields.pop("username", f"public{n}"), kind=UserKind.PUBLIC, **fields)
    user.set_password(PASSWORD)
    user.save()
    ApplicantProfile.objects.create(user=user, id_number=valid_id_number(), phone="13903751234")
    return user
