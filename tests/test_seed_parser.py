"""Tests for the seed parser (pure standard library, no Django needed)."""

from __future__ import annotations

import datetime as dt
import pathlib
import re
import tempfile
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seeds.parser import (
    Block,
    Editorial,
    ParseResult,
    PostRecord,
    RoleRecord,
    SeedError,
    SourceDocument,
    collect_documents,
    expand_days,
    is_short_line,
    load_editorial,
    parse,
    parse_fss_role,
    parse_meta_line,
    read_document,
    split_job,
    split_posts,
    split_quote,
    title_key,
)

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds" / "data"
SAMPLES = pathlib.Path(__file__).resolve().parent / "seed_samples"

SEED_TITLES = [
    "Håller tillitsfönstret på att stängas?",
    "Professionellt och politiskt ledarskap",
    "Tillgänglig socialtjänst förebygger sociala problem",
    "Socialtjänsten inte en del av kriminalpolitiken",
    "Hade varit en kioskvältare för omställningen i välfärden",
    "Vi kan inte informera bort tillitsbristen",
    "FSS i Almedalen 2023",
    "Socialtjänstministern: ”Ny socialtjänstlag 2024”",
    "Varför hatkampanj mot socialtjänsten?",
    "Första och andra linjens socialtjänst – FILM",
    "En rörelse mot ökad tillit",
    "Tillit till professionen ska ge en bättre socialtjänst",
]
BOARD = ["Monica Persson", "Lina Blombergsson", "Jonas Hampus", "Helena Åhman"]


@pytest.fixture(scope="module")
def editorial() -> Editorial:
    return load_editorial()


@pytest.fixture(scope="module")
def documents():
    return collect_documents([SEEDS])


@pytest.fixture(scope="module")
def result(documents, editorial) -> ParseResult:
    return parse(documents, editorial)


def post(result: ParseResult, title: str) -> PostRecord:
    found = [p for p in result.posts if p.title == title]
    assert len(found) == 1, title
    return found[0]


def person(result: ParseResult, name: str):
    found = [p for p in result.people if p.name == name]
    assert len(found) == 1, name
    return found[0]


def event_of(result: ParseResult, post_title: str):
    found = [e for e in result.events if e.post_title == post_title]
    assert len(found) == 1, post_title
    return found[0]


def kinds_of(p: PostRecord, kind: str) -> list[Block]:
    return [b for b in p.blocks if b.kind == kind]


# ---------------------------------------------------------------------------
# Posts from the seeds
# ---------------------------------------------------------------------------


def test_seeds_give_exactly_the_twelve_posts(result):
    assert [p.title for p in result.posts] == SEED_TITLES


def test_duplicated_post_is_merged_with_its_meta_line_and_both_sources(result):
    p = post(result, "Håller tillitsfönstret på att stängas?")
    assert p.date == dt.date(2022, 10, 24)
    assert p.date_source == "meta"
    assert p.date_from_editorial is False
    assert p.category == "Första linjens socialtjänst"
    assert [a.name for a in p.authors] == ["Anna Burston"]
    byline = p.authors[0]
    assert byline.printed_title == "verksamhetschef socialpsykiatri, Lunds kommun"
    assert byline.photo_credit == "Frozentime"
    assert [s.split(":")[0] for s in p.sources] == [
        "000_9acfffa0942b203c.txt",
        "001_1a8d852827748338.txt",
    ]
    assert byline.also_in == ["001_1a8d852827748338.txt:88"]
    headings = [b.text for b in kinds_of(p, "heading")]
    assert headings == [
        "Bra känsla men orosmolnen hopar sig",
        "Ska socialtjänsten användas som ett hot?",
        "Framgångsrecept för högt förtroende",
        "Från lösningsfokus till lyssningsfokus",
    ]
    assert len(kinds_of(p, "paragraph")) == 14
    links = kinds_of(p, "link")
    assert [(b.title, b.url) for b in links] == [("Läs om de sju tillitsprinciperna", None)]
    assert p.blocks[-1] is links[0]


