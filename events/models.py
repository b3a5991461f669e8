"""Seminars, conferences and the Almedalen week.

Times are stored time-zone aware and shown in Europe/Stockholm. A multi-day event such as
the Almedalen week has an attendance schedule: for each person, the days they are there
and whether that is preliminary, so visitors can see who to meet on which day.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from fss_site.blocks import BaseStreamBlock
from fss_site.models import ImportedContentMixin


class Organisation(index.Indexed, models.Model):
    """An organiser of events, e.g. "Vision" or "SKR"."""

    name = models.CharField(_("namn"), max_length=255)
    url = models.URLField(_("webbplats"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("url")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="organisation_name_unique_ci"),
        ]

    def __str__(self):
        return self.name


class EventQuerySet(PageQuerySet):
    def upcoming(self, now=None):
        now = now or timezone.now()
        return self.filter(models.Q(end__gte=now) | models.Q(end__isnull=True, start__gte=now))

    def past(self, now=None):
        now = now or timezone.now()
        return self.filter(models.Q(end__lt=now) | models.Q(end__isnull=True, start__lt=now))


EventPageManager = PageManager.from_queryset(EventQuerySet)


class EventIndexPage(Page):
    """Kalendarium: upcoming and past events."""

    introduction = models.TextField(_("ingress"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    parent_page_types = ["fss_site.HomePage"]
    subpage_types = ["events.EventPage"]
    max_count = 1

    class Meta:
        verbose_name = _("kalendarium")
        verbose_name_plural = _("kalendarier")


class EventPage(ImportedContentMixin, Page):
    """A seminar, panel, conference or week-long event."""

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
        FieldPanel("organisers"),
        FieldPanel("topics"),
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

    parent_page_types = ["events.EventIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("evenemang")
        verbose_name_plural = _("evenemang")
        ordering = ["start"]

    def clean(self):
        super().clean()
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("Slutet kan inte ligga före början.")})

    @property
    def local_start(self):
        return timezone.localtime(self.start)

    @property
    def local_end(self):
        return timezone.localtime(self.end) if self.end else None

    @property
    def days(self):
        """Every calendar day of the event, in Stockholm time."""
        first = self.local_start.date()
        last = self.local_end.date() if self.end else first
        return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


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
