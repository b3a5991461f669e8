"""Input that no page of the site makes gets a 4xx, on every database, never a 500.

PostgreSQL refuses text with a NUL character in it: a value with one that reached a query
failed there (SQLite took it and found nothing). SQLite, ``make run``'s database, cannot
take a number past 64 bits, nor a date before year 1 once it is turned to UTC, and its
search backend failed on a query of blanks. The API's search built one nested expression
per word and overflowed Python's stack on a long query; its offset went past the
databases' 64-bit integers.
"""

from urllib.parse import quote

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from fss_site.api import MAX_OFFSET
from fss_site.search import MAX_QUERY_LENGTH
from tests.public_html import parse

NUL = "%00"


@pytest.mark.parametrize(
    "path",
    [
        # The read-only API: its search, its filters and its lookup by address.
        f"/api/v2/pages/?search={NUL}",
        f"/api/v2/pages/?search=a{NUL}b",
        f"/api/v2/images/?search={NUL}",
        f"/api/v2/documents/?search={NUL}",
        f"/api/v2/pages/?locale={NUL}",
        f"/api/v2/pages/find/?html_path={NUL}",
        # The contact form's spokesperson, looked up by id or slug.
        f"/kontakt/?talesperson={NUL}",
        # Pages, and a parameter no page reads, in its value or its name.
        f"/sok/?q=a{NUL}b",
        f"/blogg/?x={NUL}",
        f"/blogg/?{NUL}=x",
        # The path itself.
        f"/blogg/a{NUL}b/",
        f"/{NUL}/",
    ],
)
def test_a_nul_character_in_the_address_is_a_400_in_swedish(site_tree, path):
    response = Client().get(path)
    assert response.status_code == 400
    doc = parse(response.content.decode())
    assert doc.lang == "sv"
    assert doc.headings == [(1, "Ogiltig förfrågan")]
    # The site's headers, as on every page.
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_400_page_needs_no_database_and_other_400s_get_it_too(
    site_tree, django_assert_num_queries, settings
):
    with django_assert_num_queries(0):
        response = Client().get(f"/blogg/?x={NUL}")
    assert response.status_code == 400
    # A host the site does not serve is refused by Django with the same page.
    settings.ALLOWED_HOSTS = ["testserver"]
    response = Client().get("/", HTTP_HOST="inte-var.example")
    assert response.status_code == 400
    assert parse(response.content.decode()).headings == [(1, "Ogiltig förfrågan")]


@pytest.mark.parametrize("path", ["/", "/kontakt/", "/admin/"])
def test_a_cookie_with_a_nul_character_is_ignored(site_tree, admin_user, path):
    logged_in = Client()
    logged_in.force_login(admin_user)
    session_key = logged_in.cookies["sessionid"].value
    client = Client()
    # A quoted cookie value spells characters by their octal code: \000 is NUL.
    client.cookies["sessionid"] = session_key + "\x00"
    response = client.get(path)
    # As if no session cookie had been sent: pages are served, the admin asks for a login.
    assert response.status_code == (302 if path == "/admin/" else 200)
    if path == "/admin/":
        assert "/login/" in response["Location"]
    assert Session.objects.filter(session_key=session_key).exists()


def test_the_api_search_is_held_to_the_site_search_length(site_tree):
    client = Client()
    words = "ord " * 300
    response = client.get("/api/v2/pages/?search=" + quote(words))
    assert response.status_code == 400
    assert response.json()["message"] == (
        f"Sökfrågan är för lång. Skriv högst {MAX_QUERY_LENGTH} tecken."
    )
    longest = ("ord " * MAX_QUERY_LENGTH)[:MAX_QUERY_LENGTH]
    assert client.get("/api/v2/pages/?search=" + quote(longest)).status_code == 200


