"""The imported posts whose date the texts do not give: the editors' follow-up in the
admin (seeds/views.py), in a report and on the dashboard, until each has one; and what
visitors see of them meanwhile: no date (never the day of the import), listed after the
dated posts (BlogPage.display_date)."""

import datetime
import importlib
import json
import re
from io import StringIO

import pytest
from defusedxml import ElementTree
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from blog.models import BlogPage
from tests.public_content import make_person, make_post

pytestmark = pytest.mark.django_db

MISSING_DATE = re.compile(r"^  - (.+): publiceringsdatum saknas$", re.MULTILINE)


@pytest.fixture
def report():
    out = StringIO()
    call_command("import_seeds", stdout=out)
    return out.getvalue()


def _title(quoted):
    return quoted.strip("”’").replace("&", "&amp;")


def test_the_posts_the_import_report_left_without_a_date_are_listed(client, editor, report):
    missing = [_title(quoted) for quoted in MISSING_DATE.findall(report)]
    assert len(missing) >= 2
    client.force_login(editor)

    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Att komplettera efter importen" in home
    assert f"{len(missing)} importerade inlägg saknar publiceringsdatum" in home

    listed = client.get(reverse("undated_imported_posts")).content.decode()
    for title in missing:
        assert title in listed
    dated = BlogPage.objects.exclude(date=None).exclude(seed_source="").first()
    assert dated.title not in listed


def test_a_post_leaves_the_list_when_it_gets_a_date(client, editor, report, site_tree):
    make_post(site_tree, "Skrivet i redaktionen", "skrivet-i-redaktionen")  # not imported
    client.force_login(editor)
    listed = client.get(reverse("undated_imported_posts")).content.decode()
    assert "Skrivet i redaktionen" not in listed

    undated = list(BlogPage.objects.filter(date=None).exclude(seed_source="").order_by("pk"))
    first, rest = undated[0], undated[1:]
    assert first.title in listed
    first.date = datetime.date(2023, 2, 14)
    first.save_revision().publish()
    listed = client.get(reverse("undated_imported_posts")).content.decode()
    assert first.title not in listed
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert f"{len(rest)} importerade inlägg saknar publiceringsdatum" in home

    for post in rest:
        post.date = datetime.date(2023, 2, 14)
        post.save_revision().publish()
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Att komplettera efter importen" not in home


def _post_links(html: str) -> list[str]:
    """The posts a listing shows, in its order, by their addresses."""
    return re.findall(r'<h[23][^>]*>\s*<a href="(/blogg/[^"]+/)"', html)


def _json_ld(html: str) -> dict:
    block = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    data = json.loads(block.group(1))
    graph = data.get("@graph", [data])
    return next(item for item in graph if item.get("@type") == "BlogPosting")


