"""What both login pages do after the password step."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponse

from gongkai.accounts.passwords import password_expired
from gongkai.accounts.services import password_expire


class PasswordExpiryMixin:
    """Under the 等保 profile a password past its period is changed at this sign-in (8.1.4.1 a: 定期更换): the flag
    set here sends every next page to the change form (gongkai.accounts.middleware)."""

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response: HttpResponse = super().form_valid(form)  # type: ignore[misc]
        user: Any = form.get_user()
        if not user.must_change_password and password_expired(user):
            password_expire(user=user, request=self.request)  # type: ignore[attr-defined]
        return response
