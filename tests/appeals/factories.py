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
