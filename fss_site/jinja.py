"""The Jinja2 environment of the list items that every listing repeats.

A listing shows up to 50 posts, events, positions or people. In Django's template
language each item took about a millisecond to render, most of a listing's time; the
same markup compiled by Jinja2 takes a fraction of that. So the items (and the byline,
which posts show in lists and on their own page) are Jinja2 templates under
``<app>/jinja2/``, rendered from the Django templates by the ``{% items %}`` and
``{% byline %}`` tags (``fss_tags``). So are the sections of search results, one per
type of page, each with its results and its link to all of them. The pages around them
stay Django templates.

The environment has Django's translations (the ``{% trans %}`` tag and ``_()``),
Wagtail's ``pageurl()`` and ``image()``, Django's ``querystring()``, and the site's own
filters for Swedish dates and events. Autoescaping is on, as in Django.
"""

from types import SimpleNamespace

from django.template import defaultfilters, defaulttags
from django.utils import translation
from jinja2 import Environment, pass_context

from fss_site.templatetags import fss_tags


def _querystring(context, **changes) -> str:
    """Django's ``{% querystring %}``: the request's query string with ``changes``
    (``None`` removes a key)."""
    return defaulttags.querystring(SimpleNamespace(request=context["request"]), **changes)


def environment(**options) -> Environment:
    options.pop("autoescape", None)  # always on
    extensions = list(options.pop("extensions", ()))
    extensions += ["jinja2.ext.i18n", "wagtail.jinja2tags.core", "wagtail.images.jinja2tags.images"]
    env = Environment(autoescape=True, extensions=extensions, **options)
    env.install_gettext_callables(translation.gettext, translation.ngettext, newstyle=True)
    env.filters.update(
        {
            "swedish_date": fss_tags.swedish_date,
            "swedish_day": fss_tags.swedish_day,
            "event_when": fss_tags.event_when,
            "event_datetime": fss_tags.event_datetime,
            "event_place": fss_tags.event_place,
            "truncatewords": defaultfilters.truncatewords,
            "capfirst": defaultfilters.capfirst,
            "iso_date": fss_tags.iso_date,
        }
    )
    # The Django tag's function: it reads the request from the context, as Jinja2's has it.
    env.globals["section_url"] = pass_context(fss_tags.section_url)
    env.globals["querystring"] = pass_context(_querystring)
    return env
