from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.signals import user_logged_in
from django.core.cache import caches
from django_otp import login as otp_login


def _second_factor_of_test_logins(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """``client.force_login(user)`` for a user made by ``tests.factories.make_staff`` (which enrols a TOTP device and
    sets ``user.otp_device``) signs in with both factors, as django-otp's OTP-aware login forms do. django-otp's own
    receiver cannot do it here: the test client's stand-in request carries no ``user``, which ``django_otp.login``
    reads. The session is marked exactly as ``django_otp.login`` marks it after a correct code."""
    device = getattr(user, "otp_device", None)
    if device is not None and request is not None and getattr(request, "user", None) is None:
        request.user = user
        otp_login(request, device)


user_logged_in.connect(_second_factor_of_test_logins, dispatch_uid="tests.second_factor_of_test_logins")


@pytest.fixture(autouse=True)
def _empty_caches() -> None:
    """The portal's page cache and the API throttles live in the default cache: each test starts without them (a test
    that freezes the clock could otherwise meet another test's cached page under the same catalogue version)."""
    for cache in caches.all(initialized_only=True):
        cache.clear()
