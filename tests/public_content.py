"""Test content for the public pages, built in code (add_child + publish).

``build_public_content()`` makes a small but complete site: topics, a category, board
members and spokespeople with roles, a multi-day event with an attendance schedule, posts
with bylines, captions and attachments, and positions (one superseded, one a
consultation response). ``add_more()`` adds N more of each kind, for the query-count tests.

``module_content`` is a module-scoped fixture factory: the content is built once per test
module inside a transaction that is rolled back when the module is done.
"""

import datetime
import json
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Site

from blog.models import (
    BlogPage,
    BlogPageAuthor,
    Category,
    PositionPage,
    PositionRelatedEvent,
    PositionRelatedPost,
)
from events.models import AttendanceDay, EventPage, EventParticipant, Organisation
from fss_site.models import Topic
from fss_site.site_tree import ensure_site_tree
from people.models import PersonPage, PersonRole

STOCKHOLM = datetime.timezone(datetime.timedelta(hours=2))  # summer time, for fixed dates


def publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def aware(*args):
    return timezone.make_aware(datetime.datetime(*args))


def body(*blocks):
    return json.dumps([{"type": kind, "value": value} for kind, value in blocks])


def make_person(tree, title, slug, *, roles=(), topics=(), photo=None, **fields):
    person = PersonPage(
        title=title,
        slug=slug,
        roles=[PersonRole(kind=kind, region=region) for kind, region in roles],
        topics=list(topics),
        photo=photo,
        **fields,
    )
    return publish(tree.people, person)


def make_post(tree, title, slug, *, authors=(), topics=(), tags=(), **fields):
    post = BlogPage(
        title=title,
        slug=slug,
        authors=[BlogPageAuthor(person=person, byline=byline) for person, byline in authors],
        topics=list(topics),
        **fields,
    )
    for tag in tags:
        post.tags.add(tag)
    return publish(tree.blog, post)


def make_event(tree, title, slug, *, participants=(), attendance=(), organisers=(), **fields):
    event = EventPage(
        title=title,
        slug=slug,
        participants=[EventParticipant(**p) for p in participants],
        attendance_days=[AttendanceDay(**a) for a in attendance],
        organisers=list(organisers),
        **fields,
    )
    return publish(tree.events, event)


