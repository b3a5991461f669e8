"""Site search: /sok/?q= over posts, positions, people and events.

Uses Wagtail's database search backend (Swedish stemming on PostgreSQL). The query is
reduced to at most ``MAX_TERMS`` words before it reaches the backend, so operators,
quotes, control characters and very long input cannot break the database query. Every
word must match; a number with hyphens (a date, a case number) is searched for as a
phrase, as the index holds it. Nothing is written to the database per search (no query
statistics).

The overview (all types at once) does a bounded amount of work per type on PostgreSQL,
however many pages match, so that a common word costs no more on a large site than on a
small one:

- the ``CANDIDATES`` newest matching pages are read (along an index, stopping there),
  each with the backend's own rank (its ranking expression), computed from the index
  entry that its match was checked on, as it is read;
- plus up to ``CANDIDATES`` (the most recently indexed) whose title holds every term, so
  that an older page about the subject is still found; each of these that is visible
  gets the backend's rank too (computed for these candidates only);
- the best ``PER_GROUP`` of each type are shown, in the backend's order;
- the count is exact up to ``CANDIDATES``; beyond, the page says "more than".

All of this is one statement, whose SQL is the same for every query: Django compiles it
once (per database, private sections and limits) and each search puts its own query's
parameters in. Then one query per type with results reads the pages shown.

One type at a time (``?typ=``) ranks every match, page by page, as the backend does. The
other backends (SQLite's, OpenSearch) rank and count everything for the overview too.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import BooleanField, F, IntegerField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.search.backends.database.postgres.postgres import PostgresSearchResults
from wagtail.search.models import IndexEntry
from wagtail.search.query import And, Phrase, PlainText

from . import compiled, seo
from .listing import finds_site, paginate, restricted_paths, visible
from .text import collapse, excerpt, highlight

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
    # (``search_text``, stored or worked out by each page type) and the line under the
    # title (fss_site/jinja2/fss_site/items/results.html).
    fields: tuple = ()

    def model(self):
        from django.apps import apps

        return apps.get_model(self.model_path)


GROUPS = [
    Group(
        "inlagg",
        gettext_lazy("Inlägg"),
        "blog.BlogPage",
        ("search_text", "date", "first_published_at", "seed_source"),
    ),
    Group(
        "standpunkter",
        gettext_lazy("Ståndpunkter"),
        "blog.PositionPage",
        ("search_text", "status"),
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
        ("search_text", "start", "end", "all_day"),
    ),
]
GROUPS_BY_KEY = {group.key: group for group in GROUPS}


def clean_query(raw: str) -> str:
    """The query as a visitor meant it: control and format characters become spaces."""
    return collapse(
        "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in raw or "")
    )


def query_too_long() -> str:
    """What a visitor (or a client of the API) is told of a query over the limit."""
    return _("Sökfrågan är för lång. Skriv högst %(max)s tecken.") % {"max": MAX_QUERY_LENGTH}


def query_terms(text: str) -> list[str]:
    return _WORD.findall(text)[:MAX_TERMS]


def _result(request, page, terms):
    return {
        "page": page,
        "url": page.get_url(request=request),
        "title": highlight(page.title, terms),
        "excerpt": highlight(excerpt(page.search_text, terms), terms),
    }


# A number with hyphens in it (a date such as 2022-11-21, a case number such as 2023-045):
# PostgreSQL reads it as "2022", "-11", "-21", while the backend's word search splits the
# query at the hyphens and looks for "11" and "21", which the index does not hold. As a
# phrase, the query is read as the text was.
_HYPHENATED_NUMBER = re.compile(r"\d+(?:-\d+)+")


def _words_and_phrases(text: str) -> tuple[list[str], list[str]]:
    """The query's terms: its words, and its hyphenated numbers (searched as phrases)."""
    words, phrases = [], []
    for term in text.split():
        (phrases if _HYPHENATED_NUMBER.fullmatch(term) else words).append(term)
    return words, phrases


def backend_query(text: str):
    """What the backend searches for: every word, and each hyphenated number as a
    phrase. Without such numbers, the words as they are."""
    words, phrases = _words_and_phrases(text)
    if not phrases:
        return text
    parts = [PlainText(" ".join(words), operator="and")] if words else []
    parts += [Phrase(phrase) for phrase in phrases]
    return parts[0] if len(parts) == 1 else And(parts)


def _search(request, group, text):
    # Only what a result shows: not the body, whose JSON a page of results would read
    # and decode for nothing.
    queryset = visible(group.model().objects.only("title", "url_path", *group.fields), request)
    return queryset.search(backend_query(text), operator="and")


def _overview_exact(results) -> dict:
    # Always count, so every search costs the same number of queries.
    count = results.count()
    return {"count": count, "pages": list(results[:PER_GROUP]) if count else [], "capped": False}


def _sql(queryset) -> tuple[str, list]:
    # Only SQL that Django compiled, with its parameters kept apart.
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def _build_tsquery(results):
    compiler = results.query_compiler
    return compiler.build_tsquery(compiler.query, config=compiler.get_config(results.backend))


