"""Generate a large, realistic data set on top of the seeds: posts, people and events.

For load tests and query-count tests. The same ``--seed`` and ``--anchor-date`` always give
the same content. Pages are written in bulk (rows with their tree paths computed here,
not one ``add_child`` per page), in one transaction, and indexed for search afterwards;
the tree stays valid (``fixtree`` finds nothing). Generated pages are marked in
``seed_source`` ("generate_content:…") so ``--replace`` can remove them again.
"""

from __future__ import annotations

import datetime
import json
import random
import time
import uuid
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from taggit.models import Tag
from wagtail.models import Locale, Page

from blog.models import BlogPage, BlogPageAuthor, BlogPageTag, Category
from events.models import AttendanceDay, EventPage, EventParticipant, Organisation
from fss_site.cache import bump_generation
from fss_site.commands import SiteCommand
from fss_site.derived import DerivedFieldsMixin
from fss_site.models import Topic
from fss_site.site_tree import ensure_site_tree
from people.models import PersonPage, PersonRole

MARK = "generate_content:"
BATCH = 400

FIRST_NAMES = [
    "Anna",
    "Maria",
    "Eva",
    "Karin",
    "Sara",
    "Lena",
    "Kristina",
    "Emma",
    "Johanna",
    "Malin",
    "Ingrid",
    "Elin",
    "Sofia",
    "Ida",
    "Linnea",
    "Erik",
    "Lars",
    "Karl",
    "Anders",
    "Johan",
    "Per",
    "Nils",
    "Mikael",
    "Jan",
    "Hans",
    "Peter",
    "Olof",
    "Gustav",
    "Oskar",
    "Magnus",
    "Ali",
    "Fatima",
    "Amir",
    "Leila",
    "Noor",
    "Jonas",
    "Henrik",
    "Åsa",
    "Örjan",
    "Märta",
]
LAST_NAMES = [
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Jansson",
    "Hansson",
    "Bengtsson",
    "Jönsson",
    "Lindberg",
    "Lindqvist",
    "Lindgren",
    "Berg",
    "Axelsson",
    "Hermansson",
    "Sandberg",
    "Forsberg",
    "Sjöberg",
    "Wallin",
    "Engström",
    "Danielsson",
    "Lundin",
    "Holm",
    "Åberg",
    "Öberg",
    "Ekström",
    "Hedlund",
    "Nyström",
    "Sundberg",
    "Björk",
    "Dahl",
    "Mohammed",
    "Hussein",
]
MUNICIPALITIES = [
    "Lund",
    "Malmö",
    "Göteborg",
    "Uppsala",
    "Umeå",
    "Gävle",
    "Falun",
    "Växjö",
    "Kalmar",
    "Luleå",
    "Östersund",
    "Sundsvall",
    "Karlstad",
    "Örebro",
    "Västerås",
    "Linköping",
    "Norrköping",
    "Jönköping",
    "Halmstad",
    "Kiruna",
    "Visby",
    "Borås",
    "Helsingborg",
    "Eskilstuna",
    "Skellefteå",
    "Trollhättan",
    "Nacka",
    "Huddinge",
    "Botkyrka",
    "Södertälje",
]
JOBS = (
    "Socialchef",
    "Socialdirektör",
    "Förvaltningschef",
    "Verksamhetschef",
    "Avdelningschef",
    "Enhetschef",
    "Utvecklingsledare",
)
REGIONS = ("Skåne", "Gävle/Dala", "Norr", "Väst", "Stockholm", "Öst", "Småland", "Mitt")
SUBJECTS = (
    "tilliten",
    "socialtjänsten",
    "äldreomsorgen",
    "barn och unga",
    "den nya socialtjänstlagen",
    "kompetensförsörjningen",
    "det förebyggande arbetet",
    "ekonomiskt bistånd",
    "missbruksvården",
    "hemlösheten",
    "samverkan med regionen",
    "digitaliseringen",
    "våld i nära relationer",
    "placerade barn",
    "ledarskapet",
    "välfärdens finansiering",
)
VERBS = (
    "Så stärker vi",
    "Dags att prata om",
    "Fem tankar om",
    "Därför behöver vi",
    "Ny rapport om",
    "Vad händer med",
    "Lärdomar från",
    "Frågor och svar om",
    "Ett år med",
    "Vi måste våga förändra",
)
SENTENCES = (
    "Socialtjänsten står inför stora förändringar de kommande åren.",
    "Kommunerna behöver långsiktiga förutsättningar för att kunna planera.",
    "Tillit till professionen är en förutsättning för en god verksamhet.",
    "Medarbetarnas kompetens är vår viktigaste resurs.",
    "Det förebyggande arbetet lönar sig både för människor och för samhället.",
    "Vi ser ett ökat behov av samverkan mellan kommun och region.",
    "Barnets bästa ska alltid komma först.",
    "Ledarskapet i socialtjänsten behöver stöd och utrymme.",
    "Forskning och beprövad erfarenhet ska styra arbetet.",
    "Digitala verktyg kan frigöra tid för mötet med människor.",
    "Äldre ska kunna leva ett tryggt och självständigt liv.",
    "Regelverket måste bli enklare att tillämpa i vardagen.",
    "Brukarnas röster behöver höras tydligare i utvecklingsarbetet.",
    "Resurserna räcker inte alltid till det som lagen kräver.",
)
EVENT_KINDS = ("Seminarium om", "Konferens:", "Panelsamtal om", "Webbinarium om", "Rundabord om")
VENUES = ("Folkets hus", "Stadshuset", "Kulturhuset", "Konserthuset", "Scandic", "Kommunhuset")
DEFAULT_TOPICS = ("Äldreomsorg", "Barn och unga", "Socialtjänstlagen", "Kompetensförsörjning")
DEFAULT_CATEGORIES = ("Första linjens socialtjänst", "Ledarskap")
DEFAULT_ORGANISATIONS = ("SKR", "Vision", "Socialstyrelsen")
TAG_NAMES = (
    "tillit",
    "ledarskap",
    "lagstiftning",
    "kompetens",
    "samverkan",
    "forskning",
    "almedalen",
    "ekonomi",
    "digitalisering",
    "barnrätt",
)


