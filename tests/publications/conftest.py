"""A small world for catalogue tests: one department with a 经办人, a 审核人 and a 负责人, "today" pinned to 2026-11-27
(a Friday)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from gongkai.accounts.roles import Role
from gongkai.agencies.models import Agency
from gongkai.publications import services
from gongkai.publications.codebook import Category, DocKind
from gongkai.publications.models import Publication
from tests.factories import make_agency, make_staff


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel("2026-11-27 10:00 +0800", tick=False):
        yield


@pytest.fixture
def agency(db: Any) -> Agency:
    return make_agency("湛河区司法局")


@pytest.fixture
def handler(agency: Agency) -> Any:
    return make_staff(agency, Role.HANDLER, full_name="李经办")


@pytest.fixture
def reviewer(agency: Agency) -> Any:
    return make_staff(agency, Role.REVIEWER, full_name="王审核")


@pytest.fixture
def head(agency: Agency) -> Any:
    return make_staff(agency, Role.HEAD, full_name="赵负责")


def create(agency: Agency, actor: Any = None, **data: Any) -> Publication:
    values: dict[str, Any] = {
        "title": "关于印发《湛河区行政执法公示办法》的通知",
        "category": Category.ART20_1,
        "doc_kind": DocKind.NORMATIVE,
        "formed_on": dt.date(2024, 3, 1),
    }
    values.update(data)
    return services.publication_create(agency=agency, actor=actor, data=values)  # type: ignore[arg-type]


def published(agency: Agency, on: dt.date, actor: Any = None, **data: Any) -> Publication:
    data.setdefault("formed_on", on)
    return services.publication_publish(publication=create(agency, actor, **data), actor=actor, on=on)


def through_workflow(item: Publication, handler: Any, reviewer: Any, head: Any, **approve: Any) -> Publication:
    """Submit, pass the 保密审查 and approve (now, or at ``scheduled_for``) an item with no high finding."""
    services.publication_submit(publication=item, actor=handler)
    services.publication_review(publication=item, actor=reviewer, decision="agree")
    return services.publication_approve(publication=item, actor=head, decision="agree", **approve)
