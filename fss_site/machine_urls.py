"""URL patterns of the public site for machines: feeds, calendars, sitemap, robots.txt, API.

Included at the site root before Wagtail's page serving. Namespaces: ``feeds`` (RSS and
Atom) and ``events`` (iCalendar); ``sitemap``, ``robots-txt`` and the API
(``wagtailapi:…``) are named at the top level.
"""

from django.urls import include, path, register_converter

from events import ical
from fss_site import feeds
from fss_site.api import api_router
from fss_site.ids import IdConverter
from fss_site.sitemaps import robots_txt, sitemap

register_converter(IdConverter, "id")

feed_patterns = [
    path("rss/", feeds.AllPostsFeed(), name="all-rss"),
    path("atom/", feeds.AllPostsAtomFeed(), name="all-atom"),
    path("kategori/<slug:slug>/", feeds.CategoryFeed(), name="category"),
    path("amne/<slug:slug>/", feeds.TopicFeed(), name="topic"),
    path("skribent/<id:person_id>/", feeds.AuthorFeed(), name="author"),
]

calendar_patterns = [
    path("alla.ics", ical.all_events_ics, name="ical-feed"),
    path("<id:page_id>.ics", ical.event_ics, name="ical-event"),
    path("amne/<slug:slug>.ics", ical.topic_events_ics, name="ical-topic"),
]

urlpatterns = [
    path("flode/", include((feed_patterns, "feeds"))),
    path("kalendarium/ical/", include((calendar_patterns, "events"))),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", robots_txt, name="robots-txt"),
    path("api/v2/", api_router.urls),
]
