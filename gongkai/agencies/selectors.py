"""Reading agencies: the hierarchy and the 主管部门 relation."""

from __future__ import annotations

from django.db.models import QuerySet

from gongkai.agencies.models import Agency


def supervised_agency_ids(office_id: int) -> set[int]:
    """Agencies supervised by ``office_id``, with everything under them (departments of a supervised government,
    lower governments and their departments): the 主管部门 of a government reads its whole region."""
    rows = list(Agency.objects.filter(is_active=True).values_list("id", "parent_id", "supervisor_id"))
    children: dict[int, set[int]] = {}
    for agency_id, parent_id, supervisor_id in rows:
        for up in (parent_id, supervisor_id):
            if up is not None and up != agency_id:
                children.setdefault(up, set()).add(agency_id)
    direct = {agency_id for agency_id, _parent, supervisor_id in rows if supervisor_id == office_id}
    seen: set[int] = set()
    stack = list(direct)
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        stack.extend(children.get(current, ()))
    return seen


def agency_by_reference(reference: str) -> Agency:
    """An agency by its code, or by a part of its name that identifies it uniquely (CLI ``--agency``)."""
    reference = reference.strip()
    exact = Agency.objects.filter(code=reference).first() or Agency.objects.filter(name=reference).first()
    if exact is not None:
        return exact
    matches = list(Agency.objects.filter(name__contains=reference)[:5])
    if not matches:
        raise Agency.DoesNotExist(f"没有名称或代码为“{reference}”的机关")
    if len(matches) > 1:
        names = "、".join(agency.name for agency in matches)
        raise Agency.MultipleObjectsReturned(f"“{reference}”对应多个机关：{names}，请写得更具体")
    return matches[0]


def public_agencies() -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True).select_related("parent").order_by("level", "parent_id", "name")


def ancestors(agency: Agency) -> list[Agency]:
    chain: list[Agency] = []
    current = agency.parent
    while current is not None and current not in chain:
        chain.append(current)
        current = current.parent
    return chain
