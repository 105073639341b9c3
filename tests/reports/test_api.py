"""The annual report's JSON in the API (issue 5 §7): the published snapshot for everyone with exactly the fixed keys,
the live build for staff with a token, both documented in the schema."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from gongkai.accounts.roles import Role
from gongkai.api.services import token_create
from gongkai.reports import services
from gongkai.reports.schema import TABLE2_COUNTS, TABLE3_COLS, TABLE3_ROWS, TABLE4_BLOCKS, TABLE4_RESULTS
from tests.factories import make_agency, make_staff

pytestmark = pytest.mark.django_db

KEYS = {"agency", "year", "table2", "table3", "table4", "findings"}


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel("2025-01-10 10:00 +0800", tick=False):
        yield


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    agency = make_agency("湛河区司法局", code="zhanhe-sfj")
    other = make_agency("另一县司法局")
    return {
        "agency": agency,
        "head": make_staff(agency, Role.HEAD),
        "other_head": make_staff(other, Role.HEAD),
    }


def token_client(user: Any) -> APIClient:
    _token, key = token_create(user=user, name="测试")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def public_url(code: str, year: int = 2024) -> str:
    return reverse("api:public-report", kwargs={"code": code, "year": year})


def staff_url(agency_id: int, year: int = 2024) -> str:
    return reverse("api:staff-report", kwargs={"agency_id": agency_id, "year": year})


def assert_fixed_shape(body: dict[str, Any]) -> None:
    assert set(body) == KEYS
    assert isinstance(body["agency"], str)
    assert isinstance(body["year"], int)
    assert set(body["table2"]) == {"规章", "行政规范性文件", "行政许可", "行政处罚", "行政强制", "行政事业性收费"}
    for doc in ("规章", "行政规范性文件"):
        assert set(body["table2"][doc]) == set(TABLE2_COUNTS)
    assert isinstance(body["table2"]["行政事业性收费"], str)
    assert list(body["table3"]) == [key for key, _ in TABLE3_ROWS]
    for row in body["table3"].values():
        assert list(row) == list(TABLE3_COLS)
        assert all(isinstance(v, int) for v in row.values())
    assert list(body["table4"]) == list(TABLE4_BLOCKS)
    for block in body["table4"].values():
        assert list(block) == list(TABLE4_RESULTS)
    for finding in body["findings"]:
        assert set(finding) == {"rule", "severity", "where", "message"}
        assert finding["severity"] in ("error", "warning")


def test_public_json_is_the_published_snapshot_with_exactly_the_fixed_keys(world: dict[str, Any]) -> None:
    agency, head = world["agency"], world["head"]
    api = APIClient()
    report = services.report_get_or_create_draft(agency=agency, year=2024, actor=head)
    assert api.get(public_url(agency.code)).status_code == 404  # a draft
    report = services.report_submit(report=report, actor=head)
    assert api.get(public_url(agency.code)).status_code == 404  # submitted, not published
    report = services.report_publish(report=report, actor=head, on=dt.date(2025, 1, 10))
    response = api.get(public_url(agency.code))
    assert response.status_code == 200
    body = response.json()
    assert_fixed_shape(body)
    assert body == report.snapshot["report"]
    assert body["agency"] == "湛河区司法局"
    assert body["year"] == 2024
    # Later data changes do not touch the published JSON.
    services.figures_set(agency=agency, year=2024, actor=head, values={"licensing": 12})
    assert api.get(public_url(agency.code)).json()["table2"]["行政许可"] == 0


def test_public_json_404s(world: dict[str, Any]) -> None:
    api = APIClient()
    assert api.get(public_url("no-such-agency")).status_code == 404
    assert api.get(public_url(world["agency"].code, 2023)).status_code == 404


def test_staff_json_needs_a_token_and_the_access_gate(world: dict[str, Any]) -> None:
    agency = world["agency"]
    assert APIClient().get(staff_url(agency.pk)).status_code == 401
    response = token_client(world["head"]).get(staff_url(agency.pk))
    assert response.status_code == 200
    body = response.json()
    assert_fixed_shape(body)
    assert any(f["rule"] == "R9" for f in body["findings"])  # 表二（五）（六）（八） not entered yet
    # Live: entered figures show at once.
    services.figures_set(agency=agency, year=2024, actor=world["head"], values={"licensing": 12})
    assert token_client(world["head"]).get(staff_url(agency.pk)).json()["table2"]["行政许可"] == 12
    outsider = token_client(world["other_head"])
    assert outsider.get(staff_url(agency.pk)).status_code == 404
    assert outsider.get(staff_url(99_999_999)).status_code == 404
    assert token_client(world["head"]).get(staff_url(agency.pk, 2099)).status_code == 404


def test_schema_documents_both_paths_and_the_table_shapes(db: Any) -> None:
    schema = APIClient().get(reverse("api:schema"), {"format": "json"}).json()
    public = schema["paths"]["/api/public/agencies/{code}/reports/{year}/"]["get"]
    staff = schema["paths"]["/api/staff/reports/{agency_id}/{year}/"]["get"]
    assert staff["security"] == [{"tokenAuth": []}]
    for operation in (public, staff):
        assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/AnnualReport"
        }
    components = schema["components"]["schemas"]
    assert set(components["AnnualReport"]["properties"]) == KEYS
    assert list(components["AnnualReportTable3"]["properties"]) == [key for key, _ in TABLE3_ROWS]
    assert list(components["AnnualReportTable3Row"]["properties"]) == list(TABLE3_COLS)
    assert list(components["AnnualReportTable4"]["properties"]) == list(TABLE4_BLOCKS)
    assert list(components["AnnualReportTable4Block"]["properties"]) == list(TABLE4_RESULTS)
    assert "行政事业性收费" in components["AnnualReportTable2"]["properties"]
