"""Two machines purging at once: a case another transaction holds is skipped (SKIP LOCKED), not waited for, and
left for the next run; PostgreSQL only (SQLite has one writer at a time)."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from django.conf import settings
from django.db import connections

from gongkai.cases.models import Case
from gongkai.cases.states import Status
from gongkai.privacy.services import ANONYMISED_NAME, privacy_purge
from tests.backup.conftest import flushable_audit_log  # noqa: F401 — fixture
from tests.factories import make_agency

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _closed(agency: object, n: int) -> Case:
    return Case.objects.create(
        agency=agency,
        year=2014,
        seq=n,
        number=f"2014-{n:04d}",
        tracking_code=f"P{n}",
        channel="in_person",
        status=Status.CLOSED,
        outcome="disclosed",
        submitted_at=dt.datetime(2014, 3, 3, tzinfo=dt.UTC),
        received_on=dt.date(2014, 3, 3),
        closed_on=dt.date(2014, 3, 20),
        applicant_type="natural_person",
        applicant_name=f"申请人{n}号",
        id_type="resident_id",
        provision_form="paper",
        obtain_method="post",
    )


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRESQL, reason="row locks: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("flushable_audit_log")
def test_a_case_locked_by_another_machine_is_skipped_then_done_next_time() -> None:
    agency = make_agency()
    first, held, third = (_closed(agency, n) for n in (1, 2, 3))
    params = connections["default"].settings_dict
    other = psycopg.connect(
        dbname=params["NAME"],
        user=params["USER"] or "postgres",
        host=params["HOST"] or "127.0.0.1",
        port=params["PORT"] or 5432,
    )
    try:
        other.execute("SELECT id FROM cases_case WHERE id = %s FOR UPDATE", [held.pk])
        result = privacy_purge(before=dt.date(2016, 1, 1))
        assert (result.candidates, result.anonymised, result.skipped) == (3, 2, 1)
    finally:
        other.rollback()
        other.close()
    assert Case.objects.get(pk=held.pk).anonymised_at is None
    assert {Case.objects.get(pk=c.pk).applicant_name for c in (first, third)} == {ANONYMISED_NAME}
    again = privacy_purge(before=dt.date(2016, 1, 1))
    assert (again.candidates, again.anonymised, again.skipped) == (1, 1, 0)
