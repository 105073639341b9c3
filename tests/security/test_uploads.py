"""Uploads (gongkai.cases.uploads): optional ClamAV scanning against a fake clamd speaking INSTREAM, fail closed when
it cannot be reached; and every download of a stored file served as an attachment with nosniff, never inline."""

from __future__ import annotations

import inspect
import os
import socket
import socketserver
import struct
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from gongkai.accounts.roles import Role
from gongkai.agencies.models import Agency
from gongkai.cases import services, uploads
from gongkai.cases.codebook import ObtainMethod, Outcome, OutcomeVariant
from gongkai.cases.models import AttachmentKind, Case, CaseAttachment
from gongkai.publications.models import PublicationAttachment
from tests.cases.conftest import agency, application, d, government, handler  # noqa: F401
from tests.cases.test_public_views import form_data, form_url
from tests.factories import make_staff
from tests.portal.conftest import make_item

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
INFECTED_PDF = PDF + b"%" + EICAR + b"\n"
HTML_IN_PDF = PDF + b"<html><script>alert(1)</script></html>"  # what an attacker hopes a browser renders inline


# ---------------------------------------------------------------------------------------------------------------------
# A fake clamd: the INSTREAM protocol (command, then <4-byte big-endian length><chunk>… until a zero length)


class _Clamd(socketserver.BaseRequestHandler):
    seen: list[bytes]
    answer: bytes | None = None  # None: answer as ClamAV would for EICAR

    def handle(self) -> None:
        stream = self.request.makefile("rb")
        command = stream.readline()
        if command.strip() not in (b"nINSTREAM", b"zINSTREAM"):
            self.request.sendall(b"UNKNOWN COMMAND\n")
            return
        data = b""
        while True:
            (size,) = struct.unpack("!L", stream.read(4))
            if size == 0:
                break
            data += stream.read(size)
        type(self).seen.append(data)
        if type(self).answer is not None:
            reply = type(self).answer
        elif EICAR in data:
            reply = b"stream: Eicar-Signature FOUND\n"
        else:
            reply = b"stream: OK\n"
        self.request.sendall(reply)


class _TCPServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class _UnixServer(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True


@pytest.fixture
def clamd(settings: Any) -> Iterator[type[_Clamd]]:
    """A fake clamd on a loopback TCP port, configured as GONGKAI_CLAMD_HOST/PORT."""
    fake = type("Fake", (_Clamd,), {"seen": [], "answer": None})
    server = _TCPServer(("127.0.0.1", 0), fake)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.GONGKAI_CLAMD_SOCKET = ""
    settings.GONGKAI_CLAMD_HOST = "127.0.0.1"
    settings.GONGKAI_CLAMD_PORT = server.server_address[1]
    settings.GONGKAI_CLAMD_TIMEOUT = 5
    settings.GONGKAI_CLAMD_FAIL_OPEN = False
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def clamd_unix(settings: Any, tmp_path: Path) -> Iterator[type[_Clamd]]:
    fake = type("Fake", (_Clamd,), {"seen": [], "answer": None})
    path = str(tmp_path / "clamd.sock")
    server = _UnixServer(path, fake)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.GONGKAI_CLAMD_SOCKET = path
    settings.GONGKAI_CLAMD_HOST = ""
    settings.GONGKAI_CLAMD_FAIL_OPEN = False
    yield fake
    server.shutdown()
    server.server_close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "_render", lambda doc: (b"PK\x03\x04 fake docx", b"%PDF-1.4 fake"))


# ---------------------------------------------------------------------------------------------------------------------
# Scanning


def test_without_clamd_configured_nothing_is_scanned(settings: Any) -> None:
    settings.GONGKAI_CLAMD_SOCKET = ""
    settings.GONGKAI_CLAMD_HOST = ""
    assert not uploads.clamd_configured()
    assert uploads.sniff("a.pdf", INFECTED_PDF, field="file").content_type == "application/pdf"


def test_clean_file_passes_the_scan(clamd: type[_Clamd]) -> None:
    assert uploads.sniff("a.pdf", PDF, field="file").content_type == "application/pdf"
    assert clamd.seen == [PDF]  # the whole content was streamed


def test_large_file_is_streamed_whole(clamd: type[_Clamd]) -> None:
    big = PDF + os.urandom(300_000)
    uploads.sniff("big.pdf", big, field="file")
    assert clamd.seen == [big]


def test_infected_file_is_refused_in_chinese_naming_the_field(clamd: type[_Clamd]) -> None:
    with pytest.raises(ValidationError) as caught:
        uploads.sniff("合同.pdf", INFECTED_PDF, field="materials")
    message = caught.value.message_dict["materials"][0]
    assert message == "“合同.pdf”经病毒扫描发现恶意代码（Eicar-Signature），已拒绝接收"


