"""Region-wide summary (全区汇总 / 全市汇总) of a government's annual-report tables: 表二, 表三 and 表四 summed cell by
cell over the government itself and everything under it, with the contributors of every cell (trace) and R1–R4 run on
the sum.

Who is in the sum (the "parts"): the government and its whole subtree along ``Agency.parent`` — its departments,
offices and other bodies (``parent`` = the government, kind department/office/other), anything those bodies have
under them, and the lower governments recursively with theirs. Only active agencies: the access gate reaches only
active ones, and a summary somebody may not open part of would be one nobody could check. 主管部门 links
(``Agency.supervisor``) are not followed — supervision says who oversees, not whose work the region's figures are.

Each part counts as ``gongkai report build`` shows it: the published version's frozen snapshot where there is one
(a region's summary adds up what its agencies published), otherwise its tables built now from live data by the
builder (``builder._tables_only``: the tables of ``builder.build`` without the narrative) — so any change in how the
builder counts (表四 from tracked appeals) follows here. ``live=True`` builds every part from live data.

The 一（一） channel counts are not in ``ReportData`` (they are placeholders of the narrative), so they are not summed.

Rules on the sum: R1–R4 are linear identities inside one year's tables, so they hold for a sum whenever they hold for
every part; a failure on the sum therefore always comes from at least one part, and the finding names the parts that
fail the same rule on the same cells. R5–R10 do not apply to a sum: R5/R6 compare with the previous year's report of
the same body, and a region's composition changes across years (agencies created, merged, deactivated) — each part's
own report is checked against its own previous year; R7/R8 check a narrative (正文 and the fee statement in 六) that a
summary does not have; R9 (non-negative integers) holds for a sum of non-negative parts and is checked on each part,
an unreadable part cell making the sum's cell unknown (None) rather than a guess; R10 is the publication deadline of
one agency's report (条例第四十九条), and a summary is a derived statistic, not a report with a deadline of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gongkai.agencies.models import Agency, Kind
from gongkai.reports import builder, rules
from gongkai.reports.models import AnnualReport, ReportStatus
from gongkai.reports.render.content import RenderMeta
from gongkai.reports.schema import (
    TABLE2_COUNTS,
    TABLE2_DECISIONS,
    TABLE2_DOCS,
    TABLE2_FEE,
    TABLE3_COLS,
    TABLE3_ROWS,
    TABLE4_BLOCKS,
    TABLE4_RESULTS,
    Finding,
    ReportData,
)

__all__ = [
    "LIVE",
    "PUBLISHED",
    "RULES",
    "Part",
    "Rollup",
    "RollupError",
    "cells",
    "rollup_agencies",
    "rollup_build",
    "rollup_meta",
    "rollup_scope",
    "rollup_title",
]

LIVE = "live"
PUBLISHED = "published"
RULES = ("R1", "R2", "R3", "R4")
SOURCE_LABELS = {LIVE: "按当前数据生成", PUBLISHED: "已发布版本"}

Value = int | Decimal | None


class RollupError(ValueError):
    """The agency cannot be summed (not a government): a Chinese message for the CLI and the forms."""


@dataclass(frozen=True)
class Part:
    agency_id: int
    name: str
    kind: str
    source: str  # PUBLISHED | LIVE
    version: int | None  # the published version summed, None for live data
    data: ReportData
    findings: tuple[Finding, ...]  # R1–R4 on this part alone

    @property
    def source_label(self) -> str:
        label = SOURCE_LABELS[self.source]
        return f"{label}（第{self.version}版）" if self.version and self.version > 1 else label


@dataclass
class Rollup:
    agency: Agency
    year: int
    data: ReportData  # the summed tables; ``findings`` = R1–R4 on the sum, naming the parts behind each failure
    parts: list[Part] = field(default_factory=list)

    def contributors(self, table: str, row: str, col: str) -> list[tuple[Part, Value]]:
        """Every part with a non-zero (or unreadable) value in the cell, in the parts' order."""
        found = []
        for part in self.parts:
            value = cell_value(part.data, table, row, col)
            if value is None or value != 0:
                found.append((part, value))
        return found

    def trace(self) -> dict[str, Any]:
        """Per cell, the sum and its non-zero contributors: {"table3": {"1": {"总计": {"value": 3, "parts": [...]}}}}.
        Cells where every part is 0 are left out (at 3,000 agencies the full grid would be mostly zeros)."""
        out: dict[str, Any] = {}
        for table, row, col in cells():
            contributors = self.contributors(table, row, col)
            if not contributors:
                continue
            out.setdefault(table, {}).setdefault(row, {})[col] = {
                "value": _json_value(cell_value(self.data, table, row, col)),
                "parts": [{"agency": p.name, "value": _json_value(v)} for p, v in contributors],
            }
        return out

    def as_json(self, *, with_trace: bool = False) -> dict[str, Any]:
        body = self.data.as_json()
        body["rollup"] = True
        body["parts"] = [
            {
                "agency": p.name,
                "kind": p.kind,
                "source": p.source,
                "version": p.version,
                "findings": [f.as_json() for f in p.findings],
            }
            for p in self.parts
        ]
        if with_trace:
            body["trace"] = self.trace()
        return body


