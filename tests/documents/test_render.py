"""The 公文 renderer: what staff open in Word/WPS and what the PDF carries (GB/T 9704-2012 geometry, embedded CJK)."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import UTC, datetime

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Length
from pypdf import PdfReader
from pytest_django.fixtures import Settings

from gongkai.documents import render
from gongkai.documents.render import (
    DocumentRenderError,
    OfficialDocument,
    Paragraph,
    docx_text,
    pdf_fonts,
    render_docx,
    render_pdf,
)

HOSTILE = '申请人写道：<script>alert("x")</script> & "引号" </p><p>'
LONG_SENTENCE = "经审查，你申请获取的信息属于本机关在履行行政管理职能过程中制作的政府信息，依法予以公开。"


def make_document(**overrides: object) -> OfficialDocument:
    fields: dict[str, object] = {
        "letterhead": "湛河区司法局",
        "doc_number": "湛司公复〔2024〕3号",
        "title": "湛河区司法局关于张三政府信息公开申请的答复书",
        "addressee": "张三：",
        "body": (
            Paragraph(text="你于2024年2月20日提出的政府信息公开申请收悉，现答复如下："),
            Paragraph(text="一、关于申请内容", bold=True),
            Paragraph(text=HOSTILE),
            Paragraph(text="特此告知。"),
        ),
        "signature": "湛河区司法局",
        "date_text": "2024年3月5日",
        "attachments": ("政府信息公开申请表", "送达回证"),
        "cc": "湛河区人民政府办公室",
        "footer_note": "（联系人：李明，电话：0375-1234567）",
    }
    fields.update(overrides)
    return OfficialDocument(**fields)  # type: ignore[arg-type]


def mm(length: Length | None) -> float:
    assert length is not None
    return float(length.mm)


# --- DOCX ---------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    return render_docx(make_document())


def test_docx_opens_and_carries_every_part(docx_bytes: bytes) -> None:
    text = docx_text(docx_bytes)
    for expected in (
        "湛河区司法局",
        "湛司公复〔2024〕3号",
        "湛河区司法局关于张三政府信息公开申请的答复书",
        "张三：",
        "你于2024年2月20日提出的政府信息公开申请收悉，现答复如下：",
        "一、关于申请内容",
        "特此告知。",
        "附件：1. 政府信息公开申请表",
        "2. 送达回证",
        "2024年3月5日",
        "（联系人：李明，电话：0375-1234567）",
        "抄送：湛河区人民政府办公室。",
    ):
        assert expected in text
    assert "草稿" not in text


def test_docx_keeps_markup_in_user_text_literally(docx_bytes: bytes) -> None:
    paragraphs = [p.text for p in Document(io.BytesIO(docx_bytes)).paragraphs]
    assert HOSTILE in paragraphs


def test_docx_page_is_a4_with_gb9704_margins(docx_bytes: bytes) -> None:
    (section,) = Document(io.BytesIO(docx_bytes)).sections
    assert mm(section.page_width) == pytest.approx(210, abs=0.5)
    assert mm(section.page_height) == pytest.approx(297, abs=0.5)
    assert mm(section.top_margin) == pytest.approx(37, abs=1)
    assert mm(section.left_margin) == pytest.approx(28, abs=1)
    # 版心 156 mm × 225 mm.
    assert 210 - mm(section.left_margin) - mm(section.right_margin) == pytest.approx(156, abs=1)
    assert 297 - mm(section.top_margin) - mm(section.bottom_margin) == pytest.approx(225, abs=1)


def test_docx_body_runs_name_an_east_asian_font(docx_bytes: bytes) -> None:
    document = Document(io.BytesIO(docx_bytes))
    body = next(p for p in document.paragraphs if p.text.startswith("你于2024年"))
    heading = next(p for p in document.paragraphs if p.text == "一、关于申请内容")
    for paragraph, font in ((body, "仿宋_GB2312"), (heading, "黑体")):
        for run in paragraph.runs:
            fonts = run._r.rPr.find(qn("w:rFonts"))
            assert fonts.get(qn("w:eastAsia")) == font
    assert body.runs[0].font.size.pt == 16
    assert body.paragraph_format.first_line_indent.pt == 32  # 二字
    assert body.paragraph_format.line_spacing.pt == pytest.approx(28.9, abs=0.1)
    # The template's theme fonts would outrank the explicit names; they are gone from the document defaults.
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = defaults.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert fonts.get(qn("w:eastAsiaTheme")) is None


def test_docx_letterhead_is_red_and_the_rule_is_a_red_paragraph_border(docx_bytes: bytes) -> None:
    document = Document(io.BytesIO(docx_bytes))
    letterhead, number = document.paragraphs[0], document.paragraphs[1]
    assert letterhead.text == "湛河区司法局"
    assert str(letterhead.runs[0].font.color.rgb) == "C00000"
    assert letterhead.runs[0].font.size.pt >= 22
    assert letterhead.alignment == 1  # centre
    bottom = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert bottom.get(qn("w:color")) == "C00000"
    assert bottom.get(qn("w:val")) == "single"


def test_docx_signature_and_date_are_right_aligned(docx_bytes: bytes) -> None:
    document = Document(io.BytesIO(docx_bytes))
    date = next(p for p in document.paragraphs if p.text == "2024年3月5日")
    signature = [p for p in document.paragraphs if p.text == "湛河区司法局"][-1]
    assert date.alignment == signature.alignment == 2  # right


def test_docx_footer_has_a_page_field_between_em_dashes(docx_bytes: bytes) -> None:
    section = Document(io.BytesIO(docx_bytes)).sections[0]
    for footer in (section.footer, section.even_page_footer):
        xml = footer._element.xml
        assert "PAGE" in xml
        assert 'w:fldCharType="begin"' in xml
        assert footer.paragraphs[0].text.startswith("— ")
        assert footer.paragraphs[0].text.endswith(" —")


def test_docx_core_properties_and_reproducible_bytes() -> None:
    when = datetime(2024, 3, 5, 9, 30, tzinfo=UTC)
    first = render_docx(make_document(), timestamp=when)
    assert first == render_docx(make_document(), timestamp=when)
    props = Document(io.BytesIO(first)).core_properties
    assert props.title == "湛河区司法局关于张三政府信息公开申请的答复书"
    assert props.author == "湛河区司法局"
    assert props.created == when
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert archive.testzip() is None


def test_docx_drops_characters_xml_cannot_carry() -> None:
    data = render_docx(make_document(body=(Paragraph(text="控制\x00字符\x0b在此"),)))
    assert "控制字符在此" in docx_text(data)


def test_docx_omits_empty_optional_parts() -> None:
    data = render_docx(make_document(doc_number="", addressee="", attachments=(), cc="", footer_note=""))
    text = docx_text(data)
    assert "附件" not in text
    assert "抄送" not in text
    # With no 文号 the red rule moves under the letterhead.
    letterhead = Document(io.BytesIO(data)).paragraphs[0]
    assert letterhead._p.pPr.find(qn("w:pBdr")) is not None


def test_docx_draft_carries_a_header_mark() -> None:
    data = render_docx(make_document(draft=True))
    assert "草稿（未签发）" in docx_text(data)
    assert "草稿（未签发）" in Document(io.BytesIO(data)).sections[0].header.paragraphs[0].text


# --- PDF ----------------------------------------------------------------------------------------------------------


def require_cjk_font() -> None:
    """Rendering needs fonts-noto-cjk: skipped without it locally, failed under CI=true (as the browser tests)."""
    if render.DEFAULT_PDF_FONT_FAMILY in render._fontconfig_cjk_families():
        return
    message = f"{render.DEFAULT_PDF_FONT_FAMILY} 未安装（apt-get install fonts-noto-cjk）"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true，但 PDF 测试所需的 {message}")
    pytest.skip(message)


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    require_cjk_font()
    return render_pdf(make_document())


@pytest.fixture(scope="module")
def long_pdf_bytes() -> bytes:
    require_cjk_font()
    # About three pages of 3号 text at 22 lines × 28 characters.
    body = tuple(Paragraph(text=LONG_SENTENCE * 5) for _ in range(12))
    return render_pdf(make_document(body=body, draft=True))


def test_pdf_is_a4_and_embeds_its_cjk_fonts(pdf_bytes: bytes) -> None:
    assert pdf_bytes.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf_bytes))
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(595, abs=1)
    assert float(box.height) == pytest.approx(842, abs=1)
    fonts = pdf_fonts(pdf_bytes)
    assert any("CJK" in name for name, _ in fonts), fonts
    assert all(embedded for _, embedded in fonts), fonts


def test_pdf_text_is_extractable(pdf_bytes: bytes) -> None:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf_bytes)).pages)
    compact = "".join(text.split())
    assert "湛司公复〔2024〕3号" in compact
    assert "政府信息公开申请收悉" in compact
    assert "2024年3月5日" in compact
    assert "— 1 —".replace(" ", "") in compact
    assert "<script>" in compact  # escaped in the HTML, so printed as text rather than parsed
    assert "草稿" not in compact


def test_pdf_metadata_names_title_and_author(pdf_bytes: bytes) -> None:
    metadata = PdfReader(io.BytesIO(pdf_bytes)).metadata
    assert metadata is not None
    assert metadata.title == "湛河区司法局关于张三政府信息公开申请的答复书"
    assert metadata.author == "湛河区司法局"


def test_pdf_long_body_runs_over_pages_with_draft_mark(long_pdf_bytes: bytes) -> None:
    reader = PdfReader(io.BytesIO(long_pdf_bytes))
    assert len(reader.pages) >= 2
    for number, page in enumerate(reader.pages, start=1):
        text = "".join(page.extract_text().split())
        assert "草稿" in text
        assert f"—{number}—" in text


def test_pdf_font_check_refuses_to_print_boxes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "_fontconfig_cjk_families", frozenset)
    with pytest.raises(DocumentRenderError, match=r"未找到中文字体.*请安装 fonts-noto-cjk"):
        render_pdf(make_document())


def test_pdf_font_check_names_a_missing_configured_family(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    settings.GONGKAI_PDF_FONT_FAMILY = "仿宋_GB2312"
    monkeypatch.setattr(render, "_fontconfig_cjk_families", lambda: frozenset({"Noto Serif CJK SC"}))
    with pytest.raises(DocumentRenderError, match="未找到中文字体“仿宋_GB2312”"):
        render_pdf(make_document())


def test_pdf_font_setting_cannot_inject_css(settings: Settings) -> None:
    settings.GONGKAI_PDF_FONT_FAMILY = 'x"; } body { display: none'
    with pytest.raises(DocumentRenderError, match="GONGKAI_PDF_FONT_FAMILY"):
        render.pdf_font_family()


def test_pdf_font_family_defaults_without_the_setting() -> None:
    assert render.pdf_font_family() == render.DEFAULT_PDF_FONT_FAMILY


def test_fontconfig_lookup_lists_chinese_families() -> None:
    require_cjk_font()
    families = render._fontconfig_cjk_families()
    assert render.DEFAULT_PDF_FONT_FAMILY in families
    assert all(name == name.strip() and "," not in name for name in families)
