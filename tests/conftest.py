from __future__ import annotations

import pytest
from django.core.cache import caches


@pytest.fixture(autouse=True)
def _empty_caches() -> None:
    """The portal's page cache and the API throttles live in the default cache: each test starts without them (a test
    that freezes the clock could otherwise meet another test's cached page under the same catalogue version)."""
    for cache in caches.all(initialized_only=True):
        cache.clear()
