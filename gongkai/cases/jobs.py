"""The scheduled jobs over cases: ``gongkai remind`` (deadline reminders to staff), ``gongkai expire`` (the system's
own transitions when a statutory period has run out) and ``gongkai receipts process`` (the 申请接收回执 queue). The
commands only parse options and print; the work is here.

All are safe to run from cron on several machines at once:

- a reminder is sent only by the worker whose INSERT of the unique ``Reminder`` row (case, kind, due) succeeded; the
  row is claimed before the mail goes out and marked ``sent_at`` after, and the e-mail addresses already served are
  kept in ``recipients`` so that retrying an interrupted claim never mails anyone twice;
- every expiry first takes the case row with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL; a row another worker holds is
  passed over) and then goes through the case service in the same transaction, which re-checks the status under that
  lock: a case another worker has already moved is refused there and counted here as skipped;
- a receipt job is claimed in a short transaction of its own (PostgreSQL ``FOR UPDATE SKIP LOCKED``; SQLite's single
  writer) that counts the attempt and moves ``next_attempt_at`` past the claim timeout, so no other worker takes it
  while it is rendered; the receipt itself is issued at most once per case (``services.document_issue`` refuses a
  second under the case lock).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from gongkai.accounts.models import Membership, User, UserKind
from gongkai.accounts.roles import Role
from gongkai.cases import selectors, services
from gongkai.cases.models import Case, Consultation, OpinionResult, ReceiptJob, Reminder, ReminderKind
from gongkai.cases.selectors import DUE_SOON_WORKING_DAYS, due_soon_limit
from gongkai.cases.states import OPEN_STATUSES, Status
from gongkai.clock import selectors as clock_selectors
from gongkai.core.dates import chinese_date

log = logging.getLogger(__name__)

__all__ = [
    "CLAIM_STALE_AFTER",
    "CONSULTATION_LAPSED",
    "CORRECTION_NOTICE_WARN_DAYS",
    "FEE_LAPSED",
    "RECEIPT_BACKOFF",
    "RECEIPT_CLAIM_TIMEOUT",
    "DueReminder",
    "ExpireItem",
    "ExpireResult",
    "PendingDecision",
    "ReceiptFailure",
    "ReceiptResult",
    "Recipient",
    "RemindResult",
    "corrections_lapsed",
    "expire_run",
    "process_receipts",
    "receipt_backoff",
    "receipt_job_run",
    "receipts_retry",
    "reminders_due",
    "reminders_send",
]

# 条例第三十条：补正告知须在收到申请之日起7个工作日内一次性发出 — staff are nudged this many working days before.
CORRECTION_NOTICE_WARN_DAYS = 2
# A claimed reminder still unsent after this long belongs to a worker that died or a mail server that refused it:
# another run may take it over (conditional UPDATE, so only one does) and mail the recipients not yet served.
CLAIM_STALE_AFTER = dt.timedelta(hours=2)
# Who is told about an unassigned case, or when the assignee can no longer be reached (条例第四条：工作机构).
_NOTIFIED_ROLES = (Role.HANDLER, Role.HEAD)


# ---------------------------------------------------------------------------------------------------------------------
# Reminders


@dataclass(frozen=True)
class Recipient:
    user_id: int
    name: str
    email: str


@dataclass(frozen=True)
class DueReminder:
    """One reminder to send: a case, which deadline, the due date, and who is to hear about it."""

    case_id: int
    number: str
    subject: str
    agency: str
    kind: str  # ReminderKind
    due: dt.date
    recipients: tuple[Recipient, ...]
    # When an earlier claim of the same (case, kind, due) never finished: its row and the addresses it already served.
    retry_of: int | None = None
    already: frozenset[str] = frozenset()

    @property
    def pending(self) -> tuple[Recipient, ...]:
        return tuple(r for r in self.recipients if r.email not in self.already)


@dataclass
class RemindResult:
    today: dt.date
    dry_run: bool
    sent: list[DueReminder] = field(default_factory=list)  # sent (or, in a dry run, that would be sent)
    mails: int = 0
    taken: int = 0  # claimed by another worker first
    unsent: list[DueReminder] = field(default_factory=list)  # claimed, but a mail failed: retried after the stale time
    unreachable: list[DueReminder] = field(default_factory=list)  # nobody with an e-mail address to tell
    mail_plan: dict[str, list[DueReminder]] = field(default_factory=dict)  # e-mail → reminders in that mail

    def count(self, kind: str) -> int:
        return sum(1 for r in self.sent if r.kind == kind)

    @property
    def summary(self) -> str:
        line = (
            f"提醒：即将到期 {self.count(ReminderKind.DUE_SOON)} 件，已逾期 {self.count(ReminderKind.OVERDUE)} 件，"
            f"发出邮件 {self.mails} 封"
        )
        return f"（演练，未发送）{line}" if self.dry_run else line


def _correction_notice_limit(today: dt.date) -> dt.date:
    return clock_selectors.current_calendar().add_working_days(today, CORRECTION_NOTICE_WARN_DAYS)


def _candidates(today: dt.date) -> list[tuple[Case, str, dt.date]]:
    """(case, kind, due) for every deadline that calls for a reminder today, whether or not it was already sent."""
    found: list[tuple[Case, str, dt.date]] = []
    reply = (
        Case.objects.filter(
            status__in=OPEN_STATUSES, ledger__reply_due__isnull=False, ledger__reply_due__lte=due_soon_limit(today)
        )
        .select_related("agency", "ledger", "assignee")
        .prefetch_related("items")
        .order_by("ledger__reply_due", "pk")
    )
    for case in reply:
        assert case.ledger is not None
        assert case.ledger.reply_due is not None
        due = case.ledger.reply_due
        found.append((case, ReminderKind.OVERDUE if due < today else ReminderKind.DUE_SOON, due))
    # 条例第三十条: the 7-working-day window for asking a correction closes; only while nothing was asked yet.
    notice = (
        Case.objects.filter(
            status=Status.PROCESSING,
            correction_items="",
            ledger__correction_notice_due__gte=today,
            ledger__correction_notice_due__lte=_correction_notice_limit(today),
        )
        .select_related("agency", "ledger", "assignee")
        .prefetch_related("items")
        .order_by("ledger__correction_notice_due", "pk")
    )
    for case in notice:
        assert case.ledger is not None
        assert case.ledger.correction_notice_due is not None
        found.append((case, ReminderKind.CORRECTION_NOTICE_DUE, case.ledger.correction_notice_due))
    return found


def _agency_staff(agency_ids: Iterable[int]) -> dict[int, list[User]]:
    """Active 经办人 and 负责人 of each agency (the roles that may handle cases), each user once, in a stable order."""
    staff: dict[int, list[User]] = defaultdict(list)
    seen: set[tuple[int, int]] = set()
    memberships = (
        Membership.objects.filter(
            agency_id__in=set(agency_ids),
            role__in=_NOTIFIED_ROLES,
            is_active=True,
            user__is_active=True,
            user__kind=UserKind.STAFF,
        )
        .select_related("user")
        .order_by("agency_id", "user_id")
    )
    for membership in memberships:
        key = (membership.agency_id, membership.user_id)
        if key not in seen:
            seen.add(key)
            staff[membership.agency_id].append(membership.user)
    return staff


def _recipient(user: User) -> Recipient:
    return Recipient(user_id=user.pk, name=user.full_name or user.username, email=user.email.strip())


def _recipients(case: Case, staff: dict[int, list[User]]) -> tuple[Recipient, ...]:
    """The assignee; when there is none — or they no longer handle cases at the agency, or have no e-mail address —
    every active 经办人 and 负责人 of the case's agency, so that the deadline never goes unannounced."""
    members = staff.get(case.agency_id, [])
    assignee = case.assignee
    if assignee is not None and assignee.email.strip() and any(u.pk == assignee.pk for u in members):
        return (_recipient(assignee),)
    return tuple(_recipient(u) for u in members if u.email.strip())


