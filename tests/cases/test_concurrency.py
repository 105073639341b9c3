"""Concurrent public intakes: N applications submitted at the same moment get N gap-free case numbers and no error.

The counter row is locked (``select_for_update``) while a number is taken. PostgreSQL only: a deployed SQLite file
serialises writers (WAL, IMMEDIATE transactions, busy timeout), but the test database Django makes for SQLite is a
shared-cache in-memory database, where a second writer fails at once with "database table is locked" (SQLITE_LOCKED,
which no busy timeout waits for) — a property of the test database, not of the deployment.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.db.models.signals import post_migrate

from gongkai.agencies.models import Agency
from gongkai.audit.db import drop_triggers, install_triggers
from gongkai.cases import services
from gongkai.cases.models import Case, CaseDocument, ReceiptJob
from gongkai.cases.states import Status
from tests.cases.conftest import application
from tests.factories import make_agency, valid_id_number


def _submit_all(agency: Agency, n: int) -> tuple[list[Case], list[BaseException]]:
    barrier = threading.Barrier(n)
    created: list[Case] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def submit(i: int) -> None:
        try:
            data = application(id_number=valid_id_number(serial=f"{100 + i:03d}"), applicant_name=f"申请人{i}")
            barrier.wait(timeout=30)
            case = services.case_submit_online(agency=agency, data=data)
            with lock:
                created.append(case)
        except BaseException as error:  # every failure is reported by the test
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return created, errors


def _check(agency: Agency, n: int, created: list[Case], errors: list[BaseException]) -> None:
    assert errors == []
    assert len(created) == n
    rows = list(Case.objects.filter(agency=agency).values_list("year", "seq", "number", "status"))
    years = {year for year, _seq, _number, _status in rows}
    assert len(years) == 1
    year = years.pop()
    assert sorted(seq for _year, seq, _number, _status in rows) == list(range(1, n + 1))
    assert sorted(number for _year, _seq, number, _status in rows) == [f"{year}-{s:04d}" for s in range(1, n + 1)]
    assert {status for *_rest, status in rows} == {Status.PENDING}


@pytest.fixture
def no_receipt(monkeypatch: Any) -> None:
    """The receipt PDF is rendered on commit (the receipt job, GONGKAI_RECEIPTS=inline); it has nothing to do with
    numbering and would only slow the test."""
    monkeypatch.setattr(services, "receipt_issue", lambda case, what="submitted": None)


_REINSTALL_UID = "tests.cases.test_concurrency.reinstall_audit_triggers"
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _reinstall_audit_triggers(sender: Any, using: str = "default", **kwargs: Any) -> None:
    post_migrate.disconnect(dispatch_uid=_REINSTALL_UID)
    install_triggers(connections[using])


@pytest.fixture
def flushable_audit_log(transactional_db: None) -> Iterator[None]:
    """Real commits, so pytest-django empties every table afterwards, which the audit table's append-only triggers
    refuse: drop them for that flush only and put them back from the ``post_migrate`` signal the flush sends (the same
    arrangement as tests/browser/conftest.py, which explains it)."""
    connection = connections["default"]
    post_migrate.disconnect(dispatch_uid=_REINSTALL_UID)
    install_triggers(connection)
    yield
    post_migrate.connect(_reinstall_audit_triggers, dispatch_uid=_REINSTALL_UID, weak=False)
    drop_triggers(connection)


# Skipped before any fixture runs: on SQLite not even the transactional database is set up (see the module docstring).
@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRESQL, reason="row locks under real concurrency: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("flushable_audit_log", "no_receipt")
def test_concurrent_online_intakes() -> None:
    """Issue 4: case numbers per agency per year, gap-free and unique under concurrent submissions."""
    agency = make_agency("湛河区司法局")
    created, errors = _submit_all(agency, 20)
    _check(agency, 20, created, errors)
    # Every intake committed its receipt job and ran it after the commit — through the stand-in: nothing rendered.
    receipt_jobs = ReceiptJob.objects.filter(case__agency=agency)
    assert receipt_jobs.count() == 20
    assert not receipt_jobs.filter(done_at__isnull=True).exists()
    assert not CaseDocument.objects.filter(case__agency=agency).exists()
