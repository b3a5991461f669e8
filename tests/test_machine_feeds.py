"""RSS and Atom feeds of blog posts: valid XML, complete items, only public posts, 404s."""

import datetime
from email.utils import parsedate_to_datetime

import pytest
from defusedxml import ElementTree as ET
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import PageViewRestriction, Site
from wagtail.rich_text import RichText

from blog.models import BlogPage, BlogPageAuthor, Category
from fss_site.models import Topic
from people.models import PersonPage

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def add_person(tree, name):
    person = PersonPage(title=name, slug=slugify(name), job_title="Socialchef")
    tree.people.add_child(instance=person)
    person.save_revision().publish()
    return person


def add_post(tree, title, *, publish=True, authors=(), topics=(), **fields):
    post = BlogPage(title=title, slug=slugify(title), **fields)
    post.topics = list(topics)
    post.authors = [BlogPageAuthor(person=person, byline=byline) for person, byline in authors]
    tree.blog.add_child(instance=post)
    revision = post.save_revision()
    if publish:
        revision.publish()
    else:
        BlogPage.objects.filter(pk=post.pk).update(live=False)
    post.refresh_from_db()
    return post


@pytest.fixture
def content(site_tree):
    category = Category.objects.create(name="Första linjens socialtjänst")
    other_category = Category.objects.create(name="Ekonomi")
    topic = Topic.objects.create(name="Äldreomsorg", description="Om äldreomsorgen.")
    anna = add_person(site_tree, "Anna Andersson")
    bertil = add_person(site_tree, "Bertil Berg")
    newest = add_post(
        site_tree,
        "Tillit till professionen",
        date=datetime.date(2024, 3, 1),
        excerpt="Vi kan inte informera bort tillitsbristen <men> vi kan agera & visa.",
        category=category,
        topics=[topic],
        authors=[(anna, "socialchef i Lund"), (bertil, "")],
    )
    older = add_post(
        site_tree,
        "Äldre inlägg",
        date=datetime.date(2023, 5, 10),
        excerpt="",
        category=other_category,
        body=[
            ("heading", {"text": "Inledning", "level": "h2"}),
            ("paragraph", RichText("<p>Första <b>stycket</b> &amp; mer.</p><p>Andra.</p>")),
            ("paragraph", RichText("<p>Ett senare stycke.</p>")),
        ],
        authors=[(bertil, "")],
    )
    private = add_post(site_tree, "Hemligt inlägg", date=datetime.date(2024, 4, 1))
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="hemligt"
    )
    draft = add_post(site_tree, "Utkast", date=datetime.date(2024, 5, 1), publish=False)
    return {
        "category": category,
        "topic": topic,
        "anna": anna,
        "bertil": bertil,
        "newest": newest,
        "older": older,
        "private": private,
        "draft": draft,
    }


