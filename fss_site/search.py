"""Site search: /sok/?q= over posts, positions, people and events.

Uses Wagtail's database search backend (Swedish stemming on PostgreSQL). The query is
reduced to at most ``MAX_TERMS`` words before it reaches the backend, so operators,
quotes, control characters and very long input cannot break the database query. Nothing
is written to the database per search (no query statistics).
"""

import re
import unicodedata
from dataclasses import dataclass

from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import seo
from .listing import paginate, visible
from .text import collapse, excerpt, highlight, html_to_text, stream_text

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10
PER_GROUP = 5
PER_PAGE = 10
# Words, keeping reference numbers such as "S2020/09876" or "2023-01-15" whole.
_WORD = re.compile(r"\w+(?:[/.:-]\w+)*")


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    model_path: str

    def model(self):
        from django.apps import apps

        return apps.get_model(self.model_path)


GROUPS = [
    Group("inlagg", gettext_lazy("Inlägg"), "blog.BlogPage"),
    Group("standpunkter", gettext_lazy("Ståndpunkter"), "blog.PositionPage"),
    Group("personer", gettext_lazy("Personer"), "people.PersonPage"),
    Group("evenemang", gettext_lazy("Evenemang"), "events.EventPage"),
]
GROUPS_BY_KEY = {group.key: group for group in GROUPS}


def clean_query(raw: str) -> str:
    """The query as a visitor meant it: control and format characters become spaces."""
    return collapse(
        "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in raw or "")
    )


def query_terms(text: str) -> list[str]:
    return _WORD.findall(text)[:MAX_TERMS]


def _searchable_text(page) -> str:
    """The text an excerpt is cut from, by page type."""
    label = page._meta.label
    if label == "blog.BlogPage":
        return f"{page.excerpt} {stream_text(page.body)}"
    if label == "blog.PositionPage":
        parts = [page.statement, stream_text(page.body), page.referring_authority]
        parts.append(page.reference_number)
        return " ".join(p for p in parts if p)
    if label == "people.PersonPage":
        job = ", ".join(p for p in (page.job_title, page.employer) if p)
        return f"{job}. {html_to_text(page.bio)}" if page.bio else job
    if label == "events.EventPage":
        place = ", ".join(p for p in (page.venue, page.city) if p)
        return " ".join(p for p in (page.summary, stream_text(page.description), place) if p)
    return ""


def _result(request, page, terms):
    return {
        "page": page,
        "url": page.get_url(request=request),
        "title": highlight(page.title, terms),
        "excerpt": highlight(excerpt(_searchable_text(page), terms), terms),
    }


def _search(request, group, text):
    queryset = visible(group.model().objects.all(), request)
    return queryset.search(text, operator="and")


def search(request):
    raw = request.GET.get("q", "")
    query = clean_query(raw)
    error = ""
    status = 200
    if len(query) > MAX_QUERY_LENGTH:
        error = _("Sökfrågan är för lång. Skriv högst %(max)s tecken.") % {"max": MAX_QUERY_LENGTH}
        status = 400
        query = query[:MAX_QUERY_LENGTH]
    terms = query_terms(query) if not error else []
    if query and not terms and not error:
        error = _("Skriv minst ett ord med bokstäver eller siffror.")

    group_key = request.GET.get("typ", "")
    group = GROUPS_BY_KEY.get(group_key)
    if group_key and group is None:
        raise Http404(_("Okänd typ av sökträff"))

    groups = []
    page_of_results = None
    if terms:
        text = " ".join(terms)
        if group is not None:
            page_of_results = paginate(request, _search(request, group, text), PER_PAGE)
            groups.append(
                {
                    "group": group,
                    "results": [_result(request, p, terms) for p in page_of_results],
                    "count": page_of_results.paginator.count,
                    "more": False,
                }
            )
        else:
            for each in GROUPS:
                results = _search(request, each, text)
                # Always count, so every search costs the same number of queries.
                count = results.count()
                first = list(results[:PER_GROUP]) if count else []
                groups.append(
                    {
                        "group": each,
                        "results": [_result(request, p, terms) for p in first],
                        "count": count,
                        "more": count > PER_GROUP,
                    }
                )
    total = sum(g["count"] for g in groups)
    title = _("Sök") if not query else _("Sökresultat för ”%(query)s”") % {"query": query}
    context = {
        "query": query,
        "terms": terms,
        "error": error,
        "groups": groups,
        "group": group,
        "total": total,
        "page_of_results": page_of_results,
        "max_length": MAX_QUERY_LENGTH,
        "title": title,
        "seo": seo.seo_for_view(
            request,
            title=title,
            path=reverse("search"),
            description=_("Sök bland inlägg, ståndpunkter, personer och evenemang."),
            schema_type="SearchResultsPage",
            noindex=bool(query),
        ),
    }
    return TemplateResponse(request, "fss_site/search.html", context, status=status)
