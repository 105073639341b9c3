"""The rich text of a catalogue item: what may be stored (``clean_html``), the plain text derived from it
(``html_to_text``) that the scan, the search index and the PDF read, and the way back for plain text (``text_to_html``).

Only structure survives: paragraphs, emphasis, lists, headings, tables and links with safe schemes. No images, no
styles, no scripts or event handlers — the body is shown on the public portal, so anything else is an attack surface.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import nh3

__all__ = ["ALLOWED_TAGS", "clean_html", "html_to_text", "text_to_html"]

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "p", "br", "strong", "em", "u", "ol", "ul", "li", "h2", "h3", "h4",
        "table", "thead", "tbody", "tr", "th", "td", "a",
    }
)  # fmt: skip
_ATTRIBUTES: dict[str, set[str]] = {"a": {"href"}, "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
_URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})
_BLOCKS: frozenset[str] = frozenset({"p", "li", "h2", "h3", "h4", "tr", "table", "ul", "ol", "thead", "tbody"})


def clean_html(value: str) -> str:
    """``value`` reduced to the allowed tags and attributes. ``<script>``/``<style>`` go with their content, event
    handlers and ``javascript:``/``data:`` links are dropped, every link gets ``rel="noopener noreferrer nofollow"``."""
    return nh3.clean(
        value or "",
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in _ATTRIBUTES.items()},
        url_schemes=set(_URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in ("td", "th") and self.parts and not self.parts[-1].endswith(("\n", "\t")):
            self.parts.append("\t")
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        # Source line breaks inside a paragraph are layout, not text (as a browser renders them).
        self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))


def html_to_text(value: str) -> str:
    """The plain text of (cleaned) rich text: one line per paragraph, list item, heading and table row (cells
    separated by a tab), no blank lines, no markup."""
    parser = _Text()
    parser.feed(value or "")
    parser.close()
    lines = (line.strip(" ") for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line.strip())


def text_to_html(value: str) -> str:
    """Plain text as rich text: one paragraph per non-empty line, escaped."""
    lines = [line.strip() for line in (value or "").splitlines()]
    return "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in lines if line)
