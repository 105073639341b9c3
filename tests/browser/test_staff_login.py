"""A staff member signs in, corrects the agency's contact phone (条例第十二条: the guide's contact data), and the public
portal shows the new number at once."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from gongkai.demo.data import DEMO_PASSWORD
from gongkai.demo.load import demo_load
from tests.browser.auth import change_password, enrol_authenticator

NEW_PASSWORD = "Sunli-2026-xinmima"

pytestmark = pytest.mark.browser

NEW_PHONE = "0375-8166299"
NEW_HOURS = "周一至周五 上午8:30—12:00，下午14:30—17:30（法定节假日除外）"


def row_value(page: Page, label: str) -> Locator:
    """The cell next to the row header ``label`` in a key–value table (agencies/contact_table.html)."""
    return page.locator("tr", has=page.locator("th", has_text=re.compile(f"^{re.escape(label)}$"))).locator("td")


def sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_staff_signs_in_and_corrects_the_agency_phone(page: Page, screenshot: Callable[[str], object]) -> None:
    demo_load(cases=False)

    page.goto("/staff/")
    expect(page).to_have_url(re.compile(r"/staff/login/\?next=/staff/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("工作人员登录")
    screenshot("01-login")

    sign_in(page, "zh_admin", DEMO_PASSWORD)
    # The demo password is public: the first sign-in replaces it (等保 8.1.4.1), with the rules shown.
    expect(page).to_have_url(re.compile(r"/staff/password/\?next=/staff/$"))
    expect(page.get_by_role("status").filter(has_text="初始密码")).to_be_visible()
    screenshot("02a-forced-password-change")
    change_password(page, DEMO_PASSWORD, "Weak1")
    expect(page.get_by_role("alert").filter(has_text="新密码：密码太短，至少需要 8 个字符")).to_have_count(1)
    change_password(page, DEMO_PASSWORD, NEW_PASSWORD)
    # A 机构管理员 must sign in with a second factor: enrolment comes next, its QR code drawn by the server.
    expect(page).to_have_url(re.compile(r"/staff/2fa/setup/\?next=/staff/$"))
    qr = page.get_by_role("img", name=re.compile("身份验证器二维码"))
    expect(qr).to_be_visible()
    # The image really loads (served by our view, allowed by the CSP's img-src 'self'): a blocked one has no width.
    page.wait_for_function(
        "() => { const i = document.querySelector('img.otp-qr'); return i.complete && i.naturalWidth > 0; }"
    )
    screenshot("02b-enrol-authenticator")
    page.get_by_label("动态验证码").fill("000000")
    page.get_by_role("button", name="完成绑定").click()
    expect(page.get_by_role("alert").filter(has_text="动态验证码：验证码不正确")).to_have_count(1)
    page.wait_for_timeout(1100)  # django-otp makes the next try wait 1 s after a wrong code (throttling)
    enrol_authenticator(page)
    expect(page).to_have_url(re.compile(r"/staff/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")
    expect(page.get_by_label("当前用户")).to_have_text("孙丽")
    screenshot("02-workbench")

    page.get_by_role("region", name="我的岗位").get_by_role("link", name="湛河区司法局", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("湛河区司法局")
    expect(row_value(page, "联系电话")).to_have_text("0375-8166215")
    screenshot("03-agency")

    page.get_by_role("link", name="编辑联系信息与机关规则").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("编辑：湛河区司法局")
    phone = page.get_by_label("联系电话", exact=True)
    hours = page.get_by_label("办公时间", exact=True)
    expect(phone).to_have_value("0375-8166215")

    # An invalid number: the form comes back with a Chinese error naming the field and keeps every typed value.
    hours.fill(NEW_HOURS)
    phone.fill("8166299")
    page.get_by_role("button", name="保存").click()
    error = page.get_by_role("alert").filter(has_text="联系电话")
    expect(error).to_have_count(1)
    expect(error).to_contain_text("联系电话：联系电话应为11位手机号码，或带区号的固定电话")
    expect(page.get_by_role("heading", level=1)).to_have_text("编辑：湛河区司法局")
    expect(phone).to_have_value("8166299")
    expect(hours).to_have_value(NEW_HOURS)
    expect(page.get_by_label("办公地址", exact=True)).to_have_value("平顶山市湛河区姚孟大道与曹镇路交叉口司法局办公楼")
    screenshot("04-invalid-phone")

    phone.fill(NEW_PHONE)
    phone.press("Enter")  # submits the form from the keyboard
    expect(page.get_by_role("heading", level=1)).to_have_text("湛河区司法局")
    expect(page.get_by_role("status")).to_contain_text("机关信息已保存。")
    expect(row_value(page, "联系电话")).to_have_text(NEW_PHONE)
    expect(row_value(page, "办公时间")).to_have_text(NEW_HOURS)
    screenshot("05-saved")

    page.goto("/agencies/zhanhe-sfj/")
    expect(page.get_by_role("heading", level=1)).to_have_text("湛河区司法局 政府信息公开")
    expect(row_value(page, "联系电话")).to_have_text(NEW_PHONE)
    expect(row_value(page, "办公时间")).to_have_text(NEW_HOURS)
    screenshot("06-portal")


def test_wrong_password_is_refused(page: Page, screenshot: Callable[[str], object]) -> None:
    demo_load(cases=False)

    page.goto("/staff/login/")
    sign_in(page, "zh_admin", DEMO_PASSWORD + "x")
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    expect(page).to_have_url(re.compile(r"/staff/login/$"))
    expect(page.get_by_label("用户名")).to_have_value("zh_admin")
    expect(page.get_by_label("密码")).to_have_value("")
    screenshot("wrong-password")

    page.goto("/staff/")
    expect(page).to_have_url(re.compile(r"/staff/login/\?next=/staff/$"))
