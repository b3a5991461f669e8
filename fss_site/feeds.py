"""RSS and Atom feeds of blog posts: all posts, per category, per topic and per author.

Only live posts outside any private section of the request's Wagtail site (the default
site for unknown hosts) are listed, newest first. Every address in a feed is absolute.
The feed classes keep no per-request state: what a request needs travels in a
``PostFeedSource`` returned from ``get_object``, so one instance can serve many requests.
"""

import datetime
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from wagtail.models import Site

from blog.models import NEWEST_FIRST, BlogIndexPage, BlogPage, BlogPageAuthor, Category
from fss_site.machine import (
    UID_DOMAIN,
    absolute_url,
    first_paragraph_text,
    site_for_request,
    site_name,
    topic_path,
)
from fss_site.models import Topic
from people.models import PersonPage

#: How many posts a feed lists.
FEED_LENGTH = 50


def public_posts(site: Site) -> QuerySet:
    """Live, public blog posts of ``site``, newest first, with what a feed shows prefetched."""
    return (
        BlogPage.objects.live()
        .public()
        .descendant_of(site.root_page)
        .filter(alias_of__isnull=True)
        .select_related("category")
        .prefetch_related(
            "topics",
            Prefetch(
                "authors",
                queryset=BlogPageAuthor.objects.select_related("person").order_by(
                    "sort_order", "pk"
                ),
            ),
        )
        # The blog listing's order, along its index: the newest are read without sorting all.
        .order_by(*NEWEST_FIRST)
    )


def post_summary(post: BlogPage) -> str:
    """The post's excerpt, or the text of its first paragraph when it has none."""
    return post.excerpt.strip() or first_paragraph_text(post.body)


def post_pubdate(post: BlogPage) -> datetime.datetime | None:
    """When the post was published, as an aware datetime; None for a post that shows no
    date (an imported post without one: ``BlogPage.display_date``).

    The printed date wins; when it is the day the post was first published, the exact
    time of publishing is kept.
    """
    day = post.display_date
    if day is None:
        return None
    published = post.first_published_at
    if published and timezone.localdate(published) == day:
        return published
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass
class PostFeedSource:
    """Everything one request's feed needs."""

    request: HttpRequest
    site: Site
    title: str
    description: str
    link: str
    posts: QuerySet


class PostFeed(Feed):
    """Base class: subclasses narrow the posts and name the feed in ``get_source``."""

    finds_site = True  # as a page does: fss_site.listing.SiteMiddleware

    feed_type = Rss201rev2Feed
    language = "sv"
    item_guid_is_permalink = False

    def get_object(self, request, *args, **kwargs):
        site = site_for_request(request)
        return self.get_source(request, site, public_posts(site), **kwargs)

    def get_source(self, request, site, posts, **kwargs) -> PostFeedSource:
        raise NotImplementedError

    @staticmethod
    def blog_url(request, site: Site) -> str:
        blog = BlogIndexPage.objects.live().descendant_of(site.root_page).first()
        if blog is None:
            return absolute_url(site, "/")
        return blog.get_full_url(request)

    # -- the feed ------------------------------------------------------------------

    def title(self, obj):
        return obj.title

    def link(self, obj):
        return obj.link

    def description(self, obj):
        return obj.description

    def feed_url(self, obj):
        return absolute_url(obj.site, obj.request.path)

    def feed_guid(self, obj):
        # The Atom feed's id: stable even when the site's address changes.
        return f"tag:{UID_DOMAIN},2025:{obj.request.path}"

    def author_name(self, obj):
        return site_name(obj.site)

    def items(self, obj):
        posts = list(obj.posts[:FEED_LENGTH])
        for post in posts:
            post.feed_link = post.get_full_url(obj.request)
        return posts

    # -- each post -----------------------------------------------------------------

    def item_title(self, item):
        return item.title

    def item_link(self, item):
        return item.feed_link

    def item_guid(self, item):
        # Stable even when the post's slug or the site's address changes.
        return f"tag:{UID_DOMAIN},2025:blogg/{item.pk}"

    def item_description(self, item):
        # Feed readers treat the description as HTML; the excerpt is plain text.
        return escape(post_summary(item))

    def item_pubdate(self, item):
        return post_pubdate(item)

    def item_updateddate(self, item):
        return item.last_published_at or post_pubdate(item)

    def item_author_name(self, item):
        names = [author.person.title for author in item.authors.all()]
        return str(get_text_list(names, _("och"))) if names else None

    def item_categories(self, item):
        categories = [item.category.name] if item.category else []
        categories += [topic.name for topic in item.topics.all()]
        return categories


class AllPostsFeed(PostFeed):
    """Every post (RSS 2.0)."""

    def get_source(self, request, site, posts, **kwargs):
        name = site_name(site)
        return PostFeedSource(
            request=request,
            site=site,
            title=_("%(site)s – blogg") % {"site": name},
            description=_("De senaste blogginläggen från %(site)s.") % {"site": name},
            link=self.blog_url(request, site),
            posts=posts,
        )


class AllPostsAtomFeed(AllPostsFeed):
    """Every post (Atom 1.0)."""

    feed_type = Atom1Feed

    def subtitle(self, obj):
        return obj.description


class CategoryFeed(PostFeed):
    """The posts in one category."""

    def get_source(self, request, site, posts, slug=None, **kwargs):
        category = get_object_or_404(Category, slug=slug)
        return PostFeedSource(
            request=request,
            site=site,
            title=_("%(site)s – blogg: %(category)s")
            % {"site": site_name(site), "category": category.name},
            description=category.description
            or _("Blogginlägg i kategorin %(category)s.") % {"category": category.name},
            link=self.blog_url(request, site),
            posts=posts.filter(category=category),
        )


class TopicFeed(PostFeed):
    """The posts on one topic."""

    def get_source(self, request, site, posts, slug=None, **kwargs):
        topic = get_object_or_404(Topic, slug=slug)
        return PostFeedSource(
            request=request,
            site=site,
            title=_("%(site)s – ämne: %(topic)s") % {"site": site_name(site), "topic": topic.name},
            description=topic.description or _("Blogginlägg om %(topic)s.") % {"topic": topic.name},
            link=absolute_url(site, topic_path(topic.slug)),
            posts=posts.filter(topics=topic),
        )


class AuthorFeed(PostFeed):
    """The posts one person has written or co-written."""

    def get_source(self, request, site, posts, person_id=None, **kwargs):
        person = (
            PersonPage.objects.live()
            .public()
            .descendant_of(site.root_page)
            .filter(pk=person_id)
            .first()
        )
        if person is None:
            raise Http404(_("Det finns ingen sådan skribent."))
        return PostFeedSource(
            request=request,
            site=site,
            title=_("%(site)s – inlägg av %(person)s")
            % {"site": site_name(site), "person": person.title},
            description=_("Blogginlägg av %(person)s.") % {"person": person.title},
            link=person.get_full_url(request),
            posts=posts.filter(
                pk__in=BlogPageAuthor.objects.filter(person=person).values("page_id")
            ),
        )
