"""The public 投诉举报 form: Chinese errors naming each field, nothing partial saved, double-submit safe, tracking by
code and phone digits; random input never breaks it."""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.rectification.models import Complaint
from gongkai.rectification.states import ComplaintChannel, ComplaintStatus
from gongkai.rectification.views_public import MAX_TRACK_FAILURES
from tests.factories import make_agency
from tests.rectification.conftest import World

URL = "/complaints/"


def _token(client: Client) -> str:
    page = client.get(URL).content.decode()
    found = re.search(r'name="form_token" value="([0-9a-f]{32})"', page)
    assert found is not None
    return found.group(1)


def valid(world: World, client: Client, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "agency": world.dept_a.pk,
        "complaint_type": "not_answered",
        "complainant_name": "张三",
        "phone": "139 0375 1234",
        "description": "1月5日申请公开法律援助经费使用情况，逾期未答复。",
        "form_token": _token(client),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_url_is_the_public_path(world: World) -> None:
    assert reverse("complaints:form") == URL


def test_submit_files_with_the_supervising_office_and_shows_the_tracking_code(world: World) -> None:
    client = Client()
    response = client.post(URL, valid(world, client))
    assert response.status_code == 302
    assert response["Location"] == reverse("complaints:submitted")
    complaint = Complaint.objects.get()
    assert (complaint.office, complaint.agency, complaint.channel) == (
        world.office,
        world.dept_a,
        ComplaintChannel.ONLINE,
    )
    assert complaint.status == ComplaintStatus.RECEIVED
    assert complaint.phone == "13903751234"
    page = client.get(response["Location"]).content.decode()
    assert complaint.tracking_code in page
    assert "湛河区政务公开办" in page


def test_a_department_of_a_supervised_government_goes_to_the_governments_office(world: World) -> None:
    # No supervisor of its own: the office of the nearest ancestor that has one.
    world.government.supervisor = world.office
    world.government.save()
    dept = make_agency("湛河区统计局", parent=world.government)
    client = Client()
    client.post(URL, valid(world, client, agency=dept.pk))
    assert Complaint.objects.get().office == world.office


def test_double_submit_files_once(world: World) -> None:
    client = Client()
    data = valid(world, client)
    first = client.post(URL, data)
    second = client.post(URL, data)
    assert first.status_code == second.status_code == 302
    assert Complaint.objects.count() == 1
    # A fresh form is a new complaint.
    client.post(URL, valid(world, client))
    assert Complaint.objects.count() == 2


def test_empty_form_names_every_field_in_chinese_and_saves_nothing(world: World) -> None:
    client = Client()
    page = client.post(URL, {"form_token": _token(client)}).content.decode()
    for message in (
        "被投诉机关：请选择被投诉的机关",
        "投诉类型：请从列表中选择投诉类型",
        "姓名或名称：请填写投诉人姓名或名称",
        "联系电话：请填写联系电话",
        "投诉内容：请填写投诉内容",
    ):
        assert message in page
    assert Complaint.objects.count() == 0


def test_bad_values_are_named(world: World) -> None:
    client = Client()
    page = client.post(
        URL, valid(world, client, phone="12345", complaint_type="xx", agency="abc", description="长" * 5001)
    ).content.decode()
    assert "联系电话：联系电话应为11位手机号码" in page
    assert "投诉类型：请从列表中选择投诉类型" in page
    assert "被投诉机关：请从列表中选择被投诉机关" in page
    assert "投诉内容：不能超过5000个字" in page
    assert Complaint.objects.count() == 0


def test_missing_token_is_refused(world: World) -> None:
    client = Client()
    page = client.post(URL, valid(world, client, form_token="not-a-token")).content.decode()
    assert "提交凭据：页面已过期" in page
    assert Complaint.objects.count() == 0


def test_agency_without_an_office_is_not_offered_and_refused(world: World) -> None:
    lonely = make_agency("无主管机关")
    client = Client()
    assert "无主管机关" not in client.get(URL).content.decode()
    page = client.post(URL, valid(world, client, agency=lonely.pk)).content.decode()
    assert "被投诉机关：" in page
    assert Complaint.objects.count() == 0


def test_tracking_by_code_and_phone_digits(world: World) -> None:
    client = Client()
    client.post(URL, valid(world, client))
    complaint = Complaint.objects.get()
    track = reverse("complaints:track")
    other = Client()
    wrong = other.post(track, {"code": complaint.tracking_code, "phone_last4": "0000"}).content.decode()
    unknown = other.post(track, {"code": "AAAA-BBBB-CCCC", "phone_last4": "1234"}).content.decode()
    assert "查询码或联系电话后四位不正确" in wrong
    assert "查询码或联系电话后四位不正确" in unknown
    page = other.post(track, {"code": complaint.tracking_code.lower(), "phone_last4": "1234"}).content.decode()
    assert "已收到" in page
    assert "13903751234" not in page
    assert "1月5日申请公开" not in page  # the status page shows the progress, not the complaint's text


def test_tracking_locks_after_repeated_failures(world: World) -> None:
    client = Client()
    client.post(URL, valid(world, client))
    complaint = Complaint.objects.get()
    track = reverse("complaints:track")
    for _ in range(MAX_TRACK_FAILURES):
        client.post(track, {"code": "AAAA-BBBB-CCCC", "phone_last4": "1234"})
    locked = client.post(track, {"code": complaint.tracking_code, "phone_last4": "1234"})
    assert locked.status_code == 429
    assert "已暂停查询" in locked.content.decode()


# ---------------------------------------------------------------------------------------------------------------------
# Fuzz: bad input never produces a 500 (the test client re-raises a view's exception)

FIELDS = ["agency", "complaint_type", "complainant_name", "phone", "description", "form_token"]
_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["not_published", "not_answered", "other", "1", "2", "-1", "99999999999999999999999"]),
    st.from_regex(r"[0-9a-f]{32}", fullmatch=True),
    st.sampled_from(["", " ", "\x00", "０３７５－１２３４５６７", "x" * 400, "長" * 6000, "<script>", "%00"]),
)
_value = st.one_of(_text, st.lists(_text, min_size=0, max_size=3))
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _ok(response: Any) -> None:
    assert response.status_code < 500, response.status_code


