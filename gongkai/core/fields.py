"""Model fields for personal data: encrypted at rest, found through a keyed blind index.

    id_number = EncryptedTextField(kind="id_number", null=True, blank=True)
    id_number_index = BlindIndexField(source="id_number")

The model attribute holds the clear value in memory; the column holds only ciphertext. Display goes through
``gongkai.core.masking``; an unmasked display goes through a service that writes an audit entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.models import Model

from gongkai.core import crypto
from gongkai.core.validators import normalize_id_number, normalize_phone

NORMALIZERS: dict[str, Callable[[str], str]] = {
    "id_number": normalize_id_number,
    "phone": normalize_phone,
    "text": lambda value: value.strip(),
}


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    description = "Text encrypted with AES-256-GCM"

    def __init__(self, *args: Any, kind: str = "text", **kwargs: Any) -> None:
        if kind not in NORMALIZERS:
            raise ValueError(f"unknown personal-data kind {kind!r}")
        self.kind = kind
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        return name, path, args, kwargs

    def contribute_to_class(self, cls: type[Model], name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        # Associated data binds a ciphertext to its column: a value moved to another column will not decrypt.
        self.crypto_context = f"{cls._meta.app_label}.{cls._meta.model_name}.{name}"

    def normalize(self, value: str) -> str:
        return NORMALIZERS[self.kind](value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return None
        return crypto.encrypt(self.normalize(str(value)), context=self.crypto_context)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None:
            return None
        return crypto.decrypt(value, context=self.crypto_context)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in {"isnull"}:
            raise TypeError(
                f"an encrypted field cannot be searched with '{lookup_name}'; query its BlindIndexField instead"
            )
        return super().get_lookup(lookup_name)


class BlindIndexField(models.CharField):  # type: ignore[type-arg]
    description = "HMAC-SHA256 blind index of an encrypted field"

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def source_field(self) -> EncryptedTextField:
        field = self.model._meta.get_field(self.source)
        assert isinstance(field, EncryptedTextField)
        return field

    def pre_save(self, model_instance: Model, add: bool) -> str | None:
        value = getattr(model_instance, self.source)
        digest = index_value(self.source_field(), value)
        setattr(model_instance, self.attname, digest)
        return digest


def index_value(field: EncryptedTextField, value: str | None) -> str | None:
    """The blind-index entry for ``value`` in ``field`` (None for an empty value)."""
    if value is None or str(value).strip() == "":
        return None
    return crypto.blind_index(field.kind, field.normalize(str(value)))


def lookup(model: type[Model], field_name: str, value: str) -> dict[str, str | None]:
    """Filter kwargs that find rows whose encrypted ``field_name`` equals ``value``: ``Model.objects.filter(**…)``."""
    field = model._meta.get_field(field_name)
    assert isinstance(field, EncryptedTextField)
    for candidate in model._meta.get_fields():
        if isinstance(candidate, BlindIndexField) and candidate.source == field_name:
            return {candidate.name: index_value(field, value)}
    raise LookupError(f"{model.__name__}.{field_name} has no blind index")
