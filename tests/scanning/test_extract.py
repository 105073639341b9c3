"""extract_text on generated files: the text the scanner reads, and findings whose offsets index that text."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongkai.scanning.detectors import scan_text
from gongkai.scanning.extract import ScanError, extract_text, scan_file
from tests.scanning.files import CARD, ID, LINES, make_docx, make_pdf, make_txt, make_xlsx


def check_offsets(text: str) -> list[tuple[str, str]]:
    found = scan_text(text)
    for finding in found:
        assert text[finding.start : finding.end] == finding.text
    return [(f.kind, f.text) for f in found]


def test_txt_utf8_and_gb18030(tmp_path: Path) -> None:
    assert extract_text(make_txt(tmp_path / "a.txt")) == "\n".join(LINES)
    assert extract_text(make_txt(tmp_path / "b.txt", "gb18030")) == "\n".join(LINES)
    (tmp_path / "c.txt").write_bytes("\ufeff机密★".encode())
    assert extract_text(tmp_path / "c.txt") == "机密★"


def test_bytes_need_a_name_for_their_type(tmp_path: Path) -> None:
    data = make_txt(tmp_path / "a.txt").read_bytes()
    assert extract_text(data, name="上传.txt") == "\n".join(LINES)
    docx_bytes = make_docx(tmp_path / "a.docx").read_bytes()
    assert "机密★5年" in extract_text(docx_bytes, name="附件")  # no suffix: recognised by content
    with pytest.raises(ScanError, match="不支持的文件类型"):
        extract_text(b"plain", name="附件")


def test_docx_paragraphs_tables_and_header(tmp_path: Path) -> None:
    text = extract_text(make_docx(tmp_path / "答复.docx"))
    assert text.splitlines() == [
        LINES[0],
        LINES[1],
        "姓名",
        "李四",
        "联系电话",
        "0375-1234567",
        LINES[2],
        LINES[3],
        "内部资料 注意保存",
    ]
    found = check_offsets(text)
    assert ("classification", "机密★5年") in found
    assert ("classification", "内部资料 注意保存") in found
    assert ("id_number", ID) in found
    assert ("bank_card", CARD) in found
    assert ("person_name", "李四") in found
    assert ("person_name", "张三") in found
    assert ("phone", "0375-1234567") in found


def test_pdf_pages_text(tmp_path: Path) -> None:
    text = extract_text(make_pdf(tmp_path / "答复.pdf"))
    found = check_offsets(text)
    assert ("id_number", ID) in found
    assert ("bank_card", CARD) in found
    assert ("phone", "139-0375-1234") in found
    assert ("classification", "机密★5年") in found


def test_xlsx_rows_tab_joined(tmp_path: Path) -> None:
    text = extract_text(make_xlsx(tmp_path / "名单.xlsx"))
    assert text.splitlines() == ["姓名\t身份证号\t电话\t备注", f"王五\t{ID}\t13903751234\t已核实", "合计\t1"]
    found = check_offsets(text)
    assert ("id_number", ID) in found
    assert ("phone", "13903751234") in found
    assert ("person_name", "王五") in found


def test_unreadable_files_raise_scan_error(tmp_path: Path) -> None:
    with pytest.raises(ScanError, match="文件不存在"):
        extract_text(tmp_path / "missing.txt")
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ScanError, match="不支持的文件类型"):
        extract_text(tmp_path / "old.doc")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7 not really")
    with pytest.raises(ScanError, match="PDF"):
        extract_text(tmp_path / "broken.pdf")
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(ScanError, match="Word"):
        extract_text(tmp_path / "broken.docx")
    with pytest.raises(ScanError, match="不是文件"):
        extract_text(tmp_path)


def test_scan_file_returns_the_text_its_offsets_index(tmp_path: Path) -> None:
    data = make_xlsx(tmp_path / "名单.xlsx").read_bytes()
    text, found = scan_file(data, name="名单.xlsx")
    assert text == extract_text(data, name="名单.xlsx")
    assert [f.as_dict() for f in found if f.kind == "id_number"] == [
        {"kind": "id_number", "severity": "high", "start": text.index(ID), "end": text.index(ID) + 18, "text": ID}
    ]
