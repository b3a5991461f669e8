"""Seminars, conferences and the Almedalen week.

Times are stored time-zone aware and shown in Europe/Stockholm. A multi-day event such as
the Almedalen week has an attendance schedule: for each person, the days they are there
and whether that is preliminary, so visitors can see who to meet on which day.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from events.forms import EventPageForm
from fss_site import compiled, seo
from fss_site.admin_forms import year_error
from fss_site.api_fields import (
    AttendanceDaySerializer,
    OrganisationSerializer,
    ParticipantSerializer,
    TopicSerializer,
)
from fss_site.blocks import BaseStreamBlock
from fss_site.derived import DerivedFieldsMixin
from fss_site.listing import (
    CachedRestrictionsMixin,
    ChildRoutingMixin,
    LoadedPageMixin,
    PageUrlMixin,
    feed_links,
    paginate,
    restricted_paths,
    visible,
)
from fss_site.models import ImportedContentMixin, UniqueNameMixin
from fss_site.text import event_search_text

ICAL = "text/calendar"


class Organisation(UniqueNameMixin, index.Indexed, models.Model):
    """An organiser of events, e.g. "Vision" or "SKR"."""

    name = models.CharField(_("namn"), max_length=255)
    url = models.URLField(_("webbplats"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("url")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")

    def __str__(self):
        return self.name


# When an event is over: its end, or its start when it has no end. Indexed (EVENT_ENDS),
# so finding the coming events reads those only, not every event there has been.
ENDS = Coalesce("end", "start")


# The fields of an event that a listing card shows (fss_site/jinja2/fss_site/items/events.html).
EVENT_CARD_FIELDS = (
    "title",
    "url_path",
    "start",
    "end",
    "all_day",
    "venue",
    "address",
    "city",
    "online",
    "summary",
)


class EventQuerySet(PageQuerySet):
    def cards(self):
        """Only what a listing card shows: an event has some fifty columns, a card ten."""
        return self.only(*EVENT_CARD_FIELDS)

    def children_read_in_order(self, parent):
        """The children of ``parent``, for a list read in order up to a limit.

        ``child_of`` filters the joined page rows on their tree path. PostgreSQL does not
        know that nearly every event is a child of the calendar: it expects one in six to
        be (the calendar's share of all pages), so it expects few of the upcoming events
        to be left and sorts them all, joined to their pages, rather than reading them in
        start order until it has enough. On the benchmark's large data set that took 2.3
        ms against 0.6. Here the tree is checked by a subquery per event, which
        PostgreSQL does not merge into the join (LIMIT 1) and so does not count on.
        """
        inside = (
            Page.objects.child_of(parent)
            .filter(pk=OuterRef("pk"))
            .order_by()
            .values(inside=Value(True))[:1]
        )
        return self.filter(Subquery(inside, output_field=models.BooleanField()))

    def upcoming(self, now=None):
        """Events not over yet: ongoing or still to come."""
        now = now or timezone.now()
        return self.alias(ends=ENDS).filter(ends__gte=now)

    def past(self, now=None):
        """Events that are over. An event starts before it ends (EventPage.clean), so they
        all started before now too: said as well, so the newest are read along the
        start index."""
        now = now or timezone.now()
        return self.alias(ends=ENDS).filter(ends__lt=now, start__lt=now)


EventPageManager = PageManager.from_queryset(EventQuerySet)


class EventIndexPage(
    LoadedPageMixin,
    RoutablePageMixin,
    ChildRoutingMixin,
    PageUrlMixin,
    CachedRestrictionsMixin,
    Page,
):
    """Kalendarium: upcoming and past events (all past events at /kalendarium/tidigare/)."""

    UPCOMING_SHOWN = 50
    PAST_SHOWN = 10
    PAST_PER_PAGE = 20
    child_page_model = "events.EventPage"

    introduction = models.TextField(_("ingress"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    parent_page_types = ["fss_site.HomePage"]
    subpage_types = ["events.EventPage"]
    max_count = 1

    class Meta:
        verbose_name = _("kalendarium")
        verbose_name_plural = _("kalendarier")

    def events(self, request, *, read_in_order=False):
        """The events the calendar lists (their descriptions are not read).

        ``read_in_order``: for a list read in start order up to a limit (see
        ``EventQuerySet.children_read_in_order``); lists that are counted or paged check
        the tree in the join.
        """
        events = EventPage.objects
        children = events.children_read_in_order(self) if read_in_order else events.child_of(self)
        return visible(children, request).cards()

    def _feeds(self, request):
        return feed_links(request, ("events:ical-feed", (), gettext("Kalendarium (iCal)"), ICAL))

    @path("")
    def index_route(self, request):
        now = timezone.now()
        # The same SQL on every view but for the time: compiled once per process.
        key = (self.path, self.depth, restricted_paths(request))
        upcoming = compiled.run(
            ("calendar-upcoming", *key, self.UPCOMING_SHOWN),
            EventPage,
            lambda now: (
                self.events(request, read_in_order=True)
                .upcoming(now)
                .order_by("start")[: self.UPCOMING_SHOWN]
            ),
            now,
        )
        past = compiled.run(
            ("calendar-past", *key, self.PAST_SHOWN),
            EventPage,
            lambda now: self.events(request).past(now).order_by("-start")[: self.PAST_SHOWN + 1],
            now,
        )
        return self.render(
            request,
            context_overrides={
                "upcoming": upcoming,
                "past": past[: self.PAST_SHOWN],
                "more_past": len(past) > self.PAST_SHOWN,
                "seo": seo.seo_for_page(
                    request, self, schema_type="CollectionPage", feeds=self._feeds(request)
                ),
            },
        )

    @path("tidigare/")
    def past_route(self, request):
        events = paginate(
            request, self.events(request).past().order_by("-start", "-pk"), self.PAST_PER_PAGE
        )
        title = gettext("Tidigare evenemang")
        query = f"?page={events.number}" if events.number > 1 else ""
        return self.render(
            request,
            template="events/event_past_page.html",
            context_overrides={
                "events": events,
                "title": title,
                "seo": seo.seo_for_page(
                    request,
                    self,
                    title=title,
                    suffix="tidigare/" + query,
                    schema_type="CollectionPage",
                    description=gettext("Seminarier och konferenser som FSS har deltagit i."),
                ),
            },
        )


class EventPage(
    DerivedFieldsMixin,
    LoadedPageMixin,
    ImportedContentMixin,
    PageUrlMixin,
    CachedRestrictionsMixin,
    Page,
):
    """A seminar, panel, conference or week-long event."""

    base_form_class = EventPageForm

    start = models.DateTimeField(_("börjar"))
    end = models.DateTimeField(_("slutar"), null=True, blank=True)
    all_day = models.BooleanField(
        _("heldag"), default=False, help_text=_("Visa bara datum, inga klockslag.")
    )
    venue = models.CharField(_("lokal"), max_length=255, blank=True)
    address = models.CharField(_("adress"), max_length=255, blank=True)
    city = models.CharField(_("ort"), max_length=100, blank=True)
    online = models.BooleanField(_("digitalt"), default=False)
    online_url = models.URLField(_("länk till digital sändning"), blank=True)
    summary = models.TextField(_("sammanfattning"), blank=True)
    description = StreamField(BaseStreamBlock(), verbose_name=_("beskrivning"), blank=True)
    organisers = ParentalManyToManyField(
        Organisation, verbose_name=_("arrangörer"), blank=True, related_name="events"
    )
    topics = ParentalManyToManyField(
        "fss_site.Topic", verbose_name=_("ämnen"), blank=True, related_name="events"
    )
    recording_url = models.URLField(_("inspelning"), blank=True)
    registration_url = models.URLField(_("anmälan"), blank=True)
    hearing_loop = models.BooleanField(_("hörslinga"), default=False)
    sign_language = models.BooleanField(_("teckenspråkstolkning"), default=False)
    captions = models.BooleanField(_("textning"), default=False)
    step_free = models.BooleanField(_("tillgänglig utan trappsteg"), default=False)
    webcast = models.BooleanField(_("webbsänds"), default=False)
    ical_sequence = models.PositiveIntegerField(default=0, editable=False)
    # What search results quote: the summary, the description's text and the place
    # (fss_site/text.py).
    search_text = models.TextField(_("söktext"), blank=True, default="", editable=False)

    # Stored when saved (fss_site/derived.py), from the fields named.
    DERIVED_FIELDS = {
        "search_text": (
            ("summary", "description", "venue", "city"),
            event_search_text,
        ),
    }

    objects = EventPageManager()

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
                FieldPanel("all_day"),
            ],
            heading=_("Tid"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("venue"),
                FieldPanel("address"),
                FieldPanel("city"),
                FieldPanel("online"),
                FieldPanel("online_url"),
            ],
            heading=_("Plats"),
        ),
        FieldPanel("summary"),
        FieldPanel("description"),
        FieldPanel("organisers", widget=forms.CheckboxSelectMultiple),
        FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
        InlinePanel("participants", label=_("Medverkande")),
        InlinePanel("attendance_days", label=_("Närvaroschema")),
        MultiFieldPanel(
            [FieldPanel("recording_url"), FieldPanel("registration_url")],
            heading=_("Länkar"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("hearing_loop"),
                FieldPanel("sign_language"),
                FieldPanel("captions"),
                FieldPanel("step_free"),
                FieldPanel("webcast"),
            ],
            heading=_("Tillgänglighet"),
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("description"),
        index.SearchField("venue"),
        index.SearchField("city"),
        index.FilterField("start"),
        index.FilterField("end"),
    ]
    api_fields = [
        APIField("start"),
        APIField("end"),
        APIField("all_day"),
        APIField("venue"),
        APIField("address"),
        APIField("city"),
        APIField("online"),
        APIField("online_url"),
        APIField("summary"),
        APIField("description"),
        APIField("organisers", serializer=OrganisationSerializer(many=True, read_only=True)),
        APIField("topics", serializer=TopicSerializer(many=True, read_only=True)),
        APIField("participants", serializer=ParticipantSerializer(many=True, read_only=True)),
        APIField("attendance_days", serializer=AttendanceDaySerializer(many=True, read_only=True)),
        APIField("recording_url"),
        APIField("registration_url"),
        APIField("hearing_loop"),
        APIField("sign_language"),
        APIField("captions"),
        APIField("step_free"),
        APIField("webcast"),
    ]

    parent_page_types = ["events.EventIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("evenemang")
        verbose_name_plural = _("evenemang")
        ordering = ["start"]
        indexes = [
            # In start order with the end beside it: the next events (ends >= now, by
            # start) are read along it, and the past ones are passed over in the index
            # without reading their rows (1,500 of them in the benchmark's data set).
            models.Index(models.F("start"), ENDS, name="event_start_ends_idx"),
            models.Index(ENDS, name="event_ends_idx"),
        ]

    def with_content_json(self, content):
        """Keep the calendar sequence number when a revision is loaded or published.

        It counts published changes of the event, not revisions: a revision saved before
        the last change carries an older number, which must not overwrite the current one.
        """
        obj = super().with_content_json(content)
        obj.ical_sequence = self.ical_sequence
        return obj

    # What an event can be: a seminar, a conference, the Almedalen week, at most a season.
    # A longer one, or one in a year no event of the association has (year_error), is a
    # typing error: its calendar days would run into the millions, and an all-day event
    # that ends on 31 December 9999 cannot be written in a calendar file at all.
    MAX_DAYS = 366

    def clean(self):
        super().clean()
        errors = {
            name: error for name in ("start", "end") if (error := year_error(getattr(self, name)))
        }
        if errors:
            raise ValidationError(errors)
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("Slutet kan inte ligga före början.")})
        if self.start and self.end and self.day_count > self.MAX_DAYS:
            raise ValidationError(
                {"end": _("Ett evenemang kan pågå i högst ett år. Kontrollera slutet.")}
            )

    # In the site's time zone (settings.TIME_ZONE), named: asking for the current zone costs
    # more than the conversion, on every card.
    @property
    def local_start(self):
        return timezone.localtime(self.start, timezone.get_default_timezone())

    @property
    def local_end(self):
        return timezone.localtime(self.end, timezone.get_default_timezone()) if self.end else None

    @property
    def first_day(self):
        """The event's first calendar day, in Stockholm time."""
        return self.local_start.date()

    @property
    def last_day(self):
        """The event's last calendar day, in Stockholm time."""
        return self.local_end.date() if self.end else self.first_day

    @property
    def day_count(self) -> int:
        """How many calendar days the event spans, in Stockholm time."""
        return (self.last_day - self.first_day).days + 1

    @property
    def days(self):
        """Every calendar day of the event, in Stockholm time (a list as long as the event:
        ask ``first_day``, ``last_day`` or ``day_count`` where the days are not needed)."""
        first = self.first_day
        return [first + datetime.timedelta(days=n) for n in range(self.day_count)]

    ACCESSIBILITY_FIELDS = ["hearing_loop", "sign_language", "captions", "step_free", "webcast"]
    MAX_SCHEDULE_DAYS = 31

    @property
    def accessibility(self):
        """The accessibility facts that hold, as Swedish labels."""
        return [
            capfirst(self._meta.get_field(name).verbose_name)
            for name in self.ACCESSIBILITY_FIELDS
            if getattr(self, name)
        ]

    @property
    def ends_at(self):
        """When the event is over: its end, or its start when it has no end (as ENDS)."""
        return self.end or self.start

    def is_over(self, now=None) -> bool:
        """Over by ``now`` (by default, the time now): the rule of ``past()``."""
        return self.ends_at < (now or timezone.now())

    @property
    def is_past(self):
        return self.is_over()

    def schedule(self, attendance):
        """Who is there on which day: one row per day of the event (or with attendance)."""
        days = set(self.days) if self.day_count <= self.MAX_SCHEDULE_DAYS else set()
        days.update(a.day for a in attendance)
        by_day: dict = {day: [] for day in days}
        for entry in attendance:
            by_day[entry.day].append(entry)
        return [{"day": day, "attendance": by_day[day]} for day in sorted(by_day)]

    def get_context(self, request, *args, **kwargs):
        from blog.models import BlogPage

        context = super().get_context(request, *args, **kwargs)
        participants = [
            p
            for p in self.participants.select_related("person").order_by("sort_order", "pk")
            if p.person_id or p.name.strip()
        ]
        organisers = list(self.organisers.all())
        attendance = list(
            self.attendance_days.select_related("person").order_by("day", "sort_order")
        )
        topics = list(self.topics.all())
        posts = []
        if self.pk:
            posts = list(
                BlogPage.listing(visible(BlogPage.objects.filter(related_event=self.pk), request))[
                    :10
                ]
            )
        context.update(
            {
                "participants": participants,
                "organisers": organisers,
                "schedule": self.schedule(attendance) if attendance else [],
                "topics": topics,
                "posts": posts,
                "seo": seo.seo_for_page(
                    request,
                    self,
                    json_ld=seo.event(
                        request, self, organisers=organisers, participants=participants
                    ),
                    feeds=self._feeds(request),
                ),
            }
        )
        return context

    def _feeds(self, request):
        if not self.pk:
            return []
        return feed_links(
            request,
            ("events:ical-event", (self.pk,), gettext("Evenemanget (iCal)"), ICAL),
        )


class EventParticipant(Orderable):
    """Someone taking part: a person page, or an external name, with their part."""

    SPEAKER = "speaker"
    MODERATOR = "moderator"
    PANELLIST = "panellist"
    PARTICIPANT = "participant"
    PART_CHOICES = [
        (SPEAKER, _("Talare")),
        (MODERATOR, _("Moderator")),
        (PANELLIST, _("Paneldeltagare")),
        (PARTICIPANT, _("Medverkande")),
    ]

    page = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(
        "people.PersonPage",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_participations",
    )
    name = models.CharField(
        _("namn"),
        max_length=255,
        blank=True,
        help_text=_("För medverkande som inte har en personsida."),
    )
    title = models.CharField(_("titel vid tillfället"), max_length=255, blank=True)
    part = models.CharField(_("roll"), max_length=20, choices=PART_CHOICES, default=PARTICIPANT)

    panels = [FieldPanel("person"), FieldPanel("name"), FieldPanel("title"), FieldPanel("part")]

    class Meta(Orderable.Meta):
        verbose_name = _("medverkande")
        verbose_name_plural = _("medverkande")

    def clean(self):
        if not self.person_id and not self.name.strip():
            raise ValidationError(_("Välj en person eller skriv ett namn."))

    @property
    def display_name(self):
        return self.person.title if self.person_id else self.name

    def __str__(self):
        return self.display_name


class AttendanceDay(Orderable):
    """One day a person is at a multi-day event (e.g. Tuesday at Almedalen)."""

    page = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="attendance_days")
    person = models.ForeignKey(
        "people.PersonPage",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="attendance_days",
    )
    day = models.DateField(_("dag"))
    preliminary = models.BooleanField(_("preliminärt"), default=False)

    panels = [FieldPanel("person"), FieldPanel("day"), FieldPanel("preliminary")]

    class Meta(Orderable.Meta):
        verbose_name = _("närvarodag")
        verbose_name_plural = _("närvarodagar")

    def __str__(self):
        return f"{self.person} {self.day:%Y-%m-%d}"
