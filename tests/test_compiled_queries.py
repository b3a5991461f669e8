"""Querysets compiled once per process (``fss_site/compiled.py``): each run gives what the
queryset itself gives, with its own values; the pages that use them show each its own
content when the SQL was compiled for another."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.models import BlogPage
from events.models import EventPage
from fss_site import compiled
from fss_site.models import Topic
from tests.public_content import build_public_content

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache(monkeypatch):
    monkeypatch.setattr(compiled, "_entries", {})


@pytest.fixture
def content():
    return build_public_content()


def _counting(build):
    calls = []

    def counted(*values):
        calls.append(values)
        return build(*values)

    return counted, calls


def test_each_run_has_its_own_values_and_builds_once(content):
    def build(topic_id):
        return BlogPage.objects.live().filter(topics=topic_id).order_by("title")

    counted, calls = _counting(build)
    for topic in (content.topics.elderly, content.topics.children, content.topics.law):
        got = compiled.run(("posts-of-topic",), BlogPage, counted, topic.pk)
        assert [p.pk for p in got] == [p.pk for p in build(topic.pk)]
    # Compiled once, with two sets of stand-ins (the SQL must not differ); never built
    # with a real topic.
    assert len(calls) == 2
    real = set(Topic.objects.values_list("pk", flat=True))
    assert not {values[0] for values in calls} & real
    assert compiled.compiled_for(("posts-of-topic",), BlogPage, content.topics.law.pk)


def test_times_are_put_in_on_every_database(content):
    """``now`` reaches the SQL in the database's form (a string on SQLite)."""

    def build(now):
        return EventPage.objects.live().upcoming(now).order_by("start")

    starts = sorted(e.start for e in EventPage.objects.live())
    assert len(starts) >= 2
    for now in (starts[0] - datetime.timedelta(days=1), starts[-1] + datetime.timedelta(days=400)):
        got = compiled.run(("upcoming",), EventPage, build, now)
        assert [e.pk for e in got] == [e.pk for e in build(now)]
    assert compiled.compiled_for(("upcoming",), EventPage, timezone.now())
    # Every event lies ahead of a day before the first; none a year after the last.
    first = compiled.run(("upcoming",), EventPage, build, starts[0] - datetime.timedelta(days=1))
    assert len(first) == EventPage.objects.live().count()


def test_lists_of_ids_compile_per_length(content):
    posts = list(BlogPage.objects.live().order_by("pk"))
    assert len(posts) >= 3

    def build(ids):
        return BlogPage.objects.filter(pk__in=ids).order_by("pk")

    counted, calls = _counting(build)
    for ids in ([posts[0].pk, posts[1].pk], [posts[1].pk, posts[2].pk], [posts[2].pk]):
        got = compiled.run(("by-ids",), BlogPage, counted, ids)
        assert [p.pk for p in got] == sorted(ids)
    assert len(calls) == 4  # two lengths, each compiled with two sets of stand-ins
    assert compiled.run(("by-ids",), BlogPage, counted, []) == []  # no SQL: Django's answer


def test_related_rows_and_prefetched_lists_come_with_the_rows(content, monkeypatch):
    """The listing's ``select_related`` category and prefetched authors, as Django has
    them: one query for the posts, one for the authors, both compiled (Django's prefetch,
    which builds its query on every run, is not called)."""
    import django.db.models.query

    def build():
        return BlogPage.listing(BlogPage.objects.live())

    compiled.run(("listing",), BlogPage, build)
    prefetched = []
    monkeypatch.setattr(
        django.db.models.query,
        "prefetch_related_objects",
        lambda *args, **kwargs: prefetched.append(args),
    )
    with CaptureQueriesContext(connection) as queries:
        got = compiled.run(("listing",), BlogPage, build)
        shown = [(p.pk, p.category, [a.person_id for a in p.listed_authors]) for p in got]
    assert len(queries) == 2
    assert not prefetched
    monkeypatch.undo()
    assert shown == [(p.pk, p.category, [a.person_id for a in p.listed_authors]) for p in build()]
    assert any(authors for _pk, _category, authors in shown)


def test_a_value_the_query_computes_with_runs_through_django(content):
    """A stand-in that never reaches the parameters as it is (here the day of a time):
    nothing is compiled, and the answer is still right."""

    def build(now):
        return EventPage.objects.live().filter(start__date__gte=now.date()).order_by("start")

    now = min(e.start for e in EventPage.objects.live())
    got = compiled.run(("by-day",), EventPage, build, now)
    assert [e.pk for e in got] == [e.pk for e in build(now)]
    assert not compiled.compiled_for(("by-day",), EventPage, now)


