"""One official document (公文) in, DOCX or PDF bytes out, laid out after GB/T 9704-2012 《党政机关公文格式》.

Pure library: no models, no database, no request. Document text comes from users, so the PDF path escapes every
string with ``html.escape`` and both paths drop characters that XML cannot carry.

Fonts. GB/T 9704 names 仿宋_GB2312 (body), 小标宋 (letterhead, title) and 黑体 (first-level headings), which are
proprietary. The DOCX names them and registers a fallback (``w:altName``) in its font table, so Word and WPS on a
machine without them still pick a Chinese face; the PDF uses what fontconfig has — Noto Serif CJK SC by default,
overridable with the Django setting ``GONGKAI_PDF_FONT_FAMILY`` — and refuses to render without it rather than
print boxes.
"""

from __future__ import annotations

import functools
import html
import io
import re
import shutil
import subprocess
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

__all__ = [
    "DEFAULT_PDF_FONT_FAMILY",
    "DocumentRenderError",
    "OfficialDocument",
    "Paragraph",
    "docx_text",
    "pdf_font_family",
    "pdf_fonts",
    "render_docx",
    "render_pdf",
]

Align = Literal["left", "center", "right", "justify"]


class DocumentRenderError(Exception):
    """The document cannot be rendered as asked (no Chinese font, a bad font setting)."""


@dataclass(frozen=True)
class Paragraph:
    """One body paragraph."""

    text: str
    indent: bool = True  # 首行缩进二字 (GB/T 9704 7.3.3)
    bold: bool = False  # 一级标题 "一、…" in 黑体
    align: Align = "justify"


@dataclass(frozen=True)
class OfficialDocument:
    """The parts of a 公文 this renderer lays out, already worded and formatted by the caller."""

    letterhead: str  # 发文机关标志, with or without 文件
    doc_number: str  # 发文字号, e.g. 湛司公复〔2024〕3号; "" omits the line
    title: str  # 标题
    addressee: str  # 主送机关 / 申请人, e.g. "张三：" ("" omits the line)
    body: tuple[Paragraph, ...]
    signature: str  # 发文机关署名
    date_text: str  # 成文日期, already written the Chinese way: 2024年3月5日
    attachments: tuple[str, ...] = ()  # 附件名称
    cc: str = ""  # 抄送机关 (with or without the leading 抄送：)
    footer_note: str = ""  # 附注, e.g. （联系人：李明，电话：0375-1234567）
    draft: bool = False  # 草稿: a visible mark on every page of both outputs
    seal: bool = False  # a （印章） placeholder where the seal goes


# --- GB/T 9704-2012 geometry, in one place -------------------------------------------------------------------------
# 5.2.1 A4; 5.2.2 天头 37 mm ± 1 mm, 订口 28 mm ± 1 mm, 版心 156 mm × 225 mm (so right 26 mm, bottom 35 mm).
PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
MARGIN_TOP_MM = 37
MARGIN_LEFT_MM = 28
MARGIN_RIGHT_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - 156
MARGIN_BOTTOM_MM = PAGE_HEIGHT_MM - MARGIN_TOP_MM - 225
# 5.2.4 / 6: 3号 (16 pt) 仿宋 body, 22 lines × 28 characters. 225 mm / 22 lines = 28.99 pt; 28.9 pt keeps 22 lines
# inside the 版心 after rounding. 156 mm / 28 = 15.79 pt per character: a 16 pt glyph tightened by 0.25 pt.
BODY_PT = 16.0
LINE_PT = 28.9
CHAR_SPACING_PT = -0.25
TITLE_PT = 22.0  # 2号小标宋 (7.3.1)
LETTERHEAD_PT = 26.0  # 7.2.3: 小标宋, red, no larger than 22 mm × 15 mm
PAGE_NUMBER_PT = 14.0  # 7.5: 4号半角宋体阿拉伯数字, 一字线 either side
PAGE_NUMBER_GAP_MM = 7  # 7.5: 数码下边缘距版心下边缘 7 mm
RED = "C00000"
RULE_RED_PT = 1.5  # 7.2.5 版头中的分隔线, red, as wide as the 版心
RULE_RECORD_PT = 1.0  # 7.4.1 版记分隔线 (首末条 0.35 mm)

