"""Faults during a submission, the deterministic part (benchmarks/fault_db.py does the same against a real server, a
database that stops answering and a full tmpfs):

* the database fails mid-submission → one clear Chinese page (503, Retry-After), the half-done transaction rolls
  back, and what was saved before is still there;
* the disk fills up while the uploaded files are written → the form comes back (503) with what was typed and a
  Chinese message, and there is no case without its files.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from gongkai.agencies.models import Agency
from gongkai.cases import services
from gongkai.cases.models import Case, CaseAttachment, RequestedItem
from gongkai.cases.views_public import STORAGE_FAILED
from tests.api.conftest import intake_body, intake_url
from tests.cases.conftest import application
from tests.cases.test_public_views import PNG, form_data


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def saved(agency: Agency) -> Case:
    """An application saved before the fault: it must come through untouched."""
    return services.case_submit_online(agency=agency, data=application(applicant_name="李四"))


@pytest.fixture
def database_dies_on_insert() -> Iterator[None]:
    """The server goes away at the moment the case row is written (as psycopg reports a lost connection)."""
    real = CursorWrapper.execute

    def execute(self: CursorWrapper, sql: str, params: Any = None) -> Any:
        if sql.lstrip().upper().startswith("INSERT") and '"cases_case"' in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return real(self, sql, params)

    with mock.patch.object(CursorWrapper, "execute", execute):
        yield


def _state() -> tuple[int, int, int]:
    return Case.objects.count(), RequestedItem.objects.count(), CaseAttachment.objects.count()


def test_database_lost_during_web_submission_gives_the_chinese_503(
    client: Client, agency: Agency, saved: Case, database_dies_on_insert: None
) -> None:
    before = _state()
    response = client.post(reverse("apply:form", args=[agency.code]), form_data(applicant_name="王五"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "服务暂时不可用" in page
    assert "已经保存的内容不会丢失" in page
    assert "Traceback" not in page
    assert _state() == before
    assert Case.objects.get(pk=saved.pk).applicant_name == "李四"


def test_database_lost_during_api_intake_gives_503(agency: Agency, saved: Case, database_dies_on_insert: None) -> None:
    before = _state()
    response = APIClient().post(intake_url(agency), intake_body(), format="json", REMOTE_ADDR="10.8.0.1")
    assert response.status_code == 503
    assert "服务暂时不可用" in response.content.decode()
    assert _state() == before


def _disk_full_after(ok_writes: int) -> Any:
    real = FileSystemStorage._save
    calls = {"n": 0}

    def save(self: FileSystemStorage, name: str, content: Any) -> str:
        calls["n"] += 1
        if calls["n"] > ok_writes:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, name, content)

    return mock.patch.object(FileSystemStorage, "_save", save)


@pytest.mark.parametrize("ok_writes", [0, 1], ids=["first-file", "second-file"])
def test_disk_full_during_submission_keeps_the_form_and_saves_nothing(
    client: Client, agency: Agency, saved: Case, ok_writes: int
) -> None:
    before = _state()
    data = form_data(
        applicant_name="赵六",
        postal_address="河南省平顶山市湛河区光明路8号",
        id_copy=SimpleUploadedFile("身份证.png", PNG),
        materials=[SimpleUploadedFile("材料.png", PNG + b"\x01")],
    )
    with _disk_full_after(ok_writes):
        response = client.post(reverse("apply:form", args=[agency.code]), data)
    assert response.status_code == 503
    page = response.content.decode()
    assert STORAGE_FAILED in page
    # What was typed is still in the form.
    assert "赵六" in page
    assert "河南省平顶山市湛河区光明路8号" in page
    assert "2024年法律援助经费使用情况" in page
    # No case, item or attachment row: nothing half-saved; the earlier application is intact.
    assert _state() == before
    assert Case.objects.get(pk=saved.pk).applicant_name == "李四"
    assert not Case.objects.filter(applicant_name="赵六").exists()


def test_after_the_fault_the_same_form_goes_through(client: Client, agency: Agency) -> None:
    url = reverse("apply:form", args=[agency.code])
    with _disk_full_after(0):
        assert client.post(url, form_data(id_copy=SimpleUploadedFile("a.png", PNG))).status_code == 503
    response = client.post(url, form_data(id_copy=SimpleUploadedFile("a.png", PNG)))
    assert response.status_code == 302
    case = Case.objects.get()
    attachment = CaseAttachment.objects.get(case=case)
    assert attachment.file.read() == PNG
