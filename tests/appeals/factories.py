"""Tracked appeals made directly (the services are tested on their own in tests/appeals)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gongkai.agencies.models import Agency
from gongkai.appeals.models import Appeal, Status


def make_appeal(
    agency: Agency,
    filed_on: dt.date | str,
    *,
    kind: str = "reconsideration",
    route: str = "",
    result: str = "",
    result_on: dt.date | str | None = None,
    **fields: Any,
) -> Appeal:
    """An appeal against ``agency``; with ``result`` it is concluded on ``result_on``."""
    filed = dt.date.fromisoformat(filed_on) if isinstance(filed_on, str) else filed_on
    decided = dt.date.fromisoformat(result_on) if isinstance(result_on, str) else result_on
    values: dict[str, Any] = {
        "body": "湛河区人民政府" if kind == "reconsideration" else "湛河区人民法院",
        "appellant": "张三",
        "subject": "政府信息公开申请答复",
        "proactive": True,
        "instance": "first" if kind == "litigation" else "",
    }
    values.update(fields)
    return Appeal.objects.create(
        agency=agency,
        kind=kind,
        route=route,
        filed_on=filed,
        status=Status.CONCLUDED if result else Status.ACCEPTED,
        result=result,
        result_on=decided,
        **values,
    )


_n = iter(range(1, 100_000))


def make_case(agency: Agency, received: str, closed: str | None = None, outcome: str = "withheld_state_secret") -> Any:
    """A case row (the workflow is tested in tests/cases): closed with ``outcome`` when ``closed`` is given."""
    from gongkai.cases.codebook import ApplicantType, Channel
    from gongkai.cases.models import Case
    from gongkai.cases.states import Status as CaseStatus

    n = next(_n)
    on = dt.date.fromisoformat(received)
    return Case.objects.create(
        agency=agency,
        year=on.year,
        seq=n,
        number=f"AP{on.year}-{n:04d}",
        tracking_code=f"A{agency.pk:03d}{n:08d}",
        channel=Channel.IN_PERSON,
        status=CaseStatus.CLOSED if closed else CaseStatus.PROCESSING,
        outcome=outcome if closed else "",
        submitted_at=dt.datetime(on.year, on.month, on.day, 9, tzinfo=dt.UTC),
        received_on=on,
        closed_on=dt.date.fromisoformat(closed) if closed else None,
        applicant_type=ApplicantType.NATURAL_PERSON,
        applicant_name="张三",
        id_type="resident_id",
        provision_form="electronic",
        obtain_method="email",
    )
