"""`gongkai privacy purge`: the applicant's data goes, every count stays, the audit chain still verifies."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection

from gongkai.audit.models import AuditEvent
from gongkai.audit.services import audit_verify
from gongkai.cases import services
from gongkai.cases.codebook import Outcome
from gongkai.cases.models import AttachmentKind, Case, CaseAttachment, CaseDocument
from gongkai.cases.selectors import table_three
from gongkai.core.fields import lookup
from gongkai.privacy.services import ANONYMISED_NAME, privacy_purge
from tests.cases.conftest import application, d
from tests.factories import valid_id_number

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

NAME = "欧阳明远"
EMAIL = "ouyang.mingyuan@example.com"
PHONE = "13911112222"
ADDRESS = "平顶山市湛河区光明路88号"
ID_NUMBER = valid_id_number(serial="421")


def _old_case(agency: Any, handler: Any, capture: Any) -> Case:
    """Applied online in March 2014 with an ID copy, answered and issued: every kind of personal data there is."""
    with time_machine.travel("2014-03-03 09:00 +0800", tick=False):
        with capture(execute=True):
            case = services.case_submit_online(
                agency=agency,
                data=application(
                    applicant_name=NAME,
                    email=EMAIL,
                    phone=PHONE,
                    id_number=ID_NUMBER,
                    postal_address=ADDRESS,
                    postcode="467000",
                    remarks=f"请寄给{NAME}本人，电话{PHONE}",
                    attachments=[services.UploadInput(name=f"{NAME}身份证.png", content=PNG, content_type="image/png")],
                ),
            )
        case = services.case_confirm_receipt(case=case, actor=handler, received_on=d("2014-03-03"))
        services.case_add_note(case=case, actor=handler, note=f"已电话联系{NAME}（{PHONE}）核实")
        with capture(execute=True):
            reply = services.case_reply(
                case=case,
                actor=handler,
                data=services.ReplyInput(outcome=Outcome.OTHER, on=d("2014-03-03"), text=f"已向{NAME}当面提供"),
            )
            services.document_issue(document=reply, actor=handler, on=d("2014-03-03"))
    return Case.objects.get(pk=case.pk)


def _recent_case(agency: Any, handler: Any) -> Case:
    """Another applicant with the same ID number, closed last year: inside retention, untouched."""
    with time_machine.travel("2025-05-06 09:00 +0800", tick=False):
        case = services.case_register(
            agency=agency,
            data=application(applicant_name="赵六", id_number=ID_NUMBER, email="zhaoliu@example.com"),
            channel="in_person",
            actor=handler,
            received_on=d("2025-05-06"),
        )
        services.case_reply(
            case=case,
            actor=handler,
            data=services.ReplyInput(outcome=Outcome.OTHER, on=d("2025-05-06"), text="已当场提供"),
        )
    return Case.objects.get(pk=case.pk)


def _files(case: Case, media_root: Path) -> list[Path]:
    names = [a.file.name for a in CaseAttachment.objects.filter(case=case) if a.file]
    for document in CaseDocument.objects.filter(case=case):
        names += [f.name for f in (document.docx, document.pdf) if f]
    return [media_root / name for name in names]


def _rows_mentioning(needles: list[str]) -> list[tuple[str, str]]:
    """Every row of every table except the audit log (append-only by law: see docs/security.md) that holds a needle."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table.startswith("audit_") or table.startswith("search_"):
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row)
                found += [(table, needle) for needle in needles if needle in text]
    return found


