"""The dashboard's figures equal direct counts over cases and publications built through the real services; the agencies
are the 主管部门's region; a bounded number of queries whatever the number of agencies; the 404 for everyone else."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongkai.accounts.models import User
from gongkai.accounts.roles import PlatformRole
from gongkai.cases import selectors as case_selectors
from gongkai.cases.codebook import ApplicantType, Channel
from gongkai.cases.models import Case
from gongkai.cases.states import Status as CaseStatus
from gongkai.oversight import selectors
from gongkai.publications import selectors as publication_selectors
from tests.factories import make_agency, make_staff
from tests.oversight.conftest import County, d

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 10)


def row_of(board: selectors.Dashboard, agency: Any) -> selectors.AgencyFigures:
    return next(r for r in board.rows if r.agency is not None and r.agency.pk == agency.pk)


def test_the_region_of_the_office(county: County) -> None:
    board = selectors.dashboard(county.supervisor, 2025, today=TODAY)
    names = {r.agency.name for r in board.rows if r.agency is not None}
    assert names == {"湛河区人民政府", "湛河区人民政府办公室", "湛河区司法局", "湛河区财政局", "曹镇乡人民政府"}
    other = selectors.dashboard(county.other_supervisor, 2025, today=TODAY)
    assert [r.agency.name for r in other.rows if r.agency is not None] == ["另一县司法局"]


def test_figures_equal_direct_counts(county: County, year_of_work: dict[str, Any]) -> None:
    board = selectors.dashboard(county.supervisor, 2025, today=TODAY)
    justice = row_of(board, county.justice)
    # By hand: received 2025-01-02, 03-03, 04-01, 06-03; closed in 2025: 01-08 (on time), 03-10 (on time), 03-20 (late).
    assert (justice.received, justice.closed, justice.closed_on_time, justice.closed_late) == (4, 3, 2, 1)
    assert (justice.open_now, justice.overdue_now) == (2, 1)
    assert justice.on_time_rate == Decimal("66.6667")  # 2 / 3, kept to four decimals
    # The same numbers counted another way: 表三 (一 and 三（七）), the case queues, the ORM.
    table = case_selectors.table_three([county.justice.pk], 2025)
    assert justice.received == sum(table.cells["一"].values())
    assert justice.closed == sum(table.cells[case_selectors.ROW_TOTAL].values())
    direct_received = (
        Case.objects.filter(agency=county.justice, received_on__year=2025).exclude(status=CaseStatus.CANCELLED).count()
    )
    assert justice.received == direct_received
    overdue_queue = case_selectors.queue(county.supervisor, case_selectors.Queue.OVERDUE, today=TODAY)
    assert justice.overdue_now == overdue_queue.filter(agency=county.justice).count()
    assert [c.pk for c in overdue_queue.filter(agency=county.justice)] == [year_of_work["overdue"].pk]
    open_queue = case_selectors.queue(county.supervisor, case_selectors.Queue.OPEN, today=TODAY)
    assert justice.open_now == open_queue.filter(agency=county.justice).count()
    late_by_hand = [
        c.pk
        for c in Case.objects.filter(agency=county.justice, closed_on__year=2025).select_related("ledger")
        if c.ledger is not None and c.ledger.reply_due is not None and c.closed_on > c.ledger.reply_due
    ]
    assert late_by_hand == [year_of_work["late"].pk]
    # 条例第二十六条, as the publications selector counts it.
    timeliness = publication_selectors.timeliness([county.justice.pk], TODAY, year=2025)
    assert justice.publications_on_time == timeliness.on_time == 1
    assert justice.publications_late == len(timeliness.late) == 1
    assert justice.publications_overdue_now == len(timeliness.overdue) == 1
    assert justice.publications_rate == 50
    finance = row_of(board, county.finance)
    assert (finance.received, finance.closed, finance.closed_on_time, finance.overdue_now) == (1, 1, 1, 0)
    assert finance.publications_overdue_now == 0
    # Totals are the sums; the other county's case is nowhere.
    assert board.totals.received == 5
    assert board.totals.closed == 4
    assert board.totals.closed_on_time == 3
    assert board.totals.on_time_rate == 75
    assert board.totals.publications_overdue_now == 1


def _agencies(county: County, n: int) -> None:
    head = county.justice_head
    for i in range(n):
        agency = make_agency(f"批量局{n}-{i}", parent=county.government, supervisor=county.office)
        Case.objects.create(
            agency=agency,
            year=2025,
            seq=1,
            number=f"2025-{i:04d}",
            tracking_code=f"Q{n:03d}{i:08d}",
            channel=Channel.IN_PERSON,
            status=CaseStatus.PROCESSING,
            submitted_at=dt.datetime(2025, 3, 3, 9, tzinfo=dt.UTC),
            received_on=dt.date(2025, 3, 3),
            applicant_type=ApplicantType.NATURAL_PERSON,
            applicant_name="测试",
            id_type="resident_id",
            provision_form="electronic",
            obtain_method="email",
        )
    del head


def _queries(user: User) -> int:
    # The view's request.user is loaded from the session on each request: its access cache starts empty.
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("oversight:dashboard"), {"year": 2025})
        assert response.status_code == 200
    return len(captured)


def test_query_count_does_not_grow_with_agencies(county: County) -> None:
    _agencies(county, 3)
    few = _queries(county.supervisor)
    _agencies(county, 27)
    many = _queries(county.supervisor)
    assert selectors.dashboard(User.objects.get(pk=county.supervisor.pk), 2025, today=TODAY).totals.received == 30
    assert few == many, (few, many)
    assert many < 40


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_page_shows_figures_with_links(county: County, year_of_work: dict[str, Any]) -> None:
    response = client_for(county.supervisor).get(reverse("oversight:dashboard"), {"year": "2025"})
    body = response.content.decode()
    assert response.status_code == 200
    drill = reverse("oversight:agency", args=[county.justice.pk])
    assert f'href="{drill}?year=2025#overdue"' in body
    assert "2/3" in body
    assert "66.67%" in body
    assert "75.00%" in body
    assert "另一县司法局" not in body
    # The charts: inline SVG with title/desc and the values as text; nothing to fetch, no script.
    assert '<svg class="chart" id="chart-on-time" role="img"' in body
    assert '<title id="chart-on-time-t">2025年度各机关依申请公开按期办结率</title>' in body
    assert "66.67%（2/3）" in body
    assert "<script" not in body
    assert 'style="' not in body
    assert "cdn" not in body.lower()


def test_bad_year_is_a_note_not_an_error(county: County) -> None:
    response = client_for(county.supervisor).get(reverse("oversight:dashboard"), {"year": "abc"})
    assert response.status_code == 200
    assert "年度“abc”不是数字" in response.content.decode()
    response = client_for(county.supervisor).get(reverse("oversight:dashboard"), {"year": "1999"})
    assert "年度应在2008年至2025年之间" in response.content.decode()


def test_everyone_else_gets_the_404(county: County, year_of_work: dict[str, Any]) -> None:
    for user in (county.justice_head, county.justice_handler, make_staff(platform_role=PlatformRole.SYSTEM_ADMIN)):
        client = client_for(user)
        for url in (
            reverse("oversight:dashboard"),
            reverse("oversight:export"),
            reverse("oversight:agency", args=[county.justice.pk]),
            reverse("oversight:scoring", args=[county.office.pk, 2025]),
        ):
            assert client.get(url).status_code == 404, (user, url)
    # Another county's 主管部门: this county's agency is as missing as an id that does not exist.
    other = client_for(county.other_supervisor)
    theirs = other.get(reverse("oversight:agency", args=[county.justice.pk]))
    missing = other.get(reverse("oversight:agency", args=[99_999_999]))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content
    assert other.get(reverse("oversight:scoring", args=[county.office.pk, 2025])).status_code == 404
    # Anonymous: the login page.
    assert Client().get(reverse("oversight:dashboard")).status_code == 302


def test_drill_down_lists_link_to_the_staff_pages(county: County, year_of_work: dict[str, Any]) -> None:
    response = client_for(county.supervisor).get(reverse("oversight:agency", args=[county.justice.pk]), {"year": 2025})
    body = response.content.decode()
    assert response.status_code == 200
    assert reverse("cases:detail", args=[year_of_work["overdue"].pk]) in body
    assert reverse("cases:detail", args=[year_of_work["late"].pk]) in body
    assert reverse("cases:detail", args=[year_of_work["open"].pk]) not in body  # open but not overdue
    assert reverse("publications:detail", args=[year_of_work["pub_late"].pk]) in body
    assert reverse("publications:detail", args=[year_of_work["pub_overdue"].pk]) in body
    assert reverse("publications:detail", args=[year_of_work["pub_on_time"].pk]) not in body
    assert reverse("reports:detail", args=[county.justice.pk, 2025]) in body
    # The supervisor may follow the links (SUPERVISED_PERMS include VIEW_CASES).
    client = client_for(county.supervisor)
    assert client.get(reverse("cases:detail", args=[year_of_work["overdue"].pk])).status_code == 200
    assert client.get(reverse("publications:detail", args=[year_of_work["pub_late"].pk])).status_code == 200


def test_appeals_as_table_four_counts_them(county: County) -> None:
    from gongkai.appeals import selectors as appeal_selectors
    from gongkai.appeals import services as appeal_services
    from gongkai.appeals.codebook import AppealKind, ResultCode

    head = county.justice_head

    def appeal(filed: str) -> Any:
        return appeal_services.appeal_create(
            agency=county.justice,
            actor=head,
            data=appeal_services.AppealInput(
                kind=AppealKind.RECONSIDERATION,
                body="平顶山市人民政府",
                appellant="张三",
                subject="政府信息公开申请答复",
                filed_on=d(filed),
                proactive=True,
            ),
        )

    upheld = appeal("2025-02-03")
    appeal_services.appeal_record_result(
        appeal=upheld, actor=head, result=ResultCode.RC_UPHELD, result_on=d("2025-04-01")
    )
    corrected = appeal("2025-02-10")
    appeal_services.appeal_record_result(
        appeal=corrected, actor=head, result=ResultCode.RC_REVOKED, result_on=d("2025-04-15")
    )
    pending = appeal("2025-05-06")
    old = appeal("2024-11-04")  # carried over from 2024, concluded in 2025: counted in 2025
    appeal_services.appeal_record_result(appeal=old, actor=head, result=ResultCode.RC_UPHELD, result_on=d("2025-01-20"))
    board = selectors.dashboard(county.supervisor, 2025, today=TODAY)
    justice = row_of(board, county.justice)
    counted = appeal_selectors.appeal_counts([county.justice.pk], 2025)[county.justice.pk]
    # By hand: 4 counted, 1 纠正 (撤销), 1 pending → 3 decided → 33.33 %
    assert (justice.appeals_total, justice.appeals_corrected, justice.appeals_pending) == (4, 1, 1)
    assert (justice.appeals_total, justice.appeals_corrected, justice.appeals_pending) == (
        counted.total,
        counted.corrected,
        counted.pending,
    )
    table = appeal_selectors.table4([county.justice.pk], 2025)
    assert justice.appeals_total == sum(block["总计"] for block in table.values())
    assert justice.correction_rate == Decimal("33.3333")
    assert board.totals.appeals_total == 4
    body = client_for(county.supervisor).get(reverse("oversight:agency", args=[county.justice.pk])).content.decode()
    assert "本年度计入 4件：结果纠正 1件，尚未审结 1件" in body
    assert body.count("张三") == 4
    assert reverse("appeals:detail", args=[corrected.pk]) in body
    assert client_for(county.supervisor).get(reverse("appeals:detail", args=[corrected.pk])).status_code == 200
    del pending


def test_warns_when_next_years_calendar_is_missing(county: County) -> None:
    import time_machine

    from gongkai.clock.models import CalendarYear

    assert 2027 not in set(CalendarYear.objects.values_list("year", flat=True))
    with time_machine.travel("2026-11-05 10:00 +0800", tick=False):
        body = client_for(county.supervisor).get(reverse("oversight:dashboard")).content.decode()
    assert "2027年节假日安排尚未导入：工作日期限无法计算" in body
    # June 2025: 2026 is loaded (chinesecalendar 1.11.0 covers it): no warning at all.
    body = client_for(county.supervisor).get(reverse("oversight:dashboard")).content.decode()
    assert "节假日安排尚未导入" not in body


def test_a_platform_role_with_the_perm_sees_every_agency(county: County, monkeypatch: Any) -> None:
    from gongkai.accounts.roles import PLATFORM_PERMS, Perm

    admin = make_staff(platform_role=PlatformRole.SYSTEM_ADMIN)
    assert client_for(admin).get(reverse("oversight:dashboard")).status_code == 404
    monkeypatch.setitem(
        PLATFORM_PERMS, PlatformRole.SYSTEM_ADMIN, PLATFORM_PERMS[PlatformRole.SYSTEM_ADMIN] | {Perm.SUPERVISE}
    )
    admin = User.objects.get(pk=admin.pk)
    board = selectors.dashboard(admin, 2025, today=TODAY)
    assert {r.agency.name for r in board.rows if r.agency is not None} >= {"湛河区司法局", "另一县司法局"}
    assert {o.name for o in selectors.supervising_offices(admin)} == {"湛河区人民政府办公室", "另一县人民政府办公室"}
