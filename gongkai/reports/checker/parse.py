"""Rows of a published report → ``ReportData``: title, sections, 表二/三/四 located and mapped by their labels, the
figures quoted in 一、总体情况, the fee stated in 六.

Tables are never read by position alone. A table row is recognised by the core words of its label (regulations.md
§2.4 lists the variants seen in the wild); the words may be split over several cells or lines, and the row's numbers
may sit in shifted columns (the seed's 表三) or on the following lines (text extracted from a PDF in reading order).
A number the parser cannot read is ``None`` with a line in ``report.unreadable`` — never a guess.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gongkai.reports.checker.sources import Row
from gongkai.reports.checker.text import CN_NUMBER, Kind, classify, cn_number, norm, parse_decimal, parse_int
from gongkai.reports.schema import (
    TABLE2_COUNTS,
    TABLE2_DECISIONS,
    TABLE2_DOCS,
    TABLE2_FEE,
    TABLE3_COLS,
    TABLE3_ROWS,
    TABLE4_BLOCKS,
    TABLE4_RESULTS,
    Cell,
    Figure,
    ReportData,
)

__all__ = ["NotAReport", "parse_rows"]


class NotAReport(Exception):
    """The rows hold no annual report (no year, or none of the three tables)."""


def _patterns(items: Sequence[tuple[str, str]]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((key, re.compile(pattern)) for key, pattern in items)


# 表三 rows by the core words of their labels (after ``norm``: NFKC, no spaces, no quotes). When a label run holds
# several (a group head and its item, "（三）不予公开 1.属于国家秘密"), the one printed last wins.
_T3 = _patterns(
    [
        ("1", r"本年新收|新收政府信息"),
        ("2", r"上年结转|上年度结转"),
        ("4", r"结转下年|转下年度|结转下一年"),
        ("3.1", r"(?<!不)予以公开"),
        ("3.2", r"部分公开"),
        ("3.3.1", r"国家秘密"),
        ("3.3.2", r"其他法律|法规禁止|禁止公开|行政止公开"),
        ("3.3.3", r"三安全|一稳定"),
        ("3.3.4", r"第三方"),
        ("3.3.5", r"内部事务"),
        ("3.3.6", r"过程性"),
        ("3.3.7", r"执法案卷"),
        ("3.3.8", r"行政查询|查询事项"),
        ("3.4.1", r"不掌握"),
        ("3.4.2", r"另行制作|现成信息"),
        ("3.4.3", r"补正后|仍不明确"),
        ("3.5.1", r"信访|投诉|举报"),
        ("3.5.2", r"重复申请"),
        ("3.5.3", r"出版物"),
        ("3.5.4", r"大量反复|反复申请"),
        ("3.5.5", r"重新出具|确认或"),
        ("3.6.1", r"不补正"),
        ("3.6.2", r"缴纳费用|缴费|收费通知|逾期未按"),
        ("3.6.3", r"(?<!或)其他(?!处理|法律|组织|情形|结果|对外)"),
        ("3.6", r"其他处理"),  # （六） printed as one row (洪泽): cannot be split into 1–3
        ("3.7", r"总计|合计"),
    ]
)
# 表二 rows; the 2019 trial format's extra rows are recognised so that their numbers go nowhere.
_T2 = _patterns(
    [
        ("规章", r"规章"),
        ("行政规范性文件", r"规范性文件"),
        ("行政许可", r"行政许可"),
        ("_other_services", r"对外管理服务"),
        ("行政处罚", r"行政处罚"),
        ("行政强制", r"行政强制"),
        ("行政事业性收费", r"事业性收费"),
        ("_procurement", r"集中采购"),
    ]
)
_TRIAL = re.compile(r"新制作|新公开|对外公开总数|上一年项目数")

_SHORT_T3: dict[str, str] = {}
for _key, _label in TABLE3_ROWS:
    _group = {"3.3": "（三）", "3.4": "（四）", "3.5": "（五）", "3.6": "（六）"}.get(_key[:3], "")
    _SHORT_T3[_key] = _group + _label.split("（区分")[0]
_SHORT_T3["3.6"] = "（六）其他处理"

_HEADING = re.compile(r"^([一二三四五六])[、.,:]")
_HEADING_WORDS = {
    "一": re.compile(r"总体情况|概述|总体"),
    "二": re.compile(r"主动公开"),
    "三": re.compile(r"收到和处理|依申请公开|申请情况"),
    "四": re.compile(r"复议|诉讼"),
    "五": re.compile(r"问题|改进"),
    "六": re.compile(r"其他需要|其他事项|其他"),
}
_NUMERALS = {"一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6"}


def _latest(patterns: tuple[tuple[str, re.Pattern[str]], ...], text: str) -> str | None:
    best: tuple[int, int, str] | None = None
    for key, pattern in patterns:
        for match in pattern.finditer(text):
            candidate = (match.start(), match.end() - match.start(), key)
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    return best[2] if best else None


@dataclass
class _Scan:
    """The numbers found for each recognised row label, in the label's region."""

    found: dict[str, list[str]] = field(default_factory=dict)  # key → raw value cells ("" never: blanks became "0")
    short: dict[str, list[str]] = field(default_factory=dict)  # key → the too few values found
    last_index: int = -1  # index (in the region) of the row that completed ``stop``


def _split(row: Row) -> tuple[str, int, list[Kind]]:
    kinds = [classify(c) for c in row.cells]
    last_label = max((i for i, k in enumerate(kinds) if k is Kind.LABEL), default=-1)
    label = "".join(norm(c) for c in row.cells[: last_label + 1])
    return label, last_label, kinds


def _learn(rows: Sequence[Row], width: int) -> dict[int, set[int]]:
    """Where full rows of a grid keep their numbers: row length → first value column (the seed shifts some rows)."""
    learned: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        if not row.grid:
            continue
        _label, last_label, kinds = _split(row)
        idx = [i for i, k in enumerate(kinds) if i > last_label and k in (Kind.NUMBER, Kind.ODD)]
        if len(idx) >= width and idx[-width:] == list(range(idx[-width], idx[-width] + width)):
            learned[len(row.cells)].add(idx[-width])
    return learned


def _templates(rows: Sequence[Row], width: int) -> list[tuple[int, ...]]:
    """PDF layout text: where the columns of full rows end on the line, relative to the last column."""
    found = []
    for row in rows:
        if row.grid or len(row.cells) < width:
            continue
        _label, last_label, kinds = _split(row)
        values = [i for i in range(last_label + 1, len(kinds)) if kinds[i] is not Kind.BLANK]
        if len(values) == width and all(kinds[i] is Kind.NUMBER for i in values):
            last = row.ends[values[-1]]
            found.append(tuple(row.ends[i] - last for i in values))
    return found


def _align(row: Row, here: list[int], templates: list[tuple[int, ...]]) -> list[str] | None:
    """A layout-text row printing fewer numbers than columns (blank cells): place the numbers, in order, in the
    columns whose positions they share with the full rows of the same table; blank columns are 0. Only when the
    columns stand apart (layout mode, not single-spaced reading order), the last (总计) column is printed and each
    number lies within 6 characters of its column (pypdf pushes a token right when the one before overlaps it) —
    else no guess."""
    offsets = [row.ends[i] - row.ends[here[-1]] for i in here]
    for template in templates:
        if min(b - a for a, b in itertools.pairwise(template)) < 4:
            continue
        columns = _monotone(offsets, template)
        if columns is not None:
            slots = dict(zip(columns, (row.cells[i] for i in here), strict=True))
            return [slots.get(c, "0") for c in range(len(template))]
    return None


