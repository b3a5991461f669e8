"""Site search at /sok/: grouped results, safe highlighting, odd input, no writes."""

import importlib
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wagtail.models import PageViewRestriction

from blog.models import BlogPage, PositionPage
from events.models import EventPage
from fss_site import search as site_search
from fss_site.search import MAX_QUERY_LENGTH, clean_query, query_terms
from fss_site.text import excerpt, highlight
from tests.public_content import body, make_event, make_post, module_content_fixture, publish
from tests.public_html import page

pytestmark = pytest.mark.django_db

content = module_content_fixture()


def search(client, status=200, **params):
    return page(client, "/sok/?" + urlencode(params), status=status)


def groups(doc):
    return [text for level, text in doc.headings if level == 2]


def result_titles(doc):
    return [" ".join(e.text.split()) for e in doc.find("h3", class_="card__title")]


def test_results_are_grouped_by_type(client, content):
    _response, doc = search(client, q="Lund")
    assert groups(doc) == ["Inlägg (1)", "Personer (1)", "Evenemang (1)"]
    assert result_titles(doc) == [
        "Håller tillitsfönstret på att stängas?",
        "Anna Andersson",
        "Seminarium om tillit",
    ]
    assert "3 träffar." in doc.main_text
    assert doc.headings[0] == (1, "Sökresultat för ”Lund”")
    assert doc.meta(name="robots") == "noindex"
    (data,) = doc.json_ld
    assert data["@type"] == "SearchResultsPage"


def test_positions_are_found_by_statement_and_reference_number(client, content):
    response, doc = search(client, q="S2020/09876")
    assert groups(doc) == ["Ståndpunkter (1)"]
    assert result_titles(doc) == ["Ny socialtjänstlag"]
    assert "<mark>S2020/09876</mark>" in response.content.decode()
    _response, doc = search(client, q="förebyggande")
    assert result_titles(doc) == ["Ny socialtjänstlag"]


def record_compilations(monkeypatch) -> list[str]:
    """The texts the overview's statement is compiled for from now on (none kept yet)."""
    monkeypatch.setattr(site_search, "_statements", {})
    compiled_for = []
    compile_candidates = site_search._compile_candidates

    def recorded(request, text):
        compiled_for.append(text)
        return compile_candidates(request, text)

    monkeypatch.setattr(site_search, "_compile_candidates", recorded)
    return compiled_for


def test_a_date_or_case_number_with_hyphens_is_found_as_written(client, content, monkeypatch):
    compiled_for = record_compilations(monkeypatch)
    make_post(content.tree, "Beslut i nämnden", "beslut", excerpt="Beslutet togs 2022-11-21.")
    make_post(content.tree, "Diariet", "diariet", excerpt="Ärendet har nummer 2023-045.")
    # The same numbers, but not together: not a match for the date.
    make_post(content.tree, "Siffror", "siffror", excerpt="År 2022, punkt 11 och sida 21.")
    for params in ({"q": "2022-11-21"}, {"q": "2022-11-21", "typ": "inlagg"}):
        response, doc = search(client, **params)
        assert result_titles(doc) == ["Beslut i nämnden"], params
        assert "<mark>2022-11-21</mark>" in response.content.decode()
    _response, doc = search(client, q="nämnden 2023-045")
    assert result_titles(doc) == []  # every word must match
    _response, doc = search(client, q="ärendet 2023-045")
    assert result_titles(doc) == ["Diariet"]
    # On PostgreSQL the overview's statement is compiled once per shape of query (words,
    # hyphenated numbers), with stand-ins, never with a visitor's own words.
    if connection.vendor == "postgresql":
        assert compiled_for == ["1901-1", "fsssokord 1901-1"]
    # Numbers without hyphens are words, wherever they stand.
    _response, doc = search(client, q="2022 11 21")
    assert "Siffror" in result_titles(doc)


def test_terms_are_highlighted_and_everything_else_escaped(client, content):
    make_post(
        content.tree,
        "Om <script>-taggar",
        "script-taggar",
        excerpt='Texten <script>alert("x")</script> nämner kvastfenan två gånger: kvastfenan.',
    )
    response, doc = search(client, q="kvastfenan")
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert html.count("<mark>kvastfenan</mark>") == 2
    assert result_titles(doc) == ["Om <script>-taggar"]


