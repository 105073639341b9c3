"""The offline CAPTCHA of the public application form (gongkai.ratelimit.captcha): none for the first submissions
from an address, then a locally drawn image whose answer is checked — a wrong or missing one is refused with a Chinese
error naming the field, and what was typed is kept."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from captcha.models import CaptchaStore
from django.test import Client

from gongkai.agencies.models import Agency
from gongkai.cases import services
from gongkai.cases.models import Case
from tests.cases.conftest import agency, government  # noqa: F401
from tests.cases.test_public_views import form_data, form_url
from tests.factories import valid_id_number

IP = "198.51.100.77"
KEY = re.compile(r'name="captcha_0" value="([0-9a-f]+)"')


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GONGKAI_APPLY_CAPTCHA_AFTER = 3
    settings.GONGKAI_APPLY_RATE = "30/hour"
    settings.GONGKAI_APPLICANT_RATE = "100/day"


@pytest.fixture(autouse=True)
def _fast_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "_render", lambda doc: (b"PK\x03\x04 fake docx", b"%PDF-1.4 fake"))


def _data(n: int, **overrides: Any) -> dict[str, Any]:
    return form_data(phone=f"139037500{n:02d}", id_number=valid_id_number(serial=f"4{n:02d}"), **overrides)


def _captcha_key(html: str) -> str:
    match = KEY.search(html)
    assert match, "no CAPTCHA on the page"
    return match.group(1)


def _answer(key: str) -> str:
    return str(CaptchaStore.objects.get(hashkey=key).response)


def _use_up(client: Client, agency: Agency, count: int = 3) -> None:  # noqa: F811
    for n in range(count):
        response = client.post(form_url(agency), _data(n), REMOTE_ADDR=IP)
        assert response.status_code == 302, "the first submissions need no CAPTCHA"


def test_first_submissions_have_no_captcha(client: Client, agency: Agency) -> None:  # noqa: F811
    assert 'name="captcha_1"' not in client.get(form_url(agency), REMOTE_ADDR=IP).content.decode()
    _use_up(client, agency)
    assert Case.objects.count() == 3
    # Another address still sees none.
    assert 'name="captcha_1"' not in client.get(form_url(agency), REMOTE_ADDR="198.51.100.78").content.decode()


def test_after_the_threshold_the_form_shows_a_local_captcha(client: Client, agency: Agency) -> None:  # noqa: F811
    _use_up(client, agency)
    html = client.get(form_url(agency), REMOTE_ADDR=IP).content.decode()
    key = _captcha_key(html)
    assert f'src="/captcha/image/{key}/"' in html  # served by this site, not an outside service
    assert "验证码" in html
    assert 'alt="验证码图片' in html  # a text alternative saying what to do
    assert 'name="captcha_refresh"' in html
    # The image is drawn here (Pillow) and served by our own view.
    image = client.get(f"/captcha/image/{key}/")
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")


def test_missing_captcha_is_refused_naming_the_field_and_keeping_the_data(
    client: Client,
    agency: Agency,  # noqa: F811
) -> None:
    _use_up(client, agency)
    response = client.post(form_url(agency), _data(9, applicant_name="王五", remarks="急需"), REMOTE_ADDR=IP)
    assert response.status_code == 200
    html = response.content.decode()
    assert "验证码：请填写验证码" in html
    assert 'value="王五"' in html
    assert "急需" in html
    assert Case.objects.count() == 3


def test_wrong_captcha_is_refused_and_right_one_passes(client: Client, agency: Agency) -> None:  # noqa: F811
    _use_up(client, agency)
    key = _captcha_key(client.get(form_url(agency), REMOTE_ADDR=IP).content.decode())
    wrong = "zzzz" if _answer(key) != "zzzz" else "yyyy"
    response = client.post(
        form_url(agency), _data(10, applicant_name="赵六", captcha_0=key, captcha_1=wrong), REMOTE_ADDR=IP
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "验证码：验证码不正确" in html
    assert 'value="赵六"' in html
    assert Case.objects.count() == 3
    # A key can be tried once: the page carries a new one.
    new_key = _captcha_key(html)
    assert new_key != key
    assert not CaptchaStore.objects.filter(hashkey=key).exists()
    response = client.post(
        form_url(agency),
        _data(10, applicant_name="赵六", captcha_0=new_key, captcha_1=_answer(new_key).upper()),  # any case
        REMOTE_ADDR=IP,
    )
    assert response.status_code == 302
    assert Case.objects.filter(applicant_name="赵六").count() == 1


def test_refresh_gives_a_new_image_keeps_the_data_and_is_not_a_submission(
    client: Client,
    agency: Agency,  # noqa: F811
) -> None:
    _use_up(client, agency)
    key = _captcha_key(client.get(form_url(agency), REMOTE_ADDR=IP).content.decode())
    response = client.post(
        form_url(agency),
        _data(11, applicant_name="孙七", captcha_0=key, captcha_1="", captcha_refresh="1"),
        REMOTE_ADDR=IP,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert _captcha_key(html) != key
    assert 'value="孙七"' in html
    assert "申请未提交" not in html  # no error round
    assert Case.objects.count() == 3


def test_captcha_can_be_asked_always(client: Client, agency: Agency, settings: Any) -> None:  # noqa: F811
    settings.GONGKAI_APPLY_CAPTCHA_AFTER = 0
    assert 'name="captcha_1"' in client.get(form_url(agency), REMOTE_ADDR=IP).content.decode()
    response = client.post(form_url(agency), _data(1), REMOTE_ADDR=IP)
    assert response.status_code == 200
    assert "验证码：请填写验证码" in response.content.decode()


def test_refresh_has_its_own_limit(client: Client, agency: Agency, settings: Any) -> None:  # noqa: F811
    settings.GONGKAI_APPLY_RATE = "2/hour"
    data = _data(12, captcha_refresh="1")
    assert [client.post(form_url(agency), data, REMOTE_ADDR=IP).status_code for _ in range(3)] == [200, 200, 429]
    assert int(client.post(form_url(agency), data, REMOTE_ADDR=IP)["Retry-After"]) > 0
    # Submissions are counted apart: the first one still goes through.
    settings.GONGKAI_APPLY_CAPTCHA_AFTER = 100
    assert client.post(form_url(agency), _data(13), REMOTE_ADDR=IP).status_code == 302
