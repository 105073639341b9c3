"""Backup tests commit for real (a backup sees only committed data), so pytest-django empties the database after each;
the audit table's append-only triggers are dropped for that flush only (the arrangement tests/browser/conftest.py
explains), and uploads go to a temporary media root."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connections
from django.db.models.signals import post_migrate

from gongkai.audit.db import drop_triggers, install_triggers
from gongkai.audit.services import audit_record
from gongkai.cases.models import AttachmentKind, Case, CaseAttachment
from gongkai.cases.states import Status
from tests.factories import make_agency, make_staff, valid_id_number

_REINSTALL_UID = "tests.backup.reinstall_audit_triggers"


def _reinstall_audit_triggers(sender: Any, using: str = "default", **kwargs: Any) -> None:
    post_migrate.disconnect(dispatch_uid=_REINSTALL_UID)
    install_triggers(connections[using])


@pytest.fixture
def flushable_audit_log(transactional_db: None) -> Iterator[None]:
    connection = connections["default"]
    post_migrate.disconnect(dispatch_uid=_REINSTALL_UID)
    install_triggers(connection)
    yield
    connection.close()  # a restore may have replaced the tables under this connection
    post_migrate.connect(_reinstall_audit_triggers, dispatch_uid=_REINSTALL_UID, weak=False)
    drop_triggers(connection)


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def make_world(tag: str) -> Case:
    """An agency, a staff user, a case with an uploaded file, and audit rows: without the clock's calendar, which an
    earlier flush may have emptied."""
    agency = make_agency()
    staff = make_staff()
    case = Case.objects.create(
        agency=agency,
        year=2026,
        seq=1,
        number=f"2026-{tag}",
        tracking_code=f"T{tag}{agency.pk}",
        channel="in_person",
        status=Status.PROCESSING,
        submitted_at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
        received_on=dt.date(2026, 3, 2),
        applicant_type="natural_person",
        applicant_name="测试申请人",
        id_type="resident_id",
        id_number=valid_id_number(),
        phone="13903751234",
        provision_form="paper",
        obtain_method="post",
    )
    content = f"身份证明复印件 {tag}".encode()
    attachment = CaseAttachment(
        case=case, kind=AttachmentKind.ID_COPY, original_name="id.png", content_type="image/png", size=len(content)
    )
    attachment.sha256 = "0" * 64
    attachment.file.save(f"copy-{tag}", ContentFile(content), save=False)
    attachment.save()
    for n in range(3):
        audit_record(action=f"test.{tag}.{n}", actor=staff, agency_id=agency.pk, obj=case, detail="备份测试")
    return case
