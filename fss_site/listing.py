"""Shared helpers for the public listings: visible pages, pagination, section pages.

Everything here keeps a page's database queries fixed: results are cached on the request
so that the menu, the page and its links share one lookup, and what changes only when
content changes (the private sections, the pages under the home page, aggregates behind
the listings) is kept until the next change (:func:`per_generation`).
"""

import functools
import itertools
import re
import threading
from urllib.parse import quote

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import DisallowedHost
from django.core.paginator import EmptyPage, Paginator
from django.db.models import DEFERRED, Model, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import Http404
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import RFC3986_SUBDELIMS
from wagtail.models import Page, PageViewRestriction, Site

from .cache import cached_per_generation
from .machine import optional_reverse

# Apps whose rows the values kept per generation are made of; a save or delete of one of
# their rows, a page, a site or a view restriction in this process changes the epoch.
CONTENT_APPS = frozenset({"fss_site", "blog", "people", "events", "contact", "taggit"})
_epoch = itertools.count(1)
_epoch_lock = threading.Lock()
_current_epoch = 0


def content_changed():
    """From now on this process reads the values kept per generation afresh."""
    global _current_epoch
    with _epoch_lock:
        _current_epoch = next(_epoch)


def _content_changed(sender, **kwargs):
    if kwargs.get("created") and sender._meta.label == "fss_site.SiteSettings":
        return  # made with its defaults on first use: nothing kept shows it yet
    if sender._meta.app_label in CONTENT_APPS or issubclass(
        sender, Page | Site | PageViewRestriction
    ):
        content_changed()


for _signal in (post_save, post_delete, m2m_changed):
    _signal.connect(_content_changed, dispatch_uid=f"fss-listing-epoch-{id(_signal)}")


def per_generation(name: str, factory):
    """``factory()``, kept until the next content change (``cached_per_generation``).

    The cache's generation changes when a change commits, on every server. The name also
    carries this process's count of saves and deletes, so a change made here is seen at
    once, even before it commits (in a transaction that never commits, as in tests).
    """
    return cached_per_generation(f"{name}:{_current_epoch}", factory)


# Roles of the section pages directly under the home page, by model label.
SECTION_MODELS = {
    "blog": ("blog", "blogindexpage"),
    "positions": ("blog", "positionindexpage"),
    "people": ("people", "peopleindexpage"),
    "events": ("events", "eventindexpage"),
    "contact": ("contact", "contactpage"),
}


def restricted_paths(request=None) -> tuple[str, ...]:
    """Tree paths of the pages with a view restriction (password, login ...)."""
    cached = getattr(request, "_fss_restricted_paths", None) if request is not None else None
    if cached is not None:
        return cached
    paths = per_generation(
        "restricted-paths",
        lambda: tuple(
            sorted(PageViewRestriction.objects.values_list("page__path", flat=True).distinct())
        ),
    )
    if request is not None:
        request._fss_restricted_paths = paths
    return paths


def private_q(request) -> Q:
    """Pages in sections with a view restriction (password, login ...), once per request."""
    cached = getattr(request, "_fss_private_q", None) if request is not None else None
    if cached is not None:
        return cached
    q = Q()
    for path in restricted_paths(request):
        q |= Q(path__startswith=path)
    q = q if q else Q(pk__in=[])
    if request is not None:
        request._fss_private_q = q
    return q


class CachedRestrictionsMixin:
    """Pages that answer "which view restrictions apply?" without a query when none do.

    Wagtail asks before serving every page (two queries: the ancestors, then their
    restrictions). The paths of all restricted pages are kept per generation; a page
    below none of them, and not an alias, has no restrictions. Otherwise Wagtail's answer.
    """

    def get_view_restrictions(self):
        if self.alias_of_id is None and not any(
            self.path.startswith(path) for path in restricted_paths()
        ):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