def test_an_api_offset_past_what_the_database_counts_to_is_a_400(site_tree):
    client = Client()
    response = client.get(f"/api/v2/pages/?offset={2**63}")
    assert response.status_code == 400
    assert response.json()["message"] == (
        f"Ogiltigt värde i en parameter: offset får vara högst {MAX_OFFSET}."
    )
    response = client.get(f"/api/v2/pages/?offset={MAX_OFFSET}")
    assert response.status_code == 200
    assert response.json()["items"] == []


# -- Numbers and dates past what the database holds -----------------------------------------
#
# SQLite (``make run``'s database) cannot take an integer past 64 bits, nor Python a date
# before year 1 once it is turned to UTC; on PostgreSQL, Django answers such values without
# a query. Either way the visitor gets a 4xx or an empty answer.

HUGE = str(2**64)


@pytest.mark.parametrize(
    "path", [f"/kalendarium/ical/{HUGE}.ics", f"/flode/skribent/{HUGE}/", f"/api/v2/pages/{HUGE}/"]
)
def test_an_id_past_64_bits_in_the_path_is_a_404(site_tree, path):
    assert Client().get(path).status_code == 404


def test_a_spokesperson_id_past_64_bits_preselects_nobody(site_tree):
    response = Client().get(f"/kontakt/?talesperson={HUGE}")
    assert response.status_code == 200
    assert response.context["form"].initial.get("spokesperson") is None


@pytest.mark.parametrize("field", ["spokesperson", "topic"])
def test_a_choice_past_64_bits_in_the_contact_form_is_refused_at_the_field(site_tree, field):
    from fss_site.contact.models import ContactRequest
    from tests.test_contact import form_data

    response = Client().post(site_tree.contact.url, form_data(**{field: HUGE}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not ContactRequest.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        f"type=blog.BlogPage&topics={HUGE}",
        f"type=people.PersonPage&competence_areas={HUGE}",
        f"id={HUGE}",
        "first_published_at=0001-01-01",
        "type=events.EventPage&start=0001-01-01",
    ],
)
def test_api_filters_past_what_the_database_holds_are_answered(site_tree, query):
    response = Client().get(f"/api/v2/pages/?{query}")
    # PostgreSQL finds nothing; SQLite cannot take the value: a 400 with a message.
    assert response.status_code in {200, 400}
    body = response.json()
    assert body["items"] == [] if response.status_code == 200 else body["message"]


@pytest.mark.parametrize("query", [" ", "\n", " \t ", '"', '" "'])
def test_an_api_search_without_words_finds_nothing(site_tree, query):
    response = Client().get("/api/v2/pages/", {"search": query, "search_operator": "or"})
    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.parametrize("query", ['"Om FSS', 'Om "FSS"', '"om fss"'])
def test_an_api_search_with_double_quotes_finds_the_words(site_tree, query):
    def titles(search):
        response = Client().get("/api/v2/pages/", {"search": search})
        assert response.status_code == 200
        return [item["title"] for item in response.json()["items"]]

    assert "Om FSS" in titles(query)
    assert titles(query) == titles("Om FSS")


@pytest.mark.parametrize("query", ["timestamp_from=0001-01-01", f"content_type={HUGE}"])
def test_admin_filters_past_what_the_database_holds_are_answered(site_tree, admin_user, query):
    client = Client()
    client.force_login(admin_user)
    home = site_tree.home.pk
    for path in (
        f"/admin/pages/{home}/",
        f"/admin/pages/{home}/history/",
        "/admin/reports/site-history/",
    ):
        response = client.get(f"{path}?{query}")
        # PostgreSQL finds nothing; SQLite cannot take the value: the 400 page.
        assert response.status_code in {200, 400}, path


# -- Every public address, with values no page makes ------------------------------------------

