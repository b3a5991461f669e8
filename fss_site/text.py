"""Plain-text helpers for listings, descriptions and search excerpts.

StreamField bodies are read from their raw data, so turning a body into text needs no
database queries (no images or documents are fetched).
"""

import functools
import html
import math
import re

from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

WORDS_PER_MINUTE = 200
_WORD = re.compile(r"\w+")

# Common Swedish inflection endings, longest first. Stripping them lets "socialtjänsten"
# highlight "socialtjänst" and "socialtjänstlagen" the way the Swedish search config matches.
_SUFFIXES = sorted(
    [
        "arnas",
        "ernas",
        "ornas",
        "arna",
        "erna",
        "orna",
        "ens",
        "ets",
        "are",
        "en",
        "et",
        "na",
        "ar",
        "er",
        "or",
        "s",
        "n",
        "a",
        "e",
    ],
    key=len,
    reverse=True,
)


def collapse(text: str) -> str:
    """One line of text: runs of whitespace become one space.

    ``str.split()`` splits at exactly the characters that ``\\s`` matches, several times
    faster than a regular expression.
    """
    return " ".join((text or "").split())


# Rich text as the editor stores it: tags of the kinds below, attribute values quoted,
# every "&" the start of a complete character reference. For such text, taking the tags
# out with a regular expression gives exactly what Django's ``strip_tags`` gives, at a
# fraction of the cost of its HTML parser; anything else goes to ``strip_tags``.
_RICH_TEXT_TAGS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "cite",
        "code",
        "del",
        "div",
        "em",
        "embed",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "u",
        "ul",
    ]
)
_TAG = re.compile(
    r"""</?([a-zA-Z][a-zA-Z0-9]*)"""
    r"""(?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:\s*=\s*(?:"[^"<>]*"|'[^'<>]*'))?)*\s*/?>"""
)
_AMPERSAND = re.compile(r"&(?!#[0-9]+;|#[xX][0-9a-fA-F]+;|[a-zA-Z][a-zA-Z0-9]*;)")


def _strip_rich_text_tags(value: str) -> str | None:
    """``value`` without its tags when it is rich text as the editor stores it, else None."""
    if _AMPERSAND.search(value):
        return None
    parts, end = [], 0
    for match in _TAG.finditer(value):
        if match.group(1).lower() not in _RICH_TEXT_TAGS:
            return None
        parts.append(value[end : match.start()])
        end = match.end()
    parts.append(value[end:])
    text = "".join(parts)
    return None if "<" in text or ">" in text else text


def html_to_text(value: str) -> str:
    """The visible text of a piece of rich text."""
    value = value or ""
    if "<" not in value:
        text = value  # what strip_tags returns: it only works on "<…>"
    else:
        text = _strip_rich_text_tags(value)
        if text is None:
            text = strip_tags(value)
    return collapse(html.unescape(text))


def _block_text(block_type, value) -> list[str]:
    if value is None:
        return []
    if block_type == "paragraph":
        return [html_to_text(value)]
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        parts = []
        for key in ("text", "caption", "title", "attribution", "credit"):
            if isinstance(value.get(key), str):
                parts.append(value[key])
        for item in value.get("items") or []:
            # List blocks store {"type": "item", "value": ...} in current Wagtail versions.
            parts.append(item.get("value", "") if isinstance(item, dict) else str(item))
        return parts
    return []


def _sentence(text: str) -> str:
    """End a heading or caption with a full stop so that joined text reads as sentences."""
    text = collapse(text)
    return text if not text or text[-1] in ".!?:…" else text + "."


def stream_text(stream_value) -> str:
    """All readable text of a StreamField value, from its raw data."""
    if not stream_value:
        return ""
    parts: list[str] = []
    for block in stream_value.raw_data:
        parts.extend(_sentence(p) for p in _block_text(block.get("type"), block.get("value")))
    return collapse(" ".join(p for p in parts if p))


def word_count(text: str) -> int:
    return len(_WORD.findall(text or ""))


