"""Reads of 督促整改 and 投诉举报: who sees what, overdue queries over the indexed deadline columns, dashboard counts."""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from gongkai.accounts.access import NOT_FOUND, AllAgencies, agency_ids_with
from gongkai.accounts.roles import Perm
from gongkai.agencies.models import Agency
from gongkai.agencies.selectors import supervised_agency_ids
from gongkai.rectification.models import Complaint, Notice
from gongkai.rectification.states import OPEN_COMPLAINT_STATUSES, OPEN_NOTICE_STATUSES, NoticeStatus

__all__ = [
    "complaint_by_tracking",
    "complaint_for",
    "filter_complaints",
    "filter_notices",
    "notice_for",
    "offices_of",
    "open_notice_counts",
    "overdue_complaints",
    "overdue_notice_counts",
    "overdue_notices",
    "public_complaint_agencies",
    "supervised_by_offices",
    "supervising_office",
    "visible_complaints",
    "visible_notices",
]


def _ids_q(field: str, ids: set[int] | AllAgencies) -> Q:
    if isinstance(ids, AllAgencies):
        return Q()
    return Q(**{f"{field}__in": ids})


def visible_notices(user: Any) -> QuerySet[Notice]:
    """The office sees the notices it issued (drafts too); the agency sees those addressed to it once issued."""
    office_ids = agency_ids_with(user, Perm.SUPERVISE)
    agency_ids = agency_ids_with(user, Perm.HANDLE_CASES)
    q = Q(pk__in=[])
    if isinstance(office_ids, AllAgencies) or office_ids:
        q |= _ids_q("office_id", office_ids)
    if isinstance(agency_ids, AllAgencies) or agency_ids:
        q |= _ids_q("agency_id", agency_ids) & ~Q(status=NoticeStatus.DRAFT)
    return Notice.objects.filter(q)


def visible_complaints(user: Any) -> QuerySet[Complaint]:
    """Only the receiving office: the complained-about agency never sees the complainant."""
    office_ids = agency_ids_with(user, Perm.SUPERVISE)
    if not isinstance(office_ids, AllAgencies) and not office_ids:
        return Complaint.objects.none()
    return Complaint.objects.filter(_ids_q("office_id", office_ids))


def _get(queryset: QuerySet[Any], pk: Any) -> Any:
    # The same 404 for missing and not yours (gongkai.accounts.access).
    try:
        if int(pk) > 2**63 - 1 or int(pk) < 0:
            raise Http404(NOT_FOUND)
        return queryset.get(pk=pk)
    except (ValueError, TypeError, OverflowError, queryset.model.DoesNotExist):
        raise Http404(NOT_FOUND) from None


def notice_for(user: Any, pk: Any) -> Notice:
    return _get(visible_notices(user).select_related("office", "agency", "complaint"), pk)  # type: ignore[no-any-return]


def complaint_for(user: Any, pk: Any) -> Complaint:
    return _get(visible_complaints(user).select_related("office", "agency"), pk)  # type: ignore[no-any-return]


def offices_of(user: Any) -> QuerySet[Agency]:
    """The offices where ``user`` acts as 主管部门."""
    ids = agency_ids_with(user, Perm.SUPERVISE)
    queryset = Agency.objects.filter(is_active=True).order_by("name")
    return queryset if isinstance(ids, AllAgencies) else queryset.filter(pk__in=ids)


def supervised_by_offices(offices: Iterable[Agency]) -> QuerySet[Agency]:
    ids: set[int] = set()
    for office in offices:
        ids |= supervised_agency_ids(office.pk)
    return Agency.objects.filter(pk__in=ids, is_active=True).order_by("name")


def _nearest_office(agency: Agency, by_id: dict[int, Agency]) -> Agency | None:
    """Its own 主管部门, else that of the nearest ancestor that has one (the office that supervises a government
    supervises its departments, ``supervised_agency_ids``). ``by_id``: the active agencies."""
    current: Agency | None = agency
    seen: set[int] = set()
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        office = by_id.get(current.supervisor_id) if current.supervisor_id else None
        if office is not None and office.pk != agency.pk:
            return office
        current = by_id.get(current.parent_id) if current.parent_id else None
    return None


