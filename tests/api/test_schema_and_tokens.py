"""The OpenAPI document, and the token command's create / list / revoke round trip."""

from __future__ import annotations

import io
from typing import Any

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from gongkai.accounts.roles import Role
from gongkai.api.models import ApiToken
from gongkai.api.services import hash_key
from gongkai.api.views import ACTIONS
from gongkai.audit.models import AuditEvent
from tests.factories import make_public, make_staff


def test_schema_is_openapi_3_and_documents_every_endpoint(api: APIClient, db: Any) -> None:
    response = api.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Gongkai API"
    paths = schema["paths"]
    assert "post" in paths["/api/public/agencies/{code}/applications/"]
    assert "post" in paths["/api/public/track/"]
    assert "get" in paths["/api/staff/cases/"]
    assert "get" in paths["/api/staff/cases/{id}/"]
    for name in ACTIONS:
        operation = paths[f"/api/staff/cases/{{id}}/actions/{name}/"]["post"]
        assert operation["security"] == [{"tokenAuth": []}]
        assert set(operation["responses"]) >= {"200", "400", "404", "409"}
    assert schema["components"]["securitySchemes"]["tokenAuth"]["in"] == "header"
    intake = paths["/api/public/agencies/{code}/applications/"]["post"]
    assert "附件" in intake["description"]
    assert set(intake["responses"]) >= {"201", "400", "404", "429"}
    assert not any("{action}" in path for path in paths)


def test_schema_defaults_to_yaml(api: APIClient, db: Any) -> None:
    response = api.get("/api/schema/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi;")  # the YAML media type
    assert yaml.safe_load(response.content)["openapi"].startswith("3.")


def test_no_swagger_or_redoc_pages(api: APIClient, db: Any) -> None:
    for path in ("/api/schema/swagger-ui/", "/api/schema/redoc/", "/api/docs/"):
        assert api.get(path).status_code == 404


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_token_create_list_revoke_round_trip(handler: Any) -> None:
    key, note = _run("create", "--user", handler.username, "--name", "档案系统对接", "--days", "30")
    key = key.strip()
    assert len(key) == 40
    assert "只显示这一次" in note
    token = ApiToken.objects.get()
    assert token.prefix == key[:8]
    assert token.key_hash == hash_key(key)
    assert key not in token.key_hash
    assert token.expires_at is not None

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/staff/cases/").status_code == 200

    listing, _ = _run("list", "--user", handler.username)
    assert token.prefix in listing
    assert "档案系统对接" in listing
    assert key not in listing

    revoked, _ = _run("revoke", token.prefix)
    assert token.prefix in revoked
    assert client.get("/api/staff/cases/").status_code == 401
    assert "已吊销" in _run("list")[0]
    actions = list(
        AuditEvent.objects.filter(action__startswith="api.token").order_by("seq").values_list("action", flat=True)
    )
    assert actions == ["api.token_create", "api.token_revoke"]

    with pytest.raises(CommandError, match="已于") as again:
        _run("revoke", token.prefix)
    assert again.value.returncode == 2


def test_token_create_says_when_the_account_must_first_finish_its_sign_in_setup(agency: Any) -> None:
    head = make_staff(agency, Role.HEAD, otp=False)
    key, note = _run("create", "--user", head.username, "--name", "档案系统对接")
    assert "注意：该账号的角色须使用双因素认证" in note
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key.strip()}")
    assert client.get("/api/staff/cases/").status_code == 401
    ready = make_staff(agency, Role.HEAD)
    assert "注意" not in _run("create", "--user", ready.username, "--name", "档案系统对接")[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("create", "--user", "nobody", "--name", "x"), "没有工作人员账号“nobody”"),
        (("create", "--user", "{staff}", "--name", "  "), "请填写令牌用途"),
        (("create", "--user", "{staff}", "--name", "x", "--days", "0"), "有效天数应为1至3650"),
        (("create", "--user", "{public}", "--name", "x"), "没有工作人员账号"),
        (("revoke", "ZZZZZZZZ"), "没有前缀为“ZZZZZZZZ”的接口令牌"),
        (("list", "--user", "nobody"), "没有工作人员账号“nobody”"),
    ],
)
def test_token_command_errors_are_one_chinese_line(handler: Any, args: tuple[str, ...], message: str) -> None:
    public = make_public()
    args = tuple(a.format(staff=handler.username, public=public.username) for a in args)
    with pytest.raises(CommandError, match=message) as error:
        _run(*args)
    assert error.value.returncode == 2
    assert "\n" not in str(error.value)
    assert not ApiToken.objects.exists()
