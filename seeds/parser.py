"""Turn the association's scraped blog texts into seed records.

Text in, records out: this module imports only the standard library, knows no
title, person or file of the seed data, and writes nothing.  Facts that the
texts lack (a year, a publication date, a boundary between two posts, the dates
of an event week, a link address) come from the editorial data file
``seeds/editorial.toml``; every fact taken from there is reported, and every
fact that nothing supplies stays ``None`` and is listed as a "needs an editor"
line.

Rules, in the order they are applied
------------------------------------
R1  Reading. A document must exist, be non-empty, contain no NUL byte and be
    UTF-8 (a byte-order mark is dropped).
R2  Whitespace. Non-breaking and all other odd spaces count as spaces, runs of
    spaces collapse, lines are trimmed, zero-width characters and soft hyphens
    vanish and the text is NFC-normalised.
R3  Units. Blank lines separate units. Consecutive bullet lines form one list;
    a line holding only a name directly followed by a lower-case line is a
    two-line signature; every other line is a unit of its own.
R4  Broken sentences. A unit that starts with a lower-case letter continues the
    text unit before it; the joined text is a paragraph (so the first part is no
    subheading).
R5  Quotes over several paragraphs. A paragraph that opens a quotation mark and
    never closes it runs on to the paragraph that closes it: one quote.
R6  Line kinds, by precedence: meta line ("mar 3, 2024 | Kategori, Namn"),
    board-list entry, signature candidate, photo caption "(foto: X)",
    attachment (a document title ending in a date or a file extension), link
    line ("Läs om …", "Här kan du se …"), quote (”…”, "…", "– …"), short line
    (title or subheading: few words, no final full stop, comma, colon or
    exclamation mark) and paragraph.
R7  Signatures. A signature candidate ("Namn, roll, arbetsgivare (foto: X)")
    is a signature only where a post can end: before the end of the document or
    before a short line, with nothing but link lines in between; a name alone on
    its line is a signature only at the end of the document. Otherwise the line
    is read as R6 would read it without the signature rule. A name line directly
    followed by a role line (R3) is always a signature.
R8  Post boundaries. A post starts with the first unit of a document (it must
    be a short line), with a short line followed by a meta line, with a short
    line after a signature, after a board list or after the link a post has
    announced ("länk … längst ner", "pdf:en nedan"), and with any line that the
    editorial file marks with ``starts_post``.
R9  Blocks. Inside a post short lines are subheadings, and the other kinds map
    to paragraph, quote, list, caption, link and video blocks. A signature
    becomes a byline, a meta line gives date, categories and author, a
    board-list entry stays a paragraph tied to its person.
R10 Films. A post whose title ends in "– FILM" (or "– video") gets a video
    block; its address comes from the editorial file or is left missing.
R11 Merging. Posts with the same title are one post: the version with the
    richest metadata leads, blocks only the other version has are inserted at
    their place, bylines are combined and every source is kept.
R12 People. Signatures and board-list entries describe people: FSS roles (with
    region) and the job (title, employer, unit) are separate facts. One record
    per name; roles are combined; the job from the newest dated source wins (a
    dated fact beats an undated one, a board list beats a signature of the same
    year); bylines keep the title as printed. People named only in reports
    are event participants, not people.
R13 Topics. Competence areas from board lists are topics, merged
    case-insensitively, shown with a capital first letter.
R14 Events. A board list with "Är i <plats> <dagar>" makes the event of the
    post's year (from its title; the week's dates, which turn the day names
    into dates, come from the editorial file); a report of a seminar (or lecture, meeting …)
    that someone organised, with a date "den 3 mars 2021", makes a seminar
    event with organisers, speakers, moderator and the people in a
    "Från vänster till höger:" caption. A report that says the seminar was
    "idag" is dated the seminar's day.
R15 Editorial facts. The editorial file supplies only what the text lacks;
    the text wins. Each fact used is listed in Swedish; entries that match no
    post are reported.
R16 Needs an editor. Missing publication dates, link and film addresses,
    attachments, unresolved dates and unnamed photographers are listed in
    Swedish.
"""

from __future__ import annotations

import datetime as dt
import pathlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field

__all__ = [
    "AttendanceRecord",
    "Block",
    "Byline",
    "Editorial",
    "EditorialPost",
    "EventRecord",
    "ParseResult",
    "ParticipantRecord",
    "PersonRecord",
    "PostRecord",
    "RoleRecord",
    "SeedError",
    "SourceDocument",
    "collect_documents",
    "load_editorial",
    "parse",
    "split_posts",
]

DEFAULT_EDITORIAL_PATH = pathlib.Path(__file__).with_name("editorial.toml")


class SeedError(Exception):
    """A clear one-line message for bad input."""


# ---------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceDocument:
    name: str
    text: str


@dataclass
class Block:
    """One piece of a post's body.

    kind is "heading", "paragraph", "quote", "list", "caption", "link" or
    "video". ``source`` is "file:line" of the first line, ``lines`` all line
    numbers the block was made from. ``derived`` blocks carry no source text.
    """

    kind: str
    text: str = ""
    source: str = ""
    lines: list[int] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    attribution: str | None = None
    credit: str | None = None
    credit_kind: str | None = None
    title: str | None = None
    url: str | None = None
    url_from_editorial: bool = False
    attachment: bool = False
    person: str | None = None
    derived: bool = False


@dataclass
class Byline:
    name: str
    printed_title: str | None = None
    photo_credit: str | None = None
    source: str = ""
    lines: list[int] = field(default_factory=list)
    also_in: list[str] = field(default_factory=list)  # the same signature in other copies


@dataclass
class PostRecord:
    title: str
    slug_hint: str
    date: dt.date | None
    date_from_editorial: bool
    category: str | None
    authors: list[Byline]
    blocks: list[Block]
    sources: list[str]
    excerpt: str | None = None
    event_title: str | None = None
    categories: list[str] = field(default_factory=list)
    date_source: str | None = None  # "meta", "editorial" or "event"
    meta_line: str | None = None
    meta_source: str | None = None


@dataclass(frozen=True)
class RoleRecord:
    title: str
    region: str | None = None
    printed: str = field(default="", compare=False)


@dataclass
class PersonRecord:
    name: str
    fss_roles: list[RoleRecord]
    job_title: str | None
    employer: str | None
    competence_areas: list[str]
    board_member: bool
    spokesperson: bool
    year_of_job_fact: int | None
    sources: list[str]
    unit: str | None = None
    job_since: dt.date | None = None


@dataclass
class ParticipantRecord:
    name: str
    title_at_time: str | None
    part: str  # "speaker", "moderator", "panellist" or "participant"


@dataclass
class AttendanceRecord:
    name: str
    days: list[dt.date]
    preliminary: bool
    day_names: list[str] = field(default_factory=list)


@dataclass
class EventRecord:
    title: str
    start: dt.date | dt.datetime | None
    end: dt.date | dt.datetime | None
    all_day: bool
    organisers: list[str]
    participants: list[ParticipantRecord]
    attendance: list[AttendanceRecord]
    post_title: str
    facts_from_editorial: list[str]
    location: str | None = None
    date_text: str | None = None


@dataclass
class ParseResult:
    posts: list[PostRecord]
    people: list[PersonRecord]
    events: list[EventRecord]
    topics: list[str]
    editorial_facts: list[str]
    needs_editor: list[str]


# ---------------------------------------------------------------------------
# Vocabulary (general Swedish words, nothing from the seed texts)
# ---------------------------------------------------------------------------

MONTHS = {
    "januari": 1,
    "februari": 2,
    "mars": 3,
    "april": 4,
    "maj": 5,
    "juni": 6,
    "juli": 7,
    "augusti": 8,
    "september": 9,
    "oktober": 10,
    "november": 11,
    "december": 12,
}
MONTHS.update({name[:3]: number for name, number in list(MONTHS.items())})
MONTHS["sept"] = 9
_MONTH_WORDS = "|".join(sorted(MONTHS, key=len, reverse=True))

WEEKDAYS = {
    "måndag": 0,
    "tisdag": 1,
    "onsdag": 2,
    "torsdag": 3,
    "fredag": 4,
    "lördag": 5,
    "söndag": 6,
}
_WEEKDAY_WORDS = "|".join(WEEKDAYS)

