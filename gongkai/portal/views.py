"""The public portal: open to everyone, reads only published data."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from gongkai.agencies.models import Agency, Kind
from gongkai.agencies.selectors import ancestors, public_agencies


def home(request: HttpRequest) -> HttpResponse:
    agencies = list(public_agencies())
    governments = [agency for agency in agencies if agency.kind == Kind.GOVERNMENT]
    by_parent: dict[int, list[Agency]] = {}
    for agency in agencies:
        if agency.parent_id is not None and agency.kind != Kind.GOVERNMENT:
            by_parent.setdefault(agency.parent_id, []).append(agency)
    groups = [(government, by_parent.get(government.pk, [])) for government in governments]
    return render(request, "portal/home.html", {"groups": groups})


def agency_page(request: HttpRequest, code: str) -> HttpResponse:
    agency = Agency.objects.filter(code=code, is_active=True).select_related("parent", "supervisor").first()
    if agency is None:
        raise Http404("未找到该机关")
    departments = Agency.objects.filter(parent=agency, is_active=True).order_by("kind", "name")
    return render(
        request,
        "portal/agency.html",
        {"agency": agency, "breadcrumbs": list(reversed(ancestors(agency))), "departments": departments},
    )
