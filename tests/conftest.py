from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fresh_access_cache() -> None:
    """Each test starts with fresh user objects anyway; nothing to reset globally yet."""
