"""Chinese full-text tokens made by the application, the same on SQLite FTS5 and PostgreSQL (lessons.md: neither
SQLite's trigram tokenizer nor PostgreSQL's parsers serve 2-character Chinese queries).

Document side (``index_tokens``), after NFKC (full-width → half-width) and lower-casing:

* a run of Han characters becomes its overlapping bigrams followed by the run's **last character as a unigram**
  ("政府公开" → 政府 府公 公开 开; a lone "的" → 的). So every occurrence of a character starts some token, which
  is how 1-character queries are answered: a prefix query (FTS5 ``"公"*``, tsquery ``'公':*``) matches the bigrams
  starting with it and the run-final unigram — exact, with an index barely larger than bigrams alone (one extra
  token per run instead of one per character).
* a run of letters or digits is one whole lower-cased token ("PDF2025" → pdf2025; "3.5" → 3 5).
* the 文号 field ("湛政〔2025〕12号", also written with [] () 【】 or 第12号) adds one exact token ``wh湛政2025n12``
  at the start, so every spelling of the same 文号 meets the same token. It has no underscore because both FTS5's
  unicode61 and PostgreSQL's parser split on it.

Query side (``query_tokens``): whitespace separates terms, all of which must match; a term is a phrase of the same
tokens, built so that "document contains the term as a substring" ⇔ "the phrase matches" for Han text:

* the bigrams of each Han run; the run-final unigram only where the term itself shows that the run ends (a letter,
  digit or punctuation follows it inside the term) — at the end of the term the document's run may go on;
* a term ending in a single Han character ends in a prefix token ("年" in "2025年", or the whole 1-char query).

Letters and digits match whole words (and a 文号 query also matches its exact token); they are not substrings.

Trigrams (``trigram_text``, ``trigram_query``), SQLite only, in a second FTS5 table: each Han run of three or more
characters as its overlapping trigrams followed by the run's **last bigram** (a separator: a query's trigram phrase
holds 3-character tokens only, so it can never run across two runs). A query whose every term is a Han run of 3+
characters is asked of that table ("法律援助" → 法律援 律援助): doclists of trigrams are far shorter than those of
the bigrams a phrase of common characters is made of, which FTS5 would otherwise walk and check position by position.
"document contains the term" ⇔ "the trigram phrase matches", as for the bigrams. The trigram text is derived from the
bigram text (a Han run is its bigrams plus its final unigram), so the index can always recompute what it stored.

Filter tokens (``facet_tokens``), in a column of their own on SQLite: ``ag<agency id>``, ``y<year of the 发布日期>``,
``c<第二十条 category>``, ``v<validity>`` — a pre-filter FTS5 applies inside the MATCH (``backends.SqliteBackend``);
the catalogue stays the authority on what a filter admits.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "FACET_KINDS",
    "HAN",
    "MAX_QUERY_CHARS",
    "Query",
    "Term",
    "doc_number_key",
    "facet_token",
    "facet_tokens",
    "fts_columns",
    "index_tokens",
    "may_be_facet_token",
    "normalize",
    "query_tokens",
    "trigram_columns",
    "trigram_query",
    "trigram_text",
]

# CJK Unified Ideographs and Extension A, compatibility ideographs (NFKC maps most to unified ones), Extensions B–F,
# and 〇 (dates written 二〇二五年).
HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_TOKEN = re.compile(rf"[{HAN}]{{1,2}}")
_HAN_RUN = re.compile(rf"[{HAN}]+")
_PIECE = re.compile(rf"(?P<han>[{HAN}]+)|(?P<word>(?:(?![{HAN}])[^\W_])+)")
_WH_OPEN = r"[〔\[(【［（｛{]"
_WH_CLOSE = r"[〕\])】］）｝}]"
# 文号: 机关代字〔年份〕序号号 — the brackets vary in practice (〔〕 is the standard, GB/T 9704-2012 7.2.4).
DOC_NUMBER = re.compile(
    rf"(?P<org>[{HAN}A-Za-z]{{1,20}}?)\s*{_WH_OPEN}\s*(?P<year>\d{{4}})\s*{_WH_CLOSE}\s*第?\s*(?P<num>\d{{1,6}})\s*号"
)
# Longer queries are cut: PostgreSQL indexes long texts in overlapping chunks (backends.PG_CHUNK_OVERLAP) and a phrase
# must fit inside the overlap to be found wherever it sits.
MAX_QUERY_CHARS = 100


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def doc_number_key(text: str) -> str:
    """The exact token of the first 文号 in ``text`` (``wh湛政2025n12``), or ''."""
    match = DOC_NUMBER.search(normalize(text))
    if match is None:
        return ""
    return f"wh{match['org']}{match['year']}n{int(match['num'])}"


def index_tokens(text: str, *, doc_number: bool = False) -> str:
    """The document's tokens, space-separated, for FTS5 (unicode61) or ``to_tsvector('simple', …)``. For the 文号
    field (``doc_number``) the exact 文号 token comes first; in running text the 机关代字 cannot be told from the words
    before it, so mentions there are found by the phrase only."""
    normalized = normalize(text)
    key = doc_number_key(normalized) if doc_number else ""
    tokens = [key] if key else []
    for match in _PIECE.finditer(normalized):
        run = match["han"]
        if run is None:
            tokens.append(match["word"])
            continue
        tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        tokens.append(run[-1])
    return " ".join(tokens)


# The filter tokens' kinds: agency, year of the 发布日期, 第二十条 category, validity.
FACET_KINDS = ("ag", "y", "c", "v")


def facet_token(kind: str, value: object) -> str:
    """One filter token: ``kind`` (ag, y, c, v) and the value with everything but letters and digits dropped — FTS5's
    unicode61 would split ``art20_1`` at the underscore. Two values that fold to the same token only widen the
    pre-filter: the catalogue conditions still decide (``SearchBackend._filter_sql``)."""
    return kind + re.sub(r"[^0-9a-z]", "", str(value).lower())


def may_be_facet_token(token: str) -> bool:
    """Whether a query token could equal some filter token (ASCII, starting with a kind): Han tokens, numbers and
    文号 keys with Han in them never do."""
    return token.isascii() and token.startswith(FACET_KINDS)


def facet_tokens(*, agency_id: int, published_on: dt.date | None, category: str, validity: str) -> str:
    """The filter tokens of one publication, space-separated: agency, year of the 发布日期, category, validity (the
    last three when set). Each of them changes only through a catalogue service that announces the change to the
    search outbox (publish, edit, set validity), so the index follows them as it follows the text."""
    tokens = [facet_token("ag", agency_id)]
    if published_on is not None:
        tokens.append(facet_token("y", published_on.year))
    if category:
        tokens.append(facet_token("c", category))
    if validity:
        tokens.append(facet_token("v", validity))
    return " ".join(tokens)


def fts_columns(
    title: str, doc_number: str, body: str, attachments: str, facets: str
) -> tuple[str, str, str, str, str, str]:
    """The SQLite FTS5 row of one publication: (title, 文号, body, attachments) as tokens, the exact 文号 key and the
    filter tokens (``facet_tokens``). ``SqliteBackend.index_many`` writes these; the benchmark's bulk loader calls
    this same function (no Django)."""
    return (
        index_tokens(title),
        index_tokens(doc_number, doc_number=True),
        index_tokens(body),
        index_tokens(attachments),
        doc_number_key(doc_number),
        facets,
    )


@dataclass(frozen=True)
class Term:
    """One query term: a phrase of ``tokens``; the last one is a prefix when ``prefix``. ``text`` is the normalised
    term as typed, for highlighting."""

    tokens: tuple[str, ...]
    prefix: bool
    text: str


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...]
    doc_number: str  # the 文号 token when the whole query is a 文号, else ''

    def __bool__(self) -> bool:
        return bool(self.terms or self.doc_number)


def _term(text: str) -> Term | None:
    pieces = [(m["han"], m["word"]) for m in _PIECE.finditer(text)]
    tokens: list[str] = []
    prefix = False
    for position, (run, word) in enumerate(pieces):
        if run is None:
            tokens.append(word)
            continue
        last = position == len(pieces) - 1
        tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        if not last:
            tokens.append(run[-1])  # the term shows the run ends here, so the document has the run-final unigram
        elif len(run) == 1:
            tokens.append(run)
            prefix = True
    if not tokens:
        return None
    return Term(tokens=tuple(tokens), prefix=prefix, text=text)


def query_tokens(query: str) -> Query:
    """The query in the index's token scheme. Empty (falsy) when nothing searchable is left."""
    normalized = normalize(query)[:MAX_QUERY_CHARS].strip()
    whole = DOC_NUMBER.fullmatch(normalized)
    doc_number = f"wh{whole['org']}{whole['year']}n{int(whole['num'])}" if whole else ""
    # "湛政〔2025〕 12号" is one 文号, not two terms.
    raw_terms = [re.sub(r"\s+", "", normalized)] if whole else normalized.split()
    terms = [term for term in (_term(raw) for raw in dict.fromkeys(raw_terms)) if term is not None]
    return Query(terms=tuple(terms), doc_number=doc_number)


