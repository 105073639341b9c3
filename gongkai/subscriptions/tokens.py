"""Links in subscription mails. Confirmation: a random token, stored as its SHA-256 only (a leaked table confirms
nothing). Unsubscribe: the subscription id signed with the site's secret key — every digest must carry a working link,
which a stored hash could not give; rotating the key keeps old links alive through ``SECRET_KEY_FALLBACKS``."""

from __future__ import annotations

import hashlib
import secrets

from django.core import signing

__all__ = ["hash_token", "new_token", "read_unsubscribe_token", "unsubscribe_token"]

_SALT = "gongkai.subscriptions.unsubscribe"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """(the raw token for the link, its hash for the database)."""
    raw = secrets.token_urlsafe(32)
    return raw, hash_token(raw)


def unsubscribe_token(subscription_id: int) -> str:
    return signing.dumps(subscription_id, salt=_SALT, compress=False)


def read_unsubscribe_token(value: str) -> int | None:
    try:
        loaded = signing.loads(value, salt=_SALT)
    except signing.BadSignature:
        return None
    return loaded if isinstance(loaded, int) and not isinstance(loaded, bool) else None
