"""Board members and spokespeople.

A person's roles in FSS (ordförande, regionansvarig for a region ...) and their job
(title and employer) are different facts and are kept apart. Their posts, positions and
event appearances are derived from the pages that name them, never typed twice.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from fss_site.models import ImportedContentMixin


class PeopleIndexPage(Page):
    """Styrelse och talespersoner: the list of board members and spokespeople."""

    introduction = models.TextField(_("ingress"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    parent_page_types = ["fss_site.HomePage"]
    subpage_types = ["people.PersonPage"]
    max_count = 1

    class Meta:
        verbose_name = _("personlista")
        verbose_name_plural = _("personlistor")


class PersonPage(ImportedContentMixin, Page):
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
        FieldPanel("topics"),
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

    parent_page_types = ["people.PeopleIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("personer")

    @property
    def name(self):
        return self.title

    @property
    def regions(self):
        """The regions this person is responsible for or chairs."""
        return sorted({role.region for role in self.roles.all() if role.region})


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

    class Meta(Orderable.Meta):
        verbose_name = _("uppdrag i FSS")
        verbose_name_plural = _("uppdrag i FSS")

    def __str__(self):
        if self.label:
            return self.label
        text = str(self.get_kind_display())
        return f"{text} {self.region}" if self.region else text
