"""What search engines and link previews read: title, description, canonical URL,
OpenGraph tags and one schema.org JSON-LD block per page.

Pages build their ``Seo`` in ``get_context`` (from data they load anyway, so no extra
queries); pages that don't get a plain ``WebPage`` from ``seo_for_page``.
"""

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .listing import page_day
from .text import collapse, html_to_text, truncate

ORGANISATION_NAME = "Föreningen Sveriges socialchefer"
DESCRIPTION_LENGTH = 160

# Escapes that keep JSON inside <script> from ending the element or opening a comment.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


@dataclass
class Seo:
    title: str
    document_title: str
    description: str = ""
    canonical: str = ""
    og_type: str = "website"
    site_name: str = ORGANISATION_NAME
    json_ld: dict = field(default_factory=dict)
    noindex: bool = False
    feeds: list = field(default_factory=list)

    @property
    def json_ld_script(self) -> SafeString:
        return json_ld_script(self.json_ld)


def json_ld_script(data: dict) -> SafeString:
    """A <script type="application/ld+json"> element that no content can break out of."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    text = text.translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


def _site(request):
    from .listing import find_site

    return find_site(request) if request is not None else None


def site_name(request) -> str:
    site = _site(request)
    return (site.site_name if site and site.site_name else "") or getattr(
        settings, "WAGTAIL_SITE_NAME", ORGANISATION_NAME
    )


def root_url(request) -> str:
    """The site's own root (scheme and host from the site record, not the Host header)."""
    site = _site(request)
    if site is not None:
        return site.root_url
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def absolute(request, path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return root_url(request) + path


def organisation(request) -> dict:
    return {"@type": "Organization", "name": ORGANISATION_NAME, "url": absolute(request, "/")}


def document_title(title: str, request, seo_title: str = "") -> str:
    if seo_title:
        return seo_title
    name = site_name(request)
    return f"{title} – {name}" if title and title != name else name


def describe(page) -> str:
    """The page's description: its search description or the text that best summarises it."""
    if getattr(page, "search_description", ""):
        return truncate(page.search_description, DESCRIPTION_LENGTH)
    for attribute in ("excerpt", "statement", "summary", "introduction"):
        value = getattr(page, attribute, "")
        if value:
            return truncate(value, DESCRIPTION_LENGTH)
    job = ", ".join(v for v in (getattr(page, "job_title", ""), getattr(page, "employer", "")) if v)
    if job:
        return truncate(f"{page.title}, {job}", DESCRIPTION_LENGTH)
    bio = getattr(page, "bio", "")
    if bio:
        return truncate(html_to_text(bio), DESCRIPTION_LENGTH)
    return ""


def seo_for_page(
    request,
    page,
    *,
    title: str | None = None,
    description: str | None = None,
    suffix: str = "",
    json_ld: dict | None = None,
    schema_type: str = "WebPage",
    og_type: str = "website",
    noindex: bool = False,
    feeds: list | None = None,
) -> Seo:
    """The Seo of a page, or of one of its sub-routes (``suffix``, e.g. "kategori/x/")."""
    page_title = title or page.title
    url = page.get_full_url(request=request) or absolute(request, page.url_path or "/")
    canonical = url + suffix
    text = description if description is not None else describe(page)
    if not text:
        text = f"{page_title} – {site_name(request)}"
    if json_ld is None:
        json_ld = {"@type": schema_type, "name": page_title}
        if text:
            json_ld["description"] = text
    json_ld = {"@context": "https://schema.org", **json_ld}
    json_ld.setdefault("url", canonical)
    json_ld.setdefault("inLanguage", "sv")
    return Seo(
        title=page_title,
        document_title=document_title(page_title, request, "" if title else page.seo_title),
        description=text,
        canonical=canonical,
        og_type=og_type,
        site_name=site_name(request),
        json_ld=json_ld,
        noindex=noindex,
        feeds=feeds or [],
    )


def seo_for_view(
    request,
    *,
    title: str,
    path: str,
    description: str = "",
    json_ld: dict | None = None,
    schema_type: str = "CollectionPage",
    noindex: bool = False,
    feeds: list | None = None,
) -> Seo:
    """The Seo of a view that is not a Wagtail page (topics, search, errors)."""
    canonical = absolute(request, path) if path else ""
    data = json_ld or {"@type": schema_type, "name": title}
    if description and "description" not in data:
        data["description"] = description
    data = {"@context": "https://schema.org", **data}
    if canonical:
        data.setdefault("url", canonical)
    data.setdefault("inLanguage", "sv")
    return Seo(
        title=title,
        document_title=document_title(title, request),
        description=description,
        canonical=canonical,
        site_name=site_name(request),
        json_ld=data,
        noindex=noindex,
        feeds=feeds or [],
    )


# --- schema.org objects for each page type -------------------------------------------------


def person_ref(request, person, *, url: str = "") -> dict:
    data = {"@type": "Person", "name": person.title if hasattr(person, "title") else str(person)}
    if url:
        data["url"] = absolute(request, url)
    return data


def blog_posting(request, page, *, authors, topics, tags, canonical: str) -> dict:
    data = {
        "@type": "BlogPosting",
        "headline": truncate(page.title, 110),
        "name": page.title,
        "mainEntityOfPage": canonical,
        "author": [
            person_ref(
                request,
                author.person,
                url=author.person.get_url(request=request) if author.person.live else "",
            )
            for author in authors
        ],
        "publisher": organisation(request),
        "keywords": [t.name for t in topics] + [t.name for t in tags],
    }
    if page.display_date:
        data["datePublished"] = page.display_date.isoformat()
    if page.last_published_at:
        data["dateModified"] = page.last_published_at.isoformat()
    if page.category_id:
        data["articleSection"] = page.category.name
    description = describe(page)
    if description:
        data["description"] = description
    return data


def position_article(request, page, *, topics, canonical: str) -> dict:
    data = {
        "@type": "Article",
        "headline": truncate(page.title, 110),
        "name": page.title,
        "mainEntityOfPage": canonical,
        "abstract": collapse(page.statement),
        "author": organisation(request),
        "publisher": organisation(request),
        "about": [{"@type": "Thing", "name": t.name} for t in topics],
        "keywords": [t.name for t in topics],
        "creativeWorkStatus": str(page.get_status_display()),
    }
    date = page_day(page.date_adopted, page.first_published_at)
    if date:
        data["datePublished"] = date.isoformat()
    if page.last_published_at:
        data["dateModified"] = page.last_published_at.isoformat()
    return data


def person(request, page, *, roles, topics) -> dict:
    data = {"@type": "Person", "name": page.title}
    if page.job_title:
        data["jobTitle"] = page.job_title
    if page.employer:
        data["worksFor"] = {"@type": "Organization", "name": page.employer}
    if topics:
        data["knowsAbout"] = [t.name for t in topics]
    member_of = [
        {
            "@type": "OrganizationRole",
            "roleName": str(role),
            "memberOf": {"@type": "Organization", "name": ORGANISATION_NAME},
        }
        for role in roles
    ]
    if page.is_board_member and not roles:
        member_of.append(
            {
                "@type": "OrganizationRole",
                "roleName": _("Styrelseledamot"),
                "memberOf": {"@type": "Organization", "name": ORGANISATION_NAME},
            }
        )
    if member_of:
        data["memberOf"] = member_of
    description = describe(page)
    if description:
        data["description"] = description
    return data


def event(request, page, *, organisers, participants) -> dict:
    if page.all_day:
        start = page.local_start.date().isoformat()
        end = page.local_end.date().isoformat() if page.end else None
    else:
        start = page.local_start.isoformat()
        end = page.local_end.isoformat() if page.end else None
    places = []
    if page.venue or page.address or page.city:
        address = {"@type": "PostalAddress", "addressCountry": "SE"}
        if page.address:
            address["streetAddress"] = page.address
        if page.city:
            address["addressLocality"] = page.city
        places.append({"@type": "Place", "name": page.venue or page.city, "address": address})
    if page.online:
        virtual = {"@type": "VirtualLocation"}
        if page.online_url:
            virtual["url"] = page.online_url
        places.append(virtual)
    if page.online and len(places) > 1:
        mode = "https://schema.org/MixedEventAttendanceMode"
    elif page.online:
        mode = "https://schema.org/OnlineEventAttendanceMode"
    else:
        mode = "https://schema.org/OfflineEventAttendanceMode"
    data = {
        "@type": "Event",
        "name": page.title,
        "startDate": start,
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": mode,
        "organizer": [
            {"@type": "Organization", "name": o.name, **({"url": o.url} if o.url else {})}
            for o in organisers
        ],
        "performer": [_performer(request, p) for p in participants],
    }
    if end:
        data["endDate"] = end
    if places:
        data["location"] = places[0] if len(places) == 1 else places
    description = describe(page)
    if description:
        data["description"] = description
    return data


def _performer(request, participant) -> dict:
    if participant.person_id:
        person_page = participant.person
        url = person_page.get_url(request=request) if person_page.live else ""
        return person_ref(request, person_page, url=url)
    return {"@type": "Person", "name": participant.name}


def website(request, *, search_path: str) -> dict:
    return {
        "@type": "WebSite",
        "name": site_name(request),
        "url": absolute(request, "/"),
        "inLanguage": "sv",
        "publisher": organisation(request),
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": absolute(request, search_path) + "?q={search_term_string}",
            },
            "query-input": "required name=search_term_string",
        },
    }
