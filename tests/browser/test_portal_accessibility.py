"""axe-core on the main portal pages (WCAG 2.1 AA / GB/T 37668): no serious or critical violation; the mobile layout at
375 px.

axe-core comes from npm (package.json, test-only): ``npm ci`` puts it in node_modules/. Without it the test skips
locally and fails under CI=true, like the missing chromium in conftest.py.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from gongkai.agencies.models import Agency
from gongkai.demo.load import demo_load
from gongkai.publications.codebook import Category, Channel, DeliveryStatus, DocKind, Status, Validity
from gongkai.publications.models import ChannelDelivery, Publication

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
MISSING_AXE = "需要 node_modules/axe-core（在仓库根目录运行 npm ci）"
BLOCKING = {"serious", "critical"}
MOBILE = {"width": 375, "height": 812}

RUN_AXE = """async () => {
    const result = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}});
    return result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" "))}));
}"""


@pytest.fixture
def axe_path() -> Path:
    if not AXE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true，但 {AXE} 不存在：CI must run `npm ci` before the browser tests.", pytrace=False)
        pytest.skip(MISSING_AXE)
    return AXE


def _world() -> dict[str, str]:
    """The demo agencies and catalogue, plus a 规范性文件 with full metadata and a body."""
    demo_load(cases=False)
    agency = Agency.objects.get(code="zhanhe-sfj")
    seq = Publication.objects.filter(agency=agency, year=2026).count() + 900
    document = Publication.objects.create(
        agency=agency,
        year=2026,
        seq=seq,
        index_number=f"{agency.identifier}/2026-{seq:05d}",
        title="湛河区司法局行政执法公示办法",
        doc_number="湛司〔2026〕1号",
        issuing_body=agency.name,
        written_on=dt.date(2026, 3, 2),
        formed_on=dt.date(2026, 3, 2),
        published_on=dt.date(2026, 3, 6),
        topic="行政执法",
        category=Category.ART20_1,
        doc_kind=DocKind.NORMATIVE,
        validity=Validity.CURRENT,
        summary="规定行政执法公示的内容、程序和监督。",
        body="第一条 为了规范行政执法公示工作，制定本办法。\n\n第二条 本办法适用于本局的行政执法公示。",
        status=Status.PUBLISHED,
    )
    ChannelDelivery.objects.create(publication=document, channel=Channel.PORTAL, status=DeliveryStatus.DELIVERED)
    return {"agency": agency.code, "item": f"/agencies/{agency.code}/xxgk/{document.pk}/"}


def _violations(page: Page, axe: Path, path: str) -> list[dict[str, Any]]:
    # The portal's CSP (script-src 'self') refuses an injected <script> tag, as it should; an init script is added
    # by the browser itself (DevTools), outside the page's CSP, so axe runs against the page exactly as served.
    if not getattr(page, "_axe_installed", False):
        page.add_init_script(path=str(axe))
        page._axe_installed = True  # type: ignore[attr-defined]
    response = page.goto(path)
    assert response is not None
    assert response.status == 200, path
    assert "script-src 'self'" in response.headers.get("content-security-policy", ""), path
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    return [v for v in found if v["impact"] in BLOCKING]


def test_main_portal_pages_have_no_serious_axe_violation(
    page: Page, axe_path: Path, screenshot: Callable[[str], object]
) -> None:
    # The runner itself: axe is loaded and reports a known critical violation (an image without alt text).
    page.set_content(
        '<!DOCTYPE html><html lang="zh-CN"><head><title>t</title></head><body><img src="x.png"></body></html>'
    )
    page.add_script_tag(path=str(axe_path))
    assert page.evaluate("() => axe.version") == "4.14.1"
    assert "image-alt" in {v["id"] for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING}

    world = _world()
    code = world["agency"]
    pages = {
        "home": "/",
        "agency": f"/agencies/{code}/",
        "guide": f"/agencies/{code}/xxgk/guide/",
        "catalogue": f"/agencies/{code}/xxgk/catalogue/",
        "item": world["item"],
        "apply-form": f"/apply/{code}/",
    }
    problems: dict[str, list[dict[str, Any]]] = {}
    for name, path in pages.items():
        blocking = _violations(page, axe_path, path)
        if blocking:
            problems[name] = blocking
        screenshot(name)
    assert problems == {}, problems


def test_mobile_layout_at_375_px(page: Page, axe_path: Path, screenshot: Callable[[str], object]) -> None:
    world = _world()
    code = world["agency"]
    page.set_viewport_size(MOBILE)
    for name, path in (
        ("agency", f"/agencies/{code}/"),
        ("catalogue", f"/agencies/{code}/xxgk/catalogue/"),
        ("item", world["item"]),
        ("guide", f"/agencies/{code}/xxgk/guide/"),
    ):
        assert _violations(page, axe_path, path) == [], name
        # Nothing wider than the screen: wide tables scroll inside their own box or stack.
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name}: page is {overflow}px wider than the 375px screen"
        # The menus are collapsed (details closed) and open without JavaScript.
        menu = page.locator("nav.column-nav details")
        assert menu.get_attribute("open") is None
        assert not page.locator("nav.column-nav").get_by_role("link", name="政府信息公开目录").is_visible()
        assert not page.locator("header").get_by_role("link", name="期限计算器").is_visible()
        screenshot(f"mobile-{name}")
    page.locator("nav.column-nav summary").click()
    assert page.locator("nav.column-nav").get_by_role("link", name="政府信息公开指南").is_visible()
    screenshot("mobile-menu-open")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.locator("nav.column-nav").get_by_role("link", name="政府信息公开指南").is_visible()
