"""Query budgets of every public page type, feeds and machine views, on generated content.

The site's own content (``tests.public_content``) plus ``generate_content`` at a small
size; then ten more of everything (``add_more``) is added to the same site. Each URL must
use the same number of queries both times, at most its ceiling below. (Hits of the page
cache use none: tests/test_cache.py.) Searching writes nothing to the database.
"""

from io import StringIO
from unittest import mock

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from fss_site.models import Topic
from tests.public_content import add_more, build_public_content

SMALL = ["--posts", "15", "--people", "6", "--events", "12", "--no-index"]

# url: the queries each needs without the page cache, pinned at the count when written.
# The site with its home page, the private sections, the menu, the section pages, the site
# settings and aggregates such as the blog's filter links and totals are kept per
# generation (fss_site.listing): what is left is the page itself and what it lists.
CEILINGS = {
    "/": 4,
    "/blogg/": 2,
    "/blogg/?page=2": 2,
    "/blogg/amne/{topic}/": 3,
    "/blogg/{post}": 6,
    "/standpunkter/": 3,
    "/talespersoner/": 5,
    "/talespersoner/{person}": 7,
    "/kalendarium/": 2,
    "/kalendarium/tidigare/": 2,
    "/kalendarium/{event}": 6,
    "/amnen/": 0,
    "/amne/{topic}/": 7,
    "/sok/?q=socialtjänsten": 6,
    "/sok/?q=socialtjänsten&typ=inlagg": 2,
    "/flode/rss/": 6,
    "/flode/amne/{topic}/": 6,
    "/kalendarium/ical/alla.ics": 5,
    "/kalendarium/ical/amne/{topic}.ics": 6,
    "/sitemap.xml": 10,
    "/api/v2/pages/?type=blog.BlogPage": 12,
}


def _resolve(url, names):
    return url.format(**names)


def _generated_names():
    from blog.models import BlogPage
    from events.models import EventPage
    from people.models import PersonPage

    mark = "generate_content:"
    return {
        "topic": Topic.objects.order_by("pk").first().slug,
        "post": BlogPage.objects.filter(seed_source__startswith=mark).order_by("path").first().slug
        + "/",
        "person": PersonPage.objects.filter(seed_source__startswith=mark)
        .order_by("path")
        .first()
        .slug
        + "/",
        "event": EventPage.objects.filter(seed_source__startswith=mark)
        .order_by("path")
        .first()
        .slug
        + "/",
    }


def _count(client, url):
    client.get(url)  # per-process caches (site root paths, content types) warm
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        caches["default"].clear()
        content = build_public_content()
        call_command("generate_content", *SMALL, "--seed", "3", stdout=StringIO())
        client = Client()
        names = _generated_names()
        small = {url: _count(client, _resolve(url, names)) for url in CEILINGS}
        add_more(content, 10, prefix="perf")
        large = {url: _count(client, _resolve(url, names)) for url in CEILINGS}
        yield small, large
        transaction.set_rollback(True)
    Site.clear_site_root_paths_cache()
    caches["default"].clear()


@pytest.mark.django_db
@pytest.mark.parametrize("url", list(CEILINGS))
def test_queries_are_fixed_and_within_budget(measured, url):
    small, large = measured
    assert small[url] == large[url], f"{url}: {small[url]} → {large[url]} queries"
    assert large[url] <= CEILINGS[url], f"{url}: {large[url]} > {CEILINGS[url]}"


@pytest.mark.django_db
def test_searching_writes_nothing(measured, client):
    from wagtail.contrib.search_promotions.models import Query, QueryDailyHits

    for url in ("/sok/?q=socialtjänsten", "/sok/?q=tillit&typ=inlagg", "/sok/?q=äldreomsorg"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        writes = [
            q["sql"]
            for q in queries.captured_queries
            if q["sql"].lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}
        ]
        assert writes == [], writes
    assert not Query.objects.exists()
    assert not QueryDailyHits.objects.exists()


@pytest.mark.django_db
def test_the_site_and_its_home_page_are_looked_up_once_per_generation(site_tree, client):
    client.get("/")
    # Wagtail's pages, and the public views that are not pages (topics, search).
    for url in ("/blogg/", "/amnen/", "/sok/?q=tillit"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        site_queries = [
            q["sql"] for q in queries.captured_queries if "wagtailcore_site" in q["sql"]
        ]
        assert site_queries == [], url
    # An edit of the home page, and a change of the site, are served at once.
    home = site_tree.home
    home.title = "Ny rubrik på startsidan"
    home.save_revision().publish()
    assert "Ny rubrik på startsidan" in client.get("/").text
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = "ny.example.org", 443
    site.save()
    assert 'href="https://ny.example.org/blogg/"' in client.get("/blogg/").text
    site.root_page = site_tree.blog
    site.save()
    assert f"<h1>{site_tree.blog.title}</h1>" in client.get("/").text


@pytest.mark.django_db
def test_page_urls_need_no_cache_lookup_of_the_site_root_paths(site_tree, client):
    client.get("/blogg/")
    with mock.patch.object(Site, "get_site_root_paths", wraps=Site.get_site_root_paths) as read:
        assert client.get("/blogg/").status_code == 200
        assert client.get("/sok/?q=tillit").status_code == 200
        assert client.get("/sitemap.xml").status_code == 200
    assert read.call_count == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/flode/rss/", "/flode/atom/", "/kalendarium/ical/alla.ics", "/sitemap.xml", "/robots.txt"],
)
def test_feeds_calendars_sitemap_and_robots_find_their_site_without_a_query(
    site_tree, client, path
):
    """They find their site as the pages do (kept until the next change), not with
    Wagtail's lookup, a query on every request."""
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    assert not [q["sql"] for q in queries if '"wagtailcore_site"' in q["sql"]]
