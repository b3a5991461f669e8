"""Structural accessibility and SEO checks on every public page type (WCAG 2.1 AA basics).

Read with Python's html.parser: language, one h1, headings in order, landmarks, skip
link, labelled form fields, references that resolve, alt texts, one JSON-LD block and the
meta tags. The stylesheet's colour pairs are checked for AA contrast.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.public_content import module_content_fixture
from tests.public_html import parse

pytestmark = pytest.mark.django_db

content = module_content_fixture()

URLS = [
    "/",
    "/blogg/",
    "/blogg/kategori/forsta-linjens-socialtjanst/",
    "/blogg/amne/aldreomsorg/",
    "/blogg/skribent/anna-andersson/",
    "/blogg/2022/",
    "/blogg/haller-tillitsfonstret/",
    "/standpunkter/",
    "/standpunkter/ny-socialtjanstlag/",
    "/standpunkter/aldre-standpunkt/",
    "/talespersoner/",
    "/talespersoner/?amne=finns-inte",
    "/talespersoner/anna-andersson/",
    "/talespersoner/cecilia-ceder/",
    "/kalendarium/",
    "/kalendarium/tidigare/",
    "/kalendarium/almedalsveckan/",
    "/kalendarium/seminarium-om-tillit/",
    "/kalendarium/socialchefsdagarna/",
    "/amnen/",
    "/amne/aldreomsorg/",
    "/sok/",
    "/sok/?q=Lund",
    "/sok/?q=xyzzy",
    "/sok/?q=" + "a" * 300,
    "/om-fss/",
    "/kontakt/",
    "/kontakt/?talesperson=finns-inte",
    "/finns-inte/",
]
# The 400 page too (Django renders it without a request: no menu, no SEO tags).
A11Y_URLS = [*URLS, "/blogg/?x=%00"]
LABELLED_INPUTS = {"text", "search", "email", "tel", "url", "number", "password", "date", ""}


def fetch(client, url):
    response = client.get(url)
    assert response.status_code in {200, 400, 404}, url
    return parse(response.content.decode())


@pytest.mark.parametrize("url", A11Y_URLS)
def test_language_title_and_one_h1(client, content, url):
    doc = fetch(client, url)
    assert doc.lang == "sv"
    assert doc.title
    assert [level for level, _text in doc.headings].count(1) == 1
    assert all(text for _level, text in doc.headings), "empty heading"


@pytest.mark.parametrize("url", A11Y_URLS)
def test_headings_are_in_order(client, content, url):
    doc = fetch(client, url)
    levels = [level for level, _text in doc.headings]
    assert levels[0] == 1, doc.headings
    for previous, current in zip(levels, levels[1:], strict=False):
        assert current <= previous + 1, f"h{previous} followed by h{current}: {doc.headings}"


@pytest.mark.parametrize("url", A11Y_URLS)
def test_landmarks_and_skip_link(client, content, url):
    doc = fetch(client, url)
    assert len(doc.top_level("header")) == 1
    assert len(doc.find("main")) == 1
    assert len(doc.top_level("footer")) == 1
    navs = doc.find("nav")
    assert navs
    names = [n.attrs.get("aria-label") or n.attrs.get("aria-labelledby") for n in navs]
    assert all(names), "every nav needs a name"
    assert len(set(names)) == len(names), "nav names must differ"
    first_link = doc.find("a")[0]
    assert first_link.attrs["href"] == "#main"
    assert first_link.text == "Hoppa till innehållet"
    assert doc.find("main")[0].attrs.get("id") == "main"


@pytest.mark.parametrize("url", A11Y_URLS)
def test_form_fields_are_labelled_and_references_resolve(client, content, url):
    doc = fetch(client, url)
    ids = doc.ids
    assert len(ids) == len(set(ids)), f"duplicate ids: {sorted(i for i in ids if ids.count(i) > 1)}"
    labels = {e.attrs.get("for") for e in doc.find("label")}
    for field in doc.elements:
        if field.tag not in {"input", "select", "textarea"}:
            continue
        if field.tag == "input" and field.attrs.get("type", "") not in LABELLED_INPUTS:
            continue
        assert (
            field.attrs.get("id") in labels
            or field.attrs.get("aria-label")
            or field.attrs.get("aria-labelledby")
        ), f"unlabelled {field.tag} {field.attrs}"
    for element in doc.elements:
        for attribute in ("aria-labelledby", "aria-describedby", "for"):
            if attribute in element.attrs and element.tag != "output":
                for ref in element.attrs[attribute].split():
                    assert ref in ids, f"{attribute}={ref} points nowhere"
    for link in doc.find("a"):
        if link.attrs.get("href", "").startswith("#") and link.attrs["href"] != "#":
            assert link.attrs["href"][1:] in ids
    for button in doc.find("button"):
        assert button.text.strip() or button.attrs.get("aria-label")


@pytest.mark.parametrize("url", A11Y_URLS)
def test_images_links_and_tables(client, content, url):
    doc = fetch(client, url)
    for image in doc.find("img"):
        assert "alt" in image.attrs, image.attrs
    for link in doc.find("a"):
        assert link.text.strip() or link.attrs.get("aria-label"), link.attrs
        assert link.attrs.get("href"), "links need a target"
    captions = [c for c in doc.find("caption") if "table" in c.ancestors]
    assert len(captions) == len(doc.find("table")), "every table needs a caption"
    for header in doc.find("th"):
        assert header.attrs.get("scope") in {"col", "row"}


@pytest.mark.parametrize("url", URLS)
def test_seo_tags_and_one_json_ld_block(client, content, url):
    doc = fetch(client, url)
    assert len(doc.json_ld) == 1
    (data,) = doc.json_ld
    assert data["@context"] == "https://schema.org"
    assert data["@type"]
    assert doc.meta(prop="og:locale") == "sv_SE"
    assert doc.meta(prop="og:site_name") == "Föreningen Sveriges socialchefer"
    assert doc.meta(prop="og:title")
    assert doc.meta(prop="og:type") in {"website", "article", "profile"}
    assert doc.find("meta", name="viewport")
    if url == "/finns-inte/":
        assert doc.meta(name="robots") == "noindex"
        return
    assert doc.canonical and doc.canonical.startswith("http://localhost/")
    assert doc.meta(prop="og:url") == doc.canonical
    assert doc.meta(name="description")
    assert doc.meta(prop="og:description") == doc.meta(name="description")


def test_a_refusal_is_a_swedish_page_in_the_site(client, content, settings):
    """Django's own 403 page (for any view that raises PermissionDenied) is English."""
    settings.ROOT_URLCONF = "tests.forbidden_urls"
    response = client.get("/ingen-atkomst/")
    assert response.status_code == 403
    doc = parse(response.content.decode())
    assert doc.lang == "sv"
    assert [text for level, text in doc.headings if level == 1] == ["Ingen åtkomst"]
    assert len(doc.find("main")) == 1 and doc.find("a")[0].attrs["href"] == "#main"
    assert "noindex" in response.content.decode()


