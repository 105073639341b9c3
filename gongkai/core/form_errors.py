"""A service's ValidationError shown on a form and in the flash line — one helper for every back-office view."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

__all__ = ["error_text", "errors_to_form", "form_problem"]


def errors_to_form(form: Any, error: ValidationError) -> None:
    """Field messages on their fields (the services name them), the rest on top of the form."""
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            form.add_error(name if name in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


def error_text(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "；".join(m for problems in error.message_dict.values() for m in problems)
    return "；".join(error.messages)


def form_problem(form: Any) -> str:
    """The flash line for a refused form: its general errors in words, else a pointer to the marked fields."""
    general = [str(e) for e in form.non_field_errors()]
    return "；".join(general) if general else "请检查下方标出的内容。"
