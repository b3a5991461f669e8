"""Board members and spokespeople.

A person's roles in FSS (ordförande, regionansvarig for a region ...) and their job
(title and employer) are different facts and are kept apart. Their posts, positions and
event appearances are derived from the pages that name them, never typed twice.
"""

import datetime
import functools

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Prefetch, Q
from django.utils import dateformat, timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from fss_site import compiled, seo
from fss_site.api_fields import RoleSerializer, TopicSerializer
from fss_site.listing import (
    CachedRestrictionsMixin,
    ChildRoutingMixin,
    LoadedPageMixin,
    PageUrlMixin,
    feed_links,
    per_generation,
    restricted_paths,
    section_pages,
    shows_stored,
    visible,
)
from fss_site.models import ImportedContentMixin, Topic
from fss_site.text import person_search_text

PHOTO_FILTER = "fill-240x240-c100"
ROLE_RANK = {"chair": 0, "vice_chair": 1}


class PeopleIndexPage(
    LoadedPageMixin, ChildRoutingMixin, PageUrlMixin, CachedRestrictionsMixin, Page
):
    """Styrelse och talespersoner: the list of board members and spokespeople."""

    child_page_model = "people.PersonPage"

    introduction = models.TextField(_("ingress"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    parent_page_types = ["fss_site.HomePage"]
    subpage_types = ["people.PersonPage"]
    max_count = 1

    class Meta:
        verbose_name = _("personlista")
        verbose_name_plural = _("personlistor")

    @staticmethod
    def _attendance_days(request):
        """(day, event title, label) for each day in the schedules of coming events."""
        from events.models import AttendanceDay, EventPage

        upcoming = visible(EventPage.objects.upcoming(), request)
        rows = (
            AttendanceDay.objects.filter(page__in=upcoming.values("pk"))
            .values_list("day", "page__title")
            .distinct()
            .order_by("day", "page__title")
        )
        return [(day, title, dateformat.format(day, "l j F")) for day, title in rows]

    def get_context(self, request, *args, **kwargs):
        """Board members and spokespeople, filtered by the GET form (bookmarkable)."""
        from wagtail.images import get_image_model

        from events.models import AttendanceDay, EventPage
        from fss_site.public_forms import PeopleFilterForm

        context = super().get_context(request, *args, **kwargs)
        people = visible(PersonPage.objects.child_of(self), request).filter(
            Q(is_board_member=True) | Q(is_spokesperson=True)
        )

        def choices():
            # The form's choices, from every listed person: kept until the next change
            # (the days of coming events at most the cache's timeout).
            topics = Topic.objects.filter(people__in=people.values("pk")).distinct()
            regions = (
                PersonRole.objects.filter(page__in=people.values("pk"))
                .exclude(region="")
                .order_by("region")
                .values_list("region", flat=True)
                .distinct()
            )
            return list(topics), list(regions), self._attendance_days(request)

        topics, regions, days = per_generation(f"people-choices:{self.pk}", choices)
        form = PeopleFilterForm(request.GET, topics=topics, regions=regions, days=days)
        form.is_valid()
        # Only the fields that validated; an invalid value is shown as an error at its field.
        chosen = form.cleaned_data
        chosen_day = None
        if chosen.get("amne"):
            people = people.filter(topics__slug=chosen["amne"])
        if chosen.get("region"):
            people = people.filter(
                pk__in=PersonRole.objects.filter(region=chosen["region"]).values("page_id")
            )
        prefetches = [
            Prefetch("photo", queryset=get_image_model().objects.prefetch_renditions(PHOTO_FILTER)),
        ]
        if chosen.get("dag"):
            chosen_day = datetime.date.fromisoformat(chosen["dag"])
            upcoming = visible(EventPage.objects.upcoming(), request).values("pk")
            on_day = AttendanceDay.objects.filter(day=chosen_day, page__in=upcoming)
            people = people.filter(pk__in=on_day.values("person_id"))
            prefetches.append(
                Prefetch("attendance_days", queryset=on_day, to_attr="attendance_on_day")
            )
        people = list(
            people.only(*PERSON_CARD_FIELDS).prefetch_related(*prefetches).order_by("path")
        )
        with_card_lists(people)
        board = sorted(
            (p for p in people if p.is_board_member),
            key=lambda p: min((ROLE_RANK.get(r.kind, 2) for r in p.card_roles), default=2),
        )
        spokespeople = [p for p in people if p.is_spokesperson and not p.is_board_member]
        context.update(
            {
                "form": form,
                "board": board,
                "spokespeople": spokespeople,
                "result_count": len(people),
                "chosen_day": chosen_day,
                "photo_filter": PHOTO_FILTER,
                "seo": seo.seo_for_page(request, self, schema_type="CollectionPage"),
            }
        )
        return context


# What a person's card shows (fss_site/jinja2/fss_site/items/people.html), besides the
# roles and topics of with_card_lists(): a person has some forty columns, the bio among them.
PERSON_CARD_FIELDS = (
    "title",
    "url_path",
    "job_title",
    "employer",
    "photo",
    "is_board_member",
    "is_spokesperson",
)


def with_card_lists(people) -> None:
    """Each person's roles (``card_roles``, in their order) and topics (``card_topics``,
    in the topics' order) as lists: two queries for any number of people, by SQL compiled
    once per process and number of people (fss_site/compiled.py). Django's
    ``prefetch_related`` built both queries again on every view, and a related manager per
    person to hand them over: about a quarter of what the listing cost."""
    compiled.prefetch_list(
        ("people-card",),
        people,
        "card_roles",
        PersonRole.objects.order_by("sort_order", "pk"),
        "page",
    )
    ids = [person.pk for person in people]
    through = PersonPage.topics.through
    links = compiled.run(
        ("people-card-topics",),
        through,
        lambda ids: (
            through.objects.filter(personpage__in=ids)
            .select_related("topic")
            .order_by(*(f"topic__{name}" for name in Topic._meta.ordering), "topic__pk")
        ),
        ids,
    )
    topics_of: dict = {}
    for link in links:
        topics_of.setdefault(link.personpage_id, []).append(link.topic)
    for person in people:
        person.card_topics = topics_of.get(person.pk, [])


# The fields of an event that a person's page shows for each appearance.
EVENT_APPEARANCE_FIELDS = ("title", "url_path", "start", "end", "all_day")


class PersonPage(
    LoadedPageMixin, ImportedContentMixin, PageUrlMixin, CachedRestrictionsMixin, Page
):
    """A board member or spokesperson; the page title is the person's name."""

    job_title = models.CharField(_("befattning"), max_length=255, blank=True)
    employer = models.CharField(_("arbetsgivare"), max_length=255, blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("foto"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    photo_credit = models.CharField(_("fotograf"), max_length=255, blank=True)
    bio = RichTextField(_("kort presentation"), blank=True, features=["bold", "italic", "link"])
    topics = ParentalManyToManyField(
        "fss_site.Topic",
        verbose_name=_("särskilda kompetensområden"),
        blank=True,
        related_name="people",
    )
    is_board_member = models.BooleanField(_("styrelseledamot"), default=False)
    is_spokesperson = models.BooleanField(
        _("talesperson"),
        default=False,
        help_text=_("Talespersoner kan väljas i kontaktformuläret."),
    )

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("job_title"), FieldPanel("employer")],
            heading=_("Arbete"),
        ),
        InlinePanel("roles", label=_("Uppdrag i FSS")),
        FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel(
            [FieldPanel("is_board_member"), FieldPanel("is_spokesperson")],
            heading=_("Roll på webbplatsen"),
        ),
        MultiFieldPanel([FieldPanel("photo"), FieldPanel("photo_credit")], heading=_("Foto")),
        FieldPanel("bio"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("job_title"),
        index.SearchField("employer"),
        index.SearchField("bio"),
        index.RelatedFields("topics", [index.SearchField("name")]),
        index.FilterField("is_spokesperson"),
        index.FilterField("is_board_member"),
    ]
    api_fields = [
        APIField("job_title"),
        APIField("employer"),
        APIField("roles", serializer=RoleSerializer(many=True, read_only=True)),
        APIField("topics", serializer=TopicSerializer(many=True, read_only=True)),
        APIField("is_board_member"),
        APIField("is_spokesperson"),
        APIField("photo"),
        APIField("photo_credit"),
        APIField("bio"),
    ]

    parent_page_types = ["people.PeopleIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("personer")

    @property
    def name(self):
        return self.title

    @property
    def search_text(self):
        """What search results quote: job title, employer and bio (fss_site/text.py).
        Short fields, so worked out when shown rather than stored like a post's."""
        return person_search_text(self)

    @property
    def regions(self):
        """The regions this person is responsible for or chairs."""
        return sorted({role.region for role in self.roles.all() if role.region})

    POSTS_SHOWN = 20

    def contact_url(self, request) -> str:
        """The contact page, with this person chosen when they are a spokesperson."""
        contact = section_pages(request).get("contact")
        if contact is None:
            return ""
        url = contact.get_url(request=request) or ""
        if url and self.is_spokesperson and self.pk:
            url += f"?talesperson={self.pk}"
        return url

    def event_appearances(self, request):
        """Events this person takes part in or attends, split into coming and past."""
        from events.models import AttendanceDay, EventPage, EventParticipant

        if not self.pk:
            return [], []
        appearances: dict = {}
        # The event of each: only what an appearance shows (title, link, time).
        event_fields = [f"page__{name}" for name in EVENT_APPEARANCE_FIELDS]

        def events():
            return visible(EventPage.objects.all(), request).values("pk")

        # The same SQL for every person: compiled once per process (fss_site/compiled.py).
        private = restricted_paths(request)
        participants = compiled.run(
            ("person-participants", private),
            EventParticipant,
            lambda person_id: (
                EventParticipant.objects.filter(person=person_id, page__in=events())
                .select_related("page")
                .only("page_id", "part", *event_fields)
                .order_by("sort_order", "pk")
            ),
            self.pk,
        )
        for participant in participants:
            entry = appearances.setdefault(
                participant.page_id, {"event": participant.page, "parts": [], "days": []}
            )
            entry["parts"].append(participant.get_part_display())
        attendances = compiled.run(
            ("person-attendances", private),
            AttendanceDay,
            lambda person_id: (
                AttendanceDay.objects.filter(person=person_id, page__in=events())
                .select_related("page")
                .only("page_id", "day", "preliminary", *event_fields)
                .order_by("day")
            ),
            self.pk,
        )
        for attendance in attendances:
            entry = appearances.setdefault(
                attendance.page_id, {"event": attendance.page, "parts": [], "days": []}
            )
            entry["days"].append(attendance)
        now = timezone.now()
        upcoming, past = [], []
        for entry in sorted(appearances.values(), key=lambda e: e["event"].start):
            (past if entry["event"].is_over(now) else upcoming).append(entry)
        past.reverse()
        return upcoming, past

    def get_context(self, request, *args, **kwargs):
        from blog.models import NEWEST_FIRST, POST_LINK_FIELDS, BlogPage, PositionPage

        context = super().get_context(request, *args, **kwargs)
        if not shows_stored(self, request):
            # A preview: the roles and topics in its form, which the page holds.
            roles = list(self.roles.all())
            topics = list(self.topics.all())
        else:
            # A stored person's, by SQL compiled once per process (fss_site/compiled.py): a
            # person made with the id alone stands in for any, so the SQL is the page's own.
            roles = compiled.run(
                ("person-roles",), PersonRole, lambda pk: PersonPage(pk=pk).roles.all(), self.pk
            )
            topics = compiled.run(
                ("person-topics",), Topic, lambda pk: PersonPage(pk=pk).topics.all(), self.pk
            )
        posts = []
        positions = []
        # The same SQL for every person but for the ids: compiled once per process
        # (fss_site/compiled.py).
        private = restricted_paths(request)
        if self.pk:
            posts = compiled.run(
                ("person-posts", private, self.POSTS_SHOWN),
                BlogPage,
                lambda person_id: (
                    visible(BlogPage.objects.filter(authors__person=person_id), request)
                    # A link each, with its date: DISTINCT compares these columns only.
                    .only(*POST_LINK_FIELDS)
                    .distinct()
                    # In the blog's order: newest first, undated imported posts last.
                    .order_by(*NEWEST_FIRST)[: self.POSTS_SHOWN + 1]
                ),
                self.pk,
            )
        if topics:
            positions = compiled.run(
                ("person-positions", private),
                PositionPage,
                lambda topic_ids: (
                    visible(PositionPage.objects.filter(topics__in=topic_ids), request)
                    .only("title", "url_path", "date_adopted")
                    .filter(status=PositionPage.CURRENT)
                    .distinct()
                    .order_by(F("date_adopted").desc(nulls_last=True), "title")
                ),
                [t.pk for t in topics],
            )
        upcoming, past = self.event_appearances(request)
        blog = section_pages(request).get("blog")
        author_url = ""
        if blog is not None and self.slug:
            author_url = (blog.get_url(request=request) or "") + f"skribent/{self.slug}/"
        context.update(
            {
                "roles": roles,
                "topics": topics,
                "posts": posts[: self.POSTS_SHOWN],
                "more_posts": len(posts) > self.POSTS_SHOWN,
                "author_url": author_url,
                "positions": positions,
                "upcoming_appearances": upcoming,
                "past_appearances": past,
                "contact_url": self.contact_url(request),
                "photo": self.photo if self.photo_id else None,
                "seo": seo.seo_for_page(
                    request,
                    self,
                    og_type="profile",
                    json_ld=seo.person(request, self, roles=roles, topics=topics),
                    feeds=feed_links(
                        request,
                        (
                            "feeds:author",
                            (self.pk,),
                            gettext("Inlägg av %(name)s (RSS)") % {"name": self.title},
                            "application/rss+xml",
                        ),
                    )
                    if self.pk
                    else [],
                ),
            }
        )
        return context


class PersonRole(Orderable):
    """One role in FSS, e.g. "Regionansvarig" for the region "Gävle/Dala"."""

    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    REGIONAL_LEAD = "regional_lead"
    REGIONAL_CHAIR = "regional_chair"
    BOARD_MEMBER = "board_member"
    OTHER = "other"
    KIND_CHOICES = [
        (CHAIR, _("Ordförande")),
        (VICE_CHAIR, _("Vice ordförande")),
        (REGIONAL_LEAD, _("Regionansvarig")),
        (REGIONAL_CHAIR, _("Ordförande i region")),
        (BOARD_MEMBER, _("Ledamot i riksstyrelsen")),
        (OTHER, _("Annat uppdrag")),
    ]

    page = ParentalKey(PersonPage, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(_("uppdrag"), max_length=32, choices=KIND_CHOICES)
    region = models.CharField(_("region"), max_length=100, blank=True)
    label = models.CharField(
        _("benämning"),
        max_length=255,
        blank=True,
        help_text=_("Uppdraget som det ska skrivas, om det skiljer sig från valet ovan."),
    )

    panels = [FieldPanel("kind"), FieldPanel("region"), FieldPanel("label")]
    # Roles that are held in a region: the region is what the people listing's region
    # filter lists the person by.
    REGIONAL = (REGIONAL_LEAD, REGIONAL_CHAIR)

    class Meta(Orderable.Meta):
        verbose_name = _("uppdrag i FSS")
        verbose_name_plural = _("uppdrag i FSS")

    def clean(self):
        super().clean()
        if self.kind in self.REGIONAL and not self.region.strip():
            raise ValidationError(
                {"region": _("Skriv vilken region uppdraget gäller, så hittas personen där.")}
            )

    def __str__(self):
        if self.label:
            return self.label
        text = _role_names(get_language()).get(self.kind, self.kind)
        return f"{text} {self.region}" if self.region else text


@functools.cache
def _role_names(language) -> dict:
    """The name of each kind of role in the language, translated once per process: Django's
    ``get_kind_display()`` builds its map of the choices on every call, and the people
    listing shows some thirty roles."""
    return {kind: str(name) for kind, name in PersonRole.KIND_CHOICES}
