"""The client address, the Chinese 429 page, and a decorator that limits a view's POSTs per client address."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gongkai.ratelimit.services import Decision, rate_from_settings, rate_hit

__all__ = ["client_ip", "limit_posts", "retry_text", "too_many"]

View = TypeVar("View", bound=Callable[..., Any])


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR; behind a proxy (GONGKAI_BEHIND_PROXY) the last X-Forwarded-For hop, which that proxy appended —
    never an earlier hop, which the client wrote itself and could change per request. An IPv6 client is counted by
    its /64, since one machine holds a whole /64."""
    address = str(request.META.get("REMOTE_ADDR", "") or "")
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", "") or "")
        last = forwarded.split(",")[-1].strip()
        address = last or address
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64] or "unknown"
    if ip.version == 6 and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip.ipv4_mapped or ip) if ip.version == 6 else str(ip)


def retry_text(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds}秒"
    minutes = -(-seconds // 60)
    if minutes < 120:
        return f"{minutes}分钟"
    return f"{-(-minutes // 60)}小时"


def with_retry_after(response: HttpResponse, decision: Decision) -> HttpResponse:
    response["Retry-After"] = str(decision.retry_after)
    return response


def too_many(request: HttpRequest, decision: Decision, *, what: str) -> HttpResponse:
    """The Chinese 429 page: what was refused and when to try again (also in Retry-After, RFC 9110 §10.2.3)."""
    response = render(
        request,
        "ratelimit/too_many.html",
        {"what": what, "retry": retry_text(decision.retry_after)},
        status=429,
    )
    return with_retry_after(response, decision)


def limit_posts(scope: str, setting: str, *, what: str) -> Callable[[View], View]:
    """Count each POST per client address under ``scope`` against the rate in ``setting``; over it, the 429 page."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.method == "POST":
                decision = rate_hit(scope=scope, ident=client_ip(request), rate=rate_from_settings(setting))
                if not decision.allowed:
                    return too_many(request, decision, what=what)
            return view(request, *args, **kwargs)

        return cast(View, wrapper)

    return decorate
