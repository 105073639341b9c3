"""导出我的数据: an applicant downloads their own data — and never another applicant's; staff export for a verified
request through the CLI. Both audited."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from gongkai.audit.models import AuditEvent
from gongkai.audit.services import audit_verify
from gongkai.cases import services
from gongkai.cases.models import Case
from tests.cases.conftest import application, d
from tests.factories import PASSWORD, make_public, make_staff, valid_id_number

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64
OTHER_ID = valid_id_number(serial="517")


def _zip(content: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files.pop("我的数据.json")), files


@pytest.fixture
def two_applicants(agency: Any, handler: Any, django_capture_on_commit_callbacks: Any) -> tuple[Any, Case, Any, Case]:
    mine = make_public(full_name="李四", email="lisi@example.com")
    other = make_public(full_name="王五", email="wangwu@example.com")
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False), django_capture_on_commit_callbacks(execute=True):
        my_case = services.case_submit_online(
            agency=agency,
            applicant_user=mine,
            data=application(
                applicant_name="李四",
                attachments=[services.UploadInput(name="李四身份证.png", content=PNG, content_type="image/png")],
            ),
        )
        other_case = services.case_submit_online(
            agency=agency,
            applicant_user=other,
            data=application(applicant_name="王五", id_number=OTHER_ID, email="wangwu@example.com"),
        )
    return mine, my_case, other, other_case


def test_applicant_downloads_only_their_own_data(client: Client, two_applicants: Any) -> None:
    mine, my_case, _other, other_case = two_applicants
    client.login(username=mine.username, password=PASSWORD)
    assert reverse("privacy:export") in client.get(reverse("account:profile")).content.decode()
    response = client.post(reverse("privacy:export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    data, files = _zip(response.content)

    assert data["账户"]["用户名"] == mine.username
    assert data["账户"]["申请人信息"]["证件号码"] == mine.applicant_profile.id_number
    assert [a["申请编号"] for a in data["申请"]] == [my_case.number]
    assert data["申请"][0]["申请人"]["证件号码"] == my_case.id_number
    assert "case.submit" in [action["操作"] for action in data["操作记录"]]
    # The receipt sent to them (PDF and DOCX) and the ID copy they uploaded are in it.
    assert any(name.endswith(".pdf") for name in files)
    assert PNG in files.values()
    everything = json.dumps(data, ensure_ascii=False) + "".join(files)
    for foreign in ("王五", "wangwu@example.com", OTHER_ID, other_case.number, other_case.tracking_code):
        assert foreign not in everything
    event = AuditEvent.objects.get(action="privacy.export")
    assert event.actor_id == mine.pk
    assert event.after["applications"] == 1
    assert audit_verify().ok


def test_export_needs_a_signed_in_applicant_and_a_post(client: Client, two_applicants: Any, agency: Any) -> None:
    mine = two_applicants[0]
    anonymous = client.post(reverse("privacy:export"))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account:login"))
    from gongkai.accounts.roles import Role

    staff = make_staff(agency, Role.HANDLER)
    client.force_login(staff)
    assert client.post(reverse("privacy:export")).status_code == 302  # staff have no 'own data' here
    client.force_login(mine)
    assert client.get(reverse("privacy:export")).status_code == 405
    assert not AuditEvent.objects.filter(action="privacy.export").exists()


def test_staff_export_by_id_number_for_a_verified_request(
    agency: Any, handler: Any, tmp_path: Path, two_applicants: Any
) -> None:
    with time_machine.travel("2026-03-03 09:00 +0800", tick=False):
        paper = services.case_register(
            agency=agency,
            data=application(applicant_name="赵六", id_number=valid_id_number(serial="633")),
            channel="in_person",
            actor=handler,
            received_on=d("2026-03-03"),
        )
    output = tmp_path / "export.zip"
    call_command(
        "privacy",
        "export",
        "--id-number",
        paper.id_number,
        "--output",
        str(output),
        "--operator",
        "李经办",
        "--reference",
        "依申请〔2026〕3号",
    )
    data, _files = _zip(output.read_bytes())
    assert [a["申请编号"] for a in data["申请"]] == [paper.number]
    assert "账户" not in data
    event = AuditEvent.objects.get(action="privacy.export")
    assert event.actor_label == "李经办（命令行）"
    assert event.after["reference"] == "依申请〔2026〕3号"
    with pytest.raises(CommandError) as exists:
        call_command(
            "privacy",
            "export",
            "--username",
            "nobody",
            "--output",
            str(tmp_path / "x.zip"),
            "--operator",
            "甲",
            "--reference",
            "乙",
        )
    assert exists.value.returncode == 2
