"""Every write to subscriptions: sign-up (mail on commit), confirmation, unsubscribing. Each writes an audit row with
the address masked; refusals are ``ValidationError`` with Chinese messages naming the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from gongkai.agencies.models import Agency
from gongkai.audit.services import audit_record
from gongkai.publications.codebook import Category
from gongkai.subscriptions import mail
from gongkai.subscriptions.models import Subscription
from gongkai.subscriptions.tokens import hash_token, new_token

__all__ = [
    "CONFIRM_VALID_FOR",
    "KEYWORD_MAX",
    "mask_email",
    "subscription_confirm",
    "subscription_create",
    "subscription_unsubscribe",
]

CONFIRM_VALID_FOR = dt.timedelta(days=7)
KEYWORD_MAX = 50
_ACTOR = "公众（订阅）"


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def _snapshot(subscription: Subscription) -> dict[str, Any]:
    return {
        "email": mask_email(subscription.email),
        "agency": subscription.agency_id,
        "category": subscription.category,
        "keyword": subscription.keyword,
        "confirmed_at": subscription.confirmed_at,
        "unsubscribed_at": subscription.unsubscribed_at,
    }


def _per_day() -> int:
    return int(getattr(settings, "GONGKAI_SUBSCRIBE_PER_EMAIL_DAY", 5))


def subscription_create(
    *, email: str, agency: Agency | None = None, category: str = "", keyword: str = ""
) -> Subscription | None:
    """A new, unconfirmed subscription and its confirmation mail (sent after commit). None when the same address
    already holds the same active subscription: nothing is sent, and the caller shows the same page either way (the
    page must not tell whether an address is subscribed)."""
    email = email.strip()
    keyword = " ".join(keyword.split())
    errors: dict[str, str] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = "电子邮箱格式不正确，请填写如 name@example.com 的地址"
    if category and category not in Category.values:
        errors["category"] = f"公开类别“{category}”不在可选范围内"
    if len(keyword) > KEYWORD_MAX:
        errors["keyword"] = f"关键词不能超过 {KEYWORD_MAX} 个字"
    if agency is not None and not agency.is_active:
        errors["agency"] = "该机关不可订阅"
    if errors:
        raise ValidationError(errors)
    domain = email.rpartition("@")[2].lower()
    email = f"{email.rpartition('@')[0]}@{domain}"
    now = timezone.now()
    with transaction.atomic():
        same = Subscription.objects.filter(
            email__iexact=email, agency=agency, category=category, keyword=keyword, unsubscribed_at__isnull=True
        )
        if same.filter(confirmed_at__isnull=False).exists():
            return None
        recent = Subscription.objects.filter(email__iexact=email, created_at__gte=now - dt.timedelta(days=1)).count()
        if recent >= _per_day():
            raise ValidationError({"email": "该电子邮箱今天的订阅次数已达上限，请明天再试"})
        raw, digest = new_token()
        subscription = Subscription.objects.create(
            email=email, agency=agency, category=category, keyword=keyword, token_hash=digest
        )
        audit_record(
            action="subscription.create",
            actor=None,
            actor_label=_ACTOR,
            agency_id=subscription.agency_id,
            obj=subscription,
            after=_snapshot(subscription),
        )
        transaction.on_commit(lambda: mail.send_confirmation(subscription, raw))
    return subscription


def subscription_for_token(raw: str) -> Subscription | None:
    """The unconfirmed-or-confirmed, not unsubscribed subscription of a confirmation token still within its time."""
    if not raw or len(raw) > 100:
        return None
    found = (
        Subscription.objects.select_related("agency")
        .filter(token_hash=hash_token(raw), unsubscribed_at__isnull=True)
        .first()
    )
    if found is None:
        return None
    if found.confirmed_at is None and found.created_at < timezone.now() - CONFIRM_VALID_FOR:
        return None
    return found


def subscription_confirm(*, token: str) -> Subscription:
    """Double opt-in: only a confirmed subscription receives digests. Confirming twice changes nothing."""
    found = subscription_for_token(token)
    if found is None:
        raise ValidationError({"token": "确认链接无效或已过期，请重新订阅"})
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().get(pk=found.pk)
        if locked.confirmed_at is not None:
            return locked
        before = _snapshot(locked)
        locked.confirmed_at = timezone.now()
        locked.save(update_fields=["confirmed_at"])
        audit_record(
            action="subscription.confirm",
            actor=None,
            actor_label=_ACTOR,
            agency_id=locked.agency_id,
            obj=locked,
            before=before,
            after=_snapshot(locked),
        )
    return locked


def subscription_unsubscribe(*, subscription: Subscription) -> Subscription:
    """Stop the subscription for good (a new sign-up starts over with a confirmation). Idempotent."""
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if locked.unsubscribed_at is not None:
            return locked
        before = _snapshot(locked)
        locked.unsubscribed_at = timezone.now()
        locked.save(update_fields=["unsubscribed_at"])
        audit_record(
            action="subscription.unsubscribe",
            actor=None,
            actor_label=_ACTOR,
            agency_id=locked.agency_id,
            obj=locked,
            before=before,
            after=_snapshot(locked),
        )
    return locked