def test_subheadings_stay_subheadings(result):
    expected = {
        "Hade varit en kioskvältare för omställningen i välfärden": [
            "För snävt fokus?",
            "Begreppen går igen",
            "Vill samma sak",
        ],
        "Varför hatkampanj mot socialtjänsten?": [
            "Tillitsbrist",
            "Ohållbara strukturer och bristande integration",
            "Så vad behöver vi göra i samhället och i socialtjänsten?",
        ],
        "En rörelse mot ökad tillit": [
            "Cynism – naivitet",
            "Ledarskapets betydelse",
            "Samlar goda idéer",
            "Medskick till övriga",
        ],
    }
    for title, headings in expected.items():
        assert [b.text for b in kinds_of(post(result, title), "heading")] == headings
    for title in SEED_TITLES[1:4] + SEED_TITLES[5:8] + SEED_TITLES[9:10] + SEED_TITLES[11:]:
        assert kinds_of(post(result, title), "heading") == [], title


def test_broken_sentence_is_one_paragraph(result):
    p = post(result, "En rörelse mot ökad tillit")
    joined = [b for b in p.blocks if b.text.startswith("I de intensiva diskussioner")]
    assert len(joined) == 1
    assert joined[0].kind == "paragraph"
    assert joined[0].text.startswith("I de intensiva diskussioner som följde på Louise")
    assert joined[0].lines == [23, 25]


def test_bullet_lists(result):
    lists = kinds_of(post(result, "En rörelse mot ökad tillit"), "list")
    assert [len(b.items) for b in lists] == [5, 4]
    assert lists[0].items[2] == (
        "Delaktighet, medskapande och passion i arbetet behövs. Gemensamma arenor ska användas "
        "för dialog, lärande och pådrivning på alla nivåer i verksamheten"
    )
    assert lists[1].items == [
        "Fortsätt håll koll och fokus på kärnverksamheten.",
        "Utmana – var modiga och starka.",
        "Ta fram/använd konkreta verktyg även för ”att ta bort”, belys motverkande regler som "
        "hindrar.",
        "Ta offentlig plats.",
    ]


def test_captions_keep_their_credits(result):
    captions = [(b.credit, b.credit_kind) for p in result.posts for b in kinds_of(p, "caption")]
    assert captions == [
        ("privat", "foto"),
        ("Kerstin Öhman", "foto"),
        ("Kerstin Öhman", "foto"),
        ("Fredrik Persson", "foto"),
        ("bringselius.se", "foto från"),
    ]
    caption = kinds_of(post(result, "En rörelse mot ökad tillit"), "caption")[0]
    assert caption.text == "Louise Bringselius är forskningsledare i Tillitsdelegationen."


def test_quotes_and_attributions(result):
    podcast = kinds_of(
        post(result, "Tillit till professionen ska ge en bättre socialtjänst"), "quote"
    )
    assert [q.attribution for q in podcast] == [
        "säger Anna Lexelius, huvudsekreterare i Tillitsdelegationen, till Camilla Sköld i "
        "Socialtjänstpodden",
        "fortsätter Anna Lexelius",
        "säger Lexelius",
    ]
    assert podcast[0].text.startswith("Sverige har gått ganska långt")
    assert podcast[0].text.endswith("dokumentationssamhälle")
    dn = kinds_of(post(result, "Tillgänglig socialtjänst förebygger sociala problem"), "quote")
    assert len(dn) == 1  # one quotation over two paragraphs
    assert dn[0].lines == [24, 26]
    assert "\n\n– Vi vill införa första och andra linjens socialtjänst" in dn[0].text
    minister = kinds_of(post(result, SEED_TITLES[7]), "quote")
    assert minister[0].text.startswith("FSS lyfte behovet")
    assert minister[0].attribution.startswith("säger FSS vice ordförande Lina Blombergsson")
    last = kinds_of(post(result, "En rörelse mot ökad tillit"), "quote")
    assert last[0].text.endswith("ny socialtjänstlag!") and last[0].attribution is None


def test_links_attachment_and_film(result):
    dn = post(result, "Tillgänglig socialtjänst förebygger sociala problem")
    attachment = dn.blocks[-1]
    assert (attachment.kind, attachment.attachment, attachment.title, attachment.url) == (
        "link",
        True,
        "Tillgänglig socialtjänst DN 2022-11-21",
        None,
    )
    seminar_link = post(result, SEED_TITLES[7]).blocks[-1]
    assert (seminar_link.kind, seminar_link.title) == ("link", "Här kan du se hela seminariet")
    film = post(result, "Första och andra linjens socialtjänst – FILM")
    assert [b.kind for b in film.blocks] == ["paragraph", "video"]
    assert film.blocks[1].derived and film.blocks[1].url is None
    assert film.blocks[1].title == "Första och andra linjens socialtjänst"


