"""Login-failure handling (等保 8.1.4.1 b: 登录失败处理 — lock after repeated failures, then a cool-off) with django-axes.

Axes counts failed sign-ins per user name (an agency's staff often share one outgoing address, so counting per address
would let one person's typos lock out a whole office) and refuses further attempts for GONGKAI_LOCKOUT_COOLOFF_MINUTES
once GONGKAI_LOCKOUT_FAILURES consecutive attempts have failed. A 安全管理员 can lift a lock early
(``gongkai.accounts.services.lockout_clear``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (
        f"登录失败次数过多（连续 {settings.AXES_FAILURE_LIMIT} 次），该账号已被暂时锁定，"
        f"请在 {minutes} 分钟后再试，或联系安全管理员解锁。"
    )


def client_ip(request: HttpRequest) -> str:
    """The address attempts are recorded under: REMOTE_ADDR, or — only when GONGKAI_BEHIND_PROXY says a proxy sits in
    front — the last X-Forwarded-For hop, the one that proxy appended. Never a hop the client could have written."""
    if settings.BEHIND_PROXY:
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return str(request.META.get("REMOTE_ADDR") or "")


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """The login page again, with the lock explained in Chinese, status 429."""
    staff = request.path.startswith("/staff/")
    form = AuthenticationForm(request, initial={"username": (credentials or {}).get("username", "")})
    form.fields["username"].label = "用户名"
    form.fields["password"].label = "密码"
    return render(
        request,
        "staff/login.html" if staff else "accounts/login.html",
        {"form": form, "lockout_message": lockout_message(), "next": request.POST.get("next", "")},
        status=429,
    )


class LockoutBackend(AxesStandaloneBackend):  # type: ignore[misc]  # axes ships no type information
    """Axes' check, for sign-ins that come with a request (every login page does).

    Without a request there is no client to count against: the test client's ``login`` and internal calls. Those are
    not a way in from outside — every HTTP login path goes through an AuthenticationForm, which passes the request.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        if request is None:
            return None
        super().authenticate(request, username=username, password=password, **kwargs)
        return None


def cooloff() -> dt.timedelta:
    value: dt.timedelta = settings.AXES_COOLOFF_TIME
    return value
