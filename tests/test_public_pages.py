"""The public pages: what visitors, journalists and event organisers see on each page type."""

import datetime
import json
from urllib.parse import quote, urlencode

import pytest
from django.test import RequestFactory
from django.utils import timezone
from django.utils.text import slugify
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blog.models import (
    BlogPage,
    Category,
    PositionPage,
    PositionRelatedEvent,
    PositionRelatedPost,
)
from events.models import EventPage
from fss_site.seo import json_ld_script
from fss_site.templatetags.fss_tags import (
    event_when_text,
    iso_date,
    optional_url,
    swedish_date,
)
from people.models import PersonRole
from tests.public_content import make_event, make_post, module_content_fixture, publish
from tests.public_html import page, parse

pytestmark = pytest.mark.django_db

content = module_content_fixture()


def ld(document):
    (data,) = document.json_ld
    return data


def main_links(document):
    return [e.attrs.get("href") for e in document.find("a") if "main" in e.ancestors]


def card_titles(document):
    """Titles of the listed items (cards), in order."""
    return [
        " ".join(e.text.split())
        for e in document.elements
        if e.tag in {"h2", "h3", "h4"} and e.attrs.get("class") == "card__title"
    ]


# --- Home ----------------------------------------------------------------------------------


def test_home_gathers_posts_positions_events_and_spokesperson_finder(client, content):
    _response, doc = page(client, "/")
    headings = [text for _level, text in doc.headings]
    for heading in ["Hitta en talesperson", "Senaste inläggen", "Aktuella ståndpunkter"]:
        assert heading in headings
    assert "Kommande evenemang" in headings
    links = main_links(doc)
    assert content.post.url in links
    assert content.elderly_position.url in links
    assert content.old_position.url not in links  # superseded positions are not current
    assert content.almedalen.url in links
    assert content.seminar.url not in links  # past events are not upcoming
    (finder,) = [f for f in doc.find("form") if f.attrs.get("action") == content.tree.people.url]
    assert finder.attrs.get("method") == "get"
    options = [e.attrs.get("value") for e in doc.find("option")]
    # Competence areas of spokespeople only (Cecilia, the law expert, is not one).
    assert set(options) == {"", "barn-och-unga", "aldreomsorg"}


def test_home_declares_the_website_with_a_search_action(client, content):
    _response, doc = page(client, "/")
    data = ld(doc)
    assert data["@type"] == "WebSite"
    target = data["potentialAction"]["target"]["urlTemplate"]
    assert target == "http://localhost/sok/?q={search_term_string}"
    assert data["potentialAction"]["query-input"] == "required name=search_term_string"


# --- Blog listing --------------------------------------------------------------------------


def test_blog_lists_newest_first_with_swedish_dates_bylines_and_reading_time(client, content):
    _response, doc = page(client, "/blogg/")
    titles = [text for level, text in doc.headings if level == 2]
    assert titles[:3] == [
        "Barnen först",
        "Håller tillitsfönstret på att stängas?",
        "Lagen och praktiken",
    ]
    assert "24 oktober 2022" in doc.main_text
    assert "1 mars 2023" in doc.main_text
    days = [e.attrs.get("datetime") for e in doc.find("time")]
    assert {"2022-10-24", "2023-03-01"} <= set(days)
    assert "3 min läsning" in doc.main_text
    assert (
        "Av Bertil Berg, förvaltningschef i Gävle och Anna Andersson, socialchef i Lund"
        in doc.main_text
    )
    assert content.bertil.url in main_links(doc)
    assert "/blogg/kategori/forsta-linjens-socialtjanst/" in main_links(doc)
    assert ld(doc)["@type"] == "CollectionPage"


def _add_posts(content, count):
    for i in range(count):
        make_post(
            content.tree,
            f"Äldre inlägg {i}",
            f"aldre-inlagg-{i}",
            date=datetime.date(2010, 1, 1 + i),
            authors=[(content.anna, "")],
        )


def test_blog_paginates_and_rejects_bad_page_numbers(client, content):
    _add_posts(content, 10)  # 13 posts: two pages of ten
    _response, first = page(client, "/blogg/")
    assert len(card_titles(first)) == 10
    assert first.canonical == "http://localhost/blogg/"
    next_links = [e.attrs["href"] for e in first.find("a") if e.attrs.get("rel") == "next"]
    assert next_links == ["?page=2"]
    _response, second = page(client, "/blogg/?page=2")
    assert card_titles(second) == ["Äldre inlägg 2", "Äldre inlägg 1", "Äldre inlägg 0"]
    assert second.canonical == "http://localhost/blogg/?page=2"
    assert "Sida 2 av 2" in second.main_text
    for bad in ["abc", "0", "-1", "3", "99999", "1.5", "１", "9" * 40]:
        page(client, "/blogg/?" + urlencode({"page": bad}), status=404)


def test_blog_filters_are_bookmarkable_routes(client, content):
    first, second, third = (
        "Håller tillitsfönstret på att stängas?",
        "Barnen först",
        "Lagen och praktiken",
    )
    cases = {
        "/blogg/kategori/forsta-linjens-socialtjanst/": [second, first],
        "/blogg/amne/socialtjanstlagen/": [first, third],
        "/blogg/tagg/tillit/": [first],
        "/blogg/tagg/förvaltningsdag/": [first],
        "/blogg/skribent/bertil-berg/": [second],
        "/blogg/2021/": [third],
    }
    for url, expected in cases.items():
        _response, doc = page(client, quote(url))
        assert card_titles(doc) == expected, url
        assert doc.canonical == "http://localhost" + url
        assert len([1 for level, _t in doc.headings if level == 1]) == 1
    _response, doc = page(client, "/blogg/kategori/forsta-linjens-socialtjanst/")
    assert doc.headings[0] == (1, "Blogg: Kategori Första linjens socialtjänst")
    _response, doc = page(client, "/blogg/")
    links = main_links(doc)
    for url in ["/blogg/kategori/forsta-linjens-socialtjanst/", "/blogg/amne/aldreomsorg/"]:
        assert url in links
    assert {"/blogg/2023/", "/blogg/2022/", "/blogg/2021/"} <= set(links)
    _response, doc = page(client, "/blogg/1999/")
    assert "Det finns inga inlägg här ännu." in doc.main_text


