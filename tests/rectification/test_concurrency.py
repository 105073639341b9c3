"""Under real concurrency (PostgreSQL only, see tests/cases/test_concurrency.py for why): the same public form posted
at once files one complaint; notices issued at once get gap-free numbers."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone

from gongkai.accounts.roles import Role
from gongkai.rectification import services
from gongkai.rectification.models import Complaint, Notice
from tests.cases.test_concurrency import ON_POSTGRESQL, flushable_audit_log  # noqa: F401  (fixture)
from tests.factories import make_agency, make_staff

N = 8


def _run_all(work: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    barrier = threading.Barrier(N)
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            result = work(i)
            with lock:
                results.append(result)
        except BaseException as error:  # every failure is reported by the test
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(N)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors


pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not ON_POSTGRESQL, reason="row locks under real concurrency: PostgreSQL only"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("flushable_audit_log"),
]


def test_the_same_form_posted_at_once_files_one_complaint() -> None:
    office = make_agency("湛河区政务公开办")
    agency = make_agency("湛河区司法局", supervisor=office)
    key = "a" * 32

    def submit(_i: int) -> tuple[int, bool]:
        complaint, created = services.complaint_submit_online(
            agency=agency,
            complaint_type="not_answered",
            description="逾期未答复",
            complainant_name="张三",
            phone="13903751234",
            submission_key=key,
        )
        return complaint.pk, created

    results, errors = _run_all(submit)
    assert errors == []
    assert len({pk for pk, _created in results}) == 1
    assert sum(created for _pk, created in results) == 1
    assert Complaint.objects.count() == 1
    assert Complaint.objects.get().seq == 1


def test_notices_issued_at_once_get_gap_free_numbers() -> None:
    office = make_agency("湛河区政务公开办", short_name="湛河公开办")
    agency = make_agency("湛河区司法局", supervisor=office)
    supervisor = make_staff(office, Role.SUPERVISOR)
    today = timezone.localdate()
    drafts = [
        services.notice_create(
            office=office,
            agency=agency,
            actor=supervisor,
            title=f"通知{i}",
            basis="routine",
            deadline=today + dt.timedelta(days=10),
            items=[services.ItemInput("问题", "要求")],
        )
        for i in range(N)
    ]
    _results, errors = _run_all(lambda i: services.notice_issue(notice=drafts[i], actor=supervisor))
    assert errors == []
    assert sorted(Notice.objects.values_list("seq", flat=True)) == list(range(1, N + 1))
