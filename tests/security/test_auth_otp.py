"""The second factor (等保 8.1.4.1 d): TOTP enrolment, verification at sign-in, who must have it, recovery."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongkai.accounts.models import User
from gongkai.accounts.otp import otp_required
from gongkai.accounts.roles import PlatformRole, Role
from gongkai.api.services import token_create
from gongkai.audit.models import AuditEvent
from tests.browser.auth import app_code
from tests.factories import PASSWORD, make_agency, make_public, make_staff, totp_for, totp_now

pytestmark = pytest.mark.django_db


def login(client: Client, user: User) -> None:
    response = client.post("/staff/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("role", "platform_role", "required"),
    [
        (Role.HEAD, "", True),
        (Role.AGENCY_ADMIN, "", True),
        (Role.AUDITOR, "", True),
        (None, PlatformRole.SYSTEM_ADMIN, True),
        (None, PlatformRole.SECURITY_ADMIN, True),
        (None, PlatformRole.AUDITOR, True),
        (Role.HANDLER, "", False),
        (Role.REVIEWER, "", False),
        (Role.SUPERVISOR, "", False),
        (None, "", False),
    ],
)
def test_who_must_use_a_second_factor(role: Role | None, platform_role: str, required: bool) -> None:
    user = make_staff(make_agency() if role else None, role, platform_role=platform_role, otp=False)
    assert otp_required(user) is required
    client = Client()
    login(client, user)
    response = client.get("/staff/cases/")
    if required:
        assert response.status_code == 302
        assert response["Location"] == "/staff/2fa/setup/?next=/staff/cases/"
    else:
        assert response.status_code == 200


def test_public_users_have_no_second_factor() -> None:
    assert not otp_required(make_public())


def test_enrolment_shows_the_secret_and_a_served_qr_code_and_needs_a_right_code() -> None:
    head = make_staff(make_agency(), Role.HEAD, otp=False)
    client = Client()
    login(client, head)
    page = client.get("/staff/2fa/setup/?next=/staff/cases/")
    body = page.content.decode()
    assert page.status_code == 200
    secret = re.search(r'id="otp-secret"[^>]*>([A-Z2-7]+)<', body)
    assert secret is not None
    assert 'src="/staff/2fa/setup/qr.svg"' in body
    qr = client.get("/staff/2fa/setup/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr["Cache-Control"] == "no-store"
    assert qr.content.lstrip().startswith(b"<?xml")
    assert b"<svg" in qr.content
    # Reloading keeps the same secret until it is confirmed (the QR and the text always agree).
    assert secret.group(1) in client.get("/staff/2fa/setup/").content.decode()

    wrong = client.post("/staff/2fa/setup/?next=/staff/cases/", {"token": "000000"})
    assert wrong.status_code == 200
    assert "验证码不正确" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=head, confirmed=True).exists()
    not_digits = client.post("/staff/2fa/setup/", {"token": "12ab"})
    assert "6位数字" in not_digits.content.decode()

    TOTPDevice.objects.filter(user=head).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    done = client.post("/staff/2fa/setup/?next=/staff/cases/", {"token": app_code(secret.group(1))})
    assert done.status_code == 302
    assert done["Location"] == "/staff/cases/"
    assert client.get("/staff/cases/").status_code == 200  # the session is verified by the enrolment
    assert TOTPDevice.objects.filter(user=head, confirmed=True).count() == 1
    assert AuditEvent.objects.filter(action="auth.otp_enrol", actor_id=head.pk, success=True).exists()
    assert AuditEvent.objects.filter(action="auth.otp_enrol", actor_id=head.pk, success=False).exists()


def test_sign_in_with_a_device_asks_for_the_code_before_any_staff_page() -> None:
    head = make_staff(make_agency(), Role.HEAD)
    client = Client()
    login(client, head)
    for path in ("/staff/", "/staff/cases/", "/staff/password/", "/staff/2fa/setup/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/staff/2fa/verify/")
    wrong = client.post("/staff/2fa/verify/?next=/staff/cases/", {"token": "123456"})
    assert wrong.status_code == 200
    assert "验证码不正确" in wrong.content.decode()
    assert AuditEvent.objects.filter(action="auth.otp_failed", actor_id=head.pk, success=False).exists()
    # django-otp slows down guessing: right after a wrong code even the right one waits.
    throttled = client.post("/staff/2fa/verify/", {"token": totp_now(head)})
    assert "错误次数过多" in throttled.content.decode()
    TOTPDevice.objects.filter(user=head).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    ok = client.post("/staff/2fa/verify/?next=/staff/cases/", {"token": totp_now(head)})
    assert ok.status_code == 302
    assert ok["Location"] == "/staff/cases/"
    assert client.get("/staff/").status_code == 200


def test_a_code_is_good_once() -> None:
    handler = make_staff(make_agency(), Role.HANDLER)
    device = TOTPDevice.objects.get(user=handler)
    code = totp_for(device)
    first = Client()
    login(first, handler)
    assert first.post("/staff/2fa/verify/", {"token": code}).status_code == 302
    second = Client()
    login(second, handler)
    replay = second.post("/staff/2fa/verify/", {"token": code})
    assert replay.status_code == 200
    assert "已使用过" in replay.content.decode()


def test_verify_never_redirects_off_site() -> None:
    handler = make_staff(make_agency(), Role.HANDLER)
    client = Client()
    login(client, handler)
    response = client.post("/staff/2fa/verify/?next=https://evil.example/", {"token": totp_now(handler)})
    assert response["Location"] == "/staff/"


def test_optional_staff_may_enrol_and_are_then_asked_for_the_code() -> None:
    handler = make_staff(make_agency(), Role.HANDLER, otp=False)
    client = Client()
    login(client, handler)
    assert client.get("/staff/").status_code == 200
    page = client.get("/staff/2fa/setup/").content.decode()
    secret = re.search(r'id="otp-secret"[^>]*>([A-Z2-7]+)<', page)
    assert secret is not None
    assert client.post("/staff/2fa/setup/", {"token": app_code(secret.group(1))}).status_code == 302
    again = Client()
    login(again, handler)
    assert again.get("/staff/")["Location"].startswith("/staff/2fa/verify/")


def test_security_admin_resets_a_lost_device_and_the_owner_enrols_again() -> None:
    head = make_staff(make_agency(), Role.HEAD)
    security = make_staff(platform_role=PlatformRole.SECURITY_ADMIN)
    admin = Client()
    admin.force_login(security)
    response = admin.post("/staff/security/otp-reset/", {"reset-username": head.username})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=head).exists()
    event = AuditEvent.objects.get(action="auth.otp_reset")
    assert event.actor_id == security.pk
    assert event.object_id == str(head.pk)
    client = Client()
    login(client, head)
    assert client.get("/staff/")["Location"].startswith("/staff/2fa/setup/")
    # Not one's own device: that takes a second 安全管理员 (the reset is the way around the factor).
    own = admin.post("/staff/security/otp-reset/", {"reset-username": security.username}, follow=True)
    assert "不能重置自己的双因素认证" in own.content.decode()
    assert TOTPDevice.objects.filter(user=security).exists()


@pytest.mark.parametrize("platform_role", [PlatformRole.SYSTEM_ADMIN, PlatformRole.AUDITOR])
def test_only_the_security_admin_resets_or_unlocks(platform_role: str) -> None:
    head = make_staff(make_agency(), Role.HEAD)
    other = Client()
    other.force_login(make_staff(platform_role=platform_role))
    assert other.get("/staff/security/").status_code == 404
    assert other.post("/staff/security/otp-reset/", {"reset-username": head.username}).status_code == 404
    assert other.post("/staff/security/unlock/", {"unlock-username": head.username}).status_code == 404
    assert TOTPDevice.objects.filter(user=head).exists()


def _api(key: str) -> Any:
    return Client().get("/api/staff/cases/", HTTP_AUTHORIZATION=f"Token {key}")


def test_an_api_token_waits_until_its_account_has_the_second_factor_its_role_requires(settings: Any) -> None:
    # The JSON API authenticates with tokens (gongkai/api/authentication.py), not sessions: no code is asked per
    # request, but a token is no way round the rule that a 负责人 has a second factor.
    head = make_staff(make_agency(), Role.HEAD, otp=False)
    _token, key = token_create(user=head, name="测试")
    refused = _api(key)
    assert refused.status_code == 401
    assert "双因素认证" in refused.json()["detail"]
    TOTPDevice.objects.create(user=head, name="身份验证器", confirmed=False)
    assert _api(key).status_code == 401
    TOTPDevice.objects.filter(user=head).update(confirmed=True)
    assert _api(key).status_code == 200


def test_an_api_token_of_an_optional_second_factor_role_works_without_one(settings: Any) -> None:
    handler = make_staff(make_agency(), Role.HANDLER, otp=False)
    _token, key = token_create(user=handler, name="测试")
    assert _api(key).status_code == 200


def test_an_api_token_waits_until_an_initial_password_is_replaced(settings: Any) -> None:
    handler = make_staff(make_agency(), Role.HANDLER, must_change_password=True)
    _token, key = token_create(user=handler, name="测试")
    refused = _api(key)
    assert refused.status_code == 401
    assert "修改初始密码" in refused.json()["detail"]
    handler.must_change_password = False
    handler.save(update_fields=["must_change_password"])
    assert _api(key).status_code == 200
