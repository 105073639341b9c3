"""The fuzz world: one department under a government (tests/cases), a handler with an API token, throttles open."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cases.conftest import agency, government, handler  # noqa: F401


@pytest.fixture(autouse=True)
def _open_throttles(settings: Any) -> None:
    # The per-address limits would turn most inputs into 429s after the first few dozen: the point here is what the
    # views do with the input, so the limits are lifted (tests/api covers the throttles themselves).
    settings.GONGKAI_API_INTAKE_RATE = "1000000/s"
    settings.GONGKAI_API_TRACK_RATE = "1000000/s"
    settings.GONGKAI_SUBSCRIBE_PER_EMAIL_DAY = 1000000
