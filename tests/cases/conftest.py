"""A small world for case tests: one department with a handler, a head, and an applicant's input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gongkai.accounts.models import IdType
from gongkai.accounts.roles import Role
from gongkai.agencies.models import Agency, Kind, Level
from gongkai.cases import services
from gongkai.cases.codebook import ApplicantType, ObtainMethod, ProvisionForm
from tests.factories import make_agency, make_staff, valid_credit_code, valid_id_number


@pytest.fixture
def government(db: Any) -> Agency:
    return make_agency("湛河区人民政府", kind=Kind.GOVERNMENT, level=Level.COUNTY)


@pytest.fixture
def agency(government: Agency) -> Agency:
    return make_agency(
        "湛河区司法局", short_name="湛河区司法局", parent=government, doc_number_pattern="湛司公复〔{year}〕{seq}号"
    )


@pytest.fixture
def handler(agency: Agency) -> Any:
    return make_staff(agency, Role.HANDLER, full_name="李经办")


@pytest.fixture
def head(agency: Agency) -> Any:
    return make_staff(agency, Role.HEAD, full_name="王负责")


def application(**overrides: Any) -> services.ApplicationInput:
    values: dict[str, Any] = {
        "applicant_type": ApplicantType.NATURAL_PERSON,
        "applicant_name": "张三",
        "id_type": IdType.RESIDENT_ID,
        "id_number": valid_id_number(),
        "phone": "13903751234",
        "email": "zhangsan@example.com",
        "items": [services.ItemInput(title="2024年法律援助经费使用情况", doc_number="")],
        "provision_form": ProvisionForm.ELECTRONIC,
        "obtain_method": ObtainMethod.EMAIL,
    }
    values.update(overrides)
    return services.ApplicationInput(**values)


def organisation(**overrides: Any) -> services.ApplicationInput:
    return application(
        applicant_type=ApplicantType.LEGAL_SERVICE,
        applicant_name="河南某某律师事务所",
        id_type=IdType.CREDIT_CODE,
        id_number=valid_credit_code(901),
        contact_person="赵律师",
        **overrides,
    )


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
