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
from gongkai.accounts.otp import confirmed_device, otp_required
from gongkai.api.models import PREFIX_LENGTH, ApiToken
from gongkai.api.services import hash_key

KEYWORD = "Token"
_INVALID = "接口令牌无效、已过期或已吊销"
# A token is a second credential of an account, not a way round the account's own rules (等保 8.1.4.1 a, d): until its
# owner has replaced a password someone else chose and, where the role requires one, enrolled a second factor on the
# website, the account is not finished and its tokens wait. The key was right, so saying why tells an outsider nothing.
_REPLACE_INITIAL_FIRST = "该账号须先登录网站修改初始密码，接口令牌暂不可用"
_OTP_FIRST = "该账号的角色须使用双因素认证，请先登录网站启用身份验证器，接口令牌暂不可用"
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
        if token.user.must_change_password:
            raise exceptions.AuthenticationFailed(_REPLACE_INITIAL_FIRST)
        if otp_required(token.user) and confirmed_device(token.user) is None:
            raise exceptions.AuthenticationFailed(_OTP_FIRST)
        if token.last_used_at is None or now - token.last_used_at >= _TOUCH_INTERVAL:
            ApiToken.objects.filter(pk=token.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - _TOUCH_INTERVAL)
            ).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD
