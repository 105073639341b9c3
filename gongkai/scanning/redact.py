"""Redaction: the data is replaced, not covered. Each redacted character becomes one ■, so the text keeps its length and
every other finding's offsets stay valid (a reviewer can redact some findings and dismiss the rest in any order)."""

from __future__ import annotations

from collections.abc import Iterable

from gongkai.scanning.detectors import Finding

MASK = "■"


def redact_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with every ``[start, end)`` span replaced by ■ × its length; spans may overlap or touch."""
    ordered = sorted(spans)
    for start, end in ordered:
        if not 0 <= start <= end <= len(text):
            raise ValueError(f"区间 {start}–{end} 超出文本范围（长度 {len(text)}）")
    parts: list[str] = []
    done = 0
    for start, end in ordered:
        start = max(start, done)
        if end <= start:
            continue
        parts.append(text[done:start])
        parts.append(MASK * (end - start))
        done = end
    parts.append(text[done:])
    return "".join(parts)


def redact(text: str, findings: Iterable[Finding]) -> str:
    """``text`` with each finding's span masked. A finding whose text is no longer at its offsets (the text changed
    since the scan) raises ``ValueError``: masking the wrong span would leave the data in place."""
    spans: list[tuple[int, int]] = []
    for finding in findings:
        if text[finding.start : finding.end] != finding.text:
            raise ValueError(f"第 {finding.start}–{finding.end} 处的文字已改变，请重新扫描后再遮盖")
        spans.append((finding.start, finding.end))
    return redact_spans(text, spans)
