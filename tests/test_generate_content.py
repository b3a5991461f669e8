"""generate_content: a valid, deterministic, searchable data set written in bulk."""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from wagtail.models import Page

from blog.models import BlogPage, BlogPageAuthor
from events.models import EventPage
from fss_site.site_tree import ensure_site_tree
from people.models import PersonPage

SMALL = ["--posts", "40", "--people", "12", "--events", "25", "--anchor-date", "2025-03-01"]


def generate(*extra):
    out = StringIO()
    call_command("generate_content", *SMALL, *extra, stdout=out)
    return out.getvalue()


def snapshot():
    return {
        "posts": list(BlogPage.objects.order_by("path").values_list("title", "slug", "date")),
        "people": list(PersonPage.objects.order_by("path").values_list("title", "employer")),
        "events": list(EventPage.objects.order_by("path").values_list("title", "start")),
        "authors": list(
            BlogPageAuthor.objects.order_by("page__path", "sort_order").values_list(
                "page__slug", "person__slug"
            )
        ),
    }


@pytest.fixture
def tree(db):
    tree, _created = ensure_site_tree()
    return tree


def test_it_writes_a_valid_tree_of_live_pages(tree):
    output = generate()
    assert "40 inlägg, 12 personer och 25 evenemang" in output
    assert BlogPage.objects.count() == 40
    assert PersonPage.objects.count() == 12
    assert EventPage.objects.count() == 25
    # What fixtree checks: bad paths, orphans, depths and child counts.
    assert all(not problems for problems in Page.find_problems())
    tree.blog.refresh_from_db()
    assert tree.blog.numchild == 40
    post = BlogPage.objects.live().first()
    assert post.url_path == f"{tree.blog.url_path}{post.slug}/"
    assert post.authors.exists() and post.topics.exists()
    # Nothing was published after the anchor date, not even an event still to come.
    anchor = datetime.date(2025, 3, 1)
    assert EventPage.objects.filter(start__date__gt=anchor).exists()
    for model in (BlogPage, PersonPage, EventPage):
        assert not model.objects.filter(first_published_at__date__gt=anchor).exists()
    # New pages go after existing ones and the tree stays valid for Wagtail's own writes.
    extra = BlogPage(title="Skrivet för hand", slug="skrivet-for-hand")
    tree.blog.add_child(instance=extra)
    assert all(not problems for problems in Page.find_problems())


def test_the_pages_render_and_are_found_by_search(tree):
    generate()
    client = Client()
    post = BlogPage.objects.order_by("path").first()
    person = PersonPage.objects.order_by("path").first()
    event = EventPage.objects.order_by("path").first()
    for page in (post, person, event):
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        assert page.title in response.content.decode()
    assert client.get("/blogg/?page=4").status_code == 200
    # Bulk writes skip the index signals: the command indexes what it made.
    word = post.title.split()[-1]
    expected = BlogPage.objects.filter(title__icontains=word).count()
    found = client.get("/sok/", {"q": word, "typ": "inlagg"})
    assert found.status_code == 200
    html = found.content.decode()
    hits = int(re.search(r"(\d+) träff", html).group(1))
    assert hits >= expected > 0  # the word may also be in other posts' text
    assert any(p.url in html for p in BlogPage.objects.filter(title__icontains=word))


def test_the_same_seed_gives_the_same_content_and_replace_replaces(tree):
    generate("--seed", "7", "--no-index")
    first = snapshot()
    with pytest.raises(CommandError, match="--replace"):
        generate("--seed", "7", "--no-index")
    output = generate("--seed", "7", "--no-index", "--replace")
    assert "Tog bort 77 genererade sidor" in output
    assert snapshot() == first
    generate("--seed", "8", "--no-index", "--replace")
    assert snapshot() != first
    assert all(not problems for problems in Page.find_problems())


def test_bad_input_is_refused_and_nothing_is_written(tree):
    with pytest.raises(CommandError, match="Ogiltigt datum"):
        call_command("generate_content", "--anchor-date", "igår", stdout=StringIO())
    with pytest.raises(CommandError, match="--posts"):
        call_command("generate_content", "--posts", "-1", stdout=StringIO())
    with pytest.raises(CommandError, match="skribenter"):
        call_command("generate_content", "--posts", "3", "--people", "0", stdout=StringIO())
    assert not BlogPage.objects.exists()
