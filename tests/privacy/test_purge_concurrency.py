"""Two machines purging at once: a case, complaint or appeal another transaction holds is skipped (SKIP LOCKED), not
waited for, and left for the next run; PostgreSQL only (SQLite has one writer at a time)."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from django.conf import settings
from django.db import connections

from gongkai.appeals.models import Appeal
from gongkai.cases.models import Case
from gongkai.cases.states import Status
from gongkai.privacy.services import ANONYMISED_NAME, privacy_purge
from gongkai.rectification.models import Complaint
from tests.appeals.factories import make_appeal
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


def _closed_complaint(office: object, agency: object, n: int) -> Complaint:
    return Complaint.objects.create(
        office=office,
        agency=agency,
        year=2014,
        seq=n,
        number=f"2014-{n:04d}",
        tracking_code=f"C{n}",
        channel="letter",
        complaint_type="not_answered",
        complainant_name=f"投诉人{n}号",
        description="申请未获答复",
        received_on=dt.date(2014, 3, 3),
        reply_due=dt.date(2014, 5, 2),
        status="closed",
        conclusion="unsubstantiated",
        closed_on=dt.date(2014, 3, 20),
    )


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRESQL, reason="row locks: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("flushable_audit_log")
def test_complaints_and_appeals_locked_by_another_machine_are_skipped_too() -> None:
    office, agency = make_agency(), make_agency()
    complaints = [_closed_complaint(office, agency, n) for n in (1, 2)]
    appeals = [make_appeal(agency, "2014-04-01", result="rc_upheld", result_on="2014-06-02") for _ in range(2)]
    params = connections["default"].settings_dict
    other = psycopg.connect(
        dbname=params["NAME"],
        user=params["USER"] or "postgres",
        host=params["HOST"] or "127.0.0.1",
        port=params["PORT"] or 5432,
    )
    try:
        other.execute("SELECT id FROM rectification_complaint WHERE id = %s FOR UPDATE", [complaints[0].pk])
        other.execute("SELECT id FROM appeals_appeal WHERE id = %s FOR UPDATE", [appeals[1].pk])
        result = privacy_purge(before=dt.date(2016, 1, 1))
        assert (result.complaints.candidates, result.complaints.anonymised, result.complaints.skipped) == (2, 1, 1)
        assert (result.appeals.candidates, result.appeals.anonymised, result.appeals.skipped) == (2, 1, 1)
    finally:
        other.rollback()
        other.close()
    assert Complaint.objects.get(pk=complaints[0].pk).anonymised_at is None
    assert Appeal.objects.get(pk=appeals[1].pk).appellant == "张三"
    again = privacy_purge(before=dt.date(2016, 1, 1))
    assert (again.complaints.anonymised, again.appeals.anonymised, again.skipped) == (1, 1, 0)
    assert set(Complaint.objects.values_list("complainant_name", flat=True)) == {ANONYMISED_NAME}
    assert set(Appeal.objects.values_list("appellant", flat=True)) == {ANONYMISED_NAME}
