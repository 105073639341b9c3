"""Bad input never produces a 500 on the public pages: random POST data against the application and tracking forms.

The test client re-raises any exception from a view, so an unhandled error fails the example before a 500 is rendered.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.agencies.models import Agency
from gongkai.cases.forms_public import ITEM_FIELDS, ITEM_ROWS
from tests.cases.test_public_views import PNG, form_data

FIELDS = [
    "applicant_type",
    "applicant_name",
    "id_type",
    "id_number",
    "contact_person",
    "phone",
    "email",
    "postal_address",
    "postcode",
    "provision_form",
    "obtain_method",
    "remarks",
    *(f"item-{n}-{name}" for n in range(1, ITEM_ROWS + 2) for name, _l, _m in ITEM_FIELDS),
]
CHOICES = [
    "natural_person",
    "commercial",
    "legal_service",
    "resident_id",
    "credit_code",
    "passport",
    "email",
    "post",
    "online",
    "paper",
]

_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(CHOICES),
    st.from_regex(r"\d{1,20}", fullmatch=True),
    st.sampled_from(
        ["", " ", "\x00", "０３７５－１２３４５６７", "a@b", "x" * 400, "長" * 6000, "<script>", "%00", "０" * 6]
    ),
)
_value = st.one_of(_text, st.lists(_text, min_size=0, max_size=3))
_file = st.builds(
    SimpleUploadedFile,
    # Names the test client can send at all (a browser's odd names are cleaned by Django's multipart parser).
    st.text(st.characters(exclude_characters="/\\\x00", exclude_categories=("Cs",)), min_size=1, max_size=30).filter(
        lambda name: name.strip(".") != ""
    ),
    st.one_of(st.binary(max_size=64), st.just(PNG), st.just(b"PK\x03\x04" + b"\x00" * 40)),
)
_files = st.one_of(_file, st.lists(_file, max_size=3))

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _ok(response: Any) -> None:
    assert response.status_code < 500, response.status_code


@FUZZ
@given(
    data=st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=12)), _value, max_size=25),
    files=st.dictionaries(st.sampled_from(["id_copy", "materials"]), _files, max_size=2),
)
def test_random_post_data_never_breaks_the_form(
    client: Client, agency: Agency, data: dict[str, Any], files: dict[str, Any]
) -> None:
    _ok(client.post(reverse("apply:form", args=[agency.code]), {**data, **files}))


@FUZZ
@given(
    overrides=st.dictionaries(st.sampled_from(FIELDS), st.one_of(_value, st.none()), max_size=6),
)
def test_valid_form_with_random_changes_never_breaks(client: Client, agency: Agency, overrides: dict[str, Any]) -> None:
    # None drops the key: a missing field rather than an empty one.
    _ok(client.post(reverse("apply:form", args=[agency.code]), form_data(**overrides)))


@FUZZ
@given(data=st.dictionaries(st.sampled_from(["code", "phone_last4", "t", "x"]), _value, max_size=4))
def test_random_tracking_input_never_breaks(client: Client, db: Any, data: dict[str, Any]) -> None:
    _ok(client.post(reverse("apply:track"), data))
    _ok(client.get(reverse("apply:track"), data))
    _ok(client.get(reverse("apply:case", args=["ABCD-EFGH-JKLM"]), data))