def test_a_result_quotes_the_published_text_not_a_draft(client, content):
    post = make_post(
        content.tree, "Utkastprovet", "utkastprovet", excerpt="Den publicerade ingressen."
    )
    post.excerpt = "Utkastets ingress."
    post.save_revision()
    response, _doc = search(client, q="Utkastprovet")
    assert "Den publicerade ingressen." in response.content.decode()
    assert "Utkastets" not in response.content.decode()
    post.get_latest_revision().publish()
    response, _doc = search(client, q="Utkastprovet")
    assert "Utkastets ingress." in response.content.decode()


def stored_search_texts(models) -> dict:
    """(model, id) -> the stored search text, for every page of the models."""
    return {
        (model, pk): text
        for model in models
        for pk, text in model.objects.values_list("pk", "search_text")
    }


@pytest.mark.parametrize(
    ("migration", "models"),
    [
        ("blog.migrations.0008_search_text", (BlogPage, PositionPage)),
        ("events.migrations.0006_search_text", (EventPage,)),
    ],
)
def test_the_migration_fills_in_the_text_that_saving_stores(content, migration, models):
    # Each type with text in its body or description, which only the stored text quotes.
    prose = body(("paragraph", "<p>Text ur <b>brödtexten</b>.</p>"))
    make_post(content.tree, "Med brödtext", "med-brodtext", body=prose)
    make_event(
        content.tree, "Med beskrivning", "med-beskrivning", start=timezone.now(), description=prose
    )
    publish(
        content.tree.positions,
        PositionPage(title="Med motivering", slug="med-motivering", statement="Kort.", body=prose),
    )
    stored = stored_search_texts(models)
    assert stored and all(stored.values())
    for model in models:
        assert any(
            "Text ur brödtexten." in text for (of, _pk), text in stored.items() if of is model
        )
    for model in models:
        model.objects.update(search_text="")
    importlib.import_module(migration).fill_search_text(apps, None)
    assert stored_search_texts(models) == stored


def test_highlighting_follows_swedish_inflection():
    marked = highlight("Socialtjänst och socialtjänstlagen, inte sociala.", ["socialtjänsten"])
    assert marked == ("<mark>Socialtjänst</mark> och <mark>socialtjänstlagen</mark>, inte sociala.")
    assert highlight("<b>&</b>", ["b"]) == "&lt;<mark>b</mark>&gt;&amp;&lt;/<mark>b</mark>&gt;"
    # Quotes as Django's escape writes them, in a match and around it.
    quoted = highlight("Barnens 'röst' och \"röster\"", ["röst"])
    assert quoted == "Barnens &#x27;<mark>röst</mark>&#x27; och &quot;<mark>röster</mark>&quot;"
    assert escape("'\"") == "&#x27;&quot;"
    assert highlight("Inget", []) == "Inget"


def test_excerpt_is_cut_around_the_first_match():
    text = "Början. " + "fyllnad " * 100 + "Här står nyckelordet mitt i. " + "slut " * 100
    cut = excerpt(text, ["nyckelordet"], length=120)
    assert "nyckelordet" in cut
    assert cut.startswith("…") and cut.endswith("…")
    assert len(cut) <= 122


def test_empty_results_say_so(client, content):
    _response, doc = search(client, q="xyzzyordet")
    assert groups(doc) == []
    assert "0 träffar." in doc.main_text
    assert "Inga träffar för ”xyzzyordet”." in doc.main_text
    assert "/amnen/" in doc.links()


def test_empty_query_shows_the_form(client, content):
    _response, doc = search(client)
    assert doc.headings == [(1, "Sök")]
    (field,) = doc.find("input", id="search-q")
    (label,) = doc.find("label", for_="search-q")
    assert field.attrs["name"] == "q"
    assert label.text
    assert doc.meta(name="robots") is None  # the search page itself may be indexed


def test_unpublished_and_private_pages_are_not_found(client, content):
    _response, doc = search(client, q="Dold")
    assert groups(doc) == []
    post = make_post(content.tree, "Hemligt kvastfenan", "hemligt", excerpt="kvastfenan")
    _response, doc = search(client, q="kvastfenan")
    assert "Hemligt kvastfenan" in result_titles(doc)
    PageViewRestriction.objects.create(page=post, restriction_type="login")
    _response, doc = search(client, q="kvastfenan")
    assert "Hemligt kvastfenan" not in result_titles(doc)