def test_a_filter_lists_the_row_that_has_its_slug_now(client, content):
    """A category removed and made again under the same slug (an editor's undo): its
    listing shows the new category's posts, although each process keeps the listing's SQL
    (with the category's id in it) from the first view."""
    url = "/blogg/kategori/nyheter/"
    Category.objects.create(name="Annat", slug="annat")  # the new row gets another id
    old = Category.objects.create(name="Nyheter", slug="nyheter")
    make_post(content.tree, "Gammal nyhet", "gammal-nyhet", category=old)
    _response, doc = page(client, url)
    assert card_titles(doc) == ["Gammal nyhet"]
    BlogPage.objects.get(slug="gammal-nyhet").delete()
    old.delete()
    new = Category.objects.create(name="Nyheter", slug="nyheter")
    assert new.pk != old.pk
    make_post(content.tree, "Ny nyhet", "ny-nyhet", category=new)
    _response, doc = page(client, url)
    assert card_titles(doc) == ["Ny nyhet"]


def test_blog_filters_with_unknown_values_are_404(client, content):
    for url in [
        "/blogg/kategori/finns-inte/",
        "/blogg/amne/finns-inte/",
        "/blogg/tagg/finns-inte/",
        "/blogg/skribent/finns-inte/",
        "/blogg/skribent/dold-person/",  # unpublished person
        "/blogg/kategori/",
        "/blogg/12345/",
    ]:
        page(client, url, status=404)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    params=st.dictionaries(
        st.sampled_from(["page", "q", "amne", "region", "dag", "typ", "x"]) | st.text(max_size=8),
        st.text(max_size=60) | st.integers(-10, 10**12).map(str),
        max_size=4,
    ),
    path=st.sampled_from(
        [
            "/blogg/",
            "/blogg/kategori/forsta-linjens-socialtjanst/",
            "/blogg/2022/",
            "/standpunkter/",
            "/talespersoner/",
            "/kalendarium/",
            "/kalendarium/tidigare/",
            "/amne/aldreomsorg/",
        ]
    ),
)
def test_odd_query_strings_never_break_listings(client, content, params, path):
    response = client.get(path + "?" + urlencode(params))
    # A NUL character is refused before any page reads it (tests/test_bad_input.py).
    nul = any("\x00" in key + value for key, value in params.items())
    assert response.status_code in ({400} if nul else {200, 404})


# --- Blog post -----------------------------------------------------------------------------


def test_post_shows_date_byline_reading_time_and_real_subheadings(client, content):
    _response, doc = page(client, content.post.url)
    assert doc.headings[0] == (1, "Håller tillitsfönstret på att stängas?")
    assert (2, "Bra känsla men orosmolnen hopar sig") in doc.headings
    assert (3, "Länkar") in doc.headings
    (time,) = [e for e in doc.find("time") if e.attrs.get("datetime") == "2022-10-24"][:1]
    assert time.text == "24 oktober 2022"
    (byline,) = doc.find("p", class_="byline")
    assert " ".join(byline.text.split()) == "Av Anna Andersson, socialchef i Lund"
    assert content.anna.url in main_links(doc)
    assert "3 min läsning" in doc.main_text


def test_post_shows_captions_with_credit_and_attachments_without_dead_links(client, content):
    _response, doc = page(client, content.post.url)
    captions = [" ".join(e.text.split()) for e in doc.find("figcaption")]
    assert "Förvaltningsdag i Lund (foto: Fotograf Foto)" in captions
    (caption,) = doc.find("p", class_="caption")
    assert " ".join(caption.text.split()) == "Bilden saknas men texten finns (foto: Okänd fotograf)"
    (missing,) = doc.find("p", class_="attachment attachment--missing")
    assert missing.text == "Tillitsdelegationens principer"
    link_texts = [e.text for e in doc.find("a")]
    assert "Tillitsdelegationens principer" not in link_texts
    assert "https://example.org/utredning" in main_links(doc)
    images = doc.find("img")
    assert [i.attrs.get("alt") for i in images if "main" in i.ancestors] == [
        "Medarbetare vid ett bord"
    ]


def test_post_links_event_topics_tags_and_ranks_related_posts_by_shared_topics(client, content):
    _response, doc = page(client, content.post.url)
    links = main_links(doc)
    assert content.almedalen.url in links
    assert "/amne/aldreomsorg/" in links
    assert "/blogg/tagg/tillit/" in links
    related = [e.attrs["href"] for e in doc.find("a") if "section" in e.ancestors]
    # "Barnen först" shares two topics, "Lagen och praktiken" one.
    assert related == [content.post_two.url, content.post_three.url]


def test_related_posts_are_ranked_among_the_newest_that_share_a_topic(client, content, monkeypatch):
    shared_topic = list(content.post.topics.all())[-1]
    newest = make_post(
        content.tree, "Nyast", "nyast", date=datetime.date(2030, 1, 2), topics=[shared_topic]
    )

    def related():
        _response, doc = page(client, content.post.url)
        return [e.attrs["href"] for e in doc.find("a") if "section" in e.ancestors]

    # Two shared topics outrank one, however new.
    assert related()[:2] == [content.post_two.url, newest.url]
    # Only the newest candidates are ranked: with one, the older post gives way.
    monkeypatch.setattr(BlogPage, "RELATED_CANDIDATES", 1)
    assert related() == [newest.url]


