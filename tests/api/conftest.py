"""The case world of tests/cases, plus API clients and a token for the handler."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from gongkai.api.services import token_create
from tests.cases.conftest import agency, government, handler, head  # noqa: F401
from tests.factories import valid_id_number


@pytest.fixture(autouse=True)
def _fresh_throttles() -> Iterator[None]:
    # Throttle counters live in the cache, which outlives a test's database transaction.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def staff_client(user: Any) -> APIClient:
    _token, key = token_create(user=user, name="测试")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def handler_api(handler: Any) -> APIClient:  # noqa: F811
    return staff_client(handler)


def intake_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "applicant_type": "natural_person",
        "applicant_name": "张三",
        "id_type": "resident_id",
        "id_number": valid_id_number(),
        "phone": "13903751234",
        "email": "zhangsan@example.com",
        "items": [{"title": "2024年法律援助经费使用情况"}],
        "provision_form": "electronic",
        "obtain_method": "email",
    }
    body.update(overrides)
    return body


def intake_url(agency: Any) -> str:  # noqa: F811
    return f"/api/public/agencies/{agency.code}/applications/"
