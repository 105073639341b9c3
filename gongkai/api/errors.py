"""One error shape for the API: 400 ``{"errors": {field: [中文说明]}}``; everything else ``{"detail": "…"}``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


class Conflict(exceptions.APIException):
    """The action is not allowed in the case's current status; ``detail`` is the state machine's reason."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "该操作与案件当前状态不符"
    default_code = "conflict"


def service_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as the API's error mapping; a message not tied to a field is non_field_errors."""
    if hasattr(error, "error_dict"):
        return {
            (NON_FIELD if name in (None, "__all__") else str(name)): [str(m) for m in messages]
            for name, messages in error.message_dict.items()
        }
    return {NON_FIELD: [str(m) for m in error.messages]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(service_errors(exc))
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        detail = response.data
        response.data = {"errors": detail if isinstance(detail, dict) else {NON_FIELD: detail}}
    return response
