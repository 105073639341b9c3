"""Sign-in and sign-out are security events (等保 8.1.4.3 安全审计): Django announces them, the audit log keeps them."""

from __future__ import annotations

import time
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from gongkai.accounts.services import attempted
from gongkai.audit.services import audit_record

# Session keys of the sign-in time and the last request (gongkai.accounts.middleware: idle and absolute limits).
AUTH_AT = "gongkai.auth_at"
SEEN_AT = "gongkai.seen_at"


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_record(action="auth.login", actor=user, request=request, detail=f"{user.get_kind_display()}登录")
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[AUTH_AT] = now
        request.session[SEEN_AT] = now


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(action="auth.logout", actor=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    audit_record(
        action="auth.login_failed",
        success=False,
        actor_label=attempted(str(credentials.get("username", ""))),
        request=request,
        detail="登录失败",
    )


@receiver(user_locked_out)
def _locked_out(sender: Any, request: HttpRequest | None = None, username: str | None = None, **kwargs: Any) -> None:
    audit_record(
        action="auth.lockout",
        success=False,
        actor_label=attempted(username or ""),
        request=request,
        detail="连续登录失败，账号暂时锁定",
    )