# Words that begin a role or job phrase ("verksamhetschef", "bitr. socialdirektör").
_ROLE_ENDINGS = (
    "chef",
    "direktör",
    "ordförande",
    "ledamot",
    "ansvarig",
    "sekreterare",
    "handläggare",
    "samordnare",
    "strateg",
    "ledare",
    "jurist",
    "minister",
    "råd",
    "forskare",
    "utredare",
    "konsult",
    "rådgivare",
    "socionom",
    "kurator",
    "docent",
    "professor",
    "suppleant",
    "kassör",
    "revisor",
    "ombudsman",
    "expert",
    "specialist",
    "tör",
    "ator",
    "olog",
    "pedagog",
    "terapeut",
    "assistent",
    "sköterska",
    "lärare",
    "analytiker",
    "ekonom",
)
_ROLE_PREFIXES = (
    "bitr.",
    "biträdande",
    "tf",
    "t.f.",
    "tillförordnad",
    "vice",
    "inbjuden",
    "tidigare",
)
# Canonical FSS role names, longest first.
_FSS_ROLE_WORDS = (
    "vice ordförande",
    "ordförande",
    "regionansvarig",
    "ledamot",
    "suppleant",
    "sekreterare",
    "kassör",
    "revisor",
    "valberedning",
)
_FSS_MARKER = re.compile(r"\bFSS\b|Föreningen Sveriges [Ss]ocialchefer|\briksstyrelse", re.I)
_ORG_WORDS = re.compile(
    r"\b(?:\w*kommun|\w*stad|region|regionen|landsting\w*|län|\w*universitet\w*|\w*myndighet\w*|"
    r"\w*förbund\w*|\w*departement\w*|AB|stiftelse\w*|förening\w*)\b",
    re.I,
)
_ABBREVIATIONS = {
    "bitr",
    "tf",
    "t.f",
    "bl.a",
    "m.fl",
    "t.ex",
    "ca",
    "dvs",
    "d.v.s",
    "osv",
    "resp",
    "jfr",
    "kap",
    "nr",
    "st",
    "m.m",
    "fr.o.m",
    "t.o.m",
    "prof",
    "ordf",
    "sekr",
    "doc",
    "leg",
    "fil",
    "dr",
}
_SPEECH_VERBS = (
    "säger|sa|sade|berättar|menar|konstaterar|fortsätter|avslutar|understryker|påpekar|"
    "framhåller|betonar|tillägger|förklarar"
)
# A credit that names no photographer.
_UNNAMED_CREDITS = {"privat", "okänd", "okänt", "arkiv", "pressbild"}

OPEN_QUOTES = '”“"„«'
CLOSING_FOR = {"”": "”", "“": "”", '"': '"', "„": "”“", "«": "»"}
DIALOGUE_DASHES = ("– ", "— ", "- ")
BULLETS = "•◦▪‣●*"

_NAME_WORD = r"[A-ZÅÄÖÉÜ][a-zåäöéüßA-ZÅÄÖ]*[a-zåäöéüß](?:-[A-ZÅÄÖÉÜ][a-zåäöéüß]+)?"
FULL_NAME = rf"{_NAME_WORD}(?: {_NAME_WORD}){{1,3}}"
_FULL_NAME_RE = re.compile(FULL_NAME)

# ---------------------------------------------------------------------------
# R1 Reading
# ---------------------------------------------------------------------------