def test_undated_post_and_position_are_dated_by_the_stockholm_day_of_publication(client, content):
    # 23:30 in UTC on 29 February is half past midnight on 1 March in Stockholm.
    published = datetime.datetime(2024, 2, 29, 23, 30, tzinfo=datetime.UTC)
    post = make_post(
        content.tree, "Sent publicerat", "sent-publicerat", first_published_at=published
    )
    assert post.date is None and post.first_published_at == published
    _response, doc = page(client, post.url)
    dates = {e.attrs.get("datetime"): e.text for e in doc.find("time")}
    assert dates.get("2024-03-01") == "1 mars 2024"
    assert "2024-02-29" not in dates
    assert ld(doc)["datePublished"] == "2024-03-01"
    _response, blog = page(client, "/blogg/")
    card_dates = {e.attrs.get("datetime") for e in blog.find("time")}
    assert "2024-03-01" in card_dates and "2024-02-29" not in card_dates
    # A position without an adoption date: its structured data dates it the same way.
    position = publish(
        content.tree.positions,
        PositionPage(
            title="Sent publicerad ståndpunkt",
            slug="sent-publicerad",
            statement="FSS tycker till.",
            first_published_at=published,
        ),
    )
    _response, doc = page(client, position.url)
    assert ld(doc)["datePublished"] == "2024-03-01"


def test_post_by_an_unpublished_person_names_them_without_a_link(client, content):
    post = make_post(content.tree, "Gästinlägg", "gastinlagg", authors=[(content.hidden, "gäst")])
    _response, doc = page(client, post.url)
    (byline,) = doc.find("p", class_="byline")
    assert " ".join(byline.text.split()) == "Av Dold Person, gäst"
    assert content.hidden.url not in main_links(doc)
    assert ld(doc)["author"] == [{"@type": "Person", "name": "Dold Person"}]


def test_post_json_ld_is_a_blog_posting(client, content):
    _response, doc = page(client, content.post.url)
    data = ld(doc)
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == "Håller tillitsfönstret på att stängas?"
    assert data["datePublished"] == "2022-10-24"
    assert data["author"] == [
        {
            "@type": "Person",
            "name": "Anna Andersson",
            "url": "http://localhost/talespersoner/anna-andersson/",
        }
    ]
    assert data["articleSection"] == "Första linjens socialtjänst"
    assert {"Äldreomsorg", "Barn och unga", "Socialtjänstlagen", "Tillit"} <= set(data["keywords"])
    assert doc.meta(prop="og:type") == "article"
    assert doc.meta(name="description") == "Socialtjänsten står inför en ny socialtjänstlag."


def test_json_ld_cannot_be_broken_out_of(client, content):
    title = 'Slut </script><script>alert("x")</script> & <!-- mer'
    post = make_post(content.tree, title, "farlig-titel", excerpt="<b>fet</b> & ”citat”")
    response, doc = page(client, post.url)
    html = response.content.decode()
    script = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in script and ">" not in script and "&" not in script
    assert ld(doc)["headline"] == title
    assert ld(doc)["description"] == "<b>fet</b> & ”citat”"
    assert "<script>alert" not in html
    direct = json_ld_script({"name": "</script>"})
    assert direct == '<script type="application/ld+json">{"name":"\\u003c/script\\u003e"}</script>'


def test_search_description_wins_over_the_excerpt(client, content):
    post = make_post(
        content.tree,
        "Med beskrivning",
        "med-beskrivning",
        excerpt="Ingressen.",
        search_description="Beskrivningen för sökmotorer.",
    )
    _response, doc = page(client, post.url)
    assert doc.meta(name="description") == "Beskrivningen för sökmotorer."
    assert doc.meta(prop="og:description") == "Beskrivningen för sökmotorer."


# --- Positions -----------------------------------------------------------------------------


def test_positions_are_grouped_by_topic_and_superseded_ones_link_their_successor(client, content):
    _response, doc = page(client, "/standpunkter/")
    h2 = [text for level, text in doc.headings if level == 2]
    assert h2 == ["Ämnen", "Socialtjänstlagen", "Äldreomsorg", "Ersatta ståndpunkter"]
    h3 = [text for level, text in doc.headings if level == 3]
    # "Ny socialtjänstlag" has two topics, so it is under both; the superseded one last.
    assert h3 == [
        "Ny socialtjänstlag",
        "Äldreomsorgens bemanning",
        "Ny socialtjänstlag",
        "Äldre ståndpunkt om lagen",
    ]
    (superseded,) = doc.find("li", class_="card card--superseded")
    assert "Ersatt av Ny socialtjänstlag" in " ".join(superseded.text.split())
    assert "Remissvar till Socialdepartementet (dnr S2020/09876)" in doc.main_text


def test_superseded_position_says_so_and_links_its_successor(client, content):
    _response, doc = page(client, content.old_position.url)
    assert "Den här ståndpunkten är ersatt och gäller inte längre." in doc.main_text
    assert content.position.url in main_links(doc)
    assert ld(doc)["@type"] == "Article"
    assert ld(doc)["creativeWorkStatus"] == "Ersatt"
    _response, successor = page(client, content.position.url)
    assert content.old_position.url in main_links(successor)


