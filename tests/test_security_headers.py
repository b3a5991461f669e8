"""Security headers on every response: the strict, nonce-based CSP on the public site, the
admin's own policy under /admin/ (previews included), nosniff, Referrer-Policy, COOP and
X-Frame-Options. The header is parsed, not searched as a string."""

import re

import pytest
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

NONCE_SOURCE = re.compile(r"^'nonce-([A-Za-z0-9+/]{22}==)'$")


def parse_csp(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        tokens = part.split()
        if tokens:
            name = tokens[0].lower()
            assert name not in directives, f"{name} förekommer två gånger"
            directives[name] = tokens[1:]
    return directives


def nonce_of(sources: list[str]) -> str | None:
    found = [m.group(1) for m in map(NONCE_SOURCE.match, sources) if m]
    assert len(found) <= 1
    return found[0] if found else None


def _inline_view(request):
    """A page with an inline script and style that carry the nonce, as templates must."""
    template = engines["django"].from_string(
        "<!DOCTYPE html><html lang=sv><head><title>t</title>"
        '<style nonce="{{ request.csp_nonce }}">p{color:red}</style></head><body>'
        '<script nonce="{{ request.csp_nonce }}">document.title="x"</script></body></html>'
    )
    return HttpResponse(template.render({}, request))


urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("med-nonce/", _inline_view),
    path("", include(wagtail_urls)),
]


def assert_public_policy(response):
    csp = parse_csp(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    for directive in ("script-src", "style-src"):
        sources = csp[directive]
        assert sources[0] == "'self'"
        assert nonce_of(sources), f"{directive} saknar nonce"
        assert len(sources) == 2, f"{directive} tillåter mer än egna filer och noncen"
    # Nothing anywhere may reopen inline code or eval.
    every_source = [source for sources in csp.values() for source in sources]
    for forbidden in ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "http:"):
        assert forbidden not in every_source
    return csp


def assert_common_headers(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] in {"DENY", "SAMEORIGIN"}


def test_public_page_gets_strict_policy_with_fresh_nonce(client, site_tree):
    first = client.get(site_tree.home.url)
    second = client.get(site_tree.about.url)
    assert first.status_code == 200
    assert second.status_code == 200
    first_csp = assert_public_policy(first)
    second_csp = assert_public_policy(second)
    assert nonce_of(first_csp["script-src"]) == nonce_of(first_csp["style-src"])
    assert nonce_of(first_csp["script-src"]) != nonce_of(second_csp["script-src"])
    for response in (first, second):
        assert_common_headers(response)
        assert response["X-Frame-Options"] == "DENY"


def test_public_404_and_search_get_the_same_headers(client, site_tree):
    for url in ("/finns-inte-alls/", "/sok/?q=skola"):
        response = client.get(url)
        assert response.status_code in {200, 404}
        assert_public_policy(response)
        assert_common_headers(response)


@pytest.mark.urls(__name__)
def test_nonce_in_the_page_is_the_nonce_in_the_header(client, db):
    response = client.get("/med-nonce/")
    csp = assert_public_policy(response)
    nonce = nonce_of(csp["script-src"])
    html = response.content.decode()
    assert html.count(f'nonce="{nonce}"') == 2


def _assert_admin_policy(response):
    csp = parse_csp(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'", "'unsafe-inline'"]
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]
    assert csp["img-src"] == ["'self'", "data:", "blob:"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    every_source = [source for sources in csp.values() for source in sources]
    assert "'unsafe-eval'" not in every_source
    # A nonce would make browsers ignore 'unsafe-inline' and break the editor.
    assert not any(source.startswith("'nonce-") for source in every_source)
    assert_common_headers(response)


def test_admin_login_dashboard_and_editor_get_admin_policy(client, site_tree, moderator):
    login = client.get("/admin/login/")
    assert login.status_code == 200
    _assert_admin_policy(login)

    client.force_login(moderator)
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    _assert_admin_policy(dashboard)

    editor = client.get(f"/admin/pages/{site_tree.about.id}/edit/")
    assert editor.status_code == 200
    _assert_admin_policy(editor)


def test_previews_get_admin_policy_and_may_be_framed_by_the_editor(client, site_tree, moderator):
    client.force_login(moderator)
    about = site_tree.about
    draft = client.get(f"/admin/pages/{about.id}/view_draft/")
    assert draft.status_code == 200
    _assert_admin_policy(draft)

    # The editor's preview panel: the form is posted, then the preview is loaded in a frame.
    edit_url = f"/admin/pages/{about.id}/edit/"
    form = client.get(edit_url).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or name == "body":
            continue
        data[name] = value if not isinstance(value, bool) else ("on" if value else "")
    data.update(
        {
            "title": about.title,
            "slug": about.slug,
            "body-count": "0",
            "introduction": "Förhandsgranskad ingress",
        }
    )
    preview_url = f"/admin/pages/{about.id}/edit/preview/"
    posted = client.post(preview_url, data)
    assert posted.status_code == 200
    assert posted.json()["is_valid"] is True
    preview = client.get(preview_url)
    assert preview.status_code == 200
    assert "Förhandsgranskad ingress" in preview.content.decode()
    _assert_admin_policy(preview)
    assert preview["X-Frame-Options"] == "SAMEORIGIN"


def test_json_and_health_responses_carry_the_headers_too(client, db):
    response = client.get("/health/live/")
    assert response.status_code == 200
    assert_common_headers(response)
    assert parse_csp(response["Content-Security-Policy"])["default-src"] == ["'self'"]


def _inline_code_problems(html: str, nonce: str) -> list[str]:
    """Inline code the strict policy would block: scripts and styles without the nonce,
    style attributes and event-handler attributes."""
    from bs4 import BeautifulSoup

    problems = []
    soup = BeautifulSoup(html, "html.parser")
    for element in soup.find_all(["script", "style"]):
        if element.name == "script" and element.get("src"):
            continue
        script_type = (element.get("type") or "text/javascript").lower()
        if element.name == "script" and script_type not in {
            "text/javascript",
            "module",
            "application/javascript",
        }:
            continue  # data blocks (JSON-LD, json_script) are never executed
        if element.get("nonce") != nonce:
            problems.append(f"<{element.name}> utan nonce: {str(element)[:80]}")
    for element in soup.find_all(True):
        for attribute in element.attrs:
            if attribute == "style" or attribute.startswith("on"):
                problems.append(f"{attribute}= på <{element.name}>")
    return problems


def test_public_pages_have_no_inline_code_the_policy_would_block(client, site_tree):
    pages = [
        site_tree.home,
        site_tree.about,
        site_tree.privacy,
        site_tree.blog,
        site_tree.positions,
        site_tree.people,
        site_tree.events,
        site_tree.contact,
    ]
    for page in pages:
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        nonce = nonce_of(assert_public_policy(response)["script-src"])
        assert _inline_code_problems(response.content.decode(), nonce) == [], page.url

    missing = client.get("/finns-inte-alls/")
    assert missing.status_code == 404
    nonce = nonce_of(assert_public_policy(missing)["script-src"])
    assert _inline_code_problems(missing.content.decode(), nonce) == []


def test_the_inline_code_check_finds_what_the_policy_blocks():
    html = (
        '<style>p{}</style><style nonce="n">p{}</style><script>x()</script>'
        '<script type="application/ld+json">{}</script><p style="color:red" onclick="x()">'
    )
    assert _inline_code_problems(html, "n") == [
        "<style> utan nonce: <style>p{}</style>",
        "<script> utan nonce: <script>x()</script>",
        "style= på <p>",
        "onclick= på <p>",
    ]
