"""Helpers shared by the machine-readable views: feeds, calendars, sitemap and robots.txt.

Absolute addresses are built from the Wagtail site's root URL (hostname, port and scheme
as configured under Inställningar → Webbplatser), the same base Wagtail uses for pages'
full URLs, so feeds, calendars and the sitemap agree with each other.
"""

import re

from django.conf import settings
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from wagtail.models import Site

from .text import html_to_text

# The domain part of identifiers that must never change (calendar UIDs, feed GUIDs),
# independent of where the site happens to be served from.
UID_DOMAIN = "socialchefer.se"

_PARAGRAPH = re.compile(
    r"<(p|li|h[1-6]|blockquote)\b[^>]*>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL
)


def site_for_request(request) -> Site:
    """The Wagtail site a request is for (the default site for unknown hosts), or 404."""
    site = Site.find_for_request(request)
    if site is None:
        raise Http404(_("Webbplatsen är inte konfigurerad."))
    return site


def site_name(site: Site) -> str:
    """The site's name as set in the admin, or the project's name."""
    return site.site_name or getattr(settings, "WAGTAIL_SITE_NAME", "") or site.hostname


def absolute_url(site: Site, path: str) -> str:
    """``path`` (starting with a slash) on ``site`` as an absolute URL."""
    return site.root_url.rstrip("/") + path


def optional_reverse(name: str, *args, **kwargs) -> str | None:
    """The path of a named URL, or None when no such URL is installed (yet)."""
    try:
        return reverse(name, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def topic_path(slug: str) -> str:
    """The path of a topic's page (``/amne/<slug>/``)."""
    return optional_reverse("topic-detail", slug=slug) or f"/amne/{slug}/"


def first_paragraph_text(stream_value, block_type: str = "paragraph") -> str:
    """The text of the first non-empty paragraph in a StreamField, without database access.

    Reads the stored (raw) block data, so blocks that refer to images or documents are
    never loaded. Inside a rich text block, the first paragraph (``<p>``) with text wins.
    """
    if stream_value is None:
        return ""
    for block in stream_value.raw_data:
        if block.get("type") != block_type:
            continue
        source = block.get("value") or ""
        if not isinstance(source, str):
            continue
        for match in _PARAGRAPH.finditer(source):
            text = html_to_text(match.group(2))
            if text:
                return text
        text = html_to_text(source)
        if text:
            return text
    return ""