def test_consultation_response_shows_authority_reference_deadline_and_pdf(client, content):
    _response, doc = page(client, content.position.url)
    facts = dict(zip(doc.text_of("dt"), doc.text_of("dd"), strict=True))
    assert facts == {
        "Remissinstans": "Socialdepartementet",
        "Diarienummer": "S2020/09876",
        "Sista svarsdag": "1 februari 2023",
    }
    assert content.document.url in main_links(doc)
    data = ld(doc)
    assert data["@type"] == "Article"
    assert data["datePublished"] == "2023-01-15"
    assert data["headline"] == "Ny socialtjänstlag"


def test_a_position_shows_its_related_posts_and_events_in_the_editors_order(client, content):
    older = make_post(
        content.tree, "Äldre om lagen", "aldre-om-lagen", date=datetime.date(2020, 1, 1)
    )
    newer = make_post(
        content.tree, "Nyare om lagen", "nyare-om-lagen", date=datetime.date(2024, 1, 1)
    )
    first = make_event(content.tree, "Första mötet", "forsta-motet", start=timezone.now())
    later = make_event(
        content.tree,
        "Senare mötet",
        "senare-motet",
        start=timezone.now() + datetime.timedelta(days=9),
    )
    position = publish(
        content.tree.positions,
        PositionPage(
            title="Ordnad ståndpunkt",
            slug="ordnad-standpunkt",
            statement="Kort.",
            related_post_links=[PositionRelatedPost(post=p) for p in (older, newer)],
            related_event_links=[PositionRelatedEvent(event=e) for e in (later, first)],
        ),
    )
    _response, doc = page(client, position.url)
    titles = [text for level, text in doc.headings if level == 3]
    assert titles == [older.title, newer.title, later.title, first.title]


# --- People --------------------------------------------------------------------------------


def _names(doc):
    return [text for level, text in doc.headings if level == 3]


def test_people_lists_board_then_spokespeople(client, content):
    _response, doc = page(client, "/talespersoner/")
    h2 = [text for level, text in doc.headings if level == 2]
    assert h2 == ["Hitta en talesperson", "Styrelsen", "Talespersoner"]
    # The chair first; unpublished people never.
    assert _names(doc) == ["Anna Andersson", "Cecilia Ceder", "Bertil Berg"]
    assert "Dold Person" not in doc.main_text
    (form,) = doc.find("form", class_="filter-form")
    assert form.attrs["method"] == "get"
    assert {e.attrs["name"] for e in doc.find("select")} == {"amne", "region", "dag"}
    assert doc.find("button", type="submit")


def test_each_card_shows_its_own_roles_and_topics_in_their_order(client, content):
    """A card lists the person's roles in their order and the topics in the topics' order
    (not the order the person was given them), and nobody else's."""
    from fss_site.models import Topic

    def cards():
        _response, doc = page(client, "/talespersoner/")
        return {
            name: " ".join(e.text.split())
            for e in doc.find("li", class_="person-card")
            for name in ["Anna Andersson", "Bertil Berg", "Cecilia Ceder"]
            if name in e.text
        }

    def put_in_order(*topics):
        for sort_order, topic in enumerate(topics):
            topic = Topic.objects.get(pk=topic.pk)
            topic.sort_order = sort_order
            topic.save()

    first, second = PersonRole.objects.filter(page=content.anna).order_by("sort_order")
    topics = content.topics
    put_in_order(topics.children, topics.law, topics.elderly)
    shown = cards()
    assert f"{first}, {second}" in shown["Anna Andersson"]
    assert "Kompetensområden: Barn och unga, Äldreomsorg" in shown["Anna Andersson"]
    assert "Kompetensområden: Barn och unga" in shown["Bertil Berg"]
    assert "Äldreomsorg" not in shown["Bertil Berg"]
    assert str(first) not in shown["Bertil Berg"]
    assert "Kompetensområden: Socialtjänstlagen" in shown["Cecilia Ceder"]

    # Turned around: the roles' and the topics' own order decides, on every card.
    first.sort_order, second.sort_order = 1, 0
    first.save()
    second.save()
    put_in_order(topics.elderly, topics.law, topics.children)
    shown = cards()
    assert f"{second}, {first}" in shown["Anna Andersson"]
    assert "Kompetensområden: Äldreomsorg, Barn och unga" in shown["Anna Andersson"]
    assert "Kompetensområden: Barn och unga" in shown["Bertil Berg"]


def test_people_filter_by_topic_region_and_almedalen_day(client, content):
    day_two = (content.almedalen.local_start + datetime.timedelta(days=1)).date()
    day_three = day_two + datetime.timedelta(days=1)
    cases = {
        "amne=barn-och-unga": ["Anna Andersson", "Bertil Berg"],
        "amne=socialtjanstlagen": ["Cecilia Ceder"],
        "region=G%C3%A4vle%2FDala": ["Bertil Berg"],
        "amne=aldreomsorg&region=Sk%C3%A5ne": ["Anna Andersson"],
        f"dag={day_two.isoformat()}": ["Anna Andersson", "Bertil Berg"],
        f"dag={day_three.isoformat()}": ["Bertil Berg"],
        f"amne=socialtjanstlagen&dag={day_two.isoformat()}": [],
    }
    for query, expected in cases.items():
        _response, doc = page(client, "/talespersoner/?" + query)
        assert _names(doc) == expected, query
        assert f"{len(expected)} person" in doc.main_text
    _response, doc = page(client, f"/talespersoner/?dag={day_two.isoformat()}")
    cards = [" ".join(e.text.split()) for e in doc.find("li", class_="person-card")]
    (anna,) = [text for text in cards if "Anna Andersson" in text]
    (bertil,) = [text for text in cards if "Bertil Berg" in text]
    assert "(preliminärt)" in bertil
    assert "(preliminärt)" not in anna
    selected = [e.attrs.get("value") for e in doc.find("option") if "selected" in e.attrs]
    assert day_two.isoformat() in selected