def build_public_content():
    tree, _created = ensure_site_tree()
    now = timezone.now()
    elderly = Topic.objects.create(name="Äldreomsorg", description="Vård och omsorg om äldre.")
    children = Topic.objects.create(name="Barn och unga")
    law = Topic.objects.create(name="Socialtjänstlagen")
    category = Category.objects.create(name="Första linjens socialtjänst")
    photo = Image.objects.create(title="Porträtt", file=get_test_image_file(size=(400, 400)))

    anna = make_person(
        tree,
        "Anna Andersson",
        "anna-andersson",
        job_title="Socialchef",
        employer="Lunds kommun",
        is_board_member=True,
        is_spokesperson=True,
        roles=[(PersonRole.CHAIR, ""), (PersonRole.REGIONAL_LEAD, "Skåne")],
        topics=[elderly, children],
        photo=photo,
        photo_credit="Fotograf Foto",
        bio="<p>Anna leder socialtjänsten i Lund.</p>",
    )
    bertil = make_person(
        tree,
        "Bertil Berg",
        "bertil-berg",
        job_title="Förvaltningschef",
        employer="Gävle kommun",
        is_spokesperson=True,
        roles=[(PersonRole.REGIONAL_LEAD, "Gävle/Dala")],
        topics=[children],
    )
    cecilia = make_person(
        tree,
        "Cecilia Ceder",
        "cecilia-ceder",
        job_title="Socialdirektör",
        employer="Umeå kommun",
        is_board_member=True,
        roles=[(PersonRole.BOARD_MEMBER, "")],
        topics=[law],
    )
    hidden = make_person(tree, "Dold Person", "dold-person", is_spokesperson=True)
    hidden.unpublish()

    vision = Organisation.objects.create(name="Vision", url="https://vision.example.org/")
    skr = Organisation.objects.create(name="SKR")
    start = (now + datetime.timedelta(days=40)).replace(hour=9, minute=0, second=0, microsecond=0)
    almedalen = make_event(
        tree,
        "Almedalsveckan",
        "almedalsveckan",
        start=start,
        end=start + datetime.timedelta(days=4, hours=8),
        venue="Donnersplatsen",
        city="Visby",
        summary="FSS finns på plats under hela veckan i Visby.",
        topics=[elderly, children],
        organisers=[vision, skr],
        hearing_loop=True,
        sign_language=True,
        registration_url="https://example.org/anmalan",
        participants=[
            {"person": anna, "part": EventParticipant.SPEAKER, "title": "Ordförande FSS"},
            {"name": "Extern Talare", "title": "Forskare", "part": EventParticipant.MODERATOR},
        ],
        attendance=[
            {"person": anna, "day": timezone.localdate(start + datetime.timedelta(days=1))},
            {
                "person": bertil,
                "day": timezone.localdate(start + datetime.timedelta(days=1)),
                "preliminary": True,
            },
            {"person": bertil, "day": timezone.localdate(start + datetime.timedelta(days=2))},
        ],
    )
    seminar = make_event(
        tree,
        "Seminarium om tillit",
        "seminarium-om-tillit",
        start=aware(2022, 10, 24, 13, 0),
        end=aware(2022, 10, 24, 15, 30),
        venue="Stadshuset",
        address="Stortorget 1",
        city="Lund",
        summary="Ett seminarium om tillitsbaserad styrning.",
        recording_url="https://example.org/inspelning",
        topics=[law],
        participants=[{"person": cecilia, "part": EventParticipant.PANELLIST}],
    )
    conference = make_event(
        tree,
        "Socialchefsdagarna",
        "socialchefsdagarna",
        start=aware(2023, 9, 27, 0, 0),
        end=aware(2023, 9, 29, 23, 59),
        all_day=True,
        city="Malmö",
        online=True,
        online_url="https://example.org/sandning",
    )

    document = Document.objects.create(
        title="Remissvar om socialtjänstlagen",
        file=ContentFile(b"%PDF-1.4\n%test\n", name="remissvar.pdf"),
    )
    caption_image = Image.objects.create(title="Bild", file=get_test_image_file())
    post = make_post(
        tree,
        "Håller tillitsfönstret på att stängas?",
        "haller-tillitsfonstret",
        date=datetime.date(2022, 10, 24),
        category=category,
        excerpt="Socialtjänsten står inför en ny socialtjänstlag.",
        authors=[(anna, "socialchef i Lund")],
        topics=[elderly, children, law],
        tags=["Tillit", "Förvaltningsdag"],
        related_event=almedalen,
        body=body(
            ("heading", {"text": "Bra känsla men orosmolnen hopar sig", "level": "h2"}),
            ("paragraph", "<p>" + "Socialtjänsten i Lund arbetar med tillit. " * 80 + "</p>"),
            (
                "image",
                {
                    "image": caption_image.pk,
                    "alt_text": "Medarbetare vid ett bord",
                    "decorative": False,
                    "caption": "Förvaltningsdag i Lund",
                    "credit": "Fotograf Foto",
                },
            ),
            ("caption", {"text": "Bilden saknas men texten finns", "credit": "Okänd fotograf"}),
            ("heading", {"text": "Länkar", "level": "h3"}),
            (
                "attachment",
                {"title": "Tillitsdelegationens principer", "document": None, "url": ""},
            ),
            (
                "attachment",
                {"title": "Utredningen", "document": None, "url": "https://example.org/utredning"},
            ),
        ),
    )
    post_two = make_post(
        tree,
        "Barnen först",
        "barnen-forst",
        date=datetime.date(2023, 3, 1),
        category=category,
        excerpt="Om barn och unga.",
        authors=[(bertil, "förvaltningschef i Gävle"), (anna, "socialchef i Lund")],
        topics=[children, elderly],
    )
    post_three = make_post(
        tree,
        "Lagen och praktiken",
        "lagen-och-praktiken",
        date=datetime.date(2021, 5, 2),
        excerpt="Socialtjänstlagen i praktiken.",
        authors=[(cecilia, "")],
        topics=[law],
    )

    position = PositionPage(
        title="Ny socialtjänstlag",
        slug="ny-socialtjanstlag",
        statement="FSS välkomnar en ny socialtjänstlag med fokus på förebyggande arbete.",
        topics=[law, elderly],
        date_adopted=datetime.date(2023, 1, 15),
        referring_authority="Socialdepartementet",
        reference_number="S2020/09876",
        response_deadline=datetime.date(2023, 2, 1),
        response_document=document,
        related_post_links=[PositionRelatedPost(post=post)],
        related_event_links=[PositionRelatedEvent(event=seminar)],
    )
    position = publish(tree.positions, position)
    old_position = PositionPage(
        title="Äldre ståndpunkt om lagen",
        slug="aldre-standpunkt",
        statement="Den gamla lagen räcker.",
        topics=[law],
        status=PositionPage.SUPERSEDED,
        superseded_by=position,
        date_adopted=datetime.date(2019, 1, 1),
    )
    old_position = publish(tree.positions, old_position)
    elderly_position = publish(
        tree.positions,
        PositionPage(
            title="Äldreomsorgens bemanning",
            slug="aldreomsorgens-bemanning",
            statement="Äldreomsorgen behöver fler undersköterskor.",
            topics=[elderly],
            date_adopted=datetime.date(2024, 4, 1),
        ),
    )
    return SimpleNamespace(
        tree=tree,
        topics=SimpleNamespace(elderly=elderly, children=children, law=law),
        category=category,
        anna=anna,
        bertil=bertil,
        cecilia=cecilia,
        hidden=hidden,
        almedalen=almedalen,
        seminar=seminar,
        conference=conference,
        post=post,
        post_two=post_two,
        post_three=post_three,
        position=position,
        old_position=old_position,
        elderly_position=elderly_position,
        document=document,
    )


