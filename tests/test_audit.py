"""The audit log is append-only (database triggers) and hash-chained (``gongkai audit verify`` finds tampering)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from gongkai.audit.db import drop_triggers
from gongkai.audit.models import AuditEvent
from gongkai.audit.services import audit_record, audit_verify
from tests.factories import make_agency, make_staff

pytestmark = pytest.mark.django_db


def _some_events() -> list[AuditEvent]:
    agency = make_agency()
    actor = make_staff()
    return [
        audit_record(
            action="agency.update", actor=actor, agency_id=agency.pk, obj=agency, before={"a": 1}, after={"a": 2}
        ),
        audit_record(
            action="agency.update", actor=actor, agency_id=agency.pk, obj=agency, before={"a": 2}, after={"a": 3}
        ),
        audit_record(action="auth.login", actor=actor),
        audit_record(action="agency.update", actor=actor, agency_id=agency.pk, obj=agency, detail="第三次"),
    ]


def test_rows_are_chained_per_agency_with_gap_free_sequence() -> None:
    events = _some_events()
    agency_events = [event for event in events if event.agency_id]
    assert [event.seq for event in agency_events] == [1, 2, 3]
    assert agency_events[1].prev_hash == agency_events[0].hash
    assert agency_events[0].prev_hash == "0" * 64
    assert events[2].chain == "platform"
    assert audit_verify().ok


@pytest.mark.parametrize("statement", ["UPDATE audit_auditevent SET action = 'x'", "DELETE FROM audit_auditevent"])
def test_update_and_delete_are_refused_by_the_database(statement: str) -> None:
    _some_events()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEvent.objects.count() == 4


def test_orm_update_is_refused_too() -> None:
    event = _some_events()[0]
    event.action = "forged"
    with pytest.raises(DatabaseError), transaction.atomic():
        event.save()


def test_verify_names_the_first_changed_row_when_triggers_are_dropped() -> None:
    events = _some_events()
    drop_triggers(connection)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET detail = 'changed' WHERE id = %s", [events[1].pk])
    result = audit_verify()
    assert not result.ok
    assert result.first_break is not None
    assert result.first_break.event_id == events[1].pk
    assert result.first_break.seq == 2
    with pytest.raises(CommandError) as raised:
        call_command("audit", "verify")
    assert raised.value.returncode == 1
    assert f"id={events[1].pk}" in str(raised.value)
    assert "被修改" in str(raised.value)


def test_verify_detects_a_deleted_row_and_a_cut_tail() -> None:
    events = _some_events()
    drop_triggers(connection)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[0].pk])
    broken = audit_verify().first_break
    assert broken is not None
    assert broken.seq == 1
    assert "缺少" in broken.reason


def test_verify_detects_a_cut_tail() -> None:
    audit_record(action="first")
    last = audit_record(action="second")
    drop_triggers(connection)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [last.pk])
    broken = audit_verify().first_break
    assert broken is not None
    assert broken.seq == 2
    assert "链尾" in broken.reason


def test_cli_reports_an_intact_log() -> None:
    _some_events()
    from io import StringIO

    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "无断裂" in out.getvalue()
