"""Issue 6's browser acceptance: an item goes through 保密审查 and 审批 (a phone number in it is found and blacked out),
is published, is found on the portal by search, and appears in the agency's feed."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from gongkai.accounts.roles import Role
from gongkai.agencies.models import Kind, Level
from gongkai.clock.selectors import calendar_cache_clear, loaded_years
from gongkai.clock.services import calendar_load_chinesecalendar
from gongkai.publications.codebook import Status
from gongkai.publications.models import Publication
from gongkai.search.services import process_outbox
from tests.browser.auth import staff_sign_in
from tests.factories import PASSWORD, make_agency, make_staff

pytestmark = pytest.mark.browser

TITLE = "湛河区司法局关于开展2026年人民调解员业务培训的通知"
PHONE = "13903751234"


@pytest.fixture
def world(settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    for year in (2026,):  # the live-server flush empties the calendar seed: load the year the 26条 clock counts in
        if year not in loaded_years():
            calendar_load_chinesecalendar(year=year, actor=None, actor_label="测试")
    calendar_cache_clear()
    government = make_agency("湛河区人民政府", kind=Kind.GOVERNMENT, level=Level.COUNTY, code="zhanhe")
    agency = make_agency("湛河区司法局", short_name="湛河区司法局", code="zhanhe-sfj", parent=government)
    make_staff(agency, Role.HANDLER, username="jingban", full_name="李经办")
    make_staff(agency, Role.REVIEWER, username="shencha", full_name="王审核")
    make_staff(agency, Role.HEAD, username="fuze", full_name="赵负责")
    return {"agency": agency}


def login(browser: Browser, live_server: Any, username: str) -> Page:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/staff/login/")
    staff_sign_in(page, username, PASSWORD)  # the 负责人 enters the code of the authenticator: 2FA is mandatory
    expect(page).to_have_url(re.compile(r"/staff/$"))
    return page


def act(page: Page, slug: str, opinion: str = "") -> None:
    panel = page.locator(f"details#action-{slug}")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    if opinion:
        panel.get_by_label("意见").fill(opinion)
    panel.get_by_role("button").last.click()


def test_review_approve_search_and_feed(
    page: Page, browser: Browser, live_server: Any, world: dict[str, Any], screenshot: Callable[[str], object]
) -> None:
    # 1. The 经办人 drafts the item (a phone number slipped into the body) and sends it to 保密审查.
    handler = login(browser, live_server, "jingban")
    handler.goto("/staff/publications/new/")
    handler.get_by_label("公开主体").select_option(label="湛河区司法局")
    handler.get_by_label("标题").fill(TITLE)
    handler.get_by_label("文号").fill("湛司发〔2026〕7号")
    handler.get_by_label("公开类别（条例第二十条、第二十一条）").select_option("art20_1")
    handler.get_by_label("内容概述").fill("组织全区人民调解员参加业务培训")
    handler.get_by_label("正文").fill(
        f"<p>为提升人民调解员业务能力，定于12月开展人民调解员业务培训。</p><p>联系人：张明，电话{PHONE}。</p>"
    )
    handler.get_by_role("button", name="保存草稿").click()
    handler.screenshot(path=str(_artifact("00-draft-saved")), full_page=True)
    item = Publication.objects.get(title=TITLE)
    act(handler, "submit")
    item.refresh_from_db()
    assert item.status == Status.SECRECY_REVIEW
    handler.context.close()

    # 2. The 审核人 sees the phone highlighted, blacks it out (the data is gone), and passes the review.
    reviewer = login(browser, live_server, "shencha")
    reviewer.goto(f"/staff/publications/{item.pk}/")
    expect(reviewer.locator("mark").first).to_be_visible()
    reviewer.screenshot(path=str(_artifact("01-review-findings")), full_page=True)
    while reviewer.get_by_role("button", name="涂黑（■）").count():
        reviewer.get_by_role("button", name="涂黑（■）").first.click()
        reviewer.wait_for_load_state()
    item.refresh_from_db()
    assert PHONE not in item.body
    assert PHONE not in item.body_html
    assert "■" in item.body
    act(reviewer, "review_pass", opinion="已遮盖联系电话，同意公开")
    item.refresh_from_db()
    assert item.status == Status.APPROVAL
    reviewer.context.close()

    # 3. The 负责人 approves: published now, on the portal.
    head = login(browser, live_server, "fuze")
    head.goto(f"/staff/publications/{item.pk}/")
    act(head, "approve", opinion="同意发布")
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED
    head.screenshot(path=str(_artifact("02-published")), full_page=True)
    head.context.close()
    process_outbox()  # what `gongkai search process` does from cron

    # 4. The public finds it by search (a 2-character query and a 4-character one), and in the agency's feed.
    page.goto("/search/?q=调解")
    expect(page.locator("main")).to_contain_text(TITLE)
    page.goto("/search/?q=业务培训")
    expect(page.locator("main mark").first).to_contain_text("业务培训")
    screenshot("03-search")
    page.get_by_role("link", name=re.compile("人民调解员业务培训")).first.click()
    expect(page.locator("main")).to_contain_text(item.index_number)
    expect(page.locator("main")).not_to_contain_text(PHONE)
    screenshot("04-item-page")
    feed = page.request.get("/agencies/zhanhe-sfj/xxgk/feed/rss/")
    assert feed.ok
    assert TITLE in feed.text()


def _artifact(step: str) -> Any:
    from pathlib import Path

    folder = Path("test-artifacts/screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"test_review_approve_search_and_feed-{step}.png"
