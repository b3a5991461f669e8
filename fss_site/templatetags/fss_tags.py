"""Template tags of the public site: SEO head, Swedish dates, optional links, highlighting."""

import datetime
import functools
from typing import NamedTuple

from django import template
from django.template import engines
from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from fss_site import seo as seo_module
from fss_site.listing import section_url as _section_url
from fss_site.machine import optional_reverse
from fss_site.text import highlight as highlight_text

register = template.Library()


@register.simple_tag
def optional_url(name, *args, **kwargs):
    """The URL, or "" while the named URL does not exist (yet)."""
    url = optional_reverse(name, **kwargs) if kwargs else optional_reverse(name, *args)
    return url or ""


@register.simple_tag(takes_context=True)
def section_url(context, role):
    """The URL of a section page (blog, positions, people, events, contact), or ""."""
    request = context.get("request")
    return _section_url(request, role) if request is not None else ""


@register.inclusion_tag("fss_site/includes/seo_head.html", takes_context=True)
def seo_head(context, title=""):
    """Title, description, canonical, OpenGraph and JSON-LD for the current page or view.

    Pages and views put a ``seo`` object in the context; other pages get a plain
    ``WebPage``; error pages pass their ``title`` and are not indexed.
    """
    data = context.get("seo")
    request = context.get("request")
    if data is None:
        page = context.get("page")
        if page is not None and getattr(page, "pk", None) and not title:
            data = seo_module.seo_for_page(request, page)
        else:
            title = title or context.get("title") or ""
            data = seo_module.seo_for_view(
                request, title=str(title), path="", schema_type="WebPage", noindex=True
            )
    return {"seo": data, "request": request}


class _Words(NamedTuple):
    months: dict
    weekdays: dict
    clock: str


@functools.cache
def _words(language: str) -> _Words:
    """Month and weekday names and "kl." in the language, translated once per process: a
    listing of sixty events would translate them some two hundred times a view."""
    return _Words(
        months={number: str(name) for number, name in MONTHS.items()},
        weekdays={number: str(name) for number, name in WEEKDAYS.items()},
        clock=_("kl."),
    )


def _names() -> _Words:
    return _words(get_language())


def _local_day(value) -> datetime.date:
    """The day of a date or datetime, an aware datetime in the site's time zone."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value, timezone.get_default_timezone())
        return value.date()
    return value


@register.filter
def iso_date(value) -> str:
    """The day of a date or datetime (in the site's time zone) as YYYY-MM-DD, for a
    ``<time datetime>``: what ``|date:"Y-m-d"`` gives, without Django's date formatter
    (some 12 µs a call; a listing has a date on every card)."""
    return _local_day(value).isoformat() if value else ""


@register.filter
def swedish_date(value):
    """A date as Swedes write it: "24 oktober 2022"."""
    if not value:
        return ""
    value = _local_day(value)
    return f"{value.day} {_names().months[value.month]} {value.year}"


@register.filter
def swedish_day(value):
    """A day with its weekday: "tisdag 1 juli 2025"."""
    if not value:
        return ""
    words = _names()
    return f"{words.weekdays[value.weekday()]} {value.day} {words.months[value.month]} {value.year}"


def _time(value) -> str:
    return f"{value.hour:02d}.{value.minute:02d}"


def event_when_text(event) -> str:
    """When the event takes place, in Swedish and Stockholm time.

    All-day events show dates only; timed events show "kl. 13.00–15.00".
    """
    start = event.local_start
    end = event.local_end
    if event.all_day:
        first = start.date()
        last = end.date() if end else first
        if last == first:
            return swedish_date(first)
        if (first.year, first.month) == (last.year, last.month):
            return f"{first.day}–{swedish_date(last)}"
        if first.year == last.year:
            return f"{first.day} {_names().months[first.month]} – {swedish_date(last)}"
        return f"{swedish_date(first)} – {swedish_date(last)}"
    clock = _names().clock
    if end is None:
        return f"{swedish_date(start)} {clock} {_time(start)}"
    if end.date() == start.date():
        if end == start:
            return f"{swedish_date(start)} {clock} {_time(start)}"
        return f"{swedish_date(start)} {clock} {_time(start)}–{_time(end)}"
    return (
        f"{swedish_date(start)} {clock} {_time(start)} – {swedish_date(end)} {clock} {_time(end)}"
    )


@register.filter
def event_when(event):
    return event_when_text(event)


@register.filter
def event_datetime(event):
    """The machine-readable start for <time datetime>: a date for all-day events."""
    if event.all_day:
        return event.local_start.date().isoformat()
    return event.local_start.isoformat()


@register.filter
def highlight(text, terms):
    """Escape the text and mark the search terms in it."""
    return highlight_text(text, terms or [])


@register.filter
def event_place(event):
    """Venue, address and city on one line; "Digitalt" for online events."""
    parts = [p for p in (event.venue, event.address, event.city) if p]
    if event.online:
        parts.append(_("digitalt"))
    return ", ".join(parts)


def _jinja(template_name: str, context, **variables) -> SafeString:
    """A Jinja2 template of ``fss_site.jinja`` rendered with the request of ``context``."""
    template = engines["jinja2"].env.get_template(template_name)
    html = template.render(request=context.get("request"), **variables)
    # Jinja2 escapes every value it prints (autoescape): the result is markup.
    return mark_safe(html)  # noqa: S308  # nosec B308 B703


@register.simple_tag(takes_context=True)
def items(context, template_name, objects, level=2, **options):
    """The ``<li>`` items of a listing, from a Jinja2 template (see ``fss_site.jinja``):
    ``{% items "fss_site/items/posts.html" posts level=3 %}``. The template loops over
    ``items``; ``level`` is the heading level of each item, other options pass on."""
    return _jinja(template_name, context, items=objects, level=level, **options)


@register.simple_tag(takes_context=True)
def byline(context, authors):
    """ "Av A, B och C": the authors of a post with links to their pages."""
    return _jinja("fss_site/items/byline.html", context, authors=authors)


@register.simple_tag
def sitemap_entries(urlset):
    """The <url> entries of a sitemap, as Django's sitemap template writes them (the day
    of lastmod in the site's time zone), built in Python: a large site has tens of
    thousands of entries, and a template loop over them took seconds."""
    parts = []
    for url in urlset:
        parts.append(format_html("<url><loc>{}</loc>", url["location"]))
        if url.get("lastmod"):
            parts.append(format_html("<lastmod>{}</lastmod>", iso_date(url["lastmod"])))
        if url.get("changefreq"):
            parts.append(format_html("<changefreq>{}</changefreq>", url["changefreq"]))
        if url.get("priority"):
            parts.append(format_html("<priority>{}</priority>", url["priority"]))
        for alternate in url.get("alternates") or ():
            parts.append(
                format_html(
                    '<xhtml:link rel="alternate" hreflang="{}" href="{}"/>',
                    alternate["lang_code"],
                    alternate["location"],
                )
            )
        parts.append(SafeString("</url>"))
    # Every part is format_html's output: escaped values in fixed markup.
    return SafeString("".join(parts))