def add_more(content, n=10, *, prefix="extra"):
    """N more posts, positions, people, events (with participants) sharing the topics."""
    tree = content.tree
    topics = [content.topics.elderly, content.topics.children]
    now = timezone.now()
    people = []
    for i in range(n):
        people.append(
            make_person(
                tree,
                f"Person {prefix} {i}",
                f"person-{prefix}-{i}",
                job_title="Socialchef",
                employer=f"Kommun {i}",
                is_board_member=i % 2 == 0,
                is_spokesperson=True,
                roles=[(PersonRole.REGIONAL_LEAD, "Skåne")],
                topics=topics,
            )
        )
    for i in range(n):
        start = now + datetime.timedelta(days=50 + i)
        make_event(
            tree,
            f"Evenemang {prefix} {i}",
            f"evenemang-{prefix}-{i}",
            start=start,
            end=start + datetime.timedelta(hours=2),
            city="Stockholm",
            topics=topics,
            organisers=list(Organisation.objects.all()),
            participants=[{"person": people[i], "part": EventParticipant.SPEAKER}],
            attendance=[{"person": people[i], "day": timezone.localdate(start)}],
        )
        make_event(
            tree,
            f"Tidigare {prefix} {i}",
            f"tidigare-{prefix}-{i}",
            start=aware(2020, 1, 1 + i, 10, 0),
            topics=topics,
            participants=[{"person": content.anna, "part": EventParticipant.PANELLIST}],
        )
    posts = []
    for i in range(n):
        posts.append(
            make_post(
                tree,
                f"Inlägg {prefix} {i}",
                f"inlagg-{prefix}-{i}",
                date=datetime.date(2022, 1, 1 + i),
                category=content.category,
                excerpt="Ett extra inlägg om socialtjänsten.",
                authors=[(people[i], "socialchef"), (content.anna, "ordförande")],
                topics=topics,
                tags=["Tillit"],
                related_event=content.almedalen,
            )
        )
        publish(
            tree.positions,
            PositionPage(
                title=f"Ståndpunkt {prefix} {i}",
                slug=f"standpunkt-{prefix}-{i}",
                statement="En extra ståndpunkt.",
                topics=topics,
                related_post_links=[PositionRelatedPost(post=content.post)],
                related_event_links=[PositionRelatedEvent(event=content.almedalen)],
            ),
        )
    # The position and the week in Almedalen gain posts, participants and attendance.
    position = PositionPage.objects.get(pk=content.position.pk)
    position.related_post_links.add(*(PositionRelatedPost(post=post) for post in posts))
    position.save_revision().publish()
    almedalen = EventPage.objects.get(pk=content.almedalen.pk)
    day = almedalen.local_start.date() + datetime.timedelta(days=1)
    for i, person in enumerate(people):
        almedalen.participants.add(EventParticipant(person=person, part=EventParticipant.PANELLIST))
        almedalen.attendance_days.add(AttendanceDay(person=person, day=day, preliminary=i % 2 == 0))
    almedalen.save_revision().publish()
    return people


def module_content_fixture(builder=build_public_content):
    """A module-scoped fixture with content built once and rolled back afterwards."""

    @pytest.fixture(scope="module")
    def fixture(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock(), transaction.atomic():
            content = builder()
            yield content
            transaction.set_rollback(True)
        Site.clear_site_root_paths_cache()

    return fixture