# DOCX font names (GB/T 9704 names) and the faces Word/WPS substitute when they are missing.
DOCX_BODY_FONT = "仿宋_GB2312"
DOCX_TITLE_FONT = "方正小标宋简体"
DOCX_HEADING_FONT = "黑体"
DOCX_PAGE_NUMBER_FONT = "宋体"
_DOCX_FONT_FALLBACKS: dict[str, tuple[str, str]] = {
    # name: (altName, w:family)
    DOCX_BODY_FONT: ("仿宋", "modern"),
    DOCX_TITLE_FONT: ("华文中宋", "script"),
    DOCX_HEADING_FONT: ("SimHei", "modern"),
    DOCX_PAGE_NUMBER_FONT: ("SimSun", "auto"),
}

# PDF: fontconfig family names.
DEFAULT_PDF_FONT_FAMILY = "Noto Serif CJK SC"
PDF_SANS_FONT_FAMILY = "Noto Sans CJK SC"  # 黑体 headings; falls back to the body family when missing

DRAFT_MARK = "草稿"
DRAFT_HEADER = "草稿（未签发）"
SEAL_PLACEHOLDER = "（印章）"
ATTACHMENT_LABEL = "附件："
CC_LABEL = "抄送："

# XML 1.0 cannot carry C0 controls other than tab/newline/CR, lone surrogates or U+FFFE/U+FFFF.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A font family goes into CSS; refuse anything that could end the string or the rule.
_SAFE_FAMILY = re.compile(r"^[\w\- .\u3000-\u9fff\uff00-\uffef]+$")


# ECMA-376 child order of w:pPr and w:rPr (only the tail that matters here: what may follow an element we add).
_PPR_ORDER = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl", "w:numPr",
    "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
    "w:sectPr", "w:pPrChange",
)  # fmt: skip
_RPR_ORDER = (
    "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike", "w:dstrike",
    "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid", "w:vanish", "w:webHidden",
    "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
    "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
    "w:specVanish", "w:oMath",
)  # fmt: skip