def test_people_filter_with_unknown_value_shows_an_error_at_the_field(client, content):
    _response, doc = page(client, "/talespersoner/?amne=finns-inte&region=Sk%C3%A5ne")
    (select,) = doc.find("select", name="amne")
    assert select.attrs.get("aria-invalid") == "true"
    error_id = select.attrs["aria-describedby"]
    (error,) = [e for e in doc.elements if e.attrs.get("id") == error_id]
    assert error.text == "Välj ett av alternativen i listan."
    # The valid choice still applies.
    assert _names(doc) == ["Anna Andersson"]
    (region,) = doc.find("select", name="region")
    assert "aria-invalid" not in region.attrs


# --- Person --------------------------------------------------------------------------------


def test_person_page_shows_roles_work_topics_posts_positions_and_appearances(client, content):
    _response, doc = page(client, content.anna.url)
    assert doc.headings[0] == (1, "Anna Andersson")
    h2 = [text for level, text in doc.headings if level == 2]
    assert h2 == [
        "Uppdrag i FSS",
        "Särskilda kompetensområden",
        "FSS ståndpunkter inom kompetensområdena",
        "Inlägg",
        "Medverkan i evenemang",
    ]
    assert "Socialchef, Lunds kommun" in doc.main_text
    assert "Regionansvarig Skåne" in doc.main_text
    links = main_links(doc)
    assert {"/amne/aldreomsorg/", "/amne/barn-och-unga/"} <= set(links)
    assert {content.post.url, content.post_two.url} <= set(links)
    assert content.post_three.url not in links
    assert {content.position.url, content.elderly_position.url} <= set(links)
    assert content.old_position.url not in links  # superseded
    assert content.almedalen.url in links
    assert "Talare" in doc.main_text
    day_two = (content.almedalen.local_start + datetime.timedelta(days=1)).date()
    assert f"På plats: {swedish_date_with_day(day_two)}" in doc.main_text
    assert f"/kontakt/?talesperson={content.anna.pk}" in links


def swedish_date_with_day(day):
    from fss_site.templatetags.fss_tags import swedish_day

    return swedish_day(day)


def test_contact_link_names_only_spokespeople(client, content):
    _response, doc = page(client, content.cecilia.url)
    assert "/kontakt/" in main_links(doc)
    assert not [link for link in main_links(doc) if link and "talesperson=" in link]
    assert "Kontakta FSS" in doc.main_text


def test_person_json_ld(client, content):
    _response, doc = page(client, content.anna.url)
    data = ld(doc)
    assert data["@type"] == "Person"
    assert data["name"] == "Anna Andersson"
    assert data["jobTitle"] == "Socialchef"
    assert data["worksFor"] == {"@type": "Organization", "name": "Lunds kommun"}
    assert data["knowsAbout"] == ["Barn och unga", "Äldreomsorg"]
    assert data["memberOf"][0] == {
        "@type": "OrganizationRole",
        "roleName": "Ordförande",
        "memberOf": {"@type": "Organization", "name": "Föreningen Sveriges socialchefer"},
    }
    assert doc.meta(prop="og:type") == "profile"


# --- Events --------------------------------------------------------------------------------


def test_event_index_splits_upcoming_and_past(client, content):
    _response, doc = page(client, "/kalendarium/")
    assert [t for level, t in doc.headings if level == 2] == [
        "Kommande evenemang",
        "Tidigare evenemang",
    ]
    h3 = [t for level, t in doc.headings if level == 3]
    assert h3 == ["Almedalsveckan", "Socialchefsdagarna", "Seminarium om tillit"]


def test_event_index_lists_only_its_own_upcoming_events_in_start_order(client, content):
    soon = timezone.now() + datetime.timedelta(days=3)
    make_event(content.tree, "Senare", "senare", start=soon + datetime.timedelta(days=1))
    make_event(content.tree, "Tidigare", "tidigare", start=soon)
    # An event outside the calendar (somewhere else in the tree) is not the calendar's.
    publish(content.tree.home, EventPage(title="Utanför kalendariet", slug="utanfor", start=soon))
    _response, doc = page(client, "/kalendarium/")
    h3 = [t for level, t in doc.headings if level == 3]
    assert h3[:2] == ["Tidigare", "Senare"]
    assert "Utanför kalendariet" not in h3


def test_timed_event_in_swedish_stockholm_time_with_place_and_links(client, content):
    _response, doc = page(client, content.seminar.url)
    facts = dict(zip(doc.text_of("dt"), doc.text_of("dd"), strict=True))
    assert facts["När"] == "24 oktober 2022 kl. 13.00–15.30"
    assert facts["Var"] == "Stadshuset, Stortorget 1, Lund"
    assert content.cecilia.url in main_links(doc)
    assert "https://example.org/inspelning" in main_links(doc)
    assert "Evenemanget har ägt rum" in doc.main_text
    # Stored in UTC, shown in Stockholm time.
    event = EventPage(title="x", start=datetime.datetime(2022, 1, 10, 23, 30, tzinfo=datetime.UTC))
    assert event_when_text(event) == "11 januari 2022 kl. 00.30"


def test_all_day_event_shows_dates_only(client, content):
    _response, doc = page(client, content.conference.url)
    facts = dict(zip(doc.text_of("dt"), doc.text_of("dd"), strict=True))
    assert facts["När"] == "27–29 september 2023"
    assert "kl." not in facts["När"]
    assert facts["Var"].startswith("Malmö")
    assert "Digitalt" in facts["Var"]
    (time,) = [e for e in doc.find("time") if e.text == "27–29 september 2023"]
    assert time.attrs["datetime"] == "2023-09-27"
    data = ld(doc)
    assert data["startDate"] == "2023-09-27"
    assert data["endDate"] == "2023-09-29"
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"


