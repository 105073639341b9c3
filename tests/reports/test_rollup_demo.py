"""Demo acceptance (issue 7): the rollup of 湛河区人民政府 for 2024, 2025 and 2026 passes R1–R4 and equals the sum of
its parts.

The parts are recomputed here independently of ``rollup_agencies``: every active agency reached from the district
government along ``parent``, each counted as ``gongkai report build`` shows it (the published snapshot — 湛河区司法局's
2024 report is published by the demo — else the tables built from live data).

The demo is loaded once for the module, with the clock pinned as in tests/test_demo_cases.py, inside a transaction that
is rolled back at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import transaction

from gongkai.agencies.models import Agency
from gongkai.demo.load import LoadSummary, demo_load
from gongkai.reports import builder, rollup
from gongkai.reports.models import AnnualReport, ReportStatus
from gongkai.reports.schema import ReportData
from gongkai.reports.selectors import report_data_from_snapshot

NOON = "2026-11-27 12:00 +0800"
DISTRICT = "zhanhe-gov"


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[LoadSummary]:
    with django_db_blocker.unblock(), transaction.atomic():
        with time_machine.travel(NOON, tick=False):
            summary = demo_load()
        yield summary
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _noon() -> Iterator[None]:
    with time_machine.travel(NOON, tick=False):
        yield


def _subtree(root: Agency) -> list[Agency]:
    found, frontier = [root], [root.pk]
    while frontier:
        below = list(Agency.objects.filter(parent_id__in=frontier, is_active=True))
        found += below
        frontier = [a.pk for a in below]
    return found


def _as_shown(agency: Agency, year: int) -> ReportData:
    published = AnnualReport.objects.filter(agency=agency, year=year, status=ReportStatus.PUBLISHED).first()
    if published is not None:
        return report_data_from_snapshot(published)
    return builder.build_report_data(agency, year)


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_the_district_rollup_passes_r1_to_r4_and_equals_the_sum_of_its_parts(
    demo: LoadSummary, db: None, year: int
) -> None:
    district = Agency.objects.get(code=DISTRICT)
    summed = rollup.rollup_build(agency=district, year=year)
    assert summed.data.findings == []  # R1–R4 on the sum

    parts = {a.name: _as_shown(a, year) for a in _subtree(district)}
    assert sorted(p.name for p in summed.parts) == sorted(parts)
    assert len(parts) >= 5  # the government, its office and departments, two townships
    for table, row, col in rollup.cells():
        expected = sum((rollup.cell_value(p, table, row, col) or 0 for p in parts.values()), start=0)
        assert rollup.cell_value(summed.data, table, row, col) == expected, (table, row, col)
    # The demo's cases are in the sum: applications were received in each of the three years.
    assert summed.data.table3["1"]["总计"]
    sources = {p.name: p.source for p in summed.parts}
    if year == 2024:
        assert sources["湛河区司法局"] == rollup.PUBLISHED