def test_unix_socket_is_supported(clamd_unix: type[_Clamd]) -> None:
    uploads.sniff("a.pdf", PDF, field="file")
    with pytest.raises(ValidationError, match="恶意代码"):
        uploads.sniff("b.pdf", INFECTED_PDF, field="file")
    assert len(clamd_unix.seen) == 2


def test_unreachable_clamd_refuses_the_upload(settings: Any) -> None:
    settings.GONGKAI_CLAMD_SOCKET = ""
    settings.GONGKAI_CLAMD_HOST = "127.0.0.1"
    settings.GONGKAI_CLAMD_PORT = _free_port()  # nothing listens there
    settings.GONGKAI_CLAMD_FAIL_OPEN = False
    with pytest.raises(ValidationError) as caught:
        uploads.sniff("a.pdf", PDF, field="file")
    assert "暂时无法完成病毒扫描，未予接收" in caught.value.message_dict["file"][0]


def test_unreachable_clamd_can_be_configured_to_let_uploads_through(settings: Any) -> None:
    settings.GONGKAI_CLAMD_SOCKET = ""
    settings.GONGKAI_CLAMD_HOST = "127.0.0.1"
    settings.GONGKAI_CLAMD_PORT = _free_port()
    settings.GONGKAI_CLAMD_FAIL_OPEN = True
    assert uploads.sniff("a.pdf", PDF, field="file").content_type == "application/pdf"


def test_clamd_error_answer_refuses_the_upload(clamd: type[_Clamd]) -> None:
    clamd.answer = b"INSTREAM size limit exceeded. ERROR\n"
    with pytest.raises(ValidationError, match="暂时无法完成病毒扫描"):
        uploads.sniff("a.pdf", PDF, field="file")
    clamd.answer = b"stream: Can't allocate memory ERROR\n"
    with pytest.raises(ValidationError, match="暂时无法完成病毒扫描"):
        uploads.sniff("a.pdf", PDF, field="file")


def test_type_check_comes_first_no_scan_for_a_refused_type(clamd: type[_Clamd]) -> None:
    with pytest.raises(ValidationError, match="类型不受支持"):
        uploads.sniff("x.exe", b"MZ\x90\x00" + b"\x00" * 64, field="file")
    assert clamd.seen == []


