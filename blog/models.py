"""Blog posts and the association's positions (ståndpunkter).

Posts have authors linked to person pages, each with the byline as printed at the time
(roles change). Positions state what FSS thinks in one or two sentences; a superseded
position points at the one that replaced it, and consultation responses (remissvar) carry
the referring authority, its reference number, the deadline and the response as a PDF.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import Tag, TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, MultipleChooserPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from blog.forms import BlogPageForm
from fss_site import compiled, seo
from fss_site.admin_forms import year_error
from fss_site.api_fields import AuthorSerializer, CategorySerializer, TopicSerializer
from fss_site.blocks import BaseStreamBlock
from fss_site.derived import DerivedFieldsMixin
from fss_site.listing import (
    CachedRestrictionsMixin,
    ChildRoutingMixin,
    LoadedPageMixin,
    PageUrlMixin,
    feed_links,
    page_day,
    paginate,
    per_generation,
    restricted_paths,
    section_url,
    shows_stored,
    visible,
)
from fss_site.models import ImportedContentMixin, Topic, UniqueNameMixin
from fss_site.text import (
    lead_repeats_body,
    position_search_text,
    post_reading_minutes,
    post_search_text,
    stream_text,
)

RSS = "application/rss+xml"
ATOM = "application/atom+xml"


class Category(UniqueNameMixin, index.Indexed, models.Model):
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


class BlogIndexPage(
    LoadedPageMixin,
    RoutablePageMixin,
    ChildRoutingMixin,
    PageUrlMixin,
    CachedRestrictionsMixin,
    Page,
):
    """Blogg: the list of posts, with bookmarkable filters.

    /blogg/kategori/<slug>/, /blogg/amne/<slug>/, /blogg/tagg/<slug>/,
    /blogg/skribent/<person slug>/ and /blogg/<year>/, each paginated with ?page=.
    """

    POSTS_PER_PAGE = 10
    child_page_model = "blog.BlogPage"
    # The first part of the addresses of the routes below. A post's address comes first
    # (ChildRoutingMixin), so a post with one of these slugs, or with a year (\d{4}) as its
    # slug, would hide the listing there: BlogPage.clean refuses them.
    ROUTE_SLUGS = frozenset({"kategori", "amne", "tagg", "skribent"})

    introduction = models.TextField(_("ingress"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    parent_page_types = ["fss_site.HomePage"]
    subpage_types = ["blog.BlogPage"]
    max_count = 1

    class Meta:
        verbose_name = _("blogg")
        verbose_name_plural = _("bloggar")

    def posts(self, request):
        """Visible posts of this blog, newest first, ready for listing."""
        return BlogPage.listing(visible(BlogPage.objects.child_of(self), request))

    def filter_links(self, request):
        """Categories, topics and years that have posts, for the filter navigation.

        Aggregates over every post: kept until the next change.
        """
        posts = visible(BlogPage.objects.child_of(self), request)

        def compute():
            categories = Category.objects.filter(posts__in=posts.values("pk")).distinct()
            topics = Topic.objects.filter(posts__in=posts.values("pk")).distinct()
            years = (
                posts.annotate(year=ExtractYear("listing_date"))
                .exclude(year__isnull=True)
                .order_by("-year")
                .values_list("year", flat=True)
                .distinct()
            )
            return {"categories": list(categories), "topics": list(topics), "years": list(years)}

        return per_generation(f"blog-filters:{self.pk}", compute)

    def _listing(
        self, request, posts, *, selects="", heading="", suffix="", description=None, feeds=()
    ):
        # The key of the count and of the listing's SQL, compiled once per process: the
        # blog by its id and place in the tree (``child_of`` reads the path), the filter by
        # its row's id, not its slug, which a new row may take over.
        key = f"blog-count:{self.pk}:{self.path}:{selects}"
        page_of_posts = paginate(request, posts, self.POSTS_PER_PAGE, count_key=key)
        title = f"{self.title}: {heading}" if heading else self.title
        query = f"?page={page_of_posts.number}" if page_of_posts.number > 1 else ""
        index_url = self.get_url(request=request)
        feed_specs = [
            ("feeds:all-rss", (), gettext("Alla inlägg (RSS)"), RSS),
            ("feeds:all-atom", (), gettext("Alla inlägg (Atom)"), ATOM),
            *feeds,
        ]
        context_seo = seo.seo_for_page(
            request,
            self,
            title=title if heading else None,
            description=description,
            suffix=suffix + query,
            schema_type="CollectionPage",
            feeds=feed_links(request, *feed_specs),
        )
        rss = [f["url"] for f in context_seo.feeds if f["type"] == RSS]
        return self.render(
            request,
            context_overrides={
                "posts": page_of_posts,
                "filter_heading": heading,
                "filter_title": title,
                "index_url": index_url,
                "seo": context_seo,
                # The feed of what is listed: the filter's own feed, or all posts.
                "feed_url": rss[-1] if rss else "",
                "feed_label": gettext("Prenumerera på de här inläggen (RSS)")
                if len(rss) > 1
                else gettext("Prenumerera på alla inlägg (RSS)"),
                "filters": self.filter_links(request),
                "current_suffix": suffix,
            },
        )

    @path("")
    def index_route(self, request):
        return self._listing(request, self.posts(request))

    @re_path(r"^kategori/(?P<slug>[-\w]+)/$")
    def category_route(self, request, slug):
        category = Category.objects.filter(slug=slug).first()
        if category is None:
            raise Http404(gettext("Kategorin finns inte"))
        return self._listing(
            request,
            self.posts(request).filter(category=category),
            selects=f"category:{category.pk}",
            heading=gettext("Kategori %(name)s") % {"name": category.name},
            suffix=f"kategori/{category.slug}/",
            description=category.description or None,
            feeds=[("feeds:category", (category.slug,), category.name + " (RSS)", RSS)],
        )

    @re_path(r"^amne/(?P<slug>[-\w]+)/$")
    def topic_route(self, request, slug):
        topic = Topic.objects.filter(slug=slug).first()
        if topic is None:
            raise Http404(gettext("Ämnet finns inte"))
        return self._listing(
            request,
            self.posts(request).filter(topics=topic),
            selects=f"topic:{topic.pk}",
            heading=gettext("Ämne %(name)s") % {"name": topic.name},
            suffix=f"amne/{topic.slug}/",
            description=topic.description or None,
            feeds=[("feeds:topic", (topic.slug,), topic.name + " (RSS)", RSS)],
        )

    @re_path(r"^tagg/(?P<slug>[-\w]+)/$")
    def tag_route(self, request, slug):
        from taggit.models import Tag

        tag = Tag.objects.filter(slug=slug).first()
        if tag is None:
            raise Http404(gettext("Taggen finns inte"))
        return self._listing(
            request,
            self.posts(request).filter(tags=tag),
            selects=f"tag:{tag.pk}",
            heading=gettext("Tagg %(name)s") % {"name": tag.name},
            suffix=f"tagg/{tag.slug}/",
        )

    @re_path(r"^skribent/(?P<slug>[-\w]+)/$")
    def author_route(self, request, slug):
        from people.models import PersonPage

        person = visible(PersonPage.objects.filter(slug=slug), request).first()
        if person is None:
            raise Http404(gettext("Skribenten finns inte"))
        return self._listing(
            request,
            self.posts(request).filter(authors__person=person).distinct(),
            selects=f"author:{person.pk}",
            heading=gettext("Inlägg av %(name)s") % {"name": person.title},
            suffix=f"skribent/{person.slug}/",
            feeds=[("feeds:author", (person.pk,), person.title + " (RSS)", RSS)],
        )

    @re_path(r"^(?P<year>\d{4})/$")
    def year_route(self, request, year):
        year = int(year)
        if year < 1:  # no date is in year 0: Django could not make the year's first day
            raise Http404(gettext("Året finns inte"))
        posts = self.posts(request).filter(listing_date__year=year)
        return self._listing(
            request,
            posts,
            selects=f"year:{year}",
            heading=gettext("År %(year)s") % {"year": year},
            suffix=f"{year}/",
        )


# Posts newest first, as the listings, related posts and feeds order them: along the index
# of migration 0006 (listing_date DESC NULLS LAST, id DESC).
NEWEST_FIRST = (F("listing_date").desc(nulls_last=True), "-pk")
# What a link to a post with its date shows (related posts, a person's posts).
POST_LINK_FIELDS = ("title", "url_path", "date", "first_published_at", "seed_source")
# What a post's card shows (fss_site/jinja2/fss_site/items/posts.html and byline.html).
POST_CARD_FIELDS = (
    "title",
    "url_path",
    "date",
    "first_published_at",
    "seed_source",
    "listing_date",
    "reading_minutes",
    "excerpt",
    "category__name",
    "category__slug",
)
# What a position's card shows (fss_site/jinja2/fss_site/items/positions.html).
POSITION_CARD_FIELDS = (
    "title",
    "url_path",
    "statement",
    "date_adopted",
    "referring_authority",
    "reference_number",
    "response_document",
)
AUTHOR_CARD_FIELDS = (
    "page",
    "sort_order",
    "byline",
    "person__title",
    "person__url_path",
    "person__live",
)


class BlogPage(
    DerivedFieldsMixin,
    LoadedPageMixin,
    ImportedContentMixin,
    PageUrlMixin,
    CachedRestrictionsMixin,
    Page,
):
    """A blog post."""

    base_form_class = BlogPageForm

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
    tags = ClusterTaggableManager(
        through=BlogPageTag,
        verbose_name=_("taggar"),
        blank=True,
        # taggit's own help text has no Swedish translation.
        help_text=_("Ord som beskriver inlägget, åtskilda med kommatecken."),
    )
    related_event = models.ForeignKey(
        "events.EventPage",
        verbose_name=_("evenemang"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
    )
    body = StreamField(BaseStreamBlock(), verbose_name=_("innehåll"), blank=True)
    # The date listings sort by: the date the post shows (display_date), none for an
    # imported post without one (listed after the dated posts). Kept in step by save(),
    # indexed for the listings.
    listing_date = models.DateField(null=True, blank=True, editable=False)
    # Stored when the post is saved, so listings need neither the body nor the work.
    reading_minutes = models.PositiveSmallIntegerField(
        _("lästid i minuter"), default=1, editable=False
    )
    # What search results quote: the excerpt and the body's text (fss_site/text.py).
    search_text = models.TextField(_("söktext"), blank=True, default="", editable=False)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("date"),
                FieldPanel("category"),
                FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
                FieldPanel("tags"),
            ],
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
    api_fields = [
        APIField("date"),
        APIField("excerpt"),
        APIField("category", serializer=CategorySerializer(read_only=True)),
        APIField("topics", serializer=TopicSerializer(many=True, read_only=True)),
        APIField("tags"),
        APIField("authors", serializer=AuthorSerializer(many=True, read_only=True)),
        APIField("body"),
    ]

    parent_page_types = ["blog.BlogIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("blogginlägg")
        verbose_name_plural = _("blogginlägg")
        # Listings use the index blog_post_listing_date_idx (listing_date DESC NULLS LAST, pk
        # DESC), made by migration 0006 in each database's own syntax.

    def clean(self):
        super().clean()
        if self.slug in BlogIndexPage.ROUTE_SLUGS or re.fullmatch(r"\d{4}", self.slug or ""):
            message = _(
                "Adressen ”%(slug)s” används av bloggens egna listor (ett år, kategori, ämne, "
                "tagg eller skribent). Välj en annan."
            )
            raise ValidationError({"slug": message % {"slug": self.slug}})
        if error := year_error(self.date):
            raise ValidationError({"date": error})

    # Stored when saved (fss_site/derived.py), each from the fields named.
    DERIVED_FIELDS = {
        "listing_date": (
            ("date", "first_published_at", "seed_source"),
            lambda post: post.display_date,
        ),
        "reading_minutes": (("excerpt", "body"), lambda post: post.count_reading_minutes()),
        "search_text": (("excerpt", "body"), post_search_text),
    }

    def save(self, *args, **kwargs):
        self.__dict__.pop("body_text", None)  # the body may have changed since it was read
        return super().save(*args, **kwargs)

    @property
    def display_date(self):
        """The printed date, or the day (in Stockholm) it was first published.

        An imported post without a printed date has none: it was first published by the
        import, which says nothing of when it was written (the seeds leave most old posts
        undated). Showing the import's day would tell visitors a date that is not true, so
        the post shows no date, and lists after the dated posts, until an editor sets one
        (the admin's report "Importerade inlägg utan datum" lists them).
        """
        if self.date is None and self.seed_source:
            return None
        return page_day(self.date, self.first_published_at)

    @classmethod
    def undated_imports(cls):
        """The posts that ``display_date`` gives no date, by the same rule: imported, and
        no date set since."""
        return cls.objects.filter(date__isnull=True).exclude(seed_source="")

    @classmethod
    def listing(cls, queryset):
        """Posts as the listings show them, newest first: only the fields a card shows
        (``POST_CARD_FIELDS``), with the category, and the authors' names and links in
        ``listed_authors``; the body and the rest of a post's forty-odd columns are not
        read."""
        return (
            queryset.select_related("category")
            .only(*POST_CARD_FIELDS)
            .prefetch_related(
                # A plain list on each post (to_attr): Django would otherwise clone the
                # queryset once per post to hand it to the post's related manager.
                Prefetch(
                    "authors",
                    queryset=BlogPageAuthor.objects.select_related("person")
                    .only(*AUTHOR_CARD_FIELDS)
                    .order_by("sort_order", "pk"),
                    to_attr="listed_authors",
                )
            )
            .order_by(*NEWEST_FIRST)
        )

    @cached_property
    def body_text(self):
        return stream_text(self.body)

    @property
    def excerpt_repeats_body(self):
        """True when the excerpt is the opening of the body (as imported posts have it).

        The post page then shows the body only, so the reader does not read it twice.
        """
        return lead_repeats_body(self.excerpt, self.body_text)

    def count_reading_minutes(self):
        """Estimated reading time of what the post page shows, in whole minutes.

        Stored in ``reading_minutes`` on every save; the post page counts afresh, so a
        preview shows the time of what is previewed."""
        return post_reading_minutes(self.excerpt, self.body_text)

    # Related posts are ranked among this many of the newest posts that share a topic, so
    # the cost does not grow with the number of posts.
    RELATED_CANDIDATES = 60

    def related_posts(self, request, topic_ids, limit=3):
        """Other posts ranked by how many topics they share with this one, then newest.

        Only the ``RELATED_CANDIDATES`` newest posts sharing a topic are ranked (read along
        the listings' index), so an old post sharing more topics can give way to newer ones.
        """
        if not topic_ids:
            return []

        def build(post_id, topic_ids):
            shares_a_topic = BlogPage.topics.through.objects.filter(
                blogpage_id=OuterRef("pk"), topic_id__in=topic_ids
            )
            candidates = (
                visible(BlogPage.objects.all(), request)
                .filter(Exists(shares_a_topic))
                .exclude(pk=post_id)
                .order_by(*NEWEST_FIRST)
                .values("pk")[: self.RELATED_CANDIDATES]
            )
            posts = (
                BlogPage.objects.filter(pk__in=Subquery(candidates))
                .only(*POST_LINK_FIELDS)
                .annotate(shared=Count("topics", filter=Q(topics__in=topic_ids), distinct=True))
                .order_by("-shared", *NEWEST_FIRST)
            )
            return posts[:limit]

        # The same SQL for every post with as many topics: compiled once per process
        # (fss_site/compiled.py).
        key = ("related-posts", restricted_paths(request), self.RELATED_CANDIDATES, limit)
        return compiled.run(key, BlogPage, build, self.pk or 0, list(topic_ids))

    def _own_lists(self, request):
        """The post's authors, topics and tags.

        A preview reads them through the page, which holds the form's. A stored post's are
        read by SQL compiled once per process (fss_site/compiled.py): a post made with the
        id alone stands in for any post, so the SQL is the page's own.
        """
        if not shows_stored(self, request):
            return (
                list(self.authors.select_related("person").order_by("sort_order", "pk")),
                list(self.topics.all()),
                list(self.tags.all()),
            )
        authors = compiled.run(
            ("post-authors",),
            BlogPageAuthor,
            lambda pk: (
                BlogPage(pk=pk).authors.select_related("person").order_by("sort_order", "pk")
            ),
            self.pk,
        )
        topics = compiled.run(
            ("post-topics",), Topic, lambda pk: BlogPage(pk=pk).topics.all(), self.pk
        )
        tags = compiled.run(("post-tags",), Tag, lambda pk: BlogPage(pk=pk).tags.all(), self.pk)
        return authors, topics, tags

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        authors, topics, tags = self._own_lists(request)
        event = self.related_event if self.related_event_id else None
        if event is not None and not event.live:
            event = None
        canonical = self.get_full_url(request=request) or ""
        feed_specs = [("feeds:all-rss", (), gettext("Alla inlägg (RSS)"), RSS)]
        context.update(
            {
                "authors": authors,
                "topics": topics,
                "tags": tags,
                "event": event,
                "related_posts": self.related_posts(request, [t.pk for t in topics]),
                "reading_minutes": self.count_reading_minutes(),
                "blog_url": section_url(request, "blog"),
                "seo": seo.seo_for_page(
                    request,
                    self,
                    og_type="article",
                    json_ld=seo.blog_posting(
                        request,
                        self,
                        authors=authors,
                        topics=topics,
                        tags=tags,
                        canonical=canonical,
                    ),
                    feeds=feed_links(request, *feed_specs),
                ),
            }
        )
        return context


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


class PositionIndexPage(
    LoadedPageMixin, ChildRoutingMixin, PageUrlMixin, CachedRestrictionsMixin, Page
):
    """Ståndpunkter: the association's positions by topic."""

    introduction = models.TextField(_("ingress"), blank=True)

    child_page_model = "blog.PositionPage"

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    parent_page_types = ["fss_site.HomePage"]
    subpage_types = ["blog.PositionPage"]
    max_count = 1

    class Meta:
        verbose_name = _("ståndpunktslista")
        verbose_name_plural = _("ståndpunktslistor")

    def get_context(self, request, *args, **kwargs):
        """Current positions grouped by topic, then the superseded ones with their successors."""
        context = super().get_context(request, *args, **kwargs)
        positions = visible(PositionPage.objects.child_of(self), request).defer_streamfields()
        current = list(
            positions.filter(status=PositionPage.CURRENT)
            .prefetch_related("topics")
            .order_by(F("date_adopted").desc(nulls_last=True), "title")
        )
        groups: dict = {}
        without_topic = []
        for position in current:
            position_topics = list(position.topics.all())
            if not position_topics:
                without_topic.append(position)
            for topic in position_topics:
                groups.setdefault(topic, []).append(position)
        by_topic = [
            {"topic": topic, "positions": items}
            for topic, items in sorted(
                groups.items(), key=lambda kv: (kv[0].sort_order, kv[0].name)
            )
        ]
        superseded = list(
            positions.filter(status=PositionPage.SUPERSEDED)
            .select_related("superseded_by")
            .order_by(F("date_adopted").desc(nulls_last=True), "title")
        )
        context.update(
            {
                "by_topic": by_topic,
                "without_topic": without_topic,
                "superseded": superseded,
                "seo": seo.seo_for_page(request, self, schema_type="CollectionPage"),
            }
        )
        return context


class PositionPage(
    DerivedFieldsMixin, LoadedPageMixin, PageUrlMixin, CachedRestrictionsMixin, Page
):
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
    # What search results quote: the statement, the body's text, the consultation's
    # authority and reference number (fss_site/text.py).
    search_text = models.TextField(_("söktext"), blank=True, default="", editable=False)

    # Stored when saved (fss_site/derived.py), from the fields named.
    DERIVED_FIELDS = {
        "search_text": (
            ("statement", "body", "referring_authority", "reference_number"),
            position_search_text,
        ),
    }

    content_panels = Page.content_panels + [
        FieldPanel("statement"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
                FieldPanel("date_adopted"),
                FieldPanel("status"),
                FieldPanel("superseded_by"),
            ],
            heading=_("Status"),
        ),
        # Chosen with Wagtail's page chooser (search, several at once, in the editor's
        # order): a list of every post and event in the form grew with the site, to 12,000
        # options (2.2 MB, 4 s) on the benchmark's data set.
        MultipleChooserPanel(
            "related_post_links",
            label=_("Relaterade inlägg"),
            chooser_field_name="post",
            min_num=0,
        ),
        MultipleChooserPanel(
            "related_event_links",
            label=_("Relaterade evenemang"),
            chooser_field_name="event",
            min_num=0,
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
    api_fields = [
        APIField("statement"),
        APIField("body"),
        APIField("topics", serializer=TopicSerializer(many=True, read_only=True)),
        APIField("date_adopted"),
        APIField("status"),
        APIField("superseded_by"),
        APIField("referring_authority"),
        APIField("reference_number"),
        APIField("response_deadline"),
        APIField("response_document"),
    ]

    parent_page_types = ["blog.PositionIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("ståndpunkt")
        verbose_name_plural = _("ståndpunkter")

    def clean(self):
        super().clean()
        if error := year_error(self.date_adopted):
            raise ValidationError({"date_adopted": error})
        if self.status == self.SUPERSEDED and not self.superseded_by_id:
            raise ValidationError({"superseded_by": _("Ange vilken ståndpunkt som ersätter den.")})
        if self.superseded_by_id and self.superseded_by_id == self.pk:
            raise ValidationError({"superseded_by": _("En ståndpunkt kan inte ersätta sig själv.")})
        if self.pk and self.superseded_by_id and self._replaced_in_a_ring():
            raise ValidationError(
                {
                    "superseded_by": _(
                        "Den ståndpunkten är själv ersatt av den här, direkt eller via andra: "
                        "då vore ingen av dem gällande. Välj den som gäller nu."
                    )
                }
            )

    def _replaced_in_a_ring(self) -> bool:
        """Whether the chosen replacement leads back to this position along the published
        replacements (A replaced by B, B by A): visitors would go round in a circle."""
        seen = set()
        current = self.superseded_by_id
        while current and current not in seen:
            if current == self.pk:
                return True
            seen.add(current)
            current = (
                PositionPage.objects.filter(pk=current)
                .values_list("superseded_by_id", flat=True)
                .first()
            )
        return False

    @property
    def is_consultation_response(self):
        return bool(self.referring_authority or self.reference_number or self.response_document_id)

    @property
    def is_superseded(self):
        return self.status == self.SUPERSEDED

    def get_context(self, request, *args, **kwargs):
        from events.models import EventPage

        context = super().get_context(request, *args, **kwargs)
        topics = list(self.topics.all())
        successor = self.superseded_by if self.superseded_by_id else None
        if successor is not None and not successor.live:
            successor = None
        pk = self.pk or 0
        # In the order the editor gave them.
        related_posts = list(
            BlogPage.listing(
                visible(BlogPage.objects.filter(position_links__page=pk), request)
            ).order_by("position_links__sort_order", "position_links__pk")[:10]
        )
        related_events = list(
            visible(EventPage.objects.filter(position_links__page=pk), request)
            .cards()
            .order_by("position_links__sort_order", "position_links__pk")[:10]
        )
        supersedes = list(
            visible(PositionPage.objects.filter(superseded_by=pk), request).order_by("title")
        )
        canonical = self.get_full_url(request=request) or ""
        context.update(
            {
                "topics": topics,
                "successor": successor,
                "related_posts": related_posts,
                "related_events": related_events,
                "supersedes": supersedes,
                "document": self.response_document if self.response_document_id else None,
                "seo": seo.seo_for_page(
                    request,
                    self,
                    og_type="article",
                    json_ld=seo.position_article(request, self, topics=topics, canonical=canonical),
                ),
            }
        )
        return context


class PositionRelatedPost(Orderable):
    """A post that a position points to, in the editor's order."""

    page = ParentalKey(PositionPage, on_delete=models.CASCADE, related_name="related_post_links")
    post = models.ForeignKey(
        BlogPage, verbose_name=_("inlägg"), on_delete=models.CASCADE, related_name="position_links"
    )

    panels = [FieldPanel("post")]

    class Meta(Orderable.Meta):
        verbose_name = _("relaterat inlägg")
        verbose_name_plural = _("relaterade inlägg")
        constraints = [
            models.UniqueConstraint(fields=["page", "post"], name="position_related_post_once")
        ]


class PositionRelatedEvent(Orderable):
    """An event that a position points to, in the editor's order."""

    page = ParentalKey(PositionPage, on_delete=models.CASCADE, related_name="related_event_links")
    event = models.ForeignKey(
        "events.EventPage",
        verbose_name=_("evenemang"),
        on_delete=models.CASCADE,
        related_name="position_links",
    )

    panels = [FieldPanel("event")]

    class Meta(Orderable.Meta):
        verbose_name = _("relaterat evenemang")
        verbose_name_plural = _("relaterade evenemang")
        constraints = [
            models.UniqueConstraint(fields=["page", "event"], name="position_related_event_once")
        ]
