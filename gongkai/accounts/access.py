"""The one access gate for staff objects.

Every staff view and API endpoint fetches agency-owned objects through ``access_agency`` / ``access_object`` and lists
them through ``scope``. "Missing" and "not yours" raise the same ``Http404`` with the same page, so that probing ids
tells an outsider nothing.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404

from gongkai.accounts.models import Membership, User, UserKind
from gongkai.accounts.roles import PLATFORM_PERMS, ROLE_PERMS, SUPERVISED_PERMS, Perm, Role
from gongkai.agencies.models import Agency
from gongkai.agencies.selectors import supervised_agency_ids

M = TypeVar("M", bound=Model)

NOT_FOUND = "未找到该对象"


class AllAgencies:
    """The scope of a platform role: every agency."""

    def __contains__(self, item: object) -> bool:
        return True


ALL = AllAgencies()


def _cache(user: User) -> dict[str, Any]:
    cache: dict[str, Any] | None = getattr(user, "_gongkai_access_cache", None)
    if cache is None:
        cache = {}
        user._gongkai_access_cache = cache  # type: ignore[attr-defined]
    return cache


def is_staff_user(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.kind == UserKind.STAFF)


def agency_ids_with(user: Any, perm: Perm) -> set[int] | AllAgencies:
    """The ids of the agencies where ``user`` holds ``perm`` (or ALL for a platform role that has it)."""
    if not is_staff_user(user):
        return set()
    cache = _cache(user)
    key = f"ids:{perm}"
    if key in cache:
        result: set[int] | AllAgencies = cache[key]
        return result
    if user.platform_role and perm in PLATFORM_PERMS.get(user.platform_role, frozenset()):
        cache[key] = ALL
        return ALL
    ids: set[int] = set()
    memberships = Membership.objects.filter(user=user, is_active=True, agency__is_active=True).values_list(
        "agency_id", "role"
    )
    for agency_id, role in memberships:
        if perm in ROLE_PERMS[Role(role)]:
            ids.add(agency_id)
        if role == Role.SUPERVISOR and perm in SUPERVISED_PERMS:
            ids |= supervised_agency_ids(agency_id)
    cache[key] = ids
    return ids


def has_perm(user: Any, perm: Perm, agency_id: int) -> bool:
    return agency_id in agency_ids_with(user, perm)


def has_any(user: Any, perm: Perm) -> bool:
    ids = agency_ids_with(user, perm)
    return isinstance(ids, AllAgencies) or bool(ids)


def scope(user: Any, queryset: QuerySet[M], perm: Perm, *, agency_field: str = "agency") -> QuerySet[M]:
    """``queryset`` narrowed to the rows of the agencies where ``user`` holds ``perm``."""
    ids = agency_ids_with(user, perm)
    if isinstance(ids, AllAgencies):
        return queryset
    lookup = "pk__in" if agency_field == "pk" else f"{agency_field}__in"
    return queryset.filter(**{lookup: ids})


def access_agency(user: Any, agency_id: Any, perm: Perm) -> Agency:
    return access_object(user, Agency.objects.all(), agency_id, perm, agency_field="pk")


def access_object(user: Any, queryset: QuerySet[M], pk: Any, perm: Perm, *, agency_field: str = "agency") -> M:
    # An id beyond the column's range (SQLite: OverflowError; PostgreSQL: DataError) is just as missing.
    try:
        if int(pk) > 2**63 - 1 or int(pk) < 0:
            raise Http404(NOT_FOUND)
    except (ValueError, TypeError):
        raise Http404(NOT_FOUND) from None
    try:
        return scope(user, queryset, perm, agency_field=agency_field).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(NOT_FOUND) from None
