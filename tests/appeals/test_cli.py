"""`gongkai appeals mapping` edits the mapping 表四 reads; bad input is one Chinese line and status 2."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from gongkai.appeals import selectors
from gongkai.appeals.models import ResultMapping
from tests.appeals.factories import make_appeal
from tests.factories import make_agency

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("appeals", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_set_remove_reset(db: Any) -> None:
    agency = make_agency()
    make_appeal(agency, "2025-02-01", result="rc_mediated", result_on="2025-03-01")
    assert "rc_mediated\t行政复议\t调解\t其他结果" in _run("mapping")
    _run("mapping", "--set", "rc_mediated", "upheld")
    assert selectors.table4([agency.pk], 2025)["行政复议"]["结果维持"] == 1
    with pytest.raises(CommandError) as caught:
        _run("mapping", "--remove", "rc_mediated")  # in use
    assert caught.value.returncode == 2
    with pytest.raises(CommandError) as caught:
        _run("mapping", "--set", "rc_mediated", "sideways")
    assert "栏目" in str(caught.value)
    _run("mapping", "--remove", "lt_remanded")
    assert not ResultMapping.objects.filter(result="lt_remanded").exists()
    _run("mapping", "--reset")
    assert ResultMapping.objects.get(result="rc_mediated").column == "other"
    assert ResultMapping.objects.filter(result="lt_remanded").exists()
    assert selectors.table4([agency.pk], 2025)["行政复议"]["其他结果"] == 1


def test_due_lists_overdue_answers(db: Any) -> None:
    agency = make_agency("某局")
    make_appeal(agency, "2020-01-02", answer_due=dt.date(2020, 1, 20), number="湛政复〔2020〕1号")
    assert "逾期\t2020-01-20\t某局" in _run("due")