def _monotone(offsets: list[int], template: tuple[int, ...]) -> list[int] | None:
    """Strictly increasing columns for the offsets, the last on the last column, least total distance (≤ 6 each)."""
    n, m = len(offsets), len(template)
    best: dict[tuple[int, int], tuple[int, list[int]]] = {}  # (token, column) → (cost, columns so far)
    for i, offset in enumerate(offsets):
        for j in range(m):
            distance = abs(template[j] - offset)
            if distance > 6 or (i == n - 1 and j != m - 1):
                continue
            if i == 0:
                best[(i, j)] = (distance, [j])
                continue
            previous = [best[(i - 1, k)] for k in range(j) if (i - 1, k) in best]
            if previous:
                cost, columns = min(previous, key=lambda item: item[0])
                best[(i, j)] = (cost + distance, [*columns, j])
    final = best.get((n - 1, m - 1))
    return final[1] if final else None


def _pick(row: Row, last_label: int, kinds: list[Kind], width: int, learned: dict[int, set[int]]) -> list[str] | None:
    """The ``width`` value cells of a grid row whose label was recognised; blanks count as 0 only here, where the
    row is a data row with at least ``width`` cells after its label."""
    cells, n = row.cells, len(row.cells)
    idx = [i for i in range(last_label + 1, n) if kinds[i] in (Kind.NUMBER, Kind.ODD)]
    if len(idx) >= width:
        return [cells[i] for i in idx[-width:]]
    after = n - last_label - 1
    if after < width:
        return None
    window: int | None = None
    for start in sorted(learned.get(n, ())):
        if start > last_label and start + width <= n and all(start <= i < start + width for i in idx):
            window = start
            break
    if window is None and after == width:
        window = last_label + 1
    if window is None and idx and idx[-1] - width + 1 > last_label:
        window = idx[-1] - width + 1
    if window is None and not idx:
        window = last_label + 1
    if window is None:
        return None
    return [cells[i] or "0" for i in range(window, window + width)]


def _scan(
    rows: Sequence[Row],
    patterns: tuple[tuple[str, re.Pattern[str]], ...],
    widths: dict[str, int],
    stop: str | None = None,
) -> _Scan:
    result = _Scan()
    learned = {width: _learn(rows, width) for width in set(widths.values())}
    templates = {width: _templates(rows, width) for width in set(widths.values()) if width > 1}
    # A run of label text (it may span cells, rows and lines), the row key it names, and in text mode the numbers
    # after it (they may follow on later lines).
    pending: str = ""
    key: str | None = None
    acc: list[str] = []

    def finish(key: str | None, acc: list[str]) -> None:
        if key is not None and acc:
            width = widths.get(key, 1)
            if len(acc) >= width:
                result.found.setdefault(key, acc[-width:])
            else:
                result.short.setdefault(key, list(acc))

    for index, row in enumerate(rows):
        label, last_label, kinds = _split(row)
        if label:
            if acc:
                finish(key, acc)
                pending, key, acc = "", None, []
            pending += label
            key = _latest(patterns, pending)
        if row.grid:
            has_values = any(k in (Kind.NUMBER, Kind.ODD) for k in kinds[last_label + 1 :])
            if key is not None and (has_values or (label and len(row.cells) - last_label - 1 >= widths.get(key, 1))):
                picked = _pick(row, last_label, kinds, widths.get(key, 1), learned.get(widths.get(key, 1), {}))
                if picked is None:
                    values = [c for c, k in zip(row.cells, kinds, strict=True) if k in (Kind.NUMBER, Kind.ODD)]
                    result.short.setdefault(key, values)
                else:
                    result.found.setdefault(key, picked)
                pending, key = "", None
            elif has_values and label:
                pending, key = "", None  # numbers under a label we do not know: they belong to no row of ours
        else:
            here = [i for i in range(last_label + 1, len(kinds)) if kinds[i] is not Kind.BLANK]
            aligned = None
            if key is not None and not acc and 0 < len(here) < widths.get(key, 1):
                aligned = _align(row, here, templates.get(widths.get(key, 1), []))
            acc += aligned if aligned is not None else [row.cells[i] for i in here]
        if stop is not None and stop in result.found and result.last_index < 0:
            result.last_index = index
            break
        if stop is not None and key == stop and not row.grid and len(acc) >= widths.get(stop, 1):
            finish(key, acc)
            result.last_index = index
            acc = []
            break
    finish(key, acc)
    return result