def test_bylines_as_printed(result):
    bylines = {p.title: [(a.name, a.printed_title) for a in p.authors] for p in result.posts}
    burston = ("Anna Burston", "verksamhetschef socialpsykiatri, Lunds kommun")
    assert bylines["Professionellt och politiskt ledarskap"] == [
        ("Anna Burston", "ordförande FSS Skåneregionen och ledamot i FSS riksstyrelse")
    ]
    assert bylines["Socialtjänsten inte en del av kriminalpolitiken"] == [burston]
    assert bylines["Hade varit en kioskvältare för omställningen i välfärden"] == [burston]
    assert bylines["Varför hatkampanj mot socialtjänsten?"] == [
        (
            "Lina Blombergsson",
            "vice ordförande i Föreningen Sveriges socialchefer och bitr. socialdirektör i "
            "Huddinge kommun",
        )
    ]
    unsigned = [t for t, b in bylines.items() if not b]
    assert unsigned == [SEED_TITLES[i] for i in (2, 5, 6, 7, 9, 10, 11)]


def test_dates_and_their_origin(result):
    dates = {p.title: (p.date, p.date_source, p.date_from_editorial) for p in result.posts}
    assert dates[SEED_TITLES[0]] == (dt.date(2022, 10, 24), "meta", False)
    assert dates[SEED_TITLES[2]] == (dt.date(2022, 11, 21), "editorial", True)
    # "anordnade idag" + "den 7 december" + the editorial year 2022
    assert dates[SEED_TITLES[7]] == (dt.date(2022, 12, 7), "event", True)
    undated = [t for t, (d, _s, _e) in dates.items() if d is None]
    assert len(undated) == 9


def test_slug_and_excerpt(result):
    p = post(result, SEED_TITLES[7])
    assert p.slug_hint == "socialtjanstministern-ny-socialtjanstlag-2024"
    assert p.excerpt.startswith("Vi välkomnar att socialtjänstminister")
    almedalen = post(result, "FSS i Almedalen 2023")
    assert almedalen.excerpt.startswith("FSS utvecklar morgondagens välfärd.")


# ---------------------------------------------------------------------------
# Nothing dropped, nothing duplicated
# ---------------------------------------------------------------------------

_CREDIT_WORDS = re.compile(r"\((?:foto|bild)(?::|\s+från)", re.I)


def tokens(text: str) -> list[str]:
    return re.findall(r"\w+", _CREDIT_WORDS.sub("(", text).casefold())


def contains(haystack: list[str], needle: list[str]) -> bool:
    size = len(needle)
    return any(haystack[i : i + size] == needle for i in range(len(haystack) - size + 1))


def block_text(block: Block) -> str:
    parts = [block.text, *block.items, block.attribution, block.credit, block.title]
    return " ".join(p for p in parts if p)


def holders(post_record: PostRecord):
    """Every record part that carries source text: (document, line numbers, text)."""
    document, title_line = post_record.sources[0].rsplit(":", 1)
    yield document, {int(title_line)}, post_record.title
    if post_record.meta_source:
        yield document, {int(post_record.meta_source.rsplit(":", 1)[1])}, post_record.meta_line
    for block in post_record.blocks:
        if not block.derived:
            yield block.source.rsplit(":", 1)[0], set(block.lines), block_text(block)
    for byline in post_record.authors:
        if byline.lines:
            text = " ".join(filter(None, [byline.name, byline.printed_title, byline.photo_credit]))
            yield byline.source.rsplit(":", 1)[0], set(byline.lines), text


def source_lines(document: SourceDocument):
    for number, line in enumerate(document.text.split("\n"), 1):
        if line.strip():
            yield number, line


