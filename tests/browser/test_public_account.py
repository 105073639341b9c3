"""An applicant registers; the profile shows the ID number and the phone masked; revealing one is audited."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from gongkai.accounts.models import User
from gongkai.audit.models import AuditEvent
from gongkai.core.validators import id_number_check_char

pytestmark = pytest.mark.browser

ID_FIRST17 = "41041119880512301"  # 平顶山市湛河区, born 1988-05-12
ID_NUMBER = ID_FIRST17 + id_number_check_char(ID_FIRST17)
WRONG_ID_NUMBER = ID_FIRST17 + ("1" if ID_NUMBER[-1] != "1" else "2")
PHONE = "13903755678"
PASSWORD = "Shenqing-2024-mima"


def row_value(page: Page, label: str) -> Locator:
    return page.locator("tr", has=page.locator("th", has_text=re.compile(f"^{re.escape(label)}$"))).locator("td")


def fill_registration(page: Page, *, username: str, id_number: str) -> None:
    page.get_by_label("用户名").fill(username)
    page.get_by_label("姓名或名称").fill("王小梅")
    page.get_by_label("电子邮箱").fill(f"{username}@example.com")
    expect(page.get_by_label("证件类型")).to_have_value("resident_id")
    page.get_by_label("证件号码").fill(id_number)
    page.get_by_label("联系电话").fill(PHONE)
    page.get_by_label(re.compile("^密码")).fill(PASSWORD)  # not 确认密码
    page.get_by_label("确认密码").fill(PASSWORD)


def test_register_then_reveal_the_phone(page: Page, screenshot: Callable[[str], object]) -> None:
    page.goto("/account/register/")
    expect(page.get_by_role("heading", level=1)).to_have_text("注册公众用户")
    fill_registration(page, username="wangxm", id_number=ID_NUMBER)
    screenshot("01-form")
    page.get_by_role("button", name="注册").click()

    expect(page).to_have_url(re.compile(r"/account/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("我的账户")
    expect(page.get_by_role("status")).to_contain_text("注册成功。")
    expect(row_value(page, "证件")).to_contain_text(f"410***********{ID_NUMBER[-4:]}")
    expect(row_value(page, "联系电话")).to_contain_text("139****5678")
    html = page.content()
    assert ID_NUMBER not in html
    assert PHONE not in html
    screenshot("02-profile-masked")
    assert not AuditEvent.objects.filter(action="personal_data.reveal").exists()

    row_value(page, "联系电话").get_by_role("button", name="显示完整号码").click()
    expect(row_value(page, "联系电话")).to_contain_text(PHONE)
    expect(row_value(page, "证件")).to_contain_text(f"410***********{ID_NUMBER[-4:]}")
    assert ID_NUMBER not in page.content()
    screenshot("03-phone-revealed")

    user = User.objects.get(username="wangxm")
    reveal = AuditEvent.objects.get(action="personal_data.reveal")
    assert reveal.actor_id == user.pk
    assert reveal.after == {"field": "phone", "masked": "139****5678"}
    assert PHONE not in str(reveal.after) + reveal.detail  # the audit log keeps no second copy of the number


def test_wrong_check_digit_is_named_and_the_form_keeps_its_values(
    page: Page, screenshot: Callable[[str], object]
) -> None:
    assert WRONG_ID_NUMBER != ID_NUMBER
    page.goto("/account/register/")
    fill_registration(page, username="wangxm", id_number=WRONG_ID_NUMBER)
    page.get_by_role("button", name="注册").click()

    error = page.get_by_role("alert").filter(has_text="证件号码")
    expect(error).to_have_count(1)
    expect(error).to_contain_text("身份证号码校验位不正确")
    expect(page.get_by_role("heading", level=1)).to_have_text("注册公众用户")
    expect(page.get_by_label("用户名")).to_have_value("wangxm")
    expect(page.get_by_label("姓名或名称")).to_have_value("王小梅")
    expect(page.get_by_label("电子邮箱")).to_have_value("wangxm@example.com")
    expect(page.get_by_label("证件号码")).to_have_value(WRONG_ID_NUMBER)
    expect(page.get_by_label("联系电话")).to_have_value(PHONE)
    screenshot("invalid-id-number")
    assert not User.objects.filter(username="wangxm").exists()
