"""Small generated files (txt, docx, pdf, xlsx) carrying the same sensitive lines."""

from __future__ import annotations

import html
import io
from pathlib import Path

from tests.scanning.data import valid_card, valid_id

ID = valid_id()
CARD = valid_card()
LINES = (
    "机密★5年",
    "关于政府信息公开申请的答复",
    f"申请人：张三，身份证号{ID}，电话139-0375-1234。",
    f"退费账户：{CARD}",
)


def make_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "内部资料 注意保存"
    document.add_paragraph(LINES[0])
    document.add_paragraph(LINES[1])
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "姓名"
    table.cell(0, 1).text = "李四"
    table.cell(1, 0).text = "联系电话"
    table.cell(1, 1).text = "0375-1234567"
    document.add_paragraph(LINES[2])
    document.add_paragraph(LINES[3])
    document.save(str(path))
    return path


def make_xlsx(path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "电话", None, "备注"])
    sheet.append(["王五", ID, "13903751234", None, "已核实"])
    sheet.append([None, None, None])
    sheet.append(["合计", 1])
    book.save(str(path))
    return path


def make_pdf(path: Path) -> Path:
    from weasyprint import HTML

    from gongkai.documents.render import pdf_font_family

    body = "".join(f"<p>{html.escape(line)}</p>" for line in LINES)
    page = f"<html><body style=\"font-family: '{pdf_font_family()}'; font-size: 12pt\">{body}</body></html>"
    buffer = io.BytesIO()
    HTML(string=page).write_pdf(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def make_txt(path: Path, encoding: str = "utf-8") -> Path:
    path.write_bytes("\n".join(LINES).encode(encoding))
    return path