def reminders_due(today: dt.date) -> list[DueReminder]:
    """Reminders to send today: every (case, kind, due) that calls for one and has no Reminder row yet, plus those
    whose claim went stale before all recipients were mailed (they carry ``retry_of`` and ``already``)."""
    candidates = _candidates(today)
    if not candidates:
        return []
    rows = Reminder.objects.filter(case_id__in={case.pk for case, _kind, _due in candidates}).values_list(
        "pk", "case_id", "kind", "due", "sent_at", "created_at", "recipients"
    )
    existing = {
        (case_id, kind, due): (pk, sent_at, created, mailed)
        for pk, case_id, kind, due, sent_at, created, mailed in rows
    }
    stale_before = timezone.now() - CLAIM_STALE_AFTER
    staff = _agency_staff(case.agency_id for case, _kind, _due in candidates)
    due_list: list[DueReminder] = []
    for case, kind, due in candidates:
        retry_of: int | None = None
        already: frozenset[str] = frozenset()
        row = existing.get((case.pk, kind, due))
        if row is not None:
            pk, sent_at, created, mailed = row
            if sent_at is not None or created >= stale_before:
                continue  # sent, or another worker is sending it right now
            retry_of, already = pk, frozenset(filter(None, mailed.splitlines()))
        due_list.append(
            DueReminder(
                case_id=case.pk,
                number=case.number,
                subject=case.subject,
                agency=case.agency.name,
                kind=kind,
                due=due,
                recipients=_recipients(case, staff),
                retry_of=retry_of,
                already=already,
            )
        )
    return due_list