def _heading(row: Row) -> str | None:
    cells = [c for c in row.cells if c.strip()] if row.grid else [row.text]
    if len(cells) != 1:
        return None
    text = norm(cells[0])
    match = _HEADING.match(text)
    if not match or len(text) > 40:
        return None
    numeral = match.group(1)
    return _NUMERALS[numeral] if _HEADING_WORDS[numeral].search(text) else None


def _first(rows: Sequence[Row], start: int, end: int, pattern: re.Pattern[str]) -> int | None:
    for i in range(start, end):
        if pattern.search(norm(rows[i].text)):
            return i
    return None


def parse_rows(rows: Sequence[Row]) -> ReportData:
    agency, year = _title(rows)
    if year is None:
        raise NotAReport("未找到报告年度（标题中应有“XXXX年”）")
    report = ReportData(agency=agency, year=year)
    report.agency_kind = "government" if agency.endswith("政府") else ("department" if agency else "")

    headings: dict[str, int] = {}
    for i, row in enumerate(rows):
        number = _heading(row)
        if number is not None and number not in headings:
            headings[number] = i
    end = len(rows)
    after = sorted(headings.items(), key=lambda item: item[1])

    def next_heading(index: int) -> int:
        return next((i for _, i in after if i > index), end)

    t3_start = headings.get("3")
    if t3_start is None:
        t3_start = _first(rows, 0, end, re.compile(r"勾稽关系|申请人情况")) or _first(
            rows, 0, end, re.compile(r"本年新收")
        )
    t2_start = headings.get("2")
    if t2_start is None:
        t2_start = _first(rows, 0, t3_start if t3_start is not None else end, re.compile(r"第二十条第"))
    t4_heading = headings.get("4")

    found_any = False
    # 表二
    if t2_start is not None:
        t2_end = t3_start if t3_start is not None and t3_start > t2_start else next_heading(t2_start)
        found_any |= _table2(report, rows[t2_start:t2_end])
    else:
        _missing_table2(report)
    # 表三
    t3_end = t3_start if t3_start is not None else 0
    if t3_start is not None:
        limit = t4_heading if t4_heading is not None and t4_heading > t3_start else headings.get("5", end)
        if limit <= t3_start:
            limit = end
        scan = _table3(report, rows[t3_start:limit])
        found_any |= bool(scan.found)
        t3_end = t3_start + (scan.last_index if scan.last_index >= 0 else limit - t3_start)
    else:
        _missing_table3(report)
    # 表四
    t4_start = t4_heading if t4_heading is not None and t4_heading >= t3_end else None
    if t4_start is None:
        t4_start = _first(rows, t3_end + 1, end, re.compile(r"行政复议|结果维持"))
    if t4_start is not None:
        t4_stop = headings.get("5", end)
        if t4_stop <= t4_start:
            t4_stop = next_heading(t4_start)
        found_any |= _table4(report, rows[t4_start:t4_stop])
    else:
        _missing_table4(report)
    if not found_any:
        raise NotAReport("未找到年度报告的统计表（表二、表三、表四）")

    _sections(report, rows, after, end)
    report.figures = _figures(report.sections.get("1") or _text(rows[: t2_start or t3_start or end]))
    report.fee_yuan = _fee(report.sections.get("6") or "")
    if report.fee_yuan is None:
        report.fee_yuan = _fee(_text(rows))
    report.published_on = _published_on(rows)
    return report


def _text(rows: Sequence[Row]) -> str:
    return "\n".join(row.text for row in rows)


# ---------------------------------------------------------------- title, dates


_YEAR = re.compile(r"((?:19|20)\d{2}|[零〇○一二][零〇○一二三四五六七八九]{3})年度?")