@time_machine.travel("2026-02-01 10:00 +0800", tick=False)
def test_purge_removes_the_applicant_and_keeps_every_count(
    agency: Any, handler: Any, media_root: Path, django_capture_on_commit_callbacks: Any, capsys: Any
) -> None:
    old = _old_case(agency, handler, django_capture_on_commit_callbacks)
    recent = _recent_case(agency, handler)
    files = _files(old, media_root)
    assert len(files) >= 3  # the ID copy, and the reply's (and receipt's) DOCX and PDF
    assert all(path.exists() for path in files)
    assert _rows_mentioning([NAME, EMAIL, ADDRESS])
    tables_before = {year: table_three([agency.pk], year).cells for year in (2014, 2025)}
    outcome_before = (old.outcome, old.closed_on, old.received_on, old.applicant_type, old.channel)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("privacy", "purge")
    assert "已匿名化 1 件申请" in capsys.readouterr().out

    old.refresh_from_db()
    assert old.anonymised_at is not None
    assert old.applicant_name == ANONYMISED_NAME
    assert (old.id_number, old.phone, old.email, old.postal_address, old.remarks) == (None, None, "", "", "")
    assert (old.id_number_index, old.phone_index) == (None, None)
    assert (old.outcome, old.closed_on, old.received_on, old.applicant_type, old.channel) == outcome_before
    # No table but the audit log still names them; the files they gave and the letters naming them are gone.
    assert _rows_mentioning([NAME, EMAIL, ADDRESS]) == []
    assert not any(path.exists() for path in files)
    assert CaseAttachment.objects.get(case=old, kind=AttachmentKind.ID_COPY).original_name == "（已删除）身份证明复印件"
    # The blind index no longer finds them; the recent case with the same ID number is still found.
    assert list(Case.objects.filter(**lookup(Case, "id_number", ID_NUMBER))) == [recent]
    assert Case.objects.filter(**lookup(Case, "phone", PHONE)).count() == 0
    recent.refresh_from_db()
    assert (recent.applicant_name, recent.anonymised_at) == ("赵六", None)
    # 表三 of both years, cell by cell, as before; the audit chain verifies and holds the anonymisation.
    assert {year: table_three([agency.pk], year).cells for year in (2014, 2025)} == tables_before
    assert audit_verify().ok
    event = AuditEvent.objects.get(action="privacy.anonymise")
    assert event.object_id == str(old.pk)
    assert event.actor_label == "系统"
    assert NAME not in str(event.after) + event.detail + event.object_repr

    # Idempotent: a second run finds nothing to do.
    call_command("privacy", "purge")
    assert "已匿名化 0 件申请" in capsys.readouterr().out
    assert AuditEvent.objects.filter(action="privacy.anonymise").count() == 1


@time_machine.travel("2026-02-01 10:00 +0800", tick=False)
def test_dry_run_changes_nothing(
    agency: Any, handler: Any, media_root: Path, django_capture_on_commit_callbacks: Any, capsys: Any
) -> None:
    old = _old_case(agency, handler, django_capture_on_commit_callbacks)
    files = _files(old, media_root)
    row = Case.objects.filter(pk=old.pk).values().get()
    audit_rows = AuditEvent.objects.count()
    call_command("privacy", "purge", "--dry-run")
    out = capsys.readouterr().out
    assert "试运行" in out
    assert f"将删除文件 {len(files)} 个" in out
    assert "申请 1 件" in out
    assert Case.objects.filter(pk=old.pk).values().get() == row
    assert all(path.exists() for path in files)
    assert AuditEvent.objects.count() == audit_rows


@time_machine.travel("2026-02-01 10:00 +0800", tick=False)
def test_before_narrows_and_may_not_pass_the_retention_end(
    agency: Any, handler: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    old = _old_case(agency, handler, django_capture_on_commit_callbacks)
    with pytest.raises(CommandError) as refused:
        call_command("privacy", "purge", "--before", "2020-01-01")
    assert refused.value.returncode == 2
    assert "保存期限届满日 2016-02-01" in str(refused.value)
    with pytest.raises(CommandError) as bad:
        call_command("privacy", "purge", "--before", "去年")
    assert bad.value.returncode == 2
    # Closed on 2014-03-03: not before 2014-03-03, so untouched; a shorter retention brings it in.
    assert privacy_purge(before=dt.date(2014, 3, 3)).anonymised == 0
    settings.GONGKAI_RETENTION_YEARS = 5
    call_command("privacy", "purge", "--before", "2020-01-01")
    old.refresh_from_db()
    assert old.anonymised_at is not None


@time_machine.travel("2026-02-01 10:00 +0800", tick=False)
def test_open_cases_are_never_purged(agency: Any, handler: Any) -> None:
    with time_machine.travel("2014-03-03 09:00 +0800", tick=False):
        case = services.case_register(
            agency=agency, data=application(), channel="in_person", actor=handler, received_on=d("2014-03-03")
        )
    assert privacy_purge(before=dt.date(2016, 1, 1)).candidates == 0
    case.refresh_from_db()
    assert case.applicant_name == "张三"


@time_machine.travel("2026-02-01 10:00 +0800", tick=False)
def test_a_case_under_an_open_appeal_waits_until_the_appeal_ends(
    agency: Any, handler: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from gongkai.appeals.models import Appeal
    from gongkai.appeals.models import Status as AppealStatus

    old = _old_case(agency, handler, django_capture_on_commit_callbacks)
    appeal = Appeal.objects.create(
        agency=agency,
        kind="litigation",
        body="平顶山市湛河区人民法院",
        appellant=NAME,
        subject="政府信息公开答复",
        filed_on=dt.date(2014, 5, 1),
    )
    appeal.cases.add(old)
    assert privacy_purge(before=dt.date(2016, 1, 1)).candidates == 0
    Appeal.objects.filter(pk=appeal.pk).update(status=AppealStatus.CONCLUDED)
    assert privacy_purge(before=dt.date(2016, 1, 1)).anonymised == 1
