"""Reads of the search index — what the portal and the CLI call.

    search(query, *, agency_ids=None, agency=None, category=None, year=None, validity=None, limit=20, offset=0)
        -> SearchPage

``query`` is what the user typed: whitespace separates terms that must all occur; each term is found as an exact
substring for Han text (1 character and up), letters and digits as whole words; a 文号 in any bracket spelling finds
that document first. ``agency_ids`` limits to these agencies (a government across its departments: pass all their
ids; an empty list finds nothing), or ``agency`` one ``Agency`` (both given: the intersection); ``category`` a ``codebook.Category`` value; ``year`` the year of the 发布日期;
``validity`` a ``codebook.Validity`` value. Only published items are found. ``SearchPage.total`` counts all matches;
``hits`` are the page, each with ``publication_id``, ``score``, ``title_html`` and ``snippet_html`` (escaped HTML
with ``<mark>``, safe to mark_safe) and the ``publication`` row itself (agency loaded). A page iterates over its
hits, and ``len(page)`` is the number of hits on it.
"""

from __future__ import annotations

from collections.abc import Sequence

from gongkai.agencies.models import Agency
from gongkai.search.backends import SearchPage, get_backend
from gongkai.search.models import IndexOutbox

__all__ = ["outbox_pending", "search"]


def search(
    query: str,
    *,
    agency_ids: Sequence[int] | None = None,
    agency: Agency | None = None,
    category: str | None = None,
    year: int | None = None,
    validity: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    if agency is not None:
        agency_ids = [pk for pk in agency_ids if pk == agency.pk] if agency_ids is not None else [agency.pk]
    return get_backend().search(
        query, agency_ids=agency_ids, category=category, year=year, validity=validity, limit=limit, offset=offset
    )


def outbox_pending() -> int:
    return IndexOutbox.objects.filter(processed_at__isnull=True).count()