@pytest.mark.parametrize("folder", [SEEDS, SAMPLES])
def test_every_source_line_is_in_exactly_one_block(folder, editorial):
    for document in collect_documents([folder]):
        parts = [h for p in split_posts(document, editorial) for h in holders(p)]
        for number, line in source_lines(document):
            owners = [
                text for doc, lines, text in parts if doc == document.name and number in lines
            ]
            assert len(owners) == 1, (document.name, number, line)
            assert contains(tokens(owners[0]), tokens(line)), (document.name, number, line)
        claimed = Counter((doc, n) for doc, lines, _t in parts for n in lines)
        assert all(count == 1 for count in claimed.values())
        assert len(claimed) == sum(1 for _ in source_lines(document))


def test_merge_keeps_each_block_once(documents, editorial, result):
    versions = [p for d in documents for p in split_posts(d, editorial)]
    assert len(versions) == 13  # one post is in two files
    merged = {title_key(p.title): p for p in result.posts}
    for version in versions:
        target = merged[title_key(version.title)]
        keys = Counter((b.kind, b.text) for b in target.blocks)
        for block in version.blocks:
            assert keys[(block.kind, block.text)] == 1, (version.title, block.text[:40])
    everywhere = Counter((b.kind, b.text) for p in result.posts for b in p.blocks if not b.derived)
    assert max(everywhere.values()) == 1


# ---------------------------------------------------------------------------
# People and topics
# ---------------------------------------------------------------------------


def test_people_are_the_board_members_and_authors(result):
    assert sorted(p.name for p in result.people) == sorted([*BOARD, "Anna Burston"])
    assert all(p.board_member for p in result.people)
    assert [p.name for p in result.people if p.spokesperson] == BOARD
    external = {"Camilla Waltersson Grönvall", "Louise Bringselius", "Anna Lexelius"}
    assert external.isdisjoint(p.name for p in result.people)


def test_board_list_people(result):
    monica = person(result, "Monica Persson")
    assert monica.fss_roles == [RoleRecord("ordförande")]
    assert (monica.job_title, monica.employer, monica.unit) == (
        "Socialdirektör",
        "Karlstad kommun",
        None,
    )
    assert monica.competence_areas == ["Barn och ungdom", "Arbetsmarknadsfrågor", "Socialpsykiatri"]
    assert monica.year_of_job_fact == 2023

    jonas = person(result, "Jonas Hampus")
    assert jonas.fss_roles == [RoleRecord("regionansvarig", "Gävle/Dala")]
    assert (jonas.job_title, jonas.employer, jonas.unit) == (
        "Sektionschef",
        "Falu kommun",
        "Sektion bistånd, kvalitet och utveckling",
    )
    assert jonas.competence_areas == ["Äldreomsorg", "Kvalitets- och utvecklingsfrågor"]

    helena = person(result, "Helena Åhman")
    assert helena.fss_roles == [RoleRecord("ledamot i riksstyrelsen")]
    assert (helena.job_title, helena.employer, helena.unit) == (
        "Förvaltningschef",
        "Solna stad",
        "vård och omsorg",
    )
    assert helena.job_since == dt.date(2023, 6, 19)
    assert helena.competence_areas == ["Äldreomsorg", "Funktionshinderomsorg"]


def test_newest_job_wins_and_roles_are_kept(result):
    lina = person(result, "Lina Blombergsson")
    assert lina.fss_roles == [RoleRecord("vice ordförande")]  # board list and signature agree
    assert (lina.job_title, lina.employer, lina.unit) == (
        "Avdelningschef stadsövergripande sociala frågor",
        "Stockholms stad",
        "socialförvaltningen",
    )
    assert lina.year_of_job_fact == 2023
    assert lina.competence_areas == [
        "IFO",
        "Kvalitets- och utvecklingsfrågor",
        "Samverkan",
        "Bostadsfrågor",
        "Våld i nära relation",
    ]
    assert [s.split(":")[1] for s in lina.sources] == ["29", "95"]

    anna = person(result, "Anna Burston")
    assert anna.fss_roles == [
        RoleRecord("ordförande", "Skåne"),
        RoleRecord("ledamot i riksstyrelsen"),
    ]
    assert (anna.job_title, anna.employer, anna.year_of_job_fact) == (
        "verksamhetschef socialpsykiatri",
        "Lunds kommun",
        2022,
    )
    assert anna.competence_areas == []
    assert len(anna.sources) == 5


