"""Masked display of personal data: what staff and applicants see unless an audited reveal is made."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    """410***********1234 — the region prefix and the last four characters stay visible."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str | None) -> str:
    """139****5678 for a mobile; fixed lines keep the area code and the last four digits."""
    if not value:
        return ""
    digits = value
    if len(digits) == 11 and digits.startswith("1"):
        return digits[:3] + "****" + digits[-4:]
    if len(digits) <= 4:
        return "*" * len(digits)
    keep = 4 if digits.startswith("0") and len(digits) > 8 else 0
    return digits[:keep] + "*" * (len(digits) - keep - 4) + digits[-4:]
