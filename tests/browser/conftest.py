"""Fixtures of the browser tests: one chromium per test process, a fresh browser context per test, the live server.

- ``chromium`` (session) and ``browser``: Debian's chromium at /usr/bin/chromium, headless, driven by Playwright's sync
  API, launched once per test process and shared by its browser tests (see ``Chromium`` for why it stops when they are
  over). Missing chromium skips the tests, except under CI=true where it fails them: CI must not pass without them.
- ``page`` (function): a new context (cookies, storage) on the live server, so that tests do not share a login.
- ``flushable_audit_log`` (function, used by ``page``): lets pytest-django empty the database after a live-server test.
- ``screenshot`` (function): full-page screenshots into test-artifacts/screenshots/<test>-<step>.png.

The live server needs real commits (``transactional_db``), and at the end of such a test pytest-django empties every
table (Django's ``flush``: DELETE on SQLite, TRUNCATE on PostgreSQL). The audit table refuses both through its
append-only triggers (gongkai/audit/db.py). ``flushable_audit_log`` depends on ``transactional_db``, so its teardown runs
before the flush: it drops the triggers there, and puts them back as soon as the flush is over, from the
``post_migrate`` signal that ``flush`` sends when it has emptied the tables (Django does not send it when a test sets
``available_apps`` or ``serialized_rollback``; these tests set neither). The triggers are therefore missing only during
the flush itself, never while a later test (of this folder or any other, on this xdist worker) runs. The setup installs
them again in any case (the statements are idempotent), so a test never starts without them.

The flush also empties what data migrations wrote (the clock app's calendar seed); only the first live-server test of a
worker sees those rows. A browser test that needs them must load them itself.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.db.models.signals import post_migrate
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from gongkai.audit.db import drop_triggers, install_triggers

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags chromium keeps calling Google services, which floods a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
MISSING_CHROMIUM = "需要 /usr/bin/chromium（apt-get install chromium）"
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000

_REINSTALL_UID = "tests.browser.conftest.reinstall_audit_triggers"
_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_FAILED] = True
    return report


class Chromium:
    """Playwright's sync API and one headless chromium, shared by the browser tests of this test process.

    Started by the first browser test, reused by the next ones, stopped as soon as the next test of the process is not a
    browser test (``pytest_runtest_teardown`` below) and at the end of the session. While it runs, Playwright keeps its
    asyncio loop marked as running in the main thread, and Django refuses database calls from that thread
    (SynchronousOnlyOperation) unless DJANGO_ALLOW_ASYNC_UNSAFE is set, although the test code and pytest-django's flush
    are plain synchronous code. The loop and the variable are both confined to the browser tests: a loop left running
    would break the database access and ``asyncio.run`` of every later test of the process, and the variable would reach
    the subprocesses they start (``manage.py check --deploy`` rejects it: async.E001).
    """

    def __init__(self) -> None:
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._previous_env: str | None = None

    def get(self) -> Browser:
        if self._browser is None:
            self._previous_env = os.environ.get(ASYNC_UNSAFE)
            os.environ[ASYNC_UNSAFE] = "true"
            try:
                self._playwright = sync_playwright().start()
                self._browser = self._playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
            except BaseException:
                self.stop()
                raise
        return self._browser

    def stop(self) -> None:
        browser, self._browser = self._browser, None
        playwright, self._playwright = self._playwright, None
        try:
            if browser is not None:
                browser.close()
        finally:
            if playwright is not None:
                playwright.stop()
                if self._previous_env is None:
                    os.environ.pop(ASYNC_UNSAFE, None)
                else:
                    os.environ[ASYNC_UNSAFE] = self._previous_env


_CHROMIUM = Chromium()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    try:
        return (yield)  # the test's own teardown, pytest-django's flush included
    finally:
        if nextitem is None or "browser" not in getattr(nextitem, "fixturenames", ()):
            _CHROMIUM.stop()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Chromium]:
    """The test process's chromium; skips the browser tests when it is not installed, fails them under CI=true."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(
                f"CI=true，但浏览器测试所需的 {CHROMIUM} 不存在（apt-get install chromium fonts-noto-cjk）；"
                f"CI must run the browser tests: {CHROMIUM} is missing.",
                pytrace=False,
            )
        pytest.skip(MISSING_CHROMIUM)
    yield _CHROMIUM
    _CHROMIUM.stop()


@pytest.fixture
def browser(chromium: Chromium) -> Browser:
    """The running chromium (launched once, then reused: a test gets a fresh context from ``page``)."""
    return chromium.get()


def _reinstall_audit_triggers(sender: Any, using: str = "default", **kwargs: Any) -> None:
    post_migrate.disconnect(dispatch_uid=_REINSTALL_UID)
    install_triggers(connections[using])


@pytest.fixture
def flushable_audit_log(transactional_db: None, live_server: Any) -> Iterator[None]:
    """Drops the audit triggers for pytest-django's end-of-test flush only; see the module docstring."""
    connection = connections["default"]
    post_migrate.disconnect(dispatch_uid=_REINSTALL_UID)
    install_triggers(connection)
    yield
    post_migrate.connect(_reinstall_audit_triggers, dispatch_uid=_REINSTALL_UID, weak=False)
    drop_triggers(connection)


@pytest.fixture
def page(
    flushable_audit_log: None, browser: Browser, live_server: Any, request: pytest.FixtureRequest
) -> Iterator[Page]:
    # flushable_audit_log comes first: a skip or failure in ``chromium`` must still leave a flushable database.
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    if request.node.stash.get(_FAILED, False):
        try:
            page.screenshot(path=str(_screenshot_path(request, "failure")), full_page=True)
        except Exception as error:  # a failed screenshot must not hide the test's own failure
            print(f"screenshot after failure not saved: {error}")
    context.close()


def _screenshot_path(request: pytest.FixtureRequest, step: str) -> Path:
    directory = request.config.rootpath / "test-artifacts" / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    test = request.node.name.replace("[", "-").replace("]", "")  # test_x[staff-login] → test_x-staff-login
    name = re.sub(r"[^\w.-]+", "-", f"{test}-{step}")
    return directory / f"{name}.png"


@pytest.fixture
def screenshot(page: Page, request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """``screenshot("login")`` saves the whole page as test-artifacts/screenshots/<test name>-login.png."""

    def take(step: str) -> Path:
        path = _screenshot_path(request, step)
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
