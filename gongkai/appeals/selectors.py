"""Reads: 表四 counted from the tracked appeals, per-agency counts (主管部门 dashboard and scoring), due-soon / overdue
answers, the mapping in force, and the lists the staff pages show.

Counting convention (regulations.md §2.5; 上海市政府办公厅: “行政复议、行政诉讼数量含上年度结转数量”):
- an appeal counts in year Y if filed in Y, or filed earlier and not concluded before Y (carried over);
- its column is the mapped column of its result if it concluded on or before 31 December of Y, else 尚未审结;
- each tracked appeal (one case number at the 复议机关 or court) counts once in its block; a 二审 is its own row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from gongkai.appeals.codebook import BLOCK_LABELS, COLUMN_LABELS, PENDING_COLUMN, Column, block_of
from gongkai.appeals.models import Appeal, ResultMapping, Status
from gongkai.reports.schema import TABLE4_BLOCKS, TABLE4_RESULTS

__all__ = [
    "AppealCounts",
    "answers_due_soon",
    "answers_overdue",
    "appeal_counts",
    "appeals_in_year",
    "cell_of",
    "mapping",
    "table4",
    "table4_cell_appeals",
    "table4_ids",
]

_TOTAL = TABLE4_RESULTS[-1]  # "总计"


@dataclass(frozen=True)
class AppealCounts:
    """One agency's appeals counted in a year (all three 表四 blocks together)."""

    total: int = 0
    upheld: int = 0  # 结果维持
    corrected: int = 0  # 结果纠正
    other: int = 0  # 其他结果
    pending: int = 0  # 尚未审结 at 31 December (including those carried over and still open)


def mapping() -> dict[str, str]:
    """The result → column (Column value) mapping in force: the ResultMapping table, the one source of truth."""
    return dict(ResultMapping.objects.values_list("result", "column"))


def appeals_in_year(agency_ids: Sequence[int], year: int) -> QuerySet[Appeal]:
    """Appeals counted in ``year``: filed in it, or filed earlier and not concluded before 1 January of it."""
    start = dt.date(year, 1, 1)
    end = dt.date(year, 12, 31)
    carried = Q(filed_on__lt=start) & (Q(result_on__isnull=True) | Q(result_on__gte=start))
    return Appeal.objects.filter(agency_id__in=list(agency_ids)).filter(
        Q(filed_on__gte=start, filed_on__lte=end) | carried
    )


def cell_of(
    *, kind: str, route: str, status: str, result: str, result_on: dt.date | None, year: int, columns: dict[str, str]
) -> tuple[str, str]:
    """(block label, column label) of one appeal counted in ``year`` under ``columns`` (the mapping in force)."""
    block = block_of(kind, route)
    concluded = status == Status.CONCLUDED and result_on is not None and result_on <= dt.date(year, 12, 31)
    if not concluded:
        return block, PENDING_COLUMN
    # A concluded result always has a mapping row: appeal_record_result refuses any other, and the mapping page refuses
    # to delete a row in use.
    return block, COLUMN_LABELS[columns[result]]


def _rows(agency_ids: Sequence[int], year: int) -> Iterable[tuple[int, str, str, str, str, dt.date | None]]:
    return appeals_in_year(agency_ids, year).values_list("agency_id", "kind", "route", "status", "result", "result_on")


def table4(agency_ids: Sequence[int], year: int) -> dict[str, dict[str, int]]:
    """表四 for ``year`` over the agencies: {block: {column: n}}, in the shape of reports.schema TABLE4_BLOCKS ×
    TABLE4_RESULTS; 总计 is the sum of the four columns."""
    table = {block: dict.fromkeys(TABLE4_RESULTS, 0) for block in TABLE4_BLOCKS}
    columns = mapping()
    for _agency, kind, route, status, result, result_on in _rows(agency_ids, year):
        block, column = cell_of(
            kind=kind, route=route, status=status, result=result, result_on=result_on, year=year, columns=columns
        )
        table[block][column] += 1
        table[block][_TOTAL] += 1
    return table


