"""Session rules every signed-in request passes, in this order:

1. Idle timeout and absolute lifetime (等保 8.1.4.1 b: 登录连接超时自动退出): a session unused for
   GONGKAI_SESSION_IDLE_MINUTES, or older than GONGKAI_SESSION_MAX_HOURS, is signed out.
2. Back office: a staff member with a confirmed second factor enters its code before any other staff page
   (8.1.4.1 d).
3. A password chosen by someone else (initial or reset) or past its period must be replaced before anything else.
4. Back office: a staff member whose role requires a second factor and who has none enrols one first.

Installed after AuthenticationMiddleware, django-otp's OTPMiddleware and MessageMiddleware. The JSON API is left
alone: it authenticates with tokens, not sessions.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from gongkai.accounts.models import UserKind
from gongkai.accounts.otp import confirmed_device, otp_required
from gongkai.accounts.signals import AUTH_AT, SEEN_AT

# The idle clock is written back at most this often, so that reading pages does not rewrite the session each time.
SEEN_RESOLUTION_SECONDS = 60


@cache
def _paths() -> dict[str, str]:
    names = (
        "staff:login",
        "staff:logout",
        "staff:password_change",
        "staff:otp_setup",
        "staff:otp_qr",
        "staff:otp_verify",
        "account:login",
        "account:logout",
        "account:password_change",
    )
    return {name: reverse(name) for name in names}


def _skipped(path: str) -> bool:
    return path.startswith((settings.STATIC_URL or "/static/", "/api/")) or path == "/favicon.ico"


class AccountSecurityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _skipped(request.path) and request.user.is_authenticated:
            self._session_limits(request)
            if request.user.is_authenticated:
                redirect = self._next_step(request)
                if redirect is not None:
                    return redirect
        return self.get_response(request)

    def _session_limits(self, request: HttpRequest) -> None:
        session = request.session
        now = time.time()
        auth_at = session.get(AUTH_AT)
        seen_at = session.get(SEEN_AT)
        idle = settings.GONGKAI_SESSION_IDLE_SECONDS
        lifetime = settings.GONGKAI_SESSION_MAX_SECONDS
        reason = ""
        if idle and seen_at is not None and now - float(seen_at) > idle:
            reason = f"超过 {idle // 60} 分钟未操作"
        elif lifetime and auth_at is not None and now - float(auth_at) > lifetime:
            reason = f"登录已超过 {lifetime // 3600} 小时"
        if reason:
            logout(request)
            messages.info(request, f"{reason}，已自动退出登录，请重新登录。")
            return
        if auth_at is None:
            session[AUTH_AT] = now
        if seen_at is None or now - float(seen_at) >= SEEN_RESOLUTION_SECONDS:
            session[SEEN_AT] = now

    def _next_step(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        paths = _paths()
        path = request.path
        staff = getattr(user, "kind", None) == UserKind.STAFF
        in_back_office = path.startswith("/staff/")
        logout_paths = {paths["staff:logout"], paths["account:logout"]}
        if path in logout_paths:
            return None
        # A verified session has a device already: only an unverified one costs the device lookup.
        check_otp = staff and in_back_office and not user.is_verified()  # type: ignore[union-attr]
        device = confirmed_device(user) if check_otp else None  # type: ignore[arg-type]
        if device is not None:
            return _go(request, paths["staff:otp_verify"])
        if getattr(user, "must_change_password", False):
            return _go(request, paths["staff:password_change" if staff else "account:password_change"])
        if check_otp and otp_required(user):
            if path == paths["staff:otp_qr"]:
                return None
            return _go(request, paths["staff:otp_setup"])
        return None


def _go(request: HttpRequest, target: str) -> HttpResponse | None:
    if request.path == target:
        return None
    query = ""
    if request.method == "GET" and request.path not in _paths().values():
        query = "?" + urlencode({"next": request.get_full_path()}, safe="/")
    return HttpResponseRedirect(target + query)


class SecurityHeadersMiddleware:
    """Headers Django has no setting for: Permissions-Policy (features the platform never uses)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.permissions_policy: str = getattr(settings, "GONGKAI_PERMISSIONS_POLICY", "")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.permissions_policy:
            response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        return response
