"""The public portal: open to everyone, reads only published data (through ``portal.selectors``)."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import Any

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from gongkai.agencies.models import Agency, Kind
from gongkai.agencies.selectors import ancestors, public_agencies
from gongkai.core.validators import ascii_digits
from gongkai.portal import selectors
from gongkai.portal.cache import cached_page
from gongkai.portal.guide import build_guide
from gongkai.publications.codebook import LIFECYCLE_KINDS, Category, Status, Validity
from gongkai.publications.models import Publication

# 法定主动公开内容: 第二十条（一）–（十五）and 第二十一条; 其他 (工作动态 …) is not statutory content.
STATUTORY_CATEGORIES: tuple[Category, ...] = tuple(category for category in Category if category != Category.OTHER)


@require_GET
@cached_page
def home(request: HttpRequest) -> HttpResponse:
    agencies = list(public_agencies())
    governments = [agency for agency in agencies if agency.kind == Kind.GOVERNMENT]
    by_parent: dict[int, list[Agency]] = {}
    for agency in agencies:
        if agency.parent_id is not None and agency.kind != Kind.GOVERNMENT:
            by_parent.setdefault(agency.parent_id, []).append(agency)
    groups = [(government, by_parent.get(government.pk, [])) for government in governments]
    return render(request, "portal/home.html", {"groups": groups})


def _column(agency: Agency, **extra: Any) -> dict[str, Any]:
    """What every page of the 政府信息公开 column needs: the agency, its place in the hierarchy, the column nav."""
    return {"agency": agency, "breadcrumbs": list(reversed(ancestors(agency))), **extra}


@require_GET
@cached_page
def agency_page(request: HttpRequest, code: str) -> HttpResponse:
    agency = selectors.public_agency(code)
    departments = Agency.objects.filter(parent=agency, is_active=True).order_by("kind", "name")
    agency_ids = [a.pk for a in selectors.catalogue_agencies(agency)]
    latest = list(selectors.catalogue(agency_ids, selectors.CatalogueFilters())[:10])
    return render(
        request, "portal/agency.html", _column(agency, departments=departments, latest=latest, section="home")
    )


@require_GET
@cached_page
def guide(request: HttpRequest, code: str) -> HttpResponse:
    agency = selectors.public_agency(code)
    agency_ids = [a.pk for a in selectors.catalogue_agencies(agency)]
    data = build_guide(
        agency=agency,
        categories=selectors.categories_in_use(agency_ids),
        channels=selectors.channels_in_use(agency_ids),
    )
    return render(request, "portal/guide.html", _column(agency, guide=data, section="guide"))


def _paged_catalogue(
    request: HttpRequest, agency: Agency, filters: selectors.CatalogueFilters, agency_ids: list[int]
) -> dict[str, Any]:
    paginator = Paginator(selectors.catalogue(agency_ids, filters), selectors.PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {"page": page, "paginator": paginator, "query": query.urlencode(), "filters": filters}


@require_GET
@cached_page
def catalogue(request: HttpRequest, code: str) -> HttpResponse:
    """目录 (条例第十二条第三款): filter by category, year, validity (and department, for a government); sortable."""
    agency = selectors.public_agency(code)
    members = selectors.catalogue_agencies(agency)
    agency_ids = [a.pk for a in members]
    filters = selectors.CatalogueFilters.from_query(request.GET, allowed_agency_ids=agency_ids)
    context = _column(
        agency,
        section="catalogue",
        members=members if len(members) > 1 else [],
        categories=list(Category),
        validities=list(Validity),
        years=selectors.catalogue_years(agency_ids),
        sorts=list(selectors.SORT_LABELS.items()),
        **_paged_catalogue(request, agency, filters, agency_ids),
    )
    return render(request, "portal/catalogue.html", context)


@require_GET
@cached_page
def rules(request: HttpRequest, code: str) -> HttpResponse:
    """制度: the agency's own rules on 政务公开 — the 目录 narrowed to items whose 主题分类 names a 制度."""
    agency = selectors.public_agency(code)
    agency_ids = [a.pk for a in selectors.catalogue_agencies(agency)]
    filters = selectors.CatalogueFilters(topic_contains=selectors.RULES_TOPIC)
    context = _column(agency, section="rules", **_paged_catalogue(request, agency, filters, agency_ids))
    return render(request, "portal/rules.html", context)


@require_GET
@cached_page
def statutory(request: HttpRequest, code: str) -> HttpResponse:
    """法定主动公开内容: every 第二十条 item and 第二十一条, with how many items the agency has under each."""
    agency = selectors.public_agency(code)
    agency_ids = [a.pk for a in selectors.catalogue_agencies(agency)]
    counts = dict(selectors.categories_in_use(agency_ids))
    rows = [(category, counts.get(category, 0)) for category in STATUTORY_CATEGORIES]
    return render(request, "portal/statutory.html", _column(agency, section="statutory", rows=rows))