# Wagtail's page view (wagtail.urls): the path below the site's home page, slug by slug.
_SERVE_PATH = re.compile(r"(?:[\w\-]+/)*")
_URL_SAFE = RFC3986_SUBDELIMS + "/~:@"  # what reverse() leaves unquoted
_serve_prefixes: dict = {}


def _serve_prefix():
    """``reverse("wagtail_serve", args=("",))`` for the current script prefix and URLconf."""
    key = (get_script_prefix(), get_urlconf())
    prefix = _serve_prefixes.get(key)
    if prefix is None:
        prefix = _serve_prefixes[key] = reverse("wagtail_serve", args=("",))
    return prefix


def page_url_parts(url_path: str, site_root_paths, request=None):
    """``(site_id, root_url, page_path)`` of the page at ``url_path``, as Wagtail's
    ``Page.get_url_parts`` gives them, built without ``reverse()``; ``None`` where Wagtail
    must answer (several sites or languages for the page, a path its view does not match,
    no trailing slash).

    The page view's own URL is reversed once per script prefix and URLconf (and kept on
    the request), and the page's path below its site's home page, quoted as ``reverse()``
    quotes it, is appended.
    """
    sites = [srp for srp in site_root_paths if url_path.startswith(srp.root_path)]
    if (
        len(sites) != 1
        or getattr(settings, "WAGTAIL_I18N_ENABLED", False)
        or not getattr(settings, "WAGTAIL_APPEND_SLASH", True)
    ):
        return None
    site_id, root_path, root_url, _language = sites[0]
    relative = url_path[len(root_path) :]
    if not _SERVE_PATH.fullmatch(relative):
        return None
    prefix = getattr(request, "_fss_serve_prefix", None)
    if prefix is None:
        try:
            prefix = _serve_prefix()
        except NoReverseMatch:
            return None
        if request is not None:
            request._fss_serve_prefix = prefix
    return site_id, root_url, prefix + quote(relative, safe=_URL_SAFE)


class LoadedPageMixin:
    """Pages read from the database are built by Django's model constructor alone.

    Between a page class and ``Model`` stand Wagtail's page and menu constructors, which act
    only on a new page (no id), and modelcluster's, which acts only on child relations
    passed by name, but scans every field of the model to find that out: about a third of
    what a page costs to load, and a listing loads up to eighty. A row from the database
    comes positionally, its primary key among the values: for it, those constructors do
    nothing. ``tests/test_page_types.py`` pins the constructors this holds for.
    """

    def __init__(self, *args, **kwargs):
        position = _pk_position(type(self))
        pk = args[position] if len(args) > position else None
        if kwargs or not pk or pk is DEFERRED:
            super().__init__(*args, **kwargs)
        else:
            Model.__init__(self, *args)


@functools.cache
def _pk_position(model) -> int:
    """Where a page model's primary key is among its concrete fields (a row's values)."""
    return model._meta.concrete_fields.index(model._meta.pk)


class PageUrlMixin:
    """Pages whose URL is built without a ``reverse()`` per link (:func:`page_url_parts`).

    Wagtail reverses its page view for every page URL; a listing of fifty events did so
    fifty times.
    """

    def get_url_parts(self, request=None):
        parts = page_url_parts(self.url_path, self._get_site_root_paths(request), request)
        return parts if parts is not None else super().get_url_parts(request=request)


def shows_stored(page, request) -> bool:
    """Whether the page shown is the stored one: not a preview (whose lists, such as a
    post's authors, are the editor's form's and live on the page) and not unsaved. Only
    then may the page's own lists be read from the database by id."""
    return bool(page.pk) and not getattr(request, "is_preview", False)


def page_day(date, first_published_at):
    """The day a dated page (a post, a position) is shown and sorted by: its own ``date``,
    else the Stockholm day of its first publication (None when it has neither)."""
    if date:
        return date
    if first_published_at is None:
        return None
    return timezone.localtime(first_published_at, timezone.get_default_timezone()).date()


