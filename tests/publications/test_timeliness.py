"""条例第二十六条: published within 20 working days of formation. The due-soon and overdue lists are queries over the
due column, at the boundaries, across a weekend and across the National Day holiday (with its 调休 Saturday)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gongkai.agencies.models import Agency
from gongkai.clock.selectors import current_calendar
from gongkai.publications import selectors, services
from gongkai.publications.codebook import DisclosureMode, WithheldGround
from gongkai.publications.models import Publication
from tests.factories import make_agency
from tests.publications.conftest import create

pytestmark = pytest.mark.django_db

D = dt.date


def ids(items: list[Publication]) -> list[int]:
    return [item.pk for item in items]


def test_due_date_counts_working_days_across_national_day(agency: Agency) -> None:
    # 2026-10-01..07 is a holiday, Saturday 10-10 a 调休 working day: 20 working days after 09-10 end on 10-14.
    assert create(agency, formed_on=D(2026, 9, 10)).disclosure_due_on == D(2026, 10, 14)
    assert services.disclosure_due(D(2026, 10, 30)) == D(2026, 11, 27)
    assert services.disclosure_due(D(2026, 11, 2)) == D(2026, 11, 30)


def test_due_soon_and_overdue_at_the_boundaries_across_a_weekend(agency: Agency) -> None:
    today = D(2026, 11, 27)  # a Friday; three working days on: Mon 30, Tue 1, Wed 2 December
    overdue = create(agency, formed_on=D(2026, 10, 29))  # last day Thu 11-26: one day late
    last_day = create(agency, formed_on=D(2026, 10, 30))  # last day today: due soon, not overdue
    monday = create(agency, formed_on=D(2026, 11, 2))  # last day Mon 11-30
    third = create(agency, formed_on=D(2026, 11, 4))  # last day Wed 12-02: 3 working days left
    fourth = create(agency, formed_on=D(2026, 11, 5))  # last day Thu 12-03: 4 left, not yet due soon
    assert (third.disclosure_due_on, fourth.disclosure_due_on) == (D(2026, 12, 2), D(2026, 12, 3))
    withheld = create(
        agency,
        formed_on=D(2026, 10, 1),
        disclosure_mode=DisclosureMode.WITHHELD,
        withheld_ground=WithheldGround.PROCESS_INFO,
    )
    elsewhere = create(make_agency("湛河区财政局"), formed_on=D(2026, 10, 1))
    result = selectors.timeliness([agency.pk], today)
    assert ids(result.overdue) == [overdue.pk]
    assert ids(result.due_soon) == [last_day.pk, monday.pk, third.pk]
    assert withheld.pk not in ids(result.overdue)
    assert elsewhere.pk not in ids(result.overdue)
    calendar = current_calendar()
    assert [selectors.working_days_left(p, today, calendar) for p in (overdue, last_day, monday, third, fourth)] == [
        -1, 0, 1, 3, 4,
    ]  # fmt: skip


def test_due_soon_across_the_holiday(agency: Agency) -> None:
    item = create(agency, formed_on=D(2026, 9, 10))  # last day 10-14
    assert ids(selectors.timeliness([agency.pk], D(2026, 9, 30)).due_soon) == []  # 14 days, but 4 working days
    assert ids(selectors.timeliness([agency.pk], D(2026, 10, 9)).due_soon) == []
    assert ids(selectors.timeliness([agency.pk], D(2026, 10, 10)).due_soon) == [item.pk]  # 调休 Saturday
    assert ids(selectors.timeliness([agency.pk], D(2026, 10, 15)).overdue) == [item.pk]


def test_published_items_on_time_or_late(agency: Agency, handler: Any) -> None:
    on_time = create(agency, formed_on=D(2026, 9, 10))
    services.publication_publish(publication=on_time, actor=None, on=D(2026, 10, 14))  # the last day
    late = create(agency, formed_on=D(2026, 9, 10))
    services.publication_publish(publication=late, actor=None, on=D(2026, 10, 15))
    result = selectors.timeliness([agency.pk], D(2026, 11, 27))
    assert (result.on_time, ids(result.late)) == (1, [late.pk])
    assert result.overdue == []
    assert result.due_soon == []
    flags = dict(selectors.with_on_time(Publication.objects.all()).values_list("pk", "on_time"))
    assert flags == {on_time.pk: True, late.pk: False}
    assert selectors.timeliness([agency.pk], D(2026, 11, 27), year=2025).on_time == 0
