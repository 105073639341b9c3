"""Reads over cases: the back-office queues, search, the applicant's view, and the 表三 counts.

Overdue and due-soon are queries over the ledger's indexed ``reply_due``, never stored statuses.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections import Counter as Tally
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from gongkai.accounts.access import scope
from gongkai.accounts.roles import Perm
from gongkai.cases.codebook import APPLICANT_COLUMNS, OUTCOMES
from gongkai.cases.models import (
    Case,
    CaseAttachment,
    CaseDocument,
    CaseEvent,
    DocumentKind,
    DocumentStatus,
    ReceiptJob,
)
from gongkai.cases.states import OPEN_STATUSES, Status
from gongkai.clock import selectors as clock_selectors
from gongkai.clock.engine import compute
from gongkai.core.fields import lookup
from gongkai.core.validators import ascii_digits

__all__ = [
    "DUE_SOON_WORKING_DAYS",
    "Queue",
    "TableThree",
    "case_by_tracking",
    "case_explanation",
    "cases_for_staff",
    "due_soon_limit",
    "issued_receipt",
    "queue",
    "queue_counts",
    "receipt_job_open",
    "search",
    "table_three",
    "tracking_check",
]

DUE_SOON_WORKING_DAYS = 3  # issue 4: 即将到期 = due within 3 working days


class Queue:
    PENDING = "pending"  # 待确认
    TODO = "todo"  # 待办: open and assigned to me (or unassigned)
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    OPEN = "open"
    CLOSED = "closed"
    ALL = "all"

    LABELS = {
        PENDING: "待确认",
        TODO: "待办",
        DUE_SOON: "即将到期",
        OVERDUE: "已逾期",
        OPEN: "全部在办",
        CLOSED: "已办结",
        ALL: "全部",
    }


def _today() -> dt.date:
    return timezone.localdate()


def due_soon_limit(today: dt.date) -> dt.date:
    return clock_selectors.current_calendar().add_working_days(today, DUE_SOON_WORKING_DAYS)


def cases_for_staff(user: Any) -> QuerySet[Case]:
    """Every case the user may see, through the one access gate."""
    return scope(user, Case.objects.all(), Perm.VIEW_CASES).select_related("agency", "ledger", "assignee")


def queue(user: Any, name: str, *, today: dt.date | None = None) -> QuerySet[Case]:
    today = today or _today()
    cases = cases_for_staff(user)
    if name == Queue.PENDING:
        return cases.filter(status=Status.PENDING).order_by("submitted_at")
    if name == Queue.TODO:
        return (
            cases.filter(status__in=OPEN_STATUSES)
            .filter(Q(assignee=user) | Q(assignee__isnull=True))
            .order_by("ledger__reply_due", "pk")
        )
    if name == Queue.DUE_SOON:
        return cases.filter(
            status__in=OPEN_STATUSES, ledger__reply_due__gte=today, ledger__reply_due__lte=due_soon_limit(today)
        ).order_by("ledger__reply_due", "pk")
    if name == Queue.OVERDUE:
        return cases.filter(status__in=OPEN_STATUSES, ledger__reply_due__lt=today).order_by("ledger__reply_due", "pk")
    if name == Queue.OPEN:
        return cases.filter(status__in=OPEN_STATUSES).order_by("ledger__reply_due", "pk")
    if name == Queue.CLOSED:
        return cases.filter(status=Status.CLOSED).order_by("-closed_on", "-pk")
    return cases.order_by("-submitted_at", "-pk")


def queue_counts(user: Any, *, today: dt.date | None = None) -> dict[str, int]:
    today = today or _today()
    return {name: queue(user, name, today=today).count() for name in Queue.LABELS}


def search(cases: QuerySet[Case], text: str) -> QuerySet[Case]:
    """By application number or tracking code, by the applicant's ID number or phone (through the blind index,
    exact match only), by the applicant's name, or by the subject of the items sought."""
    text = text.strip()
    if not text:
        return cases
    condition = Q(number=text) | Q(tracking_code=text.upper()) | Q(applicant_name__icontains=text)
    condition |= Q(items__title__icontains=text) | Q(items__doc_number__icontains=text)
    compact = text.replace(" ", "")
    if len(compact) in (15, 18):
        condition |= Q(**lookup(Case, "id_number", compact))
    if ascii_digits(compact) and 7 <= len(compact) <= 12:
        condition |= Q(**lookup(Case, "phone", compact))
    return cases.filter(condition).distinct()


def case_by_tracking(code: str) -> Case | None:
    code = code.strip().upper()
    if len(code) > 20:
        return None
    return Case.objects.select_related("agency", "ledger").filter(tracking_code=code).first()


def tracking_check(case: Case, phone_last4: str) -> bool:
    """The second factor of the public tracking page: the last four digits of the phone given in the application."""
    digits = (case.phone or "")[-4:]
    # Bytes: compare_digest refuses a str with non-ASCII characters (TypeError), whatever the caller let through.
    return len(phone_last4) == 4 and bool(digits) and hmac.compare_digest(digits.encode(), phone_last4.encode())


def public_events(case: Case) -> QuerySet[CaseEvent]:
    return case.events.filter(public=True).order_by("seq")


def public_documents(case: Case) -> QuerySet[CaseDocument]:
    """Documents issued to the applicant (not the letters to consulted parties)."""
    return case.documents.filter(status=DocumentStatus.ISSUED, consultation__isnull=True).order_by("id")


def issued_receipt(case: Case) -> CaseDocument | None:
    """The case's 申请接收回执 once issued (one per application: ``services.document_issue`` refuses a second)."""
    return (
        CaseDocument.objects.filter(case=case, kind=DocumentKind.RECEIPT, status=DocumentStatus.ISSUED)
        .order_by("id")
        .first()
    )


