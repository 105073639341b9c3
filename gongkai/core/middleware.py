"""A database that is down or misconfigured gives the user one clear page (503), not a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger("gongkai.db")


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OperationalError | InterfaceError) or (
            isinstance(exception, DatabaseError) and "disk" in str(exception).lower()
        ):
            logger.error("database unavailable: %s", str(exception).splitlines()[0] if str(exception) else exception)
            html = render_to_string("core/db_unavailable.html", request=None)
            return HttpResponse(html, status=503, headers={"Retry-After": "30"})
        return None