def _title(rows: Sequence[Row]) -> tuple[str, int | None]:
    candidates = [(i, text) for i, row in enumerate(rows[:40]) for text in (row.cells if row.grid else (row.text,))]
    for i, candidate in candidates:
        text = norm(candidate)
        if "报告" not in text or "公开" not in text or len(text) > 80:
            continue
        match = _YEAR.search(text)
        if not match:
            continue
        year = cn_number(match.group(1))
        before = re.sub(r"(关于|的)$", "", text[: match.start()]).strip("《》<>()[]")
        agency = before or re.split(r"政府信息公开|政务公开|信息公开", text[match.end() :])[0]
        if not agency.strip("《》<>()[],:") and i > 0 and not rows[i - 1].grid:
            # A title broken over two lines: "青山县市场监督管理局" / "2024年度政府信息公开工作年度报告".
            line = norm(rows[i - 1].text)
            if len(line) <= 30 and not _YEAR.search(line):
                agency = line
        return agency.strip("《》<>()[],:"), year
    # No title: the statistics period still names the year ("统计期限为2024年1月1日至12月31日").
    for row in rows:
        match = re.search(r"((?:19|20)\d{2})年1月1日(?:起)?至", norm(row.text))
        if match:
            return "", int(match.group(1))
    return "", None


_DATE_LABELLED = re.compile(
    rf"(?:发布|公开|成文|印发|生成)(?:日期|时间)[:]?(\d{{4}}|{CN_NUMBER})[-年./](\d{{1,2}}|{CN_NUMBER})[-月./](\d{{1,2}}|{CN_NUMBER})"
)
_DATE_LINE = re.compile(
    rf"(\d{{4}}|[零〇○一二三四五六七八九]{{4}})年(\d{{1,2}}|{CN_NUMBER})月(\d{{1,2}}|{CN_NUMBER})日$"
)


def _date(parts: Sequence[str]) -> dt.date | None:
    numbers = [cn_number(p) for p in parts]
    if any(n is None for n in numbers):
        return None
    try:
        return dt.date(*(int(n) for n in numbers if n is not None))
    except ValueError:
        return None


def _published_on(rows: Sequence[Row]) -> dt.date | None:
    for row in rows:
        match = _DATE_LABELLED.search(norm(row.text))
        if match:
            return _date(match.groups())
    tail = [row for row in rows if not row.grid][-4:]
    for row in reversed(tail):
        match = _DATE_LINE.search(norm(row.text))
        if match and len(norm(row.text)) <= 40:
            return _date(match.groups())
    return None


# ---------------------------------------------------------------- sections and narrative


def _sections(report: ReportData, rows: Sequence[Row], headings: list[tuple[str, int]], end: int) -> None:
    for n, (number, start) in enumerate(headings):
        stop = headings[n + 1][1] if n + 1 < len(headings) else end
        report.sections[number] = "\n".join(row.text for row in rows[start + 1 : stop] if not row.grid)


_N = rf"(\d+|{CN_NUMBER})"
_FIGURES = tuple(
    (key, re.compile(pattern))
    for key, pattern in [
        ("received", rf"(?:收到|新收|受理)[^。;,，；]{{0,20}}?申请(?:数量)?(?:共计|共|总计|合计|为)?{_N}(?:件|个|份)"),
        ("closed", rf"办结[^。;；,，]{{0,15}}?(?:共计|共|为)?{_N}(?:件|个|份)"),
        ("disclosed", rf"(?<!不)予以公开(?:的|类)?(?:有|共)?{_N}件"),
        ("partial", rf"部分公开(?:的|类)?(?:有|共)?{_N}件"),
        ("carried_out", rf"结转(?:至|到)?下(?:一)?年度?(?:继续办理)?(?:的|共)?{_N}件"),
        ("carried_in", rf"上(?:一)?年度?结转(?:的|申请)?(?:共)?{_N}件"),
        ("reconsideration", rf"行政复议(?:案件|申请)?(?:共|为)?{_N}(?:起|件|宗)"),
        ("litigation", rf"行政诉讼(?:案件)?(?:共|为)?{_N}(?:起|件|宗)"),
    ]
)
_SENTENCE = re.compile(r"[^。；;!?！？]+")  # not split at line ends: PDF text wraps mid-sentence


