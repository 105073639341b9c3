"""Every public form on random input: the online application, tracking, withdrawal, subscription, account signup,
login, profile and password change, the 投诉举报 form and its tracking, the public deadline calculator, and the portal's
search and catalogue filters — never a 5xx.

The test client re-raises any exception from a view, so an unhandled error fails the example before a 500 is
rendered; a 5xx status fails it too.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from gongkai.accounts.models import IdType
from gongkai.agencies.models import Agency
from gongkai.cases import services
from gongkai.cases.views_public import SESSION_VERIFIED, TRACK_FAILED
from gongkai.ratelimit.captcha import captcha_needed
from gongkai.ratelimit.services import RATE_SETTINGS, rate_from_settings
from gongkai.rectification import services as complaints
from gongkai.subscriptions.models import Subscription
from gongkai.subscriptions.tokens import new_token, unsubscribe_token
from tests.cases.conftest import application
from tests.cases.test_public_fuzz import FIELDS, _files, _value
from tests.cases.test_public_views import form_data
from tests.factories import PASSWORD, make_public, valid_id_number
from tests.fuzz.profile import fuzz
from tests.rectification.conftest import World
from tests.rectification.test_public import FIELDS as COMPLAINT_FIELDS
from tests.rectification.test_public import _value as _complaint_value

_short = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "\x00", "a@b.cn", "x" * 300, "長" * 2000, "<script>", "%00", "../../etc/passwd", "1"]),
    st.from_regex(r"\d{1,12}", fullmatch=True),
)
_params = st.one_of(_short, st.lists(_short, max_size=3))


def _ok(response: Any) -> None:
    assert response.status_code < 500, response.status_code


def aimed_look_up(data: dict[str, Any], tracked: Any, real: tuple[bool, bool]) -> dict[str, Any]:
    """A tracking look-up aimed at ``tracked`` (a case or a complaint): with ``real[0]`` it names its tracking code,
    and with ``real[1]`` too the last four digits of its phone, so that the digits decide and the found page renders;
    otherwise the generated fields as they are."""
    if not real[0]:
        return data
    aimed = {**data, "code": tracked.tracking_code}
    if real[1]:
        aimed["phone_last4"] = tracked.phone[-4:]
    return aimed


def fresh_session(client: Client) -> None:
    """Start the example in a new browser session: the per-session brakes (ten failed look-ups, five sign-ups an
    hour) would otherwise lock every later example of a run out of the form."""
    client.cookies.clear()


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
    real_code=st.tuples(st.booleans(), st.booleans()),
)
def test_tracking(
    client: Client,
    verified_case: Any,
    data: dict[str, Any],
    code: str,
    ids: tuple[int, str],
    real_code: tuple[bool, bool],
) -> None:
    fresh_session(client)
    data = aimed_look_up(data, verified_case, real_code)
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


@contextmanager
def rolled_back() -> Iterator[None]:
    """One input in a savepoint that is rolled back (the test client runs the view on this connection), so that every
    input meets the same world: else the first input that withdraws the case leaves all later ones at "不能撤回"."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def verified_cases(client: Client, agency: Agency, handler: Any) -> list[Any]:
    """A 待确认 case (withdrawing it cancels it) and an 办理中 one (withdrawing it closes it), both proved in this
    session."""
    pending = services.case_submit_online(agency=agency, data=application())
    processing = services.case_submit_online(agency=agency, data=application())
    services.case_confirm_receipt(case=processing, actor=handler, received_on=timezone.localdate())
    session = client.session
    session[SESSION_VERIFIED] = [pending.pk, processing.pk]
    session.save()
    return [pending, processing]


@pytest.fixture
def verified_case(verified_cases: list[Any]) -> Any:
    return verified_cases[0]


@fuzz(25)
@given(data=st.dictionaries(st.sampled_from(["reason", "confirm", "x"]), _params, max_size=3), which=st.booleans())
def test_withdrawal(client: Client, verified_cases: list[Any], data: dict[str, Any], which: bool) -> None:
    _forget_messages(client)
    url = reverse("apply:withdraw", args=[verified_cases[which].tracking_code])
    with rolled_back():
        _ok(client.get(url))
        _ok(client.post(url, data))


@pytest.fixture
def subscription_links(agency: Agency) -> tuple[str, str]:
    """The confirmation and unsubscribe tokens of an unconfirmed subscription, as its mail would carry them."""
    raw, digest = new_token()
    subscription = Subscription.objects.create(email="dingyue@example.cn", agency=agency, token_hash=digest)
    return raw, unsubscribe_token(subscription.pk)


