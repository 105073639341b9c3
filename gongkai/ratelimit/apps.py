from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core import checks


class RateLimitConfig(AppConfig):
    name = "gongkai.ratelimit"
    label = "ratelimit"
    verbose_name = "访问频率限制"

    def ready(self) -> None:
        checks.register(check_rates, checks.Tags.security)


def check_rates(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A malformed rate setting fails ``manage.py check`` (and so startup under ``gongkai serve``), not a request."""
    from gongkai.ratelimit.services import RATE_SETTINGS, RateError, rate_from_settings

    problems: list[checks.CheckMessage] = []
    for name in RATE_SETTINGS:
        try:
            rate_from_settings(name)
        except RateError as error:
            problems.append(checks.Error(f"{name}：{error}", id="gongkai.ratelimit.E001"))
    return problems