def _han_runs(tokens: str) -> list[str]:
    """The Han runs of a bigram token string (``index_tokens``): a run is its bigrams followed by its last character
    as a unigram ("政府公开" ← 政府 府公 公开 开; "的" ← 的). Other tokens (words, the 文号 key) are skipped."""
    runs: list[str] = []
    current: list[str] = []
    for token in tokens.split():
        if not _HAN_TOKEN.fullmatch(token):
            current = []
            continue
        if len(token) == 2:
            current.append(token[1] if current else token)
            continue
        runs.append("".join(current) if current else token)  # the run-final unigram closes the run
        current = []
    return runs


def trigram_text(tokens: str) -> str:
    """The trigram stream of a bigram token string: per Han run of 3+ characters its trigrams, then its last bigram
    as a separator (module docstring)."""
    out: list[str] = []
    for run in _han_runs(tokens):
        if len(run) >= 3:
            out.extend(run[i : i + 3] for i in range(len(run) - 2))
            out.append(run[-2:])
    return " ".join(out)


def trigram_columns(columns: Sequence[str | None]) -> tuple[str, str, str, str, str]:
    """The trigram table's row (title, 文号, body, attachments, facets) from the bigram table's (``fts_columns``:
    title, 文号, body, attachments, wh_key, facets; a NULL read back counts as empty)."""
    title, doc_number, body, attachments, _wh_key, facets = (value or "" for value in columns)
    return trigram_text(title), trigram_text(doc_number), trigram_text(body), trigram_text(attachments), facets


def trigram_query(query: Query) -> Query | None:
    """The query in trigrams, when every term is one Han run of 3+ characters and the query is not a 文号; else
    None (the bigram table answers it)."""
    if query.doc_number or not query.terms:
        return None
    terms = []
    for term in query.terms:
        text = term.text
        if len(text) < 3 or not _HAN_RUN.fullmatch(text):
            return None
        terms.append(Term(tokens=tuple(text[i : i + 3] for i in range(len(text) - 2)), prefix=False, text=text))
    return Query(terms=tuple(terms), doc_number="")
