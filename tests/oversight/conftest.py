"""A county for the 主管部门: the government, its 办公室 (the 政府信息公开工作主管部门), two departments it supervises,
a township government under the county and its own office, and an unrelated county with its own office."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

from gongkai.accounts.models import User
from gongkai.accounts.roles import Role
from gongkai.agencies.models import Agency, Kind, Level
from gongkai.cases import services as case_services
from gongkai.cases.codebook import Channel, Outcome, OutcomeVariant
from gongkai.cases.models import Case
from gongkai.publications import services as publication_services
from gongkai.publications.codebook import Category
from gongkai.publications.models import Publication
from tests.cases.conftest import application
from tests.factories import make_agency, make_staff

TODAY = "2025-06-10 10:00 +0800"


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


@dataclass
class County:
    government: Agency
    office: Agency
    justice: Agency
    finance: Agency
    town: Agency
    other_office: Agency
    other_dept: Agency
    supervisor: User
    other_supervisor: User
    justice_head: User
    finance_head: User
    justice_handler: User


@pytest.fixture
def county(db: Any) -> County:
    government = make_agency("湛河区人民政府", kind=Kind.GOVERNMENT, level=Level.COUNTY)
    office = make_agency("湛河区人民政府办公室", kind=Kind.OFFICE, parent=government)
    government.supervisor = office
    government.save(update_fields=["supervisor"])
    justice = make_agency("湛河区司法局", parent=government, supervisor=office)
    finance = make_agency("湛河区财政局", parent=government, supervisor=office)
    town = make_agency("曹镇乡人民政府", kind=Kind.GOVERNMENT, level=Level.TOWNSHIP, parent=government)
    other_office = make_agency("另一县人民政府办公室", kind=Kind.OFFICE)
    other_dept = make_agency("另一县司法局", supervisor=other_office)
    return County(
        government=government,
        office=office,
        justice=justice,
        finance=finance,
        town=town,
        other_office=other_office,
        other_dept=other_dept,
        supervisor=make_staff(office, Role.SUPERVISOR, full_name="赵主管"),
        other_supervisor=make_staff(other_office, Role.SUPERVISOR, full_name="钱主管"),
        justice_head=make_staff(justice, Role.HEAD, full_name="王负责"),
        finance_head=make_staff(finance, Role.HEAD, full_name="孙负责"),
        justice_handler=make_staff(justice, Role.HANDLER, full_name="李经办"),
    )


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def register(agency: Any, actor: Any, received: str) -> Case:
    return case_services.case_register(
        agency=agency, data=application(), channel=Channel.IN_PERSON, actor=actor, received_on=d(received)
    )


def reply(case: Case, actor: Any, on: str) -> None:
    case_services.case_reply(
        case=case,
        actor=actor,
        data=case_services.ReplyInput(outcome=Outcome.DISCLOSED, variant=OutcomeVariant.PROVIDED, on=d(on)),
    )


def publication(agency: Any, actor: Any, formed: str, published: str | None) -> Publication:
    item = publication_services.publication_create(
        agency=agency,
        actor=actor,
        data={"title": f"公告{formed}", "category": Category.ART20_2, "formed_on": d(formed)},
    )
    if published is not None:
        item = publication_services.publication_publish(publication=item, actor=actor, on=d(published))
    return item


@pytest.fixture
def year_of_work(county: County) -> dict[str, Any]:
    head, fin = county.justice_head, county.finance_head
    made: dict[str, Any] = {}
    carried = register(county.justice, head, "2024-12-30")
    reply(carried, head, "2025-01-08")  # received 2024, closed 2025 on time
    late = register(county.justice, head, "2025-01-02")  # due in February (20 working days, 春节 off)
    reply(late, head, "2025-03-20")
    made["late"] = late
    quick = register(county.justice, head, "2025-03-03")
    reply(quick, head, "2025-03-10")
    made["overdue"] = register(county.justice, head, "2025-04-01")  # open, due at the end of April
    made["open"] = register(county.justice, head, "2025-06-03")  # open, not yet due
    finance = register(county.finance, fin, "2025-05-06")
    reply(finance, fin, "2025-05-07")
    register(county.other_dept, make_staff(county.other_dept, Role.HEAD), "2025-05-06")  # not the office's
    made["pub_late"] = publication(county.justice, head, "2025-01-02", "2025-03-03")
    made["pub_on_time"] = publication(county.justice, head, "2025-05-06", "2025-05-08")
    made["pub_overdue"] = publication(county.justice, head, "2025-01-06", None)
    publication(county.finance, fin, "2025-06-05", None)  # unpublished, still within its 20 working days
    return made
