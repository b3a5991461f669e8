"""Private pages never leak: not in search, listings, feeds, calendars, the sitemap or the API.

A post, a person, an event and a position each sit under a view restriction (two with a
password, two for a group only) and carry a unique word in their titles and texts. Public
twins with another unique word share their topic, category and author, so every response
checked below really lists content of that kind (the test would notice an empty answer).
"""

import datetime
import html
import re

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from blog.models import BlogPage, BlogPageAuthor, Category, PositionPage
from events.models import EventPage
from fss_site.models import Topic
from people.models import PersonPage

SECRET = "Hemligordet"
PUBLIC = "Synligordet"


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def _restrict(page, kind):
    if kind == "password":
        PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.PASSWORD, password="hemligt"
        )
    else:
        restriction = PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.GROUPS
        )
        restriction.groups.set([Group.objects.get(name="Moderatorer")])


def _pages(tree, word, topic, category, author, start):
    slug = word.lower()
    person = _publish(
        tree.people,
        PersonPage(
            title=f"Person {word}",
            slug=f"person-{slug}",
            job_title=f"Socialchef {word}",
            is_spokesperson=True,
            topics=[topic],
        ),
    )
    post = _publish(
        tree.blog,
        BlogPage(
            title=f"Inlägg {word}",
            slug=f"inlagg-{slug}",
            date=datetime.date(2024, 3, 1),
            excerpt=f"Om {word}",
            category=category,
            topics=[topic],
            authors=[BlogPageAuthor(person=author, byline="socialchef")],
        ),
    )
    post.tags.add("Tillit")
    post.save_revision().publish()
    event = _publish(
        tree.events,
        EventPage(
            title=f"Möte {word}",
            slug=f"mote-{slug}",
            start=start,
            end=start + datetime.timedelta(hours=2),
            summary=f"Om {word}",
            topics=[topic],
        ),
    )
    position = _publish(
        tree.positions,
        PositionPage(
            title=f"Ståndpunkt {word}",
            slug=f"standpunkt-{slug}",
            statement=f"Vi anser {word}.",
            topics=[topic],
            date_adopted=datetime.date(2024, 2, 1),
        ),
    )
    return {"person": person, "post": post, "event": event, "position": position}


@pytest.fixture
def content(site_tree):
    topic = Topic.objects.create(name="Äldreomsorg")
    category = Category.objects.create(name="Första linjen")
    author = _publish(
        site_tree.people,
        PersonPage(title="Anna Skribent", slug="anna-skribent", job_title="Socialchef"),
    )
    start = (timezone.now() + datetime.timedelta(days=30)).replace(microsecond=0)
    public = _pages(site_tree, PUBLIC, topic, category, author, start)
    private = _pages(
        site_tree, SECRET, topic, category, author, start + datetime.timedelta(hours=3)
    )
    _restrict(private["post"], "password")
    _restrict(private["event"], "password")
    _restrict(private["person"], "groups")
    _restrict(private["position"], "groups")
    return {
        "tree": site_tree,
        "topic": topic,
        "category": category,
        "author": author,
        "public": public,
        "private": private,
    }


def _public_urls(c):
    tree, topic = c["tree"], c["topic"]
    blog = tree.blog.url
    return [
        "/",
        f"/sok/?q={SECRET}",
        f"/sok/?q={PUBLIC}",
        "/sok/?q=Socialchef",
        blog,
        f"{blog}kategori/{c['category'].slug}/",
        f"{blog}amne/{topic.slug}/",
        f"{blog}tagg/tillit/",
        f"{blog}skribent/{c['author'].slug}/",
        f"{blog}2024/",
        tree.people.url,
        tree.events.url,
        tree.positions.url,
        f"/amne/{topic.slug}/",
        "/amnen/",
        "/flode/rss/",
        "/flode/atom/",
        f"/flode/kategori/{c['category'].slug}/",
        f"/flode/amne/{topic.slug}/",
        f"/flode/skribent/{c['author'].pk}/",
        "/kalendarium/ical/alla.ics",
        f"/kalendarium/ical/amne/{topic.slug}.ics",
        "/sitemap.xml",
        "/api/v2/pages/?limit=20",
        f"/api/v2/pages/?search={SECRET}",
        f"/api/v2/pages/?search={PUBLIC}",
        "/api/v2/pages/?type=blog.BlogPage&limit=20",
        "/api/v2/pages/?type=people.PersonPage&limit=20",
        "/api/v2/pages/?type=events.EventPage&limit=20",
        "/api/v2/pages/?type=blog.PositionPage&limit=20",
    ]


def _phrases(word):
    return [
        f"Inlägg {word}",
        f"Person {word}",
        f"Möte {word}",
        f"Ståndpunkt {word}",
        f"Om {word}",
        f"Socialchef {word}",
        f"Vi anser {word}",
    ]


def _body(response):
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "group-member"])
def test_private_pages_appear_in_no_public_listing(client, content, moderator, signed_in):
    if signed_in:
        # Even a member of the group that may open the pages sees them only on their own URL.
        client.force_login(moderator)
    seen_public = set()
    for url in _public_urls(content):
        response = client.get(url)
        assert response.status_code in (200, 400), url
        body = _body(response)
        text = html.unescape(re.sub(r"<[^>]+>", "", body))
        # The search page repeats the query, so look for the pages' own phrases.
        for phrase in _phrases(SECRET):
            assert phrase not in text, (url, phrase)
        # Slugs too: no link to a private page.
        for page in content["private"].values():
            assert f"/{page.slug}/" not in body, url
        if any(phrase in text for phrase in _phrases(PUBLIC)) or any(
            f"/{page.slug}/" in body for page in content["public"].values()
        ):
            seen_public.add(url)
    # The public twins show up in every listing, so the checks above are real.
    missing = (
        set(_public_urls(content))
        - seen_public
        - {f"/sok/?q={SECRET}", f"/api/v2/pages/?search={SECRET}", "/amnen/"}
    )
    assert missing == set()