def test_one_type_at_a_time_with_pages(client, content):
    for i in range(12):
        make_post(content.tree, f"Paginerat {i}", f"paginerat-{i}", excerpt="zebraord")
    _response, doc = search(client, q="zebraord")
    assert groups(doc) == ["Inlägg (12)"]
    assert len(result_titles(doc)) == 5
    more = [e for e in doc.find("a") if "Visa alla 12 träffar bland inlägg" in e.text]
    # The query kept, the type added (Django's querystring, from the Jinja2 template).
    assert more and more[0].attrs["href"] == "?q=zebraord&typ=inlagg"
    _response, doc = search(client, q="zebraord", typ="inlagg")
    assert len(result_titles(doc)) == 10
    _response, doc = search(client, q="zebraord", typ="inlagg", page="2")
    assert len(result_titles(doc)) == 2
    search(client, q="zebraord", typ="inlagg", page="3", status=404)
    search(client, q="zebraord", typ="inlagg", page="abc", status=404)
    search(client, q="zebraord", typ="okand", status=404)


@pytest.mark.parametrize(
    "params",
    [
        {"q": "Lund", "typ": "inlagg"},
        {"q": "förebyggande", "typ": "standpunkter"},
        {"q": "Lund", "typ": "evenemang"},
        {"q": "Lund"},
        {"q": "förebyggande"},
    ],
)
def test_results_are_read_without_the_body(client, content, params):
    with CaptureQueriesContext(connection) as queries:
        _response, doc = search(client, **params)
    assert result_titles(doc)
    read = " ".join(query["sql"] for query in queries.captured_queries)
    for table in ("blog_blogpage", "blog_positionpage", "events_eventpage"):
        assert f'"{table}"."body"' not in read
    assert '"events_eventpage"."description"' not in read


def test_searching_writes_nothing(client, content):
    client.get("/sok/?q=Lund")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/sok/?q=Lund")
    assert response.status_code == 200
    statements = [q["sql"].lstrip().split()[0].upper() for q in queries.captured_queries]
    assert set(statements) <= {"SELECT", "SAVEPOINT", "RELEASE"}


def test_too_long_query_is_a_400_with_a_message_at_the_field(client, content):
    _response, doc = search(client, status=400, q="a" * 10_000)
    (field,) = doc.find("input", id="search-q")
    assert field.attrs["aria-invalid"] == "true"
    (error,) = doc.find("p", id=field.attrs["aria-describedby"])
    assert "för lång" in error.text
    assert field.attrs["value"] == "a" * MAX_QUERY_LENGTH  # what was typed is kept


@pytest.mark.parametrize(
    "query",
    [
        # Control characters are read as spaces; a NUL in the address is a 400 on every
        # page (tests/test_bad_input.py).
        "Lund\x07",
        "\x01\x02\x1b[31m",
        "!!!???...",
        '"Lund" OR -x* (AND) NEAR:3 ^ ~',
        "Lund' ; DROP TABLE wagtailcore_page; --",
        "\u202eLund\u200b",
        "𝔏𝔲𝔫𝔡 🙂",
        "   ",
        "a b c d e f g h i j k l m n o p",
    ],
)
def test_odd_queries_answer_normally(client, content, query):
    response = client.get("/sok/", {"q": query})
    assert response.status_code == 200


def test_query_cleaning():
    assert clean_query("Lund\x00\x07 stad\u200b") == "Lund stad"
    assert query_terms("!!! ??? ...") == []
    assert query_terms("socialtjänst, Lund!") == ["socialtjänst", "Lund"]
    assert query_terms("dnr S2020/09876.") == ["dnr", "S2020/09876"]
    assert len(query_terms(" ".join(["ord"] * 50))) == 10


