"""``Authorization: Token <key>`` for staff API clients."""

from __future__ import annotations

import datetime as dt
import hmac

from django.db.models import Q
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from gongkai.accounts.access import is_staff_user
from gongkai.accounts.models import User
from gongkai.api.models import PREFIX_LENGTH, ApiToken
from gongkai.api.services import hash_key, token_waits_for

KEYWORD = "Token"
_INVALID = "接口令牌无效、已过期或已吊销"
# last_used_at is informative; writing it on every request would turn each read into a write.
_TOUCH_INTERVAL = dt.timedelta(minutes=1)


class TokenAuthentication(authentication.BaseAuthentication):
    """One active, unexpired, unrevoked token of an active staff account whose sign-in setup is complete. Every
    refusal of the key itself reads the same."""

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Authorization 头格式应为“Token <令牌>”")
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_INVALID) from None
        return self._check(key)

    def _check(self, key: str) -> tuple[User, ApiToken]:
        now = timezone.now()
        digest = hash_key(key)
        token = ApiToken.objects.select_related("user").filter(prefix=key[:PREFIX_LENGTH]).first()
        # Compare even when no row matched, so that timing does not tell a known prefix from an unknown one.
        stored = token.key_hash if token is not None else "0" * 64
        if not hmac.compare_digest(digest, stored) or token is None or not token.is_active(now):
            raise exceptions.AuthenticationFailed(_INVALID)
        if not is_staff_user(token.user):
            raise exceptions.AuthenticationFailed(_INVALID)
        waits_for = token_waits_for(token.user)
        if waits_for:
            # The key was right, so saying why tells an outsider nothing.
            raise exceptions.AuthenticationFailed(waits_for)
        if token.last_used_at is None or now - token.last_used_at >= _TOUCH_INTERVAL:
            ApiToken.objects.filter(pk=token.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - _TOUCH_INTERVAL)
            ).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD
