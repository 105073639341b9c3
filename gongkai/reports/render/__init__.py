"""A report snapshot (``ReportData``) in the six published outputs of issue 5 §6: HTML, Markdown, DOCX, XLSX, PDF
and the fixed JSON.

Pure library: no models, no database, no request. One layout of each statutory table (``grid``) drives HTML, DOCX
and XLSX, so the merged cells agree everywhere; md, html and json are byte-for-byte reproducible, and docx/xlsx carry
the publication date (or a fixed date) as their timestamps so they are too.
"""

from __future__ import annotations

import json

from gongkai.documents.render import DocumentRenderError
from gongkai.reports.render.content import RenderMeta
from gongkai.reports.render.html_doc import html_document, html_fragment, table2_html, table3_html, table4_html
from gongkai.reports.schema import ReportData

__all__ = [
    "CONTENT_TYPES",
    "FORMATS",
    "DocumentRenderError",
    "RenderMeta",
    "html_fragment",
    "render",
    "table2_html",
    "table3_html",
    "table4_html",
]

FORMATS: tuple[str, ...] = ("html", "md", "docx", "xlsx", "pdf", "json")
CONTENT_TYPES: dict[str, str] = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "json": "application/json",
}


def render(report: ReportData, fmt: str, *, meta: RenderMeta) -> bytes:
    """The report in ``fmt`` (one of ``FORMATS``). ``ValueError`` for an unknown format; ``DocumentRenderError``
    when a PDF cannot be made (no Chinese font)."""
    if fmt == "html":
        return html_document(report, meta=meta).encode("utf-8")
    if fmt == "md":
        from gongkai.reports.render.md import render_markdown

        return render_markdown(report, meta=meta).encode("utf-8")
    if fmt == "docx":
        from gongkai.reports.render.word import render_docx

        return render_docx(report, meta=meta)
    if fmt == "xlsx":
        from gongkai.reports.render.sheet import render_xlsx

        return render_xlsx(report, meta=meta)
    if fmt == "pdf":
        from gongkai.reports.render.pdf import render_pdf

        return render_pdf(report, meta=meta)
    if fmt == "json":
        return json.dumps(report.as_json(), ensure_ascii=False, indent=2).encode("utf-8")
    raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
