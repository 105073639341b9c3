"""Forms: Chinese errors naming the field, what was typed shown again, nothing saved from a bad submission."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from gongkai.accounts.models import User
from gongkai.accounts.roles import Role
from gongkai.agencies.models import Agency
from gongkai.audit.models import AuditEvent
from tests.factories import PASSWORD, make_agency, make_public, make_staff, valid_id_number

pytestmark = pytest.mark.django_db


def test_portal_pages() -> None:
    agency = make_agency("湛河区测试局", office_address="平顶山市湛河区测试路1号")
    client = Client()
    home = client.get("/")
    assert home.status_code == 200
    assert 'lang="zh-CN"' in home.content.decode()
    page = client.get(f"/agencies/{agency.code}/").content.decode()
    assert "平顶山市湛河区测试路1号" in page
    assert client.get("/agencies/no-such-agency/").status_code == 404


def test_staff_and_public_logins_are_separate() -> None:
    staff = make_staff(make_agency(), Role.HANDLER)
    public = make_public()
    client = Client()
    response = client.post("/staff/login/", {"username": public.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    response = client.post("/account/login/", {"username": staff.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    response = client.post("/staff/login/", {"username": staff.username, "password": PASSWORD})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.login", actor=staff).exists()
    assert AuditEvent.objects.filter(action="auth.login_failed", success=False).count() == 2


def test_agency_edit_bad_input_keeps_what_was_typed_and_saves_nothing() -> None:
    agency = make_agency()
    admin = make_staff(agency, Role.AGENCY_ADMIN)
    client = Client()
    client.force_login(admin)
    data = {
        "office_name": "新的办公室名称",
        "office_address": "新地址 88 号",
        "office_postcode": "46700",
        "office_hours": "工作日",
        "office_phone": "电话号码",
        "office_fax": "",
        "office_email": "not-an-email",
        "website": "",
        "doc_number_pattern": "测公复〔{year}〕{seq}号",
        "index_number_pattern": "{org}/{year}-{seq:05d}",
        "letterhead": "",
    }
    response = client.post(f"/staff/agencies/{agency.pk}/edit/", data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "联系电话：联系电话应为11位手机号码" in body
    assert "邮政编码：邮政编码应为6位数字" in body
    assert "电子邮箱：" in body
    assert "新地址 88 号" in body
    assert "新的办公室名称" in body
    agency.refresh_from_db()
    assert agency.office_address == ""
    assert agency.office_name != "新的办公室名称"

    # Other scripts' digits are refused; full-width ones (a Chinese input method) are folded.
    data.update({"office_postcode": "٤٦٧٠٠٠", "office_phone": "0375-8166299", "office_email": "a@example.gov.cn"})
    body = client.post(f"/staff/agencies/{agency.pk}/edit/", data).content.decode()
    assert "邮政编码：邮政编码应为6位数字" in body
    data["office_postcode"] = "４６７０００"
    response = client.post(f"/staff/agencies/{agency.pk}/edit/", data)
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.office_phone == "0375-8166299"
    assert agency.office_postcode == "467000"
    event = AuditEvent.objects.get(action="agency.update", agency=agency)
    assert event.before["office_phone"] == "0375-8166000"
    assert event.after["office_phone"] == "0375-8166299"


def test_invalid_credit_code_is_a_field_error() -> None:
    agency = Agency(name="x", code="x", level="county", kind="department", credit_code="91350100M000100Y44")
    with pytest.raises(ValidationError) as raised:
        agency.full_clean()
    assert "统一社会信用代码校验位不正确" in str(raised.value)


def test_register_with_a_wrong_id_check_digit() -> None:
    good = valid_id_number()
    wrong = good[:-1] + ("1" if good[-1] != "1" else "2")
    client = Client()
    response = client.post(
        "/account/register/",
        {
            "username": "wang",
            "full_name": "王五",
            "email": "wang@example.com",
            "id_type": "resident_id",
            "id_number": wrong,
            "phone": "13903750000",
            "password1": "Complex-pass-987",
            "password2": "Complex-pass-987",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "证件号码：身份证号码校验位不正确" in body
    assert 'value="王五"' in body
    assert 'value="wang@example.com"' in body
    assert not User.objects.filter(username="wang").exists()


def test_out_of_range_ids_are_missing_not_errors(client, db) -> None:  # type: ignore[no-untyped-def]
    """An id beyond the integer column (SQLite raises OverflowError, PostgreSQL DataError) is the same 404."""
    from gongkai.accounts.roles import Role
    from tests.factories import make_agency, make_staff

    agency = make_agency()
    client.force_login(make_staff(agency, Role.HEAD))
    for url in (f"/staff/agencies/{10**30}/", f"/staff/cases/{10**30}/", f"/staff/cases/{2**63}/"):
        assert client.get(url).status_code == 404, url


def test_audit_list_agency_filter_of_non_ascii_digits_is_empty_not_an_error() -> None:
    agency = make_agency("湛河区司法局")
    auditor = make_staff(agency, Role.AUDITOR)
    client = Client()
    client.force_login(auditor)
    for value in ("²", "①", "٣"):  # digits to str.isdigit; int() refuses the first two
        response = client.get("/staff/audit/", {"agency": value})
        assert response.status_code == 200, value