def test_an_imported_post_without_a_date_shows_none_and_lists_after_the_dated(client, report):
    today = timezone.localdate().isoformat()
    undated = list(BlogPage.objects.filter(date=None).exclude(seed_source=""))
    dated = list(BlogPage.objects.exclude(date=None).exclude(seed_source=""))
    assert undated and dated
    # Imported today: the day the import published them, and not a day to show.
    assert all(timezone.localdate(post.first_published_at).isoformat() == today for post in undated)

    post = undated[0]
    page = client.get(post.url).content.decode()
    meta = re.search(r'<p class="meta">(.*?)</p>', page, re.S).group(1)
    assert "<time" not in meta
    assert f'datetime="{today}"' not in page
    data = _json_ld(page)
    assert "datePublished" not in data
    assert data["dateModified"].startswith(today)

    # The listing: every dated post before every undated one, whatever their dates.
    links = []
    number = 1
    while True:
        response = client.get(f"/blogg/?page={number}")
        if response.status_code == 404:
            break
        links += _post_links(response.content.decode())
        number += 1
    dated_urls = {p.url for p in dated}
    undated_urls = {p.url for p in undated}
    assert set(links) >= dated_urls | undated_urls
    last_dated = max(links.index(url) for url in dated_urls)
    assert last_dated < min(links.index(url) for url in undated_urls)

    # Not filed under the year of the import.
    this_year = client.get(f"/blogg/{timezone.localdate().year}/")
    assert not undated_urls & set(_post_links(this_year.content.decode()))

    # The feeds: no publication date; Atom's required <updated> is when it was published.
    atom = "{http://www.w3.org/2005/Atom}"
    rss = ElementTree.fromstring(client.get("/flode/rss/").content)
    items = {item.findtext("link"): item for item in rss.iter("item")}
    entries = {
        entry.find(f"{atom}link").get("href"): entry
        for entry in ElementTree.fromstring(client.get("/flode/atom/").content).iter(f"{atom}entry")
    }
    for url in undated_urls:
        item = next(value for link, value in items.items() if link.endswith(url))
        assert item.find("pubDate") is None
        entry = next(value for link, value in entries.items() if link.endswith(url))
        assert entry.find(f"{atom}published") is None
        assert entry.findtext(f"{atom}updated").startswith(today)
    for url in dated_urls:
        item = next(value for link, value in items.items() if link.endswith(url))
        assert item.find("pubDate") is not None


def test_a_post_shows_its_date_once_an_editor_sets_it_and_one_written_here_its_day(
    client, report, site_tree
):
    today = timezone.localdate()
    written_here = make_post(site_tree, "Skrivet i redaktionen", "skrivet-i-redaktionen")
    page = client.get(written_here.url).content.decode()
    assert f'<time datetime="{today.isoformat()}">' in page

    post = BlogPage.objects.filter(date=None).exclude(seed_source="").first()
    post.date = datetime.date(2019, 5, 6)
    post.save_revision().publish()
    page = client.get(post.url).content.decode()
    assert '<time datetime="2019-05-06">' in page
    assert _json_ld(page)["datePublished"] == "2019-05-06"
    assert post.url in _post_links(client.get("/blogg/2019/").content.decode())


def test_the_migration_forgets_the_import_day_and_can_put_it_back(report):
    from django.apps import apps

    migration = importlib.import_module("blog.migrations.0011_undated_imported_posts")
    undated = BlogPage.objects.filter(date=None).exclude(seed_source="")
    dated = BlogPage.objects.exclude(date=None).exclude(seed_source="")
    dated_days = dict(dated.values_list("pk", "listing_date"))
    # As the import left them before: the day of the import.
    undated.update(listing_date=timezone.localdate())

    migration.forget_import_day(apps, None)
    assert set(undated.values_list("listing_date", flat=True)) == {None}
    assert dict(dated.values_list("pk", "listing_date")) == dated_days

    migration.restore_import_day(apps, None)
    assert set(undated.values_list("listing_date", flat=True)) == {timezone.localdate()}
    assert dict(dated.values_list("pk", "listing_date")) == dated_days


def test_a_persons_posts_are_in_the_blogs_order(client, site_tree):
    person = make_person(site_tree, "Eva Ek", "eva-ek")
    by_her = [(person, "")]
    old = make_post(
        site_tree, "Från 2020", "fran-2020", authors=by_her, date=datetime.date(2020, 1, 1)
    )
    imported = make_post(site_tree, "Importerat", "importerat", authors=by_her, seed_source="x:1")
    written_here = make_post(site_tree, "Skrivet i dag", "skrivet-i-dag", authors=by_her)
    links = _post_links_anywhere(client.get(person.url).content.decode())
    assert [url for url in links if url in {old.url, imported.url, written_here.url}] == [
        written_here.url,  # today
        old.url,
        imported.url,  # no date
    ]


def _post_links_anywhere(html: str) -> list[str]:
    return re.findall(r'<a href="(/blogg/[^"/]+/)"', html)