def _figures(text: str) -> list[Figure]:
    figures: list[Figure] = []
    for sentence in _SENTENCE.findall(text):
        flat = norm(sentence)
        for key, pattern in _FIGURES:
            for match in pattern.finditer(flat):
                value = cn_number(match.group(1))
                if value is not None:
                    figures.append(Figure(key, value, re.sub(r"\s*\n\s*", "", sentence).strip()))
    return figures


_NO_FEE = re.compile(r"未收取|没有收取|未产生|没有产生|不收取|无收取|均未收|未发生|免收|零收费|未收费|没有收费")
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)(万)?元(?![/每])")


def _fee(text: str) -> Decimal | None:
    """信息处理费 stated in 六 (元): the amount collected, 0 for "未收取 / 没有产生", None when not stated."""
    stated_none = False
    for sentence in _SENTENCE.findall(text):
        flat = norm(sentence)
        if "处理费" not in flat and "信息处理" not in flat:
            continue
        if _NO_FEE.search(flat):
            stated_none = True
            continue
        match = _AMOUNT.search(flat)
        if match:
            amount = Decimal(match.group(1))
            return amount * 10000 if match.group(2) else amount
    return Decimal(0) if stated_none else None


# ---------------------------------------------------------------- the three tables


def _table3(report: ReportData, rows: Sequence[Row]) -> _Scan:
    widths = {key: 7 for key, _ in _T3}
    scan = _scan(rows, _T3, widths, stop="4")
    table: dict[str, dict[str, Cell]] = {}
    collapsed = scan.found.get("3.6")
    for key, _label in TABLE3_ROWS:
        raw = scan.found.get(key)
        place = f"表三 {_SHORT_T3[key]}"
        if raw is None:
            table[key] = {col: None for col in TABLE3_COLS}
            if key in scan.short:
                got = "、".join(scan.short[key]) or "无"
                report.unreadable.append(f"{place}（只找到 {len(scan.short[key])} 个数值：{got}）")
            elif collapsed is not None and key.startswith("3.6."):
                report.unreadable.append(f"{place}（（六）其他处理只印了一行合计：{'、'.join(collapsed)}，无法拆分）")
            else:
                report.unreadable.append(f"{place}（未找到该行）")
            continue
        cells: dict[str, Cell] = {}
        for col, value in zip(TABLE3_COLS, raw, strict=True):
            number = parse_int(value)  # a negative count is kept: R9 reports it with its value
            if number is None:
                report.unreadable.append(f"{place} 列“{col}”（原文“{value}”）")
            cells[col] = number
        table[key] = cells
    report.table3 = table
    return scan


def _missing_table3(report: ReportData) -> None:
    report.table3 = {key: {col: None for col in TABLE3_COLS} for key, _ in TABLE3_ROWS}
    report.unreadable.append("表三（未找到该表）")


