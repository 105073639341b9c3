"""Highlighted titles and snippets, computed in Python from the original text — the same on every backend.

Matching is on the NFKC-normalised, lower-cased text (as the index sees it), with a map back to the original
characters, so what is shown is the document's own spelling, HTML-escaped, with ``<mark>`` around each occurrence.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from django.utils.html import escape

from gongkai.search.tokenize import DOC_NUMBER, Query

__all__ = ["CONTEXT", "highlight", "patterns_for", "snippet"]

CONTEXT = 80  # characters of context in a snippet, split around the first occurrence


def patterns_for(query: Query) -> list[re.Pattern[str]]:
    patterns = [re.compile(re.escape(term.text)) for term in query.terms]
    if query.doc_number:
        # any spelling of the same 文号: 〔〕 [] () 【】, with or without 第
        match = DOC_NUMBER.fullmatch(query.terms[0].text) if query.terms else None
        if match is not None:
            open_, close = r"[〔\[(【［（]", r"[〕\])】］）]"
            patterns.append(
                re.compile(
                    rf"{re.escape(match['org'])}\s*{open_}\s*{match['year']}\s*{close}\s*第?\s*0*{int(match['num'])}\s*号"
                )
            )
    return patterns


class _Fold(dict[int, str]):
    """str.translate table: each character as the index sees it (NFKC, lower-cased), computed once per character."""

    def __missing__(self, code: int) -> str:
        folded = unicodedata.normalize("NFKC", chr(code)).lower()
        self[code] = folded
        return folded


_FOLD = _Fold()


def _normalized(text: str) -> tuple[str, Sequence[int]]:
    """The text as the index sees it, and for each of its characters the index of the original character."""
    folded = text.translate(_FOLD)
    if len(folded) == len(text):
        # The common case: every character folds to one character (full-width ，→ , included), offsets do not move.
        return folded, range(len(text))
    chars: list[str] = []
    origin: list[int] = []
    for i, char in enumerate(text):
        piece = _FOLD[ord(char)]
        chars.append(piece)
        origin.extend([i] * len(piece))
    return "".join(chars), origin


def _spans(text: str, patterns: Sequence[re.Pattern[str]]) -> list[tuple[int, int]]:
    """Merged [start, end) spans of all occurrences, in original-text offsets."""
    folded, origin = _normalized(text)
    found: list[tuple[int, int]] = []
    for pattern in patterns:
        for match in pattern.finditer(folded):
            if match.end() > match.start():
                found.append((origin[match.start()], origin[match.end() - 1] + 1))
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _render(text: str, spans: Sequence[tuple[int, int]], start: int, end: int) -> str:
    parts: list[str] = []
    cursor = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        parts.append(escape(text[cursor:span_start]))
        parts.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        cursor = span_end
    parts.append(escape(text[cursor:end]))
    return "".join(parts)


def highlight(text: str, patterns: Sequence[re.Pattern[str]]) -> str:
    """The whole text, escaped, with every occurrence marked (for titles)."""
    return _render(text, _spans(text, patterns), 0, len(text))


def snippet(texts: Sequence[str], patterns: Sequence[re.Pattern[str]], *, context: int = CONTEXT) -> str:
    """About ``context`` characters around the first occurrence in the first text that has one (body, then
    attachments); the beginning of the first non-empty text when none has (the hit was in the title or 文号)."""
    texts = [" ".join(text.split()) for text in texts]
    for text in texts:
        spans = _spans(text, patterns)
        if not spans:
            continue
        first_start, first_end = spans[0]
        start = max(0, first_start - context // 2)
        end = min(len(text), start + context + (first_end - first_start))
        return ("…" if start > 0 else "") + _render(text, spans, start, end) + ("…" if end < len(text) else "")
    for text in texts:
        if text:
            return escape(text[:context]) + ("…" if len(text) > context else "")
    return ""
