"""Basics of accessibility (GB/T 37668-2019, WCAG 2.1) and of self-containment on the entry pages.

Landmarks, a working skip link, labelled form controls, the page language, and no request leaving the server: the
platform must work on an agency's intranet, with no CDN, font service or tracker.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from gongkai.demo.load import demo_load

pytestmark = pytest.mark.browser

PAGES = [
    pytest.param("/", "政府信息公开", id="portal-home"),
    pytest.param("/staff/login/", "工作人员登录", id="staff-login"),
    pytest.param("/account/register/", "注册公众用户", id="account-register"),
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}

UNLABELLED_CONTROLS = """() => Array.from(document.querySelectorAll("input, select, textarea"))
    .filter((el) => el.type !== "hidden" && el.getClientRects().length > 0)
    .filter((el) => !(el.labels && el.labels.length > 0)
        && !(el.getAttribute("aria-label") || "").trim()
        && !(el.getAttribute("aria-labelledby") || "").trim())
    .map((el) => el.outerHTML)"""

STYLESHEET_RULES = """() => Array.from(document.styleSheets)
    .map((sheet) => ({href: sheet.href, rules: sheet.cssRules.length}))"""


@pytest.mark.parametrize(("path", "heading"), PAGES)
def test_landmarks_skip_link_labels_language_and_no_outside_requests(
    page: Page, screenshot: Callable[[str], object], path: str, heading: str
) -> None:
    if path == "/":
        demo_load(cases=False)  # the portal home lists the agencies
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))

    response = page.goto(path)
    assert response is not None
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)

    assert page.locator("html").get_attribute("lang") == "zh-CN"
    expect(page.locator("main")).to_have_count(1)
    expect(page.locator("header[role=banner]")).to_have_count(1)
    expect(page.locator("footer")).to_have_count(1)
    expect(page.get_by_role("banner")).to_have_count(1)
    expect(page.get_by_role("main")).to_have_count(1)
    expect(page.get_by_role("contentinfo")).to_have_count(1)

    # The stylesheet is served by the live server and applied (the header is coloured, the skip link off-screen).
    sheets = page.evaluate(STYLESHEET_RULES)
    assert any(sheet["href"].endswith("/static/gongkai/gongkai.css") and sheet["rules"] > 0 for sheet in sheets), sheets
    assert page.locator("header").evaluate("el => getComputedStyle(el).backgroundColor") != "rgba(0, 0, 0, 0)"

    # The skip link is the first stop of the Tab key, becomes visible, and Enter moves the focus into <main>.
    skip = page.get_by_role("link", name="跳到主要内容")
    expect(skip).not_to_be_in_viewport()
    autofocused = page.evaluate("() => document.activeElement === document.body ? null : document.activeElement.id")
    if autofocused:
        # Django's AuthenticationForm autofocuses the username field (the login pages): the page opens with the focus
        # already inside <main>, and the first Tab goes on to the password field. Check that much, then start from
        # the skip link as a keyboard user arriving there would.
        expect(page.locator("main").locator(f"#{autofocused}")).to_be_focused()
        skip.focus()
    else:
        page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    screenshot("skip-link-focused")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    assert page.evaluate("() => document.activeElement.id") == "main"

    assert page.evaluate(UNLABELLED_CONTROLS) == []

    page.wait_for_load_state("networkidle")
    outside = [
        url
        for url in requests
        if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).hostname not in LOCAL_HOSTS
    ]
    assert outside == [], f"requests to other hosts: {outside}"
    assert any(url.endswith("/static/gongkai/gongkai.css") for url in requests)
    assert failed == []


@pytest.mark.parametrize("path", ["/staff/login/", "/account/login/"], ids=["staff-login", "account-login"])
def test_login_pages_name_the_platform(page: Page, path: str) -> None:
    page.goto(path)  # a server-rendered page: no waiting for the checks below
    assert settings.GONGKAI_SITE_NAME in page.title()
    assert settings.GONGKAI_SITE_NAME in page.locator("header .brand").inner_text()
    assert settings.GONGKAI_SITE_NAME in page.locator("footer").inner_text()