def _clean(text: str) -> str:
    return _XML_INVALID.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _width_chars(text: str) -> float:
    """Width in full-width characters: CJK counts 1, Latin letters and digits ½."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def _signature_indent_chars(doc: OfficialDocument) -> tuple[float, float]:
    """Right indents (in characters) of the 署名 and the 成文日期.

    7.3.5.2: the date stands 右空四字 and the 署名 is centred over it; a 署名 longer than the date keeps at least
    two characters from the margin.
    """
    date_indent = 4.0
    signature = _clean(doc.signature)
    date_text = _clean(doc.date_text)
    if not date_text:
        return 2.0, date_indent
    signature_indent = date_indent + (_width_chars(date_text) - _width_chars(signature)) / 2
    return max(2.0, signature_indent), date_indent


def _cc_text(cc: str) -> str:
    # 7.4.2: 抄送机关 … 最后一个抄送机关名称后标句号.
    names = _clean(cc).strip()
    if names.startswith(CC_LABEL):
        names = names[len(CC_LABEL) :]
    elif names.startswith("抄送:"):
        names = names[3:]
    if names and not names.endswith("。"):
        names += "。"
    return CC_LABEL + names


def _attachment_lines(attachments: tuple[str, ...]) -> list[str]:
    # 8.1.6 (via 7.3.4): 附件：名称 — numbered "1. " when there is more than one, later lines under the first name.
    names = [_clean(a).strip() for a in attachments if _clean(a).strip()]
    if len(names) == 1:
        return [ATTACHMENT_LABEL + names[0]]
    return [f"{ATTACHMENT_LABEL if i == 1 else ''}{i}. {name}" for i, name in enumerate(names, start=1)]


# --- DOCX ---------------------------------------------------------------------------------------------------------


def render_docx(doc: OfficialDocument, *, timestamp: datetime | None = None) -> bytes:
    """The document as an editable DOCX (Word 2010+, WPS).

    With ``timestamp`` the output is byte-for-byte reproducible: it becomes the created/modified date and the date of
    every zip entry.
    """
    from docx import Document
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width = Mm(PAGE_WIDTH_MM)
    section.page_height = Mm(PAGE_HEIGHT_MM)
    section.top_margin = Mm(MARGIN_TOP_MM)
    section.bottom_margin = Mm(MARGIN_BOTTOM_MM)
    section.left_margin = Mm(MARGIN_LEFT_MM)
    section.right_margin = Mm(MARGIN_RIGHT_MM)
    section.header_distance = Mm(15)
    # The footer's bottom edge: 7 mm under the 版心 plus one 4号 line.
    section.footer_distance = Mm(MARGIN_BOTTOM_MM - PAGE_NUMBER_GAP_MM) - Pt(PAGE_NUMBER_PT * 1.2)

    _docx_setup(document)
    blank_line = Pt(LINE_PT)
    add = functools.partial(_docx_paragraph, document)
    add(
        _clean(doc.letterhead),
        font=DOCX_TITLE_FONT,
        size=LETTERHEAD_PT,
        align="center",
        color=RED,
        line=LETTERHEAD_PT * 1.5,
        rule_below=not doc.doc_number.strip(),
    )
    if doc.doc_number.strip():
        # 7.2.4: 发文字号 under the 标志, 空二行; the red rule 4 mm below it.
        add(
            _clean(doc.doc_number),
            align="center",
            space_before=blank_line * 2,
            rule_below=True,
        )
    add(
        _clean(doc.title),
        font=DOCX_TITLE_FONT,
        size=TITLE_PT,
        align="center",
        space_before=blank_line * 2,  # 7.3.1: 红色分隔线下空二行
        line=TITLE_PT * 1.6,
    )
    first_after_title = Pt(LINE_PT)  # 7.3.2: 标题下空一行
    if doc.addressee.strip():
        add(_clean(doc.addressee), align="left", space_before=first_after_title)
        first_after_title = Pt(0)
    for i, para in enumerate(doc.body):
        add(
            _clean(para.text),
            font=DOCX_HEADING_FONT if para.bold else DOCX_BODY_FONT,
            align=para.align,
            first_line_chars=2 if para.indent else 0,
            space_before=first_after_title if i == 0 else Pt(0),
        )
    for i, line in enumerate(_attachment_lines(doc.attachments)):
        # 7.3.4: 正文下空一行左空二字; later names line up under the first (二字 + "附件：").
        add(
            line,
            align="left",
            left_chars=2 if i == 0 else 5,
            space_before=blank_line if i == 0 else Pt(0),
        )
    signature_indent, date_indent = _signature_indent_chars(doc)
    if doc.seal:
        add(SEAL_PLACEHOLDER, align="right", right_chars=date_indent + 1, space_before=blank_line, color="808080")
    if doc.signature.strip():
        add(
            _clean(doc.signature),
            align="right",
            right_chars=signature_indent,
            space_before=Pt(0) if doc.seal else blank_line * 2,
        )
    if doc.date_text.strip():
        add(_clean(doc.date_text), align="right", right_chars=date_indent)
    if doc.footer_note.strip():
        add(_clean(doc.footer_note), align="left", first_line_chars=2)  # 7.3.6 附注: 居左空二字
    if doc.cc.strip():
        # 7.4.2 版记: 抄送 in 4号, 左右各空一字, between two rules.
        add(
            _cc_text(doc.cc),
            size=PAGE_NUMBER_PT,
            align="left",
            left_chars=1,
            right_chars=1,
            space_before=blank_line,
            rule_above=True,
            rule_below=True,
            rule_color="000000",
        )

    _docx_footer_and_header(document, doc)

    props = document.core_properties
    props.title = _clean(doc.title)
    props.author = _clean(doc.signature)
    props.last_modified_by = _clean(doc.signature)
    props.subject = _clean(doc.doc_number)
    props.language = "zh-CN"
    props.keywords = ""
    props.comments = ""
    props.revision = 1
    when = (timestamp or datetime.now(UTC)).replace(microsecond=0)
    props.created = when
    props.modified = when

    out = io.BytesIO()
    document.save(out)
    data = out.getvalue()
    return _rezip(data, timestamp) if timestamp is not None else data


def _w(tag: str) -> str:
    from docx.oxml.ns import qn

    return str(qn(tag))


def _element(tag: str, parent: Any = None, **attrs: str) -> Any:
    """A new ``w:`` element (attribute names without the prefix), appended to ``parent`` when given."""
    from docx.oxml import OxmlElement

    element = OxmlElement(tag, attrs={_w(f"w:{name}"): value for name, value in attrs.items()})
    if parent is not None:
        parent.append(element)
    return element


def _docx_setup(document: Any) -> None:
    """Styles, language and the font table."""
    from docx.shared import Pt
    from lxml import etree  # type: ignore[import-untyped]  # python-docx's own dependency

    # The template's defaults name theme fonts (Calibri, MS Mincho), which outrank explicit names; replace them.
    defaults = document.styles.element.find(f"{_w('w:docDefaults')}/{_w('w:rPrDefault')}/{_w('w:rPr')}")
    if defaults is not None:
        _set_fonts(defaults, DOCX_BODY_FONT)
        _child(defaults, "w:lang").set(_w("w:eastAsia"), "zh-CN")
    normal = document.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _set_fonts(normal.element.get_or_add_rPr(), DOCX_BODY_FONT)
    lang = _child(normal.element.get_or_add_rPr(), "w:lang")
    lang.set(_w("w:val"), "en-US")
    lang.set(_w("w:eastAsia"), "zh-CN")
    fmt = normal.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(LINE_PT)
    fmt.widow_control = False

    settings = document.settings.element
    theme_lang = settings.find(_w("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(_w("w:eastAsia"), "zh-CN")
    document.settings.odd_and_even_pages_header_footer = True  # 7.5: 单页码居右, 双页码居左

    for part in document.part.package.iter_parts():
        if str(part.partname) == "/word/fontTable.xml":
            fonts = etree.fromstring(part.blob)
            for name, (alt, family) in _DOCX_FONT_FALLBACKS.items():
                font = _element("w:font", fonts, name=name)
                _element("w:altName", font, val=alt)
                _element("w:charset", font, val="86")  # GB2312
                _element("w:family", font, val=family)
                _element("w:pitch", font, val="variable")
            part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


def _child(parent: Any, tag: str) -> Any:
    """``parent``'s ``tag`` child, created in schema order (Word rejects out-of-order ``rPr``/``pPr`` children)."""
    existing = parent.find(_w(tag))
    if existing is not None:
        return existing
    sequence = _PPR_ORDER if parent.tag == _w("w:pPr") else _RPR_ORDER
    successors = sequence[sequence.index(tag) + 1 :]
    return parent.insert_element_before(_element(tag), *successors)