def visible(queryset, request):
    """Live pages that anybody may see (no private sections)."""
    live = queryset.live()
    if not restricted_paths(request):
        return live  # no private sections: nothing to exclude (the usual case)
    return live.exclude(private_q(request))


def _children_of(root: Page) -> list[Page]:
    """The live children, each as its own type (one query per type, once per generation)."""
    return list(
        Page.objects.filter(depth=root.depth + 1, path__startswith=root.path)
        .live()
        .order_by("path")
        .specific()
    )


def _site_for(request):
    site = Site._find_for_request(request)
    if site is not None:
        site.root_page.specific  # noqa: B018 - fetched now, kept with the site
    return site


def find_site(request):
    """``Site.find_for_request``, with the site and its home page (as its own type), and
    the root paths of all sites, kept per generation.

    Wagtail looks the site up with a query on every request, and fetches the home page
    again as its own type to route from it; both change only with content (a site or a
    page saved bumps the generation). Wagtail reads the site from
    ``request._wagtail_site`` once it is set, so it uses this answer too. Only hosts that
    pass ``ALLOWED_HOSTS`` are kept; for any other Wagtail looks it up.
    """
    if hasattr(request, "_wagtail_site"):
        return request._wagtail_site
    try:
        host = request.get_host()
    except DisallowedHost:
        return Site.find_for_request(request)
    port = request.get_port()
    request._wagtail_site = per_generation(f"site:{host}:{port}", lambda: _site_for(request))
    site_root_paths(request)
    return request._wagtail_site


def site_root_paths(request):
    """The root paths of all sites, kept per generation and on the request.

    Every page URL needs them: Wagtail reads them from the cache (a Redis round trip per
    request) unless the request has them already, where this puts them.
    """
    if not hasattr(request, "_wagtail_cached_site_root_paths"):
        request._wagtail_cached_site_root_paths = per_generation(
            "site-root-paths", Site.get_site_root_paths
        )
    return request._wagtail_cached_site_root_paths


def finds_site(view):
    """Marks a public view whose requests find their site with :func:`find_site`, as
    Wagtail's page view does (:class:`SiteMiddleware`)."""
    view.finds_site = True
    return view


class SiteMiddleware:
    """Pages served by Wagtail, and the public views marked with :func:`finds_site`
    (search, topics, feeds, calendars, the sitemap and robots.txt), find their site with
    :func:`find_site`.

    Only those: the health probes and the API keep Wagtail's own lookup (the probes must
    not touch the database or the cache).
    """

    def __init__(self, get_response):
        from wagtail.views import serve

        self.get_response = get_response
        self.serve = serve

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_func is self.serve or getattr(view_func, "finds_site", False):
            find_site(request)


def site_children(request) -> list[Page]:
    """The live pages directly under the site's home page, once per request.

    Kept per generation (the menu and every section link use them).
    """
    cached = getattr(request, "_fss_site_children", None)
    if cached is not None:
        return cached
    site = find_site(request)
    children = []
    if site is not None:
        root = site.root_page
        children = per_generation(f"site-children:{root.pk}", lambda: _children_of(root))
    request._fss_site_children = children
    return children


class SectionRoutingMixin:
    """The home page: its live children come from :func:`site_children` when routing.

    Wagtail looks the child up by slug and then fetches it again as its own type (two
    queries per level); here the child is known, one query fetches it as its own type.
    Anything else (a page that is not live, an unknown slug) is routed by Wagtail.
    """

    def route(self, request, path_components):
        if path_components and request is not None:
            slug = path_components[0]
            for child in site_children(request):
                if (
                    child.slug == slug
                    and child.depth == self.depth + 1
                    and child.path.startswith(self.path)
                ):
                    subpage = child.specific
                    subpage._cached_parent_obj = self
                    return subpage.route(request, path_components[1:])
        return super().route(request, path_components)