def test_punctuation_only_asks_for_words(client, content):
    _response, doc = search(client, q="!!!")
    assert "Skriv minst ett ord med bokstäver eller siffror." in doc.main_text


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    query=st.text(max_size=300)
    | st.text(alphabet=st.characters(categories=["Cc", "Cf", "Po", "Ps", "Pe", "Sm"]), max_size=50),
    extra=st.dictionaries(st.sampled_from(["typ", "page", "x"]), st.text(max_size=20), max_size=2),
)
def test_any_query_is_200_400_or_404(client, content, query, extra):
    response = client.get("/sok/?" + urlencode({"q": query, **extra}))
    assert response.status_code in {200, 400, 404}


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="Swedish stemming needs PostgreSQL full text search"
)
def test_swedish_stemming_on_postgresql(client, content):
    make_post(
        content.tree,
        "Om kommunernas ansvar",
        "kommunernas-ansvar",
        excerpt="En stark socialtjänst behövs i varje kommun.",
    )
    _response, doc = search(client, q="socialtjänsten")
    assert "Om kommunernas ansvar" in result_titles(doc)
    _response, doc = search(client, q="kommuner")
    assert "Om kommunernas ansvar" in result_titles(doc)


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the bounded overview is the PostgreSQL backend's"
)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's Swedish search drops its stop words"
)
@pytest.mark.parametrize("params", [{}, {"typ": "inlagg"}], ids=["overview", "one-type"])
def test_a_search_for_common_words_alone_says_they_are_left_out(client, content, params):
    make_post(content.tree, "Det är dags", "dags", excerpt="Det är dags och det är nu.")
    _response, doc = search(client, q="det är", **params)
    assert "0 träffar." in doc.main_text
    assert "Sökningen bortser från vanliga ord som ”det är”." in doc.main_text
    assert "Kontrollera stavningen." not in doc.main_text
    assert "/amnen/" in doc.links()
    # A common word beside one that says more is left out without a word of it.
    _response, doc = search(client, q="dags det", **params)
    assert result_titles(doc) == ["Det är dags"]
    assert "vanliga ord" not in doc.main_text
    # Words the index does hold, found nowhere, are a misspelling as before.
    _response, doc = search(client, q="det xyzzyordet", **params)
    assert "Inga träffar för ”det xyzzyordet”." in doc.main_text
    assert "vanliga ord" not in doc.main_text


@postgres_only
def test_overview_count_stops_at_the_cap_and_the_type_page_counts_all(client, content, monkeypatch):
    monkeypatch.setattr(site_search, "CANDIDATES", 3)
    for i in range(5):
        make_post(content.tree, f"Gnu {i}", f"gnu-{i}", excerpt="gnuord")
    _response, doc = search(client, q="gnuord")
    assert groups(doc) == ["Inlägg (fler än 3)"]
    assert " ".join(doc.find("p", class_="result-count")[0].text.split()) == "Fler än 3 träffar."
    assert [e for e in doc.find("a") if e.text.strip() == "Visa alla träffar bland inlägg"]
    _response, doc = search(client, q="gnuord", typ="inlagg")
    assert groups(doc) == ["Inlägg (5)"]


@postgres_only
def test_overview_ranks_the_newest_matches_and_older_title_matches(client, content, monkeypatch):
    monkeypatch.setattr(site_search, "CANDIDATES", 2)
    make_post(content.tree, "Gnuord i rubriken", "gnuord-rubrik", excerpt="Om annat.")
    hidden = make_post(content.tree, "Gnuord bakom inloggning", "gnuord-dold", excerpt="Dolt.")
    PageViewRestriction.objects.create(page=hidden, restriction_type="login")
    # Ranks above the newer body matches, but is older than the window of candidates.
    make_post(content.tree, "Äldre", "gnu-aldre", excerpt="Gnuord, gnuord och åter gnuord.")
    for i in range(3):
        make_post(content.tree, f"Nyare {i}", f"gnu-nyare-{i}", excerpt="gnuord")
    _response, doc = search(client, q="gnuord")
    # The title match first, then the newest body matches (the window holds one more than
    # CANDIDATES, which tells that there are more); the private page, although among the
    # newest title matches, is not shown.
    assert result_titles(doc) == ["Gnuord i rubriken", "Nyare 2", "Nyare 1", "Nyare 0"]
    assert groups(doc) == ["Inlägg (fler än 2)"]
    _response, doc = search(client, q="gnuord", typ="inlagg")
    assert result_titles(doc)[:2] == ["Gnuord i rubriken", "Äldre"]
    assert len(result_titles(doc)) == 5