@fuzz(25)
@given(
    data=st.dictionaries(st.sampled_from(["email", "agency", "category", "keyword", "x"]), _params, max_size=5),
    token=st.text(st.characters(exclude_characters="/\x00", exclude_categories=("Cs",)), min_size=1, max_size=60),
    real=st.tuples(st.booleans(), st.booleans()),
)
def test_subscription(
    client: Client,
    agency: Agency,
    subscription_links: tuple[str, str],
    data: dict[str, Any],
    token: str,
    real: tuple[bool, bool],
) -> None:
    fresh_session(client)
    # Half the sign-ups start from a valid one; half the links are the subscription's own. Each input alone: a
    # confirmation or unsubscription is rolled back for the next.
    data = {**({"email": "fuzz@example.cn", "agency": str(agency.pk)} if real[0] else {}), **data}
    if data.get("agency") == "1":
        data["agency"] = str(agency.pk)
    confirm, unsubscribe = subscription_links if real[1] else (token, token)
    with rolled_back():
        _ok(client.get(reverse("subscriptions:subscribe"), data))
        _ok(client.post(reverse("subscriptions:subscribe"), data))
        _ok(client.get(reverse("subscriptions:confirm", args=[confirm])))
        _ok(client.post(reverse("subscriptions:confirm", args=[confirm])))
        _ok(client.get(reverse("subscriptions:unsubscribe", args=[unsubscribe])))
        _ok(client.post(reverse("subscriptions:unsubscribe", args=[unsubscribe])))


ACCOUNT_FIELDS = ["username", "full_name", "email", "id_type", "id_number", "phone", "password1", "password2"]
NEW_PASSWORD = "Xin-mima-2026"


def _signup() -> dict[str, str]:
    return {
        "username": "fuzz_user",
        "full_name": "王小明",
        "email": "wangxm@example.com",
        "id_type": IdType.RESIDENT_ID,
        "id_number": valid_id_number(),
        "phone": "13912345678",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }


@fuzz(25)
@given(
    data=st.dictionaries(st.sampled_from([*ACCOUNT_FIELDS, "x"]), _params, max_size=9),
    login=st.dictionaries(st.sampled_from(["username", "password", "next"]), _params, max_size=3),
    valid_base=st.tuples(st.booleans(), st.booleans()),
)
def test_signup_and_login(
    client: Client, db: Any, data: dict[str, Any], login: dict[str, Any], valid_base: tuple[bool, bool]
) -> None:
    # Over a valid sign-up (half the inputs) the fields that are left reach the account's creation; over the new
    # account's name and password (half the log-ins), the log-in itself. Each input alone: the account is rolled back.
    signup = {**(_signup() if valid_base[0] else {}), **data}
    credentials = {**({"username": "fuzz_user", "password": NEW_PASSWORD} if valid_base[1] else {}), **login}
    with rolled_back():
        _ok(client.post(reverse("account:register"), signup))
        client.logout()
        _ok(client.post(reverse("account:login"), credentials))
        _ok(client.get(reverse("account:login"), credentials))
        client.logout()


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


@fuzz(20)
@given(
    data=st.dictionaries(st.sampled_from(["old_password", "new_password1", "new_password2", "x"]), _params, max_size=4),
    right_old=st.booleans(),
)
def test_password_change_of_a_signed_in_applicant(
    client: Client, applicant: Any, data: dict[str, Any], right_old: bool
) -> None:
    if right_old:  # half the inputs get past the old password to the policy checks and the change itself
        data = {**data, "old_password": PASSWORD}
    client.force_login(applicant)
    with rolled_back():  # a password that was changed is the old one again for the next input
        _ok(client.post(reverse("account:password_change"), data))
        _ok(client.get(reverse("account:password_change")))


@pytest.fixture
def applicant(db: Any) -> Any:
    return make_public()


@fuzz(25)
@given(
    data=st.dictionaries(
        st.one_of(st.sampled_from(COMPLAINT_FIELDS), st.text(max_size=12)), _complaint_value, max_size=10
    ),
    valid_base=st.booleans(),
)
def test_complaint_form(client: Client, world: World, data: dict[str, Any], valid_base: bool) -> None:
    base = {
        "agency": str(world.dept_a.pk),
        "complaint_type": "other",
        "complainant_name": "张三",
        "phone": "13903751234",
        "description": "申请逾期未答复",
        "form_token": secrets.token_hex(16),  # a new form each example: else the first complaint is found again
    }
    _ok(client.post(reverse("complaints:form"), {**(base if valid_base else {}), **data}))


