"""Password policy as a per-deployment profile (GONGKAI_PASSWORD_PROFILE).

- ``dengbao`` (等保 2.0, GB/T 22239-2019 8.1.4.1 a: 口令应有复杂度要求并定期更换): at least 8 characters from at
  least 3 of the 4 classes (upper case, lower case, digits, symbols), changed every 90 days — enforced at sign-in by a
  forced change.
- ``asvs`` (OWASP ASVS 5.0, V6.2): at least 12 characters, no composition rules, no forced rotation, checked against
  a list of breached/common passwords.

Both profiles refuse passwords close to the account's own names and the common-password lists. The validators are
Django password validators (AUTH_PASSWORD_VALIDATORS is built from the profile in config/settings.py) with Chinese
messages whatever the active language.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone

PROFILES = ("dengbao", "asvs")
# Passwords common in Chinese leaks that Django's 20,000-entry list (drawn mostly from English-language leaks) lacks.
ZH_COMMON_PASSWORDS = Path(__file__).resolve().parent / "common_passwords_zh.txt"


def validators_for(profile: str) -> list[dict[str, Any]]:
    """The AUTH_PASSWORD_VALIDATORS of ``profile``."""
    base = "gongkai.accounts.passwords."
    common = [
        {"NAME": base + "SimilarityValidator"},
        {"NAME": base + "CommonPasswordValidator"},
    ]
    if profile == "asvs":
        return [{"NAME": base + "LengthValidator", "OPTIONS": {"min_length": 12}}, *common]
    return [
        {"NAME": base + "LengthValidator", "OPTIONS": {"min_length": 8}},
        {"NAME": base + "CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
        *common,
    ]


def max_age() -> dt.timedelta | None:
    """How long a password stays valid under this deployment's profile; None: no forced rotation."""
    days: int = getattr(settings, "GONGKAI_PASSWORD_MAX_AGE_DAYS", 0)
    return dt.timedelta(days=days) if days else None


def password_expired(user: Any, now: dt.datetime | None = None) -> bool:
    age = max_age()
    if age is None or not user.has_usable_password():
        return False
    changed = user.password_changed_at or user.date_joined
    return bool((now or timezone.now()) - changed >= age)


def policy_text() -> list[str]:
    """The rules of this deployment, for the forms' help text."""
    texts: list[str] = []
    for validator in password_validation.get_default_password_validators():
        text = validator.get_help_text()
        if text:
            texts.append(str(text))
    age = max_age()
    if age is not None:
        texts.append(f"密码有效期为 {age.days} 天，到期后登录时须修改。")
    return texts


class LengthValidator:
    def __init__(self, min_length: int = 8) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(f"密码太短，至少需要 {self.min_length} 个字符。", code="password_too_short")

    def get_help_text(self) -> str:
        return f"密码至少 {self.min_length} 个字符。"


def character_classes(password: str) -> int:
    classes = (
        any(c.isupper() for c in password),
        any(c.islower() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    )
    return sum(classes)


class CharacterClassesValidator:
    """等保: 口令应有复杂度要求 — here, characters from at least ``min_classes`` of the four classes."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return f"须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。"


class SimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    DEFAULT_USER_ATTRIBUTES = ("username", "full_name", "email")

    def validate(self, password: str, user: Any = None) -> None:
        try:
            super().validate(password, user)
        except ValidationError:
            raise ValidationError("密码与用户名、姓名或电子邮箱过于相似。", code="password_too_similar") from None

    def get_help_text(self) -> str:
        return "不能与用户名、姓名或电子邮箱相似。"


@cache
def _zh_common() -> frozenset[str]:
    lines = ZH_COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    """Django's list of 20,000 passwords from public breaches, plus the Chinese supplement shipped beside this module.

    Both are files in the installed packages: no network at run time.
    """

    def validate(self, password: str, user: Any = None) -> None:
        folded = password.lower().strip()
        if folded in self.passwords or folded in _zh_common():
            raise ValidationError("该密码过于常见（出现在已泄露密码列表中），请换一个。", code="password_too_common")

    def get_help_text(self) -> str:
        return "不能使用常见或已泄露的密码。"
