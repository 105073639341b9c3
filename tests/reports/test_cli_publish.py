"""`gongkai report submit|publish`: the command line goes through the same services — a report with an error is
refused (status 1, every error listed, nothing changed) and there is no override."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command

from gongkai.accounts.roles import Role
from gongkai.reports import services
from gongkai.reports.management.commands.report import Command
from gongkai.reports.models import AnnualReport, ReportStatus
from tests.appeals.factories import make_appeal
from tests.factories import make_agency, make_staff


def _run(*args: str) -> tuple[int, str]:
    command, out = Command(), StringIO()
    call_command(command, *args, stdout=out, stderr=StringIO())
    return command.exit_code, out.getvalue()


@time_machine.travel("2026-01-20 10:00 +0800", tick=False)
def test_publish_is_refused_on_errors_and_works_once_they_are_fixed(db: Any) -> None:
    agency = make_agency("湛河区测试局", code="zh-test")
    head = make_staff(agency, Role.HEAD, username="cli-head")
    # The narrative speaks of 2 复议; 表四 counts the tracked appeals: none yet (R7).
    draft = services.report_get_or_create_draft(agency=agency, year=2025, actor=head)
    services.report_update_sections(report=draft, actor=head, sections=dict(draft.sections, **{"1.5": "行政复议2件。"}))

    status, out = _run("submit", "--agency", "zh-test", "--year", "2025", "--user", "cli-head")
    assert status == 1
    assert "R7" in out
    report = AnnualReport.objects.get(agency=agency, year=2025)
    assert report.status == ReportStatus.DRAFT
    assert report.index_number == ""

    make_appeal(agency, "2025-03-01", result="rc_upheld", result_on="2025-05-01")
    make_appeal(agency, "2025-06-01")
    status, out = _run("submit", "--agency", "zh-test", "--year", "2025", "--user", "cli-head")
    assert status == 0, out
    status, out = _run("publish", "--agency", "zh-test", "--year", "2025", "--user", "cli-head")
    assert status == 0, out
    report.refresh_from_db()
    assert report.status == ReportStatus.PUBLISHED
    assert report.index_number in out


@time_machine.travel("2026-01-20 10:00 +0800", tick=False)
def test_a_handler_cannot_publish_from_the_command_line(db: Any) -> None:
    agency = make_agency("湛河区测试局二", code="zh-test2")
    make_staff(agency, Role.HANDLER, username="cli-handler")
    with pytest.raises(CommandError) as refused:
        _run("submit", "--agency", "zh-test2", "--year", "2025", "--user", "cli-handler")
    assert "负责人" in str(refused.value)
    assert not AnnualReport.objects.filter(agency=agency, status=ReportStatus.PUBLISHED).exists()