def _claim(item: DueReminder) -> Reminder | None:
    """Take the reminder for this worker, or None when another worker has it: the unique (case, kind, due) INSERT
    succeeds for exactly one of them; a stale claim is taken over by a conditional UPDATE that matches for one."""
    if item.retry_of is not None:
        now = timezone.now()
        taken = Reminder.objects.filter(
            pk=item.retry_of, sent_at__isnull=True, created_at__lt=now - CLAIM_STALE_AFTER
        ).update(created_at=now)
        return Reminder.objects.get(pk=item.retry_of) if taken else None
    try:
        with transaction.atomic():
            return Reminder.objects.create(case_id=item.case_id, kind=item.kind, due=item.due, recipients="")
    except IntegrityError:
        return None


_KIND_ORDER = (ReminderKind.OVERDUE, ReminderKind.DUE_SOON, ReminderKind.CORRECTION_NOTICE_DUE)
_KIND_HEADINGS = {
    ReminderKind.OVERDUE: "已逾期（已超过答复期限，条例第三十三条）",
    ReminderKind.DUE_SOON: f"即将到期（{DUE_SOON_WORKING_DAYS}个工作日内届满）",
    ReminderKind.CORRECTION_NOTICE_DUE: "补正告知期限即将届满（收到申请之日起7个工作日内一次性告知，条例第三十条）",
}


def _staff_url(case_id: int | None = None) -> str:
    """The case page in the back office (the staff home while no case page is routed), absolute with the site URL."""
    base = str(getattr(settings, "GONGKAI_SITE_URL", "") or "").rstrip("/")
    try:
        path = reverse("cases:detail", args=[case_id]) if case_id is not None else reverse("staff:home")
    except NoReverseMatch:
        path = reverse("staff:home") if case_id is not None else "/staff/"
    return f"{base}{path}"


def _mail_text(name: str, items: Sequence[DueReminder], today: dt.date) -> tuple[str, str]:
    counts = {kind: sum(1 for i in items if i.kind == kind) for kind in _KIND_ORDER}
    parts = [f"{ReminderKind(kind).label} {n} 件" for kind, n in counts.items() if n]
    subject = f"【政府信息公开】办理期限提醒：{'，'.join(parts)}"
    lines = [f"{name}：", "", f"截至{chinese_date(today)}，您经办或所在机关待分办的以下政府信息公开申请需要关注：", ""]
    for kind in _KIND_ORDER:
        group = [i for i in items if i.kind == kind]
        if not group:
            continue
        lines.append(f"{_KIND_HEADINGS[kind]}：")
        for item in sorted(group, key=lambda i: (i.due, i.number)):
            what = "补正告知截止" if kind == ReminderKind.CORRECTION_NOTICE_DUE else "答复期限"
            lines.append(f"  · {item.agency} {item.number}《{item.subject}》 {what}：{chinese_date(item.due)}")
            lines.append(f"    {_staff_url(item.case_id)}")
        lines.append("")
    lines += [
        f"请登录工作人员后台办理：{_staff_url()}",
        "",
        "本邮件由系统自动发送（gongkai remind），同一申请的同一期限只提醒一次。",
    ]
    return subject, "\n".join(lines)