def _table2(report: ReportData, rows: Sequence[Row]) -> bool:
    """表二; the 2019 trial format (国办公开办函〔2019〕60号) maps where the meaning is the same:
    本年新制作数量 → 本年制发 and 处理决定数量 → 本年处理决定数量. 本年新公开 and 对外公开总数量 are not 本年废止 or 现行有效
    (the trial format counts documents published, not documents in force), and its 行政事业性收费 row counts items,
    not 万元 — those stay ``None`` without an unreadable note: the format did not ask for them, R6/R9 skip them."""
    trial = any(_TRIAL.search(norm(row.text)) for row in rows)
    report.trial_format = trial
    widths = {"规章": 3, "行政规范性文件": 3, "_other_services": 3, "_procurement": 2}
    widths |= {name: 3 if trial else 1 for name in TABLE2_DECISIONS}
    widths[TABLE2_FEE] = 2 if trial else 1
    scan = _scan(rows, _T2, widths)
    table: dict[str, Any] = {}

    def number(place: str, value: str) -> int | None:
        parsed = parse_int(value)
        if parsed is None:
            report.unreadable.append(f"{place}（原文“{value}”）")
            return None
        return parsed

    def note_missing(name: str) -> None:
        if name in scan.short:
            report.unreadable.append(f"表二 {name}（只找到 {len(scan.short[name])} 个数值）")
        else:
            report.unreadable.append(f"表二 {name}（未找到该行）")

    for doc in TABLE2_DOCS:
        raw = scan.found.get(doc)
        if raw is None:
            note_missing(doc)
            table[doc] = {c: None for c in TABLE2_COUNTS}
        elif trial:
            table[doc] = {"本年制发": number(f"表二 {doc} 本年新制作数量", raw[0]), "本年废止": None, "现行有效": None}
        else:
            table[doc] = {c: number(f"表二 {doc} {c}", v) for c, v in zip(TABLE2_COUNTS, raw, strict=True)}
    for name in TABLE2_DECISIONS:
        raw = scan.found.get(name)
        if raw is None:
            note_missing(name)
            table[name] = None
        else:
            table[name] = number(f"表二 {name}", raw[-1])
    raw = scan.found.get(TABLE2_FEE)
    if trial:
        table[TABLE2_FEE] = None
    elif raw is None:
        note_missing(TABLE2_FEE)
        table[TABLE2_FEE] = None
    else:
        fee = parse_decimal(raw[0])
        if fee is None:
            report.unreadable.append(f"表二 {TABLE2_FEE}（原文“{raw[0]}”）")
        table[TABLE2_FEE] = fee
    report.table2 = table
    return bool(scan.found)


def _missing_table2(report: ReportData) -> None:
    report.table2 = {doc: {c: None for c in TABLE2_COUNTS} for doc in TABLE2_DOCS}
    for name in (*TABLE2_DECISIONS, TABLE2_FEE):
        report.table2[name] = None
    report.unreadable.append("表二（未找到该表）")


def _table4(report: ReportData, rows: Sequence[Row]) -> bool:
    """表四 is one row of 15 numbers (复议 5, 直接起诉 5, 复议后起诉 5) under a header of words only."""
    width = len(TABLE4_BLOCKS) * len(TABLE4_RESULTS)
    values: list[str] | None = None
    acc: list[str] = []
    for row in rows:
        label, last_label, kinds = _split(row)
        if len(label) > 12:  # a sentence, or a header cell: its numbers (if any) are not the table's
            continue
        idx = [i for i in range(last_label + 1, len(kinds)) if kinds[i] in (Kind.NUMBER, Kind.ODD)]
        if not idx:
            continue
        if row.grid:
            if len(idx) >= width:
                values = [row.cells[i] for i in idx[-width:]]
            elif idx[-1] - width + 1 > last_label:  # a data row with blank cells: blank is 0 here
                values = [row.cells[i] or "0" for i in range(idx[-1] - width + 1, idx[-1] + 1)]
            else:
                acc += [row.cells[i] for i in idx]
                continue
            break
        acc += [row.cells[i] for i in idx]
        if len(acc) >= width:
            values = acc[-width:]
            break
    if values is None:
        if acc:
            report.unreadable.append(f"表四（只找到 {len(acc)} 个数值，应为 {width} 个）")
        else:
            report.unreadable.append("表四（未找到数据行）")
        report.table4 = {block: {r: None for r in TABLE4_RESULTS} for block in TABLE4_BLOCKS}
        return False
    table: dict[str, dict[str, Cell]] = {}
    cells = iter(values)
    for block in TABLE4_BLOCKS:
        table[block] = {}
        for result in TABLE4_RESULTS:
            value = next(cells)
            number = parse_int(value)
            if number is None:
                report.unreadable.append(f"表四 {block} {result}（原文“{value}”）")
            table[block][result] = number
    report.table4 = table
    return True


def _missing_table4(report: ReportData) -> None:
    report.table4 = {block: {r: None for r in TABLE4_RESULTS} for block in TABLE4_BLOCKS}
    report.unreadable.append("表四（未找到该表）")