def reading_minutes(text: str) -> int:
    """Minutes to read the text at an ordinary pace; at least one."""
    return max(1, math.ceil(word_count(text) / WORDS_PER_MINUTE))


def lead_repeats_body(lead: str, body_text: str) -> bool:
    """True when the lead (an excerpt) is the opening of the body, cut short or not."""
    lead = " ".join((lead or "").split()).removesuffix("…").strip()
    return bool(lead) and " ".join(body_text.split()).startswith(lead)


def post_reading_minutes(lead: str, body_text: str) -> int:
    """Reading time of a post page: the lead and the body, the lead once if it repeats."""
    if lead_repeats_body(lead, body_text):
        return reading_minutes(body_text)
    return reading_minutes(f"{lead or ''} {body_text}")


def joined(parts, separator: str = " ") -> str:
    """The parts that are not empty, joined."""
    return separator.join(part for part in parts if part)


# The text a search result quotes (its excerpt is cut from it), by page type, from the
# page's fields: the page may be a model instance or a migration's historical one. Posts,
# positions and events store it when saved (``search_text``, fss_site/derived.py); the
# migrations that add it fill it in with these same functions.


def post_search_text(post) -> str:
    return joined((post.excerpt, stream_text(post.body)))


def position_search_text(position) -> str:
    return joined(
        (
            position.statement,
            stream_text(position.body),
            position.referring_authority,
            position.reference_number,
        )
    )


def event_search_text(event) -> str:
    place = joined((event.venue, event.city), ", ")
    return joined((event.summary, stream_text(event.description), place))


def person_search_text(person) -> str:
    job = joined((person.job_title, person.employer), ", ")
    return f"{job}. {html_to_text(person.bio)}" if person.bio else job


def truncate(text: str, limit: int = 160) -> str:
    """Shorten text to at most ``limit`` characters at a word boundary, with an ellipsis."""
    text = collapse(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.–-") + "…"


def stem(term: str) -> str:
    """A crude Swedish stem of a search term, used only to highlight matches."""
    word = term.lower()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def terms_pattern(terms):
    """A regular expression matching words that start with the stem of any term."""
    return _terms_pattern(tuple(terms))


@functools.lru_cache(maxsize=256)
def _terms_pattern(terms: tuple):
    stems = sorted({stem(t) for t in terms if t}, key=len, reverse=True)
    if not stems:
        return None
    alternatives = "|".join(re.escape(s) for s in stems)
    return re.compile(rf"(?<!\w)(?:{alternatives})\w*", re.IGNORECASE)


def excerpt(text: str, terms, length: int = 240) -> str:
    """A window of the text around the first match of a term (or its start)."""
    text = collapse(text)
    if len(text) <= length:
        return text
    pattern = terms_pattern(terms)
    match = pattern.search(text) if pattern else None
    if not match or match.start() < length // 3:
        return truncate(text, length)
    start = max(0, match.start() - length // 3)
    space = text.find(" ", start)
    if 0 <= space < match.start():
        start = space + 1
    window = text[start : start + length]
    if start + length < len(text) and " " in window:
        window = window.rsplit(" ", 1)[0].rstrip(" ,;:.–-") + "…"
    return "…" + window


def highlight(text: str, terms) -> SafeString:
    """Escape the text and wrap the words matching the search terms in <mark>.

    The text is a ``str`` here (a title, a stored excerpt), so each piece is escaped by
    ``html.escape``, as Django's ``escape`` does, without its handling of lazy strings:
    a page of search results highlights some thirty texts, and that handling took more
    than half of the time.
    """
    text = str(text or "")
    pattern = terms_pattern(terms)
    if pattern is None:
        return escape(text)
    out = []
    position = 0
    for match in pattern.finditer(text):
        out.append(html.escape(text[position : match.start()]))
        out.append(f"<mark>{html.escape(match.group(0))}</mark>")
        position = match.end()
    out.append(html.escape(text[position:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped
