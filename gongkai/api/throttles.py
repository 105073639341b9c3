"""Per-address limits on the anonymous endpoints. The rate is read from settings on every request, so that a
deployment (and a test) can change it without reloading the class."""

from __future__ import annotations

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

TRACK_RATE = "60/hour"


class _AddressThrottle(SimpleRateThrottle):
    setting = ""
    fallback = ""

    def get_rate(self) -> str | None:
        return str(getattr(settings, self.setting, self.fallback) or self.fallback)

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class IntakeThrottle(_AddressThrottle):
    """Online applications per client address (GONGKAI_API_INTAKE_RATE, default 30/hour)."""

    scope = "api_intake"
    setting = "GONGKAI_API_INTAKE_RATE"
    fallback = "30/hour"


class TrackThrottle(_AddressThrottle):
    """Tracking look-ups per client address: the four phone digits are the only secret besides the code, so guessing
    them must be slow."""

    scope = "api_track"
    setting = "GONGKAI_API_TRACK_RATE"
    fallback = TRACK_RATE