_SCOPES = {"province": "全省", "city": "全市", "township": "全乡（镇）"}


def rollup_scope(agency: Agency) -> str:
    """全市汇总 / 全区汇总 / 全县汇总 …: by level, and for a county-level government by what its name ends in."""
    if agency.level in _SCOPES:
        return _SCOPES[agency.level]
    stem = agency.name.removesuffix("人民政府")
    for suffix, scope in (("区", "全区"), ("县", "全县"), ("市", "全市"), ("旗", "全旗")):
        if stem.endswith(suffix):
            return scope
    return "本级及下属"


def rollup_title(agency: Agency, year: int) -> str:
    return f"{agency.name}{year}年政府信息公开工作统计数据（{rollup_scope(agency)}汇总）"


def cells() -> Iterable[tuple[str, str, str]]:
    """Every numeric cell of the three tables as (table, row, col) — the keys of ``ReportData.as_json``."""
    for doc in TABLE2_DOCS:
        for col in TABLE2_COUNTS:
            yield ("table2", doc, col)
    for name in (*TABLE2_DECISIONS, TABLE2_FEE):
        yield ("table2", name, "")
    for row, _label in TABLE3_ROWS:
        for col in TABLE3_COLS:
            yield ("table3", row, col)
    for block in TABLE4_BLOCKS:
        for result in TABLE4_RESULTS:
            yield ("table4", block, result)


def cell_value(data: ReportData, table: str, row: str, col: str) -> Value:
    if table == "table2":
        value = data.table2.get(row)
        if isinstance(value, dict):
            value = value.get(col)
        if value is None:
            return None
        return Decimal(str(value)) if row == TABLE2_FEE else int(value)
    if table == "table3":
        return data.table3[row][col]
    if table == "table4":
        return data.table4[row][col]
    raise KeyError(table)


def _json_value(value: Value) -> int | str | None:
    return str(value) if isinstance(value, Decimal) else value


def _add(total: Value, value: Value) -> Value:
    if total is None or value is None:
        return None  # an unreadable cell in one part: the sum is unknown, never guessed
    return total + value


def rollup_agencies(agency: Agency) -> list[Agency]:
    """The parts, in order: the government, then its non-government bodies by name (each followed by what it has
    under it), then each lower government with its own parts. Raises ``RollupError`` for a non-government."""
    if agency.kind != Kind.GOVERNMENT:
        raise RollupError(f"“{agency.name}”不是人民政府，汇总只对人民政府（本级及其部门、下级政府）进行")
    # Sorted here, not in SQL: the same order on SQLite and on PostgreSQL whatever its collation.
    rows = sorted(Agency.objects.filter(is_active=True), key=lambda a: a.name)
    children: dict[int, list[Agency]] = {}
    for row in rows:
        if row.parent_id is not None and row.parent_id != row.pk:
            children.setdefault(row.parent_id, []).append(row)
    ordered: list[Agency] = []
    seen: set[int] = set()

    def walk(node: Agency) -> None:
        if node.pk in seen:  # a cycle in bad data must not loop
            return
        seen.add(node.pk)
        ordered.append(node)
        below = children.get(node.pk, [])
        for child in [c for c in below if c.kind != Kind.GOVERNMENT] + [c for c in below if c.kind == Kind.GOVERNMENT]:
            walk(child)

    walk(agency)
    return ordered