def _tsquery(results):
    """The SQL and parameters of the backend's text-search query for ``results``."""
    query = IndexEntry.objects.all().query
    compiler = query.get_compiler(results.query_compiler.queryset.db)
    sql, params = compiler.compile(_build_tsquery(results).resolve_expression(query))
    return sql, list(params)


def _on_the_page_table(sql: str, model) -> str:
    """``sql`` (one type's window or rank) reading the page table alone, not also the
    type's own table, which it joins only to keep the pages of the type.

    The statement reads nothing from the type's own tables: the page's type is in the
    page table (``content_type_id``, which says the same), and the index entry joined to
    each page is of the type too. The four tables joined twice took some 0.5 ms of
    PostgreSQL's 1.3 ms to plan the statement on every search, and PostgreSQL chose
    plans as good without them once it had the content type to estimate by (same rows,
    execution 2.0 → 1.7 ms on the benchmark's large data set). SQL whose shape is not
    the one expected is kept as it is.
    """
    table = model._meta.db_table
    link = f'"{table}"."page_ptr_id"'
    page_id = '"wagtailcore_page"."id"'
    join = f'FROM "{table}" INNER JOIN "wagtailcore_page" ON ({link} = {page_id})'
    if sql.count(join) != 1 or sql.count("WHERE (") != 1:
        return sql
    types = ", ".join(str(int(pk)) for pk in _type_ids(model))
    rewritten = (
        sql.replace(join, 'FROM "wagtailcore_page"')
        .replace(link, page_id)
        .replace("WHERE (", f'WHERE ("wagtailcore_page"."content_type_id" IN ({types}) AND ')
    )
    return sql if f'"{table}"' in rewritten else rewritten


def _type_ids(model) -> list[int]:
    """The content types of the pages of ``model``: its own and its subclasses'."""
    from wagtail.models import get_page_models

    models = [each for each in get_page_models() if issubclass(each, model)]
    return sorted(ct.pk for ct in ContentType.objects.get_for_models(*models).values())


def _compile_candidates(request, text) -> tuple[str, list]:
    """One statement: every type's candidates (type, id, in the window?, the backend's
    rank), the rank computed for the candidates only."""
    windows, titled, ranks = [], [], []
    window_params, titled_params, rank_params = [], [], []
    # Newest first by the indexed column, so the database can stop after CANDIDATES.
    newest = (F("first_published_at").desc(), "-pk")
    for index, group in enumerate(GROUPS):
        results = _search(request, group, text)
        # The backend's queryset: matching pages, ordered by its ranking (rank, then pk).
        ranked = results.get_queryset()
        rank = ranked.query.order_by[0].expression
        # One more than CANDIDATES: the count, as far as it goes. The rank is computed
        # from the index entry that the match is checked on, as the window is read.
        window = (
            ranked.order_by(*newest)
            .annotate(search_rank=rank)
            .values_list("pk", "search_rank")[: CANDIDATES + 1]
        )
        sql, sql_params = _sql(window)
        sql = _on_the_page_table(sql, group.model())
        windows.append(f"SELECT %s, x.pk, 1, x.search_rank FROM ({sql}) x (pk, search_rank)")  # noqa: S608  # nosec B608
        window_params += [index, *sql_params]
        # The most recently indexed pages whose title matches, read from the index alone
        # (the title's own index); their rank below drops what is not visible.
        recent_titles = (
            IndexEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(group.model()),
                title=_build_tsquery(results),
            )
            .order_by("-pk")
            .values_list(Cast("object_id", IntegerField()))[:CANDIDATES]
        )
        sql, sql_params = _sql(recent_titles)
        titled.append(f"SELECT %s, x.*, 0 FROM ({sql}) x")  # noqa: S608  # nosec B608
        titled_params += [index, *sql_params]
        # The backend's rank (its ORDER BY) of one titled candidate, if it is visible.
        titled_rank = (
            visible(group.model().objects.all(), request)
            .filter(pk=RawSQL("c.pk", ()))
            .filter(RawSQL("c.t = %s", (index,), output_field=BooleanField()))
            .annotate(search_rank=rank)
            .values_list("search_rank")
            .order_by()
        )
        sql, sql_params = _sql(titled_rank)
        sql = _on_the_page_table(sql, group.model())
        ranks.append(f"({sql})")
        rank_params += sql_params
    statement = (
        f"{' UNION ALL '.join(windows)} UNION ALL "  # noqa: S608  # nosec B608
        f"SELECT c.*, r.* FROM ({' UNION ALL '.join(titled)}) c (t, pk, w), "
        f"LATERAL ({' UNION ALL '.join(ranks)}) r"
    )
    return statement, window_params + titled_params + rank_params


# The overview's statement is the same SQL for every query: only the text-search query's
# parameters differ. Compiled once per everything else it depends on (the database, the
# private sections, the limits), with a stand-in word, and reused with the visitor's query
# put in place of the stand-in's parameters.
_STAND_IN = "fsssokord"
_statements: dict = {}
_MAX_STATEMENTS = 64


