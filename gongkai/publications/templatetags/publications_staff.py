"""``{% publications_home_counts as counts %}``: the 主动公开 box of the staff home page — 待审查, 待审批, 即将超期,
已超期 over the agencies the user of the request reads (None when they read none)."""

from __future__ import annotations

from typing import Any

from django import template

from gongkai.publications.views_staff import home_counts

register = template.Library()


@register.simple_tag(takes_context=True)
def publications_home_counts(context: dict[str, Any]) -> list[tuple[str, str, int]] | None:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return home_counts(user)