@FUZZ
@given(data=st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=12)), _value, max_size=10))
def test_random_post_data_never_breaks_the_form(client: Client, world: World, data: dict[str, Any]) -> None:
    _ok(client.post(URL, data))


@FUZZ
@given(overrides=st.dictionaries(st.sampled_from(FIELDS), st.one_of(_value, st.none()), max_size=4))
def test_valid_form_with_random_changes_never_breaks(client: Client, world: World, overrides: dict[str, Any]) -> None:
    data = {
        "agency": world.dept_a.pk,
        "complaint_type": "other",
        "complainant_name": "张三",
        "phone": "13903751234",
        "description": "未公开",
        "form_token": secrets.token_hex(16),  # fresh: each example is a new form
    }
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    _ok(client.post(URL, data))


@FUZZ
@given(data=st.dictionaries(st.sampled_from(["code", "phone_last4", "x"]), _value, max_size=3))
def test_random_tracking_input_never_breaks(client: Client, db: Any, data: dict[str, Any]) -> None:
    client.cookies.clear()  # a new session each example: after ten failed look-ups a session is locked out
    _ok(client.post(reverse("complaints:track"), data))
    _ok(client.get(reverse("complaints:track"), data))
    _ok(client.get(reverse("complaints:submitted"), data))


def test_public_pages_are_never_cached(world: World) -> None:
    # A cached form would hand one visitor's one-time token to the next, and with it the first one's receipt.
    client = Client()
    for response in (client.get(URL), client.get(reverse("complaints:track"))):
        assert "no-store" in response["Cache-Control"]
    first, second = _token(Client()), _token(Client())
    assert first != second


def test_the_form_is_rate_limited_per_address(world: World, settings: Any) -> None:
    settings.GONGKAI_COMPLAINT_RATE = "2/hour"
    client = Client()
    statuses = [client.post(URL, valid(world, client)).status_code for _ in range(3)]
    assert statuses[:2] == [302, 302]
    assert statuses[2] == 429
    assert Complaint.objects.count() == 2