def _set_fonts(rpr: Any, name: str) -> None:
    """Name the font for every script: Word reads the East Asian face only from ``w:eastAsia``."""
    fonts = _child(rpr, "w:rFonts")
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(_w(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(_w(attr), name)
    fonts.set(_w("w:hint"), "eastAsia")


def _docx_paragraph(
    document: Any,
    text: str,
    *,
    font: str = DOCX_BODY_FONT,
    size: float = BODY_PT,
    align: Align = "justify",
    color: str | None = None,
    line: float = LINE_PT,
    first_line_chars: int = 0,
    left_chars: float = 0,
    right_chars: float = 0,
    space_before: Any = None,
    rule_above: bool = False,
    rule_below: bool = False,
    rule_color: str = RED,
) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.alignment = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    fmt.line_spacing = Pt(line)
    if space_before is not None:
        fmt.space_before = space_before
    char = Pt(size)
    if first_line_chars:
        fmt.first_line_indent = char * first_line_chars
    if left_chars:
        fmt.left_indent = int(char * left_chars)
    if right_chars:
        fmt.right_indent = int(char * right_chars)
    ind = paragraph._p.get_or_add_pPr().find(_w("w:ind"))
    if ind is not None:
        # Character units, so Word/WPS keep "二字" when the font size changes; twips stay as the fallback.
        for attr, chars in (("w:firstLineChars", first_line_chars), ("w:leftChars", left_chars)):
            if chars:
                ind.set(_w(attr), str(round(chars * 100)))
        if right_chars:
            ind.set(_w("w:rightChars"), str(round(right_chars * 100)))
    if rule_above or rule_below:
        _paragraph_rules(paragraph, above=rule_above, below=rule_below, color=rule_color)

    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    rpr = run._r.get_or_add_rPr()
    _set_fonts(rpr, font)
    if size == BODY_PT:
        _child(rpr, "w:spacing").set(_w("w:val"), str(round(CHAR_SPACING_PT * 20)))  # twentieths of a point
    return paragraph


def _paragraph_rules(paragraph: Any, *, above: bool, below: bool, color: str) -> None:

    borders = _child(paragraph._p.get_or_add_pPr(), "w:pBdr")
    size = RULE_RED_PT if color == RED else RULE_RECORD_PT
    for edge, wanted in (("w:top", above), ("w:bottom", below)):
        if wanted:
            _element(
                edge,
                borders,
                val="single",
                sz=str(round(size * 8)),  # eighths of a point
                space="4" if edge == "w:bottom" else "1",  # points between text and rule
                color=color,
            )


def _docx_footer_and_header(document: Any, doc: OfficialDocument) -> None:
    section = document.sections[0]
    section.footer.is_linked_to_previous = False
    _page_number(section.footer.paragraphs[0], "right")
    section.even_page_footer.is_linked_to_previous = False
    _page_number(section.even_page_footer.paragraphs[0], "left")
    if doc.draft:
        for header in (section.header, section.even_page_header):
            header.is_linked_to_previous = False
            _header_mark(header.paragraphs[0])


def _page_number(paragraph: Any, align: Literal["left", "right"]) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    fmt = paragraph.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT if align == "right" else WD_ALIGN_PARAGRAPH.LEFT
    fmt.line_spacing = Pt(PAGE_NUMBER_PT * 1.2)
    # 7.5: 单页码居右空一字, 双页码居左空一字.
    if align == "right":
        fmt.right_indent = Pt(PAGE_NUMBER_PT)
    else:
        fmt.left_indent = Pt(PAGE_NUMBER_PT)

    def run(text: str = "") -> Any:
        r = paragraph.add_run(text)
        r.font.size = Pt(PAGE_NUMBER_PT)
        _set_fonts(r._r.get_or_add_rPr(), DOCX_PAGE_NUMBER_FONT)
        return r

    run("— ")
    _element("w:fldChar", run()._r, fldCharType="begin")
    _element("w:instrText", run()._r).text = "PAGE"
    _element("w:fldChar", run()._r, fldCharType="separate")
    run("1")  # the cached result; Word, WPS and LibreOffice recompute it per page
    _element("w:fldChar", run()._r, fldCharType="end")
    run(" —")


def _header_mark(paragraph: Any) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    r = paragraph.add_run(DRAFT_HEADER)
    r.font.size = Pt(PAGE_NUMBER_PT)
    r.font.bold = True
    r.font.color.rgb = RGBColor.from_string(RED)
    _set_fonts(r._r.get_or_add_rPr(), DOCX_HEADING_FONT)


def _rezip(data: bytes, timestamp: datetime) -> bytes:
    """Rewrite the zip with a fixed entry date so the same input gives the same bytes."""
    stamp = timestamp.timetuple()[:6]
    date_time = (max(1980, stamp[0]), *stamp[1:])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def docx_text(data: bytes) -> str:
    """All paragraph text of a DOCX, one paragraph a line: the body (tables included) then the page headers."""
    from docx import Document

    document = Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines.extend(p.text for p in cell.paragraphs)
    seen: set[int] = set()
    for section in document.sections:
        for header in (section.first_page_header, section.header, section.even_page_header):
            if header.is_linked_to_previous:
                continue
            element_id = id(header._element)
            if element_id in seen:
                continue
            seen.add(element_id)
            lines.extend(p.text for p in header.paragraphs)
    return "\n".join(lines)


# --- PDF ----------------------------------------------------------------------------------------------------------


def pdf_font_family() -> str:
    """The fontconfig family for PDF body text: ``settings.GONGKAI_PDF_FONT_FAMILY`` or the default.

    Read on every call, so the module imports (and renders) outside a configured Django too.
    """
    try:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured
    except ImportError:  # pragma: no cover - Django is a dependency; the library does not need it
        return DEFAULT_PDF_FONT_FAMILY
    try:
        family = getattr(settings, "GONGKAI_PDF_FONT_FAMILY", DEFAULT_PDF_FONT_FAMILY)
    except ImproperlyConfigured:
        return DEFAULT_PDF_FONT_FAMILY
    if not isinstance(family, str) or not family.strip() or not _SAFE_FAMILY.match(family):
        raise DocumentRenderError(f"GONGKAI_PDF_FONT_FAMILY 设置无效：{family!r}（应为 fontconfig 中的字体族名称）")
    return family.strip()


@functools.lru_cache(maxsize=1)
def _fontconfig_cjk_families() -> frozenset[str]:
    """Every family name fontconfig knows for fonts that cover Chinese (``fc-list :lang=zh family``)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return frozenset()
    try:
        # Fixed argv, no shell, no user input.
        result = subprocess.run(  # noqa: S603
            [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=15, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    if result.returncode != 0:
        return frozenset()
    # One font a line; a family with localised names prints them comma-separated ("AR PL UKai CN,AR PL UKai").
    return frozenset(name.strip() for line in result.stdout.splitlines() for name in line.split(",") if name.strip())


def _require_cjk_font(family: str) -> None:
    families = _fontconfig_cjk_families()
    if not families:
        raise DocumentRenderError(
            f"未找到中文字体：fontconfig 中没有任何支持中文的字体（需要“{family}”），无法生成 PDF。"
            "请安装 fonts-noto-cjk（Debian/Ubuntu：apt-get install fonts-noto-cjk）。"
        )
    if family not in families:
        raise DocumentRenderError(
            f"未找到中文字体“{family}”，无法生成 PDF。请安装 fonts-noto-cjk，"
            f"或把 GONGKAI_PDF_FONT_FAMILY 设为已安装的中文字体之一：{'、'.join(sorted(families)[:8])}。"
        )


def render_pdf(doc: OfficialDocument) -> bytes:
    """The document as a PDF: A4, with the Chinese glyphs it uses embedded (subset)."""
    family = pdf_font_family()
    _require_cjk_font(family)
    from weasyprint import HTML

    pdf = HTML(string=_pdf_html(doc, family)).write_pdf()
    if not isinstance(pdf, bytes):  # pragma: no cover - write_pdf() without a target returns bytes
        raise DocumentRenderError("PDF 生成失败")
    return pdf


def _e(text: str) -> str:
    """Escape user text for HTML; keep the caller's line breaks."""
    return html.escape(_clean(text), quote=True).replace("\n", "<br>")


def _css(family: str, draft: bool) -> str:
    serif = f'"{family}", serif'
    sans = f'"{PDF_SANS_FONT_FAMILY}", "{family}", sans-serif'
    draft_css = (
        f"""
  @top-right {{ content: "{DRAFT_HEADER}"; font-family: {sans}; font-weight: bold; color: #{RED};
               font-size: {PAGE_NUMBER_PT}pt; vertical-align: bottom; padding-bottom: 6mm; }}"""
        if draft
        else ""
    )
    page_number = f'content: "— " counter(page) " —"; font-family: {serif}; font-size: {PAGE_NUMBER_PT}pt;'
    return f"""
@page {{
  size: A4;
  margin: {MARGIN_TOP_MM}mm {MARGIN_RIGHT_MM}mm {MARGIN_BOTTOM_MM}mm {MARGIN_LEFT_MM}mm;{draft_css}
}}
@page :right {{ @bottom-right {{ {page_number} vertical-align: top; padding-top: {PAGE_NUMBER_GAP_MM}mm;
                                 padding-right: 1em; }} }}
@page :left {{ @bottom-left {{ {page_number} vertical-align: top; padding-top: {PAGE_NUMBER_GAP_MM}mm;
                               padding-left: 1em; }} }}
html {{ font-family: {serif}; font-size: {BODY_PT}pt; line-height: {LINE_PT}pt; color: #000; }}
body {{ margin: 0; }}
p {{ margin: 0; line-break: strict; overflow-wrap: break-word; letter-spacing: {CHAR_SPACING_PT}pt; orphans: 1;
     widows: 1; }}
.indent {{ text-indent: 2em; }}
.left {{ text-align: left; }} .center {{ text-align: center; }} .right {{ text-align: right; }}
.justify {{ text-align: justify; }}
.heading {{ font-family: {sans}; font-weight: bold; }}
.letterhead {{ font-weight: bold; font-size: {LETTERHEAD_PT}pt; line-height: {LETTERHEAD_PT * 1.5}pt;
               color: #{RED}; text-align: center; letter-spacing: 0.1em; }}
.doc-number {{ text-align: center; margin-top: {LINE_PT * 2}pt; }}
.rule {{ border-bottom: {RULE_RED_PT}pt solid #{RED}; padding-bottom: 4mm; }}
.letterhead.rule {{ padding-bottom: 2mm; }}
.title {{ font-weight: bold; font-size: {TITLE_PT}pt; line-height: {TITLE_PT * 1.6}pt; text-align: center;
          margin-top: {LINE_PT * 2}pt; letter-spacing: 0; }}
.after-title {{ margin-top: {LINE_PT}pt; }}
.blank-before {{ margin-top: {LINE_PT}pt; }}
.blank2-before {{ margin-top: {LINE_PT * 2}pt; }}
.attachment-more {{ padding-left: 5em; }}
.attachment-first {{ padding-left: 2em; }}
.seal {{ color: #808080; }}
.closing {{ page-break-inside: avoid; break-inside: avoid; }}
.record {{ font-size: {PAGE_NUMBER_PT}pt; line-height: {LINE_PT}pt; margin-top: {LINE_PT}pt;
           border-top: {RULE_RECORD_PT}pt solid #000; border-bottom: {RULE_RECORD_PT}pt solid #000;
           padding: 0 1em; letter-spacing: 0; }}
.watermark {{ position: fixed; top: 95mm; left: 0; width: 156mm; text-align: center; font-family: {sans};
              font-size: 96pt; line-height: 1; font-weight: bold; color: rgba(192, 0, 0, 0.10);
              transform: rotate(-30deg); letter-spacing: 0.3em; z-index: -1; }}
"""


def _pdf_html(doc: OfficialDocument, family: str) -> str:
    parts: list[str] = []

    def p(text: str, *classes: str, style: str = "") -> None:
        cls = " ".join(c for c in classes if c)
        style_attr = f' style="{style}"' if style else ""
        parts.append(f'<p class="{cls}"{style_attr}>{_e(text)}</p>')

    has_number = bool(doc.doc_number.strip())
    if doc.draft:
        parts.append(f'<div class="watermark" aria-hidden="true">{DRAFT_MARK}</div>')
    p(doc.letterhead, "letterhead", "" if has_number else "rule")
    if has_number:
        p(doc.doc_number, "doc-number", "rule")
    p(doc.title, "title")
    after_title = "after-title"
    if doc.addressee.strip():
        p(doc.addressee, "left", after_title)
        after_title = ""
    for i, para in enumerate(doc.body):
        p(
            para.text,
            para.align,
            "indent" if para.indent else "",
            "heading" if para.bold else "",
            after_title if i == 0 else "",
        )
    for i, line in enumerate(_attachment_lines(doc.attachments)):
        p(line, "left", "attachment-first blank-before" if i == 0 else "attachment-more")

    signature_indent, date_indent = _signature_indent_chars(doc)
    parts.append('<div class="closing">')
    if doc.seal:
        p(SEAL_PLACEHOLDER, "right", "seal", "blank-before", style=f"padding-right: {date_indent + 1}em")
    if doc.signature.strip():
        p(
            doc.signature,
            "right",
            "" if doc.seal else "blank2-before",
            style=f"padding-right: {signature_indent}em",
        )
    if doc.date_text.strip():
        p(doc.date_text, "right", style=f"padding-right: {date_indent}em")
    parts.append("</div>")
    if doc.footer_note.strip():
        p(doc.footer_note, "left", "indent")
    if doc.cc.strip():
        p(_cc_text(doc.cc), "left", "record")

    title = html.escape(_clean(doc.title), quote=True)
    author = html.escape(_clean(doc.signature), quote=True)
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<title>{title}</title><meta name="author" content="{author}">'
        f"<style>{_css(family, doc.draft)}</style></head><body>{''.join(parts)}</body></html>"
    )


def pdf_fonts(data: bytes) -> list[tuple[str, bool]]:
    """``(BaseFont, embedded)`` for every font the PDF's pages (and their form XObjects) use."""
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject

    reader = PdfReader(io.BytesIO(data))
    found: dict[int | str, tuple[str, bool]] = {}

    def embedded(font: DictionaryObject) -> bool:
        if font.get("/Subtype") == "/Type3":
            return True  # glyphs are PDF drawing operators inside the font
        descriptor_owner = font
        if font.get("/Subtype") == "/Type0":
            descendants = font.get("/DescendantFonts")
            if not descendants:
                return False
            descriptor_owner = descendants.get_object()[0].get_object()
        descriptor = descriptor_owner.get("/FontDescriptor")
        if descriptor is None:
            return False
        descriptor = descriptor.get_object()
        return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))

    def walk(resources: Any, depth: int = 0) -> None:
        if resources is None or depth > 10:
            return
        resources = resources.get_object()
        fonts = resources.get("/Font")
        if fonts is not None:
            for ref in fonts.get_object().values():
                font = ref.get_object()
                key: int | str = ref.idnum if hasattr(ref, "idnum") else str(font.get("/BaseFont"))
                found.setdefault(key, (str(font.get("/BaseFont", "")).lstrip("/"), embedded(font)))
        xobjects = resources.get("/XObject")
        if xobjects is not None:
            for ref in xobjects.get_object().values():
                xobject = ref.get_object()
                if xobject.get("/Subtype") == "/Form":
                    walk(xobject.get("/Resources"), depth + 1)

    for page in reader.pages:
        walk(page.get("/Resources"))
    return list(found.values())
