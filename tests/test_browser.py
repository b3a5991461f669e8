"""Every page type in a real Chromium: it renders, the filters and search work without
JavaScript, and axe-core finds no WCAG 2.1 AA violations. Screenshots at mobile and
desktop widths are saved under ``tests/artifacts/screenshots/<database>/`` for review (a
folder per database, as CI runs the suite on both at the same time).
"""

import datetime
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

ROOT = Path(settings.BASE_DIR)
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots" / connection.vendor
WIDTHS = {"mobil": 375, "dator": 1280}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium saknas"),
    pytest.mark.skipif(not AXE.exists(), reason="axe-core saknas (kör npm ci)"),
]

# Playwright's synchronous API runs an event loop in this thread; the ORM calls the
# tests make between page loads are ordinary blocking calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def content(live_server):
    """The seeds plus one position, so every page type has something to show."""
    from wagtail.models import PageViewRestriction

    from blog.models import PositionPage
    from fss_site.models import StandardPage
    from fss_site.site_tree import ensure_site_tree
    from people.models import PersonPage

    call_command("import_seeds", stdout=open(os.devnull, "w"))  # noqa: SIM115
    tree, _ = ensure_site_tree()
    person = PersonPage.objects.get(title="Monica Persson")
    position = PositionPage(
        title="Första linjens socialtjänst",
        slug="forsta-linjens-socialtjanst",
        statement="FSS vill införa en första och en andra linjens socialtjänst.",
        date_adopted=datetime.date(2023, 1, 1),
    )
    tree.positions.add_child(instance=position)
    position.topics.set(person.topics.all()[:1])
    position.save_revision().publish()
    # A page behind a password: its form is a page a visitor meets too.
    protected = StandardPage(title="Styrelsens arbetsrum", slug="styrelsens-arbetsrum")
    tree.home.add_child(instance=protected)
    protected.save_revision().publish()
    PageViewRestriction.objects.create(
        page=protected, restriction_type=PageViewRestriction.PASSWORD, password="hemligt"
    )
    return {"tree": tree, "person": person, "position": position, "protected": protected}


def _pages(content):
    from blog.models import BlogPage
    from events.models import EventPage

    tree = content["tree"]
    post = BlogPage.objects.get(title="Håller tillitsfönstret på att stängas?")
    event = EventPage.objects.get(title="FSS i Almedalen 2023")
    topic = content["person"].topics.first()
    return {
        "start": tree.home.url,
        "blogg": tree.blog.url,
        "inlagg": post.url,
        "standpunkter": tree.positions.url,
        "standpunkt": content["position"].url,
        "personer": tree.people.url,
        "person": content["person"].url,
        "kalendarium": tree.events.url,
        "evenemang": event.url,
        "amne": f"/amne/{topic.slug}/",
        "sok": "/sok/?q=socialtj%C3%A4nst",
        "kontakt": tree.contact.url,
        "integritet": tree.privacy.url,
        "losenord": content["protected"].url,
        "inloggning": "/_util/login/?next=/",
        "saknas": "/finns-inte/",
        "ogiltig": "/blogg/?x=%00",
    }


def _axe_violations(page):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
        for v in result["violations"]
    ]


def test_every_page_type_is_accessible(live_server, browser, content):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = {}
    for width_name, width in WIDTHS.items():
        context = browser.new_context(
            viewport={"width": width, "height": 900}, bypass_csp=True, java_script_enabled=True
        )
        page = context.new_page()
        for name, path in _pages(content).items():
            response = page.goto(live_server.url + path)
            expected = {"saknas": 404, "ogiltig": 400}.get(name, 200)
            assert response.status == expected, f"{path}: {response.status}"
            assert page.locator("html").get_attribute("lang") == "sv"
            assert page.locator("h1").count() == 1, path
            # Nothing is wider than the screen (responsive from 320 px).
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{path} scrolls sideways at {width}px"
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{width_name}.png"), full_page=True)
            violations = _axe_violations(page)
            if violations:
                problems[f"{path} @ {width}px"] = violations
        context.close()
    assert problems == {}


def test_filters_and_search_work_without_javascript(live_server, browser, content):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()

    page.goto(live_server.url + content["tree"].people.url)
    topic = content["person"].topics.first()
    page.get_by_label("Kompetensområde").select_option(label=topic.name)
    page.get_by_role("button", name="Filtrera").click()
    assert f"{topic.slug}" in page.url
    names = page.locator("main").inner_text()
    assert content["person"].title in names

    page.goto(live_server.url + content["tree"].home.url)
    page.get_by_role("searchbox").first.fill("tillit")
    page.get_by_role("searchbox").first.press("Enter")
    page.wait_for_load_state()
    assert "/sok/" in page.url
    assert "Håller tillitsfönstret" in page.locator("main").inner_text()

    page.goto(live_server.url + "/sok/?q=zzxxqqnotfound")
    assert "Inga träffar" in page.locator("main").inner_text()
    context.close()


def test_skip_link_and_focus_are_visible(live_server, browser, content):
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server.url + content["tree"].home.url)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Hoppa till innehållet"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    context.close()


def test_a_contact_form_whose_cookie_was_cleared_comes_back_filled_in(
    live_server, browser, content
):
    """Cookies cleared while the form was open: the form comes back as it was filled in,
    accessible, and goes through when sent again."""
    from fss_site.contact.models import ContactRequest

    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(live_server.url + content["tree"].contact.url)
    page.get_by_label("Namn").fill("Karin Journalist")
    page.get_by_label("E-postadress").fill("karin@example.org")
    page.get_by_label("Organisation").fill("Lokaltidningen")
    page.get_by_label("Intervju").check()
    page.get_by_label("Meddelande").fill("Vi vill intervjua någon om hemtjänsten.")
    page.get_by_label("Jag godkänner", exact=False).check()
    page.wait_for_timeout(3000)  # the spam check's shortest time to fill in the form
    context.clear_cookies()
    page.get_by_role("button", name="Skicka förfrågan").click()
    page.wait_for_load_state()

    assert page.get_by_role("alert").get_by_text("Formuläret skickades inte").count() == 1
    assert page.get_by_label("Namn").input_value() == "Karin Journalist"
    message = page.get_by_label("Meddelande").input_value()
    assert message == "Vi vill intervjua någon om hemtjänsten."
    assert page.get_by_label("Intervju").is_checked()
    assert _axe_violations(page) == []
    assert not ContactRequest.objects.exists()

    page.get_by_role("button", name="Skicka förfrågan").click()
    page.wait_for_load_state()
    assert "/tack/" in page.url
    assert ContactRequest.objects.get().name == "Karin Journalist"
    context.close()
