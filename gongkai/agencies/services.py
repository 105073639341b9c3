"""Writes to agencies. Each one is audited with the values before and after."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from gongkai.agencies.models import Agency
from gongkai.audit.services import audit_record

CONTACT_FIELDS = (
    "office_name",
    "office_address",
    "office_postcode",
    "office_hours",
    "office_phone",
    "office_fax",
    "office_email",
    "website",
)
POLICY_FIELDS = ("doc_number_pattern", "index_number_pattern", "letterhead")
IDENTITY_FIELDS = (
    "name",
    "short_name",
    "code",
    "level",
    "kind",
    "parent",
    "supervisor",
    "credit_code",
    "org_code",
    "division_code",
)


def _snapshot(agency: Agency, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(agency, f"{name}_id" if name in ("parent", "supervisor") else name) for name in fields}


def _check_no_cycle(agency: Agency, attribute: str, label: str) -> None:
    seen = {agency.pk}
    current: Agency | None = getattr(agency, attribute)
    while current is not None:
        if current.pk in seen:
            raise ValidationError({attribute: f"{label}不能形成循环"})
        seen.add(current.pk)
        current = getattr(current, attribute)


def agency_create(*, actor: Any, data: dict[str, Any], request: HttpRequest | None = None) -> Agency:
    agency = Agency(**data)
    agency.full_clean()
    with transaction.atomic():
        agency.save()
        audit_record(
            action="agency.create",
            actor=actor,
            agency_id=agency.pk,
            obj=agency,
            after=_snapshot(agency, IDENTITY_FIELDS + CONTACT_FIELDS),
            request=request,
        )
    return agency


def agency_update(
    *, actor: Any, agency: Agency, data: dict[str, Any], fields: tuple[str, ...], request: HttpRequest | None = None
) -> Agency:
    """Update ``fields`` of ``agency`` from ``data``; nothing is saved unless every value is valid."""
    with transaction.atomic():
        locked = Agency.objects.select_for_update().get(pk=agency.pk)
        before = _snapshot(locked, fields)
        for name in fields:
            setattr(locked, name, data[name])
        locked.full_clean()
        _check_no_cycle(locked, "parent", "上级机关")
        _check_no_cycle(locked, "supervisor", "主管部门")
        after = _snapshot(locked, fields)
        changed = [name for name in fields if before[name] != after[name]]
        if not changed:
            return locked
        locked.save(update_fields=[*changed, "updated_at"])
        audit_record(
            action="agency.update",
            actor=actor,
            agency_id=locked.pk,
            obj=locked,
            before={name: before[name] for name in changed},
            after={name: after[name] for name in changed},
            request=request,
        )
    return locked
