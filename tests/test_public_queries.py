"""Every public page type uses a fixed number of database queries.

The ceilings below are pinned with ``django_assert_max_num_queries``. Of each count,
about eight are Wagtail's own routing and serving of a page (site lookup, two queries per
tree level, view restrictions) and two are site-wide (main menu, site settings).
``test_queries_do_not_grow`` shows that adding ten more of everything (posts, positions,
people, events, participants, attendance days) changes neither the count nor the fact
that the pages show the added items.
"""

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from tests.public_content import add_more, build_public_content
from tests.public_html import parse

# url: the most queries the page may use (the count reached when writing these tests).
CEILINGS = {
    "/": 12,
    "/blogg/": 15,
    "/blogg/?page=2": 15,
    "/blogg/kategori/forsta-linjens-socialtjanst/": 16,
    "/blogg/amne/aldreomsorg/": 16,
    "/blogg/tagg/tillit/": 16,
    "/blogg/skribent/anna-andersson/": 16,
    "/blogg/2022/": 15,
    "/blogg/haller-tillitsfonstret/": 18,
    "/standpunkter/": 12,
    "/standpunkter/ny-socialtjanstlag/": 17,
    "/talespersoner/": 17,
    "/talespersoner/?amne=barn-och-unga&region=Sk%C3%A5ne": 17,
    "/talespersoner/anna-andersson/": 18,
    "/kalendarium/": 11,
    "/kalendarium/tidigare/": 11,
    "/kalendarium/almedalsveckan/": 17,
    "/amnen/": 4,
    "/amne/aldreomsorg/": 11,
    "/sok/?q=socialtjänsten": 12,
    "/sok/?q=socialtjänsten&typ=inlagg": 8,
}
# Pages whose listing does not change when more content is added.
SAME_ITEMS = {"/amnen/"}


def _measure(client, url):
    client.get(url)  # warm the per-process caches (site root paths, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    document = parse(response.content.decode())
    items = sum(1 for e in document.elements if e.tag == "li" and "main" in e.ancestors)
    return len(queries.captured_queries), items


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker):
    """Counts for every page with the base content, then with ten more of everything."""
    with django_db_blocker.unblock(), transaction.atomic():
        content = build_public_content()
        client = Client()
        # Page 2 of the blog needs more than one page of posts even before.
        small = {url: _measure(client, url) for url in CEILINGS if url != "/blogg/?page=2"}
        add_more(content, 10, prefix="a")
        middle = {"/blogg/?page=2": _measure(client, "/blogg/?page=2")}
        add_more(content, 10, prefix="b")
        large = {url: _measure(client, url) for url in CEILINGS}
        small.update(middle)
        yield small, large
        transaction.set_rollback(True)
    Site.clear_site_root_paths_cache()


@pytest.mark.django_db  # ordered with the database tests, before any that flush the database
@pytest.mark.parametrize("url", list(CEILINGS))
def test_queries_do_not_grow(measured, url):
    small, large = measured
    (queries_before, items_before), (queries_after, items_after) = small[url], large[url]
    assert queries_after == queries_before, f"{url}: {queries_before} → {queries_after} queries"
    if url not in SAME_ITEMS:
        assert items_after > items_before, f"{url} shows no more items ({items_before})"


@pytest.mark.django_db
@pytest.mark.parametrize("url", list(CEILINGS))
def test_query_ceiling(measured, client, url, django_assert_max_num_queries):
    client.get(url)
    with django_assert_max_num_queries(CEILINGS[url]):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.django_db
def test_main_menu_costs_nothing_until_shown(site_tree, rf, django_assert_num_queries):
    from fss_site.context_processors import navigation

    caches["default"].clear()  # nothing kept from earlier tests
    request = rf.get("/blogg/")
    with django_assert_num_queries(0):
        context = navigation(request)
    with CaptureQueriesContext(connection) as first:
        menu = list(context["site_menu"])
    assert len(first) >= 1  # the site and the pages under its home page, looked up now
    with django_assert_num_queries(0):  # and kept per generation
        again = list(navigation(rf.get("/blogg/"))["site_menu"])
    assert again == menu
    assert [item["title"] for item in menu][:2] == ["Blogg", "Ståndpunkter"]
    assert [item["url"] for item in menu if item["active"]] == ["/blogg/"]
