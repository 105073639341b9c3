"""Redaction replaces the data (■ per character): the length and every other offset stay as they were."""

from __future__ import annotations

import dataclasses

import pytest

from gongkai.scanning.detectors import scan_text
from gongkai.scanning.redact import MASK, redact, redact_spans
from tests.scanning.data import valid_card, valid_id


def test_redact_removes_the_data_and_keeps_length() -> None:
    number, card = valid_id(), valid_card()
    text = f"申请人：张三，身份证号{number}，电话13903751234，卡号{card}。"
    findings = scan_text(text)
    redacted = redact(text, findings)
    assert len(redacted) == len(text)
    for value in (number, card, "13903751234", "张三"):
        assert value not in redacted
    for finding in findings:
        assert redacted[finding.start : finding.end] == MASK * (finding.end - finding.start)
    assert redacted.startswith("申请人：■■，身份证号")
    assert scan_text(redacted) == []


def test_redact_some_findings_keeps_others_at_their_offsets() -> None:
    text = f"身份证号{valid_id()}，电话13903751234"
    id_finding, phone_finding = scan_text(text)
    redacted = redact(text, [id_finding])
    assert redacted[phone_finding.start : phone_finding.end] == phone_finding.text
    assert redact(redacted, [phone_finding]) == redact(text, [id_finding, phone_finding])


def test_stale_finding_is_refused() -> None:
    text = "电话13903751234"
    [finding] = scan_text(text)
    with pytest.raises(ValueError, match="重新扫描"):
        redact("前言" + text, [finding])
    moved = dataclasses.replace(finding, start=finding.start + 2, end=finding.end + 2)
    assert MASK * 11 in redact("前言" + text, [moved])


def test_redact_spans_overlapping_and_bounds() -> None:
    assert redact_spans("abcdefgh", [(1, 3), (2, 5), (7, 8)]) == "a■■■■fg■"
    assert redact_spans("abc", []) == "abc"
    assert redact_spans("abc", [(1, 1)]) == "abc"
    with pytest.raises(ValueError, match="超出"):
        redact_spans("abc", [(2, 4)])