def test_multi_day_event_shows_who_is_there_on_which_day(client, content):
    _response, doc = page(client, content.almedalen.url)
    rows = doc.find("tr")[1:]
    assert len(rows) == 5  # every day of the week, in order
    day_two = (content.almedalen.local_start + datetime.timedelta(days=1)).date()
    texts = [" ".join(r.text.split()) for r in rows]
    assert texts[1].startswith(swedish_date_with_day(day_two).capitalize())
    assert "Anna Andersson" in texts[1]
    assert "Bertil Berg (preliminärt)" in texts[1]
    assert "Anna Andersson (preliminärt)" not in texts[1]
    assert "Bertil Berg" in texts[2] and "preliminärt" not in texts[2]
    assert "Ingen från FSS är anmäld denna dag." in texts[0]
    assert [e.attrs.get("scope") for e in doc.find("th")] == ["col", "col"] + ["row"] * 5


def test_event_shows_organisers_participants_accessibility_and_registration(client, content):
    _response, doc = page(client, content.almedalen.url)
    facts = dict(zip(doc.text_of("dt"), doc.text_of("dd"), strict=True))
    assert facts["Arrangörer"] == "SKR, Vision"
    links = main_links(doc)
    assert "https://vision.example.org/" in links
    assert content.anna.url in links
    participant_texts = [
        " ".join(e.text.split()) for e in doc.find("li") if "section" in e.ancestors
    ]
    assert "Extern Talare, Forskare (moderator)" in participant_texts
    assert not [e for e in doc.find("a") if e.text == "Extern Talare"]
    assert "Hörslinga" in participant_texts and "Teckenspråkstolkning" in participant_texts
    assert "https://example.org/anmalan" in links
    data = ld(doc)
    assert data["@type"] == "Event"
    assert data["name"] == "Almedalsveckan"
    assert data["startDate"] == content.almedalen.local_start.isoformat()
    assert data["endDate"] == content.almedalen.local_end.isoformat()
    assert data["location"]["address"]["addressLocality"] == "Visby"
    assert {o["name"] for o in data["organizer"]} == {"SKR", "Vision"}
    assert data["performer"] == [
        {"@type": "Person", "name": "Anna Andersson", "url": "http://localhost" + content.anna.url},
        {"@type": "Person", "name": "Extern Talare"},
    ]


def test_event_without_accessibility_facts_says_so(client, content):
    _response, doc = page(client, content.seminar.url)
    assert "Arrangören har inte lämnat några uppgifter om tillgänglighet." in doc.main_text


def test_past_events_are_paginated(client, content):
    for i in range(20):
        make_event(
            content.tree,
            f"Gammalt {i}",
            f"gammalt-{i}",
            start=timezone.make_aware(datetime.datetime(2015, 6, 28 - i, 10, 0)),
        )
    _response, doc = page(client, "/kalendarium/")
    assert "/kalendarium/tidigare/" in main_links(doc)
    assert len(card_titles(doc)) == 1 + 10  # the coming one and the ten latest past
    _response, doc = page(client, "/kalendarium/tidigare/")
    assert card_titles(doc)[:2] == ["Socialchefsdagarna", "Seminarium om tillit"]
    assert len(card_titles(doc)) == 20
    _response, doc = page(client, "/kalendarium/tidigare/?page=2")
    assert card_titles(doc) == ["Gammalt 18", "Gammalt 19"]
    page(client, "/kalendarium/tidigare/?page=3", status=404)
    page(client, "/kalendarium/tidigare/?page=x", status=404)


def test_event_pages_can_be_upcoming_or_past():
    now = timezone.now()
    assert EventPage(start=now - datetime.timedelta(days=2)).is_past
    assert not EventPage(
        start=now - datetime.timedelta(days=2), end=now + datetime.timedelta(hours=1)
    ).is_past


def test_upcoming_and_past_queries_agree_with_each_event(content):
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    cases = {
        "over": (now - 5 * hour, now - 4 * hour),
        "pågår": (now - 2 * hour, now + hour),
        "kommer": (now + hour, now + 2 * hour),
        "startade, utan slut": (now - hour, None),
        "startar, utan slut": (now + hour, None),
        "slutar nu": (now - hour, now),
    }
    for title, (start, end) in cases.items():
        make_event(content.tree, title, slugify(title), start=start, end=end)
    titles = set(cases)
    events = EventPage.objects.filter(title__in=titles)
    upcoming = set(events.upcoming(now).values_list("title", flat=True))
    past = set(events.past(now).values_list("title", flat=True))
    assert upcoming == {"pågår", "kommer", "startar, utan slut", "slutar nu"}
    assert past == {"over", "startade, utan slut"}
    # The same rule in Python (an event's page, a person's appearances), at the same time.
    assert past == {t for t in titles if events.get(title=t).is_over(now)}
    assert upcoming == {t for t in titles if not events.get(title=t).is_over(now)}


# --- Topics --------------------------------------------------------------------------------