@postgres_only
def test_the_backends_match_can_use_the_expression_index(content):
    from blog.models import BlogPage

    sql, _params = BlogPage.objects.search("tillit").get_queryset().query.sql_with_params()
    assert '("wagtailsearch_indexentry"."title" || "wagtailsearch_indexentry"."body") @@' in sql
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM wagtailsearch_indexentry "
            "WHERE (title || body) @@ to_tsquery('swedish', 'tillit')"
        )
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert "fss_search_title_body_gin" in plan


@postgres_only
def test_overview_ranks_the_newest_body_matches_as_the_backend(client, content):
    # Neither title matches: both pages are candidates through the window of newest
    # matches only, and the older one, with the word four times, ranks first.
    make_post(content.tree, "Mycket", "kvagga-mycket", excerpt="kvaggaord, kvaggaord, kvaggaord.")
    make_post(content.tree, "Lite", "kvagga-lite", excerpt="Här står kvaggaord en gång.")
    _response, overview = search(client, q="kvaggaord")
    _response, one_type = search(client, q="kvaggaord", typ="inlagg")
    assert result_titles(overview) == result_titles(one_type) == ["Mycket", "Lite"]


@postgres_only
def test_overview_statement_is_compiled_once_and_ranks_as_the_backend(client, content, monkeypatch):
    # Compiled once for every query (only the query's parameters differ): each query still
    # gets its own results, ranked as the backend ranks one type at a time.
    monkeypatch.setattr(site_search, "_statements", {})
    make_post(content.tree, "Gnuord och zebraord", "gnu-zebra", excerpt="Om gnuord.")
    make_post(content.tree, "Bara gnuord", "bara-gnu", excerpt="gnuord gnuord gnuord")
    make_post(content.tree, "Zebraord", "zebra", excerpt="zebraord i S2021/00123")
    make_post(content.tree, "Äldre zebraord", "zebra-2", excerpt="Ett zebraord.")
    expected = {
        "gnuord": {"Gnuord och zebraord", "Bara gnuord"},
        "zebraord": {"Gnuord och zebraord", "Zebraord", "Äldre zebraord"},
        "gnuord zebraord": {"Gnuord och zebraord"},
        "S2021/00123": {"Zebraord"},
        "äldre zebraord": {"Äldre zebraord"},
        "Lund": {"Håller tillitsfönstret på att stängas?"},
    }
    for query, titles in expected.items():
        _response, overview = search(client, q=query)
        _response, one_type = search(client, q=query, typ="inlagg")
        posts = [t for t in result_titles(overview) if t in result_titles(one_type)]
        assert set(posts) == titles, query
        assert posts == result_titles(one_type)[: site_search.PER_GROUP], query
    assert len(site_search._statements) == 1


@postgres_only
def test_overview_compiles_its_own_statement_when_the_stand_in_is_not_found(
    client, content, monkeypatch
):
    # If the stand-in word's parameters cannot be found in the compiled statement, the
    # statement is compiled again with the visitor's own words, not run with the stand-in.
    monkeypatch.setattr(site_search, "_statements", {})
    tsquery = site_search._tsquery

    def unrecognisable(results):
        sql, params = tsquery(results)
        if any(site_search._STAND_IN in str(p) for p in params):
            params = [f"{p}-not-in-the-statement" if isinstance(p, str) else p for p in params]
        return sql, params

    monkeypatch.setattr(site_search, "_tsquery", unrecognisable)
    compiled_for = record_compilations(monkeypatch)
    _response, doc = search(client, q="Lund")
    assert groups(doc) == ["Inlägg (1)", "Personer (1)", "Evenemang (1)"]
    assert compiled_for == [site_search._STAND_IN, "Lund"]


@postgres_only
def test_the_overview_finds_each_types_pages_in_the_page_table_alone(client, content):
    with CaptureQueriesContext(connection) as queries:
        _response, doc = search(client, q="Lund")
    assert groups(doc) == ["Inlägg (1)", "Personer (1)", "Evenemang (1)"]
    (statement,) = [q["sql"] for q in queries.captured_queries if "UNION ALL" in q["sql"]]
    for group in site_search.GROUPS:
        table = group.model()._meta.db_table
        assert f'"{table}"' not in statement, table
    # SQL of another shape than the one expected is left as it is.
    other = 'SELECT 1 FROM "blog_blogpage" WHERE ("blog_blogpage"."page_ptr_id" = 1)'
    assert site_search._on_the_page_table(other, site_search.GROUPS[0].model()) == other