@require_GET
@cached_page
def category_page(request: HttpRequest, code: str, category: str) -> HttpResponse:
    agency = selectors.public_agency(code)
    if category not in Category.values:
        raise Http404("没有该公开类别")
    chosen = Category(category)
    agency_ids = [a.pk for a in selectors.catalogue_agencies(agency)]
    filters = selectors.CatalogueFilters(category=chosen)
    context = _column(
        agency, section="statutory", category=chosen, **_paged_catalogue(request, agency, filters, agency_ids)
    )
    return render(request, "portal/category.html", context)


def _body(item: Publication) -> SafeString:
    # body_html is sanitised with nh3 by the publications app before it is stored; plain ``body`` is escaped here.
    html = getattr(item, "body_html", "")
    if html:
        return mark_safe(html)  # noqa: S308 — sanitised on write (publications.services)
    return mark_safe(linebreaks(item.body, autoescape=True))  # noqa: S308 — linebreaks escapes with autoescape


@require_GET
@cached_page
def item_page(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    agency = selectors.public_agency(code)
    agency_ids = [a.pk for a in selectors.catalogue_agencies(agency)]
    item = selectors.public_item(agency_ids, pk)
    withdrawn = item.status == Status.WITHDRAWN
    context = _column(
        agency,
        section="catalogue",
        item=item,
        withdrawn=withdrawn,
        body=None if withdrawn else _body(item),
        has_validity=item.doc_kind in LIFECYCLE_KINDS and bool(item.validity),
        interpretations=[] if withdrawn else selectors.linked_public(item.interpretations.all()),
        interprets=item.interprets if item.interprets and item.interprets.status == Status.PUBLISHED else None,
        replaced_by=(item.replaced_by if item.replaced_by and item.replaced_by.status == Status.PUBLISHED else None),
        attachments=[] if withdrawn else selectors.item_attachments(item),
    )
    return render(request, "portal/item.html", context)


@require_GET
def attachment_download(request: HttpRequest, code: str, pk: int, attachment_id: int) -> FileResponse:
    agency = selectors.public_agency(code)
    item = selectors.public_item([a.pk for a in selectors.catalogue_agencies(agency)], pk)
    attachment = selectors.public_attachment(item, attachment_id)
    file = getattr(attachment, "file", None)
    if not file:
        raise Http404("未找到该附件")
    try:
        handle = file.open("rb")
    except OSError:
        raise Http404("未找到该附件") from None
    filename = (
        getattr(attachment, "original_name", "") or getattr(attachment, "filename", "") or os.path.basename(file.name)
    )
    content_type = getattr(attachment, "content_type", "") or "application/octet-stream"
    # Served as a download, never rendered: an uploaded HTML or SVG must not run in the portal's origin.
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


SEARCH_UNAVAILABLE = "检索功能尚未启用"
# Where the search app exposes ``search(query, *, agency_ids=..., limit=..., offset=...)``; looked up lazily because it is
# built separately — until it exists the page says so instead of failing.
SEARCH_MODULES = ("gongkai.search.selectors", "gongkai.search.services")


def _search_function() -> Callable[..., Any] | None:
    for name in SEARCH_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise  # the module exists but is broken: say so, do not pretend search is off
            continue
        function: Callable[..., Any] | None = getattr(module, "search", None)
        if callable(function):
            return function
    return None


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """The portal's search box: all agencies, or one agency's column (a government with its departments)."""
    query = request.GET.get("q", "").strip()[:100]
    agency_code = request.GET.get("agency", "")
    agency = Agency.objects.filter(code=agency_code, is_active=True).first() if agency_code else None
    search_function = _search_function()
    results: Any = None
    page_number = 1
    if search_function is not None and query:
        page_text = request.GET.get("page", "1")
        page_number = int(page_text) if ascii_digits(page_text) and 0 < int(page_text) < 1000 else 1
        filters: dict[str, Any] = {"limit": selectors.PAGE_SIZE, "offset": (page_number - 1) * selectors.PAGE_SIZE}
        if agency is not None:
            filters["agency_ids"] = [a.pk for a in selectors.catalogue_agencies(agency)]
        results = search_function(query, **filters)
    total = getattr(results, "total", None)
    context = {
        "q": query,
        "agency": agency,
        "available": search_function is not None,
        "unavailable_text": SEARCH_UNAVAILABLE,
        "results": results,
        "total": total,
        # "1000+" when the search stopped counting (gongkai.search ranks and counts at most 1000 matches).
        "total_display": getattr(results, "total_display", total),
        "page_number": page_number,
        "has_next": total is not None and page_number * selectors.PAGE_SIZE < total,
    }
    return render(request, "portal/search.html", context)