@dataclass
class Plan:
    """Rows to insert for one page type under one parent."""

    parent: Page
    pages: list = field(default_factory=list)


class Command(SiteCommand):
    help = (
        "Skapar ett stort, deterministiskt testinnehåll (inlägg, personer, evenemang) "
        "ovanpå startinnehållet, för lasttester."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--posts", type=int, default=10_000)
        parser.add_argument("--people", type=int, default=500)
        parser.add_argument("--events", type=int, default=2_000)
        parser.add_argument(
            "--anchor-date",
            default="",
            help=_("Dagen innehållet utgår från (ÅÅÅÅ-MM-DD); i dag om inget anges."),
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help=_("Ta bort tidigare genererat innehåll först."),
        )
        parser.add_argument("--no-index", action="store_true", help=_("Uppdatera inte sökindexet."))

    def handle(self, *args, **options):
        for name in ("posts", "people", "events"):
            if not 0 <= options[name] <= 100_000:
                raise CommandError(_("--%s måste vara mellan 0 och 100000.") % name)
        if options["posts"] and not options["people"]:
            raise CommandError(_("Inlägg behöver skribenter: ange --people större än 0."))
        try:
            anchor = (
                datetime.date.fromisoformat(options["anchor_date"])
                if options["anchor_date"]
                else timezone.localdate()
            )
        except ValueError as exc:
            raise CommandError(_("Ogiltigt datum: %s") % options["anchor_date"]) from exc

        started = time.perf_counter()
        with transaction.atomic():
            existing = Page.objects.filter(
                pk__in=self._generated_ids(),
            )
            if existing.exists():
                if not options["replace"]:
                    raise CommandError(
                        _(
                            "Det finns redan genererat innehåll. "
                            "Använd --replace för att ersätta det."
                        )
                    )
                removed = existing.count()
                existing.delete()
                self.stdout.write(_("Tog bort %d genererade sidor.") % removed)
            generator = Generator(options["seed"], anchor)
            counts = generator.run(options["people"], options["events"], options["posts"])
            # Bulk writes send no signals: cached pages are made stale here, on commit.
            bump_generation("generate_content")
        written = time.perf_counter() - started
        self.stdout.write(
            _(
                "Skapade %(posts)d inlägg, %(people)d personer och %(events)d evenemang "
                "på %(s).1f s."
            )
            % {**counts, "s": written}
        )
        if not options["no_index"]:
            started = time.perf_counter()
            generator.index()
            self.stdout.write(
                _("Sökindexet uppdaterat på %.1f s.") % (time.perf_counter() - started)
            )

    @staticmethod
    def _generated_ids():
        ids = []
        for model in (BlogPage, PersonPage, EventPage):
            ids += model.objects.filter(seed_source__startswith=MARK).values_list("pk", flat=True)
        return ids


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(rng.choice(SENTENCES) for _ in range(sentences))


def stream(rng: random.Random, paragraphs: int) -> str:
    blocks = []
    for n in range(paragraphs):
        if n and n % 3 == 0:
            blocks.append(
                {
                    "type": "heading",
                    "value": {
                        "text": rng.choice(VERBS) + " " + rng.choice(SUBJECTS),
                        "level": "h2",
                    },
                    "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                }
            )
        blocks.append(
            {
                "type": "paragraph",
                "value": f"<p>{paragraph(rng, rng.randint(2, 5))}</p>",
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            }
        )
    return json.dumps(blocks, ensure_ascii=False)


class Generator:
    def __init__(self, seed: int, anchor: datetime.date):
        self.seed = seed
        self.rng = random.Random(seed)  # noqa: S311 - test data, not secrets
        self.anchor = timezone.make_aware(datetime.datetime.combine(anchor, datetime.time(12, 0)))
        self.tree, _created = ensure_site_tree()
        self.locale = Locale.get_default()
        self.created: dict[type, list[int]] = {}

    # -- vocabulary ------------------------------------------------------------------

    @staticmethod
    def _ensure(model, names):
        objects = list(model.objects.order_by("pk"))
        if objects:
            return objects
        for name in names:
            model(name=name).save()
        return list(model.objects.order_by("pk"))

    # -- tree rows -------------------------------------------------------------------

    def _insert(self, parent: Page, pages: list[Page]) -> list[Page]:
        """Insert pages as the last children of ``parent``: base rows, then their own rows."""
        if not pages:
            return []
        parent.refresh_from_db()
        model = type(pages[0])
        content_type = ContentType.objects.get_for_model(model)
        last = parent.get_last_child()
        step = Page._str2int(last.path[-Page.steplen :]) if last else 0
        depth = parent.depth + 1
        for page in pages:
            step += 1
            page.path = Page._get_path(parent.path, depth, step)
            page.depth = depth
            page.numchild = 0
            page.url_path = f"{parent.url_path}{page.slug}/"
            page.content_type = content_type
            page.locale = self.locale
            page.translation_key = uuid.UUID(int=self.rng.getrandbits(128), version=4)
            page.draft_title = page.title
            page.live = True
            page.has_unpublished_changes = False
            if isinstance(page, DerivedFieldsMixin):
                page.derive_fields()  # as save() would: the rows are written without it
        for start in range(0, len(pages), BATCH):
            chunk = pages[start : start + BATCH]
            Page.objects.bulk_create(chunk, batch_size=BATCH)
            for page in chunk:
                page.page_ptr_id = page.id
            own_fields = list(model._meta.local_concrete_fields)
            model._base_manager._insert(chunk, fields=own_fields, raw=True, using="default")
        Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(pages))
        self.created.setdefault(model, []).extend(page.pk for page in pages)
        return pages

    def _through(self, model, field_name, rows):
        through = model._meta.get_field(field_name).remote_field.through
        source = f"{model._meta.model_name}_id"
        target = f"{model._meta.get_field(field_name).related_model._meta.model_name}_id"
        through.objects.bulk_create(
            [through(**{source: a, target: b}) for a, b in rows], batch_size=1000
        )

    def _published(self, moment: datetime.datetime, page: Page) -> None:
        page.first_published_at = moment
        page.last_published_at = moment

    # -- content ---------------------------------------------------------------------

    def run(self, people: int, events: int, posts: int) -> dict:
        rng = self.rng
        topics = self._ensure(Topic, DEFAULT_TOPICS)
        categories = self._ensure(Category, DEFAULT_CATEGORIES)
        organisations = self._ensure(Organisation, DEFAULT_ORGANISATIONS)
        tags = [
            Tag.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
            for name in TAG_NAMES
        ]

        person_pages = []
        for n in range(people):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            name = f"{first} {last}"
            town = rng.choice(MUNICIPALITIES)
            page = PersonPage(
                title=name,
                slug=f"{slugify(name)}-{n + 1}",
                job_title=rng.choice(JOBS),
                employer=f"{town} kommun",
                bio=f"<p>{name} arbetar i {town} kommun. {paragraph(rng, 2)}</p>",
                is_spokesperson=n % 20 == 0,
                is_board_member=False,
                seed_source=f"{MARK}{self.seed}:person:{n + 1}",
            )
            self._published(self.anchor - datetime.timedelta(days=rng.randint(30, 3000)), page)
            person_pages.append(page)
        self._insert(self.tree.people, person_pages)
        PersonRole.objects.bulk_create(
            [
                PersonRole(
                    page_id=page.pk, kind=PersonRole.REGIONAL_LEAD, region=rng.choice(REGIONS)
                )
                for page in person_pages
                if page.is_spokesperson
            ]
        )
        self._through(
            PersonPage,
            "topics",
            [
                (page.pk, topic.pk)
                for page in person_pages
                for topic in rng.sample(topics, k=min(len(topics), rng.randint(0, 2)))
            ],
        )

        event_pages = []
        for n in range(events):
            subject = rng.choice(SUBJECTS)
            title = f"{rng.choice(EVENT_KINDS)} {subject}"
            # Three quarters in the past, one quarter coming, over about four years.
            offset = rng.randint(-1100, 365)
            start = (self.anchor + datetime.timedelta(days=offset)).replace(
                hour=rng.choice((9, 10, 13, 15)), minute=0
            )
            page = EventPage(
                title=title,
                slug=f"{slugify(title)}-{n + 1}",
                start=start,
                end=start + datetime.timedelta(hours=rng.choice((1, 2, 3, 8))),
                city=rng.choice(MUNICIPALITIES),
                venue=rng.choice(VENUES),
                summary=paragraph(rng, 2),
                description=stream(rng, rng.randint(1, 3)),
                online=rng.random() < 0.3,
                seed_source=f"{MARK}{self.seed}:event:{n + 1}",
            )
            # Announced 10 to 90 days before it starts, and never after the anchor (the
            # data set's today): an event still to come was published in the last 90 days.
            announced = min(start, self.anchor) - datetime.timedelta(days=rng.randint(10, 90))
            self._published(announced, page)
            event_pages.append(page)
        self._insert(self.tree.events, event_pages)
        participants = []
        for page in event_pages:
            for sort_order, person in enumerate(
                rng.sample(person_pages, k=min(len(person_pages), rng.randint(0, 3)))
            ):
                participants.append(
                    EventParticipant(
                        page_id=page.pk,
                        person_id=person.pk,
                        title=person.job_title,
                        part=rng.choice((EventParticipant.SPEAKER, EventParticipant.PANELLIST)),
                        sort_order=sort_order,
                    )
                )
        EventParticipant.objects.bulk_create(participants, batch_size=1000)
        event_days = {page.pk: timezone.localtime(page.start).date() for page in event_pages}
        AttendanceDay.objects.bulk_create(
            [
                AttendanceDay(page_id=p.page_id, person_id=p.person_id, day=event_days[p.page_id])
                for p in participants[:200]
            ],
            batch_size=1000,
        )
        self._through(
            EventPage,
            "topics",
            [
                (page.pk, topic.pk)
                for page in event_pages
                for topic in rng.sample(topics, k=min(len(topics), rng.randint(1, 2)))
            ],
        )
        self._through(
            EventPage,
            "organisers",
            [
                (page.pk, organisation.pk)
                for page in event_pages
                for organisation in rng.sample(
                    organisations, k=min(len(organisations), rng.randint(0, 2))
                )
            ],
        )

        post_pages = []
        for n in range(posts):
            title = f"{rng.choice(VERBS)} {rng.choice(SUBJECTS)}"
            day = (self.anchor - datetime.timedelta(days=rng.randint(1, 3650))).date()
            page = BlogPage(
                title=title,
                slug=f"{slugify(title)}-{n + 1}",
                date=day,
                excerpt=paragraph(rng, 2),
                body=stream(rng, rng.randint(3, 8)),
                category_id=rng.choice(categories).pk if rng.random() < 0.8 else None,
                related_event_id=(
                    rng.choice(event_pages).pk if event_pages and rng.random() < 0.05 else None
                ),
                seed_source=f"{MARK}{self.seed}:post:{n + 1}",
            )
            self._published(
                timezone.make_aware(datetime.datetime.combine(day, datetime.time(8, 0))), page
            )
            post_pages.append(page)
        self._insert(self.tree.blog, post_pages)
        authors = []
        for page in post_pages:
            for sort_order, person in enumerate(rng.sample(person_pages, k=rng.choice((1, 1, 2)))):
                authors.append(
                    BlogPageAuthor(
                        page_id=page.pk,
                        person_id=person.pk,
                        byline=f"{person.job_title.lower()} i {person.employer}",
                        sort_order=sort_order,
                    )
                )
        BlogPageAuthor.objects.bulk_create(authors, batch_size=1000)
        self._through(
            BlogPage,
            "topics",
            [
                (page.pk, topic.pk)
                for page in post_pages
                for topic in rng.sample(topics, k=min(len(topics), rng.randint(1, 2)))
            ],
        )
        BlogPageTag.objects.bulk_create(
            [
                BlogPageTag(content_object_id=page.pk, tag_id=tag.pk)
                for page in post_pages
                for tag in rng.sample(tags, k=rng.randint(0, 2))
            ],
            batch_size=1000,
        )
        return {"posts": len(post_pages), "people": len(person_pages), "events": len(event_pages)}

    def index(self) -> None:
        """Add the generated pages to the search index (bulk writes skip the signals)."""
        from wagtail.search.backends import get_search_backends

        for model, ids in self.created.items():
            for start in range(0, len(ids), BATCH):
                chunk = list(
                    model.objects.filter(pk__in=ids[start : start + BATCH]).prefetch_related(
                        *[
                            name
                            for name in ("topics", "category")
                            if any(f.name == name for f in model._meta.get_fields())
                        ]
                    )
                )
                for backend in get_search_backends(with_auto_update=True):
                    backend.add_bulk(model, chunk)
