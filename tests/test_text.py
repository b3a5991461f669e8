"""Rich text to plain text: the quick way gives what Django's strip_tags gives."""

import html
import random

from django.utils.html import strip_tags

from fss_site.text import _strip_rich_text_tags, collapse, html_to_text

# Pieces of rich text as editors store it, and of what they do not: other tags, comments,
# unquoted or odd attributes, bare "&", "<" and ">", script and style content.
PIECES = [
    "<p>",
    "</p>",
    "<b>",
    "</b>",
    '<a href="/x?a=1">',
    "<a href='y'>",
    '<a\nhref="z">',
    "</a>",
    "<br/>",
    "<br>",
    "<BR />",
    '<h2 class="x">',
    "</h2 >",
    "<ul>",
    "<li>",
    "</li>",
    "</ul>",
    '<embed embedtype="image" id="1"/>',
    '<span lang="sv">',
    "</span>",
    "<i data-x='1' hidden>",
    "<script>",
    "</script>",
    "<style>",
    "</style>",
    "<textarea>",
    "<title>",
    "<!-- c -->",
    "<!DOCTYPE html>",
    "<?x?>",
    "<x-y>",
    "<p class=x>",
    '<img alt="a>b">',
    "<p",
    "</",
    " ",
    "\n",
    "\t",
    "\u00a0",
    "text",
    "Åsa",
    "ämne",
    "&amp;",
    "&lt;",
    "&gt;",
    "&#228;",
    "&#xE4;",
    "&nbsp;",
    "&",
    "&T",
    "&amp",
    "<",
    ">",
    '"',
    "'",
    "=",
    "/",
]


def reference(value):
    return collapse(html.unescape(strip_tags(value)))


def test_html_to_text_equals_strip_tags_on_random_markup():
    rnd = random.Random(20261123)
    quick = 0
    for _ in range(8_000):
        value = "".join(rnd.choice(PIECES) for _ in range(rnd.randint(0, 14)))
        assert html_to_text(value) == reference(value), value
        if "<" in value and _strip_rich_text_tags(value) is not None:
            quick += 1
    # Both ways were compared: a good share of the values took the quick one.
    assert quick > 400


def test_rich_text_as_stored_takes_the_quick_way():
    value = (
        '<h2 data-block-key="a1">Rubrik</h2><p data-block-key="b2">Socialtjänsten &amp; '
        'skolan, <a href="https://example.org/?a=1&amp;b=2">länk</a>, <b>fet</b>'
        "<br/>&#228;mne&nbsp;två</p><ul><li>ett</li><li>två</li></ul>"
        '<embed alt="Bild" embedtype="image" format="fullwidth" id="4"/>'
    )
    assert _strip_rich_text_tags(value) is not None
    assert html_to_text(value) == "RubrikSocialtjänsten & skolan, länk, fetämne tvåetttvå"
    assert html_to_text(value) == reference(value)


def test_other_markup_goes_to_strip_tags():
    for value in (
        "<p>a</p><script>x = '<b>';</script>",
        "<p>AT&T</p>",
        '<p>a</p><img alt="1 > 0">',
        "<p>a</p><!-- kommentar -->",
        "<p>a < b</p>",
    ):
        assert _strip_rich_text_tags(value) is None, value
        assert html_to_text(value) == reference(value), value


def test_text_without_tags_is_left_as_strip_tags_leaves_it():
    for value in ("AT&T", "a > b", "&amp; och &T", ""):
        assert html_to_text(value) == reference(value)
    assert html_to_text(None) == ""