def test_topics_are_merged_case_insensitively(result):
    assert result.topics == [
        "Barn och ungdom",
        "Arbetsmarknadsfrågor",
        "Socialpsykiatri",
        "IFO",
        "Kvalitets- och utvecklingsfrågor",
        "Samverkan",
        "Bostadsfrågor",
        "Våld i nära relation",
        "Äldreomsorg",
        "Funktionshinderomsorg",
    ]


# ---------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------


def test_three_events(result):
    assert [e.post_title for e in result.events] == [SEED_TITLES[i] for i in (6, 7, 10)]
    assert [p.event_title for p in result.posts if p.event_title] == [
        SEED_TITLES[i] for i in (6, 7, 10)
    ]


def test_almedalen_week(result):
    week = event_of(result, "FSS i Almedalen 2023")
    assert (week.start, week.end, week.all_day) == (dt.date(2023, 6, 25), dt.date(2023, 7, 1), True)
    assert week.location == "Almedalen"
    assert week.facts_from_editorial == ["start", "end"]
    june = dt.date(2023, 6, 1)

    def days(*numbers):
        return [june + dt.timedelta(days=n - 1) for n in numbers]

    attendance = {a.name: (a.days, a.preliminary) for a in week.attendance}
    assert attendance == {
        "Monica Persson": (days(27, 28, 29, 30, 31), False),
        "Lina Blombergsson": (days(27, 28), False),
        "Jonas Hampus": (days(28, 29), True),
        "Helena Åhman": (days(27, 28, 29), False),
    }
    assert attendance["Monica Persson"][0][-1] == dt.date(2023, 7, 1)


def test_seminar_2017(result):
    seminar = event_of(result, "En rörelse mot ökad tillit")
    assert (seminar.start, seminar.end, seminar.all_day) == (
        dt.date(2017, 4, 21),
        dt.date(2017, 4, 21),
        True,
    )
    assert seminar.facts_from_editorial == []
    assert seminar.organisers == ["FSS region Skåne", "FOU, Kommunförbundet Skåne"]
    assert [(p.name, p.title_at_time, p.part) for p in seminar.participants] == [
        (
            "Louise Bringselius",
            "inbjuden forskningsledare i Tillitsdelegationen och docent vid Lunds universitet",
            "speaker",
        )
    ]


def test_minister_seminar(result):
    seminar = event_of(result, SEED_TITLES[7])
    assert seminar.start == dt.date(2022, 12, 7)
    assert seminar.facts_from_editorial == ["year"]
    assert seminar.organisers == [
        "Vision",
        "SKR",
        "Akademikerförbundet SSR",
        "Föreningen Sveriges socialchefer",
        "Bris",
    ]
    parts = {p.name: (p.title_at_time, p.part) for p in seminar.participants}
    assert list(parts) == [
        "Veronica Magnusson",
        "Arion Chryssafis",
        "Heike Erkers",
        "Anna Dorrian Werner",
        "Lina Blombergsson",
        "Camilla Waltersson Grönvall",
        "Fredrik Lundh Sammeli",
        "Monica Engström",
        "Caroline Cederquist",
    ]
    assert parts["Camilla Waltersson Grönvall"] == ("socialtjänstminister", "participant")
    assert parts["Fredrik Lundh Sammeli"] == (
        "vice ordförande i socialutskottet (S)",
        "participant",
    )
    assert parts["Caroline Cederquist"] == ("presschef Vision", "moderator")
    assert "Fredrik Persson" not in parts  # the photographer


# ---------------------------------------------------------------------------
# Editorial facts and the editor's list
# ---------------------------------------------------------------------------


def test_editorial_facts_are_reported(result):
    facts = result.editorial_facts
    assert len(facts) == 5
    assert all("editorial.toml" in line for line in facts)
    assert any("Inläggsgräns" in line and "FSS i Almedalen 2023" in line for line in facts)
    assert any("Publiceringsdatum 2022-11-21" in line for line in facts)
    assert any("2023-06-25 – 2023-07-01" in line for line in facts)
    assert any("Årtalet 2022" in line and "den 7 december" in line for line in facts)
    assert any("Publiceringsdatum 2022-12-07" in line for line in facts)


def test_needs_editor(result):
    needs = result.needs_editor
    assert sum("publiceringsdatum saknas" in line for line in needs) == 9
    assert any("Läs om de sju tillitsprinciperna" in line for line in needs)
    assert any("bilagan" in line and "DN 2022-11-21" in line for line in needs)
    assert any("Här kan du se hela seminariet" in line for line in needs)
    assert any("filmens adress saknas" in line for line in needs)
    assert any("privat" in line for line in needs)
    assert not any("http" in b.url for p in result.posts for b in p.blocks if b.url)