def rss_items(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "rss"
    assert root.get("version") == "2.0"
    channel = root.find("channel")
    return channel, channel.findall("item")


def test_all_posts_rss_lists_public_posts_with_every_required_element(client, content):
    site = Site.objects.get(is_default_site=True)
    channel, items = rss_items(client.get(reverse("feeds:all-rss")))

    assert "blogg" in channel.findtext("title")
    assert channel.findtext("link") == content["newest"].get_parent().get_full_url()
    assert channel.findtext("description")
    assert channel.findtext("language") == "sv"

    # Newest first; the private post and the draft are left out.
    assert [item.findtext("title") for item in items] == [
        "Tillit till professionen",
        "Äldre inlägg",
    ]
    first, second = items
    assert first.findtext("link") == content["newest"].get_full_url()
    assert first.findtext("link").startswith(site.root_url + "/")
    assert first.findtext("guid") == f"tag:socialchefer.se,2025:blogg/{content['newest'].pk}"
    assert first.find("guid").get("isPermaLink") == "false"
    # The whole excerpt, readable as HTML by feed readers.
    assert first.findtext("description") == (
        "Vi kan inte informera bort tillitsbristen &lt;men&gt; vi kan agera &amp; visa."
    )
    assert first.findtext(f"{DC}creator") == "Anna Andersson och Bertil Berg"
    assert [c.text for c in first.findall("category")] == [
        "Första linjens socialtjänst",
        "Äldreomsorg",
    ]
    # The post's printed date (published on another day) at midnight, Stockholm time.
    pubdate = parsedate_to_datetime(second.findtext("pubDate"))
    assert pubdate == timezone.make_aware(datetime.datetime(2023, 5, 10))
    # No excerpt: the text of the first paragraph stands in.
    assert second.findtext("description") == "Första stycket &amp; mer."


def test_all_posts_atom_has_feed_and_entry_elements(client, content):
    response = client.get(reverse("feeds:all-atom"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    assert feed.get(XML_LANG) == "sv"
    assert feed.findtext(f"{ATOM}id") == "tag:socialchefer.se,2025:/flode/atom/"
    assert "blogg" in feed.findtext(f"{ATOM}title")
    assert feed.findtext(f"{ATOM}updated")
    assert feed.findtext(f"{ATOM}author/{ATOM}name")
    self_link = feed.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("href").endswith("/flode/atom/")
    assert self_link.get("href").startswith("http")

    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 2
    entry = entries[0]
    newest = content["newest"]
    assert entry.findtext(f"{ATOM}id") == f"tag:socialchefer.se,2025:blogg/{newest.pk}"
    assert entry.findtext(f"{ATOM}title") == "Tillit till professionen"
    updated = datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
    assert updated == newest.last_published_at
    assert entry.find(f"{ATOM}link").get("href") == newest.get_full_url()
    assert entry.findtext(f"{ATOM}summary").startswith("Vi kan inte informera bort")
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Anna Andersson och Bertil Berg"
    terms = [c.get("term") for c in entry.findall(f"{ATOM}category")]
    assert terms == ["Första linjens socialtjänst", "Äldreomsorg"]


def test_category_topic_and_author_feeds_list_only_their_posts(client, content):
    _, items = rss_items(
        client.get(reverse("feeds:category", kwargs={"slug": content["category"].slug}))
    )
    assert [item.findtext("title") for item in items] == ["Tillit till professionen"]

    channel, items = rss_items(
        client.get(reverse("feeds:topic", kwargs={"slug": content["topic"].slug}))
    )
    assert [item.findtext("title") for item in items] == ["Tillit till professionen"]
    assert "Äldreomsorg" in channel.findtext("title")
    assert channel.findtext("link").endswith(f"/amne/{content['topic'].slug}/")

    channel, items = rss_items(
        client.get(reverse("feeds:author", kwargs={"person_id": content["bertil"].pk}))
    )
    assert [item.findtext("title") for item in items] == [
        "Tillit till professionen",
        "Äldre inlägg",
    ]
    assert "Bertil Berg" in channel.findtext("title")
    assert channel.findtext("link") == content["bertil"].get_full_url()


@pytest.mark.parametrize(
    "path",
    [
        "/flode/kategori/finns-inte/",
        "/flode/amne/finns-inte/",
        "/flode/skribent/999999/",
        "/flode/skribent/anna/",
        "/flode/skribent/-1/",
        "/flode/okand/",
    ],
)
def test_unknown_feeds_are_404(client, content, path):
    assert client.get(path).status_code == 404


def test_author_feed_of_a_page_that_is_not_a_public_person_is_404(client, content):
    # A post's id is not a person.
    assert client.get(f"/flode/skribent/{content['newest'].pk}/").status_code == 404
    PageViewRestriction.objects.create(
        page=content["anna"], restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    assert client.get(f"/flode/skribent/{content['anna'].pk}/").status_code == 404


def test_feed_query_count_does_not_grow_with_posts(
    client, site_tree, content, django_assert_max_num_queries
):
    urls = [
        reverse("feeds:all-rss"),
        reverse("feeds:all-atom"),
        reverse("feeds:topic", kwargs={"slug": content["topic"].slug}),
        reverse("feeds:author", kwargs={"person_id": content["bertil"].pk}),
    ]
    counts = {}
    for url in urls:
        client.get(url)  # warm the site's root-path cache
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[url] = len(queries)

    extra_topic = Topic.objects.create(name="Barn och unga")
    for n in range(8):
        add_post(
            site_tree,
            f"Fler inlägg {n}",
            date=datetime.date(2022, 1, n + 1),
            category=content["category"],
            topics=[content["topic"], extra_topic],
            authors=[(content["anna"], ""), (content["bertil"], "")],
        )
    for url in urls:
        client.get(url)  # the first view after a change finds the site again
        with django_assert_max_num_queries(counts[url]):
            channel_items = rss_or_atom_entries(client.get(url))
        assert len(channel_items) >= 9


def rss_or_atom_entries(response):
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    if root.tag == "rss":
        return root.findall("channel/item")
    return root.findall(f"{ATOM}entry")
