"""sitemap.xml and robots.txt.

The sitemap lists every live page outside private sections (Wagtail's sitemap, without
aliases, which would repeat their originals), and the topic pages (``/amne/<slug>/``) of
topics that have something published plus the list of topics (``/amnen/``), each with an
absolute address and the time it last changed.
"""

from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.urls import reverse
from wagtail.contrib.sitemaps import Sitemap
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap_view
from wagtail.models import Page, Site

from blog.models import BlogPage, PositionPage
from events.models import EventPage
from fss_site.listing import finds_site, page_url_parts, site_root_paths
from fss_site.machine import absolute_url, optional_reverse, topic_path
from fss_site.models import Topic
from people.models import PersonPage

#: Paths that search engines should leave alone.
ROBOTS_DISALLOW = ("/admin/", "/sok/")


class PageSitemap(Sitemap):
    # What an entry needs: its address (from the tree path and url_path) and its date. No
    # page type has its own sitemap entries, so the specific pages (a query per type and
    # every field) are not loaded.
    FIELDS = (
        "id",
        "path",
        "depth",
        "url_path",
        "locale_id",
        "last_published_at",
        "latest_revision_created_at",
        "content_type_id",
    )

    def items(self):
        return (
            self.get_wagtail_site()
            .root_page.get_descendants(inclusive=True)
            .live()
            .public()
            .filter(alias_of__isnull=True)
            .order_by("path")
            .only(*self.FIELDS)
        )

    def _urls(self, page, protocol, domain):
        """Wagtail's entries (``Page.get_sitemap_urls``: the page's full URL, and its last
        publication), made from plain values: with ten thousand pages, a page object and a
        ``reverse()`` per entry took most of a second."""
        request = self.request
        root_paths = site_root_paths(request)
        rows = self.paginator.page(page).object_list.values_list(
            "pk", "url_path", "last_published_at", "latest_revision_created_at"
        )
        urls = []
        for pk, url_path, published, revised in rows.iterator():
            parts = page_url_parts(url_path, root_paths, request)
            if parts is None:  # Wagtail's own answer (a page of several sites, say)
                location = Page.objects.get(pk=pk).get_full_url(request)
            else:
                location = parts[1] + parts[2]
            urls.append({"location": location, "lastmod": published or revised})
        lastmods = [url["lastmod"] for url in urls]
        if lastmods and None not in lastmods:
            self.latest_lastmod = max(lastmods)
        return urls


class TopicSitemap(Sitemap):
    """Topic pages, dated by the newest published page on the topic."""

    def items(self):
        root = self.get_wagtail_site().root_page
        latest = {}
        for name, model in [
            ("posts", BlogPage),
            ("positions", PositionPage),
            ("events", EventPage),
            ("people", PersonPage),
        ]:
            pages = (
                model.objects.live()
                .public()
                .descendant_of(root)
                .filter(topics=OuterRef("pk"))
                .order_by("-last_published_at")
                .values("last_published_at")[:1]
            )
            latest[f"latest_{name}"] = Subquery(pages)
        return Topic.objects.annotate(**latest).order_by("slug")

    def _urls(self, page, protocol, domain):
        site = self.get_wagtail_site()
        urls = []
        page_of_topics = self.paginator.page(page)
        for topic in page_of_topics.object_list:
            dates = [
                getattr(topic, name)
                for name in ("latest_posts", "latest_positions", "latest_events", "latest_people")
                if getattr(topic, name)
            ]
            if not dates:
                continue
            urls.append(
                {
                    "item": topic,
                    "location": absolute_url(site, topic_path(topic.slug)),
                    "lastmod": max(dates),
                }
            )
        if urls:
            self.latest_lastmod = max(url["lastmod"] for url in urls)
            index_path = optional_reverse("topic-index")
            if index_path and page_of_topics.number == 1:
                urls.insert(
                    0,
                    {
                        "item": None,
                        "location": absolute_url(site, index_path),
                        "lastmod": self.latest_lastmod,
                    },
                )
        return urls


SITEMAPS = {"pages": PageSitemap, "topics": TopicSitemap}


@finds_site
def sitemap(request):
    return wagtail_sitemap_view(request, sitemaps=SITEMAPS, template_name="fss_site/sitemap.xml")


@finds_site
def robots_txt(request):
    site = Site.find_for_request(request)
    path = reverse("sitemap")
    sitemap_url = absolute_url(site, path) if site else request.build_absolute_uri(path)
    lines = ["User-agent: *"]
    lines += [f"Disallow: {path}" for path in ROBOTS_DISALLOW]
    lines += ["", f"Sitemap: {sitemap_url}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