def test_topic_page_gathers_posts_positions_events_and_spokespeople(client, content):
    _response, doc = page(client, "/amne/aldreomsorg/")
    assert doc.headings[0] == (1, "Äldreomsorg")
    assert [t for level, t in doc.headings if level == 2] == [
        "Ståndpunkter",
        "Inlägg",
        "Evenemang",
        "Talespersoner",
    ]
    links = main_links(doc)
    assert {content.position.url, content.elderly_position.url, content.post.url} <= set(links)
    assert content.post_two.url in links and content.post_three.url not in links
    assert content.almedalen.url in links and content.seminar.url not in links
    assert content.anna.url in links and content.cecilia.url not in links
    assert "/talespersoner/?amne=aldreomsorg" in links
    assert "/blogg/amne/aldreomsorg/" in links
    data = ld(doc)
    assert data["@type"] == "CollectionPage"
    assert doc.canonical == "http://localhost/amne/aldreomsorg/"
    assert doc.meta(name="description") == "Vård och omsorg om äldre."


def test_topic_index_and_unknown_topic(client, content):
    _response, doc = page(client, "/amnen/")
    links = main_links(doc)
    assert {"/amne/aldreomsorg/", "/amne/barn-och-unga/", "/amne/socialtjanstlagen/"} <= set(links)
    assert ld(doc)["@type"] == "CollectionPage"
    page(client, "/amne/finns-inte/", status=404)


def test_topic_index_counts_live_posts_positions_and_people_per_topic(client, content):
    import re

    from blog.models import PositionPage
    from fss_site.models import Topic
    from people.models import PersonPage

    topic = Topic.objects.get(slug="aldreomsorg")
    draft = make_post(content.tree, "Utkast om äldre", "utkast-aldre", topics=[topic])
    draft.unpublish()
    # A topic of one position alone, so that the singular of each count is on the page.
    lone = Topic.objects.create(name="Ett enda ämne")
    content.position.topics.add(lone)
    content.position.save()
    expected = [
        BlogPage.objects.live().filter(topics=topic).count(),
        PositionPage.objects.live().filter(topics=topic).count(),
        PersonPage.objects.live().filter(topics=topic).count(),
    ]
    assert all(expected) and expected[0] >= 2
    _response, doc = page(client, "/amnen/")
    (card,) = [e for e in doc.find("li", class_="card") if e.text.strip().startswith("Äldreomsorg")]
    assert [int(n) for n in re.findall(r"\d+", card.text)] == expected

    # Every card in Swedish: one of a thing in the singular, else the plural.
    seen = set()
    for meta in doc.find("p", class_="meta"):
        text = " ".join(meta.text.split())
        match = re.fullmatch(r"\d+ inlägg · (\d+) (\w+) · (\d+) (\w+)", text)
        assert match, text
        for count, word, singular, plural in (
            (match[1], match[2], "ståndpunkt", "ståndpunkter"),
            (match[3], match[4], "person", "personer"),
        ):
            assert word == (singular if count == "1" else plural), text
            seen.add((singular, count == "1"))
    assert seen == {(word, one) for word in ("ståndpunkt", "person") for one in (True, False)}


def test_topic_index_counts_follow_a_publish_at_once(client, content):
    import re

    from fss_site.models import Topic

    topic = Topic.objects.get(slug="aldreomsorg")

    def posts_about_it():
        _response, doc = page(client, "/amnen/")
        (card,) = [
            e for e in doc.find("li", class_="card") if e.text.strip().startswith("Äldreomsorg")
        ]
        return int(re.findall(r"\d+", card.text)[0])

    before = posts_about_it()
    make_post(content.tree, "Ännu mer om äldre", "annu-mer-aldre", topics=[topic])
    assert posts_about_it() == before + 1


# --- Errors --------------------------------------------------------------------------------


def test_404_page_is_in_the_site_design(client, content):
    response, doc = page(client, "/finns-inte/", status=404)
    assert doc.lang == "sv"
    assert doc.headings[0] == (1, "Sidan finns inte")
    assert doc.top_level("header") and doc.top_level("footer") and doc.find("main")
    assert doc.meta(name="robots") == "noindex"
    assert "/blogg/" in doc.links()  # the main menu is there
    assert response["Content-Type"].startswith("text/html")


def test_500_page_needs_no_database_and_no_context_processors(django_assert_num_queries):
    from django.views.defaults import server_error

    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    doc = parse(response.content.decode())
    assert doc.lang == "sv"
    assert doc.headings == [(1, "Något gick fel")]
    assert len(doc.json_ld) == 1


# --- Helpers -------------------------------------------------------------------------------


def test_swedish_dates():
    assert swedish_date(datetime.date(2022, 10, 24)) == "24 oktober 2022"
    assert swedish_date(datetime.date(2023, 1, 5)) == "5 januari 2023"
    assert swedish_date(None) == ""


def test_machine_readable_days_are_the_days_in_stockholm():
    assert iso_date(datetime.date(2023, 1, 5)) == "2023-01-05"
    # 23:30 UTC on 31 March is 01:30 on 1 April in Stockholm (summer time).
    late = datetime.datetime(2024, 3, 31, 23, 30, tzinfo=datetime.UTC)
    assert iso_date(late) == "2024-04-01"
    assert iso_date(None) == ""


def test_a_role_reads_as_its_kind_and_region_or_its_own_label():
    for kind, name in PersonRole.KIND_CHOICES:
        role = PersonRole(kind=kind)
        assert str(role) == str(role.get_kind_display()) == str(name)
    assert str(PersonRole(kind=PersonRole.REGIONAL_LEAD, region="Skåne")) == "Regionansvarig Skåne"
    assert str(PersonRole(kind=PersonRole.CHAIR, label="Hedersordförande")) == "Hedersordförande"