ODD_VALUES = [
    NUL,
    HUGE,
    "-1",
    "0000",  # a year, but none a date can have
    "abc",
    "0001-01-01",
    "9999-12-31T23:59:59",
    "%FF",
    "%20",
    "%22a",
    "a" * 300,
    quote("ord " * 300),
]
ADDRESSES = [
    "/?x={}",
    "/blogg/?page={}",
    "/blogg/{}/",
    "/blogg/kategori/{}/",
    "/blogg/amne/{}/",
    "/blogg/tagg/{}/",
    "/blogg/skribent/{}/",
    "/standpunkter/?page={}",
    "/talespersoner/?omrade={}&region={}&dag={}&page={}",
    "/kalendarium/?page={}",
    "/kalendarium/tidigare/?page={}",
    "/kalendarium/ical/{}.ics",
    "/kalendarium/ical/amne/{}.ics",
    "/amne/{}/",
    "/sok/?q={}",
    "/sok/?q=lag&typ={}",
    "/sok/?q=lag&typ=inlagg&page={}",
    "/kontakt/?talesperson={}",
    "/flode/rss/?page={}",
    "/flode/kategori/{}/",
    "/flode/amne/{}/",
    "/flode/skribent/{}/",
    "/sitemap.xml?p={}",
    "/api/v2/pages/?search={}&search_operator=or",
    "/api/v2/pages/?limit={}&offset={}",
    "/api/v2/pages/?type={}",
    "/api/v2/pages/?child_of={}&descendant_of={}",
    "/api/v2/pages/?order={}&fields={}",
    "/api/v2/pages/?type=blog.BlogPage&topics={}&date={}",
    "/api/v2/pages/?type=events.EventPage&start={}&city={}",
    "/api/v2/pages/?type=people.PersonPage&competence_areas={}",
    "/api/v2/pages/{}/",
    "/api/v2/pages/find/?html_path={}",
    "/api/v2/images/?search={}&id={}",
    "/api/v2/documents/{}/",
]


def test_no_odd_value_in_any_public_address_is_a_500(site_tree):
    client = Client(raise_request_exception=False)
    failures = []
    for address in ADDRESSES:
        for value in ODD_VALUES:
            path = address.replace("{}", value)
            status = client.get(path).status_code
            if status >= 500:
                failures.append((status, path[:100]))
    assert failures == []


@pytest.mark.parametrize("query", ['"', '"a', 'a"b', '"Om FSS"'])
def test_the_admin_page_chooser_searches_with_double_quotes(site_tree, admin_user, query):
    client = Client()
    client.force_login(admin_user)
    assert client.get("/admin/choose-page/search/", {"q": query}).status_code == 200


def test_the_search_backend_reads_double_quotes_and_blanks_alike_on_every_database(site_tree):
    from wagtail.models import Page
    from wagtail.search.backends import get_search_backend

    backend = get_search_backend()

    def titles(query, method="search"):
        return sorted(page.title for page in getattr(backend, method)(query, Page))

    assert "Om FSS" in titles("Om FSS")
    assert titles('"Om FSS"') == titles("Om 'FSS'") == titles("Om FSS")
    assert titles('"Om" "FSS', "autocomplete") == titles("Om FSS", "autocomplete")
    assert titles(" ") == titles('"') == titles(" \t ", "autocomplete") == []


def test_a_search_of_many_words_reads_the_first_ones_in_the_admin_and_the_backend(
    site_tree, admin_user
):
    from wagtail.models import Page
    from wagtail.search.backends import get_search_backend

    from fss_site.search_backend import MAX_WORDS

    words = ["Om", "FSS"] + [f"ord{n}" for n in range(200)]
    client = Client()
    client.force_login(admin_user)
    for path in ("/admin/pages/search/", "/admin/choose-page/search/"):
        assert client.get(path, {"q": " ".join(words)}).status_code == 200, path
    backend = get_search_backend()
    for method in ("search", "autocomplete"):
        found = getattr(backend, method)(" ".join(words), Page)
        first = getattr(backend, method)(" ".join(words[:MAX_WORDS]), Page)
        assert [page.pk for page in found] == [page.pk for page in first]