def appeal_counts(agency_ids: Sequence[int], year: int) -> dict[int, AppealCounts]:
    """Per agency (every id given, zeros included): the appeals counted in ``year`` as 表四 counts them, summed over the
    three blocks."""
    tallies: dict[int, dict[str, int]] = {
        agency_id: {"total": 0, "upheld": 0, "corrected": 0, "other": 0, "pending": 0} for agency_id in agency_ids
    }
    columns = mapping()
    by_label = {label: value for value, label in COLUMN_LABELS.items()}
    for agency_id, kind, route, status, result, result_on in _rows(agency_ids, year):
        _block, column = cell_of(
            kind=kind, route=route, status=status, result=result, result_on=result_on, year=year, columns=columns
        )
        tally = tallies.setdefault(agency_id, {"total": 0, "upheld": 0, "corrected": 0, "other": 0, "pending": 0})
        tally["total"] += 1
        tally["pending" if column == PENDING_COLUMN else by_label[column]] += 1
    return {agency_id: AppealCounts(**tally) for agency_id, tally in tallies.items()}


def table4_cell_appeals(agency_ids: Sequence[int], year: int, block: str, column: str) -> list[Appeal]:
    """The appeals behind one 表四 cell (the report drill-down); 总计 lists the whole block."""
    columns = mapping()
    found = []
    for appeal in appeals_in_year(agency_ids, year).select_related("agency").order_by("filed_on", "pk"):
        cell_block, cell_column = cell_of(
            kind=appeal.kind,
            route=appeal.route,
            status=appeal.status,
            result=appeal.result,
            result_on=appeal.result_on,
            year=year,
            columns=columns,
        )
        if cell_block == block and (column == _TOTAL or cell_column == column):
            found.append(appeal)
    return found


def table4_ids(agency_ids: Sequence[int], year: int) -> dict[str, dict[str, list[int]]]:
    """The appeal ids behind every 表四 cell (总计: the whole block), frozen with a published report's snapshot."""
    ids: dict[str, dict[str, list[int]]] = {block: {col: [] for col in TABLE4_RESULTS} for block in TABLE4_BLOCKS}
    columns = mapping()
    rows = appeals_in_year(agency_ids, year).order_by("filed_on", "pk")
    for pk, kind, route, status, result, result_on in rows.values_list(
        "pk", "kind", "route", "status", "result", "result_on"
    ):
        block, column = cell_of(
            kind=kind, route=route, status=status, result=result, result_on=result_on, year=year, columns=columns
        )
        ids[block][column].append(pk)
        ids[block][_TOTAL].append(pk)
    return ids


def _open_answers(agency_ids: Sequence[int]) -> QuerySet[Appeal]:
    return Appeal.objects.filter(
        agency_id__in=list(agency_ids), answer_due__isnull=False, answered_on__isnull=True
    ).exclude(status=Status.CONCLUDED)


def answers_overdue(agency_ids: Sequence[int], *, today: dt.date) -> QuerySet[Appeal]:
    """Open appeals whose 答复 / 答辩 deadline has passed without an answer recorded."""
    return _open_answers(agency_ids).filter(answer_due__lt=today).order_by("answer_due", "pk")


def answers_due_soon(agency_ids: Sequence[int], *, today: dt.date, days: int = 5) -> QuerySet[Appeal]:
    """Open appeals whose 答复 / 答辩 deadline falls within the next ``days`` calendar days (today included)."""
    return (
        _open_answers(agency_ids)
        .filter(answer_due__gte=today, answer_due__lte=today + dt.timedelta(days=days))
        .order_by("answer_due", "pk")
    )


# Kept importable for code that needs the block keys in 表四 order.
BLOCKS = tuple(BLOCK_LABELS.values())
assert set(BLOCKS) == set(TABLE4_BLOCKS)
assert {label for label in COLUMN_LABELS.values()} | {PENDING_COLUMN, _TOTAL} == set(TABLE4_RESULTS)
assert all(c in COLUMN_LABELS for c in Column.values)
