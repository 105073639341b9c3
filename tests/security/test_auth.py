"""Sign-in hardening (等保 8.1.4.1): lockout with a cool-off, password profiles, forced changes, session limits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.utils import timezone

from gongkai.accounts.lockout import client_ip
from gongkai.accounts.models import User
from gongkai.accounts.passwords import password_expired, validators_for
from gongkai.accounts.roles import PlatformRole, Role
from gongkai.accounts.services import applicant_register, staff_create
from gongkai.audit.models import AuditEvent
from tests.factories import PASSWORD, make_agency, make_public, make_staff

pytestmark = pytest.mark.django_db

NOW = "2026-11-27 10:00 +0800"


def staff_login(client: Client, username: str, password: str, **extra: Any) -> Any:
    return client.post("/staff/login/", {"username": username, "password": password}, **extra)


# --- Lockout (django-axes) ------------------------------------------------------------------------------------------


def test_lockout_after_the_limit_then_the_cool_off_lifts_it(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    user = make_staff(make_agency(), Role.HANDLER)
    client = Client()
    with time_machine.travel(NOW, tick=False) as clock:
        for _ in range(2):
            response = staff_login(client, user.username, "wrong-password")
            assert response.status_code == 200
            assert "用户名或密码不正确" in response.content.decode()
        third = staff_login(client, user.username, "wrong-password")
        assert third.status_code == 429
        assert "登录失败次数过多" in third.content.decode()
        # Locked: even the right password is refused, with the lock explained in Chinese, and no session is made.
        locked = staff_login(client, user.username, PASSWORD)
        assert locked.status_code == 429
        body = locked.content.decode()
        assert "账号已被暂时锁定" in body
        assert "30 分钟后再试" in body
        assert "_auth_user_id" not in client.session
        assert AuditEvent.objects.filter(action="auth.lockout", success=False).exists()

        clock.shift(dt.timedelta(minutes=29))
        assert staff_login(client, user.username, PASSWORD).status_code == 429
        clock.shift(dt.timedelta(minutes=2))
        response = staff_login(client, user.username, PASSWORD)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(user.pk)


def test_success_resets_the_count(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    user = make_staff()
    client = Client()
    for _ in range(2):
        staff_login(client, user.username, "wrong-password")
    assert staff_login(client, user.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        assert staff_login(Client(), user.username, "wrong-password").status_code == 200
    assert staff_login(Client(), user.username, PASSWORD).status_code == 302


def test_public_login_locks_too(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    user = make_public()
    client = Client()
    client.post("/account/login/", {"username": user.username, "password": "nope"})
    response = client.post("/account/login/", {"username": user.username, "password": "nope"})
    assert response.status_code == 429
    assert "公众用户登录" in response.content.decode()
    response = client.post("/account/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_the_lock_is_per_user_name_not_per_address(settings: Any) -> None:
    # Colleagues behind one agency proxy share an address: one person's lock must not lock the others.
    settings.AXES_FAILURE_LIMIT = 2
    alice, bob = make_staff(), make_staff()
    for _ in range(2):
        staff_login(Client(), alice.username, "wrong", REMOTE_ADDR="10.1.1.1")
    assert staff_login(Client(), alice.username, PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 429
    assert staff_login(Client(), bob.username, PASSWORD, REMOTE_ADDR="10.1.1.1").status_code == 302


def test_audit_rows_of_failed_sign_ins_keep_account_names_but_not_other_typed_text(settings: Any) -> None:
    # A password typed into the name field must not land in the append-only audit log.
    settings.AXES_FAILURE_LIMIT = 2
    user = make_staff()
    typo = "Zhanhe#2026secret"
    staff_login(Client(), user.username, "wrong")
    for _ in range(3):  # the second is the lockout, the third is refused while locked
        staff_login(Client(), typo, "wrong")
    staff_login(Client(), "另一段" + typo, "wrong")
    rows = AuditEvent.objects.filter(action__in=["auth.login_failed", "auth.lockout"]).order_by("seq")
    labels = [(row.action, row.actor_label) for row in rows]
    assert labels[0] == ("auth.login_failed", f"（尝试）{user.username}")
    assert all(typo not in label for _action, label in labels)
    unknown = {label for _action, label in labels[1:]}
    assert len(unknown) == 2  # the same text gives the same name, other text another
    assert all(label.startswith("（尝试）未知账号#") for label in unknown)
    assert ("auth.lockout", labels[1][1]) in labels


def test_client_address_from_the_proxy_only_when_configured(settings: Any) -> None:
    request = RequestFactory().post(
        "/staff/login/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )
    settings.BEHIND_PROXY = False
    assert client_ip(request) == "127.0.0.1"
    settings.BEHIND_PROXY = True
    assert client_ip(request) == "203.0.113.7"  # the hop our proxy appended, not the one the client wrote
    bare = RequestFactory().post("/staff/login/", REMOTE_ADDR="127.0.0.1")
    assert client_ip(bare) == "127.0.0.1"


def test_failures_are_recorded_with_the_proxied_address(settings: Any) -> None:
    settings.BEHIND_PROXY = True
    user = make_staff()
    staff_login(Client(), user.username, "wrong", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")
    failure = AccessFailureLog.objects.get(username=user.username)
    assert failure.ip_address == "198.51.100.9"
    assert AccessAttempt.objects.get(username=user.username).failures_since_start == 1


def test_security_admin_lifts_a_lock_and_it_is_audited(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    user = make_staff()
    for _ in range(2):
        staff_login(Client(), user.username, "wrong")
    assert staff_login(Client(), user.username, PASSWORD).status_code == 429
    security = make_staff(platform_role=PlatformRole.SECURITY_ADMIN)
    admin_client = Client()
    admin_client.force_login(security)
    page = admin_client.get("/staff/security/")
    assert page.status_code == 200
    assert user.username in page.content.decode()
    assert "已锁定" in page.content.decode()
    response = admin_client.post("/staff/security/unlock/", {"unlock-username": user.username})
    assert response.status_code == 302
    assert staff_login(Client(), user.username, PASSWORD).status_code == 302
    event = AuditEvent.objects.get(action="auth.unlock")
    assert event.actor_id == security.pk
    assert user.username in event.detail


# --- Password profiles ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1!xyz", "至少需要 8 个字符"),
        ("abcdefgh12", "至少 3 类"),
        ("ABCDEFGH!!", "至少 3 类"),
        ("Password1", "过于常见"),  # Django's list holds "password1"; the check ignores case
        ("Qwer@1234", "过于常见"),  # the Chinese supplement
        ("Wangxiaoming1", "过于相似"),
    ],
)
def test_dengbao_profile_refuses_in_chinese(settings: Any, password: str, message: str) -> None:
    settings.AUTH_PASSWORD_VALIDATORS = validators_for("dengbao")
    user = User(username="wangxiaoming", full_name="王小明", email="wxm@example.com", kind="staff")
    with pytest.raises(ValidationError) as error:
        validate_password(password, user)
    assert any(message in text for text in error.value.messages), error.value.messages


def test_dengbao_profile_accepts_a_good_password(settings: Any) -> None:
    settings.AUTH_PASSWORD_VALIDATORS = validators_for("dengbao")
    validate_password("Hetang-7yue", User(username="zhaomin", kind="staff"))


def test_asvs_profile_length_and_breached_list_without_composition_rules(settings: Any) -> None:
    settings.AUTH_PASSWORD_VALIDATORS = validators_for("asvs")
    user = User(username="zhaomin", kind="staff")
    validate_password("correct horse battery staple", user)  # one class only: fine under ASVS
    with pytest.raises(ValidationError, match="至少需要 12 个字符"):
        validate_password("Ab1!Ab1!Ab1", user)
    with pytest.raises(ValidationError, match="过于常见"):
        validate_password("1qaz2wsx3edc", user)


def test_settings_build_the_validators_from_the_profile(settings: Any) -> None:
    names = [v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert settings.GONGKAI_PASSWORD_PROFILE == "dengbao"
    assert "CharacterClassesValidator" in names
    assert settings.GONGKAI_PASSWORD_MAX_AGE_DAYS == 90


def test_dengbao_forces_a_change_of_an_expired_password_at_sign_in(settings: Any) -> None:
    settings.GONGKAI_PASSWORD_MAX_AGE_DAYS = 90
    user = make_staff(otp=False)  # a 经办人 without a second factor: the password step alone
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=91))
    user.refresh_from_db()
    assert password_expired(user)
    client = Client()
    assert staff_login(client, user.username, PASSWORD).status_code == 302
    response = client.get("/staff/cases/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/password/?next=/staff/cases/"
    assert AuditEvent.objects.filter(action="auth.password_expired", actor_id=user.pk).exists()
    changed = client.post(
        "/staff/password/?next=/staff/cases/",
        {"old_password": PASSWORD, "new_password1": "Xin-mima-2026", "new_password2": "Xin-mima-2026"},
    )
    assert changed.status_code == 302
    assert changed["Location"] == "/staff/cases/"  # onwards to the page that was asked for
    assert client.get("/staff/cases/").status_code == 200
    user.refresh_from_db()
    assert not user.must_change_password
    assert not password_expired(user)


def test_asvs_never_forces_rotation(settings: Any) -> None:
    settings.GONGKAI_PASSWORD_MAX_AGE_DAYS = 0
    user = make_staff(otp=False)
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=3650))
    client = Client()
    staff_login(client, user.username, PASSWORD)
    assert client.get("/staff/").status_code == 200


# --- Initial passwords ----------------------------------------------------------------------------------------------


def test_an_account_created_by_an_administrator_changes_its_password_before_anything_else() -> None:
    agency = make_agency()
    user = staff_create(actor=None, username="xinren", password="Chushi-mima-1", full_name="新人")
    assert user.must_change_password
    from gongkai.accounts.services import membership_grant

    membership_grant(actor=None, user=user, agency=agency, role=Role.HANDLER)
    client = Client()
    assert staff_login(client, "xinren", "Chushi-mima-1").status_code == 302
    for path in ("/staff/", "/staff/cases/", f"/staff/agencies/{agency.pk}/", "/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/staff/password/")
    page = client.get("/staff/password/")
    assert "初始密码" in page.content.decode()
    # Refused changes say why, in Chinese, and change nothing.
    same = client.post(
        "/staff/password/",
        {"old_password": "Chushi-mima-1", "new_password1": "Chushi-mima-1", "new_password2": "Chushi-mima-1"},
    )
    assert "新密码不能与当前密码相同" in same.content.decode()
    wrong_old = client.post(
        "/staff/password/", {"old_password": "x", "new_password1": "Xin-mima-2026", "new_password2": "Xin-mima-2026"}
    )
    assert "当前密码不正确" in wrong_old.content.decode()
    user.refresh_from_db()
    assert user.must_change_password
    done = client.post(
        "/staff/password/",
        {"old_password": "Chushi-mima-1", "new_password1": "Xin-mima-2026", "new_password2": "Xin-mima-2026"},
    )
    assert done.status_code == 302
    assert client.get("/staff/").status_code == 200  # the session survived the change
    user.refresh_from_db()
    assert not user.must_change_password
    assert user.check_password("Xin-mima-2026")
    assert AuditEvent.objects.filter(action="auth.password_change", actor_id=user.pk).count() == 1


def test_demo_style_public_account_changes_its_password_first() -> None:
    user = applicant_register(
        username="demo-applicant",
        password="Gongkai-demo-2024",
        full_name="演示",
        email="d@example.com",
        validate=False,
        must_change_password=True,
    )
    client = Client()
    assert (
        client.post("/account/login/", {"username": user.username, "password": "Gongkai-demo-2024"}).status_code == 302
    )
    response = client.get("/account/")
    assert response["Location"].startswith("/account/password/")
    done = client.post(
        "/account/password/",
        {"old_password": "Gongkai-demo-2024", "new_password1": "Wode-xinmima-9", "new_password2": "Wode-xinmima-9"},
    )
    assert done["Location"] == "/account/"
    assert client.get("/account/").status_code == 200


def test_self_registered_applicants_keep_their_own_password() -> None:
    user = applicant_register(username="ziji", password="Ziji-xuanze-88", full_name="自己", email="z@example.com")
    assert not user.must_change_password


# --- Session limits -------------------------------------------------------------------------------------------------


def test_idle_session_is_signed_out(settings: Any) -> None:
    settings.GONGKAI_SESSION_IDLE_SECONDS = 30 * 60
    user = make_staff(make_agency(), Role.HANDLER)
    client = Client()
    with time_machine.travel(NOW, tick=False) as clock:
        client.force_login(user)
        assert client.get("/staff/").status_code == 200
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/staff/").status_code == 200  # activity restarts the idle clock
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/staff/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        response = client.get("/staff/")
        assert response.status_code == 302
        assert response["Location"].startswith("/staff/login/")
        assert "_auth_user_id" not in client.session
        login_page = client.get(response["Location"])
        assert "未操作，已自动退出登录" in login_page.content.decode()


def test_absolute_lifetime_ends_even_an_active_session(settings: Any) -> None:
    settings.GONGKAI_SESSION_IDLE_SECONDS = 30 * 60
    settings.GONGKAI_SESSION_MAX_SECONDS = 8 * 3600
    user = make_staff()
    client = Client()
    with time_machine.travel(NOW, tick=False) as clock:
        client.force_login(user)
        for _ in range(19):  # a request every 25 minutes: never idle, 7 h 55 min in all
            clock.shift(dt.timedelta(minutes=25))
            assert client.get("/staff/").status_code == 200
        clock.shift(dt.timedelta(minutes=10))  # 8 h 5 min after sign-in
        assert client.get("/staff/").status_code == 302
        assert "_auth_user_id" not in client.session


def test_session_cookie_lives_no_longer_than_the_absolute_limit(settings: Any) -> None:
    assert settings.SESSION_COOKIE_AGE == settings.GONGKAI_SESSION_MAX_SECONDS == 8 * 3600
    assert settings.GONGKAI_SESSION_IDLE_SECONDS == 30 * 60


# --- No default accounts in production ------------------------------------------------------------------------------


def test_staff_create_refuses_an_unknown_platform_role() -> None:
    with pytest.raises(ValidationError) as error:
        staff_create(actor=None, username="x1", password="Long-enough-1", full_name="x", platform_role="root")
    assert "platform_role" in error.value.message_dict
