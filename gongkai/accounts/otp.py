"""The second factor: TOTP (RFC 6238) devices from django-otp, an authenticator app on the staff member's phone.

Mandatory for 负责人, 机构管理员, 审计员 and the three platform roles (等保 8.1.4.1 d), optional for other staff. The
middleware (``gongkai.accounts.middleware``) sends a signed-in staff member who has a device to the code page and one who
must have a device but has none to the enrolment page before any other back-office page.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import qrcode  # type: ignore[import-untyped]
import qrcode.image.svg  # type: ignore[import-untyped]
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongkai.accounts.models import Membership, User, UserKind
from gongkai.accounts.roles import OTP_REQUIRED_PLATFORM_ROLES, OTP_REQUIRED_ROLES

DEVICE_NAME = "身份验证器"


def otp_required(user: Any) -> bool:
    """Whether ``user`` must sign in with a second factor."""
    if getattr(user, "kind", None) != UserKind.STAFF:
        return False
    if user.platform_role in OTP_REQUIRED_PLATFORM_ROLES:
        return True
    return Membership.objects.filter(user=user, is_active=True, role__in=list(OTP_REQUIRED_ROLES)).exists()


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def secret_base32(device: TOTPDevice) -> str:
    """The shared secret as authenticator apps take it when typed in by hand."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def provisioning_uri(device: TOTPDevice) -> str:
    """The otpauth:// URI (issuer from OTP_TOTP_ISSUER) that authenticator apps read from the QR code."""
    uri: str = device.config_url
    return uri


def qr_svg(device: TOTPDevice) -> bytes:
    """The provisioning URI as an SVG QR code, drawn here (no external service sees the secret)."""
    image = qrcode.make(provisioning_uri(device), image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()