def _stand_in(text: str) -> str:
    """A stand-in query of the same shape as ``text``: the stand-in word for its words,
    and a stand-in number of its own for each hyphenated number."""
    words, phrases = _words_and_phrases(text)
    stand_in = [_STAND_IN] if words else []
    return " ".join(stand_in + [f"1901-{number}" for number in range(1, len(phrases) + 1)])


def _candidates_statement(request, text, results) -> tuple[str, list]:
    tsquery_sql, tsquery_params = _tsquery(results)
    key = (
        results.query_compiler.queryset.db,
        restricted_paths(request),
        CANDIDATES,
        tsquery_sql,
        len(tsquery_params),
        tuple(ContentType.objects.get_for_model(group.model()).pk for group in GROUPS),
    )
    compiled = _statements.get(key)
    if compiled is None:
        stand_in = _stand_in(text)
        stand_in_params = _tsquery(_search(request, GROUPS[0], stand_in))[1]
        compiled = (*_compile_candidates(request, stand_in), stand_in_params)
        if len(_statements) >= _MAX_STATEMENTS:
            _statements.clear()
        _statements[key] = compiled
    sql, params, stand_in_params = compiled
    if len(stand_in_params) != len(tsquery_params):
        return _compile_candidates(request, text)
    pairs = zip(stand_in_params, tsquery_params, strict=True)
    replace = {old: new for old, new in pairs if old != new}
    if not all(isinstance(old, str) and old in params for old in replace):
        # Not a query whose parameters can be told apart: compiled as it is.
        return _compile_candidates(request, text)
    return sql, [replace.get(p, p) if isinstance(p, str) else p for p in params]


def _shown_pages(request, group, pks: list[int]) -> list:
    """The pages an overview shows of one type: the same query on every search but for
    the ids, so compiled once per process."""
    model = group.model()

    def build(ids):
        return (
            visible(model.objects.all(), request)
            .filter(pk__in=ids)
            .only("title", "url_path", *group.fields)
        )

    return compiled.run(("search-shown", group.key, restricted_paths(request)), model, build, pks)


def _overview_bounded(request, text, results) -> list[dict]:
    """The overview on PostgreSQL: one statement for every type's ranked candidates and
    capped count, then one query per type that has matches for the pages shown."""
    sql, params = _candidates_statement(request, text, results)
    with connections[results.query_compiler.queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    ranks = {index: {} for index in range(len(GROUPS))}
    counts = dict.fromkeys(range(len(GROUPS)), 0)
    for index, pk, in_window, rank in rows:
        ranks[index][pk] = rank or 0.0
        counts[index] += in_window
    overview = []
    for index, group in enumerate(GROUPS):
        pages = []
        if ranks[index]:
            # The backend's order: rank, then the newest id first.
            ranked = sorted(ranks[index].items(), key=lambda item: (-item[1], -item[0]))
            best = [pk for pk, _rank in ranked[:PER_GROUP]]
            found = {page.pk: page for page in _shown_pages(request, group, best)}
            pages = [found[pk] for pk in best if pk in found]
        capped = counts[index] > CANDIDATES
        overview.append({"count": min(counts[index], CANDIDATES), "pages": pages, "capped": capped})
    return overview


def common_words_only(request, text: str) -> bool:
    """Whether the database's text search leaves out every word of ``text``.

    PostgreSQL's Swedish configuration drops its stop words ("och", "det", "är") from the
    query and from the index alike, so a search for them alone finds nothing however much
    the site holds. The visitor is told so rather than only "0 träffar" and to check the
    spelling. Asked only when a search found nothing; the other backends keep such words.
    """
    results = _search(request, GROUPS[0], text)
    if not isinstance(results, PostgresSearchResults):
        return False
    config = results.query_compiler.get_config(results.backend)
    with connections[results.query_compiler.queryset.db].cursor() as cursor:
        cursor.execute(
            "SELECT bool_and(length(to_tsvector(%s::regconfig, word)) = 0) "
            "FROM unnest(%s::text[]) word",
            [config, text.split()],
        )
        (dropped,) = cursor.fetchone()
    return bool(dropped)


@finds_site
def search(request):
    raw = request.GET.get("q", "")
    query = clean_query(raw)
    error = ""
    status = 200
    if len(query) > MAX_QUERY_LENGTH:
        error = query_too_long()
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
            first = _search(request, GROUPS[0], text)
            if isinstance(first, PostgresSearchResults):
                overview = _overview_bounded(request, text, first)
            else:
                overview = [_overview_exact(_search(request, each, text)) for each in GROUPS]
            for each, found in zip(GROUPS, overview, strict=True):
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
    common_words = bool(terms) and not total and common_words_only(request, " ".join(terms))
    title = _("Sök") if not query else _("Sökresultat för ”%(query)s”") % {"query": query}
    context = {
        "query": query,
        "terms": terms,
        "error": error,
        "groups": groups,
        "group": group,
        "total": total,
        "capped": capped,
        "common_words": common_words,
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
