"""Signing a staff member in through the browser, with every step a person meets: the password, then the second
factor (the code is computed from the device's secret exactly as an authenticator app computes it), and — for an
account with an initial password — the forced change and the enrolment of an authenticator."""

from __future__ import annotations

import base64
import re
import time

from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from gongkai.accounts.models import User
from tests.factories import totp_now

AFTER_LOGIN = re.compile(r"/staff/(?!login/)")


def app_code(secret_base32: str) -> str:
    """What an authenticator app shows for ``secret_base32`` now (RFC 6238: SHA-1, 30 s, 6 digits)."""
    padded = secret_base32 + "=" * (-len(secret_base32) % 8)
    totp = TOTP(base64.b32decode(padded), step=30, t0=0, digits=6)
    totp.time = time.time()
    return f"{totp.token():06d}"


def fill_login(page: Page, username: str, password: str) -> None:
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def enter_code(page: Page, username: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("输入动态验证码")
    page.get_by_label("动态验证码").fill(totp_now(User.objects.get(username=username)))
    page.get_by_role("button", name="验证").click()


def change_password(page: Page, old: str, new: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("修改密码")
    page.get_by_label("当前密码").fill(old)
    page.get_by_label(re.compile(r"^新密码")).fill(new)
    page.get_by_label("再次输入新密码").fill(new)
    page.get_by_role("button", name="保存新密码").click()


def enrol_authenticator(page: Page) -> str:
    """Reads the secret off the enrolment page as a person typing it into an app would; returns it."""
    expect(page.get_by_role("heading", level=1)).to_have_text("绑定身份验证器")
    secret = page.locator("#otp-secret").inner_text().strip()
    page.get_by_label("动态验证码").fill(app_code(secret))
    page.get_by_role("button", name="完成绑定").click()
    return secret


def staff_sign_in(page: Page, username: str, password: str, *, new_password: str | None = None) -> None:
    """From the login page to the page the sign-in leads to, through whichever steps the account needs."""
    fill_login(page, username, password)
    page.wait_for_url(AFTER_LOGIN)
    for _ in range(3):
        path = page.url.split("://", 1)[-1].split("/", 1)[-1]
        if path.startswith("staff/2fa/verify/"):
            enter_code(page, username)
        elif path.startswith("staff/password/"):
            assert new_password, f"{username} must change the password: pass new_password"
            change_password(page, password, new_password)
        elif path.startswith("staff/2fa/setup/"):
            enrol_authenticator(page)
        else:
            return
        page.wait_for_load_state()
