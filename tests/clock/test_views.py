"""Calendar administration (access, load with preview, day correction), the public calculator, the missing-year warning."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse

from gongkai.accounts.roles import PlatformRole, Role
from gongkai.clock import selectors
from gongkai.clock.models import CalendarDay, CalendarVersion
from gongkai.clock.services import calendar_load_notice
from tests.factories import make_agency, make_public, make_staff

pytestmark = pytest.mark.django_db
D = dt.date
NOTICE_2027 = "国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _clear_calendar_cache() -> None:
    selectors.calendar_cache_clear()


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(make_staff(platform_role=PlatformRole.SYSTEM_ADMIN))
    return client


ADMIN_URLS = [
    reverse("calendar_admin:index"),
    reverse("calendar_admin:load"),
    reverse("calendar_admin:year", args=[2026]),
]


@pytest.mark.parametrize("url", ADMIN_URLS)
def test_system_admin_sees_the_pages(admin_client: Client, url: str) -> None:
    assert admin_client.get(url).status_code == 200


@pytest.mark.parametrize("url", ADMIN_URLS)
@pytest.mark.parametrize("kind", ["supervisor", "platform_auditor", "security_admin"])
def test_other_staff_get_the_same_404_as_a_missing_page(client: Client, url: str, kind: str) -> None:
    if kind == "supervisor":
        user = make_staff(make_agency(), Role.SUPERVISOR)
    else:
        user = make_staff(
            platform_role=PlatformRole.AUDITOR if kind == "platform_auditor" else PlatformRole.SECURITY_ADMIN
        )
    client.force_login(user)
    response = client.get(url)
    missing = client.get("/staff/platform/calendar/no-such-page/")
    assert response.status_code == missing.status_code == 404
    assert response.content == missing.content


@pytest.mark.parametrize("url", ADMIN_URLS)
def test_anonymous_and_public_users_go_to_the_staff_login(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff:login"))
    client.force_login(make_public())
    assert client.get(url)["Location"].startswith(reverse("staff:login"))


def test_missing_year_page_is_404(admin_client: Client) -> None:
    assert admin_client.get(reverse("calendar_admin:year", args=[2031])).status_code == 404


def test_year_grid_distinguishes_days_by_text(admin_client: Client) -> None:
    html = admin_client.get(reverse("calendar_admin:year", args=[2026])).content.decode()
    assert "<caption>2026年2月</caption>" in html
    assert 'aria-label="2026年2月15日，放假，春节"' in html
    assert 'aria-label="2026年2月14日，调休上班，春节"' in html
    assert 'aria-label="2026年3月7日，周末"' in html
    assert "版本1" in html


def test_load_preview_then_confirm(admin_client: Client) -> None:
    url = reverse("calendar_admin:load")
    preview = admin_client.post(url, {"text": NOTICE_2027, "action": "preview"})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "预览：2027年（首次导入）" in html
    assert "确认导入2027年安排" in html
    assert 2027 not in selectors.loaded_years()  # a preview writes nothing
    done = admin_client.post(url, {"text": NOTICE_2027, "year": "2027", "action": "confirm"})
    assert done.status_code == 302
    assert done["Location"] == reverse("calendar_admin:year", args=[2027])
    version = CalendarVersion.objects.get(calendar_year__year=2027)
    assert (version.number, version.source, version.notice_text) == (1, "notice", NOTICE_2027)
    assert set(CalendarDay.objects.filter(calendar_year__year=2027).values_list("date", flat=True)) == {
        D(2027, 1, 1),
        D(2027, 1, 2),
        D(2027, 1, 3),
    }
    page = admin_client.get(done["Location"]).content.decode()
    assert "2027年节假日安排已导入（版本1）" in page


def test_upload_shows_problems_with_line_numbers_and_cannot_be_confirmed(admin_client: Client) -> None:
    text = NOTICE_2027 + "二、春节：择日放假。\n"
    upload = SimpleUploadedFile("notice.txt", text.encode("gb18030"), content_type="text/plain")
    html = admin_client.post(reverse("calendar_admin:load"), {"file": upload, "action": "preview"}).content.decode()
    assert "第3行：无法识别放假日期“择日”，本句未导入" in html
    assert "确认导入" not in html
    refused = admin_client.post(reverse("calendar_admin:load"), {"text": text, "action": "confirm"})
    assert refused.status_code == 200
    assert "第3行" in refused.content.decode()
    assert 2027 not in selectors.loaded_years()


def test_load_form_errors(admin_client: Client) -> None:
    url = reverse("calendar_admin:load")
    assert "请粘贴通知文本或上传文本文件" in admin_client.post(url, {"action": "preview"}).content.decode()
    upload = SimpleUploadedFile("notice.pdf", b"%PDF", content_type="application/pdf")
    assert "只接受 .txt 文本文件" in admin_client.post(url, {"file": upload}).content.decode()
    html = admin_client.post(url, {"text": "一、元旦：1月1日放假。"}).content.decode()
    assert "无法从标题确定年份" in html


def test_correct_a_day(admin_client: Client) -> None:
    url = reverse("calendar_admin:day", args=[2026])
    response = admin_client.post(url, {"date": "2026-12-31", "kind": "holiday", "name": "测试", "reason": "补充通知"})
    assert response.status_code == 302
    assert CalendarDay.objects.get(date=D(2026, 12, 31)).kind == "holiday"
    assert CalendarVersion.objects.filter(calendar_year__year=2026).count() == 2
    bad = admin_client.post(url, {"date": "2026-12-30", "kind": "workday", "name": "", "reason": "试"})
    assert bad.status_code == 400
    assert "不必设为调休上班" in bad.content.decode()
    other_year = admin_client.post(url, {"date": "2025-12-30", "kind": "holiday", "reason": "试"})
    assert "只能更正2026年的日期" in other_year.content.decode()


def test_calculator_happy_path(client: Client) -> None:
    response = client.get(reverse("tools:deadline"), {"received": "2026-09-25"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "2026年10月29日" in html  # 20 working days, 国庆节 and 调休 counted as the notice says
    assert "计算过程" in html
    assert "<script" not in html


def test_calculator_with_events_and_provisional(client: Client) -> None:
    html = client.get(
        reverse("tools:deadline"),
        {"received": "2026-12-15", "extended_on": "2027-01-05", "extension_days": "20"},
    ).content.decode()
    assert "暂定" in html


def test_calculator_bad_input_redisplays_and_explains(client: Client) -> None:
    response = client.get(
        reverse("tools:deadline"),
        {"received": "2026-13-45", "extension_days": "30", "fee_paid": "2026-10-01"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "请按 2026-01-05 的格式填写日期" in html
    assert 'value="2026-13-45"' in html  # what was typed comes back
    assert "延长的期限最长不得超过20个工作日" in html
    assert "请先填写发出收费通知之日" in html


def test_calculator_engine_refusal_is_a_form_error_not_500(client: Client) -> None:
    response = client.get(
        reverse("tools:deadline"),
        {"received": "2026-03-02", "consultation_started": "2026-03-05", "consultation_ended": "2026-03-04"},
    )
    assert response.status_code == 400
    assert "form-errors" in response.content.decode()


def test_missing_next_year_warning_from_1_november() -> None:
    assert selectors.missing_calendar_warning(D(2026, 10, 31)) is None
    assert selectors.missing_calendar_warning(D(2026, 11, 1)) == "2027年节假日安排尚未导入"
    assert selectors.missing_calendar_warning(D(2027, 2, 1)) == "2027年节假日安排尚未导入"
    calendar_load_notice(text=NOTICE_2027, actor=None)
    assert selectors.missing_calendar_warning(D(2026, 11, 1)) is None
    assert selectors.missing_calendar_warning(D(2027, 11, 1)) == "2028年节假日安排尚未导入"


def test_warning_shown_only_to_supervisors_and_system_admins(monkeypatch: pytest.MonkeyPatch) -> None:
    from gongkai.clock.templatetags import clock_tags

    monkeypatch.setattr(clock_tags.timezone, "localdate", lambda: D(2026, 11, 2))
    template = Template('{% include "clock/_calendar_warning.html" %}')
    agency = make_agency()
    users = {
        "admin": make_staff(platform_role=PlatformRole.SYSTEM_ADMIN),
        "supervisor": make_staff(agency, Role.SUPERVISOR),
        "handler": make_staff(agency, Role.HANDLER),
    }
    shown = {}
    for name, user in users.items():
        request = RequestFactory().get("/staff/")
        request.user = user
        shown[name] = "2027年节假日安排尚未导入" in template.render(Context({"request": request, "user": user}))
    assert shown == {"admin": True, "supervisor": True, "handler": False}
