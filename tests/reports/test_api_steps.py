"""报送 and 发布 through the API: the same services, refused on errors (409 with every finding), no override."""

from __future__ import annotations

from typing import Any

import time_machine

from gongkai.accounts.roles import Role
from gongkai.reports import services
from gongkai.reports.models import AnnualReport, ReportStatus
from tests.appeals.factories import make_appeal
from tests.factories import make_agency, make_staff
from tests.reports.test_api import token_client


@time_machine.travel("2026-01-20 10:00 +0800", tick=False)
def test_submit_and_publish_are_refused_on_errors_then_work(db: Any) -> None:
    agency = make_agency()
    head = make_staff(agency, Role.HEAD)
    handler = make_staff(agency, Role.HANDLER)
    draft = services.report_get_or_create_draft(agency=agency, year=2025, actor=head)
    # The narrative speaks of 2 复议; 表四 counts the tracked appeals: none yet (R7).
    services.report_update_sections(report=draft, actor=head, sections=dict(draft.sections, **{"1.5": "行政复议2件。"}))
    url = f"/api/staff/reports/{agency.pk}/2025/"

    blocked = token_client(head).post(url + "submit/")
    assert blocked.status_code == 409
    assert any(f["rule"] == "R7" for f in blocked.json()["findings"])
    assert AnnualReport.objects.get(agency=agency, year=2025).status == ReportStatus.DRAFT

    make_appeal(agency, "2025-03-01", result="rc_upheld", result_on="2025-05-01")
    make_appeal(agency, "2025-06-01", result="rc_upheld", result_on="2025-08-01")
    assert token_client(handler).post(url + "submit/").status_code == 403
    assert token_client(head).post(url + "submit/").status_code == 200
    published = token_client(head).post(url + "publish/")
    assert published.status_code == 200
    assert published.json()["status"] == ReportStatus.PUBLISHED
    assert published.json()["index_number"]
    assert token_client(make_staff(make_agency(), Role.HEAD)).post(url + "publish/").status_code == 404
    # A published report cannot be submitted or published again: a conflict with its state (409), not a missing
    # right (403) — the head may do both.
    for step in ("submit/", "publish/"):
        again = token_client(head).post(url + step)
        assert again.status_code == 409, again.content
        assert "已发布的报告不能" in again.json()["detail"]
        assert again.json()["findings"] == []