def test_public_form_refuses_an_infected_upload_and_keeps_the_data(
    client: Client,
    agency: Agency,  # noqa: F811
    clamd: type[_Clamd],
) -> None:
    data = form_data(applicant_name="钱八")
    data["materials"] = [SimpleUploadedFile("材料.pdf", INFECTED_PDF, content_type="application/pdf")]
    response = client.post(form_url(agency), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "其他材料：“材料.pdf”经病毒扫描发现恶意代码" in html
    assert 'value="钱八"' in html
    assert Case.objects.count() == 0
    # A clean one goes through and is stored.
    data["materials"] = [SimpleUploadedFile("材料.pdf", PDF, content_type="application/pdf")]
    assert client.post(form_url(agency), data).status_code == 302
    assert CaseAttachment.objects.count() == 1


def test_staff_publication_upload_is_scanned_too(agency: Agency, clamd: type[_Clamd]) -> None:  # noqa: F811
    staff = Client()
    staff.force_login(make_staff(agency, Role.HANDLER))
    item = make_item(agency)
    response = staff.post(
        reverse("publications:attachment_add", args=[item.pk]),
        {"file": SimpleUploadedFile("附件.pdf", INFECTED_PDF)},
    )
    assert response.status_code == 302
    assert not PublicationAttachment.objects.filter(publication=item).exists()
    assert clamd.seen == [INFECTED_PDF]


# ---------------------------------------------------------------------------------------------------------------------
# Downloads: always attachments, never inline

# Every URL that returns a stored or generated file, and where it is checked. A new download view must be added here
# (test_every_download_url_is_checked fails otherwise) together with a check of its headers.
DOWNLOAD_URLS = {
    "apply:document": "test_public_downloads_are_attachments",
    "apply:file": "test_public_downloads_are_attachments",
    "portal:attachment": "test_public_downloads_are_attachments",
    "cases:attachment": "test_staff_downloads_are_attachments",
    "cases:document_docx": "test_staff_downloads_are_attachments",
    "cases:document_pdf": "test_staff_downloads_are_attachments",
    "publications:attachment": "test_staff_downloads_are_attachments",
    "publications:pdf": "tests/publications/test_staff_views.py (generated PDF)",
    "reports:download": "tests/reports/test_views.py::test_downloads_are_attachments (generated)",
    "reports:rollup_download": "gongkai/reports/views_rollup.py uses views_staff.attachment (generated)",
    "annual:download": "tests/reports/test_views.py::test_downloads_are_attachments (generated)",
    "annual:version_download": "the same view as annual:download",
    "rectification:notice_attachment": "test_views_built_elsewhere_set_the_headers (source check)",
}
_FILE_WORDS = {"download", "attachment", "file", "pdf", "docx", "xlsx"}  # generated data exports are not uploads


def _names(resolver: URLResolver, prefix: str = "") -> Iterator[str]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _names(entry, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + entry.name


def test_every_download_url_is_checked() -> None:
    names = set(_names(get_resolver()))
    looks_like_a_file = {
        n
        for n in names
        if _FILE_WORDS & set(n.split(":")[-1].split("_"))
        and not n.split(":")[-1].endswith(("_add", "_remove", "_upload", "_issue", "_deliver"))
    }
    unchecked = looks_like_a_file - set(DOWNLOAD_URLS)
    assert not unchecked, f"download views without a Content-Disposition check: {sorted(unchecked)}"


def test_views_built_elsewhere_set_the_headers() -> None:
    """Download views whose fixtures belong to another area: their source must set both headers itself."""
    for name in ("rectification:notice_attachment",):
        view = resolve_view(name)
        source = inspect.getsource(view)
        assert "content_disposition_header(True" in source or "as_attachment=True" in source, name
        assert "nosniff" in source, name


def resolve_view(name: str) -> Any:
    namespace, _sep, short = name.rpartition(":")
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == namespace:
            for pattern in entry.url_patterns:
                if isinstance(pattern, URLPattern) and pattern.name == short:
                    return pattern.callback
    raise AssertionError(f"no view named {name}")


def _is_attachment(response: Any) -> None:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment"), response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def _released_case(agency: Agency, handler: Any) -> tuple[Case, CaseAttachment, CaseAttachment]:  # noqa: F811
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False):
        case = services.case_submit_online(agency=agency, data=application(obtain_method=ObtainMethod.ONLINE))
        services.case_confirm_receipt(case=case, actor=handler, received_on=d("2026-03-02"))
        released = services.case_add_attachment(
            case=case,
            actor=handler,
            upload=services.UploadInput("材料.html", HTML_IN_PDF, "text/html", AttachmentKind.RELEASED),
        )
        id_copy = services.case_add_attachment(
            case=case,
            actor=handler,
            upload=services.UploadInput("id.html", HTML_IN_PDF, "text/html", AttachmentKind.ID_COPY),
        )
    with time_machine.travel("2026-03-10 10:00 +0800", tick=False):
        services.case_reply(
            case=case,
            actor=handler,
            data=services.ReplyInput(outcome=Outcome.DISCLOSED, on=d("2026-03-10"), variant=OutcomeVariant.PROVIDED),
        )
    return case, released, id_copy


def test_public_downloads_are_attachments(client: Client, agency: Agency, handler: Any) -> None:  # noqa: F811
    case, released, _id_copy = _released_case(agency, handler)
    receipt = services.receipt_issue(case)
    assert receipt is not None
    response = client.post(reverse("apply:track"), {"code": case.tracking_code, "phone_last4": case.phone[-4:]})
    assert response.status_code == 302
    # Even a file recorded as text/html is offered as a download, never rendered in the portal's origin.
    _is_attachment(client.get(reverse("apply:file", args=[case.tracking_code, released.pk])))
    for fmt in ("pdf", "docx"):
        _is_attachment(client.get(reverse("apply:document", args=[case.tracking_code, receipt.pk, fmt])))
    item = make_item(agency)
    attachment = PublicationAttachment.objects.create(
        publication=item,
        file=ContentFile(HTML_IN_PDF, name="x.html"),
        original_name="附件.html",
        content_type="text/html",
        size=len(HTML_IN_PDF),
        sha256="0" * 64,
    )
    _is_attachment(client.get(reverse("portal:attachment", args=[agency.code, item.pk, attachment.pk])))


def test_staff_downloads_are_attachments(agency: Agency, handler: Any) -> None:  # noqa: F811
    case, released, id_copy = _released_case(agency, handler)
    receipt = services.receipt_issue(case)
    assert receipt is not None
    staff = Client()
    staff.force_login(handler)
    for attachment in (released, id_copy):
        _is_attachment(staff.get(reverse("cases:attachment", args=[case.pk, attachment.pk])))
    _is_attachment(staff.get(reverse("cases:document_docx", args=[case.pk, receipt.pk])))
    _is_attachment(staff.get(reverse("cases:document_pdf", args=[case.pk, receipt.pk])))
    item = make_item(agency)
    attachment = PublicationAttachment.objects.create(
        publication=item,
        file=ContentFile(HTML_IN_PDF, name="x.html"),
        original_name="附件.html",
        content_type="text/html",
        size=len(HTML_IN_PDF),
        sha256="0" * 64,
    )
    _is_attachment(staff.get(reverse("publications:attachment", args=[item.pk, attachment.pk])))
