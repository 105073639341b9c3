"""Every public form on random input: the online application, tracking, withdrawal, subscription, account signup,
login and profile, the public deadline calculator, and the portal's search and catalogue filters — never a 5xx.

The test client re-raises any exception from a view, so an unhandled error fails the example before a 500 is
rendered; a 5xx status fails it too.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from gongkai.agencies.models import Agency
from gongkai.cases import services
from gongkai.cases.views_public import SESSION_VERIFIED
from tests.cases.conftest import application
from tests.cases.test_public_fuzz import FIELDS, _files, _value
from tests.cases.test_public_views import form_data
from tests.factories import make_public
from tests.fuzz.profile import fuzz

_short = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "\x00", "a@b.cn", "x" * 300, "長" * 2000, "<script>", "%00", "../../etc/passwd", "1"]),
    st.from_regex(r"\d{1,12}", fullmatch=True),
)
_params = st.one_of(_short, st.lists(_short, max_size=3))


def _ok(response: Any) -> None:
    assert response.status_code < 500, response.status_code


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@fuzz(25)
@given(
    data=st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=12)), _value, max_size=25),
    files=st.dictionaries(st.sampled_from(["id_copy", "materials"]), _files, max_size=2),
    valid_base=st.booleans(),
)
def test_application_form(
    client: Client, agency: Agency, data: dict[str, Any], files: dict[str, Any], valid_base: bool
) -> None:
    body = {**(form_data() if valid_base else {}), **data, **files}
    _ok(client.post(reverse("apply:form", args=[agency.code]), body))


@fuzz(25)
@given(
    data=st.dictionaries(st.sampled_from(["code", "phone_last4", "t", "x"]), _params, max_size=4),
    code=st.from_regex(r"[A-Za-z0-9_-]{1,40}", fullmatch=True),
    ids=st.tuples(st.integers(min_value=0, max_value=2**31), st.sampled_from(["pdf", "docx", "exe", "x"])),
)
def test_tracking(client: Client, db: Any, data: dict[str, Any], code: str, ids: tuple[int, str]) -> None:
    _ok(client.post(reverse("apply:track"), data))
    _ok(client.get(reverse("apply:track"), data))
    _ok(client.get(reverse("apply:case", args=[code]), data))
    _ok(client.get(reverse("apply:document", args=[code, ids[0], ids[1]])))
    _ok(client.get(reverse("apply:file", args=[code, ids[0]])))


def _forget_messages(client: Client) -> None:
    """Drop the flash messages earlier examples left. A browser shows them on the page a redirect leads to; the fuzzer
    never follows, so once the case is withdrawn every example added two ("不能撤回") to the session, which each request
    then loaded and re-signed whole: a 100,000-input run grew quadratic (py-spy: in CookieStorage._store)."""
    client.cookies.pop("messages", None)
    session = client.session
    if session.pop("_messages", None) is not None:
        session.save()


@pytest.fixture
def verified_case(client: Client, agency: Agency) -> Any:
    case = services.case_submit_online(agency=agency, data=application())
    session = client.session
    session[SESSION_VERIFIED] = [case.pk]
    session.save()
    return case


@fuzz(25)
@given(data=st.dictionaries(st.sampled_from(["reason", "confirm", "x"]), _params, max_size=3))
def test_withdrawal(client: Client, verified_case: Any, data: dict[str, Any]) -> None:
    _forget_messages(client)
    url = reverse("apply:withdraw", args=[verified_case.tracking_code])
    _ok(client.get(url))
    _ok(client.post(url, data))


@fuzz(25)
@given(
    data=st.dictionaries(st.sampled_from(["email", "agency", "category", "keyword", "x"]), _params, max_size=5),
    token=st.text(st.characters(exclude_characters="/\x00", exclude_categories=("Cs",)), min_size=1, max_size=60),
)
def test_subscription(client: Client, agency: Agency, data: dict[str, Any], token: str) -> None:
    if data.get("agency") == "1":
        data["agency"] = str(agency.pk)
    _ok(client.get(reverse("subscriptions:subscribe"), data))
    _ok(client.post(reverse("subscriptions:subscribe"), data))
    _ok(client.get(reverse("subscriptions:confirm", args=[token])))
    _ok(client.post(reverse("subscriptions:confirm", args=[token])))
    _ok(client.get(reverse("subscriptions:unsubscribe", args=[token])))
    _ok(client.post(reverse("subscriptions:unsubscribe", args=[token])))


ACCOUNT_FIELDS = ["username", "full_name", "email", "id_type", "id_number", "phone", "password1", "password2"]


@fuzz(25)
@given(
    data=st.dictionaries(st.sampled_from([*ACCOUNT_FIELDS, "x"]), _params, max_size=9),
    login=st.dictionaries(st.sampled_from(["username", "password", "next"]), _params, max_size=3),
)
def test_signup_and_login(client: Client, db: Any, data: dict[str, Any], login: dict[str, Any]) -> None:
    _ok(client.post(reverse("account:register"), data))
    client.logout()
    _ok(client.post(reverse("account:login"), login))
    _ok(client.get(reverse("account:login"), login))


@fuzz(20)
@given(
    data=st.dictionaries(
        st.sampled_from(["full_name", "id_type", "id_number", "phone", "postal_address", "postcode", "x"]),
        _params,
        max_size=7,
    ),
    field=st.from_regex(r"[-a-zA-Z0-9_]{1,20}", fullmatch=True),
)
def test_profile_of_a_signed_in_applicant(client: Client, applicant: Any, data: dict[str, Any], field: str) -> None:
    client.force_login(applicant)
    _ok(client.post(reverse("account:profile_edit"), data))
    _ok(client.get(reverse("account:profile")))
    _ok(client.post(reverse("account:reveal", args=[field])))


@pytest.fixture
def applicant(db: Any) -> Any:
    return make_public()


DEADLINE_FIELDS = [
    "received",
    "correction_requested",
    "correction_received",
    "consultation_started",
    "consultation_ended",
    "extended_on",
    "extension_days",
    "fee_notified",
    "fee_paid",
    "delay_set_on",
    "delay_until",
]
_date_text = st.one_of(
    st.dates().map(str),
    st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2027, 12, 31)).map(str),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    _short,
)


@fuzz(40)
@given(
    data=st.dictionaries(
        st.sampled_from([*DEADLINE_FIELDS, "x"]), st.one_of(_date_text, st.lists(_date_text, max_size=2)), max_size=11
    )
)
def test_deadline_calculator(client: Client, db: Any, data: dict[str, Any]) -> None:
    _ok(client.get(reverse("tools:deadline"), data))


@fuzz(20)
@given(
    data=st.dictionaries(st.sampled_from(["q", "agency", "page", "year", "category", "sort", "x"]), _params, max_size=6)
)
def test_portal_search_and_catalogue_filters(client: Client, agency: Agency, data: dict[str, Any]) -> None:
    _ok(client.get(reverse("portal:search"), data))
    _ok(client.get(reverse("portal:catalogue", args=[agency.code]), data))


def test_deadline_calculator_with_two_bad_dates_is_a_400(client: Client, db: Any) -> None:
    # Found by the fuzzer: an error added while DeadlineForm.clean walked cleaned_data raised RuntimeError (a 500).
    response = client.get(
        reverse("tools:deadline"),
        {"received": "2025-01-02", "fee_paid": "1900-01-01", "correction_requested": "2024-12-01"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize("url", ["account:login", "staff:login"])
def test_overlong_username_on_login_is_refused_not_a_500(client: Client, db: Any, url: str) -> None:
    # Found by the fuzzer on PostgreSQL: django-axes logged the failed login into a varchar(255) column.
    response = client.post(reverse(url), {"username": "長" * 2000, "password": "x"})
    assert response.status_code < 500