def test_without_editorial_file_the_gaps_stay_empty(documents):
    bare = parse(documents, Editorial.empty())
    titles = [p.title for p in bare.posts]
    assert "FSS i Almedalen 2023" not in titles and len(titles) == 11
    previous = post(bare, "Vi kan inte informera bort tillitsbristen")
    assert "FSS i Almedalen 2023" in [b.text for b in kinds_of(previous, "heading")]
    minister = event_of(bare, SEED_TITLES[7])
    assert minister.start is None and minister.facts_from_editorial == []
    assert post(bare, SEED_TITLES[7]).date is None
    assert post(bare, SEED_TITLES[2]).date is None
    assert bare.editorial_facts == []
    assert any("årtal saknas" in line for line in bare.needs_editor)
    # Without the boundary the board list sits in a post whose title names no year.
    assert person(bare, "Jonas Hampus").year_of_job_fact is None


def test_editorial_entry_matching_no_post_is_reported(documents, tmp_path):
    path = tmp_path / "editorial.toml"
    path.write_text('[[post]]\ntitle = "Finns inte"\ndate = 2020-01-01\n', encoding="utf-8")
    res = parse(documents, load_editorial(path))
    assert any("Finns inte" in line for line in res.needs_editor)


def test_editorial_link_address_is_used_and_reported(tmp_path):
    doc = SourceDocument("a.txt", "Rubrik\n\nEtt stycke.\n\nLäs om principerna.\n")
    path = tmp_path / "e.toml"
    path.write_text(
        '[[post]]\ntitle = "Rubrik"\nlinks = { "Läs om principerna" = "https://example.org/p" }\n',
        encoding="utf-8",
    )
    res = parse([doc], load_editorial(path))
    link = res.posts[0].blocks[-1]
    assert (link.url, link.url_from_editorial) == ("https://example.org/p", True)
    assert any("Länkadress" in line for line in res.editorial_facts)


# ---------------------------------------------------------------------------
# Documents of our own in the same format
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def samples(editorial) -> ParseResult:
    return parse(collect_documents([SAMPLES]), editorial)


def test_samples_posts(samples):
    assert [p.title for p in samples.posts] == [
        "FSS i Almedalen 2025",
        "Nytt nätverk för ekonomer",
        "Ny modell för hemtjänst",
        "Digitala nattbesök",
        "Kort om hösten",
        "Seminarium om barnrätt",
        "Webbinarium om ny lag",
    ]
    first = post(samples, "Ny modell för hemtjänst")
    assert (first.date, first.category, first.authors[0].name) == (
        dt.date(2024, 3, 3),
        "Äldreomsorg",
        "Karin Ek",
    )
    assert [b.kind for b in first.blocks] == [
        "paragraph",
        "heading",
        "paragraph",
        "list",
        "caption",
        "quote",
        "paragraph",
    ]
    assert first.blocks[0].text.startswith("Kommunerna i länet")  # non-breaking space
    assert first.blocks[2].text.startswith("Planeringen sker nu i små team som själva")
    second = post(samples, "Digitala nattbesök")  # starts at a meta line after a paragraph
    assert (second.date, second.category) == (dt.date(2024, 4, 12), "Teknik")
    assert [(a.name, a.printed_title) for a in second.authors] == [
        ("Karin Ek", "socialchef, Exempelby kommun")
    ]


def test_samples_people(samples):
    karin = person(samples, "Karin Ek")
    assert karin.fss_roles == [RoleRecord("regionansvarig", "Norrbotten")]
    # The 2025 board list beats the 2024 signature.
    assert (karin.job_title, karin.employer, karin.year_of_job_fact) == (
        "Förvaltningschef",
        "Norrby stad",
        2025,
    )
    per = person(samples, "Per Holm")
    assert per.fss_roles == [RoleRecord("kassör"), RoleRecord("ledamot i riksstyrelsen")]
    assert (per.job_title, per.unit, per.employer) == (
        "Avdelningschef",
        "vuxenenheten",
        "Norrby stad",
    )
    assert samples.topics == ["Missbruk", "Äldreomsorg", "Ekonomi"]
    lisa = person(samples, "Lisa Berg")
    assert not lisa.board_member and lisa.fss_roles == []