def _part(agency: Agency, year: int, published: AnnualReport | None) -> Part:
    from gongkai.reports.selectors import report_data_from_snapshot

    if published is not None and published.snapshot:
        data = report_data_from_snapshot(published)
        source, version = PUBLISHED, published.version
    else:
        # The builder's tables-only path (what it builds the previous year with): the same three tables as
        # ``builder.build``, without the narrative, its placeholders' extra counts and the previous year, which only
        # R5–R10 need — about half the queries of a full build per part (docs/deployment.md, capacity).
        data = builder._tables_only(agency, year)
        source, version = LIVE, None
    mine = [f for f in rules.check(data) if f.rule in RULES]
    return Part(agency.pk, agency.name, agency.kind, source, version, data, tuple(mine))


def _sum(agency: Agency, year: int, parts: list[Part]) -> ReportData:
    total = ReportData(agency=agency.name, year=year, agency_kind="")
    for part in parts:
        for table, row, col in cells():
            current = cell_value(total, table, row, col)
            value = _add(current, cell_value(part.data, table, row, col))
            if table == "table2":
                if row in TABLE2_DOCS:
                    total.table2[row][col] = value
                else:
                    total.table2[row] = value
            elif table == "table3":
                total.table3[row][col] = value  # type: ignore[assignment]
            else:
                total.table4[row][col] = value  # type: ignore[assignment]
    return total


def _with_culprits(finding: Finding, parts: list[Part]) -> Finding:
    names = [p.name for p in parts if any(f.rule == finding.rule and f.where == finding.where for f in p.findings)]
    suffix = f"；不平衡的组成机关：{'、'.join(names)}" if names else ""
    return Finding(finding.rule, finding.severity, f"汇总 {finding.where}", finding.message + suffix)


def rollup_build(*, agency: Agency, year: int, live: bool = False) -> Rollup:
    """The summed tables of ``agency`` (a government) for ``year``, their parts and R1–R4 on the sum."""
    agencies = rollup_agencies(agency)
    published: dict[int, AnnualReport] = {}
    if not live:
        for report in AnnualReport.objects.filter(
            agency_id__in=[a.pk for a in agencies], year=year, status=ReportStatus.PUBLISHED
        ):
            published[report.agency_id] = report
    parts = [_part(a, year, published.get(a.pk)) for a in agencies]
    data = _sum(agency, year, parts)
    # The rendered outputs say what was added up (六、其他需要报告的事项): every part and where its figures came from.
    data.sections = {
        "6": "汇总范围：\n" + "\n".join(f"{i}. {p.name}（{p.source_label}）" for i, p in enumerate(parts, 1))
    }
    data.findings = [_with_culprits(f, parts) for f in rules.check(data) if f.rule in RULES]
    return Rollup(agency=agency, year=year, data=data, parts=parts)


def rollup_meta(summed: Rollup) -> RenderMeta:
    """Title and opening paragraph of the rendered summary: what it adds up, and that it is not a report itself."""
    published = sum(1 for p in summed.parts if p.source == PUBLISHED)
    preamble = (
        "本表按《中华人民共和国政府信息公开工作年度报告格式》（国办公开办函〔2021〕30号）的统计表，"
        f"将{summed.agency.name}本级及其所属部门、下级人民政府（含其部门）共{len(summed.parts)}个机关"
        f"{summed.year}年度的表二、表三、表四逐格相加得出（已发布的{published}个机关按发布版本，其余按当前数据）。"
        f"本汇总不是年度报告，不单独公布；统计期限为{summed.year}年1月1日至12月31日。"
    )
    return RenderMeta(title=rollup_title(summed.agency, summed.year), agency_name=summed.agency.name, preamble=preamble)
