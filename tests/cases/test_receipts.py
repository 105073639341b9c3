"""The 申请接收回执 outbox: a job written with each application, issued in the request (GONGKAI_RECEIPTS=inline) or
by `gongkai receipts process` (queue); retried with backoff, given up visibly, and never two receipts for one case.

Rendering is replaced by fixed bytes (test_documents.py renders real ones): what is under test is when and how often a
receipt is issued, not how it looks. The last test runs two workers at once and is meaningful on PostgreSQL only.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import threading
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.test import Client
from django.urls import reverse

from gongkai.cases import jobs, notify, services
from gongkai.cases.codebook import Channel
from gongkai.cases.models import Case, CaseDocument, DocumentKind, DocumentStatus, ReceiptJob
from gongkai.cases.states import Status
from tests.cases.conftest import application, d
from tests.cases.test_concurrency import flushable_audit_log  # noqa: F401 — fixture
from tests.cases.test_public_views import form_data, form_url
from tests.factories import make_agency, valid_id_number

FAKE_DOCX = b"PK\x03\x04 fake docx"
FAKE_PDF = b"%PDF-1.4 fake receipt"
NOW = "2026-03-02 09:00 +0800"
NO_FONT = "无法生成 PDF：未找到中文字体"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


class Renderer:
    """Stands in for services._render: counts calls, and fails while ``broken``."""

    def __init__(self) -> None:
        self.calls = 0
        self.broken = False

    def __call__(self, doc: CaseDocument) -> tuple[bytes, bytes]:
        self.calls += 1
        if self.broken:
            raise ValidationError(NO_FONT)
        return FAKE_DOCX, FAKE_PDF


@pytest.fixture
def renderer(monkeypatch: pytest.MonkeyPatch) -> Renderer:
    fake = Renderer()
    monkeypatch.setattr(services, "_render", fake)
    return fake


@pytest.fixture
def queue(settings: Any) -> None:
    settings.GONGKAI_RECEIPTS = "queue"


@pytest.fixture
def now() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def submit(agency: Any, **overrides: Any) -> Case:
    return services.case_submit_online(agency=agency, data=application(**overrides))


def receipts(case: Case) -> list[CaseDocument]:
    return list(CaseDocument.objects.filter(case=case, kind=DocumentKind.RECEIPT).order_by("id"))


def job_of(case: Case) -> ReceiptJob:
    return ReceiptJob.objects.get(case=case)


def run(limit: int = 200) -> jobs.ReceiptResult:
    return jobs.process_receipts(limit=limit)


# ---------------------------------------------------------------------------------------------------------------------
# The two modes


@pytest.mark.usefixtures("now")
def test_inline_issues_the_receipt_right_after_the_commit(
    agency: Any, renderer: Renderer, django_capture_on_commit_callbacks: Any
) -> None:
    assert django_settings.GONGKAI_RECEIPTS == "inline"  # the default outside production
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = submit(agency)
    # Inside the transaction only the job is written; the receipt waits for the commit.
    job = job_of(case)
    assert (job.what, job.attempts, job.done_at) == ("submitted", 0, None)
    assert receipts(case) == []
    assert renderer.calls == 0
    for callback in callbacks:
        callback()
    [receipt] = receipts(case)
    job.refresh_from_db()
    assert receipt.status == DocumentStatus.ISSUED
    assert (job.attempts, job.document_id, job.last_error) == (1, receipt.pk, "")
    assert job.done_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].attachments[0][1] == FAKE_PDF
    # Nothing left for the cron job.
    assert run().done == 0
    assert renderer.calls == 1


@pytest.mark.usefixtures("now")
def test_inline_registration_by_staff_says_registered(
    agency: Any, handler: Any, renderer: Renderer, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_register(
            agency=agency, data=application(), channel=Channel.IN_PERSON, actor=handler, received_on=d("2026-03-02")
        )
    assert job_of(case).what == "registered"
    assert len(receipts(case)) == 1
    assert "已登记" in mail.outbox[0].subject


@pytest.mark.usefixtures("now", "queue")
def test_queue_mode_only_enqueues(agency: Any, renderer: Renderer, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        case = submit(agency)
    job = job_of(case)
    assert (job.attempts, job.done_at) == (0, None)
    assert receipts(case) == []
    assert renderer.calls == 0
    assert mail.outbox == []


# ---------------------------------------------------------------------------------------------------------------------
# Processing the queue


@pytest.mark.usefixtures("now", "queue")
def test_process_issues_exactly_one_receipt_per_case_and_mails_it(
    agency: Any, handler: Any, renderer: Renderer
) -> None:
    online = submit(agency)
    registered = services.case_register(
        agency=agency,
        data=application(id_number=valid_id_number(serial="201"), email="lisi@example.com"),
        channel=Channel.IN_PERSON,
        actor=handler,
        received_on=d("2026-03-02"),
    )
    result = run()
    assert (result.done, result.failures, result.due, result.stuck) == (2, [], 0, 0)
    for case in (online, registered):
        [receipt] = receipts(case)
        assert receipt.status == DocumentStatus.ISSUED
        assert job_of(case).document_id == receipt.pk
    assert sorted(m.to[0] for m in mail.outbox) == ["lisi@example.com", "zhangsan@example.com"]
    assert all(m.attachments[0][1] == FAKE_PDF for m in mail.outbox)
    # The case itself is as it was: the receipt changes no status.
    assert Case.objects.get(pk=online.pk).status == Status.PENDING

    again = run()
    assert (again.done, again.failures) == (0, [])
    assert [len(receipts(c)) for c in (online, registered)] == [1, 1]
    assert len(mail.outbox) == 2
    assert renderer.calls == 2


@pytest.mark.usefixtures("now", "queue")
def test_limit_takes_the_oldest_first(agency: Any, renderer: Renderer) -> None:
    cases = [submit(agency, id_number=valid_id_number(serial=f"{300 + n}")) for n in range(3)]
    result = run(limit=2)
    assert (result.done, result.due) == (2, 1)
    assert [len(receipts(c)) for c in cases] == [1, 1, 0]


@pytest.mark.usefixtures("queue")
def test_renderer_failure_is_retried_with_backoff_and_the_application_is_kept(
    agency: Any, renderer: Renderer, now: Any
) -> None:
    case = submit(agency)
    renderer.broken = True
    started = dt.datetime.fromisoformat(NOW)

    first = run()
    assert first.done == 0
    assert [(f.number, f.gave_up) for f in first.failures] == [(case.number, False)]
    job = job_of(case)
    assert job.attempts == 1
    assert NO_FONT in job.last_error
    assert job.next_attempt_at == started + dt.timedelta(minutes=1)
    # The application is untouched and the draft the attempt made is kept, not issued.
    assert Case.objects.get(pk=case.pk).status == Status.PENDING
    assert [r.status for r in receipts(case)] == [DocumentStatus.DRAFT]
    assert mail.outbox == []

    # Not before the backoff is over.
    assert (run().done, run().failures) == (0, [])
    assert job_of(case).attempts == 1

    now.shift(dt.timedelta(minutes=1))
    assert len(run().failures) == 1
    job = job_of(case)
    assert job.attempts == 2
    assert job.next_attempt_at == started + dt.timedelta(minutes=1 + 5)

    renderer.broken = False
    now.shift(dt.timedelta(minutes=5))
    assert run().done == 1
    job = job_of(case)
    assert (job.attempts, job.last_error) == (3, "")
    # The draft of the first attempt was issued: one receipt document in all, mailed once.
    [receipt] = receipts(case)
    assert receipt.status == DocumentStatus.ISSUED
    assert receipt.date_on == d("2026-03-02")
    assert job.document_id == receipt.pk
    assert len(mail.outbox) == 1


@pytest.mark.usefixtures("queue")
def test_given_up_after_max_attempts_visible_to_staff_and_retried_on_request(
    agency: Any, handler: Any, renderer: Renderer, now: Any
) -> None:
    case = submit(agency)
    renderer.broken = True
    for attempt in range(1, ReceiptJob.MAX_ATTEMPTS + 1):
        result = run()
        assert [f.gave_up for f in result.failures] == [attempt == ReceiptJob.MAX_ATTEMPTS]
        now.shift(jobs.receipt_backoff(attempt))
    job = job_of(case)
    assert job.gave_up
    assert job.attempts == ReceiptJob.MAX_ATTEMPTS
    assert run().failures == []
    assert run().stuck == 1
    # The applicant still hears about the application, without the receipt.
    [message] = mail.outbox
    assert case.tracking_code in message.body
    assert message.attachments == []

    staff = Client()
    staff.force_login(handler)
    page = staff.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "不再自动重试" in page
    assert NO_FONT in page

    renderer.broken = False
    assert jobs.receipts_retry() == 1
    assert run().done == 1
    assert len(receipts(case)) == 1
    assert receipts(case)[0].is_issued
    assert "不再自动重试" not in staff.get(reverse("cases:detail", args=[case.pk])).content.decode()


@pytest.mark.usefixtures("now", "queue")
def test_rerun_after_a_crash_between_issuing_and_marking_done_issues_nothing_new(
    agency: Any, renderer: Renderer
) -> None:
    case = submit(agency)
    # A worker claimed the job, issued and mailed the receipt, and died before recording it.
    crashed = jobs._receipt_claim(ReceiptJob.objects.filter(pk=job_of(case).pk))
    assert crashed is not None
    issued = services.receipt_issue(case, "submitted")
    assert issued is not None
    # Its claim holds the job until the claim timeout.
    assert run().done == 0
    with time_machine.travel(dt.datetime.fromisoformat(NOW) + jobs.RECEIPT_CLAIM_TIMEOUT, tick=False):
        assert run().done == 1
    job = job_of(case)
    assert (job.attempts, job.document_id) == (2, issued.pk)
    assert receipts(case) == [issued]
    assert renderer.calls == 1
    assert len(mail.outbox) == 2  # the mail is at least once: the applicant may hear twice, never not at all


@pytest.mark.usefixtures("now")
def test_staff_cannot_issue_a_second_receipt(agency: Any, handler: Any, renderer: Renderer) -> None:
    case = submit(agency)
    services.receipt_issue(case)
    draft = services.document_draft(case=case, kind=DocumentKind.RECEIPT, actor=None, on=d("2026-03-02"))
    with pytest.raises(ValidationError, match="回执已签发"):
        services.document_issue(document=draft, actor=None, by_system=True)
    assert len([r for r in receipts(case) if r.is_issued]) == 1


@pytest.mark.usefixtures("now", "queue")
def test_mail_failure_is_retried_without_a_second_receipt_and_without_the_address(
    agency: Any, renderer: Renderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = submit(agency)
    real = notify.applicant_event

    def refused(**kwargs: Any) -> None:
        raise smtplib.SMTPRecipientsRefused({"zhangsan@example.com": (550, b"mailbox unavailable")})

    monkeypatch.setattr(notify, "applicant_event", refused)
    assert len(run().failures) == 1
    job = job_of(case)
    assert "SMTPRecipientsRefused" in job.last_error
    assert "zhangsan" not in job.last_error
    assert [r.status for r in receipts(case)] == [DocumentStatus.ISSUED]

    monkeypatch.setattr(notify, "applicant_event", real)
    with time_machine.travel(dt.datetime.fromisoformat(NOW) + dt.timedelta(minutes=1), tick=False):
        assert run().done == 1
    assert len(receipts(case)) == 1
    assert renderer.calls == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].attachments


@pytest.mark.usefixtures("now")
def test_inline_failure_keeps_the_application_and_leaves_the_job_to_cron(
    client: Client, agency: Any, renderer: Renderer, django_capture_on_commit_callbacks: Any
) -> None:
    renderer.broken = True
    with django_capture_on_commit_callbacks(execute=True):
        case = submit(agency)
    job = job_of(case)
    assert (job.attempts, job.done_at) == (1, None)
    assert NO_FONT in job.last_error
    assert Case.objects.filter(pk=case.pk).exists()
    renderer.broken = False
    with time_machine.travel(dt.datetime.fromisoformat(NOW) + dt.timedelta(minutes=1), tick=False):
        assert run().done == 1
    assert len(receipts(case)) == 1


# ---------------------------------------------------------------------------------------------------------------------
# The public page and the command


@pytest.mark.usefixtures("now", "queue")
def test_submitted_page_says_the_receipt_follows_then_the_tracking_page_has_it(
    client: Client, agency: Any, renderer: Renderer
) -> None:
    response = client.post(form_url(agency), form_data())
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "回执正在生成" in page
    assert "将发送至您填写的电子邮箱" in page
    assert "也已发送至您的电子邮箱" not in page
    case = Case.objects.get()
    tracking = reverse("apply:case", args=[case.tracking_code])
    assert tracking in page
    assert "政府信息公开申请接收回执" not in client.get(tracking).content.decode()

    run()
    [receipt] = receipts(case)
    assert (
        reverse("apply:document", args=[case.tracking_code, receipt.pk, "pdf"]) in client.get(tracking).content.decode()
    )


@pytest.mark.usefixtures("now", "queue")
def test_command_output(agency: Any, renderer: Renderer) -> None:
    first = submit(agency)
    second = submit(agency, id_number=valid_id_number(serial="401"))

    def command(*args: str) -> str:
        out = StringIO()
        call_command("receipts", *args, stdout=out)
        return out.getvalue()

    assert command("process", "--dry-run") == "（演练，未处理）待生成回执 2 件；已停止重试 0 件\n"
    assert receipts(first) == []

    renderer.broken = True
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("receipts", "process", "--limit", "1", stdout=out)
    assert failed.value.returncode == 1
    assert out.getvalue().splitlines() == [
        f"失败（稍后重试）：{first.number} ValidationError: {NO_FONT}",
        "申请接收回执：完成 0 件，失败 1 件（稍后重试），本次停止重试 0 件；尚待处理 1 件，已停止重试共 0 件",
    ]

    renderer.broken = False
    assert command("process").splitlines() == [
        "申请接收回执：完成 1 件，失败 0 件（稍后重试），本次停止重试 0 件；尚待处理 0 件，已停止重试共 0 件"
    ]
    assert len(receipts(second)) == 1
    assert command("retry", "--dry-run") == "将重新排队已停止重试的回执 0 件\n"
    with pytest.raises(CommandError) as bad:
        call_command("receipts", "process", "--limit", "0", stdout=StringIO())
    assert bad.value.returncode == 2


# ---------------------------------------------------------------------------------------------------------------------
# Two workers at once (PostgreSQL: SKIP LOCKED)

ON_POSTGRESQL = django_settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRESQL, reason="row locks under real concurrency: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("flushable_audit_log", "queue")
def test_two_workers_share_the_queue_and_issue_each_receipt_once(monkeypatch: pytest.MonkeyPatch) -> None:
    agency = make_agency("湛河区司法局")
    cases = [submit(agency, id_number=valid_id_number(serial=f"{500 + n}")) for n in range(8)]
    # Each worker's first render waits for the other's: both hold a job at the same moment, so they claimed two
    # different ones; a job claimed twice would show up as a refused second receipt (a failure) below.
    barrier = threading.Barrier(2)
    local = threading.local()

    def render(doc: CaseDocument) -> tuple[bytes, bytes]:
        if not getattr(local, "waited", False):
            local.waited = True
            barrier.wait(timeout=30)
        return FAKE_DOCX, FAKE_PDF

    monkeypatch.setattr(services, "_render", render)
    results: list[jobs.ReceiptResult] = []
    errors: list[BaseException] = []

    def worker(work: Callable[[], jobs.ReceiptResult]) -> None:
        try:
            results.append(work())
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(jobs.process_receipts,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert [r.failures for r in results] == [[], []]
    assert sum(r.done for r in results) == len(cases)
    for case in cases:
        assert [r.status for r in receipts(case)] == [DocumentStatus.ISSUED]
    assert not ReceiptJob.objects.filter(done_at__isnull=True).exists()
    assert len(mail.outbox) == len(cases)
