"""Public endpoints: online intake (条例第二十九条) and tracking by code plus the phone's last four digits."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from gongkai.cases import services
from gongkai.cases.models import Case
from gongkai.cases.states import Status
from tests.api.conftest import intake_body, intake_url
from tests.cases.conftest import application, d
from tests.factories import valid_id_number

CJK = re.compile(r"[\u4e00-\u9fff]")
TRACK = "/api/public/track/"


def test_intake_creates_a_pending_case(api: APIClient, agency: Any) -> None:
    response = api.post(intake_url(agency), intake_body(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get()
    assert body == {
        "number": case.number,
        "tracking_code": case.tracking_code,
        "status": "pending",
        "status_label": "待确认",
        "agency": agency.code,
        "agency_name": agency.name,
    }
    assert case.status == Status.PENDING
    assert case.items.get().title == "2024年法律援助经费使用情况"
    assert case.phone == "13903751234"


def test_bad_id_number_names_the_field_in_chinese(api: APIClient, agency: Any) -> None:
    good = valid_id_number()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")  # wrong check digit
    response = api.post(intake_url(agency), intake_body(id_number=bad), format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["id_number"]
    assert CJK.search(errors["id_number"][0])
    assert not Case.objects.exists()


def test_missing_and_mistyped_fields_are_named(api: APIClient, agency: Any) -> None:
    body = intake_body(items="不是列表", applicant_type="martian")
    del body["phone"]
    errors = api.post(intake_url(agency), body, format="json").json()["errors"]
    assert set(errors) == {"items", "applicant_type", "phone"}
    assert errors["phone"][0].startswith("联系电话：")
    assert errors["applicant_type"][0].startswith("申请人类型：")
    assert errors["items"]["non_field_errors"][0].startswith("申请公开的政府信息：")
    nested = api.post(intake_url(agency), intake_body(items=[{"title": 5, "description": ["x"]}]), format="json")
    assert nested.status_code == 400
    assert nested.json()["errors"]["items"]["0"]["description"][0].startswith("特征性描述：")


def test_service_rules_come_back_keyed_by_field(api: APIClient, agency: Any) -> None:
    response = api.post(intake_url(agency), intake_body(obtain_method="post", items=[{"title": " "}]), format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["postal_address"] == ["选择邮寄方式获取的，请填写通信地址"]
    assert "items" in errors


@pytest.mark.parametrize(
    ("payload", "content_type"),
    [
        (b'{"applicant_name": "\xe5\xbc\xa0', "application/json"),
        (b"{,}", "application/json"),
        (b"[" * 100_000 + b"]" * 100_000, "application/json"),
        (b'{"a": NaN}', "application/json"),
        (b"\xff\xfe", "application/json"),
        (b"[1, 2]", "application/json"),
        (b"null", "application/json"),
    ],
)
def test_malformed_json_is_400(api: APIClient, agency: Any, payload: bytes, content_type: str) -> None:
    response = api.generic("POST", intake_url(agency), payload, content_type=content_type)
    assert response.status_code == 400, response.content
    assert "detail" in response.json() or "errors" in response.json()


def test_form_encoding_is_refused_not_crashed(api: APIClient, agency: Any) -> None:
    response = api.post(intake_url(agency), {"applicant_name": "张三"}, format="multipart")
    assert response.status_code == 415


def test_unknown_agency_is_404_in_chinese(api: APIClient, agency: Any) -> None:
    response = api.post("/api/public/agencies/no-such-agency/applications/", intake_body(), format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "没有该机关，请核对机关代码"}


def test_intake_is_throttled_per_address(api: APIClient, agency: Any, settings: Any) -> None:
    settings.GONGKAI_API_INTAKE_RATE = "2/hour"
    url = intake_url(agency)
    assert api.post(url, intake_body(), format="json").status_code == 201
    assert api.post(url, {"bad": 1}, format="json").status_code == 400  # refused attempts count too
    third = api.post(url, intake_body(), format="json")
    assert third.status_code == 429
    assert CJK.search(third.json()["detail"])
    assert "Retry-After" in third
    # Another address is not affected; a forged X-Forwarded-For does not make a new address.
    assert api.post(url, intake_body(), format="json", HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429
    assert api.post(url, intake_body(), format="json", REMOTE_ADDR="10.0.0.2").status_code == 201
    assert Case.objects.count() == 2


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_track_with_the_right_digits(api: APIClient, agency: Any, handler: Any) -> None:
    case = services.case_submit_online(agency=agency, data=application())
    services.case_confirm_receipt(case=case, actor=handler, received_on=d("2026-03-02"))
    response = api.post(TRACK, {"tracking_code": case.tracking_code.lower(), "phone_last4": "1234"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["number"] == case.number
    assert body["status"] == "processing"
    assert body["status_label"] == "办理中"
    assert body["received_on"] == "2026-03-02"
    assert body["reply_due"] == "2026-03-30"
    assert body["provisional"] is False
    assert body["explanation"]
    assert all(CJK.search(line) for line in body["explanation"])
    assert body["outcome"] is None
    assert body["outcome_label"] is None
    assert [e["action"] for e in body["timeline"]] == ["submit", "confirm_receipt"]
    assert body["timeline"][1] == {
        "date": "2026-03-02",
        "action": "confirm_receipt",
        "action_label": "确认收到申请",
        "note": "",
    }
    assert body["documents"] == []
    assert "phone" not in json.dumps(body)


@pytest.mark.parametrize(
    ("code", "digits"),
    [("right", "9999"), ("right", "123"), ("ABCD-EFGH-JKLM", "1234"), ("x" * 30, "1234")],
)
def test_track_refuses_alike(api: APIClient, agency: Any, code: str, digits: str) -> None:
    case = services.case_submit_online(agency=agency, data=application())
    tracking_code = case.tracking_code if code == "right" else code
    response = api.post(TRACK, {"tracking_code": tracking_code, "phone_last4": digits}, format="json")
    if len(digits) != 4:
        assert response.status_code == 400
        assert response.json()["errors"]["phone_last4"] == ["手机号后四位：应为4位数字"]
    else:
        assert response.status_code == 404
        assert response.json() == {"detail": "查询码或手机号后四位不正确"}


def test_track_is_throttled(api: APIClient, agency: Any, settings: Any) -> None:
    settings.GONGKAI_API_TRACK_RATE = "3/hour"
    for _ in range(3):
        assert api.post(TRACK, {"tracking_code": "ABCD", "phone_last4": "0000"}, format="json").status_code == 404
    assert api.post(TRACK, {"tracking_code": "ABCD", "phone_last4": "0000"}, format="json").status_code == 429


# Values of every JSON type, and strings near the real vocabulary, so that many examples reach the services.
_json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(
        [
            "natural_person",
            "legal_service",
            "resident_id",
            "credit_code",
            "passport",
            "paper",
            "email",
            "post",
            "online",
            "13903751234",
            "410411198503124139",
            "",
            " ",
            "\x00",
            "2024-13-40",
        ]
    ),
)
_json = st.recursive(
    _json_scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
_fields = st.sampled_from([*list(intake_body()), "postcode", "postal_address", "contact_person", "remarks"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    changes=st.dictionaries(_fields, _json, max_size=4),
    removed=st.sets(_fields, max_size=2),
    items=st.lists(
        st.dictionaries(st.sampled_from(["title", "doc_number", "description", "x"]), _json, max_size=3), max_size=3
    )
    | _json,
)
def test_intake_fuzz_never_5xx(agency: Any, changes: dict[str, Any], removed: set[str], items: Any) -> None:
    body = {**intake_body(items=items), **changes}
    for name in removed:
        body.pop(name, None)
    response = APIClient().post(intake_url(agency), body, format="json", REMOTE_ADDR="10.1.1.1")
    assert response.status_code in (201, 400, 429), (response.status_code, body)
    payload = response.json()
    if response.status_code == 400:
        assert payload["errors"]
