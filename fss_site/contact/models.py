"""The contact page and the requests visitors send through it.

A request is stored before anything is mailed (``ContactRequest``), so a failing mail
server never loses one: unsent requests keep the status "ny" or "misslyckad" and are
retried by ``manage.py send_contact_requests``. Spam is stored with the status "skräp"
and never mailed; ``SpamCount`` counts it per day and reason for the editors.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page

from fss_site.listing import CachedRestrictionsMixin, LoadedPageMixin, PageUrlMixin

PERSON_PARAM = "talesperson"


def format_days(values):
    """ISO dates as Swedish text: "tisdag 30 juni 2026, onsdag 1 juli 2026"."""
    days = []
    for value in values or []:
        try:
            days.append(formats.date_format(datetime.date.fromisoformat(value), "l j F Y"))
        except (TypeError, ValueError):
            days.append(str(value))
    return ", ".join(days)


class ContactPage(LoadedPageMixin, RoutablePageMixin, PageUrlMixin, CachedRestrictionsMixin, Page):
    """Kontakt: the form that sends a request to the association."""

    introduction = models.TextField(_("ingress"), blank=True)
    privacy_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("integritetspolicy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Sidan som formuläret länkar till om behandling av personuppgifter. "
            "Lämnas tom används sidan ”integritet” under startsidan."
        ),
    )
    thanks_text = models.TextField(
        _("tack-text"),
        blank=True,
        help_text=_("Visas när en förfrågan har skickats. Lämnas tom används en standardtext."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        FieldPanel("privacy_page"),
        FieldPanel("thanks_text"),
    ]
    parent_page_types = ["fss_site.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = _("kontaktsida")
        verbose_name_plural = _("kontaktsidor")

    @path("")
    def contact_form(self, request):
        from .views import contact_form_view

        return contact_form_view(self, request)

    @path("tack/", name="thanks")
    def thanks(self, request):
        from .views import thanks_view

        return thanks_view(self, request)

    def get_privacy_page(self):
        """The privacy notice: the chosen page, else the live sibling with the slug "integritet"."""
        if self.privacy_page_id:
            page = Page.objects.live().filter(pk=self.privacy_page_id).first()
            if page:
                return page.specific
        from fss_site.models import StandardPage

        return StandardPage.objects.live().sibling_of(self).filter(slug="integritet").first()

    @classmethod
    def url_for_person(cls, person, request=None):
        """The contact form's URL with ``person`` preselected ("" if there is no contact page).

        Only spokespeople can be preselected; for anyone else the plain form URL is returned.
        """
        page = cls.objects.live().first()
        if page is None:
            return ""
        url = page.get_url(request=request) or ""
        if url and person is not None and getattr(person, "is_spokesperson", False):
            url = f"{url}?{PERSON_PARAM}={person.pk}"
        return url


class ContactRequestQuerySet(models.QuerySet):
    def pending(self):
        """Requests that still have a mail to send (never spam, never handled)."""
        return self.filter(status__in=ContactRequest.PENDING_STATUSES)

    def older_than(self, days, now=None):
        now = now or timezone.now()
        return self.filter(created_at__lt=now - datetime.timedelta(days=days))


class ContactRequest(models.Model):
    """One request from a visitor: who they are, whom they want and what about."""

    class Kind(models.TextChoices):
        INTERVIEW = "interview", _("Intervju")
        PANEL = "panel", _("Panel eller seminarium")
        ALMEDALEN = "almedalen", _("Möte i Almedalen")
        OTHER = "other", _("Annat")

    class Status(models.TextChoices):
        NEW = "new", _("Ny")
        SENT = "sent", _("Skickad")
        FAILED = "failed", _("Misslyckad")
        HANDLED = "handled", _("Hanterad")
        SPAM = "spam", _("Skräp")

    class SpamReason(models.TextChoices):
        HONEYPOT = "honeypot", _("Fältet ”Lämna tomt” var ifyllt")
        TOO_FAST = "too_fast", _("Ifyllt för snabbt")
        TAMPERED = "tampered", _("Ogiltig eller saknad tidsstämpel")
        RATE_LIMITED = "rate_limited", _("För många förfrågningar från samma adress")

    PENDING_STATUSES = [Status.NEW, Status.FAILED]

    NAME_MAX = 200
    EMAIL_MAX = 254
    ORGANISATION_MAX = 200
    PHONE_MAX = 40
    MESSAGE_MAX = 5000

    created_at = models.DateTimeField(_("inkommen"), default=timezone.now, db_index=True)
    contact_page = models.ForeignKey(
        ContactPage,
        verbose_name=_("kontaktsida"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
    )
    name = models.CharField(_("namn"), max_length=NAME_MAX)
    email = models.EmailField(_("e-postadress"), max_length=EMAIL_MAX)
    organisation = models.CharField(_("organisation"), max_length=ORGANISATION_MAX)
    phone = models.CharField(_("telefon"), max_length=PHONE_MAX, blank=True)
    kind = models.CharField(_("typ av förfrågan"), max_length=20, choices=Kind.choices)
    spokesperson = models.ForeignKey(
        "people.PersonPage",
        verbose_name=_("talesperson"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_requests",
    )
    spokesperson_name = models.CharField(
        _("talespersonens namn"),
        max_length=255,
        blank=True,
        help_text=_("Namnet när förfrågan kom in, kvar även om personsidan tas bort."),
    )
    topic = models.ForeignKey(
        "fss_site.Topic",
        verbose_name=_("ämne"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_requests",
    )
    topic_name = models.CharField(_("ämnets namn"), max_length=100, blank=True)
    preferred_days = models.JSONField(_("önskade dagar"), default=list, blank=True)
    message = models.TextField(_("meddelande"), max_length=MESSAGE_MAX)
    consent_at = models.DateTimeField(_("godkände integritetspolicyn"), null=True, blank=True)

    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.NEW,
        db_index=True,
        help_text=_(
            "Ändrar du ”Skräp” till ”Ny” skickas förfrågan till kontaktadressen vid nästa "
            "utskick. ”Hanterad” betyder att ingen mer åtgärd behövs."
        ),
    )
    note = models.TextField(_("intern anteckning"), blank=True, max_length=2000)
    handled_at = models.DateTimeField(_("hanterad"), null=True, blank=True)
    spam_reason = models.CharField(
        _("skäl till skräp"), max_length=20, choices=SpamReason.choices, blank=True
    )
    attempts = models.PositiveIntegerField(_("försök att skicka"), default=0)
    last_attempt_at = models.DateTimeField(_("senaste försök"), null=True, blank=True)
    last_error = models.CharField(_("senaste fel"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("skickad till kontaktadressen"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(_("bekräftelse skickad"), null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ContactRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("kontaktförfrågan")
        verbose_name_plural = _("kontaktförfrågningar")
        indexes = [models.Index(fields=["status", "created_at"], name="contact_req_status_created")]

    def __str__(self):
        when = formats.date_format(timezone.localtime(self.created_at), "Y-m-d H:i")
        return f"{self.name} ({when})"

    def save(self, *args, **kwargs):
        if self.status == self.Status.HANDLED and self.handled_at is None:
            self.handled_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "handled_at"}
        super().save(*args, **kwargs)

    @property
    def spokesperson_label(self):
        return self.spokesperson_name or str(_("Ingen särskild talesperson"))

    @property
    def topic_label(self):
        return self.topic_name or str(_("Inget särskilt ämne"))

    @property
    def preferred_days_display(self):
        """The preferred days in Swedish, e.g. "tisdag 30 juni 2026, onsdag 1 juli 2026"."""
        return format_days(self.preferred_days)

    def get_preferred_days_display(self):
        return self.preferred_days_display or "–"

    @property
    def is_pending(self):
        return self.status in self.PENDING_STATUSES


class SpamCount(models.Model):
    """How many spam submissions arrived on a day, by reason. Holds no personal data."""

    day = models.DateField(_("dag"))
    reason = models.CharField(_("skäl"), max_length=20, choices=ContactRequest.SpamReason.choices)
    count = models.PositiveIntegerField(_("antal"), default=0)

    class Meta:
        ordering = ["-day", "reason"]
        verbose_name = _("skräpräkning")
        verbose_name_plural = _("skräpräkning per dag")
        constraints = [
            models.UniqueConstraint(fields=["day", "reason"], name="spam_count_day_reason"),
        ]

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {self.get_reason_display()}: {self.count}"

    @classmethod
    def increment(cls, reason, day=None):
        """Add one to today's count for ``reason`` (safe under concurrent requests)."""
        from django.db import IntegrityError, transaction

        day = day or timezone.localdate()
        updated = cls.objects.filter(day=day, reason=reason).update(count=models.F("count") + 1)
        if updated:
            return
        try:
            with transaction.atomic():
                cls.objects.create(day=day, reason=reason, count=1)
        except IntegrityError:
            cls.objects.filter(day=day, reason=reason).update(count=models.F("count") + 1)


def retention_days():
    return int(getattr(settings, "FSS_CONTACT_RETENTION_DAYS", 365))


def spam_retention_days():
    return int(getattr(settings, "FSS_CONTACT_SPAM_RETENTION_DAYS", 30))
