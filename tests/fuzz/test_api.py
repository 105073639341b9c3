"""Every endpoint of the JSON API, driven by schemathesis from our own OpenAPI schema (/api/schema/), in process
through the WSGI application: no input gives a 5xx. Staff endpoints are called with a handler's token, and half the
generated ids are swapped for a real case / agency so the actions reach the services, not only the 404.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error

from gongkai.agencies.models import Agency
from gongkai.api.services import token_create
from gongkai.cases import services
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


@pytest.fixture
def world(agency: Agency, handler: Any) -> dict[str, Any]:
    _token, key = token_create(user=handler, name="fuzz")
    cases = [services.case_submit_online(agency=agency, data=application()) for _ in range(2)]
    return {"key": key, "agency": agency, "cases": cases}


def _aim(case: Any, world: dict[str, Any]) -> None:
    params = case.path_parameters or {}
    if "id" in params and hash(str(params["id"])) % 2 == 0:
        params["id"] = world["cases"][hash(str(params["id"])) % 4 // 2].pk
    if "agency_id" in params and hash(str(params["agency_id"])) % 2 == 0:
        params["agency_id"] = world["agency"].pk
    if "code" in params and hash(str(params["code"])) % 2 == 0:
        params["code"] = world["agency"].code
    if "year" in params and hash(str(params["year"])) % 2 == 0:
        params["year"] = 2024


@schema.parametrize()
@fuzz(8)
def test_api_never_5xx(case: Any, world: dict[str, Any]) -> None:
    _aim(case, world)
    headers = {"Authorization": f"Token {world['key']}"} if case.path.startswith("/api/staff/") else {}
    case.call_and_validate(headers=headers, checks=[not_a_server_error])
