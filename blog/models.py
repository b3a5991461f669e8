"""Blog posts and the association's positions (ståndpunkter).

Posts have authors linked to person pages, each with the byline as printed at the time
(roles change). Positions state what FSS thinks in one or two sentences; a superseded
position points at the one that replaced it, and consultation responses (remissvar) carry
the referring authority, its reference number, the deadline and the response as a PDF.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, MultipleChooserPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from fss_site.blocks import BaseStreamBlock
from fss_site.models import ImportedContentMixin


class Category(index.Indexed, models.Model):
    """A blog category, e.g. "Första linjens socialtjänst"."""

    name = models.CharField(_("namn"), max_length=100)
    slug = models.SlugField(_("adress"), max_length=100, unique=True)
    description = models.TextField(_("beskrivning"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("kategori")
        verbose_name_plural = _("kategorier")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="category_name_unique_ci"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:100]
        super().save(*args, **kwargs)


class BlogPageTag(TaggedItemBase):
    """Free-form tags on posts, beside the controlled topics."""

    content_object = ParentalKey(
        "blog.BlogPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class BlogIndexPage(Page):
    """Blogg: the list of posts."""

    introduction = models.TextField(_("ingress"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    parent_page_types = ["fss_site.HomePage"]
    subpage_types = ["blog.BlogPage"]
    max_count = 1

    class Meta:
        verbose_name = _("blogg")
        verbose_name_plural = _("bloggar")


class BlogPage(ImportedContentMixin, Page):
    """A blog post."""

    date = models.DateField(
        _("publiceringsdatum"),
        null=True,
        blank=True,
        help_text=_("Datumet som visas på inlägget."),
    )
    excerpt = models.TextField(
        _("ingress"), blank=True, help_text=_("Visas i listor, flöden och sökresultat.")
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("kategori"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
    )
    topics = ParentalManyToManyField(
        "fss_site.Topic", verbose_name=_("ämnen"), blank=True, related_name="posts"
    )
    tags = ClusterTaggableManager(through=BlogPageTag, verbose_name=_("taggar"), blank=True)
    related_event = models.ForeignKey(
        "events.EventPage",
        verbose_name=_("evenemang"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
    )
    body = StreamField(BaseStreamBlock(), verbose_name=_("innehåll"), blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("date"), FieldPanel("category"), FieldPanel("topics"), FieldPanel("tags")],
            heading=_("Om inlägget"),
        ),
        MultipleChooserPanel(
            "authors", label=_("Skribenter"), chooser_field_name="person", min_num=0
        ),
        FieldPanel("excerpt"),
        FieldPanel("body"),
        FieldPanel("related_event"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("excerpt"),
        index.SearchField("body"),
        index.RelatedFields("topics", [index.SearchField("name")]),
        index.RelatedFields("category", [index.SearchField("name")]),
        index.FilterField("date"),
    ]

    parent_page_types = ["blog.BlogIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("blogginlägg")
        verbose_name_plural = _("blogginlägg")

    @property
    def display_date(self):
        """The printed date, or the day it was first published."""
        if self.date:
            return self.date
        return self.first_published_at.date() if self.first_published_at else None


class BlogPageAuthor(Orderable):
    """An author of a post, with the byline as printed at the time."""

    page = ParentalKey(BlogPage, on_delete=models.CASCADE, related_name="authors")
    person = models.ForeignKey(
        "people.PersonPage",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="authored_posts",
    )
    byline = models.CharField(
        _("titel i inlägget"),
        max_length=255,
        blank=True,
        help_text=_("Titeln som den stod när inlägget skrevs, t.ex. ”socialchef i Lund”."),
    )

    panels = [FieldPanel("person"), FieldPanel("byline")]

    class Meta(Orderable.Meta):
        verbose_name = _("skribent")
        verbose_name_plural = _("skribenter")

    def __str__(self):
        return f"{self.person}, {self.byline}" if self.byline else str(self.person)


class PositionIndexPage(Page):
    """Ståndpunkter: the association's positions by topic."""

    introduction = models.TextField(_("ingress"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    parent_page_types = ["fss_site.HomePage"]
    subpage_types = ["blog.PositionPage"]
    max_count = 1

    class Meta:
        verbose_name = _("ståndpunktslista")
        verbose_name_plural = _("ståndpunktslistor")


class PositionPage(Page):
    """A position (ståndpunkt), optionally a consultation response (remissvar)."""

    CURRENT = "current"
    SUPERSEDED = "superseded"
    STATUS_CHOICES = [(CURRENT, _("Gällande")), (SUPERSEDED, _("Ersatt"))]

    statement = models.TextField(
        _("ståndpunkten i korthet"),
        max_length=600,
        help_text=_("Ståndpunkten i en eller två meningar."),
    )
    body = StreamField(BaseStreamBlock(), verbose_name=_("innehåll"), blank=True)
    topics = ParentalManyToManyField(
        "fss_site.Topic", verbose_name=_("ämnen"), blank=True, related_name="positions"
    )
    date_adopted = models.DateField(_("antagen"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=STATUS_CHOICES, default=CURRENT, db_index=True
    )
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("ersatt av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supersedes",
    )
    related_posts = ParentalManyToManyField(
        "blog.BlogPage", verbose_name=_("relaterade inlägg"), blank=True, related_name="positions"
    )
    related_events = ParentalManyToManyField(
        "events.EventPage",
        verbose_name=_("relaterade evenemang"),
        blank=True,
        related_name="positions",
    )
    referring_authority = models.CharField(_("remissinstans"), max_length=255, blank=True)
    reference_number = models.CharField(_("diarienummer"), max_length=100, blank=True)
    response_deadline = models.DateField(_("sista svarsdag"), null=True, blank=True)
    response_document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("remissvar (PDF)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = Page.content_panels + [
        FieldPanel("statement"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("topics"),
                FieldPanel("date_adopted"),
                FieldPanel("status"),
                FieldPanel("superseded_by"),
            ],
            heading=_("Status"),
        ),
        MultiFieldPanel(
            [FieldPanel("related_posts"), FieldPanel("related_events")],
            heading=_("Relaterat"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("referring_authority"),
                FieldPanel("reference_number"),
                FieldPanel("response_deadline"),
                FieldPanel("response_document"),
            ],
            heading=_("Remissvar"),
            classname="collapsed",
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("statement"),
        index.SearchField("body"),
        index.SearchField("referring_authority"),
        index.SearchField("reference_number"),
        index.RelatedFields("topics", [index.SearchField("name")]),
        index.FilterField("status"),
    ]

    parent_page_types = ["blog.PositionIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("ståndpunkt")
        verbose_name_plural = _("ståndpunkter")

    def clean(self):
        super().clean()
        if self.status == self.SUPERSEDED and not self.superseded_by_id:
            raise ValidationError({"superseded_by": _("Ange vilken ståndpunkt som ersätter den.")})
        if self.superseded_by_id and self.superseded_by_id == self.pk:
            raise ValidationError({"superseded_by": _("En ståndpunkt kan inte ersätta sig själv.")})

    @property
    def is_consultation_response(self):
        return bool(self.referring_authority or self.reference_number or self.response_document)