def _key(item: DueReminder) -> tuple[int, str, dt.date]:
    return (item.case_id, item.kind, item.due)


def reminders_send(today: dt.date, dry_run: bool = False) -> RemindResult:
    """Claim, mail and mark every reminder due today, one mail per recipient summarising their cases.

    Claim first, then send, then set ``sent_at``: a run that dies between claim and send leaves an unsent claim that a
    later run takes over once stale; a run that dies after sending some mails has recorded whom it served, so the
    takeover mails only the others. Nothing is ever sent twice to the same address for the same (case, kind, due).
    """
    result = RemindResult(today=today, dry_run=dry_run)
    mine: list[tuple[DueReminder, Reminder | None]] = []
    for item in reminders_due(today):
        if not item.pending:
            result.unreachable.append(item)
            continue
        if dry_run:
            mine.append((item, None))
            continue
        row = _claim(item)
        if row is None:
            result.taken += 1
            continue
        mine.append((item, row))

    by_email: dict[str, list[tuple[DueReminder, Reminder | None]]] = defaultdict(list)
    names: dict[str, str] = {}
    for item, row in mine:
        for person in item.pending:
            by_email[person.email].append((item, row))
            names.setdefault(person.email, person.name)
    result.mail_plan = {email: [item for item, _row in pairs] for email, pairs in by_email.items()}

    failed: set[tuple[int, str, dt.date]] = set()
    for email, pairs in by_email.items():
        if dry_run:
            result.mails += 1
            continue
        subject, body = _mail_text(names[email], [item for item, _row in pairs], today)
        try:
            EmailMessage(subject=subject, body=body, to=[email]).send()
        except Exception:  # one unreachable mailbox or a mail server hiccup must not stop the others
            log.exception("reminder mail to %s failed", email)
            failed.update(_key(item) for item, _row in pairs)
            continue
        result.mails += 1
        for _item, row in pairs:
            assert row is not None
            row.recipients = "\n".join(filter(None, [row.recipients, email]))
            row.save(update_fields=["recipients"])

    now = timezone.now()
    for item, row in mine:
        if dry_run:
            result.sent.append(item)
            continue
        assert row is not None
        if _key(item) in failed:
            result.unsent.append(item)
            continue
        row.sent_at = now
        row.save(update_fields=["sent_at"])
        result.sent.append(item)
    return result


# ---------------------------------------------------------------------------------------------------------------------
# Expiry


@dataclass(frozen=True)
class ExpireItem:
    case_id: int
    number: str
    agency: str
    action: str  # "fee_lapsed" | "consultation_lapsed"
    on: dt.date
    state: str  # "done" | "would" | "skipped" | "error"
    message: str = ""


@dataclass(frozen=True)
class PendingDecision:
    """A 补正 period that has run out: closing the case is a staff decision (条例第三十条：无正当理由逾期不补正)."""

    case_id: int
    number: str
    agency: str
    deadline: dt.date