def test_values_without_a_stand_in_are_refused():
    with pytest.raises(TypeError):
        compiled.run(("flag",), Topic, lambda flag: Topic.objects.filter(pk=1), True)


def test_pages_show_their_own_content_from_sql_compiled_for_another(client, content):
    """The topic page's queries are compiled at the first view; the next topic's page
    still shows its own posts and people, not the first one's."""
    first = client.get(f"/amne/{content.topics.elderly.slug}/")
    assert first.status_code == 200
    second = client.get(f"/amne/{content.topics.children.slug}/")
    assert second.status_code == 200
    for response, topic in ((first, content.topics.elderly), (second, content.topics.children)):
        html = response.content.decode()
        for post in BlogPage.objects.live().filter(topics=topic):
            assert post.title in html
        for post in BlogPage.objects.live().exclude(topics=topic):
            assert f'href="{post.url}"' not in html
    assert client.get("/amne/finns-inte/").status_code == 404


def test_a_value_written_into_the_sql_is_never_compiled(content):
    """SQL that differs with the value (here a value written into it) is not reused."""
    topics = list(Topic.objects.order_by("pk"))

    def build(pk):
        return Topic.objects.extra(where=[f'"fss_site_topic"."id" <> {int(pk)}']).order_by("pk")  # noqa: S610

    for topic in topics[:2]:
        got = compiled.run(("all-but",), Topic, build, topic.pk)
        assert [t.pk for t in got] == [t.pk for t in topics if t.pk != topic.pk]
    assert not compiled.compiled_for(("all-but",), Topic, topics[0].pk)


def test_the_blog_pages_show_their_own_slice(client, content):
    """A listing page's SQL holds its slice: a page of three posts, then one of ten, each
    shows its own number of posts."""
    from tests.public_content import add_more

    first = client.get("/blogg/")
    assert first.status_code == 200
    shown_before = first.content.decode().count('<li class="card">')
    add_more(content, n=12)
    after = client.get("/blogg/").content.decode()
    assert shown_before == BlogPage.objects.live().count() - 12 < 10
    assert after.count('<li class="card">') == 10


def test_a_preview_of_a_stored_post_shows_the_lists_in_its_form(client, content):
    """A stored post's authors and topics are read by compiled SQL, except in a preview,
    which shows the ones in the editor's form."""
    from blog.models import BlogPageAuthor
    from tests.public_html import parse

    assert client.get(content.post.url).status_code == 200  # its SQL compiled
    post = BlogPage.objects.get(pk=content.post.pk)
    post.authors = [BlogPageAuthor(person=content.bertil, byline="ny titel")]
    post.topics = [content.topics.law]
    response = post.make_preview_request()
    assert response.status_code == 200
    doc = parse(response.content.decode())
    (byline,) = doc.find("p", class_="byline")
    assert " ".join(byline.text.split()) == "Av Bertil Berg, ny titel"
    # The stored post is unchanged.
    stored = client.get(content.post.url).content.decode()
    assert "ny titel" not in stored


def test_a_preview_of_a_stored_person_shows_the_roles_in_its_form(client, content):
    from people.models import PersonPage, PersonRole

    assert client.get(content.anna.url).status_code == 200
    person = PersonPage.objects.get(pk=content.anna.pk)
    person.roles = [PersonRole(kind=PersonRole.REGIONAL_LEAD, region="Norrbotten")]
    html = person.make_preview_request().content.decode()
    assert "Norrbotten" in html
    assert "Norrbotten" not in client.get(content.anna.url).content.decode()


def test_integers_the_database_gets_in_its_own_type_are_put_in_too(content):
    """Some integer columns get their values as psycopg's ``Int4`` on PostgreSQL (a tree
    depth); such a value is found and put in as that type."""
    from wagtail.models import Page

    def build(depth):
        return Page.objects.filter(depth=depth).order_by("path")

    for depth in (2, 3):
        got = compiled.run(("by-depth",), Page, build, depth)
        assert [p.pk for p in got] == [p.pk for p in build(depth)]
        assert got
    assert compiled.compiled_for(("by-depth",), Page, 2)
