"""Background commands on several machines at once (issue 7 part 6): two workers running the same job against the
same PostgreSQL database never do the same item twice, and between them do every item.

PostgreSQL only: the point is ``SELECT … FOR UPDATE SKIP LOCKED`` and row-level concurrency, which SQLite does not
have (one writer at a time; its IMMEDIATE transactions serialise the workers, which tests/cases, tests/channels and
tests/subscriptions cover).

Two ways of running two workers:
- real ``gongkai remind`` subprocesses, as cron starts them, pointed at pytest-django's test database through
  GONGKAI_DATABASE_URL (the test is transactional so that they see its committed rows);
- two threads, each with its own database connection, whose first claim or send waits for the other's (so both are
  at work before either can finish), each step slowed a little so that they interleave (remind, expire, deliver,
  digest).

The holiday calendar that a data migration loads is gone after any transactional test's flush (pytest-django runs
them last); ``_calendar`` loads it again through the same migration function. (``serialized_rollback`` would too, but
it collides with the content types that the flush's ``post_migrate`` recreates when another transactional test ran
before on the same worker.)
"""

from __future__ import annotations

import datetime as dt
import email
import os
import re
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Any, TypeVar

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from gongkai.accounts.models import IdType
from gongkai.accounts.roles import Role
from gongkai.agencies.models import Agency
from gongkai.cases import jobs as case_jobs
from gongkai.cases import services as case_services
from gongkai.cases.codebook import Channel, ObtainMethod, ProvisionForm
from gongkai.cases.models import Case, Reminder, ReminderKind
from gongkai.cases.states import Status
from gongkai.channels import adapters
from gongkai.channels import jobs as channel_jobs
from gongkai.channels.models import DeliveryAttempt
from gongkai.publications.codebook import Channel as PubChannel
from gongkai.publications.codebook import DeliveryStatus
from gongkai.publications.models import ChannelDelivery
from gongkai.subscriptions import jobs as digest_jobs
from gongkai.subscriptions import mail as digest_mail
from gongkai.subscriptions.models import DigestSent, Subscription
from tests.backup.conftest import flushable_audit_log  # noqa: F401 — fixture
from tests.channels.conftest import make_published
from tests.cli import GONGKAI
from tests.factories import make_agency, make_staff, valid_id_number

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="row locks (FOR UPDATE SKIP LOCKED) and concurrent writers need PostgreSQL; SQLite has one writer",
    ),
    pytest.mark.django_db(transaction=True),
    # Real commits: the audit table's append-only triggers are lifted for pytest-django's flush only.
    pytest.mark.usefixtures("flushable_audit_log", "_calendar"),
]


@pytest.fixture
def _calendar(transactional_db: None) -> None:
    from django.apps import apps

    from gongkai.clock.selectors import calendar_cache_clear

    import_module("gongkai.clock.migrations.0002_seed_chinesecalendar").seed(apps, None)
    calendar_cache_clear()


T = TypeVar("T")
RECEIVED = dt.date(2026, 3, 2)  # a Monday; the reply is due 20 working days later, Monday 2026-03-30
REMIND_ON = "2026-03-25"  # three working days before: due soon
CASES = 12


def _register(agency: Agency, actor: Any, n: int) -> Case:
    with time_machine.travel(dt.datetime.combine(RECEIVED, dt.time(9), tzinfo=timezone.get_current_timezone())):
        return case_services.case_register(
            agency=agency,
            data=case_services.ApplicationInput(
                applicant_type="natural_person",
                applicant_name="张三",
                id_type=IdType.RESIDENT_ID,
                id_number=valid_id_number(),
                phone="13903751234",
                email="zhangsan@example.com",
                items=[case_services.ItemInput(title=f"第{n}项 法律援助经费使用情况", doc_number="")],
                provision_form=ProvisionForm.ELECTRONIC,
                obtain_method=ObtainMethod.EMAIL,
            ),
            channel=Channel.IN_PERSON,
            actor=actor,
            received_on=RECEIVED,
        )


def _reminder_world() -> tuple[list[Case], dict[str, set[str]]]:
    """CASES open cases due on 2026-03-30: the even ones assigned to the handler, the odd ones unassigned (their
    reminder goes to the handler and the head). Returns the cases and, per address, the case numbers it must get."""
    agency = make_agency("湛河区司法局")
    handler = make_staff(agency, Role.HANDLER, email="handler@example.gov.cn")
    head = make_staff(agency, Role.HEAD, email="head@example.gov.cn")
    cases = [_register(agency, handler, n) for n in range(CASES)]
    with time_machine.travel("2026-03-02 10:00 +0800"):
        for case in cases[::2]:
            case_services.case_assign(case=case, actor=head, assignee=handler)
    expected = {
        "handler@example.gov.cn": {c.number for c in cases},
        "head@example.gov.cn": {c.number for c in cases[1::2]},
    }
    return cases, expected