def _active_by_id() -> dict[int, Agency]:
    return {a.pk: a for a in Agency.objects.filter(is_active=True).order_by("level", "name")}


def supervising_office(agency: Agency) -> Agency | None:
    """The office a public complaint about ``agency`` goes to."""
    return _nearest_office(agency, _active_by_id())


def public_complaint_agencies() -> list[Agency]:
    """The agencies the public form offers: active ones that some 主管部门 supervises."""
    by_id = _active_by_id()
    return [agency for agency in by_id.values() if _nearest_office(agency, by_id) is not None]


def complaint_by_tracking(code: str, phone_last4: str) -> Complaint | None:
    """The complaint of ``code`` if the phone given with it ends in ``phone_last4``; None for an unknown code and for
    wrong digits alike (the page must not confirm that a code exists)."""
    complaint = Complaint.objects.select_related("office", "agency").filter(tracking_code=code.strip().upper()).first()
    if complaint is None or not complaint.phone:
        return None
    # Constant time, as for a case's tracking; bytes, because compare_digest refuses a non-ASCII str.
    if not hmac.compare_digest(complaint.phone[-4:].encode(), phone_last4.encode()):
        return None
    return complaint


# ---------------------------------------------------------------------------------------------------------------------
# Overdue: derived, never stored (deadline passed, not closed)


def overdue_notices(queryset: QuerySet[Notice], today: dt.date) -> QuerySet[Notice]:
    """Open notices whose deadline is before ``today``: the deadline day itself is still in time."""
    return queryset.filter(status__in=OPEN_NOTICE_STATUSES, deadline__lt=today)


def overdue_complaints(queryset: QuerySet[Complaint], today: dt.date) -> QuerySet[Complaint]:
    return queryset.filter(status__in=OPEN_COMPLAINT_STATUSES, reply_due__lt=today)


def filter_notices(queryset: QuerySet[Notice], filters: Mapping[str, Any], today: dt.date) -> QuerySet[Notice]:
    """The list page's filters (状态, 机关, 已逾期) applied to the notices the user may see."""
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("agency"):
        queryset = queryset.filter(agency=filters["agency"])
    if filters.get("overdue"):
        queryset = overdue_notices(queryset, today)
    return queryset


def filter_complaints(queryset: QuerySet[Complaint], filters: Mapping[str, Any], today: dt.date) -> QuerySet[Complaint]:
    """The list page's filters (状态, 被投诉机关, 答复逾期) applied to the complaints the office may see."""
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("agency"):
        queryset = queryset.filter(agency=filters["agency"])
    if filters.get("overdue"):
        queryset = overdue_complaints(queryset, today)
    return queryset


def _counts(queryset: QuerySet[Notice], agency_ids: Iterable[int]) -> dict[int, int]:
    ids = list(agency_ids)
    found = dict(
        queryset.filter(agency_id__in=ids)
        .order_by()
        .values("agency_id")
        .annotate(n=Count("pk"))
        .values_list("agency_id", "n")
    )
    return {agency_id: found.get(agency_id, 0) for agency_id in ids}


def open_notice_counts(agency_ids: Iterable[int]) -> dict[int, int]:
    """For the 主管部门 dashboard: notices issued to each agency and not yet accepted (0 for agencies with none).
    The caller decides whose agencies these are; this reads no user."""
    return _counts(Notice.objects.filter(status__in=OPEN_NOTICE_STATUSES), agency_ids)


def overdue_notice_counts(agency_ids: Iterable[int], *, today: dt.date | None = None) -> dict[int, int]:
    """For the dashboard: open notices past their deadline, per agency (0 for agencies with none)."""
    return _counts(overdue_notices(Notice.objects.all(), today or timezone.localdate()), agency_ids)