@pytest.fixture
def complaint(world: World) -> Any:
    filed, _created = complaints.complaint_submit_online(
        agency=world.dept_a,
        complaint_type="not_answered",
        description="申请逾期未答复",
        complainant_name="张三",
        phone="13903751234",
        submission_key=secrets.token_hex(16),
    )
    return filed


@fuzz(25)
@given(
    data=st.dictionaries(st.sampled_from(["code", "phone_last4", "x"]), _complaint_value, max_size=3),
    real_code=st.tuples(st.booleans(), st.booleans()),
)
def test_complaint_tracking(client: Client, complaint: Any, data: dict[str, Any], real_code: tuple[bool, bool]) -> None:
    fresh_session(client)
    data = aimed_look_up(data, complaint, real_code)
    _ok(client.post(reverse("complaints:track"), data))
    _ok(client.get(reverse("complaints:track"), data))
    _ok(client.get(reverse("complaints:submitted"), data))


def test_the_fuzz_world_lifts_every_brake(client: Client, agency: Agency) -> None:
    """A long run must reach the forms, not the 429 page: every rate limit is off, the CAPTCHA never asked, and a
    fresh session per example keeps the per-session brakes from locking a run out (the first long runs of the
    application, tracking, subscription and sign-up forms met these after a few dozen inputs)."""
    assert [name for name in RATE_SETTINGS if rate_from_settings(name) is not None] == []
    assert not captcha_needed(10**6)
    for _ in range(12):  # past the ten failed look-ups a session may make
        fresh_session(client)
        response = client.post(reverse("apply:track"), {"code": "NOSUCHCODE", "phone_last4": "1234"})
        assert response.status_code == 200
        assert TRACK_FAILED in response.content.decode()


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


def test_sign_up_with_a_weak_password_names_it_not_a_500(client: Client, db: Any) -> None:
    # Found by the fuzzer (once sign-ups started from a valid registration): the password policy's refusal reached the
    # view as a bare list, which `message_dict` cannot read — an AttributeError, a 500 — for any valid identity with a
    # weak password. Now every problem is named at once, next to its field.
    taken = make_public()
    data = {**_signup(), "username": taken.username, "id_number": "12345", "password1": "abc"}
    data["password2"] = "abc"
    response = client.post(reverse("account:register"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert any("密码太短" in message for message in form.errors["password1"])
    assert form.errors["username"] == ["该用户名已被使用"]
    assert "id_number" in form.errors
    assert not type(taken).objects.filter(username="fuzz_user").exists()

    weak_only = {**_signup(), "password1": "abc", "password2": "abc"}
    response = client.post(reverse("account:register"), weak_only)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["password1"]
    assert not type(taken).objects.filter(username="fuzz_user").exists()


_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def test_tracking_with_digits_other_than_0_to_9_is_refused_not_a_500(client: Client, verified_case: Any) -> None:
    # Found by the fuzzer (856 inputs): the form's "\d{4}" admitted "١٢٣٤" (Arabic-Indic digits), and comparing them
    # with hmac.compare_digest raised TypeError — a 500 for any tracking code, known or not.
    code = verified_case.tracking_code
    for digits in ("١٢٣٤", "12٣4", "²³⁴⁵"):
        response = client.post(reverse("apply:track"), {"code": code, "phone_last4": digits})
        assert response.status_code == 200
        assert response.context["form"].errors["phone_last4"] == ["手机号后四位应为4位数字"]
    # A Chinese input method's full-width digits are the applicant's own digits: they find the case.
    right = verified_case.phone[-4:].translate(_FULL_WIDTH)
    response = client.post(reverse("apply:track"), {"code": code, "phone_last4": right})
    assert response.status_code == 302
    assert response["Location"] == reverse("apply:case", args=[code])


def test_complaint_tracking_with_other_digits_is_refused_and_full_width_ones_find_it(
    client: Client, complaint: Any
) -> None:
    data = {"code": complaint.tracking_code, "phone_last4": "١٢٣٤"}
    response = client.post(reverse("complaints:track"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["phone_last4"] == ["请填写4位数字"]
    data["phone_last4"] = complaint.phone[-4:].translate(_FULL_WIDTH)
    response = client.post(reverse("complaints:track"), data)
    assert response.status_code == 200
    assert response.context["complaint"] == complaint
