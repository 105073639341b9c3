"""舆情回应's counts are available to the report's narrative (issue 6 §7) as placeholders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gongkai.reports import builder
from gongkai.responses.models import ConcernResponse, PublicConcern
from tests.factories import make_agency


def test_concern_counts_fill_their_placeholders(db: Any) -> None:
    agency = make_agency()
    raised = dt.datetime(2025, 5, 6, 9, 0, tzinfo=dt.UTC)
    answered = PublicConcern.objects.create(
        agency=agency, source="hotline", raised_at=raised, topic="法律援助", summary="…"
    )
    PublicConcern.objects.create(agency=agency, source="hotline", raised_at=raised, topic="人民调解", summary="…")
    ConcernResponse.objects.create(concern=answered, responded_at=raised + dt.timedelta(hours=20), text="已回应")
    built = builder.build(agency, 2025, sections={"1.5": "全年登记政务舆情{{舆情收到}}件，已回应{{舆情回应}}件。"})
    assert built.data.sections["1.5"] == "全年登记政务舆情2件，已回应1件。"