@dataclass
class ExpireResult:
    today: dt.date
    dry_run: bool
    items: list[ExpireItem] = field(default_factory=list)
    needs_decision: list[PendingDecision] = field(default_factory=list)

    def count(self, action: str | None = None, state: str | None = None) -> int:
        return sum(
            1 for i in self.items if (action is None or i.action == action) and (state is None or i.state == state)
        )

    @property
    def errors(self) -> list[ExpireItem]:
        return [i for i in self.items if i.state == "error"]

    @property
    def summary(self) -> str:
        done = "would" if self.dry_run else "done"
        line = (
            f"到期处理：逾期未缴费办结 {self.count(FEE_LAPSED, done)} 件，"
            f"征求意见期限届满 {self.count(CONSULTATION_LAPSED, done)} 件，"
            f"已由其他进程处理 {self.count(state='skipped')} 件，失败 {self.count(state='error')} 件；"
            f"逾期未补正待决定 {len(self.needs_decision)} 件"
        )
        return f"（演练，未改动）{line}" if self.dry_run else line


FEE_LAPSED = "fee_lapsed"
CONSULTATION_LAPSED = "consultation_lapsed"


def _fee_lapsed_ids(today: dt.date) -> list[int]:
    # 国办函〔2020〕109号：逾期未缴纳的视为放弃申请 — the day after pay_by, never on it.
    return list(
        Case.objects.filter(status=Status.AWAITING_FEE, fee__paid_on__isnull=True, fee__pay_by__lt=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _consultation_lapsed_ids(today: dt.date) -> list[int]:
    # 条例第三十二、三十四条: an open consultation whose 15-working-day answer period ended before today.
    lapsed = Consultation.objects.filter(result=OpinionResult.PENDING, answer_due__lt=today).values("case_id")
    return list(
        Case.objects.filter(status=Status.CONSULTING, pk__in=lapsed).order_by("pk").values_list("pk", flat=True)
    )


def corrections_lapsed(today: dt.date) -> list[PendingDecision]:
    """Cases whose 补正 period has run out and that still wait: listed for staff, never closed by the system."""
    cases = (
        Case.objects.filter(status=Status.AWAITING_CORRECTION, correction_deadline__lt=today)
        .select_related("agency")
        .order_by("correction_deadline", "pk")
    )
    return [
        PendingDecision(case_id=c.pk, number=c.number, agency=c.agency.name, deadline=c.correction_deadline)
        for c in cases
        if c.correction_deadline is not None
    ]


def _still_due(case_id: int, action: str, today: dt.date) -> bool:
    if action == FEE_LAPSED:
        return case_id in _fee_lapsed_ids(today)
    return case_id in _consultation_lapsed_ids(today)


def _take(case_id: int) -> bool:
    """Lock the case row for this worker's transaction, passing over a row another worker holds (PostgreSQL:
    ``FOR UPDATE SKIP LOCKED``). SQLite has no row locks: the transaction takes the database write lock at BEGIN
    (``transaction_mode=IMMEDIATE``), so workers are serialised there and the service's re-check does the rest."""
    if not connection.features.has_select_for_update_skip_locked:
        return True
    return bool(list(Case.objects.select_for_update(skip_locked=True).filter(pk=case_id).values_list("pk", flat=True)))


def _expire_one(case: Case, action: str, today: dt.date) -> ExpireItem:
    on = today
    try:
        with transaction.atomic():
            if not _take(case.pk):
                return ExpireItem(case.pk, case.number, case.agency.name, action, on, "skipped", "另一进程正在处理")
            try:
                if action == FEE_LAPSED:
                    pay_by = case.fee.pay_by
                    assert pay_by is not None  # selected on pay_by < today
                    # The application is deemed abandoned the day after the payment period ends, whenever the job
                    # runs (a run missed over a year end still closes the case in the right year of 表三).
                    on = pay_by + dt.timedelta(days=1)
                    services.case_fee_lapsed(case=case, actor=None, on=on)
                else:
                    services.case_consultation_lapsed(case=case, actor=None, today=today)
            except ValidationError as error:  # the service's own savepoint is rolled back; our lock is kept
                text = "；".join(error.messages)
                # The service re-checked the row under the lock: when the case no longer qualifies, another worker
                # (or a member of staff) got there first — that is not a failure.
                if not _still_due(case.pk, action, today):
                    return ExpireItem(case.pk, case.number, case.agency.name, action, on, "skipped", text)
                log.warning("expire %s for case %s refused: %s", action, case.pk, text)
                return ExpireItem(case.pk, case.number, case.agency.name, action, on, "error", text)
    except Exception as error:  # one broken case must not stop the others; it is logged with its traceback
        log.exception("expire %s for case %s failed", action, case.pk)
        return ExpireItem(
            case.pk, case.number, case.agency.name, action, on, "error", f"{type(error).__name__}: {error}"
        )
    return ExpireItem(case.pk, case.number, case.agency.name, action, on, "done")


def expire_run(today: dt.date, dry_run: bool = False) -> ExpireResult:
    """Apply the system-only transitions whose statutory period ran out before ``today``, each case in its own
    transaction (the service's). Idempotent: a second run finds nothing left to do."""
    result = ExpireResult(today=today, dry_run=dry_run)
    work = [(pk, FEE_LAPSED) for pk in _fee_lapsed_ids(today)]
    work += [(pk, CONSULTATION_LAPSED) for pk in _consultation_lapsed_ids(today)]
    cases = Case.objects.select_related("agency", "fee").in_bulk({pk for pk, _action in work})
    for pk, action in work:
        case = cases[pk]
        if dry_run:
            fee = getattr(case, "fee", None) if action == FEE_LAPSED else None
            on = fee.pay_by + dt.timedelta(days=1) if fee is not None and fee.pay_by else today
            result.items.append(ExpireItem(pk, case.number, case.agency.name, action, on, "would"))
            continue
        result.items.append(_expire_one(case, action, today))
    result.needs_decision = corrections_lapsed(today)
    return result


# ---------------------------------------------------------------------------------------------------------------------
# 申请接收回执 (the jobs written by services._receipt_enqueue with each application)

# The wait after the 1st, 2nd, … failed attempt (the last repeats): a passing fault (the mail server restarting) is
# over by the next minute; a missing font is not, and after ReceiptJob.MAX_ATTEMPTS (about 5½ hours) staff see it.
RECEIPT_BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=15),
    dt.timedelta(hours=1),
    dt.timedelta(hours=4),
)
# A claimed job with no outcome after this long belongs to a worker that died: it is due again, for any worker. Far
# above the seconds a receipt takes, so a slow worker is never overtaken.
RECEIPT_CLAIM_TIMEOUT = dt.timedelta(minutes=10)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def receipt_backoff(attempts: int) -> dt.timedelta:
    return RECEIPT_BACKOFF[min(max(attempts, 1), len(RECEIPT_BACKOFF)) - 1]


