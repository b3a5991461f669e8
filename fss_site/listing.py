"""Shared helpers for the public listings: visible pages, pagination, section pages.

Everything here keeps a page's database queries fixed: results are cached on the request
so that the menu, the page and its links share one lookup.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import EmptyPage, Paginator
from django.db.models import Q
from django.http import Http404
from wagtail.models import Page, PageViewRestriction, Site

# Roles of the section pages directly under the home page, by model label.
SECTION_MODELS = {
    "blog": ("blog", "blogindexpage"),
    "positions": ("blog", "positionindexpage"),
    "people": ("people", "peopleindexpage"),
    "events": ("events", "eventindexpage"),
    "contact": ("contact", "contactpage"),
}


def private_q(request) -> Q:
    """Pages in sections with a view restriction (password, login ...), once per request."""
    cached = getattr(request, "_fss_private_q", None) if request is not None else None
    if cached is not None:
        return cached
    q = Q()
    for restriction in PageViewRestriction.objects.only("page__path").select_related("page"):
        q |= Q(path__startswith=restriction.page.path)
    q = q if q else Q(pk__in=[])
    if request is not None:
        request._fss_private_q = q
    return q


def visible(queryset, request):
    """Live pages that anybody may see (no private sections)."""
    return queryset.live().exclude(private_q(request))


def site_children(request) -> list[Page]:
    """The live pages directly under the site's home page, once per request."""
    cached = getattr(request, "_fss_site_children", None)
    if cached is not None:
        return cached
    site = Site.find_for_request(request)
    children = []
    if site is not None:
        children = list(
            Page.objects.filter(
                depth=site.root_page.depth + 1, path__startswith=site.root_page.path
            )
            .live()
            .order_by("path")
        )
    request._fss_site_children = children
    return children


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


def paginate(request, queryset, per_page: int = 10):
    """One page of the queryset; a page number past the end is a 404 (page 1 may be empty)."""
    paginator = Paginator(queryset, per_page)
    number = page_number(request)
    try:
        return paginator.page(number)
    except EmptyPage as exc:
        raise Http404("Sidan finns inte") from exc


def optional_reverse(name: str, *args) -> str:
    """The URL, or "" while the named URL does not exist (yet)."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args or None)
    except NoReverseMatch:
        return ""


def feed_links(request, *specs) -> list[dict]:
    """<link rel="alternate"> entries for the feeds that exist: (name, args, title, type)."""
    from .seo import absolute

    links = []
    for name, args, title, kind in specs:
        url = optional_reverse(name, *args)
        if url:
            links.append({"url": absolute(request, url), "title": title, "type": kind})
    return links
