"""PDF through WeasyPrint from the print variant of the HTML document: A4, the Chinese font embedded (subset), table
rows never split across pages and header rows repeated."""

from __future__ import annotations

from gongkai.documents.render import DocumentRenderError, _require_cjk_font, pdf_font_family
from gongkai.reports.render.content import RenderMeta
from gongkai.reports.render.html_doc import html_document
from gongkai.reports.schema import ReportData

__all__ = ["render_pdf"]


def render_pdf(report: ReportData, *, meta: RenderMeta) -> bytes:
    """Raises ``DocumentRenderError`` when no Chinese font is installed (no PDF of boxes)."""
    family = pdf_font_family()
    _require_cjk_font(family)
    from weasyprint import HTML

    pdf = HTML(string=html_document(report, meta=meta, font_family=family)).write_pdf()
    if not isinstance(pdf, bytes):  # pragma: no cover - write_pdf() without a target returns bytes
        raise DocumentRenderError("PDF 生成失败")
    return pdf