def test_samples_events(samples, tmp_path):
    week = event_of(samples, "FSS i Almedalen 2025")
    assert week.start is None
    assert [(a.name, a.days, a.day_names, a.preliminary) for a in week.attendance] == [
        ("Karin Ek", [], ["måndag", "fredag"], False),
        ("Per Holm", [], ["onsdag", "torsdag", "fredag"], True),
    ]
    seminar = event_of(samples, "Seminarium om barnrätt")
    assert seminar.start == dt.date(2021, 3, 3)
    assert seminar.organisers == ["FSS region Väst", "Länsstyrelsen"]
    assert [(p.name, p.part) for p in seminar.participants] == [
        ("Eva Lund", "speaker"),
        ("Omar Said", "participant"),
        ("Lisa Berg", "moderator"),
    ]
    webinar = event_of(samples, "Webbinarium om ny lag")
    assert webinar.start is None and webinar.date_text == "Den 12 oktober"
    assert webinar.organisers == ["Vision", "SKR", "FSS"]

    path = tmp_path / "e.toml"
    path.write_text(
        '[[post]]\ntitle = "FSS i Almedalen 2025"\nevent_start = 2025-06-22\nevent_end = '
        '2025-06-28\n\n[[post]]\ntitle = "Webbinarium om ny lag"\nyear = 2024\n',
        encoding="utf-8",
    )
    dated = parse(collect_documents([SAMPLES]), load_editorial(path))
    week = event_of(dated, "FSS i Almedalen 2025")
    assert [a.days for a in week.attendance] == [
        [dt.date(2025, 6, 23), dt.date(2025, 6, 27)],
        [dt.date(2025, 6, 25), dt.date(2025, 6, 26), dt.date(2025, 6, 27)],
    ]
    assert event_of(dated, "Webbinarium om ny lag").start == dt.date(2024, 10, 12)


def test_code_names_no_seed_title_person_or_file():
    code = (ROOT / "seeds" / "parser.py").read_text(encoding="utf-8")
    names = [*SEED_TITLES, *BOARD, "Anna Burston", "Almedalen", "Bringselius", "Waltersson"]
    names += ["Skåne", "Gävle", "Huddinge", "Karlstad", "Lund", "Frozentime", "Tillitsdeleg"]
    names += [p.stem for p in SEEDS.glob("*.txt")]
    for name in names:
        assert name not in code, name


# ---------------------------------------------------------------------------
# Small rules
# ---------------------------------------------------------------------------


def test_small_rules():
    assert is_short_line("För snävt fokus?")
    assert not is_short_line("Tanken är inte att man ska sluta.")
    assert not is_short_line("som följde på presentationen")
    assert parse_meta_line("okt 24, 2022 | Första linjens socialtjänst, Anna Burston") == (
        dt.date(2022, 10, 24),
        ["Första linjens socialtjänst"],
        "Anna Burston",
    )
    assert expand_days("tisdag till lördag") == ["tisdag", "onsdag", "torsdag", "fredag", "lördag"]
    assert expand_days("tisdag och onsdag") == ["tisdag", "onsdag"]
    assert expand_days("fredag till måndag") == ["fredag", "lördag", "söndag", "måndag"]
    assert parse_fss_role("ordförande FSS Skåneregionen") == RoleRecord("ordförande", "Skåne")
    assert parse_fss_role("FSS region Skåne ordförande") == RoleRecord("ordförande", "Skåne")
    assert parse_fss_role("vice ordförande i Föreningen Sveriges socialchefer") == RoleRecord(
        "vice ordförande"
    )
    assert split_job("bitr. socialdirektör i Huddinge kommun") == (
        "bitr. socialdirektör",
        "Huddinge kommun",
        None,
        None,
    )
    assert split_quote("– Vi vill, säger Anna Ek, chef.") == ("Vi vill", "säger Anna Ek, chef")


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------


