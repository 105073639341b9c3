"""Limits on the anonymous endpoints, counted in the shared store of gongkai.ratelimit (the database, or Redis when
GONGKAI_REDIS_URL is set), so that every worker process counts together. The rate is read from settings on every
request, so that a deployment (and a test) can change it without reloading the class."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from gongkai.ratelimit.http import client_ip
from gongkai.ratelimit.services import Decision, rate_from_settings, rate_hit


class _AddressThrottle(BaseThrottle):
    scope = ""
    setting = ""

    def allow_request(self, request: Request, view: APIView) -> bool:
        self.decision: Decision = rate_hit(
            scope=self.scope, ident=client_ip(request._request), rate=rate_from_settings(self.setting)
        )
        return self.decision.allowed

    def wait(self) -> float | None:
        # DRF puts this into Retry-After and the Chinese detail ("请求已被限流。 预计 N 秒后可用。").
        return float(self.decision.retry_after)


class IntakeThrottle(_AddressThrottle):
    """Online applications per client address (GONGKAI_API_INTAKE_RATE, default 30/hour)."""

    scope = "api_intake"
    setting = "GONGKAI_API_INTAKE_RATE"


class TrackThrottle(_AddressThrottle):
    """Tracking look-ups per client address: the four phone digits are the only secret besides the code, so guessing
    them must be slow."""

    scope = "api_track"
    setting = "GONGKAI_API_TRACK_RATE"
