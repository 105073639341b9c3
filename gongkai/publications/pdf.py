"""A catalogue item as a PDF: the metadata table Chinese government sites show (索引号, 发布机构, 文号, 成文日期,
发布日期, 有效性 …) and the body text, through WeasyPrint with the project's Chinese font (gongkai.documents.render).

Made from the stored plain text ``body`` — after a redaction that text holds ■ where the data was, so the data is
not in the PDF at all (not covered by a black box over the original glyphs).
"""

from __future__ import annotations

import html

from gongkai.documents.render import DocumentRenderError, _require_cjk_font, pdf_font_family
from gongkai.publications.codebook import Status
from gongkai.publications.models import Publication

__all__ = ["publication_html", "publication_pdf"]


def _e(text: str) -> str:
    return html.escape(text or "", quote=True)


def _date(value: object) -> str:
    return "" if value is None else f"{value:%Y年%m月%d日}"


def metadata_rows(publication: Publication) -> list[tuple[str, str]]:
    """(label, value) of the metadata table, in the order government sites print it."""
    rows = [
        ("索引号", publication.index_number),
        ("发布机构", publication.issuing_body),
        ("公开类别", publication.get_category_display()),
        ("主题分类", publication.topic),
        ("文号", publication.doc_number),
        ("成文日期", _date(publication.written_on)),
        ("发布日期", _date(publication.published_on)),
    ]
    if publication.validity:
        rows.append(("有效性", publication.get_validity_display()))
    return [(label, value) for label, value in rows if value]


def _css(family: str) -> str:
    return f"""
@page {{ size: A4; margin: 25mm 22mm 25mm 22mm;
         @bottom-center {{ content: "— " counter(page) " —"; font-family: "{family}", serif; font-size: 10pt; }} }}
html {{ font-family: "{family}", serif; font-size: 12pt; line-height: 1.8; color: #000; }}
h1 {{ font-size: 18pt; text-align: center; line-height: 1.5; margin: 0 0 6mm; }}
table.meta {{ width: 100%; border-collapse: collapse; margin-bottom: 8mm; font-size: 10.5pt; }}
table.meta th, table.meta td {{ border: 0.5pt solid #666; padding: 1.5mm 2mm; text-align: left; vertical-align: top; }}
table.meta th {{ width: 22%; background: #f0f0f0; font-weight: bold; }}
p {{ margin: 0 0 2mm; text-indent: 2em; overflow-wrap: break-word; }}
.notice {{ border: 1pt solid #c00; color: #c00; padding: 2mm 3mm; text-indent: 0; margin-bottom: 6mm; }}
.summary {{ text-indent: 0; color: #333; }}
h2 {{ font-size: 12pt; margin: 6mm 0 2mm; }}
ul {{ margin: 0; padding-left: 2em; }}
"""


def publication_html(publication: Publication, family: str = "serif") -> str:
    """The print HTML of ``publication`` (body from the plain ``body``, never from the rich text)."""
    parts = [f"<h1>{_e(publication.title)}</h1>"]
    if publication.status == Status.WITHDRAWN and publication.withdrawal_notice:
        parts.append(f'<p class="notice">{_e(publication.withdrawal_notice)}</p>')
    rows = "".join(f"<tr><th>{_e(label)}</th><td>{_e(value)}</td></tr>" for label, value in metadata_rows(publication))
    parts.append(f'<table class="meta">{rows}</table>')
    if publication.summary and publication.summary.strip() != publication.body.strip():
        parts.append(f'<p class="summary">内容概述：{_e(publication.summary)}</p>')
    parts.extend(f"<p>{_e(line)}</p>" for line in publication.body.splitlines() if line.strip())
    names = [a.original_name for a in publication.attachments.order_by("pk")]
    if names:
        parts.append("<h2>附件</h2><ul>" + "".join(f"<li>{_e(name)}</li>" for name in names) + "</ul>")
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<title>{_e(publication.title)}</title><meta name="author" content="{_e(publication.issuing_body)}">'
        f"<style>{_css(family)}</style></head><body>{''.join(parts)}</body></html>"
    )


def publication_pdf(publication: Publication) -> bytes:
    """The item as an A4 PDF. Raises ``DocumentRenderError`` when no Chinese font is installed (no PDF of boxes)."""
    family = pdf_font_family()
    _require_cjk_font(family)
    from weasyprint import HTML

    pdf = HTML(string=publication_html(publication, family)).write_pdf()
    if not isinstance(pdf, bytes):  # pragma: no cover - write_pdf() without a target returns bytes
        raise DocumentRenderError("PDF 生成失败")
    return pdf
