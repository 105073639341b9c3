"""Applicants' ID numbers and phones: encrypted at rest, found by blind index, masked, audited when revealed, rotatable."""

from __future__ import annotations

import base64
import json
import secrets
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings

from gongkai.accounts.models import ApplicantProfile
from gongkai.audit.models import AuditEvent
from gongkai.core import crypto
from gongkai.core.fields import lookup
from tests.factories import make_public, valid_id_number

pytestmark = pytest.mark.django_db


def _raw(profile: ApplicantProfile) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM accounts_applicantprofile WHERE id = %s", [profile.pk])
        row = cursor.fetchone()
    return row[0], row[1]


def test_stored_values_are_ciphertext_bound_to_their_column() -> None:
    user = make_public()
    profile = ApplicantProfile.objects.get(user=user)
    raw_id, raw_phone = _raw(profile)
    assert raw_id.startswith("gk1$")
    assert valid_id_number() not in raw_id
    assert "13903751234" not in raw_phone
    assert profile.id_number == valid_id_number()
    # The same value twice gives two different ciphertexts (fresh nonce), and a ciphertext moved to another column
    # does not decrypt.
    assert crypto.encrypt("x", context="a") != crypto.encrypt("x", context="a")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(raw_id, context="accounts.applicantprofile.phone")


def test_blind_index_finds_an_applicant_by_exact_number() -> None:
    user = make_public()
    found = ApplicantProfile.objects.filter(**lookup(ApplicantProfile, "id_number", valid_id_number().lower()))
    assert list(found.values_list("user_id", flat=True)) == [user.pk]
    assert not ApplicantProfile.objects.filter(**lookup(ApplicantProfile, "phone", "13900000000")).exists()
    with pytest.raises(TypeError):
        ApplicantProfile.objects.filter(id_number=valid_id_number()).exists()


def test_profile_page_masks_and_reveal_is_audited() -> None:
    user = make_public()
    client = Client()
    client.force_login(user)
    page = client.get("/account/").content.decode()
    assert valid_id_number() not in page
    assert "13903751234" not in page
    assert "410***********" in page
    assert "139****1234" in page
    assert not AuditEvent.objects.filter(action="personal_data.reveal").exists()
    revealed = client.post("/account/reveal/phone/", follow=True).content.decode()
    assert "13903751234" in revealed
    event = AuditEvent.objects.get(action="personal_data.reveal")
    # POST-redirect-GET: a reload shows the masked number again and writes no second audit row.
    reloaded = client.get("/account/").content.decode()
    assert "13903751234" not in reloaded
    assert AuditEvent.objects.filter(action="personal_data.reveal").count() == 1
    assert event.actor_id == user.pk
    assert event.after == {"field": "phone", "masked": "139****1234"}
    assert "13903751234" not in json.dumps(event.after)
    # The edit form never shows the numbers in clear either.
    edit = client.get("/account/edit/").content.decode()
    assert valid_id_number() not in edit
    assert "13903751234" not in edit


def test_key_rotation_reencrypts_every_row(tmp_path: Path) -> None:
    user = make_public()
    profile = ApplicantProfile.objects.get(user=user)
    old = crypto.key_ring()
    old_id, _ = _raw(profile)
    assert crypto.key_id_of(old_id) == old.active_id
    new_key = base64.b64encode(secrets.token_bytes(32)).decode()
    keys = ",".join([f"k2={new_key}"] + [f"{kid}={base64.b64encode(key).decode()}" for kid, key in old.keys.items()])
    new_index = base64.b64encode(secrets.token_bytes(32)).decode()
    crypto.key_ring.cache_clear()
    try:
        with override_settings(PII_KEYS=keys, PII_INDEX_KEY=new_index):
            out = StringIO()
            call_command("pii", "rotate", stdout=out)
            assert "k2" in out.getvalue()
            new_id, _ = _raw(profile)
            assert crypto.key_id_of(new_id) == "k2"
            reloaded = ApplicantProfile.objects.get(pk=profile.pk)
            assert reloaded.id_number == valid_id_number()
            assert ApplicantProfile.objects.filter(**lookup(ApplicantProfile, "id_number", valid_id_number())).exists()
    finally:
        crypto.key_ring.cache_clear()
