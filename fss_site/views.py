"""Views of the public site that are not Wagtail pages: the topic pages."""

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import compiled, seo
from .listing import (
    feed_links,
    finds_site,
    per_generation,
    restricted_paths,
    section_url,
    visible,
)
from .models import Topic

TOPIC_POSTS_SHOWN = 10
TOPIC_PAST_EVENTS_SHOWN = 5
TOPIC_UPCOMING_EVENTS_SHOWN = 20


def _live_count(relation):
    """Live pages tagged with the topic, as a subquery per topic: counting all three kinds
    in one join would count the product of posts, positions and people."""
    field = Topic._meta.get_field(relation)
    through = field.through
    page_column = field.field.m2m_field_name()  # the page side of the link table
    topic_column = field.field.m2m_reverse_field_name()
    counted = (
        through.objects.filter(**{topic_column: OuterRef("pk"), f"{page_column}__live": True})
        .order_by()
        .values(topic_column)
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


@finds_site
def topic_index(request):
    """Ämnen: every topic with how much there is about it.

    The counts go over every page (some 50 ms with ten thousand posts) and change only with
    content: kept until the next change."""
    topics = per_generation(
        "topic-index",
        lambda: list(
            Topic.objects.annotate(
                post_count=_live_count("posts"),
                position_count=_live_count("positions"),
                people_count=_live_count("people"),
            ).order_by("sort_order", "name")
        ),
    )
    title = _("Ämnen")
    description = _(
        "Det FSS skriver, tycker och talar om, samlat per ämne: inlägg, ståndpunkter, "
        "evenemang och talespersoner."
    )
    return TemplateResponse(
        request,
        "fss_site/topic_index.html",
        {
            "topics": topics,
            "title": title,
            "description": description,
            "seo": seo.seo_for_view(
                request, title=title, path=reverse("topic-index"), description=description
            ),
        },
    )


@finds_site
def topic_detail(request, slug):
    """One topic: its current positions, latest posts, events and spokespeople."""
    from blog.models import POSITION_CARD_FIELDS, BlogPage, PositionPage
    from events.models import EventPage
    from people.models import PersonPage

    # Each query is the same SQL on every view but for the topic and the time: compiled
    # once per process (compiled.py).
    private = restricted_paths(request)
    found = compiled.run(("topic",), Topic, lambda slug: Topic.objects.filter(slug=slug)[:1], slug)
    if not found:
        raise Http404(_("Ämnet finns inte"))
    topic = found[0]
    now = timezone.now()
    posts = compiled.run(
        ("topic-posts", private, TOPIC_POSTS_SHOWN),
        BlogPage,
        lambda topic_id: BlogPage.listing(
            visible(BlogPage.objects.filter(topics=topic_id), request)
        )[: TOPIC_POSTS_SHOWN + 1],
        topic.pk,
    )
    positions = compiled.run(
        ("topic-positions", private),
        PositionPage,
        lambda topic_id: (
            visible(PositionPage.objects.filter(topics=topic_id), request)
            .only(*POSITION_CARD_FIELDS)
            .filter(status=PositionPage.CURRENT)
            .order_by(F("date_adopted").desc(nulls_last=True), "title")
        ),
        topic.pk,
    )

    def events(topic_id):
        return visible(EventPage.objects.filter(topics=topic_id), request).cards()

    upcoming = compiled.run(
        ("topic-upcoming", private, TOPIC_UPCOMING_EVENTS_SHOWN),
        EventPage,
        lambda topic_id, now: (
            events(topic_id).upcoming(now).order_by("start")[:TOPIC_UPCOMING_EVENTS_SHOWN]
        ),
        topic.pk,
        now,
    )
    past = compiled.run(
        ("topic-past", private, TOPIC_PAST_EVENTS_SHOWN),
        EventPage,
        lambda topic_id, now: (
            events(topic_id).past(now).order_by("-start")[:TOPIC_PAST_EVENTS_SHOWN]
        ),
        topic.pk,
        now,
    )
    people = compiled.run(
        ("topic-people", private),
        PersonPage,
        lambda topic_id: (
            visible(PersonPage.objects.filter(topics=topic_id), request)
            .filter(Q(is_spokesperson=True) | Q(is_board_member=True))
            .order_by("title")
            # A link each: a topic can have a hundred people, each with some forty columns.
            .only("title", "url_path", "job_title", "employer")
        ),
        topic.pk,
    )
    blog_url = section_url(request, "blog")
    people_url = section_url(request, "people")
    description = topic.description or _(
        "Inlägg, ståndpunkter, evenemang och talespersoner inom %(topic)s."
    ) % {"topic": topic.name}
    path = reverse("topic-detail", args=[topic.slug])
    return TemplateResponse(
        request,
        "fss_site/topic_page.html",
        {
            "topic": topic,
            "title": topic.name,
            "posts": posts[:TOPIC_POSTS_SHOWN],
            "more_posts_url": f"{blog_url}amne/{topic.slug}/" if blog_url else "",
            "positions": positions,
            "upcoming_events": upcoming,
            "past_events": past,
            "people": people,
            "people_url": f"{people_url}?amne={topic.slug}" if people_url else "",
            "seo": seo.seo_for_view(
                request,
                title=topic.name,
                path=path,
                description=description,
                json_ld={
                    "@type": "CollectionPage",
                    "name": topic.name,
                    "about": {"@type": "Thing", "name": topic.name},
                },
                feeds=feed_links(
                    request,
                    (
                        "feeds:topic",
                        (topic.slug,),
                        _("%(topic)s (RSS)") % {"topic": topic.name},
                        "application/rss+xml",
                    ),
                    (
                        "events:ical-topic",
                        (topic.slug,),
                        _("Evenemang inom %(topic)s (iCal)") % {"topic": topic.name},
                        "text/calendar",
                    ),
                ),
            ),
        },
    )