@pytest.mark.django_db
def test_private_pages_have_no_api_detail_or_ical(client, content):
    for kind, page in content["private"].items():
        assert client.get(f"/api/v2/pages/{page.pk}/").status_code == 404, kind
    assert client.get(f"/kalendarium/ical/{content['private']['event'].pk}.ics").status_code in (
        403,
        404,
    )
    assert client.get(f"/kalendarium/ical/{content['public']['event'].pk}.ics").status_code == 200
    for kind, page in content["public"].items():
        assert client.get(f"/api/v2/pages/{page.pk}/").status_code == 200, kind


@pytest.mark.django_db
def test_private_pages_themselves_ask_for_a_password_or_a_login(client, content):
    for kind in ("post", "event"):
        response = client.get(content["private"][kind].url)
        assert SECRET not in _body(response), kind
    for kind in ("person", "position"):
        response = client.get(content["private"][kind].url)
        assert response.status_code == 302, kind


def _password_form(html):
    return re.search(
        r'<form class="password-form" method="post" action="([^"]+)">.*?'
        r'name="csrfmiddlewaretoken" value="([^"]+)".*?name="return_url" value="([^"]+)"',
        html,
        re.S,
    ).groups()


def _asks_for_the_password_in_the_site(html):
    assert '<html lang="sv">' in html
    assert 'name="viewport"' in html
    assert 'class="skip-link"' in html and 'class="site-header"' in html
    assert "<title>Lösenord krävs – " in html
    assert "<h1>Lösenord krävs</h1>" in html
    assert '<label for="id_password">Lösenord</label>' in html


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["post", "event"])
def test_a_page_behind_a_password_asks_for_it_in_the_site(content, kind):
    """In the site's frame, as every public page; nothing of the page itself, its title
    and description not even in the head."""
    browser = Client(enforce_csrf_checks=True)
    page = content["private"][kind]
    response = browser.get(page.url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = _body(response)
    _asks_for_the_password_in_the_site(html)
    assert SECRET not in html
    assert page.title not in html

    action, csrf, return_url = _password_form(html)
    wrong = browser.post(
        action, {"csrfmiddlewaretoken": csrf, "password": "fel", "return_url": return_url}
    )
    html = _body(wrong)
    _asks_for_the_password_in_the_site(html)
    assert 'class="field-error" id="id_password_error"' in html
    assert 'aria-invalid="true" aria-describedby="id_password_error"' in html
    assert SECRET not in html

    right = browser.post(
        action, {"csrfmiddlewaretoken": csrf, "password": "hemligt", "return_url": return_url}
    )
    assert right.status_code == 302
    assert SECRET in _body(browser.get(page.url))


@pytest.mark.django_db
def test_a_page_for_a_group_asks_for_a_login_in_the_site(content, moderator):
    """The login page for visitors (not the admin's) in the site's frame, as every public
    page; nothing of the page asked for; after logging in, the page."""
    browser = Client(enforce_csrf_checks=True)
    page = content["private"]["person"]
    asked = browser.get(page.url)
    assert asked.status_code == 302
    login = browser.get(asked["Location"])
    assert login.status_code == 200
    html = _body(login)
    assert '<html lang="sv">' in html
    assert 'class="skip-link"' in html and 'class="site-header"' in html
    assert "<title>Logga in – " in html and "<h1>Logga in</h1>" in html
    assert '<label for="id_username">' in html and '<label for="id_password">' in html
    assert SECRET not in html

    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    nxt = re.search(r'name="next" value="([^"]+)"', html).group(1)
    assert nxt == page.url
    form = {"csrfmiddlewaretoken": csrf, "next": nxt, "username": "moderator"}
    wrong = browser.post("/_util/login/", {**form, "password": "fel"})
    html = _body(wrong)
    assert wrong.status_code == 200
    assert 'class="error-summary" role="alert"' in html
    assert SECRET not in html
    right = browser.post("/_util/login/", {**form, "password": "pw-moderator"})
    assert right.status_code == 302 and right["Location"] == page.url
    assert SECRET in _body(browser.get(page.url))


@pytest.mark.django_db
def test_a_document_behind_a_password_asks_for_it_in_the_site(client):
    collection = Collection.get_first_root_node().add_child(name="Styrelsen")
    CollectionViewRestriction.objects.create(
        collection=collection,
        restriction_type=CollectionViewRestriction.PASSWORD,
        password="hemligt",
    )
    document = get_document_model().objects.create(
        title=f"Protokoll {SECRET}",
        collection=collection,
        file=ContentFile(b"%PDF-1.4", name="protokoll.pdf"),
    )
    response = client.get(document.url)
    assert response.status_code == 200
    html = _body(response)
    _asks_for_the_password_in_the_site(html)
    assert SECRET not in html


@pytest.mark.django_db
def test_api_relation_filter_with_a_slug_is_a_client_error(client, content):
    response = client.get(f"/api/v2/pages/?type=blog.BlogPage&topics={content['topic'].slug}")
    assert response.status_code == 400
