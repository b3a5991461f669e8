"""The Content-Security-Policy in a real Chromium: the Wagtail admin (dashboard, page
editor with its preview panel, a draft preview, image upload) works under the admin
policy, and public pages, also with the editor's user bar, run under the strict policy,
without a single violation report or script error.
"""

import json
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium saknas"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Runs before any page script, in every frame; CSP does not apply to it.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(
        `${e.effectiveDirective} blocked=${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`
    );
});
"""


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
        )
        yield browser
        browser.close()


class Recorder:
    """Collects CSP violations and uncaught script errors from every frame of a page."""

    def __init__(self, context):
        self.errors = []
        self.console = []
        context.add_init_script(RECORD_VIOLATIONS)
        self.page = context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on(
            "console",
            lambda message: (
                self.console.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )

    def violations(self):
        found = []
        for frame in self.page.frames:
            try:
                found += frame.evaluate("window.__cspViolations || []")
            except Exception:  # noqa: S112 - a frame that navigated away has nothing left
                continue
        return found + self.console

    def assert_clean(self, where):
        violations = self.violations()
        assert violations == [], f"CSP-överträdelser på {where}: {violations}"
        assert self.errors == [], f"Skriptfel på {where}: {self.errors}"


@pytest.fixture
def admin_content(django_user_model):
    from django.contrib.auth.models import Group

    from fss_site.site_tree import ensure_site_tree

    tree, _ = ensure_site_tree()
    user = django_user_model.objects.create_user(
        username="moderator", email="moderator@example.org", password="pw-moderator"
    )
    user.groups.add(Group.objects.get(name="Moderatorer"))
    about = tree.about
    about.body = json.dumps(
        [
            {"type": "paragraph", "value": "<p>Text med <b>fetstil</b>.</p>"},
        ]
    )
    about.save_revision().publish()
    return {"tree": tree, "user": user}


def _png_bytes():
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (320, 200), (11, 83, 148)).save(buffer, "PNG")
    return buffer.getvalue()


def _log_in(page, base_url):
    page.goto(base_url + "/admin/login/")
    page.fill("input[name=username]", "moderator")
    page.fill("input[name=password]", "pw-moderator")
    page.click("button[type=submit]")
    page.wait_for_url(base_url + "/admin/")


def test_admin_and_site_work_under_their_policies(live_server, browser, admin_content):
    about = admin_content["tree"].about
    context = browser.new_context()
    recorder = Recorder(context)
    page = recorder.page

    _log_in(page, live_server.url)
    page.wait_for_load_state("networkidle")
    recorder.assert_clean("instrumentpanelen")

    # The page editor, with its StreamField/Draftail and the live preview panel.
    page.goto(f"{live_server.url}/admin/pages/{about.id}/edit/")
    page.wait_for_selector("[data-draftail-editor], .Draftail-Editor")
    page.click("[data-side-panel-toggle='preview']")
    # Wagtail swaps in a fresh iframe once the preview has rendered.
    heading = page.frame_locator("#w-preview-iframe").locator("h1")
    heading.wait_for()
    assert about.title in heading.inner_text()
    page.wait_for_load_state("networkidle")
    recorder.assert_clean("sidredigeraren och förhandsgranskningen")

    # The draft view (a full-page preview), and image upload with its previews.
    page.goto(f"{live_server.url}/admin/pages/{about.id}/view_draft/")
    page.wait_for_selector("h1")
    recorder.assert_clean("utkastvisningen")

    page.goto(f"{live_server.url}/admin/images/multiple/add/")
    page.set_input_files(
        "#fileupload",
        files=[{"name": "bild.png", "mimeType": "image/png", "buffer": _png_bytes()}],
    )
    # The upload finished when Wagtail shows the form to edit the new image.
    page.wait_for_selector("#upload-list form input[name$='title']")
    page.wait_for_load_state("networkidle")
    recorder.assert_clean("bilduppladdningen")
    context.close()

    _check_public_pages(live_server, browser, admin_content["tree"])


def _check_public_pages(live_server, browser, tree):
    # One test with the admin part above: the page tree is built once per test database.
    context = browser.new_context()
    recorder = Recorder(context)
    page = recorder.page

    response = page.goto(live_server.url + tree.about.url)
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    recorder.assert_clean("en publik sida")

    # Logged in, the page also carries Wagtail's user bar (scripts and styles from /static/).
    _log_in(page, live_server.url)
    page.goto(live_server.url + tree.about.url)
    page.wait_for_selector("#wagtail-userbar-trigger")
    page.wait_for_load_state("networkidle")
    recorder.assert_clean("en publik sida med användarfältet")
    context.close()
