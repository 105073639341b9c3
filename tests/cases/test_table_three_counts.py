"""The platform-wide 表三 path (one grouped query) agrees with the per-agency one, cell by cell."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from gongkai.cases.codebook import ApplicantType, Outcome
from gongkai.cases.models import Case
from gongkai.cases.selectors import table_three, table_three_counts
from gongkai.cases.states import Status
from tests.factories import make_agency


def _case(agency: Any, n: int, received: dt.date, closed: dt.date | None, outcome: str, kind: str) -> Case:
    return Case.objects.create(
        agency=agency,
        year=received.year,
        seq=n,
        number=f"{received.year}-{n:04d}",
        tracking_code=f"T{agency.pk}-{n}",
        channel="in_person",
        status=Status.CLOSED if closed else Status.PROCESSING,
        outcome=outcome if closed else "",
        submitted_at=dt.datetime(received.year, received.month, received.day, tzinfo=dt.UTC),
        received_on=received,
        closed_on=closed,
        applicant_type=kind,
        applicant_name="测",
        id_type="resident_id",
        provision_form="paper",
        obtain_method="post",
    )


def test_bulk_counts_equal_per_agency_counts(db: Any) -> None:
    rng = random.Random(7)
    agencies = [make_agency() for _ in range(3)]
    outcomes = list(Outcome)
    for n in range(240):
        agency = rng.choice(agencies)
        received = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(0, 900))
        closed = received + dt.timedelta(days=rng.randrange(0, 60)) if rng.random() < 0.8 else None
        _case(agency, n + 1, received, closed, rng.choice(outcomes).value, rng.choice(list(ApplicantType)).value)
    for year in (2024, 2025, 2026):
        bulk = table_three_counts(year)
        for agency in agencies:
            assert bulk.get(agency.pk, {}) == table_three([agency.pk], year).cells, (agency.pk, year)
    assert table_three_counts(2025, [agencies[0].pk]).keys() <= {agencies[0].pk}
