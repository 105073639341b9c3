"""The fuzz world: one department under a government (tests/cases), a handler with an API token, the 投诉举报 world
(tests/rectification), and every brake lifted."""

from __future__ import annotations

from typing import Any

import pytest

from gongkai.ratelimit.services import RATE_SETTINGS
from tests.cases.conftest import agency, government, handler, head  # noqa: F401
from tests.rectification.conftest import world  # noqa: F401


@pytest.fixture(autouse=True)
def _open_throttles(settings: Any) -> None:
    """Lift every rate limit (per address, per applicant, per tracking code) and the application form's CAPTCHA
    threshold. Left on, they turn all but the first few dozen inputs of a run into a 429 or a CAPTCHA refusal (the
    counters persist across a property's examples, which share one database transaction): a 100,000-input run would
    measure the refusal page, not the form. The brakes themselves are tested in tests/security; the per-session
    brakes (tracking failures, subscriptions per session) are left on and each example that meets one starts a new
    session (``fresh_session``)."""
    for name in RATE_SETTINGS:
        setattr(settings, name, "off")
    settings.GONGKAI_APPLY_CAPTCHA_AFTER = 10**9
    settings.GONGKAI_SUBSCRIBE_PER_EMAIL_DAY = 10**9
