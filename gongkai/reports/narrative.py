"""The report's narrative: data-bound placeholders, the first draft from the year's data, figures quoted in the text
(for R7) and the year-over-year similarity check (30号（四）：内容雷同).

Placeholders — a number in the text is written as ``{{…}}`` and always equals its source:

===============================  =====================================  ================
placeholder                      source (table, row, column)            Figure key (R7)
===============================  =====================================  ================
``{{表三.一.总计}}``             表三 "1" 总计                          received
``{{表三.二.总计}}``             表三 "2" 总计                          carried_in
``{{表三.三（一）.总计}}``       表三 "3.1" 总计                        disclosed
``{{表三.三（二）.总计}}``       表三 "3.2" 总计                        partial
``{{表三.三（七）.总计}}``       表三 "3.7" 总计                        closed
``{{表三.四.总计}}``             表三 "4" 总计                          carried_out
``{{表三.<行>.<列>}}``           any 表三 cell: 行 一 二 三（一）…三（七）
                                 三（三）1 … 三（六）3 四; 列 自然人 …
                                 其他 总计                              (total columns above only)
``{{表四.行政复议.总计}}``       表四 行政复议 总计                     reconsideration
``{{表四.行政诉讼.总计}}``       表四 未经复议直接起诉 + 复议后起诉 总计 litigation
``{{表四.<栏>.<结果>}}``         any 表四 cell                          —
``{{本年制发规范性文件}}``       表二 行政规范性文件 本年制发           —
``{{本年废止规范性文件}}``       表二 行政规范性文件 本年废止           —
``{{现行有效规范性文件}}``       表二 行政规范性文件 现行有效           —
``{{本年制发规章}}`` …           表二 规章 (same three)                 —
``{{行政许可}}`` ``{{行政处罚}}`` ``{{行政强制}}``  表二（五）（六）     —
``{{行政事业性收费}}``           表二（八） 万元                        —
``{{信息处理费}}``               cases: fees collected in the year (元)  fee_yuan
``{{门户网站发布}}``             publications.channel_counts 门户网站   —
``{{公众号发布}}``               channel_counts 政务新媒体/公众号       —
``{{政府公报发布}}``             channel_counts 政府公报                —
``{{在线申请}}`` ``{{当面申请}}`` ``{{信函申请}}`` ``{{传真申请}}`` ``{{口头申请}}``
                                 cases received in the year by channel  —
``{{按期答复}}``                 cases closed in the year by their due date —
``{{延期答复}}``                 cases closed in the year after an extension (条例第三十三条) —
``{{逾期答复}}``                 cases closed in the year after their due date —
``{{考核结果}}``                 a sentence: the year's published 考核    —
                                 ranking by the government's 主管部门
                                 (条例第五十条（四）; oversight)
===============================  =====================================  ================

Values outside ``ReportData`` (channels, timeliness, fees) are passed to ``render_sections`` as ``extra``; the builder
computes them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from gongkai.reports.schema import TABLE3_COLS, TABLE3_ROWS, TABLE4_BLOCKS, TABLE4_RESULTS, Figure, ReportData

if TYPE_CHECKING:
    from gongkai.agencies.models import Agency

__all__ = [
    "EXTRA_PLACEHOLDERS",
    "FIGURE_PLACEHOLDERS",
    "SIMILARITY_LIMIT",
    "TEXT_PLACEHOLDERS",
    "TO_COMPLETE",
    "PlaceholderError",
    "figures_in_text",
    "first_draft",
    "placeholder_figures",
    "placeholders_in",
    "render_sections",
    "similarity",
]

PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
TO_COMPLETE = "【请补充】"
SIMILARITY_LIMIT = 0.70  # 30号（四）：内容雷同 — warn above 70 %

# Chinese row names of 表三 in placeholders → the JSON row key.
_T3_ROW_NAMES: dict[str, str] = {"一": "1", "二": "2", "四": "4"}
_SUB = {"1": "（一）", "2": "（二）", "3": "（三）", "4": "（四）", "5": "（五）", "6": "（六）", "7": "（七）"}
for _key, _label in TABLE3_ROWS:
    _parts = _key.split(".")
    if _parts[0] == "3":
        _name = "三" + _SUB[_parts[1]] + (_parts[2] if len(_parts) > 2 else "")
        _T3_ROW_NAMES[_name] = _key

# Placeholders whose number is a figure R7 checks: name → Figure key.
FIGURE_PLACEHOLDERS: dict[str, str] = {
    "表三.一.总计": "received",
    "表三.二.总计": "carried_in",
    "表三.三（一）.总计": "disclosed",
    "表三.三（二）.总计": "partial",
    "表三.三（七）.总计": "closed",
    "表三.四.总计": "carried_out",
    "表四.行政复议.总计": "reconsideration",
    "表四.行政诉讼.总计": "litigation",
    "信息处理费": "fee_yuan",
}

_TABLE2_NAMED: dict[str, tuple[str, str | None]] = {
    f"{column}{short}": (doc, column)
    for doc, short in (("规章", "规章"), ("行政规范性文件", "规范性文件"))
    for column in ("本年制发", "本年废止", "现行有效")
}
_TABLE2_NAMED.update({name: (name, None) for name in ("行政许可", "行政处罚", "行政强制", "行政事业性收费")})

# Values the builder supplies from outside the tables: placeholder → what it counts.
EXTRA_PLACEHOLDERS: dict[str, str] = {
    "信息处理费": "本年度实际收取的信息处理费（元）",
    "门户网站发布": "通过门户网站主动公开的信息条数",
    "公众号发布": "通过政务新媒体/公众号发布的信息条数",
    "政府公报发布": "通过政府公报公开的信息条数",
    "在线申请": "本年新收申请中通过互联网提交的件数",
    "当面申请": "本年新收申请中当面提交的件数",
    "信函申请": "本年新收申请中通过信函提交的件数",
    "传真申请": "本年新收申请中通过传真提交的件数",
    "口头申请": "本年新收申请中口头提出的件数",
    "按期答复": "本年办结申请中在法定期限内答复的件数",
    "延期答复": "本年办结申请中经批准延长答复期限的件数",
    "逾期答复": "本年办结申请中超过答复期限的件数",
    "舆情收到": "本年登记的政务舆情（社会关切）件数",
    "舆情回应": "本年登记的政务舆情中已回应的件数",
}

# Placeholders that stand for a sentence, not a number: name → what it says. The owning app writes the sentence.
TEXT_PLACEHOLDERS: dict[str, str] = {
    "考核结果": "本级政府信息公开工作主管部门已发布的本年度工作考核结果（条例第五十条（四），用于一（五）监督保障）",
}


def _text(name: str, report: ReportData) -> str | None:
    if name == "考核结果":
        from gongkai.oversight.selectors import scoring_sentence

        return scoring_sentence(report.agency, report.year)
    return None


class PlaceholderError(ValueError):
    """A placeholder the system does not know. ``str()`` is a Chinese sentence naming it and the section."""

    def __init__(self, name: str, section: str) -> None:
        self.name = name
        self.section = section
        super().__init__(
            f"第{section}部分的占位符“{{{{{name}}}}}”无法识别：可用的有 {{{{表三.一.总计}}}}、{{{{表三.三（七）.总计}}}}、"
            f"{{{{表四.行政复议.总计}}}}、{{{{信息处理费}}}}、{{{{门户网站发布}}}} 等（见占位符一览）"
        )


def _format(value: int | Decimal) -> str:
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))
        return text
    return str(value)


def _value(name: str, report: ReportData, extra: Mapping[str, int | Decimal]) -> int | Decimal | None:
    """The number a placeholder stands for, or None when the name is unknown."""
    if name in extra:
        return extra[name]
    if name in EXTRA_PLACEHOLDERS:
        return 0 if name != "信息处理费" else Decimal(0)
    parts = name.split(".")
    if len(parts) == 3 and parts[0] == "表三":
        row, col = _T3_ROW_NAMES.get(parts[1]), parts[2]
        if row is None or col not in TABLE3_COLS:
            return None
        return report.table3[row][col] or 0
    if len(parts) == 3 and parts[0] == "表四":
        block, result = parts[1], parts[2]
        if result not in TABLE4_RESULTS:
            return None
        if block == "行政诉讼":
            return (report.table4["未经复议直接起诉"][result] or 0) + (report.table4["复议后起诉"][result] or 0)
        if block not in TABLE4_BLOCKS:
            return None
        return report.table4[block][result] or 0
    if name in _TABLE2_NAMED:
        doc, column = _TABLE2_NAMED[name]
        value = report.table2.get(doc)
        if column is not None:
            value = value.get(column) if isinstance(value, dict) else None
        if isinstance(value, Decimal | int):
            return value
        return 0
    return None


def placeholders_in(text: str) -> list[str]:
    return [m.group(1) for m in PLACEHOLDER.finditer(text)]


def render_sections(
    sections: Mapping[str, str], report: ReportData, *, extra: Mapping[str, int | Decimal] | None = None
) -> dict[str, str]:
    """Every section with its placeholders replaced by the numbers. Raises ``PlaceholderError`` (a Chinese message
    naming the placeholder) for a name it does not know."""
    values = extra or {}
    texts: dict[str, str] = {}  # each sentence looked up once per call
    rendered: dict[str, str] = {}
    for key, text in sections.items():

        def replace(match: re.Match[str], section: str = key) -> str:
            name = match.group(1)
            if name in TEXT_PLACEHOLDERS:
                if name not in texts:
                    texts[name] = _text(name, report) or ""
                return texts[name]
            value = _value(name, report, values)
            if value is None:
                raise PlaceholderError(name, section)
            return _format(value)

        rendered[key] = PLACEHOLDER.sub(replace, text or "")
    return rendered


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。；;！!？?\n])", text) if s.strip()]


def placeholder_figures(
    sections: Mapping[str, str], report: ReportData, *, extra: Mapping[str, int | Decimal] | None = None
) -> list[Figure]:
    """A ``Figure`` for every figure-bearing placeholder used in the text, with its rendered sentence."""
    values = extra or {}
    figures: list[Figure] = []
    for key, text in sections.items():
        for sentence in _sentences(text or ""):
            for name in placeholders_in(sentence):
                figure_key = FIGURE_PLACEHOLDERS.get(name)
                value = _value(name, report, values)
                if figure_key is None or value is None:
                    continue
                shown = render_sections({key: sentence}, report, extra=values)[key].strip()
                figures.append(Figure(figure_key, value, shown))
    return figures


# Numbers typed by hand: what a sentence claims (R7). Conservative: a clause mentioning a channel or "其中" is a part,
# not the whole, and is skipped.
_N = r"\s*(\d+)\s*"
_HAND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("received", re.compile(r"(?:新收|收到|受理)[^，。；,;\d]{0,16}?申请(?:共|合计)?" + _N + "件")),
    ("carried_in", re.compile(r"上年(?:度)?结转(?:的)?(?:申请)?(?:共)?" + _N + "件")),
    ("carried_out", re.compile(r"结转(?:至)?下(?:一)?年度(?:继续办理)?(?:的)?(?:申请)?(?:共)?" + _N + "件")),
    ("closed", re.compile(r"(?:办结|答复办结|办理完毕)(?:申请)?(?:共|合计)?" + _N + "件")),
    ("disclosed", re.compile(r"(?<!部分)予以公开" + _N + "件")),
    ("partial", re.compile(r"部分公开" + _N + "件")),
    ("reconsideration", re.compile(r"行政复议(?:案件)?(?:共)?" + _N + "[件起]")),
    ("litigation", re.compile(r"行政诉讼(?:案件)?(?:共)?" + _N + "[件起]")),
)
_FEE_AMOUNT = re.compile(r"信息处理费(?:共计|合计|共|总计)?\s*(\d+(?:\.\d+)?)\s*元")
_FEE_NONE = re.compile(
    r"(?:没有|未|无|不)(?:产生|收取|发生)[^。；]{0,6}信息处理费|信息处理费[^。；\d]{0,6}(?:为\s*0|为零|0\s*元)"
)


def figures_in_text(rendered: Mapping[str, str]) -> tuple[list[Figure], Decimal | None]:
    """The figures a rendered narrative states (一 and its sub-heads), and the 信息处理费 stated in 六 (元; None when
    not stated). Used for hand-typed numbers that no placeholder guarantees."""
    figures: list[Figure] = []
    for key in ("1", "1.1", "1.2", "1.3", "1.4", "1.5"):
        for sentence in _sentences(rendered.get(key, "")):
            for clause in re.split(r"[，,]", sentence):
                if "其中" in clause:
                    continue
                for figure_key, pattern in _HAND_PATTERNS:
                    for match in pattern.finditer(clause):
                        figures.append(Figure(figure_key, int(match.group(1)), sentence.strip()))
    fee: Decimal | None = None
    text = rendered.get("6", "")
    amount = _FEE_AMOUNT.search(text)
    if amount is not None:
        fee = Decimal(amount.group(1))
    elif _FEE_NONE.search(text):
        fee = Decimal(0)
    return figures, fee


# ---------------------------------------------------------------------------------------------------------------------
# Similarity (30号（四）：内容雷同)


def _normalise(text: str) -> str:
    text = PLACEHOLDER.sub("", text)
    return re.sub(r"[\s\d０-９.,，。；;、：:（）()“”\"'【】]+", "", text)


def similarity(a: str, b: str) -> float:
    """Character-bigram Jaccard similarity of two narratives, digits and punctuation ignored (so a copy with new
    numbers still reads as a copy). 0.0 … 1.0; two empty texts are 0.0."""
    x, y = _normalise(a), _normalise(b)
    grams_a = {x[i : i + 2] for i in range(len(x) - 1)}
    grams_b = {y[i : i + 2] for i in range(len(y) - 1)}
    if not grams_a or not grams_b:
        return 0.0
    jaccard = len(grams_a & grams_b) / len(grams_a | grams_b)
    if len(x) < 40 or len(y) < 40:  # too short for bigrams alone: also ask difflib
        return max(jaccard, difflib.SequenceMatcher(None, x, y, autojunk=False).ratio())
    return jaccard


def narrative_text(sections: Mapping[str, str]) -> str:
    """The narrative as one text, in section order (tables' sections 二–四 are one sentence each and included)."""
    return "\n".join(sections.get(key, "") for key in ("1", "1.1", "1.2", "1.3", "1.4", "1.5", "2", "3", "4", "5", "6"))


# ---------------------------------------------------------------------------------------------------------------------
# The first draft


@dataclass(frozen=True)
class DraftFacts:
    """What the first draft is written from (the builder gathers it)."""

    channels: Mapping[str, int]  # publications.channel_counts
    received_by_channel: Mapping[str, int]  # placeholder name (在线申请 …) → count
    received: int
    closed: int
    extended: int
    late: int
    fee_yuan: int
    previous_problems: list[str] | None  # last year's published 五, split into problems; None when none published


_CHANNEL_PLACEHOLDER = {"门户网站": "门户网站发布", "政务新媒体/公众号": "公众号发布", "政府公报": "政府公报发布"}


def previous_problems(text: str) -> list[str]:
    """The problems a published 五 lists: "一是…；二是…" items, or else its sentences (at most 6)."""
    text = PLACEHOLDER.sub("", text)
    items = re.findall(r"[一二三四五六七八九十]是([^；;。]+)", text)
    if not items:
        items = [s.strip("。；; \n") for s in _sentences(text)]
    return [item.strip()[:80] for item in items if item.strip()][:6]


def draft_from_facts(year: int, facts: DraftFacts) -> dict[str, str]:
    """The first draft's sections: figures as placeholders, never last year's wording."""
    s: dict[str, str] = {}
    # The legal basis and the statistical period are the renderers' preamble; 一 opens with the year's work.
    s["1"] = (
        f"{year}年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，【请补充】本年度政府信息公开工作总体情况。"
    )
    published = [
        f"通过{label}{'主动公开政府信息' if label == '门户网站' else '发布信息'}{{{{{_CHANNEL_PLACEHOLDER[label]}}}}}条"
        for label in ("门户网站", "政务新媒体/公众号", "政府公报")
        if facts.channels.get(label)
    ]
    s["1.1"] = (
        f"本年度，{'，'.join(published)}。" if published else "本年度主动公开情况见表二。"
    ) + f"{TO_COMPLETE}主动公开工作的主要做法。"
    parts = [
        f"{label}{{{{{name}}}}}件"
        for name, label in (
            ("在线申请", "在线申请"),
            ("当面申请", "当面提交"),
            ("信函申请", "信函"),
            ("传真申请", "传真"),
            ("口头申请", "口头提出"),
        )
        if facts.received_by_channel.get(name)
    ]
    application = "本年度新收政府信息公开申请{{表三.一.总计}}件"
    if parts:
        application += "（" + "、".join(parts) + "）"
    application += "，上年结转{{表三.二.总计}}件；办结{{表三.三（七）.总计}}件，结转下年度继续办理{{表三.四.总计}}件。"
    if facts.closed:
        application += "办结的申请中，在法定期限内答复{{按期答复}}件"
        if facts.extended:
            application += "，经批准延长答复期限（条例第三十三条）{{延期答复}}件"
        if facts.late:
            application += "，超过答复期限{{逾期答复}}件"
        application += "。"
    if facts.fee_yuan:
        application += "本年度收取信息处理费{{信息处理费}}元。"
    s["1.2"] = application
    s["1.3"] = f"{TO_COMPLETE}政府信息管理情况（如公文公开属性认定、保密审查、规范性文件清理）。"
    s["1.4"] = f"{TO_COMPLETE}政府信息公开平台建设情况（门户网站、政务新媒体、政府信息公开专栏）。"
    s["1.5"] = f"{TO_COMPLETE}监督保障情况（工作考核、社会评议、责任追究结果，培训）。"
    s["2"] = "本年度主动公开政府信息情况见下表。"
    s["3"] = "本年度收到和处理政府信息公开申请情况见下表。"
    s["4"] = (
        "本年度因政府信息公开工作被申请行政复议{{表四.行政复议.总计}}件、提起行政诉讼{{表四.行政诉讼.总计}}件，"
        "情况见下表。"
    )
    if facts.previous_problems:
        listed = "；".join(f"{_ORDINAL[i]}是{p}" for i, p in enumerate(facts.previous_problems))
        s["5"] = (
            f"{TO_COMPLETE}上一年度报告所列问题：{listed}。请逐项说明改进情况，并写明本年度存在的主要问题及改进措施。"
        )
    else:
        s["5"] = f"{TO_COMPLETE}本年度存在的主要问题及改进措施。"
    if facts.fee_yuan:
        s["6"] = "本年度按照《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）收取信息处理费{{信息处理费}}元。"
    else:
        s["6"] = "本年度没有产生信息处理费。"
    return s


_ORDINAL = "一二三四五六七八九十"


def first_draft(agency: Agency, year: int) -> dict[str, str]:
    """A first draft generated from the year's data (never copied from last year's text)."""
    from gongkai.reports.builder import draft_facts

    return draft_from_facts(year, draft_facts(agency, year))
