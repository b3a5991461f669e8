"""The public read-only API at /api/v2/: public pages only, useful fields, GET only."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.text import slugify
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction
from wagtail.rich_text import RichText

from blog.models import BlogPage, BlogPageAuthor, Category, PositionPage
from events.models import EventPage, EventParticipant, Organisation
from fss_site.models import Topic
from people.models import PersonPage, PersonRole


def publish(parent, page, *, live=True):
    parent.add_child(instance=page)
    revision = page.save_revision()
    if live:
        revision.publish()
    else:
        type(page).objects.filter(pk=page.pk).update(live=False)
    page.refresh_from_db()
    return page


def make_post(tree, title, person, topic, category):
    post = BlogPage(
        title=title,
        slug=slugify(title),
        date=datetime.date(2024, 3, 1),
        excerpt="Kort ingress.",
        category=category,
        body=[("paragraph", RichText("<p>Brödtext.</p>"))],
    )
    post.topics = [topic]
    post.authors = [BlogPageAuthor(person=person, byline="socialchef i Lund")]
    post.tags.add("remiss")
    return publish(tree.blog, post)


@pytest.fixture
def content(site_tree):
    topic = Topic.objects.create(name="Äldreomsorg")
    category = Category.objects.create(name="Ledarskap")
    person = PersonPage(title="Anna Andersson", slug="anna", job_title="Socialchef")
    person.topics = [topic]
    person.roles = [PersonRole(kind=PersonRole.REGIONAL_LEAD, region="Skåne")]
    person = publish(site_tree.people, person)
    post = make_post(site_tree, "Öppet inlägg", person, topic, category)
    private = make_post(site_tree, "Hemligt inlägg", person, topic, category)
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    draft = publish(
        site_tree.blog, BlogPage(title="Utkast", slug="utkast", excerpt="x"), live=False
    )
    event = EventPage(
        title="Seminarium",
        slug="seminarium",
        start=timezone.make_aware(datetime.datetime(2030, 4, 21, 13, 0)),
        venue="Folkets hus",
        city="Lund",
        summary="Om tillit.",
    )
    event.topics = [topic]
    event.organisers = [Organisation.objects.create(name="Vision")]
    event.participants = [EventParticipant(person=person, part=EventParticipant.SPEAKER)]
    event = publish(site_tree.events, event)
    position = publish(
        site_tree.positions,
        PositionPage(title="Tillit", slug="tillit", statement="Vi litar på professionen."),
    )
    return {
        "topic": topic,
        "category": category,
        "person": person,
        "post": post,
        "private": private,
        "draft": draft,
        "event": event,
        "position": position,
    }


def ids(response):
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_page_listing_shows_only_live_public_pages(client, content):
    listed = ids(client.get("/api/v2/pages/?limit=20"))
    assert {content["post"].pk, content["event"].pk, content["person"].pk} <= listed
    assert content["private"].pk not in listed
    assert content["draft"].pk not in listed


def test_private_and_draft_pages_cannot_be_fetched_even_by_signed_in_admins(
    client, content, admin_user
):
    for signed_in in (False, True):
        if signed_in:
            client.force_login(admin_user)
        for page in ("private", "draft"):
            response = client.get(f"/api/v2/pages/{content[page].pk}/")
            assert response.status_code == 404, (page, signed_in)
        listed = ids(client.get("/api/v2/pages/?type=blog.BlogPage"))
        assert listed == {content["post"].pk}
        found = client.get(f"/api/v2/pages/find/?html_path=/blogg/{content['private'].slug}/")
        assert found.status_code == 404


def test_post_detail_has_the_post_fields(client, content):
    post = content["post"]
    data = client.get(f"/api/v2/pages/{post.pk}/").json()
    assert data["title"] == "Öppet inlägg"
    assert data["meta"]["type"] == "blog.BlogPage"
    assert data["meta"]["html_url"] == post.get_full_url()
    assert data["date"] == "2024-03-01"
    assert data["excerpt"] == "Kort ingress."
    assert data["category"] == {
        "id": content["category"].pk,
        "name": "Ledarskap",
        "slug": "ledarskap",
    }
    assert data["topics"] == [
        {"id": content["topic"].pk, "name": "Äldreomsorg", "slug": content["topic"].slug}
    ]
    assert data["authors"] == [
        {"person": content["person"].pk, "name": "Anna Andersson", "byline": "socialchef i Lund"}
    ]
    assert data["tags"] == ["remiss"]
    assert data["body"][0]["type"] == "paragraph"


def test_type_filter_with_fields_for_events_people_and_positions(client, content):
    response = client.get(
        "/api/v2/pages/?type=events.EventPage&fields=start,end,all_day,venue,city,topics,"
        "organisers,participants"
    )
    (event,) = response.json()["items"]
    assert event["id"] == content["event"].pk
    assert datetime.datetime.fromisoformat(event["start"]) == content["event"].start
    assert event["end"] is None
    assert event["all_day"] is False
    assert event["venue"] == "Folkets hus"
    assert event["city"] == "Lund"
    assert [o["name"] for o in event["organisers"]] == ["Vision"]
    assert event["participants"][0]["name"] == "Anna Andersson"
    assert event["participants"][0]["part_label"] == "Talare"

    (person,) = client.get(
        "/api/v2/pages/?type=people.PersonPage&fields=job_title,roles,topics"
    ).json()["items"]
    assert person["job_title"] == "Socialchef"
    assert person["roles"] == [
        {"kind": "regional_lead", "region": "Skåne", "label": "Regionansvarig Skåne"}
    ]

    (position,) = client.get(
        "/api/v2/pages/?type=blog.PositionPage&fields=statement,status"
    ).json()["items"]
    assert position["statement"] == "Vi litar på professionen."
    assert position["status"] == "current"


def test_bad_api_input_is_a_4xx(client, content):
    assert client.get("/api/v2/pages/?type=finns.Inte").status_code == 400
    assert client.get("/api/v2/pages/?type=blog.BlogPage&fields=nope").status_code == 400
    assert client.get("/api/v2/pages/999999/").status_code == 404
    assert client.get("/api/v2/pages/abc/").status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_api_is_read_only(client, content, admin_user, method):
    client.force_login(admin_user)
    post = content["post"]
    for url in ("/api/v2/pages/", f"/api/v2/pages/{post.pk}/", "/api/v2/documents/"):
        response = getattr(client, method)(
            url, data={"title": "Ändrad"}, content_type="application/json"
        )
        assert response.status_code == 405, (method, url)
    post.refresh_from_db()
    assert post.title == "Öppet inlägg"


def test_documents_in_restricted_collections_are_not_listed(client, db, admin_user):
    document_model = get_document_model()
    root = Collection.get_first_root_node()
    members = root.add_child(name="Medlemmar")
    CollectionViewRestriction.objects.create(
        collection=members, restriction_type=CollectionViewRestriction.LOGIN
    )
    inner = members.add_child(name="Protokoll")
    public = document_model.objects.create(
        title="Remissvar", file=ContentFile(b"%PDF-1.4", name="remissvar.pdf")
    )
    hidden = [
        document_model.objects.create(
            title=title, collection=collection, file=ContentFile(b"%PDF-1.4", name="p.pdf")
        )
        for title, collection in (("Protokoll 1", members), ("Protokoll 2", inner))
    ]
    client.force_login(admin_user)
    assert ids(client.get("/api/v2/documents/")) == {public.pk}
    for document in hidden:
        assert client.get(f"/api/v2/documents/{document.pk}/").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "type=blog.BlogPage&fields=*",
        "type=events.EventPage&fields=*",
        "type=people.PersonPage&fields=*",
        "type=blog.PositionPage&fields=*",
        "child_of={blog}",
        "descendant_of={home}&order=-id",
    ],
)
def test_listing_query_count_does_not_grow_with_pages(
    client, site_tree, content, query, django_assert_max_num_queries
):
    url = "/api/v2/pages/?limit=20&" + query.format(blog=site_tree.blog.pk, home=site_tree.home.pk)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        before = len(ids(client.get(url)))

    topic = content["topic"]
    for n in range(5):
        person = PersonPage(title=f"Person {n}", slug=f"person-{n}")
        person.topics = [topic]
        person.roles = [PersonRole(kind=PersonRole.BOARD_MEMBER)]
        person = publish(site_tree.people, person)
        make_post(site_tree, f"Inlägg {n}", person, topic, content["category"])
        event = EventPage(
            title=f"Evenemang {n}",
            slug=f"evenemang-{n}",
            start=timezone.now(),
        )
        event.topics = [topic]
        event.organisers = [Organisation.objects.create(name=f"Org {n}")]
        event.participants = [EventParticipant(person=person), EventParticipant(name="Extern")]
        publish(site_tree.events, event)
        position = PositionPage(title=f"Ståndpunkt {n}", slug=f"standpunkt-{n}", statement="x")
        position.topics = [topic]
        publish(site_tree.positions, position)

    with django_assert_max_num_queries(len(queries)):
        after = len(ids(client.get(url)))
    assert after >= min(before + 5, 20)


@pytest.mark.parametrize("endpoint", ["documents", "images"])
def test_media_listing_query_count_does_not_grow(
    client, db, endpoint, django_assert_max_num_queries
):
    def add(n):
        if endpoint == "documents":
            item = get_document_model().objects.create(
                title=f"Dokument {n}", file=ContentFile(b"%PDF-1.4", name=f"d{n}.pdf")
            )
        else:
            item = get_image_model().objects.create(
                title=f"Bild {n}", file=get_test_image_file(filename=f"b{n}.png")
            )
        item.tags.add("remiss", f"tagg-{n}")
        return item

    add(0)
    url = f"/api/v2/{endpoint}/"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.json()["items"][0]["meta"]["tags"] == ["remiss", "tagg-0"]
    for n in range(1, 6):
        add(n)
    with django_assert_max_num_queries(len(queries)):
        assert len(ids(client.get(url))) == 6