def test_event_times_across_days_months_and_years_and_weekdays():
    from fss_site.templatetags.fss_tags import swedish_day

    def when(start, end, all_day=False):
        tz = timezone.get_default_timezone()
        return event_when_text(
            EventPage(
                title="x",
                start=datetime.datetime(*start, tzinfo=tz),
                end=datetime.datetime(*end, tzinfo=tz) if end else None,
                all_day=all_day,
            )
        )

    assert when((2025, 6, 30), (2025, 7, 2), all_day=True) == "30 juni – 2 juli 2025"
    assert when((2025, 12, 30), (2026, 1, 2), all_day=True) == "30 december 2025 – 2 januari 2026"
    assert when((2025, 3, 4, 9, 5), None) == "4 mars 2025 kl. 09.05"
    assert (
        when((2025, 3, 4, 9, 0), (2025, 3, 5, 16, 0))
        == "4 mars 2025 kl. 09.00 – 5 mars 2025 kl. 16.00"
    )
    assert swedish_day(datetime.date(2025, 7, 1)) == "tisdag 1 juli 2025"
    assert swedish_day(datetime.date(2025, 7, 6)) == "söndag 6 juli 2025"


def test_optional_url_is_empty_for_missing_url_names():
    assert optional_url("feeds:does-not-exist") == ""
    assert optional_url("no-such-namespace:feed", 1) == ""
    assert optional_url("topic-detail", "aldreomsorg") == "/amne/aldreomsorg/"


def test_reading_time_counts_the_body(content):
    post = BlogPage.objects.get(pk=content.post.pk)
    assert post.reading_minutes == 3
    assert post.count_reading_minutes() == 3
    assert BlogPage(title="Kort").count_reading_minutes() == 1
    # Headings read as sentences; captions, credits and attachment titles are text too.
    assert post.body_text.startswith("Bra känsla men orosmolnen hopar sig. Socialtjänsten i Lund")
    assert "Bilden saknas men texten finns. Okänd fotograf." in post.body_text


def test_a_draft_of_a_published_post_changes_nothing_listed_until_it_is_published(content):
    post = make_post(content.tree, "Publicerat först", "publicerat-forst", excerpt="Kort ingress.")
    before = BlogPage.objects.get(pk=post.pk)
    # Wagtail saves a draft of a live page with the draft's content in the page object.
    post.date = datetime.date(2001, 1, 2)
    post.body = [("paragraph", "<p>" + "utkast " * 1000 + "</p>")]
    revision = post.save_revision()
    assert not {"listing_date", "reading_minutes", "search_text"} & revision.content.keys()
    stored = BlogPage.objects.get(pk=post.pk)
    assert stored.has_unpublished_changes
    derived = ("listing_date", "reading_minutes", "search_text")
    assert [getattr(stored, f) for f in derived] == [getattr(before, f) for f in derived]
    revision.publish()
    stored = BlogPage.objects.get(pk=post.pk)
    assert stored.listing_date == datetime.date(2001, 1, 2)
    assert stored.reading_minutes == stored.count_reading_minutes() > before.reading_minutes
    assert stored.search_text.startswith("Kort ingress. utkast utkast")


def test_reading_time_is_stored_on_publish_and_listings_skip_the_body(client, content):
    post = make_post(content.tree, "Långt inlägg", "langt-inlagg", excerpt="Kort ingress.")
    assert BlogPage.objects.get(pk=post.pk).reading_minutes == 1
    post.body = [("paragraph", "<p>" + "ord " * 1000 + "</p>")]
    post.save_revision().publish()
    stored = BlogPage.objects.get(pk=post.pk)
    assert stored.reading_minutes == stored.count_reading_minutes() > 1
    _response, doc = page(client, "/blogg/")
    assert f"{stored.reading_minutes} min läsning" in doc.main_text
    listed = list(BlogPage.listing(BlogPage.objects.live()))
    assert listed and all("body" in p.get_deferred_fields() for p in listed)


def test_canonical_ignores_the_host_header(client, content):
    response = client.get("/blogg/", HTTP_HOST="evil.example.org")
    doc = parse(response.content.decode())
    assert doc.canonical == "http://localhost/blogg/"
    assert json.dumps(ld(doc)).count("evil.example.org") == 0


# --- Previews ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["home", "blog", "positions", "people", "events", "post", "old_position", "anna", "almedalen"],
)
def test_editors_can_preview_every_page_type(content, name):
    target = getattr(content.tree, name, None) or getattr(content, name)
    response = target.specific.make_preview_request()
    assert response.status_code == 200
    doc = parse(response.content.decode())
    assert [level for level, _t in doc.headings].count(1) == 1


def test_preview_of_an_unsaved_post_uses_its_unsaved_authors_and_topics(content):
    from blog.models import BlogPageAuthor

    post = BlogPage(
        title="Utkast",
        slug="utkast",
        authors=[BlogPageAuthor(person=content.bertil, byline="utkastets titel")],
        topics=[content.topics.law],
    )
    response = post.make_preview_request()
    assert response.status_code == 200
    doc = parse(response.content.decode())
    (byline,) = doc.find("p", class_="byline")
    assert " ".join(byline.text.split()) == "Av Bertil Berg, utkastets titel"
    # Ranked by shared topics: both other law posts.
    assert content.post_three.url in main_links(doc)


def test_list_items_escape_what_editors_wrote(client, content):
    """The items of the listings are Jinja2 templates (fss_site.jinja): autoescaped too."""
    make_post(
        content.tree,
        "<script>alert(1)</script> & titel",
        "farlig-listtitel",
        excerpt="<b>fet</b> & mer",
        authors=[(content.anna, "<i>skribent</i>")],
    )
    html = client.get("/blogg/").content.decode()
    assert "<script>alert(1)</script>" not in html and "<b>fet</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; titel" in html
    assert "&lt;b&gt;fet&lt;/b&gt; &amp; mer" in html
    assert "&lt;i&gt;skribent&lt;/i&gt;" in html and "<i>skribent</i>" not in html
