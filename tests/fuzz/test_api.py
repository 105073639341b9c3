"""Every endpoint of the JSON API, driven by schemathesis from our own OpenAPI schema (/api/schema/), in process
through the WSGI application: no input gives a 5xx.

Staff endpoints are called with a 负责人's token (who may do every action, 延期 and 重新办理 included). The world holds
a case in every status the workflow knows, made months ago so that the 补正, 征求意见 and 缴费 periods have run out;
half the generated ids are swapped for one of them — half of those for a case whose status allows the operation's
action — so that the input reaches the action's service, not only the 404 or the 409; half the tracking look-ups name
one of them (half of those with the right phone digits), and half the applications carry a valid applicant under
their generated optional fields. The agency has a published 2024 report, a submitted 2025 one and none for 2023.
Each input runs in a savepoint that is rolled back: every input meets the same world (an action that succeeded does
not leave the case in a status that refuses all later inputs with a 409).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
import time_machine
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from schemathesis.checks import not_a_server_error

from gongkai.agencies.models import Agency
from gongkai.api.services import token_create
from gongkai.cases import services
from gongkai.cases.models import Case
from gongkai.cases.states import ACTIONS, Status
from gongkai.reports import services as reports
from tests.api.conftest import intake_body, staff_client
from tests.cases.conftest import application
from tests.fuzz.profile import ENV, fuzz

OPERATIONS = "GONGKAI_FUZZ_API_OPERATIONS"


class _App:
    """Django's WSGI handler without closing "old" connections around a request (as Django's test client does):
    that would roll the test's transaction back."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            body = b"".join(response)
            response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return [body]


# Loaded when the module is collected (schemathesis' fixture-based loader does not run under pytest 9); generating the
# schema reads no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", _App())
# The coverage phase (every boundary and wrong method the schema implies, ~20 requests an operation whatever
# max_examples says) runs in the long runs only; the suite keeps to generated examples.
schema.config.phases.update(
    phases=["examples", "coverage", "fuzzing"] if os.environ.get(ENV) else ["examples", "fuzzing"]
)
# A long run may be split by operation (one process each, so 28 × 100,000 inputs can spread over cores and sessions):
# a regular expression on the operation's label, e.g. "^POST /api/public/".
if os.environ.get(OPERATIONS):
    schema = schema.include(name_regex=os.environ[OPERATIONS])


# The statuses the world's cases are driven to, each by the API calls a 负责人 would make (tests/api/test_staff.py).
_DRIVE: dict[str, list[tuple[str, dict[str, Any]]]] = {
    Status.PENDING: [],
    Status.PROCESSING: [("confirm_receipt", {"received_on": "2026-03-02"})],
    Status.AWAITING_CORRECTION: [
        ("confirm_receipt", {"received_on": "2026-03-02"}),
        ("request_correction", {"on": "2026-03-02", "items": "请写明文号", "period_days": 5}),
    ],
    Status.CONSULTING: [
        ("confirm_receipt", {"received_on": "2026-03-02"}),
        (
            "start_consultation",
            {"on": "2026-03-02", "consultees": [{"kind": "third_party", "party": "某公司", "matter": "商业秘密"}]},
        ),
    ],
    Status.AWAITING_FEE: [
        ("confirm_receipt", {"received_on": "2026-03-02"}),
        ("notify_fee", {"on": "2026-03-02", "method": "per_volume", "pages": 31}),
    ],
    Status.AWAITING_REASONS: [
        ("confirm_receipt", {"received_on": "2026-03-02"}),
        ("ask_reasons", {"on": "2026-03-02", "note": "本月已申请40件"}),
    ],
    Status.CLOSED: [
        ("confirm_receipt", {"received_on": "2026-03-02"}),
        ("reply", {"outcome": "disclosed", "variant": "provided", "on": "2026-03-02"}),
    ],
    Status.CANCELLED: [("withdraw", {})],
}


_OPTIONAL_INTAKE = frozenset({"email", "postal_address", "postcode", "contact_person", "remarks"})