@dataclass(frozen=True)
class ReceiptFailure:
    case_id: int
    number: str
    message: str
    gave_up: bool


@dataclass
class ReceiptResult:
    dry_run: bool
    done: int = 0  # receipt issued (or found issued) and the applicant told
    failures: list[ReceiptFailure] = field(default_factory=list)  # this run's failed attempts
    due: int = 0  # due and not taken by this run (--limit reached; in a dry run: all that are due)
    stuck: int = 0  # given up: left for staff and `gongkai receipts retry`

    @property
    def gave_up(self) -> int:
        return sum(1 for f in self.failures if f.gave_up)

    @property
    def summary(self) -> str:
        if self.dry_run:
            return f"（演练，未处理）待生成回执 {self.due} 件；已停止重试 {self.stuck} 件"
        return (
            f"申请接收回执：完成 {self.done} 件，失败 {len(self.failures) - self.gave_up} 件（稍后重试），"
            f"本次停止重试 {self.gave_up} 件；尚待处理 {self.due} 件，已停止重试共 {self.stuck} 件"
        )


def _receipts_due(now: dt.datetime) -> QuerySet[ReceiptJob]:
    return ReceiptJob.objects.filter(
        done_at__isnull=True, attempts__lt=ReceiptJob.MAX_ATTEMPTS, next_attempt_at__lte=now
    )


