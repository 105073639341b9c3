"""A response cache for the public portal's pages, for anonymous visitors only.

A page is stored under its full path (query string included), the day, the language and a **catalogue version**: one
SQL query, run before the page is rendered, over everything the page can show —

* every agency (names in breadcrumbs and the column, the home page's list): max ``updated_at``, how many, how many
  active; and whether the agency of the URL is active (if not, no cache at all: the view answers 404),
* the publications of the agency and of its child agencies (a government's 目录 lists its departments' items), and
  for an item page also the items linked to it from anywhere (its 解读, the item it interprets, the item replacing
  it): max ``updated_at`` and how many,
* the channel deliveries of those publications (whether an item is on the 门户网站): max ``updated_at`` and how many.

Every write the publications and agencies services make saves ``updated_at`` (publish, withdraw, edit, validity,
delivery), so the version changes in the same commit and the next request renders afresh: nothing is invalidated,
old entries just stop being asked for and expire. The counts catch inserts and deletions. One window remains: a
transaction that stamped ``updated_at`` *before* another, later-stamped change to the same agency's items committed,
but itself commits after a page was rendered between the two, leaves the maximum unchanged; entries therefore live
only ``TIMEOUT`` seconds, the same bound as the ``max-age`` sent to browsers. A write that bypasses ``save()``
(``QuerySet.update()``) is not seen — except an agency's deactivation, checked directly. The day is in the key for
text that depends on the date (the guide's 年报 deadline).

Not cached: search (its results come from the search index, which its outbox worker updates later), attachment
downloads and feeds.

Only requests without a session cookie and without a messages cookie read or fill the cache (a logged-in public user
sees their own nav; a flash message belongs to one visitor), and only a 200 that sets no cookie, used no CSRF token
and left no message is stored. Stored and served pages carry ``Vary: Cookie`` and ``Cache-Control: public,
max-age=60``. The backend is ``caches["default"]`` (per-process LocMemCache unless configured): correct with any
backend because the key holds the version.
"""

# ruff: noqa: S608 — the version query interpolates only table names from model metadata (quoted); values are params.
from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers

from gongkai.agencies.models import Agency
from gongkai.publications.models import ChannelDelivery, Publication

__all__ = ["MAX_AGE", "TIMEOUT", "cached_page", "catalogue_version"]

MAX_AGE = 60
TIMEOUT = 60
KEY_PREFIX = "portal:page:"

View = TypeVar("View", bound=Callable[..., HttpResponse])


def _sql(*, with_item: bool) -> str:
    """One row of single-row aggregates (a cross join of derived tables: portable to SQLite and PostgreSQL)."""
    q = connection.ops.quote_name
    agency = q(Agency._meta.db_table)
    pub = q(Publication._meta.db_table)
    delivery = q(ChannelDelivery._meta.db_table)
    # The agency and its children (``code`` is unique): a superset of ``selectors.catalogue_agencies``.
    ids = (
        f"SELECT id FROM {agency} WHERE code = %(code)s UNION ALL"
        f" SELECT id FROM {agency} WHERE parent_id = (SELECT id FROM {agency} WHERE code = %(code)s)"
    )
    sql = (
        f"SELECT * FROM (SELECT COUNT(*) FROM {agency} WHERE code = %(code)s AND is_active) ok,"
        f" (SELECT MAX(updated_at), COUNT(*), SUM(CASE WHEN is_active THEN 1 ELSE 0 END) FROM {agency}) a,"
        f" (SELECT MAX(updated_at), COUNT(*) FROM {pub} WHERE agency_id IN ({ids})) p,"
        f" (SELECT MAX(dv.updated_at), COUNT(*) FROM {delivery} dv JOIN {pub} pb ON dv.publication_id = pb.id"
        f" WHERE pb.agency_id IN ({ids})) d"
    )
    if with_item:
        # Linked items, whichever agency they belong to: its 解读, the item it interprets, the item replacing it.
        links = (
            f"SELECT id FROM {pub} WHERE interprets_id = %(pk)s UNION ALL"
            f" SELECT replaced_by_id FROM {pub} WHERE id = %(pk)s UNION ALL"
            f" SELECT interprets_id FROM {pub} WHERE id = %(pk)s"
        )
        sql += (
            f", (SELECT MAX(updated_at), COUNT(*) FROM {pub} WHERE id IN ({links})) l,"
            f" (SELECT MAX(updated_at), COUNT(*) FROM {delivery} WHERE publication_id IN ({links})) ld"
        )
    return sql


@functools.cache
def _cached_sql(vendor: str, with_item: bool) -> str:
    return _sql(with_item=with_item)


def catalogue_version(code: str | None, pk: int | None = None) -> tuple[Any, ...] | None:
    """The version of what a page of agency ``code`` (and item ``pk``) can show; None when the agency is not an active
    one (the page is a 404 then — never cached). ``code`` None: the home page (agencies only)."""
    sql = _cached_sql(connection.vendor, pk is not None)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"code": code or "", "pk": pk})
        row = cursor.fetchone()
    if code is not None and not row[0]:
        return None
    return tuple(str(value) for value in row[1:])


def _anonymous(request: HttpRequest) -> bool:
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and CookieStorage.cookie_name not in cookies


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies or response.has_header("Set-Cookie"):
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # the page holds a CSRF token: it is this visitor's
        return False
    session = getattr(request, "session", None)
    if session is not None and (session.modified or not session.is_empty()):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    messages = getattr(request, "_messages", None)
    return not (messages is not None and len(messages))


def _public(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ("Cookie",))
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


def _key(request: HttpRequest, version: tuple[Any, ...]) -> str:
    raw = "\x1f".join(
        (
            request.scheme or "",
            request.get_host(),
            request.get_full_path(),
            translation.get_language() or "",
            timezone.localdate().isoformat(),
            *version,
        )
    )
    return KEY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def cached_page(view: View) -> View:
    """Serve the view's page from the cache for anonymous GETs (see the module docstring)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "GET" or not _anonymous(request):
            return view(request, *args, **kwargs)
        version = catalogue_version(kwargs.get("code"), kwargs.get("pk"))
        if version is None:
            return view(request, *args, **kwargs)
        cache = caches["default"]
        key = _key(request, version)
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            return _public(HttpResponse(content, content_type=content_type))
        response = view(request, *args, **kwargs)
        if _storable(request, response):
            cache.set(key, (response.content, response["Content-Type"]), TIMEOUT)
            _public(response)
        return response

    return cast(View, wrapper)
