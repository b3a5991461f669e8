"""Page URLs built without a reverse() per link (fss_site.listing.PageUrlMixin).

Every answer must be the one Wagtail's own ``Page.get_url_parts`` gives: for the home page,
sections, posts with Swedish letters in their slugs, under a script prefix, and for a page
that belongs to two sites (Wagtail's own answer then).
"""

from unittest import mock

import pytest
from django.urls import reverse, set_script_prefix
from django.urls.base import get_script_prefix
from wagtail.models import Page, Site

from blog.models import BlogPage
from events.models import EventPage
from fss_site import listing
from tests.public_content import aware, make_event, make_person, make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(site_tree):
    person = make_person(site_tree, "Åsa Öberg", "åsa-öberg")
    posts = [
        make_post(site_tree, "Vård och omsorg", "vård-och-omsorg"),
        make_post(site_tree, "Budget 2025", "budget-2025"),
        make_post(site_tree, "Äldre_omsorg", "äldre_omsorg"),
    ]
    event = make_event(site_tree, "Seminarium", "seminarium", start=aware(2026, 7, 1, 10))
    return [
        site_tree.home,
        site_tree.blog,
        site_tree.events,
        site_tree.contact,
        site_tree.about,
        person,
        event,
        *posts,
    ]


def _specific(pages):
    return [Page.objects.get(pk=page.pk).specific for page in pages]


def _wagtails(page):
    """What Wagtail itself answers (its get_url_parts, below the mixin)."""
    return Page.get_url_parts(page)


def test_urls_are_wagtails_own(pages):
    for page in _specific(pages):
        assert isinstance(page, listing.PageUrlMixin)
        assert page.get_url_parts() == _wagtails(page), page.url_path
    post = BlogPage.objects.get(slug="vård-och-omsorg")
    assert post.url == "/blogg/v%C3%A5rd-och-omsorg/"
    assert post.full_url.endswith("/blogg/v%C3%A5rd-och-omsorg/")


def test_urls_follow_the_script_prefix(pages):
    previous = get_script_prefix()
    set_script_prefix("/fss/")
    try:
        for page in _specific(pages):
            parts = page.get_url_parts()
            assert parts == _wagtails(page), page.url_path
            assert parts[2].startswith("/fss/")
    finally:
        set_script_prefix(previous)
    assert EventPage.objects.get(slug="seminarium").url == "/kalendarium/seminarium/"


def test_a_page_of_two_sites_gets_wagtails_answer(pages):
    home = Site.objects.get(is_default_site=True).root_page
    Site.objects.create(hostname="andra.example.org", port=443, root_page=home)
    for page in _specific(pages):
        assert page.get_url_parts() == _wagtails(page)


def test_one_reverse_for_many_links(pages):
    listing._serve_prefixes.clear()
    posts = list(BlogPage.objects.all())
    assert len(posts) == 3
    with mock.patch.object(listing, "reverse", wraps=reverse) as reversed_:
        urls = [post.get_url() for post in posts for _ in range(3)]
    assert reversed_.call_count == 1
    assert len(set(urls)) == 3


def test_a_request_looks_the_prefix_up_once(pages, rf):
    request = rf.get("/blogg/")
    posts = list(BlogPage.objects.all())
    with mock.patch.object(listing, "_serve_prefix", wraps=listing._serve_prefix) as looked_up:
        urls = [post.get_url(request=request) for post in posts for _ in range(3)]
    assert looked_up.call_count == 1
    assert urls[::3] == [_wagtails(post)[2] for post in posts]


def test_every_page_type_of_the_site_builds_its_urls_so():
    from wagtail.models import get_page_models

    ours = [m for m in get_page_models() if m._meta.app_label in listing.CONTENT_APPS]
    assert len(ours) >= 10
    assert [m.__name__ for m in ours if not issubclass(m, listing.PageUrlMixin)] == []