def test_page_types_get_their_schema_types(client, content):
    expected = {
        "/": "WebSite",
        "/blogg/": "CollectionPage",
        "/blogg/haller-tillitsfonstret/": "BlogPosting",
        "/standpunkter/": "CollectionPage",
        "/standpunkter/ny-socialtjanstlag/": "Article",
        "/talespersoner/": "CollectionPage",
        "/talespersoner/anna-andersson/": "Person",
        "/kalendarium/": "CollectionPage",
        "/kalendarium/almedalsveckan/": "Event",
        "/amnen/": "CollectionPage",
        "/amne/aldreomsorg/": "CollectionPage",
        "/om-fss/": "WebPage",
    }
    for url, schema_type in expected.items():
        (data,) = fetch(client, url).json_ld
        assert data["@type"] == schema_type, url


# --- The stylesheet ------------------------------------------------------------------------

CSS = Path(settings.BASE_DIR, "fss_site", "static", "css", "site.css").read_text()


def _colours():
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;", CSS))


def _luminance(hex_colour):
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b):
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_formula():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54


@pytest.mark.parametrize(
    "foreground,background",
    [
        ("text", "bg"),
        ("muted", "bg"),
        ("accent", "bg"),
        ("accent-dark", "bg"),
        ("text", "surface"),
        ("muted", "surface"),
        ("accent", "surface"),
        ("error", "bg"),
        ("error", "surface"),
        ("warning-text", "warning-bg"),
        ("text", "mark-bg"),
        ("text", "badge-bg"),
        ("bg", "accent"),  # button text
        ("bg", "accent-dark"),
        ("bg", "text"),  # skip link
    ],
)
def test_text_colours_meet_aa(foreground, background):
    colours = _colours()
    assert contrast(colours[foreground], colours[background]) >= 4.5


def test_focus_is_visible_and_borders_are_distinguishable():
    colours = _colours()
    focus_rule = re.search(r"a:focus-visible[^{]*\{([^}]*)\}", CSS).group(1)
    assert "outline: 3px solid var(--focus)" in focus_rule
    # The dark ring around the yellow outline keeps focus visible on light backgrounds.
    assert "box-shadow: 0 0 0 5px var(--text)" in focus_rule
    assert contrast(colours["text"], colours["bg"]) >= 3
    assert contrast(colours["focus"], colours["text"]) >= 3
    # Form field borders (non-text contrast, 1.4.11).
    assert contrast(colours["border"], colours["bg"]) >= 3


def test_layout_fits_320_pixels():
    widths = [int(w) for w in re.findall(r"(?:min-)?width:\s*(\d+)px", CSS)]
    assert all(w <= 320 for w in widths), widths
    assert "@media" in CSS
