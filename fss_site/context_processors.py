"""Template context shared by every public page."""

from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from .listing import site_children


def _menu(request):
    current = getattr(request, "path", "")
    items = []
    for page in site_children(request):
        if not page.show_in_menus:
            continue
        url = page.get_url(request=request)
        items.append(
            {"title": page.title, "url": url, "active": bool(url) and current.startswith(url)}
        )
    return items


def navigation(request):
    """The main menu: the live children of the site's home page marked "show in menus".

    Lazy (admin pages that never show it cost nothing) and one query per request, shared
    with the pages that look up section pages. No ``.specific()``: titles and URLs come
    from the base page rows.
    """
    # Named site_search_url: Wagtail's admin templates use a variable called search_url.
    try:
        search_url = reverse("search")
    except NoReverseMatch:
        search_url = ""
    return {"site_menu": SimpleLazyObject(lambda: _menu(request)), "site_search_url": search_url}
