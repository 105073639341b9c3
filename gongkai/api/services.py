"""Issuing and revoking staff API tokens. The key exists in clear only in the return value of ``token_create``."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import string
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from gongkai.accounts.models import User, UserKind
from gongkai.accounts.otp import confirmed_device, otp_required
from gongkai.api.models import PREFIX_LENGTH, ApiToken
from gongkai.audit.services import audit_record

__all__ = ["hash_key", "token_create", "token_revoke", "token_waits_for"]

# Letters and digits only: a key never starts with "-" (it would read as an option on a command line) and survives
# copying from a terminal. 40 characters of 62 symbols ≈ 238 bits.
_ALPHABET = string.ascii_letters + string.digits
_KEY_LENGTH = 40
MAX_DAYS = 3650


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def token_waits_for(user: User) -> str:
    """Why ``user``'s tokens cannot be used yet, or "" when they can.

    A token is a second credential of an account, not a way round the account's own rules (等保 8.1.4.1 a, d): until its
    owner has replaced a password someone else chose and, where the role requires one, enrolled a second factor on the
    website, the account is not finished and its tokens wait.
    """
    if user.must_change_password:
        return "该账号须先登录网站修改初始密码，接口令牌暂不可用"
    if otp_required(user) and confirmed_device(user) is None:
        return "该账号的角色须使用双因素认证，请先登录网站启用身份验证器，接口令牌暂不可用"
    return ""


def _new_key() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(_KEY_LENGTH))


def token_create(
    *,
    user: User,
    name: str,
    days: int | None = None,
    actor: Any = None,
    request: HttpRequest | None = None,
) -> tuple[ApiToken, str]:
    """A new token for an active staff user; returns the row and the key, which is never stored."""
    if user.kind != UserKind.STAFF or not user.is_active:
        raise ValidationError({"user": "只能为在职的工作人员账号创建接口令牌"})
    name = name.strip()
    if not name:
        raise ValidationError({"name": "请填写令牌用途"})
    if len(name) > 100:
        raise ValidationError({"name": "令牌用途不能超过100个字"})
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": f"有效天数应为1至{MAX_DAYS}"})
    expires_at = timezone.now() + dt.timedelta(days=days) if days is not None else None
    with transaction.atomic():
        for _attempt in range(10):
            key = _new_key()
            if not ApiToken.objects.filter(prefix=key[:PREFIX_LENGTH]).exists():
                break
        token = ApiToken.objects.create(
            user=user, name=name, prefix=key[:PREFIX_LENGTH], key_hash=hash_key(key), expires_at=expires_at
        )
        audit_record(
            action="api.token_create",
            actor=actor,
            obj=token,
            after={"user": user.username, "name": name, "prefix": token.prefix, "expires_at": expires_at},
            detail=f"为 {user.username} 创建接口令牌 {token.prefix}",
            request=request,
            actor_label=None if actor is not None else "命令行",
        )
    return token, key


def token_revoke(*, prefix: str, actor: Any = None, request: HttpRequest | None = None) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().select_related("user").filter(prefix=prefix.strip()).first()
        if token is None:
            raise ValidationError({"prefix": f"没有前缀为“{prefix.strip()}”的接口令牌"})
        if token.revoked_at is not None:
            raise ValidationError(
                {"prefix": f"接口令牌 {token.prefix} 已于{timezone.localtime(token.revoked_at):%Y-%m-%d %H:%M}吊销"}
            )
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            action="api.token_revoke",
            actor=actor,
            obj=token,
            before={"revoked_at": None},
            after={"user": token.user.username, "prefix": token.prefix, "revoked_at": token.revoked_at},
            detail=f"吊销 {token.user.username} 的接口令牌 {token.prefix}",
            request=request,
            actor_label=None if actor is not None else "命令行",
        )
    return token
