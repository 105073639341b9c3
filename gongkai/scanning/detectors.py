"""Detectors for the 保密审查 pre-publication scan: 密级 markings and personal data in plain text.

保守国家秘密法 第三十五条 and 实施条例 第四十二条 require every item to be reviewed before it is published (先审查、后公开);
条例 第十五条 forbids publishing third parties' personal data. This module only points at spans a reviewer should look at;
it never decides. Everything here is pure: ``scan_text`` takes a string and returns findings whose ``start``/``end``
index that same string (``text[start:end] == finding.text``).

Rules, per kind (severity in brackets):

- ``classification`` — a 密级 marking, not the words in running text. 绝密/机密/秘密 [high], 工作秘密 (保密法 第六十四条) and
  内部/内部资料/内部事项 [medium] count as a marking only when written as one: followed by ★ (``机密★5年``,
  ``绝密★启用前``, ``秘密★``); after a 密级 label (``密级：秘密``); directly followed by a 保密期限 with a term
  (``秘密 保密期限：5年``); inside 【】〔〕〖〗[]; or alone on a line, optionally with a term or a notice such as 注意保存.
  So ``保守秘密``, ``商业秘密``, ``国家秘密``, ``内部管理``, ``工作秘密管理办法`` in a sentence are not reported.
- ``id_number`` [high] — 18 characters (17 digits + digit/X) with a valid GB 11643 check character and birth date, or the
  old 15-digit form with a valid YYMMDD date; never inside a longer digit run. A wrong check character is no finding, and
  an 18-digit run carrying a valid birth date is an ID or nothing (it is not re-read as a bank card).
- ``bank_card`` [high] — 16–19 digits, contiguous or in groups of four separated by spaces, starting with 3–6 (银联 62…),
  passing the Luhn check.
- ``credit_code`` [low, flag only] — an 18-character 统一社会信用代码 with a valid GB 32100 check character (an
  organisation's code is public, but a reviewer may want to know it is there).
- ``phone`` [medium] — mobile 1[3-9]x-xxxx-xxxx (spaces or dashes allowed, +86/0086/86 prefix) and fixed lines with an area
  code (0375-1234567, (0375)1234567, 0375 12345678, 037512345678); never inside a longer digit run.
- ``email`` [medium] — local@domain.tld.
- ``person_name`` [medium] — a common surname (single or compound) and a 1–2 character given name, reported only in
  context: after a label (姓名/申请人/联系人/当事人/… followed by a colon, whitespace or a line break, as in a table
  row), or within 12 characters before or after an id_number, phone, bank_card or email finding, bounded on both sides
  (punctuation, whitespace or a word like 申请人/为 before; punctuation or a word like 的/身份证/电话/提供 after).
  Every 2–3 character run of Han characters is never a candidate on its own.

Full-width digits, letters and punctuation (１３９…, ＠) are read as their ASCII forms; offsets are unaffected (the
translation is one character for one character). When spans overlap, the stronger kind keeps the span (order of
``KIND_ORDER``); the weaker finding is dropped.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final, Literal

from gongkai.core.validators import credit_code_problem, id_number_problem

Kind = Literal["classification", "id_number", "bank_card", "credit_code", "phone", "email", "person_name"]
Severity = Literal["high", "medium", "low"]

# Strongest first: an overlapping span goes to the kind that comes first here.
KIND_ORDER: Final[tuple[Kind, ...]] = (
    "classification",
    "id_number",
    "bank_card",
    "credit_code",
    "phone",
    "email",
    "person_name",
)

KIND_LABELS: Final[dict[str, str]] = {
    "classification": "密级标志",
    "id_number": "身份证号",
    "bank_card": "银行卡号",
    "credit_code": "统一社会信用代码",
    "phone": "电话号码",
    "email": "电子邮箱",
    "person_name": "姓名",
}
SEVERITY_LABELS: Final[dict[str, str]] = {"high": "高", "medium": "中", "low": "低"}
SEVERITY_ORDER: Final[dict[str, int]] = {"high": 0, "medium": 1, "low": 2}

NAME_WINDOW: Final = 12  # characters before/after a data finding in which a name is looked for


@dataclass(frozen=True, slots=True)
class Finding:
    kind: Kind
    severity: Severity
    start: int
    end: int
    text: str
    note: str = ""

    def as_dict(self) -> dict[str, str | int]:
        """The JSON shape of ``gongkai scan --format json`` (no note: the contract has exactly these five keys)."""
        return {"kind": self.kind, "severity": self.severity, "start": self.start, "end": self.end, "text": self.text}


# Full-width ASCII (U+FF01–U+FF5E) and the ideographic space, one character for one character.
_HALF_WIDTH: Final = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

# --- classification --------------------------------------------------------------------------------------------------

_SP = r"[ \t]*"
_LEVEL = r"(?:绝密|机密|秘密)"
_MARK = r"(?:工作秘密|绝密|机密|秘密|内部资料|内部事项|内部)"
_TERM = (
    r"(?:[0-9]{4}年[0-9]{1,2}月(?:[0-9]{1,2}日)?前?"
    r"|[0-9]{4}[-./][0-9]{1,2}[-./][0-9]{1,2}"
    r"|(?:[0-9]{1,3}|[一二三四五六七八九十]{1,3})" + _SP + r"(?:年|个月|月|天)"
    r"|长期|启用前)"
)
_NOTICE = r"(?:注意保存|妥善保管|请勿外传|不得外传|注意保密)"
_CLASSIFICATION: Final = re.compile(
    "|".join(
        (
            # 机密★5年, 绝密★启用前, 工作秘密★
            rf"(?<![家业守术人]){_MARK}{_SP}[★☆](?:{_SP}{_TERM})?",
            # 密级：秘密★3年 / 密级：内部
            rf"密级{_SP}[:]?{_SP}{_MARK}(?:{_SP}[★☆])?(?:[ \t,;、]*(?:保密期限{_SP}[:为]?{_SP})?{_TERM})?",
            # 秘密 保密期限：5年
            rf"(?<![家业守术人]){_MARK}[ \t,;、]*保密期限{_SP}[:为]?{_SP}{_TERM}",
            # 【机密】 〔内部〕
            rf"[【〔〖\[]{_SP}{_MARK}(?:{_SP}[★☆]?{_SP}{_TERM})?{_SP}[】〕〗\]]",
            # a line of its own: 秘密 / 机密 10年 / 内部资料 注意保存
            rf"^{_SP}{_MARK}(?:{_SP}[★☆]?{_SP}{_TERM})?(?:[ \t,]*{_NOTICE})?{_SP}\r?$",
        )
    ),
    re.MULTILINE,
)
_HIGH_LEVEL: Final = re.compile(_LEVEL)


def _classification(text: str, norm: str) -> Iterator[Finding]:
    for match in _CLASSIFICATION.finditer(norm):
        raw = match.group()
        start = match.start() + (len(raw) - len(raw.lstrip()))
        end = match.end() - (len(raw) - len(raw.rstrip()))
        marking = norm[start:end]
        high = _HIGH_LEVEL.search(marking.replace("工作秘密", "")) is not None
        yield Finding(
            "classification",
            "high" if high else "medium",
            start,
            end,
            text[start:end],
            "密级标志" if high else "内部/工作秘密标志",
        )


# --- numbers ---------------------------------------------------------------------------------------------------------

_ID: Final = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9])")


def _plausible_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return 1900 <= year <= 2099


def _id_shaped(number: str) -> bool:
    """An 18-digit run whose region code and birth date look like a 公民身份号码 (the check character aside)."""
    return number[0] != "0" and _plausible_date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def _id_numbers(text: str, norm: str) -> Iterator[Finding]:
    for match in _ID.finditer(norm):
        number = match.group()
        if len(number) == 18:
            if id_number_problem(number) is not None:  # GB 11643 check character and birth date
                continue
            note = "18位身份证号，校验位正确"
        else:
            if number[0] == "0" or not _plausible_date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12])):
                continue
            note = "15位旧身份证号"
        yield Finding("id_number", "high", match.start(), match.end(), text[match.start() : match.end()], note)


_BANK_CARD: Final = re.compile(
    r"(?<![0-9])(?:[3-6][0-9]{15,18}|[3-6][0-9]{3}(?: [0-9]{4}){3}(?: [0-9]{1,3})?)(?![0-9])"
)


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _bank_cards(text: str, norm: str) -> Iterator[Finding]:
    for match in _BANK_CARD.finditer(norm):
        digits = match.group().replace(" ", "")
        if not 16 <= len(digits) <= 19 or not luhn_ok(digits):
            continue
        if len(digits) == 18 and _id_shaped(digits):  # a mistyped 身份证号 is not a bank card
            continue
        yield Finding(
            "bank_card",
            "high",
            match.start(),
            match.end(),
            text[match.start() : match.end()],
            "银行卡号，Luhn 校验通过",
        )


_CREDIT_CODE: Final = re.compile(
    r"(?<![0-9A-Za-z])[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}(?![0-9A-Za-z])"
)


def _credit_codes(text: str, norm: str) -> Iterator[Finding]:
    for match in _CREDIT_CODE.finditer(norm):
        if credit_code_problem(match.group()) is None:  # GB 32100 check character
            yield Finding(
                "credit_code",
                "low",
                match.start(),
                match.end(),
                text[match.start() : match.end()],
                "统一社会信用代码（仅提示）",
            )


_PHONE: Final = re.compile(
    r"(?<![0-9])(?:"
    r"(?:(?:\+|00)?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}"  # mobile
    r"|(?:\(0[1-9][0-9]{1,2}\)|0[1-9][0-9]{1,2})[ -]?[1-9][0-9]{6,7}"  # fixed line with area code
    r")(?![0-9])"
)


def _phones(text: str, norm: str) -> Iterator[Finding]:
    for match in _PHONE.finditer(norm):
        number = match.group()
        note = "固定电话" if number.startswith(("0", "(")) and not number.startswith("0086") else "手机号码"
        yield Finding("phone", "medium", match.start(), match.end(), text[match.start() : match.end()], note)


_EMAIL: Final = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}(?![A-Za-z0-9])"
)


def _emails(text: str, norm: str) -> Iterator[Finding]:
    for match in _EMAIL.finditer(norm):
        yield Finding("email", "medium", match.start(), match.end(), text[match.start() : match.end()], "电子邮箱")


# --- person names ----------------------------------------------------------------------------------------------------

# The most common single surnames (about 150) and the compound ones still met in practice.
SURNAMES: Final = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
    "谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛"
    "邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆"
    "蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿"
    "桂佟臧闵苟邬边卞姬仇栾隋刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝"
)
COMPOUND_SURNAMES: Final = frozenset(
    (
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "令狐",
        "夏侯",
        "端木",
        "宇文",
        "司徒",
        "申屠",
    )
)
# Characters that end a name rather than belong to it: particles, verbs and nouns that follow a name in running text,
# and 某 (张某、李某某 are already anonymised).
_NOT_GIVEN: Final = frozenset(
    "的地得了着过在是与及或等于为向对把被将从自到也都又就还而所之其此该本某"
    "申称说请要提出已因同现系号证电话身份联手机住址户籍性别男女先生士同志年日"
    "们省市县区乡镇村街院局厅委办部处科室"
)
# Words that may stand right before a name (申请人张三, 联系人为李四, 由王五).
_LEFT_WORDS: Final = ("人", "名", "为", "是", "由", "叫", "致", "者")
# Words that may stand right after a name (张三的身份证号, 李四电话, 王五先生).
_RIGHT_WORDS: Final = (
    "的",
    "身份",
    "公民",
    "电话",
    "手机",
    "联系",
    "银行",
    "账号",
    "账户",
    "卡号",
    "开户",
    "邮箱",
    "电子",
    "先生",
    "女士",
    "同志",
    "男",
    "女",
    "住",
    "现住",
    "于",
    "在",
    "等",
    "和",
    "与",
    "及",
    "提",
    "申请",
    "称",
    "说",
    "反映",
    "表示",
    "来电",
    "来信",
    "向",
    "持",
    "签",
    "已",
    "因",
    "系",
    "现",
    "本人",
    "（",
    "(",
)
_LABEL: Final = re.compile(
    r"(?:姓名|申请人|被申请人|联系人|当事人|代理人|委托代理人|法定代表人|负责人|经办人|收件人|举报人|投诉人|户主)"
    r"(?:[ \t]*:[ \t]*|[ \t]*\r?\n[ \t]*|[ \t]+)"  # 姓名：张三 / a table row 姓名<tab>张三 / cells on two lines
)


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def _left_ok(norm: str, start: int) -> bool:
    return start == 0 or not _is_han(norm[start - 1]) or norm[start - 1] in _LEFT_WORDS


def _right_ok(norm: str, end: int) -> bool:
    return end >= len(norm) or not _is_han(norm[end]) or norm.startswith(_RIGHT_WORDS, end)


def _name_at(norm: str, start: int, limit: int) -> int | None:
    """The end of a name starting at ``start`` (surname + 1–2 given characters, within ``limit``), or None."""
    if norm[start : start + 2] in COMPOUND_SURNAMES:
        given_at = start + 2
    elif norm[start : start + 1] in SURNAMES:
        given_at = start + 1
    else:
        return None
    for length in (2, 1):
        end = given_at + length
        if end > min(limit, len(norm)):
            continue
        given = norm[given_at:end]
        if all(_is_han(char) and char not in _NOT_GIVEN for char in given) and _right_ok(norm, end):
            return end
    return None


def _names_in(norm: str, low: int, high: int) -> Iterator[tuple[int, int]]:
    """Bounded names lying wholly inside ``norm[low:high]``."""
    index = max(low, 0)
    high = min(high, len(norm))
    while index < high:
        if _left_ok(norm, index):
            end = _name_at(norm, index, high)
            if end is not None:
                yield index, end
                index = end
                continue
        index += 1


def _person_names(text: str, norm: str, anchors: Iterable[Finding]) -> Iterator[Finding]:
    spans: set[tuple[int, int]] = set()
    for match in _LABEL.finditer(norm):
        end = _name_at(norm, match.end(), match.end() + 4)
        if end is not None:
            spans.add((match.end(), end))
    for anchor in anchors:
        spans.update(_names_in(norm, anchor.start - NAME_WINDOW, anchor.start))
        spans.update(_names_in(norm, anchor.end, anchor.end + NAME_WINDOW))
    for start, end in sorted(spans):
        yield Finding("person_name", "medium", start, end, text[start:end], "与个人信息相邻的姓名")


# --- putting it together ---------------------------------------------------------------------------------------------

_NAME_ANCHORS: Final = frozenset({"id_number", "phone", "bank_card", "email"})


class _Claimed:
    """Non-overlapping accepted spans, kept sorted for an O(log n) overlap test."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def take(self, start: int, end: int) -> bool:
        at = bisect.bisect_right(self.starts, start)
        if at > 0 and self.ends[at - 1] > start:
            return False
        if at < len(self.starts) and self.starts[at] < end:
            return False
        self.starts.insert(at, start)
        self.ends.insert(at, end)
        return True


def scan_text(text: str) -> list[Finding]:
    """Every finding in ``text``, sorted by position; no two findings overlap (the stronger kind keeps a span)."""
    norm = text.translate(_HALF_WIDTH)
    claimed = _Claimed()
    accepted: list[Finding] = []

    def keep(candidates: Iterable[Finding]) -> None:
        for finding in candidates:
            if finding.end > finding.start and claimed.take(finding.start, finding.end):
                accepted.append(finding)

    keep(_classification(text, norm))
    keep(_id_numbers(text, norm))
    keep(_bank_cards(text, norm))
    keep(_credit_codes(text, norm))
    keep(_phones(text, norm))
    keep(_emails(text, norm))
    keep(_person_names(text, norm, [f for f in accepted if f.kind in _NAME_ANCHORS]))
    accepted.sort(key=lambda f: (f.start, f.end))
    return accepted


def has_high(findings: Iterable[Finding]) -> bool:
    return any(finding.severity == "high" for finding in findings)
