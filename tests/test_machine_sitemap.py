"""sitemap.xml lists every public page and topic with content; robots.txt points at it."""

import datetime

import pytest
from defusedxml import ElementTree as ET
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.text import slugify
from django.utils.timezone import localdate
from wagtail.models import PageViewRestriction, Site

from blog.models import BlogPage
from fss_site.machine import optional_reverse
from fss_site.models import StandardPage, Topic

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def add_page(parent, model, title, *, publish=True, **fields):
    page = model(title=title, slug=slugify(title), **fields)
    parent.add_child(instance=page)
    revision = page.save_revision()
    if publish:
        revision.publish()
    else:
        model.objects.filter(pk=page.pk).update(live=False)
    page.refresh_from_db()
    return page


def sitemap_entries(client):
    response = client.get(reverse("sitemap"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{SM}urlset"
    return {url.findtext(f"{SM}loc"): url.findtext(f"{SM}lastmod") for url in root}


@pytest.fixture
def pages(site_tree):
    topic = Topic.objects.create(name="Äldreomsorg")
    Topic.objects.create(name="Tomt ämne")
    post = add_page(
        site_tree.blog, BlogPage, "Ett inlägg", date=datetime.date(2024, 1, 2), topics=[topic]
    )
    members = add_page(site_tree.about, StandardPage, "För medlemmar")
    inner = add_page(members, StandardPage, "Internt protokoll")
    PageViewRestriction.objects.create(page=members, restriction_type=PageViewRestriction.LOGIN)
    draft = add_page(site_tree.about, StandardPage, "Utkast", publish=False)
    return {"topic": topic, "post": post, "members": members, "inner": inner, "draft": draft}


def test_sitemap_lists_public_pages_with_absolute_urls_and_lastmod(client, site_tree, pages):
    entries = sitemap_entries(client)
    public = [
        site_tree.home,
        site_tree.blog,
        site_tree.positions,
        site_tree.people,
        site_tree.events,
        site_tree.contact,
        site_tree.about,
        site_tree.privacy,
        pages["post"],
    ]
    for page in public:
        page.refresh_from_db()
        url = page.get_full_url()
        assert url.startswith("http"), url
        assert url in entries, url
        assert entries[url] == localdate(page.last_published_at).isoformat()
    for hidden in ("members", "inner", "draft"):
        assert pages[hidden].get_full_url() not in entries
        assert not any(pages[hidden].slug in loc for loc in entries)


def test_sitemap_lists_topics_with_published_content(client, site_tree, pages):
    root_url = Site.objects.get(is_default_site=True).root_url
    entries = sitemap_entries(client)
    topic_url = f"{root_url}/amne/{pages['topic'].slug}/"
    assert entries[topic_url] == localdate(pages["post"].last_published_at).isoformat()
    assert not any("tomt-amne" in loc for loc in entries)
    index_path = optional_reverse("topic-index")
    if index_path:
        assert entries[root_url + index_path] == entries[topic_url]

    # A topic whose only page is private is left out too.
    hidden_topic = Topic.objects.create(name="Hemligt ämne")
    secret = add_page(site_tree.blog, BlogPage, "Hemligt inlägg", topics=[hidden_topic])
    PageViewRestriction.objects.create(
        page=secret, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    entries = sitemap_entries(client)
    assert not any(hidden_topic.slug in loc for loc in entries)
    assert secret.get_full_url() not in entries


def test_sitemap_query_count_does_not_grow_with_pages(
    client, site_tree, pages, django_assert_max_num_queries
):
    client.get(reverse("sitemap"))
    with CaptureQueriesContext(connection) as queries:
        before = sitemap_entries(client)
    # Counted now: the captured queries are a window on the connection's query log, which
    # every request clears (the one below too).
    count = len(queries)
    for n in range(6):
        topic = Topic.objects.create(name=f"Ämne {n}")
        add_page(site_tree.blog, BlogPage, f"Inlägg {n}", topics=[topic, pages["topic"]])
        add_page(site_tree.about, StandardPage, f"Sida {n}")
    client.get(reverse("sitemap"))  # the first view after a change finds the site again
    with django_assert_max_num_queries(count):
        after = sitemap_entries(client)
    assert len(after) >= len(before) + 18


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_admin_and_search(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Disallow: /admin/" in lines
    assert "Disallow: /sok/" in lines
    (sitemap_line,) = [line for line in lines if line.startswith("Sitemap: ")]
    sitemap_url = sitemap_line.removeprefix("Sitemap: ")
    assert sitemap_url.startswith("http://") or sitemap_url.startswith("https://")
    assert sitemap_url.endswith("/sitemap.xml")


def test_robots_txt_uses_the_site_address(client, site_tree):
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = "www.socialchefer.se", 443
    site.save()
    body = client.get("/robots.txt", HTTP_HOST="www.socialchefer.se").content.decode()
    assert "Sitemap: https://www.socialchefer.se/sitemap.xml" in body.splitlines()
    entries = sitemap_entries(client)
    assert all(loc.startswith("https://www.socialchefer.se/") for loc in entries)


@pytest.mark.parametrize("query", ["?p=abc", "?p=99", "?p=0"])
def test_bad_sitemap_page_numbers_are_404(client, site_tree, query):
    assert client.get(reverse("sitemap") + query).status_code == 404


@pytest.mark.parametrize("second_site", [False, True])
def test_sitemap_addresses_are_wagtails_own(client, site_tree, pages, second_site):
    from wagtail.models import Page

    unicode_slug = BlogPage(title="Vård i Åre", slug="vård-i-åre")
    site_tree.blog.add_child(instance=unicode_slug)
    unicode_slug.save_revision().publish()
    if second_site:  # every page then belongs to two sites: Wagtail's answer
        Site.objects.create(hostname="andra.example.org", port=80, root_page=site_tree.home)
    Site.clear_site_root_paths_cache()
    entries = sitemap_entries(client)
    listed = Page.objects.live().public().filter(depth__gt=1).exclude(pk__in=[1])
    expected = {Page.get_full_url(page) for page in listed}  # Wagtail's own, not ours
    assert {loc for loc in entries if "/amne" not in loc} == expected
    assert any("v%C3%A5rd-i-%C3%A5re" in loc for loc in entries)
