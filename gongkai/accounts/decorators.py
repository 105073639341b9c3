from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from gongkai.accounts.access import is_staff_user
from gongkai.accounts.models import User, UserKind

View = Callable[..., HttpResponse]


def staff_required(view: View) -> View:
    """Staff pages: anyone who is not an active staff account is sent to the staff login page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_staff_user(request.user):
            return redirect_to_login(request.get_full_path(), reverse("staff:login"))
        return view(request, *args, **kwargs)

    wrapper.staff_view = True  # type: ignore[attr-defined]
    return wrapper


def public_user_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (user.is_authenticated and user.is_active and getattr(user, "kind", None) == UserKind.PUBLIC):
            return redirect_to_login(request.get_full_path(), reverse("account:login"))
        return view(request, *args, **kwargs)

    return wrapper


def staff_user(request: HttpRequest) -> User:
    """The signed-in staff user of a view wrapped by ``staff_required``."""
    user = request.user
    assert isinstance(user, User)
    assert user.kind == UserKind.STAFF
    return user
