"""Template context shared by every public page."""

from wagtail.models import Page, Site


def navigation(request):
    """The main menu: the live children of the site's home page marked "show in menus"."""
    site = Site.find_for_request(request)
    if site is None:
        return {"site_menu": []}
    current = getattr(request, "path", "")
    items = []
    for page in Page.objects.child_of(site.root_page).live().in_menu().specific():
        url = page.get_url(request=request)
        items.append(
            {"title": page.title, "url": url, "active": bool(url) and current.startswith(url)}
        )
    return {"site_menu": items}