def read_document(path: pathlib.Path) -> SourceDocument:
    """R1: read one UTF-8 text file; SeedError names the file and the problem."""
    path = pathlib.Path(path)
    if not path.exists():
        raise SeedError(f"{path}: filen saknas")
    if not path.is_file():
        raise SeedError(f"{path}: är ingen fil")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SeedError(f"{path}: kan inte läsas ({exc.strerror or exc})") from exc
    if b"\x00" in data:
        raise SeedError(f"{path}: binär fil (innehåller NUL-tecken)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SeedError(f"{path}: inte UTF-8 (ogiltig byte vid position {exc.start})") from exc
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise SeedError(f"{path}: tom fil")
    return SourceDocument(name=path.name, text=text)


def collect_documents(paths: list[pathlib.Path]) -> list[SourceDocument]:
    """R1: read files and folders (a folder gives its *.txt files, sorted by name)."""
    documents: list[SourceDocument] = []
    for raw in paths:
        path = pathlib.Path(raw)
        if path.is_dir():
            documents.extend(read_document(p) for p in sorted(path.glob("*.txt")) if p.is_file())
        else:
            documents.append(read_document(path))
    if not documents:
        shown = ", ".join(str(p) for p in paths) or "(no paths)"
        raise SeedError(f"{shown}: inga .txt-dokument hittades")
    return documents


# ---------------------------------------------------------------------------
# Editorial data file
# ---------------------------------------------------------------------------

_EDITORIAL_KEYS = {
    "title",
    "starts_post",
    "date",
    "year",
    "event_start",
    "event_end",
    "event_title",
    "links",
    "note",
}


@dataclass(frozen=True)
class EditorialPost:
    """What the editorial file says about the post with this title."""

    title: str
    starts_post: bool = False
    date: dt.date | None = None
    year: int | None = None
    event_start: dt.date | dt.datetime | None = None
    event_end: dt.date | dt.datetime | None = None
    event_title: str | None = None
    links: dict[str, str] = field(default_factory=dict)
    note: str | None = None


@dataclass(frozen=True)
class Editorial:
    posts: tuple[EditorialPost, ...] = ()
    source: str = "editorial.toml"

    @classmethod
    def empty(cls) -> Editorial:
        return cls()

    def for_title(self, title: str) -> EditorialPost | None:
        key = title_key(title)
        for entry in self.posts:
            if title_key(entry.title) == key:
                return entry
        return None

    def starts_post(self, text: str) -> bool:
        entry = self.for_title(text)
        return bool(entry and entry.starts_post)


def load_editorial(path: pathlib.Path | None = None) -> Editorial:
    """Read the editorial data file (default: editorial.toml next to this module)."""
    path = pathlib.Path(path) if path is not None else DEFAULT_EDITORIAL_PATH
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError as exc:
        raise SeedError(f"{path}: redaktionsfilen saknas") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(f"{path}: ogiltig TOML ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise SeedError(f"{path}: inte UTF-8") from exc
    except OSError as exc:
        raise SeedError(f"{path}: kan inte läsas ({exc.strerror or exc})") from exc
    unknown = set(data) - {"post"}
    if unknown:
        raise SeedError(f"{path}: unknown top-level key {sorted(unknown)[0]!r}")
    entries = data.get("post", [])
    if not isinstance(entries, list):
        raise SeedError(f"{path}: 'post' must be an array of tables ([[post]])")
    posts = tuple(_editorial_entry(path, index, entry) for index, entry in enumerate(entries, 1))
    return Editorial(posts=posts, source=path.name)


def _editorial_entry(path: pathlib.Path, index: int, entry: object) -> EditorialPost:
    where = f"{path}: [[post]] #{index}"
    if not isinstance(entry, dict):
        raise SeedError(f"{where}: must be a table")
    unknown = set(entry) - _EDITORIAL_KEYS
    if unknown:
        raise SeedError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    title = entry.get("title")
    if not isinstance(title, str) or not title.strip():
        raise SeedError(f"{where}: 'title' (a non-empty string) is required")
    where = f"{path}: [[post]] {title!r}"

    def typed(key: str, kinds: tuple[type, ...], label: str) -> object:
        value = entry.get(key)
        if value is not None and (not isinstance(value, kinds) or isinstance(value, dt.time)):
            raise SeedError(f"{where}: {key!r} must be {label}")
        return value

    starts = typed("starts_post", (bool,), "true or false")
    date = typed("date", (dt.date,), "a date (2024-03-03)")
    if isinstance(date, dt.datetime):
        raise SeedError(f"{where}: 'date' must be a date without time")
    year = typed("year", (int,), "a year")
    if isinstance(year, bool) or (year is not None and not 1900 <= year <= 2100):
        raise SeedError(f"{where}: 'year' must be a year between 1900 and 2100")
    start = typed("event_start", (dt.date,), "a date or date-time")
    end = typed("event_end", (dt.date,), "a date or date-time")
    if start is not None and end is not None:
        if isinstance(start, dt.datetime) != isinstance(end, dt.datetime):
            raise SeedError(f"{where}: 'event_start' and 'event_end' must be of the same kind")
        if end < start:
            raise SeedError(f"{where}: 'event_end' is before 'event_start'")
    if end is not None and start is None:
        raise SeedError(f"{where}: 'event_end' needs 'event_start'")
    event_title = typed("event_title", (str,), "a string")
    note = typed("note", (str,), "a string")
    links = entry.get("links", {})
    if not isinstance(links, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in links.items()
    ):
        raise SeedError(f"{where}: 'links' must be a table of link text = \"address\"")
    return EditorialPost(
        title=normalise_space(title),
        starts_post=bool(starts),
        date=date,
        year=year,
        event_start=start,
        event_end=end,
        event_title=event_title,
        links={title_key(k): v.strip() for k, v in links.items()},
        note=note,
    )


# ---------------------------------------------------------------------------
# R2 Whitespace
# ---------------------------------------------------------------------------

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"\s+")


def normalise_space(text: str) -> str:
    """R2: odd spaces (non-breaking, thin, tabs, control characters) become one space."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return _SPACES.sub(" ", text).strip()


def title_key(text: str) -> str:
    """How titles are compared: whitespace-normalised and case-insensitive."""
    return normalise_space(text).casefold()


def _lines(text: str) -> list[tuple[int, str]]:
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [(number, normalise_space(line)) for number, line in enumerate(raw, 1)]


# ---------------------------------------------------------------------------
# R3-R5 Units
# ---------------------------------------------------------------------------


@dataclass
class _Unit:
    kind: str  # "text", "list", "signature2" before classification
    text: str
    lines: list[int]
    items: list[str] = field(default_factory=list)
    forced_quote: bool = False


def _is_bullet(line: str) -> bool:
    return len(line) > 1 and line[0] in BULLETS and line[1] == " "


def _is_name_only(text: str) -> bool:
    return _FULL_NAME_RE.fullmatch(text) is not None


def _starts_lower(text: str) -> bool:
    return bool(text) and text[0].isalpha() and text[0].islower()


def _units(lines: list[tuple[int, str]]) -> list[_Unit]:
    """R3: blank lines separate units; bullets group; name + role line is a signature."""
    chunks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, line in lines:
        if line:
            current.append((number, line))
        elif current:
            chunks.append(current)
            current = []
    if current:
        chunks.append(current)

    units: list[_Unit] = []
    for chunk in chunks:
        index = 0
        while index < len(chunk):
            number, line = chunk[index]
            if _is_bullet(line):
                unit = _Unit("list", "", [])
                while index < len(chunk) and _is_bullet(chunk[index][1]):
                    unit.items.append(chunk[index][1][2:].strip())
                    unit.lines.append(chunk[index][0])
                    index += 1
                unit.text = "\n".join(unit.items)
                _append_list(units, unit)
            elif _two_line_signature(chunk, index):
                (n1, name), (n2, role) = chunk[index], chunk[index + 1]
                units.append(_Unit("signature2", f"{name}\n{role}", [n1, n2]))
                index += 2
            else:
                units.append(_Unit("text", line, [number]))
                index += 1
    return units


def _append_list(units: list[_Unit], unit: _Unit) -> None:
    """Bullets separated by blank lines still form one list."""
    if units and units[-1].kind == "list":
        units[-1].items.extend(unit.items)
        units[-1].lines.extend(unit.lines)
        units[-1].text = "\n".join(units[-1].items)
    else:
        units.append(unit)


def _two_line_signature(chunk: list[tuple[int, str]], index: int) -> bool:
    if index + 1 >= len(chunk):
        return False
    name, role = chunk[index][1], chunk[index + 1][1]
    return _is_name_only(name) and _starts_lower(role) and _looks_like_title_phrase(role)


def _join_broken_sentences(units: list[_Unit]) -> list[_Unit]:
    """R4: a unit starting in lower case continues the text unit before it."""
    joined: list[_Unit] = []
    for unit in units:
        previous = joined[-1] if joined else None
        if (
            unit.kind == "text"
            and previous is not None
            and previous.kind == "text"
            and _starts_lower(unit.text)
            and not is_meta_line(unit.text)
            and not is_meta_line(previous.text)
            and not _CREDIT_RE.search(previous.text)
        ):
            previous.text = f"{previous.text} {unit.text}"
            previous.lines = previous.lines + unit.lines
            continue
        joined.append(unit)
    return joined


def _join_long_quotes(units: list[_Unit]) -> list[_Unit]:
    """R5: a paragraph opening a quote it never closes runs on to the one that closes it."""
    out: list[_Unit] = []
    index = 0
    while index < len(units):
        unit = units[index]
        closing_at = _quote_closed_at(units, index)
        if closing_at is None:
            out.append(unit)
            index += 1
            continue
        parts = units[index : closing_at + 1]
        text = "\n\n".join(p.text for p in parts)
        lines = [n for p in parts for n in p.lines]
        out.append(_Unit("text", text, lines, forced_quote=True))
        index = closing_at + 1
    return out


def _quote_closed_at(units: list[_Unit], index: int, reach: int = 5) -> int | None:
    """Index of the unit closing a quote that units[index] opens and leaves open, if any."""
    closers = _open_quote_closers(units[index])
    if not closers:
        return None
    for later in range(index + 1, min(index + 1 + reach, len(units))):
        unit = units[later]
        if unit.kind != "text" or _META_RE.match(unit.text):
            return None
        if any(c in unit.text for c in closers):
            return later
    return None


def _open_quote_closers(unit: _Unit) -> str:
    """The closing marks still awaited when a text unit opens a quote it does not close."""
    if unit.kind != "text" or not unit.text or unit.text[0] not in OPEN_QUOTES:
        return ""
    closers = CLOSING_FOR[unit.text[0]]
    rest = unit.text[1:]
    return "" if any(c in rest for c in closers) else closers


# ---------------------------------------------------------------------------
# R6 Line kinds
# ---------------------------------------------------------------------------

_META_RE = re.compile(
    rf"^(?:(?P<mon>{_MONTH_WORDS})\.? (?P<day>[0-9]{{1,2}}),? (?P<year>[0-9]{{4}})"
    rf"|(?P<day2>[0-9]{{1,2}}) (?P<mon2>{_MONTH_WORDS})\.? (?P<year2>[0-9]{{4}}))"
    r"(?: ?\| ?(?P<rest>.*))?$",
    re.I,
)
_CREDIT_RE = re.compile(
    r"\s*\((?P<kind>foto:|foto från|bild:|bild från)\s*(?P<credit>[^()]+?)\s*\)\s*\.?$", re.I
)
_ATTACHMENT_RE = re.compile(
    r"(?:\b[0-9]{4}-[0-9]{2}-[0-9]{2}|\.(?:pdf|docx?|xlsx?|pptx?|odt))$", re.I
)
_LINK_CUE_RE = re.compile(
    r"^(?:Läs (?:om|mer|hela|vidare|artikeln|rapporten|debattartikeln)|Se (?:hela|filmen|"
    r"seminariet|inspelningen)|Lyssna på|Ladda ner|Titta på)\b"
    r"|\b(?:Här|här) (?:kan du|kan ni) (?:se|läsa|lyssna|ladda ner|titta)\b"
)
_BOARD_LABEL_RE = re.compile(r"\bSärskilda kompetensområden:\s*", re.I)
_ATTENDANCE_RE = re.compile(
    rf"(?:^|(?<=[.!] ))Är i (?P<place>[A-ZÅÄÖ][\w/-]*(?: [A-ZÅÄÖ][\w/-]*)*) "
    rf"(?P<prel>preliminärt )?(?P<days>(?:{_WEEKDAY_WORDS})"
    rf"(?:(?:, | och | till | ?[–-] ?)(?:{_WEEKDAY_WORDS}))*)\.?",
)
_SIGNATURE_RE = re.compile(rf"^(?P<name>{FULL_NAME}), (?P<rest>.+)$")


def _strip_credit(text: str) -> tuple[str, str | None, str | None]:
    """Split "text (foto: X)" into text, credit and credit kind ('foto' / 'foto från')."""
    match = _CREDIT_RE.search(text)
    if not match:
        return text, None, None
    kind = match.group("kind").lower().rstrip(":").replace("bild", "foto")
    return text[: match.start()].strip(), match.group("credit").strip(), kind


def _first_word_is_role(text: str) -> bool:
    words = text.split()
    while words and words[0].lower() in _ROLE_PREFIXES:
        words = words[1:]
    if not words:
        return False
    word = words[0].lower().strip(",.:")
    return word.endswith(_ROLE_ENDINGS)


def _looks_like_title_phrase(text: str) -> bool:
    """A role or job phrase: one sentence that starts with a role word or names FSS, and
    whose comma-separated parts are all roles or names (so "…, menar att …" is no title)."""
    if len(text) > 220 or len(split_sentences(text.rstrip("."))) != 1:
        return False
    if not (_first_word_is_role(text) or _FSS_MARKER.search(text)):
        return False
    parts = [p for p in _clean_end(text).split(", ") if p]
    return all(
        _first_word_is_role(p) or _FSS_MARKER.search(p) or _ORG_WORDS.search(p) or _has_capital(p)
        for p in parts
    )


def _has_capital(text: str) -> bool:
    return any(word[:1].isupper() for word in text.split())


def is_meta_line(text: str) -> bool:
    """A meta line: a date with a Swedish month (abbreviation), then "| categories, author"."""
    match = _META_RE.match(text)
    return bool(match) and _meta_date(match) is not None


def is_board_entry(text: str) -> bool:
    """A board-list entry: "Namn, roll. Jobb. Särskilda kompetensområden: … Är i … <dagar>"."""
    if not _SIGNATURE_RE.match(text):
        return False
    return bool(_BOARD_LABEL_RE.search(text) or _ATTENDANCE_RE.search(text))


def is_signature_candidate(text: str) -> bool:
    """A possible signature: a name, a comma and a one-sentence role ("Namn, roll (foto: X)")."""
    match = _SIGNATURE_RE.match(text)
    if not match:
        return False
    rest, _credit, _kind = _strip_credit(match.group("rest"))
    return _looks_like_title_phrase(rest)


def is_attachment_line(text: str) -> bool:
    """A document title: a short line ending with an ISO date or a file extension."""
    return len(text.split()) <= 14 and bool(_ATTACHMENT_RE.search(text))


def is_link_line(text: str) -> bool:
    """A line that was a link on the old page: "Läs om …", "Här kan du se …"."""
    return len(text) <= 250 and bool(_LINK_CUE_RE.search(text))


def is_quote(text: str) -> bool:
    """A quote: opens with a quotation mark, or a dialogue line starting with a dash."""
    return bool(text) and (text[0] in OPEN_QUOTES or text.startswith(DIALOGUE_DASHES))


def is_short_line(text: str) -> bool:
    """A title or subheading: at most 14 words and 100 characters, no final . , ; : !"""
    if not text or len(text) > 100 or len(text.split()) > 14:
        return False
    core = text.rstrip("”“\"»' ")
    if not core or core[-1] in ".,;:!…":
        return False
    if text.startswith(DIALOGUE_DASHES) or text[0] in BULLETS or _starts_lower(text):
        return False
    return any(ch.isalpha() for ch in text)


def _classify(unit: _Unit) -> str:
    """R6: the kind of a unit, by precedence (signatures still candidates)."""
    if unit.kind == "list":
        return "list"
    if unit.kind == "signature2":
        return "signature"
    if unit.forced_quote:
        return "quote"
    text = unit.text
    checks = (
        ("meta", is_meta_line),
        ("board", is_board_entry),
        ("signature?", is_signature_candidate),
        ("caption", lambda t: _CREDIT_RE.search(t) is not None),
        ("attachment", is_attachment_line),
        ("link", is_link_line),
        ("quote", is_quote),
        ("name?", _is_name_only),
        ("short", is_short_line),
    )
    for kind, check in checks:
        if check(text):
            return kind
    return "paragraph"


def _kind_without_signature(text: str) -> str:
    if _CREDIT_RE.search(text):
        return "caption"
    for kind, check in (
        ("attachment", is_attachment_line),
        ("link", is_link_line),
        ("quote", is_quote),
        ("short", is_short_line),
    ):
        if check(text):
            return kind
    return "paragraph"


def _resolve_signatures(kinds: list[str]) -> list[str]:
    """R7: a signature candidate is a signature only where a post can end."""
    resolved = list(kinds)
    for index, kind in enumerate(kinds):
        if kind not in ("signature?", "name?"):
            continue
        after = index + 1
        while after < len(kinds) and kinds[after] in ("link", "attachment"):
            after += 1
        at_end = after >= len(kinds)
        before_title = not at_end and kinds[after] == "short"
        if (kind == "signature?" and before_title) or at_end:
            resolved[index] = "signature"
        else:
            resolved[index] = "?"  # decided from the text below
    return resolved


# ---------------------------------------------------------------------------
# Sentences and small text helpers
# ---------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"([.!?])[”\"’)]?\s+(?=[”“\"«A-ZÅÄÖÉÜ0-9–])")


def split_sentences(text: str) -> list[str]:
    """Split at . ! ? followed by a capital, except after abbreviations such as "bitr."."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.group(1) == ".":
            word = re.search(r"(\S+)$", text[start : match.start()])
            token = word.group(1).lower() if word else ""
            if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                continue
        end = match.end()
        sentences.append(text[start:end].strip())
        start = end
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _clean_end(text: str) -> str:
    return text.strip().rstrip(".,;").strip()


def _parse_day_month(day: str, month: str, year: str | None) -> tuple[int, int, int | None] | None:
    number = MONTHS.get(month.lower().rstrip("."))
    if number is None:
        return None
    return int(day), number, int(year) if year else None


def _make_date(year: int | None, month: int, day: int) -> dt.date | None:
    if year is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def slugify(title: str) -> str:
    """A URL-friendly hint: lower case, å/ä/ö without diacritics, words joined by dashes."""
    text = unicodedata.normalize("NFKD", title.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:80].rstrip("-") or "inlagg"


def display_name(text: str) -> str:
    """Capitalise the first letter, keep the rest as printed ("IFO" stays "IFO")."""
    text = text.strip()
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------------------
# R8-R10 Posts of one document
# ---------------------------------------------------------------------------


@dataclass
class _Draft:
    document: str
    title: str
    title_line: int
    blocks: list[Block] = field(default_factory=list)
    authors: list[Byline] = field(default_factory=list)
    meta_line: str | None = None
    meta_line_no: int | None = None
    date: dt.date | None = None
    categories: list[str] = field(default_factory=list)
    link_announced: bool = False


def _meta_date(match: re.Match[str]) -> dt.date | None:
    day = match.group("day") or match.group("day2")
    month = match.group("mon") or match.group("mon2")
    year = match.group("year") or match.group("year2")
    parsed = _parse_day_month(day, month, year)
    if parsed is None:
        return None
    return _make_date(parsed[2], parsed[1], parsed[0])


def parse_meta_line(text: str) -> tuple[dt.date | None, list[str], str | None]:
    """Meta line: date, then "|" and comma-separated categories; a final name is the author."""
    match = _META_RE.match(text)
    if not match:
        return None, [], None
    parts = [p.strip() for p in (match.group("rest") or "").split(",") if p.strip()]
    author = parts.pop() if parts and _is_name_only(parts[-1]) else None
    return _meta_date(match), parts, author


_ANNOUNCED_LINK_RE = re.compile(
    r"\b(?:länk\w*|pdf\w*|bilaga\w*|dokument\w*|film\w*|klicka\w*)\b.*?\b(?:längst ne[dr]|nedan)\b",
    re.I,
)


def announces_link(text: str) -> bool:
    """A paragraph that promises a link or attachment at the bottom ("längst ner", "nedan")."""
    return bool(_ANNOUNCED_LINK_RE.search(text))


def split_posts(document: SourceDocument, editorial: Editorial) -> list[PostRecord]:
    """R3-R10: the posts of one document, before posts from several documents are merged."""
    name = document.name
    units = _join_long_quotes(_join_broken_sentences(_units(_lines(document.text))))
    kinds = _resolve_signatures([_classify(u) for u in units])
    kinds = [
        _kind_without_signature(u.text) if k == "?" else k
        for u, k in zip(units, kinds, strict=True)
    ]

    drafts: list[_Draft] = []
    closing = False  # after a signature, a board list or an announced link
    for index, (unit, kind) in enumerate(zip(units, kinds, strict=True)):
        source = f"{name}:{unit.lines[0]}"
        draft = drafts[-1] if drafts else None
        next_is_meta = index + 1 < len(kinds) and kinds[index + 1] == "meta"

        if draft is None:
            if kind != "short" and not _editorial_boundary(unit, kind, editorial):
                raise SeedError(
                    f"{name}: inget igenkännbart inlägg (rad {unit.lines[0]} är ingen rubrikrad)"
                )
            drafts.append(_Draft(name, unit.text, unit.lines[0]))
            closing = False
            continue

        if _starts_new_post(draft, unit, kind, closing, next_is_meta, editorial):
            drafts.append(_Draft(name, unit.text, unit.lines[0]))
            closing = False
            continue

        if kind == "meta" and draft.meta_line is None and not draft.blocks and not draft.authors:
            draft.meta_line, draft.meta_line_no = unit.text, unit.lines[0]
            draft.date, draft.categories, author = parse_meta_line(unit.text)
            if author:
                draft.authors.append(Byline(author, source=source, lines=[]))
            continue

        if kind == "signature":
            draft.authors = _add_byline(draft.authors, _byline(unit, source))
            closing = True
            continue

        block = _block(unit, kind, source)
        draft.blocks.append(block)
        if kind == "board":
            closing = True
        elif kind in ("link", "attachment"):
            closing = closing or draft.link_announced
        else:
            closing = False
        if block.kind == "paragraph" and announces_link(block.text):
            draft.link_announced = True

    if not drafts:
        raise SeedError(f"{name}: inget igenkännbart inlägg")
    return [_finish(draft, editorial) for draft in drafts]


def _editorial_boundary(unit: _Unit, kind: str, editorial: Editorial) -> bool:
    """R8: a single line that the editorial file marks with starts_post."""
    single_line = unit.kind == "text" and not unit.forced_quote and kind != "meta"
    return single_line and editorial.starts_post(unit.text)


def _starts_new_post(
    draft: _Draft, unit: _Unit, kind: str, closing: bool, next_is_meta: bool, editorial: Editorial
) -> bool:
    """R8: a new post starts with a short line after a signature, a board list or an
    announced link (``closing``), with a short line followed by a meta line, and with a
    line the editorial file names; never before the current post has any content."""
    if not (draft.blocks or draft.authors or draft.meta_line):
        return False
    if kind == "short" and (closing or next_is_meta):
        return True
    return _editorial_boundary(unit, kind, editorial)


def _byline(unit: _Unit, source: str) -> Byline:
    """A signature: "Namn, titel (foto: X)", "Namn" + "titel" on two lines, or a name alone."""
    if unit.kind == "signature2":
        name, printed = unit.text.split("\n", 1)
        return Byline(name, _clean_end(printed), None, source, list(unit.lines))
    match = _SIGNATURE_RE.match(unit.text)
    if not match:
        return Byline(unit.text.strip(), None, None, source, list(unit.lines))
    rest, credit, _kind = _strip_credit(match.group("rest"))
    return Byline(match.group("name"), _clean_end(rest) or None, credit, source, list(unit.lines))


def _add_byline(authors: list[Byline], byline: Byline) -> list[Byline]:
    """One byline per name: a printed title or a photo credit fills in what was missing."""
    for index, existing in enumerate(authors):
        if existing.name.casefold() == byline.name.casefold():
            keep, other = (
                (existing, byline) if existing.lines or not byline.lines else (byline, existing)
            )
            also_in = [*keep.also_in, *other.also_in]
            if other.lines and other.source not in also_in:
                also_in.append(other.source)
            authors[index] = Byline(
                existing.name,
                existing.printed_title or byline.printed_title,
                existing.photo_credit or byline.photo_credit,
                keep.source,
                keep.lines,
                also_in,
            )
            return authors
    return [*authors, byline]


def _block(unit: _Unit, kind: str, source: str) -> Block:
    """R9: turn a classified unit into a block."""
    lines = list(unit.lines)
    text = unit.text
    if kind == "list":
        return Block("list", text, source, lines, items=list(unit.items))
    if kind == "short":
        return Block("heading", text, source, lines)
    if kind == "caption":
        body, credit, credit_kind = _strip_credit(text)
        return Block("caption", body, source, lines, credit=credit, credit_kind=credit_kind)
    if kind == "attachment":
        return Block("link", text, source, lines, title=text, attachment=True)
    if kind == "link":
        return Block("link", text, source, lines, title=_link_title(text))
    if kind == "quote":
        body, attribution = split_quote(text)
        return Block("quote", body, source, lines, attribution=attribution)
    if kind == "board":
        match = _SIGNATURE_RE.match(text)
        person = match.group("name") if match else None
        return Block("paragraph", text, source, lines, person=person)
    return Block("paragraph", text, source, lines)


def _link_title(text: str) -> str:
    """The clickable words of a link line: from the cue to a parenthesis or the end."""
    match = _LINK_CUE_RE.search(text)
    title = text[match.start() :] if match else text
    title = title.split(" (", 1)[0]
    return _clean_end(title)


def split_quote(text: str) -> tuple[str, str | None]:
    """A quote's words and its attribution ("säger Namn, titel"), without the outer marks."""
    if text.startswith(DIALOGUE_DASHES):
        body = text[2:].strip()
        match = re.search(rf",? (?:{_SPEECH_VERBS}) ", body)
        if match and match.start() > 0:
            return _clean_end(body[: match.start()]), body[match.start() :].lstrip(", ").rstrip(".")
        return body, None
    opener = text[0]
    closers = CLOSING_FOR.get(opener, "")
    last = max((text.rfind(c) for c in closers), default=-1)
    if last <= 0:
        return text[1:].strip(), None
    body = text[1:last].strip()
    rest = text[last + 1 :].strip()
    attribution = rest.lstrip(",").strip().rstrip(".").strip() or None
    if attribution and not any(ch.isalpha() for ch in attribution):
        attribution = None
    return body, attribution


_FILM_MARK_RE = re.compile(r"\s*[–—-]\s*(?:film|video)\s*$", re.I)


def _finish(draft: _Draft, editorial: Editorial) -> PostRecord:
    """R10 and the post's own fields (slug, excerpt, date from meta line or editorial)."""
    blocks = list(draft.blocks)
    film = _FILM_MARK_RE.search(draft.title)
    if film:
        blocks.append(
            Block(
                "video",
                "",
                f"{draft.document}:{draft.title_line}",
                [],
                title=draft.title[: film.start()].strip(),
                derived=True,
            )
        )
    entry = editorial.for_title(draft.title)
    for block in blocks:
        if block.kind in ("link", "video") and entry:
            for key in (block.title or "", block.text):
                url = entry.links.get(title_key(key)) if key else None
                if url:
                    block.url, block.url_from_editorial = url, True
                    break
    category = draft.categories[0] if draft.categories else None
    return PostRecord(
        title=draft.title,
        slug_hint=slugify(draft.title),
        date=draft.date,
        date_from_editorial=False,
        category=category,
        authors=list(draft.authors),
        blocks=blocks,
        sources=[f"{draft.document}:{draft.title_line}"],
        excerpt=_excerpt(blocks),
        categories=list(draft.categories),
        date_source="meta" if draft.date else None,
        meta_line=draft.meta_line,
        meta_source=f"{draft.document}:{draft.meta_line_no}" if draft.meta_line_no else None,
    )


def _excerpt(blocks: list[Block], limit: int = 300) -> str | None:
    for block in blocks:
        if block.kind == "paragraph" and not block.person:
            text = block.text
            if len(text) <= limit:
                return text
            cut = text[:limit].rsplit(" ", 1)[0]
            return cut.rstrip(",;:– ") + " …"
    return None


# ---------------------------------------------------------------------------
# R11 Merging posts from several documents
# ---------------------------------------------------------------------------


def _richness(post: PostRecord) -> tuple[int, int, int, int, int]:
    titled = sum(1 for a in post.authors if a.printed_title)
    return (
        int(post.meta_line is not None),
        int(post.date is not None),
        int(bool(post.categories)),
        titled + len(post.authors),
        len(post.blocks),
    )


def _block_key(block: Block) -> tuple[str, str]:
    return block.kind, title_key(block.text or block.title or "")


def merge_posts(posts: list[PostRecord]) -> list[PostRecord]:
    """R11: one post per title; the richest version leads, nothing is lost."""
    groups: dict[str, list[PostRecord]] = {}
    for post in posts:
        groups.setdefault(title_key(post.title), []).append(post)
    merged: list[PostRecord] = []
    for versions in groups.values():
        lead = max(versions, key=_richness)  # max keeps the first of equals
        blocks = list(lead.blocks)
        authors = list(lead.authors)
        sources = list(lead.sources)
        for other in versions:
            if other is lead:
                continue
            blocks = _merge_blocks(blocks, other.blocks)
            for byline in other.authors:
                authors = _add_byline(authors, byline)
            sources.extend(s for s in other.sources if s not in sources)
        order = {s: i for i, s in enumerate(p.sources[0] for p in versions)}
        sources.sort(key=lambda s: order.get(s, len(order)))
        merged.append(
            PostRecord(
                title=lead.title,
                slug_hint=lead.slug_hint,
                date=lead.date,
                date_from_editorial=lead.date_from_editorial,
                category=lead.category,
                authors=authors,
                blocks=blocks,
                sources=sources,
                excerpt=_excerpt(blocks),
                categories=list(lead.categories),
                date_source=lead.date_source,
                meta_line=lead.meta_line,
                meta_source=lead.meta_source,
            )
        )
    return merged


def _merge_blocks(lead: list[Block], other: list[Block]) -> list[Block]:
    """Insert blocks only the other version has, right after the block they follow there."""
    merged = list(lead)
    keys = [_block_key(b) for b in merged]
    position = -1
    for block in other:
        key = _block_key(block)
        try:
            position = keys.index(key, position + 1)
        except ValueError:
            position += 1
            merged.insert(position, block)
            keys.insert(position, key)
    return merged


# ---------------------------------------------------------------------------
# R12 People
# ---------------------------------------------------------------------------


def parse_fss_role(text: str) -> RoleRecord | None:
    """An FSS role: "FSS ordförande", "Regionansvarig FSS Norr", "ledamot i FSS riksstyrelse".

    The role word becomes the title ("ledamot i riksstyrelsen" for board members);
    what remains after the FSS name and small words is the region ("Västregionen"
    and "region Väst" are both "Väst").
    """
    printed = _clean_end(text)
    lowered = printed.lower()
    role = next((w for w in _FSS_ROLE_WORDS if re.search(rf"\b{w}\b", lowered)), None)
    if role is None:
        return None
    rest = re.sub(rf"\b{role}\b", " ", printed, count=1, flags=re.I)
    national = bool(re.search(r"riksstyrelse", rest, re.I))
    rest = re.sub(r"(?i)\bföreningen sveriges socialchefer\b|\bFSS\b|\w*riksstyrelse\w*", " ", rest)
    rest = re.sub(r"(?i)\b(?:i|för|inom|på)\b", " ", rest)
    rest = re.sub(r"(?i)\bregion(?:en)?\b", " ", rest)
    rest = normalise_space(rest).strip(" ,.-")
    region = None
    if rest and not national:
        region = re.sub(r"-?regionen$", "", rest) or rest
    title = f"{role} i riksstyrelsen" if role == "ledamot" and national else role
    return RoleRecord(title=title, region=region, printed=printed)


def split_job(text: str) -> tuple[str | None, str | None, str | None, dt.date | None]:
    """A job: "Titel i Arbetsgivare, enhet" or "Titel, enhet, Arbetsgivare" (+ "(från datum)")."""
    since = None
    match = re.search(rf"\s*\(från (?:den )?([0-9]{{1,2}}) ({_MONTH_WORDS}) ([0-9]{{4}})\)", text)
    if match:
        parsed = _parse_day_month(match.group(1), match.group(2), match.group(3))
        since = _make_date(parsed[2], parsed[1], parsed[0]) if parsed else None
        text = text[: match.start()] + text[match.end() :]
    text = _clean_end(text)
    if not text:
        return None, None, None, since
    parts = [p.strip() for p in text.split(", ") if p.strip()]
    if not parts:
        return None, None, None, since
    if " i " in parts[0]:
        job, employer = parts[0].split(" i ", 1)
        unit = ", ".join(parts[1:]) or None
        return job.strip(), employer.strip(), unit, since
    job, rest = parts[0], parts[1:]
    if not rest:
        return job, None, None, since
    org_index = next(
        (i for i in range(len(rest) - 1, -1, -1) if _ORG_WORDS.search(rest[i])), len(rest) - 1
    )
    employer = rest[org_index]
    unit = ", ".join(rest[:org_index] + rest[org_index + 1 :]) or None
    return job, employer, unit, since


def split_title_phrase(text: str) -> tuple[list[RoleRecord], str | None]:
    """A printed title splits into FSS roles and one job phrase.

    "ordförande FSS Västregionen och ledamot i FSS riksstyrelse" is two roles;
    "vice ordförande i Föreningen Sveriges socialchefer och bitr. socialdirektör i
    Exempelby kommun" is a role and a job. A part joined by "och" or a comma starts
    a new phrase only if it starts with a role word or names FSS.
    """
    pieces = re.split(r"(, | och )", _clean_end(text))
    phrases: list[str] = []
    for index in range(0, len(pieces), 2):
        piece = pieces[index]
        separator = pieces[index - 1] if index else ""
        if phrases and not (_first_word_is_role(piece) or _FSS_MARKER.search(piece)):
            phrases[-1] += separator + piece
        else:
            phrases.append(piece)
    roles: list[RoleRecord] = []
    jobs: list[str] = []
    for phrase in phrases:
        role = parse_fss_role(phrase) if _FSS_MARKER.search(phrase) else None
        if role:
            roles.append(role)
        else:
            jobs.append(phrase)
    return roles, (", ".join(jobs) if jobs else None)


@dataclass
class BoardEntry:
    name: str
    roles: list[RoleRecord]
    job: str | None
    competence_areas: list[str]
    place: str | None
    day_names: list[str]
    preliminary: bool


def parse_board_entry(text: str) -> BoardEntry | None:
    """A board-list entry, in its parts: name, roles, job, competence areas, days present."""
    match = _SIGNATURE_RE.match(text)
    if not match:
        return None
    name, rest = match.group("name"), match.group("rest")
    attendance = _ATTENDANCE_RE.search(rest)
    place, day_names, preliminary = None, [], False
    if attendance:
        place = attendance.group("place")
        preliminary = bool(attendance.group("prel"))
        day_names = expand_days(attendance.group("days"))
        rest = (rest[: attendance.start()] + rest[attendance.end() :]).strip()
    areas: list[str] = []
    label = _BOARD_LABEL_RE.search(rest)
    if label:
        area_text = rest[label.end() :]
        rest = rest[: label.start()]
        areas = [_clean_end(a) for a in area_text.split(", ") if _clean_end(a)]
    roles: list[RoleRecord] = []
    jobs: list[str] = []
    for sentence in split_sentences(rest):
        sentence = _clean_end(sentence)
        if not sentence:
            continue
        if _FSS_MARKER.search(sentence) and not jobs:
            sentence_roles, job = split_title_phrase(sentence)
            roles.extend(sentence_roles)
            if job:
                jobs.append(job)
        else:
            jobs.append(sentence)
    job = ". ".join(jobs) if jobs else None
    return BoardEntry(name, roles, job, areas, place, day_names, preliminary)


def expand_days(text: str) -> list[str]:
    """Days present: "tisdag till lördag" is a range, "tisdag och onsdag" a list."""
    names = re.findall(_WEEKDAY_WORDS, text)
    if len(names) == 2 and re.search(r" till |[–-]", text):
        first, last = WEEKDAYS[names[0]], WEEKDAYS[names[1]]
        span = [(first + step) % 7 for step in range((last - first) % 7 + 1)]
        by_number = {number: word for word, number in WEEKDAYS.items()}
        return [by_number[number] for number in span]
    return names


@dataclass
class _JobFact:
    job_title: str | None
    employer: str | None
    unit: str | None
    since: dt.date | None
    year: int | None
    priority: int  # 2 board list, 1 signature
    order: int


def _post_year(post: PostRecord, editorial: Editorial) -> int | None:
    """The year a post speaks of: a year in its title, its date, or the editorial year."""
    match = re.search(r"\b(19[0-9]{2}|20[0-9]{2})\b", post.title)
    if match:
        return int(match.group(1))
    if post.date:
        return post.date.year
    entry = editorial.for_title(post.title)
    return entry.year if entry and entry.year else None


_CONTACT_RE = re.compile(r"\bkontakta\b|\bmaila\b|\bhör av (?:dig|er)\b", re.I)


def collect_people(
    posts: list[PostRecord], editorial: Editorial
) -> tuple[list[PersonRecord], list[str]]:
    """R12 and R13: people from bylines and board lists, and the topics."""
    people: dict[str, PersonRecord] = {}
    facts: dict[str, list[_JobFact]] = {}
    topics: dict[str, str] = {}
    order = 0

    def person(name: str) -> PersonRecord:
        key = name.casefold()
        if key not in people:
            people[key] = PersonRecord(name, [], None, None, [], False, False, None, [])
            facts[key] = []
        return people[key]

    def add_roles(record: PersonRecord, roles: list[RoleRecord]) -> None:
        for role in roles:
            if role not in record.fss_roles:
                record.fss_roles.append(role)

    for post in posts:
        year = post.date.year if post.date else None
        contact = any(_CONTACT_RE.search(b.text) for b in post.blocks if b.kind == "paragraph")
        for byline in post.authors:
            record = person(byline.name)
            for source in (byline.source, *byline.also_in):
                if source not in record.sources:
                    record.sources.append(source)
            if not byline.printed_title:
                continue
            roles, job = split_title_phrase(byline.printed_title)
            add_roles(record, roles)
            if job:
                order += 1
                title, employer, unit, since = split_job(job)
                facts[byline.name.casefold()].append(
                    _JobFact(title, employer, unit, since, year, 1, order)
                )
        board_year = _post_year(post, editorial)
        for block in post.blocks:
            entry = parse_board_entry(block.text) if block.person else None
            if entry is None:
                continue
            record = person(entry.name)
            if block.source not in record.sources:
                record.sources.append(block.source)
            add_roles(record, entry.roles)
            record.spokesperson = record.spokesperson or contact
            for area in entry.competence_areas:
                shown = topics.setdefault(area.casefold(), display_name(area))
                if shown not in record.competence_areas:
                    record.competence_areas.append(shown)
            if entry.job:
                order += 1
                title, employer, unit, since = split_job(entry.job)
                facts[entry.name.casefold()].append(
                    _JobFact(title, employer, unit, since, board_year, 2, order)
                )

    for key, record in people.items():
        record.board_member = bool(record.fss_roles)
        if facts[key]:
            best = max(
                facts[key], key=lambda f: (f.year is not None, f.year or 0, f.priority, f.order)
            )
            record.job_title, record.employer = best.job_title, best.employer
            record.unit, record.job_since = best.unit, best.since
            record.year_of_job_fact = best.year
    return list(people.values()), list(topics.values())


# ---------------------------------------------------------------------------
# R14 Events
# ---------------------------------------------------------------------------

_GATHERING_RE = re.compile(
    r"\b(?:\w*seminari\w*|föreläsning\w*|konferens\w*|webbinari\w*|workshop\w*|dialog\w*|"
    r"panelsamtal\w*|mötet|möte|årsmöte\w*|frukostmöte\w*|temadag\w*)\b",
    re.I,
)
_ORGANISED_RE = re.compile(
    r"\b(?:anordnade|anordnat|anordnades|arrangerade|arrangerat|arrangerades|bjöd in|"
    r"bjudit in|bjuder in|ordnade)\b",
    re.I,
)
_DATE_PHRASE_RE = re.compile(
    rf"\bden ([0-9]{{1,2}}) ({_MONTH_WORDS})\b(?: ([0-9]{{4}})\b)?",
    re.I,
)
_ORGANISING_VERBS = r"(?:bjöd in|bjudit in|bjuder in|anordnade|anordnat|arrangerade|arrangerat)"
_TODAY_RE = re.compile(r"\bi ?dag\b", re.I)


def _sentences_of(post: PostRecord, kinds: tuple[str, ...] = ("paragraph",)) -> list[str]:
    return [
        sentence
        for block in post.blocks
        if block.kind in kinds and not block.person
        for sentence in split_sentences(block.text)
    ]


def find_gathering(post: PostRecord) -> str | None:
    """The sentence that says someone organised a seminar, lecture, meeting or the like."""
    for sentence in _sentences_of(post):
        if _GATHERING_RE.search(sentence) and _ORGANISED_RE.search(sentence):
            return sentence
    return None


def _split_names(text: str) -> list[str]:
    return [_clean_end(p) for p in re.split(r", | och ", text) if _clean_end(p)]


def _left_clause(text: str) -> str | None:
    """The organisation named just before a verb: the text after the last clause word."""
    clause = re.split(r"(?:, | när | då | att | som | där )", text)[-1]
    clause = re.sub(r" (?:hade|har|som)$", "", clause.strip())
    return clause if clause[:1].isupper() else None


def find_organisers(sentence: str) -> list[str]:
    """Organisers: "A tillsammans med B bjöd in", "seminarium som A, B och C anordnade",
    "anordnades av A", "A bjöd in till …"."""
    verbs = rf"(?:hade |har )?{_ORGANISING_VERBS}"
    match = re.search(rf"^(?P<left>.+?) tillsammans med (?P<right>.+?) {verbs}\b", sentence)
    if match:
        left = _left_clause(match.group("left"))
        return [name for name in (left, _clean_end(match.group("right"))) if name]
    match = re.search(rf"\b(?:{_GATHERING_RE.pattern}) som (?P<orgs>.+?) {verbs}\b", sentence)
    if match:
        return _split_names(match.group("orgs"))
    match = re.search(r"\b(?:anordnades|arrangerades) av (?P<orgs>.+?)(?:[.(]|$)", sentence)
    if match:
        return _split_names(match.group("orgs"))
    match = re.search(rf"^(?P<left>.+?) {verbs}\b", sentence)
    if match:
        left = _left_clause(match.group("left"))
        return [left] if left else []
    return []


_PEOPLE_IN_PHOTO_RE = re.compile(r"^(?:Från vänster(?: till höger)?|Fr\.?v\.?)\s*:\s*", re.I)
_NAMED_PERSON_RE = re.compile(
    rf"(?:^|(?<=\. )|(?<=, )|(?<= och ))(?P<name>{FULL_NAME})(?: \((?P<party>[A-ZÅÄÖ]{{1,3}})\))?, "
)


def people_in_caption(text: str) -> list[ParticipantRecord]:
    """People in a photo: "Från vänster till höger: Namn, titel. Namn, titel …"."""
    lead = _PEOPLE_IN_PHOTO_RE.match(text)
    if not lead:
        return []
    body = text[lead.end() :]
    matches = list(_NAMED_PERSON_RE.finditer(body))
    found: list[ParticipantRecord] = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(body)
        title = body[match.end() : end]
        title = split_sentences(title)[0] if title.strip() else ""
        title = re.sub(r" och$", "", _clean_end(title.split(" – ")[0])).strip()
        if match.group("party"):
            title = f"{title} ({match.group('party')})".strip()
        found.append(ParticipantRecord(match.group("name"), title or None, "participant"))
    return found


_SPEAKER_RES = (
    (
        re.compile(
            rf"\b(?:inleddes|öppnades|avslutades|invigdes) av (?P<name>{FULL_NAME})"
            r"(?:, (?P<title>.+))?"
        ),
        "speaker",
    ),
    (
        re.compile(rf"\bföreläs\w* med (?P<name>{FULL_NAME})(?: \((?P<title>[^)]+)\))?"),
        "speaker",
    ),
    (re.compile(rf"\bmodererades av (?P<name>{FULL_NAME})(?:, (?P<title>.+))?"), "moderator"),
    (re.compile(rf"\(moderator (?P<name>{FULL_NAME})(?:, (?P<title>[^)]+))?\)"), "moderator"),
)


def find_participants(post: PostRecord) -> list[ParticipantRecord]:
    """Speakers ("inleddes av Namn, titel"), moderators ("(moderator Namn, titel)") and the
    people in a "Från vänster till höger:" caption."""
    found: list[ParticipantRecord] = []
    for block in post.blocks:
        if block.kind == "caption":
            found.extend(people_in_caption(block.text))
            continue
        if block.kind not in ("paragraph", "link") or block.person:
            continue
        for sentence in split_sentences(block.text):
            for pattern, part in _SPEAKER_RES:
                for match in pattern.finditer(sentence):
                    title = match.group("title")
                    title = _clean_end(title) if title else None
                    found.append(ParticipantRecord(match.group("name"), title, part))
    unique: dict[str, ParticipantRecord] = {}
    for participant in found:
        key = participant.name.casefold()
        if key not in unique or unique[key].part == "participant":
            unique[key] = participant
    return list(unique.values())


def find_event_date(post: PostRecord, gathering: str) -> tuple[int, int, int | None, str] | None:
    """The gathering's date: "den 3 mars 2021" in its sentence, else the post's first one."""
    for text in (gathering, *_sentences_of(post)):
        match = _DATE_PHRASE_RE.search(text)
        if match:
            parsed = _parse_day_month(match.group(1), match.group(2), match.group(3))
            if parsed:
                return parsed[0], parsed[1], parsed[2], match.group(0)
    return None


def _resolve_days(
    names: list[str], start: dt.date | dt.datetime | None, end: dt.date | dt.datetime | None
) -> list[dt.date]:
    if start is None:
        return []
    first = start.date() if isinstance(start, dt.datetime) else start
    last = end.date() if isinstance(end, dt.datetime) else (end or first)
    days: list[dt.date] = []
    for name in names:
        day = first
        while day <= last and day.weekday() != WEEKDAYS[name]:
            day += dt.timedelta(days=1)
        if day > last:
            return []
        days.append(day)
    return days


@dataclass
class _Report:
    editorial_facts: list[str] = field(default_factory=list)
    needs_editor: list[str] = field(default_factory=list)

    def fact(self, line: str) -> None:
        if line not in self.editorial_facts:
            self.editorial_facts.append(line)

    def need(self, line: str) -> None:
        if line not in self.needs_editor:
            self.needs_editor.append(line)


def _q(text: str) -> str:
    """Quote a title in a report line (’…’ when the title holds ”…” itself)."""
    return f"’{text}’" if "”" in text else f"”{text}”"


def board_event(post: PostRecord, editorial: Editorial, report: _Report) -> EventRecord | None:
    """R14: a board list with days present ("Är i Visby tisdag till lördag")."""
    entries = [parse_board_entry(b.text) for b in post.blocks if b.person]
    entries = [e for e in entries if e and e.day_names]
    if not entries:
        return None
    entry = editorial.for_title(post.title)
    title = entry.event_title if entry and entry.event_title else post.title
    start = entry.event_start if entry else None
    end = entry.event_end if entry else None
    from_editorial: list[str] = []
    if entry and entry.event_title:
        from_editorial.append("title")
    if start is not None:
        from_editorial += ["start", "end"] if end is not None else ["start"]
        shown = f"{start.isoformat()} – {end.isoformat()}" if end else start.isoformat()
        report.fact(f"Datum för evenemanget {_q(title)}: {shown} {_from_editorial(entry)}")
    else:
        report.need(f"Evenemanget {_q(title)}: datum saknas (event_start/event_end)")
    attendance: list[AttendanceRecord] = []
    for board in entries:
        days = _resolve_days(board.day_names, start, end)
        if start is not None and not days:
            report.need(f"Evenemanget {_q(title)}: dagarna för {board.name} ryms inte i datumen")
        attendance.append(AttendanceRecord(board.name, days, board.preliminary, board.day_names))
    places = [b.place for b in entries if b.place]
    return EventRecord(
        title=title,
        start=start,
        end=end,
        all_day=not isinstance(start, dt.datetime),
        organisers=[],
        participants=[],
        attendance=attendance,
        post_title=post.title,
        facts_from_editorial=from_editorial,
        location=max(places, key=places.count) if places else None,
    )


def seminar_event(post: PostRecord, editorial: Editorial, report: _Report) -> EventRecord | None:
    """R14: a report of an organised seminar (or lecture, meeting …) with a date."""
    gathering = find_gathering(post)
    if gathering is None:
        return None
    entry = editorial.for_title(post.title)
    found = find_event_date(post, gathering)
    from_editorial: list[str] = []
    start: dt.date | dt.datetime | None = None
    end: dt.date | dt.datetime | None = None
    date_text = None
    if found:
        day, month, year, date_text = found
        if year is None and entry and entry.year:
            year = entry.year
            from_editorial.append("year")
            report.fact(
                f"Årtalet {year} för {_q(date_text)} i {_q(post.title)} {_from_editorial(entry)}"
            )
        start = _make_date(year, month, day)
        if start is None:
            report.need(f"{_q(post.title)}: årtal saknas för {_q(date_text)}")
    elif entry and entry.event_start:
        start, end = entry.event_start, entry.event_end
        from_editorial += ["start", "end"] if end else ["start"]
        shown = f"{start.isoformat()} – {end.isoformat()}" if end else start.isoformat()
        report.fact(f"Datum för evenemanget i {_q(post.title)}: {shown} {_from_editorial(entry)}")
    else:
        report.need(
            f"{_q(post.title)}: beskriver ett evenemang men texten anger inget datum "
            "(event_start i editorial.toml gör det till ett evenemang)"
        )
        return None
    title = entry.event_title if entry and entry.event_title else post.title
    if entry and entry.event_title:
        from_editorial.append("title")
    if start is not None and end is None:
        end = start
    if start is not None and not post.date and _TODAY_RE.search(gathering):
        # R14: "anordnade idag" dates the report on the seminar's day.
        post.date = start if not isinstance(start, dt.datetime) else start.date()
        post.date_source = "event"
        post.date_from_editorial = bool(from_editorial)
        if from_editorial:
            report.fact(
                f"Publiceringsdatum {post.date.isoformat()} för {_q(post.title)}: seminariets "
                "dag (”idag”), med årtalet från editorial.toml"
            )
    return EventRecord(
        title=title,
        start=start,
        end=end,
        all_day=not isinstance(start, dt.datetime),
        organisers=find_organisers(gathering),
        participants=find_participants(post),
        attendance=[],
        post_title=post.title,
        facts_from_editorial=from_editorial,
        date_text=date_text,
    )


# ---------------------------------------------------------------------------
# R15-R16 Editorial facts and what needs an editor
# ---------------------------------------------------------------------------


def apply_editorial_date(post: PostRecord, editorial: Editorial, report: _Report) -> None:
    """R15: a publication date from the editorial file, only where the text gives none."""
    entry = editorial.for_title(post.title)
    if entry is None or entry.date is None:
        return
    if post.date is None:
        post.date, post.date_from_editorial, post.date_source = entry.date, True, "editorial"
        report.fact(
            f"Publiceringsdatum {entry.date.isoformat()} för {_q(post.title)} "
            f"{_from_editorial(entry)}"
        )
    elif post.date != entry.date:
        report.need(
            f"{_q(post.title)}: editorial.toml anger {entry.date.isoformat()} men texten "
            f"{post.date.isoformat()}; textens datum används"
        )


def _from_editorial(entry: EditorialPost | None) -> str:
    """The tail of an editorial-fact line, with the file's note if there is one."""
    if entry and entry.note:
        return f"(från editorial.toml: {entry.note})"
    return "(från editorial.toml)"


def _report_post(post: PostRecord, report: _Report) -> None:
    """R16: what each post still lacks."""
    if post.date is None:
        report.need(f"{_q(post.title)}: publiceringsdatum saknas")
    for block in post.blocks:
        if block.kind == "video" and not block.url:
            report.need(f"{_q(post.title)}: filmens adress saknas")
        elif block.kind == "link" and block.attachment and not block.url:
            report.need(f"{_q(post.title)}: bilagan {_q(block.title or block.text)} saknas")
        elif block.kind == "link" and not block.url:
            report.need(f"{_q(post.title)}: länkadress saknas för {_q(block.title or block.text)}")
        elif block.kind == "link" and block.url_from_editorial:
            report.fact(
                f"Länkadress för {_q(block.title or block.text)} i {_q(post.title)} "
                "(från editorial.toml)"
            )
        if block.kind == "caption" and (block.credit or "").casefold() in _UNNAMED_CREDITS:
            report.need(
                f"{_q(post.title)}: fotografens namn saknas i bildtexten "
                f"(angiven som {_q(block.credit or '')})"
            )
    for byline in post.authors:
        if byline.photo_credit and byline.photo_credit.casefold() in _UNNAMED_CREDITS:
            report.need(f"{_q(post.title)}: fotografens namn saknas för bilden av {byline.name}")


# ---------------------------------------------------------------------------
# The whole parse
# ---------------------------------------------------------------------------


def parse(documents: list[SourceDocument], editorial: Editorial) -> ParseResult:
    """Parse all documents: posts (merged), people, events, topics and the two reports."""
    if not documents:
        raise SeedError("inga dokument att läsa")
    report = _Report()
    drafts: list[PostRecord] = []
    for document in documents:
        drafts.extend(split_posts(document, editorial))
    posts = merge_posts(drafts)

    known = {title_key(p.title) for p in posts}
    for entry in editorial.posts:
        if title_key(entry.title) not in known:
            report.need(f"editorial.toml: uppgiften om {_q(entry.title)} passar inget inlägg")
        elif entry.starts_post:
            report.fact(
                f"Inläggsgräns: {_q(entry.title)} börjar ett nytt inlägg (från editorial.toml)"
            )

    events: list[EventRecord] = []
    for post in posts:
        apply_editorial_date(post, editorial, report)
        event = board_event(post, editorial, report) or seminar_event(post, editorial, report)
        if event:
            post.event_title = event.title
            events.append(event)
        _report_post(post, report)
    people, topics = collect_people(posts, editorial)
    return ParseResult(
        posts=posts,
        people=people,
        events=events,
        topics=topics,
        editorial_facts=report.editorial_facts,
        needs_editor=report.needs_editor,
    )
