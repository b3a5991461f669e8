"""Site-wide models: the home page, standard pages, topics and site settings.

``Topic`` is the one controlled vocabulary of the site. People's competence areas
(särskilda kompetensområden), positions, posts and events all point at the same topics,
so a topic page can gather everything about it.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from .blocks import BaseStreamBlock
from .listing import (
    CachedRestrictionsMixin,
    LoadedPageMixin,
    PageUrlMixin,
    SectionRoutingMixin,
)


class ImportedContentMixin(models.Model):
    """Remembers where imported content came from and what the import wrote.

    ``seed_source`` names the seed file and line; ``seed_revision`` is the revision the
    import published, so a later import can tell whether an editor has changed the page
    since (editors' work wins).
    """

    seed_source = models.CharField(
        _("importkälla"), max_length=255, blank=True, editable=False, db_index=True
    )
    seed_fingerprint = models.CharField(
        _("importens kontrollsumma"), max_length=64, blank=True, editable=False
    )
    seed_revision = models.ForeignKey(
        "wagtailcore.Revision",
        verbose_name=_("importerad version"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True


class UniqueNameMixin(models.Model):
    """Names that are unique regardless of case, on every database.

    SQLite's LOWER() and LIKE fold only ASCII letters, so "Äldreomsorg" and "äldreomsorg"
    would slip past a LOWER() constraint there. A case-folded copy of the name under a
    plain unique index behaves the same on SQLite and PostgreSQL.
    """

    name_key = models.CharField(max_length=255, unique=True, editable=False)

    class Meta:
        abstract = True

    @staticmethod
    def key_for(name: str) -> str:
        return " ".join(name.split()).casefold()

    @classmethod
    def find(cls, name: str):
        """The object whose name equals ``name`` regardless of case and spacing."""
        return cls._default_manager.filter(name_key=cls.key_for(name)).first()

    def save(self, *args, **kwargs):
        self.name_key = self.key_for(self.name)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        clash = type(self)._default_manager.filter(name_key=self.key_for(self.name or ""))
        if clash.exclude(pk=self.pk).exists():
            raise ValidationError({"name": _("Det finns redan en post med det namnet.")})


class Topic(UniqueNameMixin, index.Indexed, Orderable):
    """A subject the association speaks on, e.g. "Äldreomsorg" or "Barn och unga".

    Names are unique regardless of case, so "äldreomsorg" and "Äldreomsorg" are one topic.
    """

    name = models.CharField(_("namn"), max_length=100)
    slug = models.SlugField(_("adress"), max_length=100, unique=True, allow_unicode=False)
    description = models.TextField(_("beskrivning"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("ämne")
        verbose_name_plural = _("ämnen")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:100]
        super().save(*args, **kwargs)


class HomePage(LoadedPageMixin, SectionRoutingMixin, PageUrlMixin, CachedRestrictionsMixin, Page):
    """The start page: latest posts, current positions, upcoming events, find a spokesperson."""

    introduction = models.TextField(_("ingress"), blank=True)
    spokesperson_text = models.TextField(
        _("text om talespersoner"),
        blank=True,
        help_text=_("Visas vid länken ”Hitta en talesperson”."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        FieldPanel("spokesperson_text"),
    ]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "blog.BlogIndexPage",
        "blog.PositionIndexPage",
        "people.PeopleIndexPage",
        "events.EventIndexPage",
        "contact.ContactPage",
        "fss_site.StandardPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = _("startsida")
        verbose_name_plural = _("startsidor")

    LATEST_POSTS = 5
    CURRENT_POSITIONS = 5
    UPCOMING_EVENTS = 5

    def get_context(self, request, *args, **kwargs):
        """Latest posts, current positions, coming events and the spokesperson finder."""
        from django.db.models import F

        from blog.models import POSITION_CARD_FIELDS, BlogPage, PositionPage
        from events.models import EventPage
        from people.models import PersonPage

        from . import compiled, seo
        from .listing import per_generation, restricted_paths, section_pages, visible

        context = super().get_context(request, *args, **kwargs)
        sections = section_pages(request)
        people_index = sections.get("people")
        spokespeople = visible(PersonPage.objects.filter(is_spokesperson=True), request)
        # The same SQL on every view: compiled once per process (compiled.py).
        private = restricted_paths(request)
        context.update(
            {
                "latest_posts": compiled.run(
                    ("home-posts", private, self.LATEST_POSTS),
                    BlogPage,
                    lambda: BlogPage.listing(visible(BlogPage.objects.all(), request))[
                        : self.LATEST_POSTS
                    ],
                ),
                "current_positions": compiled.run(
                    ("home-positions", private, self.CURRENT_POSITIONS),
                    PositionPage,
                    lambda: (
                        visible(PositionPage.objects.filter(status=PositionPage.CURRENT), request)
                        .only(*POSITION_CARD_FIELDS)
                        .order_by(F("date_adopted").desc(nulls_last=True), "-first_published_at")[
                            : self.CURRENT_POSITIONS
                        ]
                    ),
                ),
                "upcoming_events": compiled.run(
                    ("home-events", private, self.UPCOMING_EVENTS),
                    EventPage,
                    lambda now: (
                        visible(EventPage.objects.upcoming(now), request)
                        .cards()
                        .order_by("start")[: self.UPCOMING_EVENTS]
                    ),
                    timezone.now(),
                ),
                "spokesperson_topics": per_generation(
                    "spokesperson-topics",
                    lambda: list(
                        Topic.objects.filter(people__in=spokespeople.values("pk")).distinct()
                    ),
                ),
                "people_url": people_index.get_url(request=request) if people_index else "",
                "sections": {
                    role: page.get_url(request=request) for role, page in sections.items()
                },
                "seo": seo.seo_for_page(
                    request,
                    self,
                    json_ld=seo.website(request, search_path=_search_path()),
                ),
            }
        )
        return context


def _search_path() -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("search")
    except NoReverseMatch:
        return "/sok/"


class StandardPage(LoadedPageMixin, PageUrlMixin, CachedRestrictionsMixin, Page):
    """A plain page such as "Om FSS" or the privacy notice."""

    introduction = models.TextField(_("ingress"), blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("innehåll"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction"), FieldPanel("body")]
    search_fields = Page.search_fields + [
        index.SearchField("introduction"),
        index.SearchField("body"),
    ]

    parent_page_types = ["fss_site.HomePage", "fss_site.StandardPage"]
    subpage_types = ["fss_site.StandardPage"]

    class Meta:
        verbose_name = _("standardsida")
        verbose_name_plural = _("standardsidor")


@register_setting(icon="cog")
class SiteSettings(BaseSiteSetting):
    """Contact address, social links and footer text, editable per site."""

    contact_email = models.EmailField(
        _("kontaktadress"),
        default="info@socialchefer.se",
        help_text=_("Kontaktförfrågningar skickas hit."),
    )
    footer_text = RichTextField(_("sidfotstext"), blank=True, features=["bold", "italic", "link"])
    linkedin_url = models.URLField(_("LinkedIn"), blank=True)
    facebook_url = models.URLField(_("Facebook"), blank=True)
    instagram_url = models.URLField(_("Instagram"), blank=True)
    youtube_url = models.URLField(_("YouTube"), blank=True)
    x_url = models.URLField(_("X"), blank=True)

    panels = [
        FieldPanel("contact_email"),
        FieldPanel("footer_text"),
        MultiFieldPanel(
            [
                FieldPanel("linkedin_url"),
                FieldPanel("facebook_url"),
                FieldPanel("instagram_url"),
                FieldPanel("youtube_url"),
                FieldPanel("x_url"),
            ],
            heading=_("Sociala medier"),
        ),
    ]

    class Meta:
        verbose_name = _("webbplatsinställningar")

    @classmethod
    def for_request(cls, request):
        """The settings of the request's site, kept per generation (every page shows them)."""
        from .listing import find_site, per_generation

        attr_name = cls.get_cache_attr_name()
        if hasattr(request, attr_name):
            return getattr(request, attr_name)
        site = find_site(request)
        if site is None:
            return super().for_request(request)
        instance = per_generation(f"site-settings:{site.pk}", lambda: cls.for_site(site))
        instance._request = request
        setattr(request, attr_name, instance)
        return instance

    @property
    def social_links(self):
        """The social links that are filled in, as (label, url) pairs."""
        fields = ["linkedin_url", "facebook_url", "instagram_url", "youtube_url", "x_url"]
        return [
            (self._meta.get_field(name).verbose_name, getattr(self, name))
            for name in fields
            if getattr(self, name)
        ]