@pytest.fixture
def world(agency: Agency, head: Any) -> dict[str, Any]:
    _token, key = token_create(user=head, name="fuzz")
    api = staff_client(head)
    cases: list[Case] = []
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False):
        for status, steps in _DRIVE.items():
            case = services.case_submit_online(agency=agency, data=application())
            for name, body in steps:
                response = api.post(f"/api/staff/cases/{case.pk}/actions/{name}/", body, format="json")
                assert response.status_code == 200, (name, response.content)
            case.refresh_from_db()
            assert case.status == status, (status, case.status)
            cases.append(case)
    # A published 2024 report (read by the public and staff report operations), a submitted 2025 one (which
    # `publish` can take) and none for 2023 (which `submit` starts from a draft).
    published = reports.report_get_or_create_draft(agency=agency, year=2024, actor=head)
    reports.report_publish(report=reports.report_submit(report=published, actor=head), actor=head)
    reports.report_submit(report=reports.report_get_or_create_draft(agency=agency, year=2025, actor=head), actor=head)
    return {"key": key, "agency": agency, "cases": cases}


def _aim(case: Any, world: dict[str, Any]) -> None:
    params = case.path_parameters or {}
    if "id" in params and hash(str(params["id"])) % 2 == 0:
        spread = hash(str(params["id"])) // 2
        cases: list[Case] = world["cases"]
        rule = ACTIONS.get(case.path.rstrip("/").rsplit("/", 1)[-1]) if "/actions/" in case.path else None
        if rule is not None and spread % 2 == 0:
            cases = [c for c in cases if c.status in rule.sources] or cases
        params["id"] = cases[spread // 2 % len(cases)].pk
    body = case.body if isinstance(case.body, dict) else None
    if case.path == "/api/public/track/" and body is not None and hash(str(body.get("tracking_code"))) % 2 == 0:
        # Half the look-ups name a case that exists (in some status), half of those with its phone's digits, so the
        # answer is decided by the digits and the case's own data is rendered.
        spread = hash(str(body.get("tracking_code"))) // 2
        chosen: Case = world["cases"][spread // 2 % len(world["cases"])]
        body["tracking_code"] = chosen.tracking_code
        if spread % 2 == 0:
            body["phone_last4"] = chosen.phone[-4:]
    if case.path.endswith("/applications/") and body is not None and hash(str(sorted(body))) % 2 == 0:
        # Half the applications keep only their generated optional fields (address, postcode, e-mail, remarks …) over
        # a valid applicant and item list, so the service's own checks and the intake itself are reached: a generated
        # ID number almost never has a valid check digit.
        keep = {key: value for key, value in body.items() if key in _OPTIONAL_INTAKE}
        body.clear()
        body.update({**intake_body(), **keep})
    if "agency_id" in params and hash(str(params["agency_id"])) % 2 == 0:
        params["agency_id"] = world["agency"].pk
    if "code" in params and hash(str(params["code"])) % 2 == 0:
        params["code"] = world["agency"].code
    if "year" in params and hash(str(params["year"])) % 2 == 0:
        params["year"] = 2023 + hash(str(params["year"])) // 2 % 3  # no report yet, published, submitted


@schema.parametrize()
@fuzz(8)
def test_api_never_5xx(case: Any, world: dict[str, Any]) -> None:
    headers = {"Authorization": f"Token {world['key']}"} if case.path.startswith("/api/staff/") else {}
    with transaction.atomic():  # rolled back: the next input meets the same world
        _aim(case, world)
        case.call_and_validate(headers=headers, checks=[not_a_server_error])
        transaction.set_rollback(True)


def test_the_world_has_a_case_in_every_status_and_aims_at_legal_ones(world: dict[str, Any]) -> None:
    """Without this spread most action inputs would meet a case whose status refuses the action (a 409 before the
    body is read): the first world held two 待确认 cases, where 16 of the 20 actions are refused."""
    assert {c.status for c in world["cases"]} == set(Status)

    class _Generated:  # what _aim reads of a schemathesis case
        def __init__(self, path: str, pk: int) -> None:
            self.path, self.path_parameters, self.body = path, {"id": pk}, None

    statuses = {c.pk: c.status for c in world["cases"]}
    for name, rule in ACTIONS.items():
        legal = 0
        for n in range(400):
            generated = _Generated(f"/api/staff/cases/{{id}}/actions/{name}/", 10**9 + n)
            _aim(generated, world)
            legal += statuses.get(generated.path_parameters["id"]) in rule.sources
        assert legal >= 60, (name, legal)