def _receipt_claim(due: QuerySet[ReceiptJob]) -> ReceiptJob | None:
    """The oldest job of ``due`` for this worker, or None. The claim counts as an attempt (a job that kills its worker
    every time still runs out of attempts) and holds the job for RECEIPT_CLAIM_TIMEOUT."""
    with transaction.atomic():
        rows = due.order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        job = rows.first()
        if job is None:
            return None
        job.attempts += 1
        job.next_attempt_at = timezone.now() + RECEIPT_CLAIM_TIMEOUT
        job.save(update_fields=["attempts", "next_attempt_at"])
        return job


def _error_text(error: Exception) -> str:
    detail = "；".join(error.messages) if isinstance(error, ValidationError) else str(error)
    # An SMTP refusal names the applicant's address: the job row is no place for personal data.
    return _EMAIL.sub("***@***", f"{type(error).__name__}: {detail}")[:2000]


def _receipt_process(job: ReceiptJob) -> ReceiptFailure | None:
    case = Case.objects.select_related("agency").get(pk=job.case_id)
    try:
        # Looked up at call time: the demo loader (and a few tests) stand in a silent one.
        document = services.receipt_issue(case, job.what)
    except Exception as error:  # whatever it is, the application is saved; the job records it and tries again
        log.exception("receipt for case %s failed (attempt %s)", case.pk, job.attempts)
        failure = ReceiptFailure(case.pk, case.number, _error_text(error), job.attempts >= ReceiptJob.MAX_ATTEMPTS)
        ReceiptJob.objects.filter(pk=job.pk, done_at__isnull=True).update(
            last_error=failure.message, next_attempt_at=timezone.now() + receipt_backoff(job.attempts)
        )
        if failure.gave_up and selectors.issued_receipt(case) is None:
            _tell_without_receipt(case, job.what)
        return failure
    ReceiptJob.objects.filter(pk=job.pk, done_at__isnull=True).update(
        done_at=timezone.now(), last_error="", document=document
    )
    return None


def _tell_without_receipt(case: Case, what: str) -> None:
    """No receipt after the last attempt: the applicant still gets the mail with the application number and tracking
    code (the receipt can follow from staff, who see the job on the case page)."""
    from gongkai.cases import notify

    try:
        notify.applicant_event(case_id=case.pk, what=what, document_id=None)
    except Exception:
        log.exception("notification %s for case %s failed", what, case.pk)


def receipt_job_run(job_id: int) -> ReceiptFailure | None:
    """Process one job now, if it is due and no other worker holds it: ``GONGKAI_RECEIPTS=inline``, in the request
    right after the application's commit. Never raises — the application is saved whatever happens here, and a job
    left undone is taken up by ``gongkai receipts process``."""
    try:
        job = _receipt_claim(_receipts_due(timezone.now()).filter(pk=job_id))
        return None if job is None else _receipt_process(job)
    except Exception:
        log.exception("receipt job %s could not be processed", job_id)
        return None


def process_receipts(*, limit: int = 200, dry_run: bool = False) -> ReceiptResult:
    """Issue the receipts of up to ``limit`` due jobs, oldest first, claiming one job at a time (so several workers
    share a backlog). Jobs that come due during the run, and jobs that fail in it, wait for the next run."""
    started = timezone.now()
    due = _receipts_due(started)
    result = ReceiptResult(dry_run=dry_run)
    if not dry_run:
        for _ in range(limit):
            job = _receipt_claim(due)
            if job is None:
                break
            failure = _receipt_process(job)
            if failure is None:
                result.done += 1
            else:
                result.failures.append(failure)
    result.due = due.count()
    result.stuck = ReceiptJob.objects.filter(done_at__isnull=True, attempts__gte=ReceiptJob.MAX_ATTEMPTS).count()
    return result


def receipts_retry(*, dry_run: bool = False) -> int:
    """Queue every given-up job again with a fresh set of attempts (once the cause — a font, the mail server — is
    fixed); the receipt is still issued at most once. Returns how many."""
    stuck = ReceiptJob.objects.filter(done_at__isnull=True, attempts__gte=ReceiptJob.MAX_ATTEMPTS)
    if dry_run:
        return stuck.count()
    return stuck.update(attempts=0, next_attempt_at=timezone.now())
