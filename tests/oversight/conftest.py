"""A county for the 主管部门: the government, its 办公室 (the 政府信息公开工作主管部门), two departments it supervises,
a township government under the county and its own office, and an unrelated county with its own office."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

from gongkai.accounts.models import User
from gongkai.accounts.roles import Role
from gongkai.agencies.models import Agency, Kind, Level
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
