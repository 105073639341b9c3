"""``{% clock_calendar_warning as warning %}``: the missing-year warning for the user of the request, or None."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from gongkai.clock.selectors import calendar_warning_for

register = template.Library()


@register.simple_tag(takes_context=True)
def clock_calendar_warning(context: dict[str, Any]) -> str | None:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return calendar_warning_for(user, timezone.localdate())
