"""Signed tracking links: an applicant who follows the link from an email sees the case without typing the check.

The token is ``TimestampSigner(salt="gongkai.track").sign(code)`` and is honoured for 30 days; the case page then
remembers the case in the session and drops the token from the address (so it does not leak through Referer).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.urls import reverse

from gongkai.cases.models import Case

__all__ = ["TRACKING_LINK_MAX_AGE", "tracking_link", "tracking_link_token", "tracking_token_valid"]

TRACKING_LINK_MAX_AGE = dt.timedelta(days=30)
_SALT = "gongkai.track"


def tracking_link_token(case: Case) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(case.tracking_code)


def tracking_link(case: Case, *, absolute: bool = True) -> str:
    """The case page with its token, e.g. for the applicant's emails (absolute with ``GONGKAI_SITE_URL``)."""
    base = str(getattr(settings, "GONGKAI_SITE_URL", "") or "").rstrip("/") if absolute else ""
    path = reverse("apply:case", args=[case.tracking_code])
    return f"{base}{path}?t={tracking_link_token(case)}"


def tracking_token_valid(code: str, token: str) -> bool:
    try:
        signed_code = signing.TimestampSigner(salt=_SALT).unsign(token, max_age=TRACKING_LINK_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return False
    return bool(code) and signed_code == code
