"""Security headers on the portal, the back office and the API; no inline script or style that the CSP would block;
the production profile's HTTPS settings."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from gongkai.accounts.roles import Role
from tests.cli import run_gongkai
from tests.factories import make_agency, make_staff
from tests.test_settings_and_cli import production_env

ROOT = Path(__file__).resolve().parents[2]


def csp_directives(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_security_headers(response: Any) -> None:
    csp = csp_directives(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/staff/login/", "/account/login/", "/api/public/track/", "/api/schema/"])
def test_anonymous_responses_carry_the_headers(path: str) -> None:
    response = Client().get(path)
    assert response.status_code in (200, 400, 405), response.status_code
    assert_security_headers(response)


@pytest.mark.django_db
def test_back_office_and_staff_api_responses_carry_the_headers() -> None:
    head = make_staff(make_agency(), Role.HEAD)
    client = Client()
    client.force_login(head)
    page = client.get("/staff/")
    assert page.status_code == 200
    assert_security_headers(page)
    from gongkai.api.services import token_create

    _token, key = token_create(user=head, name="测试")
    api = Client().get("/api/staff/cases/", HTTP_AUTHORIZATION=f"Token {key}")
    assert api.status_code == 200
    assert_security_headers(api)
    refused = Client().get("/api/staff/cases/")
    assert refused.status_code in (401, 403)
    assert_security_headers(refused)


@pytest.mark.django_db
def test_hsts_when_https(settings: Any) -> None:
    # The production profile's values (checked in the subprocess test below); here, that the header is sent.
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = Client().get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert_security_headers(response)


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event-handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_has_inline_script_or_style() -> None:
    problems = []
    for template in sorted((ROOT / "gongkai").glob("*/templates/**/*.html")):
        text = template.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{template.relative_to(ROOT)}:{line}: {what}")
    assert not problems, "the CSP (script-src/style-src 'self') would block:\n" + "\n".join(problems)


def test_production_profile_turns_https_hardening_on(tmp_path: Path) -> None:
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) for k in ["
        "'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_SECURE', "
        "'CSRF_COOKIE_SECURE', 'X_FRAME_OPTIONS', 'GONGKAI_PASSWORD_PROFILE', 'AXES_FAILURE_LIMIT']}))"
    )
    result = run_gongkai("manage", "shell", "-c", code, env=production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["GONGKAI_PASSWORD_PROFILE"] == "dengbao"
    assert values["AXES_FAILURE_LIMIT"] == 5


def test_password_profile_is_chosen_per_deployment(tmp_path: Path) -> None:
    env = production_env(tmp_path) | {"GONGKAI_PASSWORD_PROFILE": "asvs"}
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps([s.GONGKAI_PASSWORD_MAX_AGE_DAYS, [v['NAME'] for v in s.AUTH_PASSWORD_VALIDATORS]]))"
    )
    result = run_gongkai("manage", "shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    max_age, names = json.loads(result.stdout.strip().splitlines()[-1])
    assert max_age == 0
    assert not any(name.endswith("CharacterClassesValidator") for name in names)
    bad = run_gongkai("manage", "check", env=production_env(tmp_path) | {"GONGKAI_PASSWORD_PROFILE": "weak"})
    assert bad.returncode == 2
    assert "GONGKAI_PASSWORD_PROFILE" in bad.stderr
