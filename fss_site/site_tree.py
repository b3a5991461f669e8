"""The fixed skeleton of the page tree: home, the section index pages and the site.

``ensure_site_tree()`` is idempotent: it creates what is missing, leaves what editors
have changed alone, and returns the pages by role so other code (the seed import, tests)
can find them without knowing slugs.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site
from wagtail.rich_text import RichText

from blog.models import BlogIndexPage, PositionIndexPage
from events.models import EventIndexPage
from fss_site.contact.models import ContactPage, retention_days, spam_retention_days
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


def privacy_notice() -> list[tuple[str, object]]:
    """The privacy notice's first text: what the contact form stores, why and for how long
    (the retention times as configured when the page is made; editors keep it up to date)."""
    kept, spam_kept = retention_days(), spam_retention_days()
    paragraphs = [
        _(
            "När du skickar en förfrågan via kontaktformuläret sparar vi de uppgifter du "
            "lämnar: namn, e-postadress, organisation, telefonnummer (om du anger det), vad "
            "förfrågan gäller, vald talesperson, ämne, önskade dagar i Almedalen och ditt "
            "meddelande, samt när förfrågan kom in och att du godkände behandlingen. "
            "Föreningen Sveriges socialchefer (FSS) är personuppgiftsansvarig."
        ),
        _(
            "Vi använder uppgifterna bara för att besvara och hantera din förfrågan. Den "
            "rättsliga grunden är ditt samtycke, som du lämnar när du skickar formuläret. Du "
            "kan när som helst återkalla samtycket genom att mejla info@socialchefer.se; då "
            "raderar vi förfrågan."
        ),
        _(
            "Förfrågan skickas med e-post till föreningens kontaktadress och kan läsas av FSS "
            "styrelse, de talespersoner förfrågan gäller och de som administrerar webbplatsen. "
            "Du får en bekräftelse till den e-postadress du angett. Webbplatsen och e-posten "
            "drivs av leverantörer som är personuppgiftsbiträden åt FSS. Vi säljer inte och "
            "lämnar inte ut uppgifterna till någon annan."
        ),
        " ".join(
            (
                ngettext(
                    "Förfrågningar raderas automatiskt från webbplatsen efter %(days)s dag.",
                    "Förfrågningar raderas automatiskt från webbplatsen efter %(days)s dagar.",
                    kept,
                )
                % {"days": kept},
                ngettext(
                    "Förfrågningar som vårt skydd mot skräppost stoppar raderas efter högst "
                    "%(days)s dag.",
                    "Förfrågningar som vårt skydd mot skräppost stoppar raderas efter högst "
                    "%(days)s dagar.",
                    spam_kept,
                )
                % {"days": spam_kept},
            )
        ),
        _(
            "Vi sparar inte din IP-adress. För att stoppa missbruk räknar webbplatsen i högst "
            "tio minuter hur många förfrågningar som kommer från samma adress, i en form som "
            "inte visar adressen."
        ),
        _(
            "Du har rätt att få veta vilka uppgifter vi har om dig och att få dem rättade eller "
            "raderade. Kontakta oss på info@socialchefer.se. Du kan också lämna klagomål till "
            "Integritetsskyddsmyndigheten (IMY)."
        ),
    ]
    blocks: list[tuple[str, object]] = [
        ("heading", {"text": _("Kontaktformuläret"), "level": "h2"})
    ]
    blocks += [("paragraph", RichText(f"<p>{escape(text)}</p>")) for text in paragraphs]
    return blocks


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
        # A flushed database (Wagtail's migrations normally make the locale and root).
        Locale.objects.get_or_create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
        )
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
            {
                "introduction": _("Så behandlar vi personuppgifter som du lämnar via webbplatsen."),
                "body": privacy_notice(),
            },
        ),
    ]
    pages = {"home": home}
    for role, model, slug, title, fields in specs:
        page, was_created = _child(home, model, slug=slug, title=title, **fields)
        pages[role] = page
        if was_created:
            created.append(title)
    return SiteTree(**pages), created