def _mentions(messages: list[tuple[str, str]], numbers: set[str]) -> Counter[tuple[str, str]]:
    """(address, case number) → how many mails mentioned it."""
    seen: Counter[tuple[str, str]] = Counter()
    for to, body in messages:
        for number in numbers:
            if number in body:
                seen[(to, number)] += 1
    return seen


def _assert_each_reminded_once(
    cases: list[Case], expected: dict[str, set[str]], messages: list[tuple[str, str]]
) -> None:
    numbers = {c.number for c in cases}
    # Staff mails only: the applicants' receipts, sent when the cases were registered, name the cases too.
    seen = _mentions([(to, body) for to, body in messages if to in expected], numbers)
    wanted = {(to, number) for to, owed in expected.items() for number in owed}
    assert set(seen) == wanted  # everyone owed a reminder got it …
    assert all(count == 1 for count in seen.values()), [k for k, v in seen.items() if v > 1]  # … exactly once
    rows = Reminder.objects.filter(case__in=cases)
    assert rows.count() == CASES
    assert not rows.filter(sent_at__isnull=True).exists()
    assert set(rows.values_list("kind", flat=True)) == {ReminderKind.DUE_SOON}


# ---------------------------------------------------------------------------------------------------------------------
# Real subprocesses


def _subprocess_env(var_dir: Path) -> dict[str, str]:
    db = connection.settings_dict  # pytest-django's test database ("test_<name>")
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    env = {
        "GONGKAI_DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "GONGKAI_VAR_DIR": str(var_dir),  # development profile: each mail is written to var/mail/
        "GONGKAI_SECRET_KEY": settings.SECRET_KEY,
        # The workers run this checkout's code, whatever the installed package points at.
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    # The same personal-data keys as this process, so that the workers read the applicants it wrote.
    for name, value in (
        ("GONGKAI_PII_KEYS", settings.PII_KEYS),
        ("GONGKAI_PII_INDEX_KEY", settings.PII_INDEX_KEY),
        ("GONGKAI_PII_KEY_FILE", settings.PII_KEY_FILE),
    ):
        if value:
            env[name] = str(value)
    return env


def _file_mails(folder: Path) -> list[tuple[str, str]]:
    """Every message the file backend wrote: (recipient, decoded body)."""
    found = []
    for path in sorted(folder.glob("*.log")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if not chunk.strip():
                continue
            message = email.message_from_bytes(chunk.strip(b"\n"))
            payload = message.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found.append((str(message["To"]), payload.decode("utf-8")))
    return found


def test_two_remind_processes_never_send_the_same_reminder_twice(tmp_path: Path) -> None:
    cases, expected = _reminder_world()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGKAI_")}
    env.update(_subprocess_env(tmp_path))
    command = [GONGKAI, "remind", "--today", REMIND_ON]
    workers = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in "ab"
    ]
    outputs = [worker.communicate(timeout=180) for worker in workers]
    for worker, (_out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
        assert "Traceback" not in err
    # Between them the two runs reported every reminder once: 即将到期 a + b = CASES.
    sent = [int(re.search(r"即将到期 (\d+) 件", out).group(1)) for out, _err in outputs]  # type: ignore[union-attr]
    assert sum(sent) == CASES, outputs
    _assert_each_reminded_once(cases, expected, _file_mails(tmp_path / "mail"))
    # A third run finds nothing left.
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert again.returncode == 0, again.stderr
    assert "即将到期 0 件" in again.stdout


# ---------------------------------------------------------------------------------------------------------------------
# Two threads, each with its own connection, interleaved


def _together(work: Callable[[], T]) -> list[T]:
    """Run ``work`` in two threads released at the same moment; each thread closes its own connection."""
    barrier = threading.Barrier(2)
    results: list[Any] = [None, None]
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work()
        except BaseException as error:  # re-raised in the test's thread below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    if errors:
        raise errors[0]
    return results


class Meet:
    """Wraps a step of a job (a claim, a send): each thread's first call waits until the other thread has made its
    own first call too, so neither worker can finish the whole list before the other has started; every call is then
    slowed a little so that the two interleave item by item. A worker that never gets to a first call breaks the
    barrier (BrokenBarrierError: the test fails, it does not pass vacuously)."""

    def __init__(self, seconds: float = 0.02) -> None:
        self.barrier = threading.Barrier(2)
        self.seen = threading.local()
        self.seconds = seconds

    def __call__(self, function: Callable[..., T]) -> Callable[..., T]:
        def step(*args: Any, **kwargs: Any) -> T:
            if not getattr(self.seen, "first", False):
                self.seen.first = True
                self.barrier.wait(timeout=60)
            time.sleep(self.seconds)
            return function(*args, **kwargs)

        return step


def test_two_remind_workers_interleaved_claim_each_reminder_once(monkeypatch: pytest.MonkeyPatch) -> None:
    cases, expected = _reminder_world()
    monkeypatch.setattr(case_jobs, "_claim", Meet()(case_jobs._claim))
    today = dt.date.fromisoformat(REMIND_ON)
    results = _together(lambda: case_jobs.reminders_send(today))
    assert sum(len(r.sent) for r in results) == CASES
    # Both workers were claiming at once (the Meet barrier fails the test otherwise); which of them wins how many
    # claims is the scheduler's choice, so it is not asserted (a clean-clone CI run saw one worker win them all).
    assert sum(r.taken for r in results) > 0  # and each passed over what the other had claimed
    _assert_each_reminded_once(cases, expected, [(m.to[0], str(m.body)) for m in mail.outbox])


def test_two_expire_workers_close_each_lapsed_case_once(monkeypatch: pytest.MonkeyPatch) -> None:
    agency = make_agency("湛河区财政局")
    handler = make_staff(agency, Role.HANDLER, email="handler@example.gov.cn")
    cases = [_register(agency, handler, n) for n in range(12)]
    with time_machine.travel("2026-03-05 10:00 +0800"):
        for case in cases:
            case_services.case_notify_fee(
                case=case, actor=handler, on=dt.date(2026, 3, 5), method="per_volume", pages=200
            )
    pay_by = Case.objects.get(pk=cases[0].pk).fee.pay_by
    assert pay_by is not None
    after = pay_by + dt.timedelta(days=1)
    monkeypatch.setattr(case_services, "case_fee_lapsed", Meet()(case_services.case_fee_lapsed))
    with time_machine.travel(f"{after.isoformat()} 10:00 +0800"):
        results = _together(lambda: case_jobs.expire_run(after))
    done = [i.case_id for r in results for i in r.items if i.state == "done"]
    assert sorted(done) == sorted(c.pk for c in cases)  # every case closed, by exactly one worker
    assert all(not r.errors for r in results)
    assert all(r.count(state="done") for r in results)  # both took part
    assert set(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("status", flat=True)) == {Status.CLOSED}


def test_two_deliver_workers_send_each_copy_once(monkeypatch: pytest.MonkeyPatch) -> None:
    agency = make_agency("湛河区民政局")
    items = [make_published(agency, channels=()) for _ in range(16)]
    for item in items:
        ChannelDelivery.objects.create(publication=item, channel=PubChannel.PORTAL, status=DeliveryStatus.PENDING)
    calls: list[int] = []
    lock = threading.Lock()
    real = Meet()(adapters.PortalAdapter.deliver)

    def deliver(self: adapters.PortalAdapter, publication: Any) -> Any:
        with lock:
            calls.append(publication.pk)
        return real(self, publication)

    monkeypatch.setattr(adapters.PortalAdapter, "deliver", deliver)
    results = _together(lambda: channel_jobs.deliver_run(channel=PubChannel.PORTAL))
    assert sorted(calls) == sorted(i.pk for i in items)  # each copy sent once, none twice
    assert sum(r.count("delivered") for r in results) == len(items)
    assert all(r.count("delivered") for r in results)
    rows = ChannelDelivery.objects.filter(publication__in=items)
    assert set(rows.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}
    assert DeliveryAttempt.objects.filter(delivery__in=rows).count() == len(items)


def test_two_digest_workers_mail_each_subscriber_once(monkeypatch: pytest.MonkeyPatch) -> None:
    agency = make_agency("湛河区教育局")
    confirmed = timezone.now() - dt.timedelta(days=1)
    subscriptions = [
        Subscription.objects.create(
            email=f"reader{n}@example.com", agency=agency, token_hash=f"{n:064d}", confirmed_at=confirmed
        )
        for n in range(12)
    ]
    today = timezone.localdate()
    items = [make_published(agency, channels=(), published_on=today, year=today.year) for _ in range(2)]
    monkeypatch.setattr(digest_mail, "send_digest", Meet()(digest_mail.send_digest))
    results = _together(lambda: digest_jobs.digest_run())
    assert sum(r.mails for r in results) == len(subscriptions)
    assert all(r.mails for r in results)
    assert Counter(m.to[0] for m in mail.outbox) == {s.email: 1 for s in subscriptions}
    sent = DigestSent.objects.filter(subscription__in=subscriptions)
    assert sent.count() == len(subscriptions) * len(items)
    assert not sent.filter(sent_at__isnull=True).exists()