class ChildRoutingMixin:
    """Index pages with one type of child: the child is fetched as its own type at once.

    ``child_page_model`` ("app.Model") names the type; a slug not found among those
    children is routed by Wagtail (one query more, only for pages that are not there).
    """

    child_page_model = ""

    def route(self, request, path_components):
        if path_components and self.child_page_model:
            from django.apps import apps

            from . import compiled

            model = apps.get_model(self.child_page_model)
            # The same SQL for every child but for the slug: compiled once per process.
            found = compiled.run(
                ("child-by-slug", self.path, self.depth),
                model,
                lambda slug: model.objects.child_of(self).filter(slug=slug).order_by("pk")[:1],
                path_components[0],
            )
            child = found[0] if found else None
            if child is not None:
                child._cached_parent_obj = self
                return child.route(request, path_components[1:])
        return super().route(request, path_components)


class CountedPaginator(Paginator):
    """A paginator whose total is known (kept per generation) instead of counted.

    The first ``COMPILED_PAGES`` pages, the ones read most, are read by SQL compiled once
    per process (``compiled.py``); the count key names what the queryset selects, so it
    is their key, with the private sections. The SQL keeps the values it was compiled
    with, so the key names rows by what stays theirs (an id, a page's path), not by what
    another row may take over (a slug).
    """

    COMPILED_PAGES = 5

    def __init__(self, object_list, per_page, *, count_key: str, private: tuple = ()):
        super().__init__(object_list, per_page)
        self._count_key = count_key
        self._private = private

    @cached_property
    def count(self):
        object_list = self.object_list
        return per_generation(self._count_key, lambda: object_list.count())

    def page(self, number):
        from django.db.models import QuerySet

        from . import compiled

        page = super().page(number)
        rows = page.object_list
        if page.number <= self.COMPILED_PAGES and isinstance(rows, QuerySet):
            # The slice is in the SQL as it is (LIMIT, OFFSET): part of the key.
            key = (
                "page",
                self._count_key,
                self._private,
                rows.query.low_mark,
                rows.query.high_mark,
            )
            page.object_list = compiled.run(key, rows.model, lambda: rows)
        return page


def section_pages(request) -> dict[str, Page]:
    """The section pages (blog, positions, people, events, contact) by role."""
    wanted = {
        ContentType.objects.get_by_natural_key(app, model).pk: role
        for role, (app, model) in SECTION_MODELS.items()
    }
    sections: dict[str, Page] = {}
    for page in site_children(request):
        role = wanted.get(page.content_type_id)
        if role and role not in sections:
            sections[role] = page
    return sections


def section_url(request, role: str) -> str:
    page = section_pages(request).get(role)
    return page.get_url(request=request) if page else ""


def page_number(request) -> int:
    """The ?page= number; anything but a positive whole number is a 404."""
    raw = request.GET.get("page", "1")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        raise Http404("Ogiltigt sidnummer")
    number = int(raw)
    if number < 1:
        raise Http404("Ogiltigt sidnummer")
    return number


def paginate(request, queryset, per_page: int = 10, *, count_key: str = ""):
    """One page of the queryset; a page number past the end is a 404 (page 1 may be empty).

    With ``count_key`` the total is kept per generation under that name, and the first
    pages' SQL per process (``CountedPaginator``): it must name exactly what the queryset
    selects.
    """
    if count_key:
        paginator = CountedPaginator(
            queryset, per_page, count_key=count_key, private=restricted_paths(request)
        )
    else:
        paginator = Paginator(queryset, per_page)
    number = page_number(request)
    try:
        return paginator.page(number)
    except EmptyPage as exc:
        raise Http404("Sidan finns inte") from exc


def feed_links(request, *specs) -> list[dict]:
    """<link rel="alternate"> entries for the feeds that exist: (name, args, title, type)."""
    from .seo import absolute

    links = []
    for name, args, title, kind in specs:
        url = optional_reverse(name, *args)
        if url:
            links.append({"url": absolute(request, url), "title": title, "type": kind})
    return links
