"""The counting interface others build on: appeal_counts and table4 agree, every agency id is answered."""

from __future__ import annotations

import datetime as dt

import pytest

from gongkai.appeals.models import Appeal, Status
from gongkai.appeals.selectors import AppealCounts, appeal_counts, table4
from tests.factories import make_agency

pytestmark = pytest.mark.django_db


def _appeal(agency, filed: dt.date, **fields) -> Appeal:  # type: ignore[no-untyped-def]
    values = {"kind": "reconsideration", "body": "某区人民政府", "appellant": "张三", "subject": "答复"}
    values.update(fields)
    return Appeal.objects.create(agency=agency, filed_on=filed, **values)


def test_counts_per_agency_and_zero_rows() -> None:
    a, b = make_agency(), make_agency()
    _appeal(a, dt.date(2025, 3, 1), status=Status.CONCLUDED, result="rc_upheld", result_on=dt.date(2025, 5, 1))
    _appeal(a, dt.date(2025, 11, 1))
    _appeal(
        a,
        dt.date(2024, 11, 1),
        kind="litigation",
        route="direct",
        status=Status.CONCLUDED,
        result="lt_revoked",
        result_on=dt.date(2025, 2, 1),
    )
    counts = appeal_counts([a.pk, b.pk], 2025)
    assert counts[a.pk] == AppealCounts(total=3, upheld=1, corrected=1, other=0, pending=1)
    assert counts[b.pk] == AppealCounts()
    t = table4([a.pk], 2025)
    assert t["行政复议"] == {"结果维持": 1, "结果纠正": 0, "其他结果": 0, "尚未审结": 1, "总计": 2}
    assert t["未经复议直接起诉"]["结果纠正"] == 1
    # 2024: the direct suit was pending at year end
    assert table4([a.pk], 2024)["未经复议直接起诉"] == {
        "结果维持": 0,
        "结果纠正": 0,
        "其他结果": 0,
        "尚未审结": 1,
        "总计": 1,
    }
