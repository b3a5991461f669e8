"""The fixed skeleton of the page tree: home, the section index pages and the site.

``ensure_site_tree()`` is idempotent: it creates what is missing, leaves what editors
have changed alone, and returns the pages by role so other code (the seed import, tests)
can find them without knowing slugs.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import Page, Site

from blog.models import BlogIndexPage, PositionIndexPage
from events.models import EventIndexPage
from fss_site.contact.models import ContactPage
from people.models import PeopleIndexPage

from .models import HomePage, StandardPage


@dataclass
class SiteTree:
    home: HomePage
    blog: BlogIndexPage
    positions: PositionIndexPage
    people: PeopleIndexPage
    events: EventIndexPage
    contact: ContactPage
    privacy: StandardPage
    about: StandardPage


def _child(parent, model, *, slug, title, **fields):
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing:
        return existing, False
    page = model(title=title, slug=slug, show_in_menus=True, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page, True


def site_address() -> tuple[str, int]:
    """Host name and port of the public site, from the SITE_URL setting."""
    url = urlsplit(getattr(settings, "SITE_URL", "") or "http://localhost")
    default_port = 443 if url.scheme == "https" else 80
    return url.hostname or "localhost", url.port or default_port


@transaction.atomic
def ensure_site_tree() -> tuple[SiteTree, list[str]]:
    """Create the home page and section pages that are missing; report what was made."""
    created: list[str] = []
    root = Page.get_first_root_node()
    if root is None:
        # A flushed database (Wagtail's migrations normally make the root).
        root = Page.add_root(instance=Page(title="Root", slug="root", live=True))
    home = HomePage.objects.first()
    if home is None:
        # Wagtail's placeholder "Welcome" page has the slug we want; move it aside.
        for placeholder in Page.objects.child_of(root).filter(
            content_type__app_label="wagtailcore", content_type__model="page"
        ):
            if not placeholder.get_children().exists():
                Site.objects.filter(root_page=placeholder).delete()
                placeholder.delete()
        home = HomePage(
            title=_("Föreningen Sveriges socialchefer"),
            slug="hem",
            seo_title=_("Föreningen Sveriges socialchefer – FSS"),
            introduction=_(
                "FSS är en ideell förening för ledningspersoner inom socialtjänsten. "
                "Vi utvecklar morgondagens välfärd."
            ),
            spokesperson_text=_(
                "Behöver du en oberoende röst som tillför professionens perspektiv? "
                "Hitta en talesperson efter kompetensområde."
            ),
        )
        root.add_child(instance=home)
        home.save_revision().publish()
        created.append(str(home.title))

    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        hostname, port = site_address()
        Site.objects.create(
            hostname=hostname,
            port=port,
            root_page=home,
            is_default_site=True,
            site_name=_("Föreningen Sveriges socialchefer"),
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = site.site_name or _("Föreningen Sveriges socialchefer")
        site.save()

    specs = [
        ("blog", BlogIndexPage, "blogg", _("Blogg"), {}),
        ("positions", PositionIndexPage, "standpunkter", _("Ståndpunkter"), {}),
        ("people", PeopleIndexPage, "talespersoner", _("Styrelse och talespersoner"), {}),
        ("events", EventIndexPage, "kalendarium", _("Kalendarium"), {}),
        (
            "contact",
            ContactPage,
            "kontakt",
            _("Kontakta oss"),
            {
                "introduction": _(
                    "Behöver du en oberoende röst som tillför professionens perspektiv? "
                    "Kontakta någon av oss eller maila till info@socialchefer.se."
                )
            },
        ),
        (
            "about",
            StandardPage,
            "om-fss",
            _("Om FSS"),
            {
                "introduction": _(
                    "Föreningen Sveriges socialchefer (FSS) samlar ledningspersoner inom "
                    "socialtjänsten i hela landet."
                )
            },
        ),
        (
            "privacy",
            StandardPage,
            "integritet",
            _("Integritetspolicy"),
            {"introduction": _("Så behandlar vi personuppgifter som du lämnar via webbplatsen.")},
        ),
    ]
    pages = {"home": home}
    for role, model, slug, title, fields in specs:
        page, was_created = _child(home, model, slug=slug, title=title, **fields)
        pages[role] = page
        if was_created:
            created.append(title)
    return SiteTree(**pages), created
