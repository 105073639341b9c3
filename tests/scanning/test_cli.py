"""`gongkai scan` as a user runs it: a real subprocess, the JSON shape, exit statuses 0/1/2, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli import run_gongkai
from tests.scanning.files import CARD, ID, make_docx, make_pdf, make_txt


def test_json_shape_and_exit_1_for_high_findings(tmp_path: Path) -> None:
    path = make_txt(tmp_path / "答复.txt")
    done = run_gongkai("scan", str(path), "--format", "json")
    assert done.returncode == 1, done.stderr
    payload = json.loads(done.stdout)
    assert list(payload) == ["findings"]
    text = path.read_text(encoding="utf-8")
    for item in payload["findings"]:
        assert set(item) == {"kind", "severity", "start", "end", "text"}
        assert item["severity"] in {"high", "medium", "low"}
        assert text[item["start"] : item["end"]] == item["text"]
    assert [(f["kind"], f["text"]) for f in payload["findings"]] == [
        ("classification", "机密★5年"),
        ("person_name", "张三"),
        ("id_number", ID),
        ("phone", "139-0375-1234"),
        ("bank_card", CARD),
    ]
    assert "机密★5年" in done.stdout  # UTF-8 (ensure_ascii=False), not \\u escapes


def test_text_format_lines_and_summary(tmp_path: Path) -> None:
    done = run_gongkai("scan", str(make_docx(tmp_path / "答复.docx")))
    assert done.returncode == 1, done.stderr
    lines = done.stdout.strip().splitlines()
    id_line = next(line for line in lines if "身份证号" in line)
    severity, label, span, value = id_line.split(" ")
    assert (severity, label, value) == ("高", "身份证号", ID)
    start, end = (int(part) for part in span.split("–"))
    assert end - start == 18
    assert lines[-1].startswith("共 ")


def test_pdf_scan(tmp_path: Path) -> None:
    done = run_gongkai("scan", str(make_pdf(tmp_path / "答复.pdf")), "--format", "json")
    assert done.returncode == 1, done.stderr
    assert ("id_number", ID) in [(f["kind"], f["text"]) for f in json.loads(done.stdout)["findings"]]


def test_exit_0_without_high_findings(tmp_path: Path) -> None:
    path = tmp_path / "通知.txt"
    path.write_text("联系电话：0375-1234567。我们要保守秘密。", encoding="utf-8")
    done = run_gongkai("scan", str(path), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "findings": [{"kind": "phone", "severity": "medium", "start": 5, "end": 17, "text": "0375-1234567"}]
    }
    clean = tmp_path / "clean.txt"
    clean.write_text("关于印发工作要点的通知", encoding="utf-8")
    done = run_gongkai("scan", str(clean))
    assert done.returncode == 0
    assert "未发现" in done.stdout


def test_exit_2_with_one_line_for_unreadable_files(tmp_path: Path) -> None:
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7 broken")
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    for path, words in (
        (tmp_path / "missing.txt", "文件不存在"),
        (tmp_path / "broken.pdf", "PDF"),
        (tmp_path / "old.doc", "不支持的文件类型"),
    ):
        done = run_gongkai("scan", str(path))
        assert done.returncode == 2, (path, done.stderr)
        assert words in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "Traceback" not in done.stderr
        assert done.stdout == ""