def test_read_document_errors(tmp_path):
    with pytest.raises(SeedError, match="saknas.txt: filen saknas"):
        read_document(tmp_path / "saknas.txt")
    empty = tmp_path / "tom.txt"
    empty.write_text(" \n\n", encoding="utf-8")
    with pytest.raises(SeedError, match="tom.txt: tom fil"):
        read_document(empty)
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"Rubrik\x00\x01")
    with pytest.raises(SeedError, match="bin.txt: binär fil"):
        read_document(binary)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Rubrik för år".encode("latin-1"))
    with pytest.raises(SeedError, match="latin.txt: inte UTF-8"):
        read_document(latin)
    with pytest.raises(SeedError, match="är ingen fil"):
        read_document(tmp_path)
    bom = tmp_path / "bom.txt"
    bom.write_bytes("\ufeffRubrik\r\n\r\nText.\r\n".encode())
    assert read_document(bom).text.startswith("Rubrik")


def test_collect_documents_errors(tmp_path):
    with pytest.raises(SeedError, match="inga .txt-dokument"):
        collect_documents([tmp_path])
    with pytest.raises(SeedError, match="filen saknas"):
        collect_documents([tmp_path / "nej.txt"])


@pytest.mark.parametrize(
    "toml, message",
    [
        ("[[post]\n", "ogiltig TOML"),
        ('[[post]]\ntitle = "A"\ncolour = 1\n', "unknown key 'colour'"),
        ("[[post]]\ndate = 2020-01-01\n", "'title'"),
        ('[[post]]\ntitle = "A"\ndate = "igår"\n', "'date' must be"),
        ('[[post]]\ntitle = "A"\nevent_end = 2020-01-01\n', "needs 'event_start'"),
        ('[[post]]\ntitle = "A"\nevent_start = 2020-01-02\nevent_end = 2020-01-01\n', "before"),
        ('[[post]]\ntitle = "A"\nyear = 22\n', "'year'"),
        ("other = 1\n", "unknown top-level key"),
    ],
)
def test_load_editorial_errors(tmp_path, toml, message):
    path = tmp_path / "e.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(SeedError, match=re.escape(message)):
        load_editorial(path)


def test_load_editorial_missing(tmp_path):
    with pytest.raises(SeedError, match="saknas"):
        load_editorial(tmp_path / "nej.toml")


def test_document_without_post():
    with pytest.raises(SeedError, match=r"x.txt: inget igenkännbart inlägg"):
        parse(
            [SourceDocument("x.txt", "bara en mening i gemener som inte är en rubrik.")],
            Editorial(),
        )
    with pytest.raises(SeedError, match="inga dokument"):
        parse([], Editorial())


# ---------------------------------------------------------------------------
# Arbitrary input: a ParseResult or a SeedError, nothing else
# ---------------------------------------------------------------------------

FRAGMENTS = [
    "Rubrik utan punkt",
    "okt 24, 2022 | Kategori, Anna Ek",
    "feb 31, 2022 | Kategori",
    "Ett vanligt stycke med en mening.",
    "som fortsätter meningen.",
    "  • punkt ett",
    "Anna Ek, socialchef, Lunds kommun (foto: X)",
    "Anna Ek",
    "ordförande FSS Skåneregionen",
    "Karin Ek, FSS ordförande. Chef i X kommun. Särskilda kompetensområden: a, b. "
    "Är i Visby tisdag till lördag.",
    "Från vänster till höger: Anna Ek, chef. Per Holm (S), ledamot. (Foto: Y)",
    "FSS tillsammans med SKR bjöd in till ett seminarium den 31 februari 2020.",
    "seminarium som A, B och C anordnade idag den 7 december",
    "”öppnar ett citat",
    "– dialog, säger Anna Ek.",
    "Läs om något.",
    "Dokument 2022-11-21",
    "Film – FILM",
    "(länk längst ner)",
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40)), min_size=1, max_size=12),
    st.sampled_from(["\n\n", "\n", "\r\n\r\n", "\u00a0\n"]),
)
def test_arbitrary_text_never_crashes(pieces, separator):
    text = separator.join(pieces)
    try:
        res = parse([SourceDocument("h.txt", text)], Editorial())
    except SeedError as error:
        assert "\n" not in str(error)
    else:
        assert isinstance(res, ParseResult) and res.posts


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash(data):
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "b.txt"
        path.write_bytes(data)
        try:
            res = parse([read_document(path)], Editorial())
        except SeedError:
            pass
        else:
            assert isinstance(res, ParseResult)