def receipt_job_open(case: Case) -> ReceiptJob | None:
    """The case's receipt job while it is not done — queued, failing, or given up — for the staff case page."""
    return ReceiptJob.objects.filter(case=case, done_at__isnull=True).order_by("-id").first()


def released_attachments(case: Case) -> QuerySet[CaseAttachment]:
    return (
        case.attachments.filter(released_online=True).order_by("id")
        if case.status == Status.CLOSED
        else case.attachments.none()
    )


def case_explanation(case: Case) -> list[str]:
    """The due date explained in plain Chinese, step by step (the same text staff and the applicant read)."""
    if case.ledger is None:
        return ["尚未确认收到申请，答复期限自收到申请之日起计算（条例第三十一条、第三十三条）。"]
    events = clock_selectors.ledger_events(case.ledger)
    result = compute(
        case.ledger.received,
        events,
        clock_selectors.current_calendar(),
        fee_pauses_clock=clock_selectors.fee_pauses_clock(),
        explain=True,
    )
    return [step.text for step in result.steps] + list(result.warnings)


@dataclass
class TableThree:
    """表三 of one agency and year: rows × applicant-type columns (总计 computed)."""

    year: int
    cells: dict[str, dict[str, int]]  # row key → column (ApplicantType value) → count
    cases: dict[str, dict[str, list[int]]]  # the case ids behind each cell, for drill-down

    def total(self, row: str) -> int:
        return sum(self.cells.get(row, {}).values())

    def cell(self, row: str, column: str) -> int:
        return self.cells.get(row, {}).get(column, 0)


ROW_RECEIVED = "一"
ROW_CARRIED_IN = "二"
ROW_TOTAL = "三.七"
ROW_CARRIED_OUT = "四"


def table_three(agency_ids: list[int], year: int) -> TableThree:
    """Count as 表三 counts (regulations.md §1.5, §2.4): 一 received in the year; 二 received before it and still open at
    its start; one result row per case closed in the year; 四 received by its end and still open after it.
    一 + 二 = 三（七） + 四 holds by construction, per column."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows = (
        Case.objects.filter(agency_id__in=agency_ids, received_on__isnull=False, received_on__lte=end)
        .exclude(status=Status.CANCELLED)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
        .values_list("pk", "applicant_type", "received_on", "closed_on", "outcome")
    )
    cells: dict[str, Tally[str]] = {}
    ids: dict[str, dict[str, list[int]]] = {}

    def add(row: str, column: str, pk: int) -> None:
        cells.setdefault(row, Tally())[column] += 1
        ids.setdefault(row, {}).setdefault(column, []).append(pk)

    for pk, column, received_on, closed_on, outcome in rows:
        assert received_on is not None  # filtered above
        if received_on >= start:
            add(ROW_RECEIVED, column, pk)
        else:
            add(ROW_CARRIED_IN, column, pk)
        if closed_on is not None and closed_on <= end and outcome:
            add(OUTCOMES[outcome].row, column, pk)
            add(ROW_TOTAL, column, pk)
        else:
            add(ROW_CARRIED_OUT, column, pk)
    return TableThree(year, {row: dict(t) for row, t in cells.items()}, ids)


def table_three_counts(year: int, agency_ids: list[int] | None = None) -> dict[int, dict[str, dict[str, int]]]:
    """表三 counts of many agencies at once (agency id → row → applicant type → count): one grouped query over the case
    table, folded in Python — the path for building every agency's tables of a platform (no ids for drill-down; use
    ``table_three`` for one agency). Same rules as ``table_three``."""
    from django.db.models import Case as SqlCase
    from django.db.models import Count, IntegerField, Value, When

    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    cases = (
        Case.objects.filter(received_on__isnull=False, received_on__lte=end)
        .exclude(status=Status.CANCELLED)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
    )
    if agency_ids is not None:
        cases = cases.filter(agency_id__in=agency_ids)
    grouped = (
        cases.annotate(
            new=SqlCase(When(received_on__gte=start, then=Value(1)), default=Value(0), output_field=IntegerField()),
            done=SqlCase(When(closed_on__lte=end, then=Value(1)), default=Value(0), output_field=IntegerField()),
        )
        .values_list("agency_id", "applicant_type", "outcome", "new", "done")
        .annotate(n=Count("id"))
        .order_by()
    )
    tables: dict[int, dict[str, dict[str, int]]] = {}
    for agency_id, column, outcome, new, done, n in grouped:
        table = tables.setdefault(agency_id, {})

        def add(row: str, column: str = column, n: int = n, table: dict[str, dict[str, int]] = table) -> None:
            cells = table.setdefault(row, {})
            cells[column] = cells.get(column, 0) + n

        add(ROW_RECEIVED if new else ROW_CARRIED_IN)
        if done and outcome:
            add(OUTCOMES[outcome].row)
            add(ROW_TOTAL)
        else:
            add(ROW_CARRIED_OUT)
    return tables


def applicant_columns() -> list[tuple[str, str]]:
    return [(c.value, c.label) for c in APPLICANT_COLUMNS]


def fees_collected(agency_ids: list[int], year: int) -> int:
    """Section 六 of the annual report: 信息处理费 actually collected in the year, in 元."""
    from django.db.models import Sum

    from gongkai.cases.models import FeeAssessment

    total = FeeAssessment.objects.filter(
        case__agency_id__in=agency_ids, paid_on__year=year, paid_amount__isnull=False
    ).aggregate(total=Sum("paid_amount"))["total"]
    return int(total or 0)
