"""Encryption at rest for applicants' ID numbers and phones, and the keyed blind index used to find them.

AES-256-GCM (``cryptography``), a fresh 96-bit nonce per value, and the column's name as associated data so that a
ciphertext copied into another column does not decrypt. Each ciphertext names the key that made it, so keys rotate:
a new key goes first in the key ring, old keys stay for reading, and ``gongkai pii rotate`` re-encrypts every row.

The blind index is HMAC-SHA256 under its own key over the normalised value: equal values give equal index entries, so
an exact lookup (an applicant by ID number) needs no decryption and the table never holds the value in clear.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

TOKEN_PREFIX = "gk1"  # noqa: S105 — a format tag, not a secret
_NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored value could not be decrypted: unknown key, or a value altered in the database."""


@dataclass(frozen=True)
class KeyRing:
    active_id: str
    keys: dict[str, bytes]
    index_key: bytes

    def __post_init__(self) -> None:
        if self.active_id not in self.keys:
            raise ImproperlyConfigured(f"active personal-data key {self.active_id!r} is not in the key ring")
        for kid, key in self.keys.items():
            if len(key) != 32:
                raise ImproperlyConfigured(f"personal-data key {kid!r} must be 32 bytes (AES-256)")
            if "$" in kid:
                raise ImproperlyConfigured(f"personal-data key id {kid!r} must not contain '$'")
        if len(self.index_key) < 32:
            raise ImproperlyConfigured("the blind-index key must be at least 32 bytes")


def _b64(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{what} is not valid base64") from None


def new_key_b64() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    content = {"active": "k1", "keys": {"k1": new_key_b64()}, "index_key": new_key_b64()}
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(content, handle, indent=2)


def key_ring_from_file(path: Path, *, create: bool) -> KeyRing:
    if not path.exists():
        if not create:
            raise ImproperlyConfigured(f"personal-data key file {path} does not exist")
        _create_key_file(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        keys = {str(kid): _b64(str(value), f"key {kid} in {path}") for kid, value in data["keys"].items()}
        return KeyRing(str(data["active"]), keys, _b64(str(data["index_key"]), f"index_key in {path}"))
    except (KeyError, TypeError, json.JSONDecodeError) as error:
        raise ImproperlyConfigured(f"personal-data key file {path} is malformed: {error}") from None


def key_ring_from_env(keys_spec: str, index_key: str) -> KeyRing:
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for item in keys_spec.split(","):
        kid, sep, value = item.strip().partition("=")
        if not sep or not kid:
            raise ImproperlyConfigured("GONGKAI_PII_KEYS must look like 'k2=BASE64,k1=BASE64'")
        keys[kid] = _b64(value, f"GONGKAI_PII_KEYS entry {kid}")
        order.append(kid)
    return KeyRing(order[0], keys, _b64(index_key, "GONGKAI_PII_INDEX_KEY"))


@lru_cache(maxsize=1)
def key_ring() -> KeyRing:
    if settings.PII_KEYS:
        if not settings.PII_INDEX_KEY:
            raise ImproperlyConfigured("GONGKAI_PII_INDEX_KEY must be set with GONGKAI_PII_KEYS")
        return key_ring_from_env(settings.PII_KEYS, settings.PII_INDEX_KEY)
    # Outside production the key file is created on first use (settings refuse production without keys).
    return key_ring_from_file(Path(str(settings.PII_KEY_FILE)), create=not getattr(settings, "PRODUCTION", False))


def encrypt(plaintext: str, *, context: str, ring: KeyRing | None = None) -> str:
    ring = ring or key_ring()
    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = AESGCM(ring.keys[ring.active_id]).encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
    payload = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
    return f"{TOKEN_PREFIX}${ring.active_id}${payload}"


def key_id_of(token: str) -> str | None:
    parts = token.split("$")
    return parts[1] if len(parts) == 3 and parts[0] == TOKEN_PREFIX else None


def decrypt(token: str, *, context: str, ring: KeyRing | None = None) -> str:
    ring = ring or key_ring()
    parts = token.split("$")
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        raise DecryptionError("not a Gongkai ciphertext")
    key = ring.keys.get(parts[1])
    if key is None:
        raise DecryptionError(f"unknown personal-data key {parts[1]!r}")
    try:
        raw = base64.urlsafe_b64decode(parts[2].encode("ascii"))
        plain = AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode("utf-8"))
    except (InvalidTag, ValueError, binascii.Error):
        raise DecryptionError("ciphertext failed authentication") from None
    return plain.decode("utf-8")


def blind_index(kind: str, normalized_value: str, *, ring: KeyRing | None = None) -> str:
    ring = ring or key_ring()
    message = f"{kind}\x00{normalized_value}".encode()
    return hmac.new(ring.index_key, message, hashlib.sha256).hexdigest()
