"""Site search: /sok/?q= over posts, positions, people and events.

Uses Wagtail's database search backend (Swedish stemming on PostgreSQL). The query is
reduced to at most ``MAX_TERMS`` words before it reaches the backend, so operators,
quotes, control characters and very long input cannot break the database query. Nothing
is written to the database per search (no query statistics).

The overview (all types at once) does a bounded amount of work per type on PostgreSQL,
however many pages match, so that a common word costs no more on a large site than on a
small one:

- the ``CANDIDATES`` newest matching pages are read (along an index, stopping there),
  plus up to ``CANDIDATES`` (the most recently indexed) whose title holds every term, so
  that an older page about the subject is still found;
- the best ``PER_GROUP`` of these candidates are ranked with the backend's own ranking;
  only the candidates' index entries are read;
- the count is exact up to ``CANDIDATES``; beyond, the page says "more than".

One type at a time (``?typ=``) ranks every match, page by page, as the backend does. The
other backends (SQLite's, OpenSearch) rank and count everything for the overview too.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import F, IntegerField
from django.db.models.functions import Cast
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.search.backends.database.postgres.postgres import PostgresSearchResults
from wagtail.search.models import IndexEntry

from . import seo
from .listing import finds_site, paginate, visible
from .text import collapse, excerpt, highlight, html_to_text, stream_text

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10
PER_GROUP = 5
PER_PAGE = 10
CANDIDATES = 25
# Words, keeping reference numbers such as "S2020/09876" or "2023-01-15" whole.
_WORD = re.compile(r"\w+(?:[/.:-]\w+)*")


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    model_path: str
    # What a result shows besides its title and link: the text its excerpt is cut from
    # (_searchable_text) and the line under the title (fss_site/search.html).
    fields: tuple = ()

    def model(self):
        from django.apps import apps

        return apps.get_model(self.model_path)


GROUPS = [
    Group(
        "inlagg",
        gettext_lazy("Inlägg"),
        "blog.BlogPage",
        ("excerpt", "body", "date", "first_published_at"),
    ),
    Group(
        "standpunkter",
        gettext_lazy("Ståndpunkter"),
        "blog.PositionPage",
        ("statement", "body", "referring_authority", "reference_number", "status"),
    ),
    Group(
        "personer",
        gettext_lazy("Personer"),
        "people.PersonPage",
        ("job_title", "employer", "bio"),
    ),
    Group(
        "evenemang",
        gettext_lazy("Evenemang"),
        "events.EventPage",
        ("summary", "description", "venue", "city", "start", "end", "all_day"),
    ),
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


def _overview_exact(results) -> dict:
    # Always count, so every search costs the same number of queries.
    count = results.count()
    return {"count": count, "pages": list(results[:PER_GROUP]) if count else [], "capped": False}


def _add_statement(statements, params, index, columns, queryset):
    # Only SQL that Django compiled, with its parameters kept apart, and fixed column lists.
    sql, sql_params = queryset.query.sql_with_params()
    statements.append(f"SELECT %s, {columns} FROM ({sql}) x")  # noqa: S608  # nosec B608
    params.extend([index, *sql_params])


def _overview_bounded(request, searches) -> list[dict]:
    """The overview on PostgreSQL: one statement for every type's candidates and capped
    count, then one ranking query per type that has matches."""
    statements, params = [], []
    # The backend's queryset per type: matching pages, ordered by its ranking.
    ranked = [results.get_queryset() for _group, results in searches]
    # Newest first by the indexed column, so the database can stop after CANDIDATES.
    newest = (F("first_published_at").desc(), "-pk")
    for index, (group, results) in enumerate(searches):
        compiler = results.query_compiler
        config = compiler.get_config(results.backend)
        # One more than CANDIDATES: the count, as far as it goes.
        window = ranked[index].order_by(*newest).values_list("pk", flat=True)[: CANDIDATES + 1]
        # Read from the index alone (the final ranking drops what is not visible).
        titled = (
            IndexEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(group.model()),
                title=compiler.build_tsquery(compiler.query, config=config),
            )
            .order_by("-pk")
            .values_list(Cast("object_id", IntegerField()), flat=True)[:CANDIDATES]
        )
        _add_statement(statements, params, index, "x.*, 1", window)
        _add_statement(statements, params, index, "x.*, 0", titled)
    database = ranked[0].db
    with connections[database].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(statements), params)
        rows = cursor.fetchall()
    candidates = {index: set() for index in range(len(searches))}
    counts = dict.fromkeys(range(len(searches)), 0)
    for index, pk, in_window in rows:
        candidates[index].add(pk)
        counts[index] += in_window
    overview = []
    for index, (group, _results) in enumerate(searches):
        pages = []
        if candidates[index]:
            # The backend's ranking (its ORDER BY), over the candidates only: they are known
            # to match, so the match itself is not evaluated again.
            ranking = ranked[index].query.order_by
            candidate_pages = (
                visible(group.model().objects.all(), request)
                .filter(pk__in=candidates[index])
                .only("title", "url_path", *group.fields)
            )
            pages = list(candidate_pages.order_by(*ranking)[:PER_GROUP])
        capped = counts[index] > CANDIDATES
        overview.append({"count": min(counts[index], CANDIDATES), "pages": pages, "capped": capped})
    return overview


@finds_site
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
            searches = [(each, _search(request, each, text)) for each in GROUPS]
            if isinstance(searches[0][1], PostgresSearchResults):
                overview = _overview_bounded(request, searches)
            else:
                overview = [_overview_exact(results) for _each, results in searches]
            for (each, _results), found in zip(searches, overview, strict=True):
                groups.append(
                    {
                        "group": each,
                        "results": [_result(request, p, terms) for p in found["pages"]],
                        "count": found["count"],
                        "capped": found["capped"],
                        "more": found["capped"] or found["count"] > PER_GROUP,
                    }
                )
    total = sum(g["count"] for g in groups)
    capped = any(g.get("capped") for g in groups)
    title = _("Sök") if not query else _("Sökresultat för ”%(query)s”") % {"query": query}
    context = {
        "query": query,
        "terms": terms,
        "error": error,
        "groups": groups,
        "group": group,
        "total": total,
        "capped": capped,
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
