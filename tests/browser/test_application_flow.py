"""An applicant applies online; an officer confirms receipt, issues a 补正告知书, records the correction and replies
部分公开; the applicant sees the reply on the tracking page (issue 4's browser acceptance)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from gongkai.accounts.roles import Role
from gongkai.agencies.models import Kind, Level
from gongkai.cases.codebook import Outcome
from gongkai.cases.models import Case, CaseDocument, DocumentKind
from gongkai.cases.states import Status
from gongkai.clock.selectors import calendar_cache_clear, loaded_years
from gongkai.clock.services import calendar_load_chinesecalendar
from tests.browser.auth import staff_sign_in
from tests.factories import PASSWORD, make_agency, make_staff, valid_id_number

pytestmark = pytest.mark.browser

# A 1×1 PNG: the ID copy, recognised by its content.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002"
    "00015e0d0a2d0000000049454e44ae426082"
)
PHONE = "13903759876"


@pytest.fixture
def world(settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    # The live-server flush empties the calendar seed of the data migration: load the years the test counts in.
    for year in (2026,):
        if year not in loaded_years():
            calendar_load_chinesecalendar(year=year, actor=None, actor_label="测试")
    calendar_cache_clear()
    government = make_agency("湛河区人民政府", kind=Kind.GOVERNMENT, level=Level.COUNTY, code="zhanhe")
    agency = make_agency(
        "湛河区司法局",
        short_name="湛河区司法局",
        code="zhanhe-sfj",
        parent=government,
        doc_number_pattern="湛司公复〔{year}〕{seq}号",
    )
    officer = make_staff(agency, Role.HANDLER, username="lijing", full_name="李静")
    return {"agency": agency, "officer": officer}


def staff_login(page: Page, username: str) -> None:
    page.goto("/staff/login/")
    staff_sign_in(page, username, PASSWORD)
    expect(page).to_have_url(re.compile(r"/staff/$"))


def action(page: Page, slug: str) -> Any:
    panel = page.locator(f"details#action-{slug}")
    panel.locator("summary").click()
    return panel


def issue_document(page: Page, kind_label: str) -> None:
    page.locator("#documents").get_by_role("link", name=kind_label).click()
    page.get_by_role("button", name="签发").click()
    expect(page.get_by_text("已签发").first).to_be_visible()


def test_apply_correct_and_reply_partially(
    page: Page, browser: Browser, live_server: Any, world: dict[str, Any], screenshot: Callable[[str], object]
) -> None:
    id_number = valid_id_number("19900101", "276")

    # 1. The applicant applies online (条例第二十九条).
    page.goto("/agencies/zhanhe-sfj/")
    page.get_by_role("link", name="申请政府信息公开").first.click()
    page.get_by_label("自然人").check()
    page.get_by_label("申请人姓名或名称").fill("陈晓明")
    page.get_by_label("证件类型").select_option("resident_id")
    page.get_by_label("证件号码").fill(id_number)
    page.get_by_label("联系电话").fill(PHONE)
    page.get_by_label("电子邮箱").fill("chenxm@example.com")
    page.get_by_label("第1项信息名称").fill("2025年法律援助案件补贴发放明细")
    page.get_by_label("电子文档").check()
    page.get_by_label("网上获取").check()
    page.get_by_label("身份证明复印件").set_input_files(
        files=[{"name": "身份证.png", "mimeType": "image/png", "buffer": PNG}]
    )
    screenshot("01-application-form")
    page.get_by_role("button", name=re.compile("提交")).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("已提交")
    case = Case.objects.get(applicant_name="陈晓明")
    expect(page.locator("body")).to_contain_text(case.tracking_code)
    expect(page.locator("body")).to_contain_text(case.number)
    assert case.status == Status.PENDING
    screenshot("02-submitted")

    # 2. The officer confirms receipt (第三十一条), issues a 补正告知书 (第三十条) and records the correction.
    staff = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    officer = staff.new_page()
    staff_login(officer, "lijing")
    officer.goto("/staff/cases/?q=pending")
    officer.get_by_role("link", name=case.number).click()
    action(officer, "confirm_receipt").get_by_role("button").first.click()
    expect(officer.locator("main")).to_contain_text("办理中")
    case.refresh_from_db()
    assert case.status == Status.PROCESSING
    assert case.ledger is not None

    panel = action(officer, "request_correction")
    panel.get_by_label(re.compile("特征性描述不明确")).check()
    panel.get_by_label("其他需要补正的事项").fill("请写明所需明细的月份范围")
    panel.get_by_role("button").first.click()
    case.refresh_from_db()
    assert case.status == Status.AWAITING_CORRECTION
    issue_document(officer, "补正告知书")
    screenshot_officer = officer.screenshot
    screenshot_officer(path=str(_artifact("03-correction-notice-issued")), full_page=True)
    notice = CaseDocument.objects.get(case=case, kind=DocumentKind.CORRECTION_NOTICE)
    assert notice.doc_number == f"湛司公复〔{notice.date_on.year}〕1号"

    officer.goto(f"/staff/cases/{case.pk}/")
    action(officer, "record_correction").get_by_role("button").first.click()
    case.refresh_from_db()
    assert case.status == Status.PROCESSING
    assert case.corrected_on is not None

    # 3. The officer replies 部分公开 (第三十七条) with the withheld part and its ground, and issues the 答复书.
    panel = action(officer, "reply")
    panel.get_by_label("办理结果（表三）").select_option(Outcome.PARTIAL.value)
    panel.get_by_label("不予公开内容1", exact=True).fill("受援人姓名、身份证号码")
    panel.get_by_label("不予公开内容1：理由类别").select_option(Outcome.WITHHELD_THIRD_PARTY.value)
    panel.get_by_label("不予公开内容1：具体理由").fill("属于个人隐私，公开会对第三方合法权益造成损害")
    panel.get_by_role("button").first.click()
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.outcome == Outcome.PARTIAL
    issue_document(officer, "政府信息公开申请答复书")
    officer.screenshot(path=str(_artifact("04-reply-issued")), full_page=True)
    reply = CaseDocument.objects.get(case=case, kind=DocumentKind.REPLY)
    assert reply.is_issued
    staff.close()

    # 4. The applicant checks the tracking page: the reply is there.
    page.goto("/apply/track/")
    page.get_by_label("查询码").fill(case.tracking_code)
    page.get_by_label("手机号后四位").fill(PHONE[-4:])
    page.get_by_role("button", name="查询").click()
    expect(page.locator("main")).to_contain_text("已办结")
    expect(page.locator("main")).to_contain_text("部分公开")
    expect(page.locator("main")).to_contain_text(reply.doc_number)
    screenshot("05-tracking-page")
    with page.expect_download() as download:
        page.locator("ul.downloads li", has_text="答复书").get_by_role("link", name="PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")


def _artifact(step: str) -> Any:
    from pathlib import Path

    folder = Path("test-artifacts/screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"test_apply_correct_and_reply_partially-{step}.png"
