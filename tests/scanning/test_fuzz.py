"""Random text never makes the scanner raise, and every finding indexes the text it came from."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.scanning.detectors import scan_text
from gongkai.scanning.redact import redact
from tests.scanning.data import valid_card, valid_id

# Pieces that exercise every detector, mixed with arbitrary characters.
PIECES = st.sampled_from(
    [
        valid_id(),
        valid_card(),
        "13903751234",
        "139-0375-1234",
        "0375-1234567",
        "（0375）",
        "a@b.cn",
        "@",
        "机密★",
        "★",
        "5年",
        "【",
        "】",
        "秘密",
        "内部",
        "密级：",
        "保密期限",
        "申请人：",
        "张三",
        "欧阳",
        "王",
        "\n",
        " ",
        "\t",
        "１３９",
        "X",
        "0",
        "6",
    ]
)
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_scan_never_raises_and_offsets_are_valid(text: str) -> None:
    found = scan_text(text)
    previous_end = 0
    for finding in found:
        assert 0 <= finding.start < finding.end <= len(text)
        assert text[finding.start : finding.end] == finding.text
        assert finding.start >= previous_end  # sorted, not overlapping
        previous_end = finding.end
    redacted = redact(text, found)
    assert len(redacted) == len(text)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_unicode(text: str) -> None:
    for finding in scan_text(text):
        assert text[finding.start : finding.end] == finding.text
