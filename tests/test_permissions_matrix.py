"""Who may open what in the admin and the API: an expected-status table, cell by cell.

Roles: anonymous, a signed-in admin user with no group ("plain": only access to the admin,
the case most of Wagtail's past advisories were about), an editor (Redaktörer) and a
moderator (Moderatorer). Every URL lists the roles that may get a 200; every other role
must not get one (anonymous gets the login redirect on admin URLs). The goal is zero
unexpected 200s, and every allowed cell really answers 200 so the table cannot go stale.
"""

import datetime

import pytest
from conftest import make_user
from django.urls import reverse
from django.utils import timezone
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page, PageViewRestriction
from wagtail.test.utils.form_data import nested_form_data, streamfield

from blog.models import BlogPage
from fss_site.contact.models import ContactRequest
from fss_site.models import SiteSettings

ANON, PLAIN, EDITOR, MODERATOR = "anonymous", "plain", "editor", "moderator"
ROLES = [ANON, PLAIN, EDITOR, MODERATOR]
STAFF = {EDITOR, MODERATOR}
ADMIN_USERS = {PLAIN, EDITOR, MODERATOR}
NOBODY = set()


@pytest.fixture
def world(site_tree, django_user_model, editor, moderator):
    from django.contrib.auth.models import Permission

    plain = make_user(django_user_model, "plain")
    plain.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    live = BlogPage(title="Publicerat inlägg", slug="publicerat", date=datetime.date(2024, 1, 2))
    site_tree.blog.add_child(instance=live)
    first_live = live.save_revision()
    first_live.publish()
    live.refresh_from_db()
    live.title = "Publicerat inlägg, ändrat utkast"
    live.save_revision()

    draft = BlogPage(title="Utkast", slug="utkast", date=datetime.date(2024, 1, 3), live=False)
    site_tree.blog.add_child(instance=draft)
    draft_revision = draft.save_revision()

    private = BlogPage(title="Hemligt inlägg", slug="hemligt", date=datetime.date(2024, 1, 4))
    site_tree.blog.add_child(instance=private)
    private.save_revision().publish()
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="hemligt"
    )

    image = Image.objects.create(title="Bild", file=get_test_image_file())
    document = Document.objects.create(title="Dokument", file=get_test_image_file())
    request = ContactRequest.objects.create(
        name="Karin",
        email="karin@example.org",
        organisation="Tidningen",
        kind=ContactRequest.Kind.INTERVIEW,
        message="Hej",
        consent_at=timezone.now(),
    )
    site = site_tree.home.get_site()
    SiteSettings.for_site(site)
    return {
        "users": {PLAIN: plain, EDITOR: editor, MODERATOR: moderator},
        "live": live,
        "draft": draft,
        "draft_revision": draft_revision,
        "private": private,
        "image": image,
        "document": document,
        "request": request,
        "site": site,
    }


def admin_table(w):
    """(label, url, roles that may get a 200)."""
    live, draft, private = w["live"], w["draft"], w["private"]
    rev = w["draft_revision"]
    pages = "wagtailadmin_pages"
    return [
        ("preview live", reverse(f"{pages}:preview_on_edit", args=[live.pk]), STAFF),
        ("preview draft", reverse(f"{pages}:preview_on_edit", args=[draft.pk]), STAFF),
        ("view draft", reverse(f"{pages}:view_draft", args=[draft.pk]), STAFF),
        ("view draft private", reverse(f"{pages}:view_draft", args=[private.pk]), STAFF),
        ("revision view", reverse(f"{pages}:revisions_view", args=[draft.pk, rev.pk]), STAFF),
        (
            "revision compare",
            reverse(f"{pages}:revisions_compare", args=[live.pk, "live", "latest"]),
            STAFF,
        ),
        ("history", reverse(f"{pages}:history", args=[live.pk]), STAFF),
        ("history private", reverse(f"{pages}:history", args=[private.pk]), STAFF),
        ("edit", reverse(f"{pages}:edit", args=[live.pk]), STAFF),
        ("copy", reverse(f"{pages}:copy", args=[live.pk]), STAFF),
        ("move", reverse(f"{pages}:move", args=[live.pk]), {MODERATOR}),
        ("delete live", reverse(f"{pages}:delete", args=[live.pk]), {MODERATOR}),
        ("unpublish", reverse(f"{pages}:unpublish", args=[live.pk]), {MODERATOR}),
        ("contact list", reverse("contact_requests:index"), STAFF),
        ("contact csv", reverse("contact_requests:index") + "?export=csv", STAFF),
        ("contact xlsx", reverse("contact_requests:index") + "?export=xlsx", STAFF),
        ("contact inspect", reverse("contact_requests:inspect", args=[w["request"].pk]), STAFF),
        ("contact edit", reverse("contact_requests:edit", args=[w["request"].pk]), {MODERATOR}),
        ("contact delete", reverse("contact_requests:delete", args=[w["request"].pk]), NOBODY),
        ("contact add", reverse("contact_requests:add"), NOBODY),
        (
            "settings edit",
            reverse("wagtailsettings:edit", args=["fss_site", "sitesettings", w["site"].pk]),
            {MODERATOR},
        ),
        ("image edit", reverse("wagtailimages:edit", args=[w["image"].pk]), STAFF),
        (
            "image preview",
            reverse("wagtailimages:preview", args=[w["image"].pk, "fill-80x80"]),
            STAFF,
        ),
        # The dynamic image serve view is not installed, so there is no URL to generate.
        (
            "image url generator",
            reverse("wagtailimages:url_generator", args=[w["image"].pk]),
            NOBODY,
        ),
        ("image delete", reverse("wagtailimages:delete", args=[w["image"].pk]), STAFF),
        # The image and document choosers open for every admin user and list only what
        # the user's collection permissions let them choose.
        ("image chooser", reverse("wagtailimages_chooser:choose"), ADMIN_USERS),
        (
            "image chosen",
            reverse("wagtailimages_chooser:chosen", args=[w["image"].pk]),
            STAFF,
        ),
        ("document edit", reverse("wagtaildocs:edit", args=[w["document"].pk]), STAFF),
        ("document chooser", reverse("wagtaildocs_chooser:choose"), ADMIN_USERS),
        # Wagtail's snippet choosers are open to every admin user; topics, categories and
        # organisations are public vocabulary that the site itself shows.
        ("topic chooser", reverse("wagtailsnippetchoosers_fss_site_topic:choose"), ADMIN_USERS),
        (
            "category chooser",
            reverse("wagtailsnippetchoosers_blog_category:choose"),
            ADMIN_USERS,
        ),
        (
            "organisation chooser",
            reverse("wagtailsnippetchoosers_events_organisation:choose"),
            ADMIN_USERS,
        ),
        # Wagtail lets every admin user pick any page to link to (titles only), and the
        # site history lists only what the user may see (checked below).
        ("page chooser", reverse("wagtailadmin_choose_page"), ADMIN_USERS),
        ("site history", reverse("wagtailadmin_reports:site_history"), ADMIN_USERS),
        ("admin api page", f"/admin/api/main/pages/{private.pk}/", STAFF),
    ]


def client_for(client, w, role):
    if role != ANON:
        client.force_login(w["users"][role])
    return client


def _cases():
    from types import SimpleNamespace

    fake = SimpleNamespace(pk=1, title="")
    w = {
        "live": fake,
        "draft": fake,
        "private": fake,
        "draft_revision": fake,
        "request": fake,
        "site": fake,
        "image": fake,
        "document": fake,
    }
    for label, _url, _allowed in admin_table(w):
        yield pytest.param(label, id=label)


@pytest.mark.django_db
@pytest.mark.parametrize("label", list(_cases()))
def test_admin_url_gives_200_only_to_the_roles_allowed(label, world):
    from django.test import Client

    ((url, allowed),) = [(u, a) for lbl, u, a in admin_table(world) if lbl == label]
    cells = {}
    for role in ROLES:
        cells[role] = client_for(Client(), world, role).get(url).status_code
    expected_200 = {role for role in ROLES if role in allowed}
    assert {role for role, status in cells.items() if status == 200} == expected_200, cells
    assert cells[ANON] == 302, cells
    assert all(status < 500 for status in cells.values()), cells


@pytest.mark.django_db
def test_anonymous_admin_requests_redirect_to_the_login(client, world):
    for label, url, _allowed in admin_table(world):
        response = client.get(url)
        assert response.status_code == 302, label
        assert response["Location"].startswith(reverse("wagtailadmin_login")), label


@pytest.mark.django_db
def test_api_never_serves_private_or_draft_pages_to_any_role(world):
    from django.test import Client

    private, draft, live = world["private"], world["draft"], world["live"]
    for role in ROLES:
        client = client_for(Client(), world, role)
        listing = client.get("/api/v2/pages/?type=blog.BlogPage&limit=20")
        assert listing.status_code == 200, role
        ids = {item["id"] for item in listing.json()["items"]}
        assert live.pk in ids, role
        assert private.pk not in ids, role
        assert draft.pk not in ids, role
        for page in (private, draft):
            assert client.get(f"/api/v2/pages/{page.pk}/").status_code == 404, role
        search = client.get("/api/v2/pages/?search=Hemligt")
        assert private.pk not in {item["id"] for item in search.json().get("items", [])}, role
        assert client.get(f"/api/v2/pages/{live.pk}/").status_code == 200, role


@pytest.mark.django_db
def test_editor_cannot_publish_delete_unpublish_or_change_settings(client, world):
    client.force_login(world["users"][EDITOR])
    live, draft = world["live"], world["draft"]

    response = client.post(reverse("wagtailadmin_pages:delete", args=[live.pk]))
    assert response.status_code != 500
    assert Page.objects.filter(pk=live.pk).exists()

    response = client.post(reverse("wagtailadmin_pages:unpublish", args=[live.pk]))
    assert Page.objects.get(pk=live.pk).live

    # Publishing the draft through the edit view only submits it for review.
    client.post(
        reverse("wagtailadmin_pages:edit", args=[draft.pk]),
        nested_form_data(
            {
                "title": draft.title,
                "slug": draft.slug,
                "date": "2024-01-03",
                "excerpt": "",
                "tags": "",
                "authors": {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0, "MIN_NUM_FORMS": 0},
                "body": streamfield([]),
                "action-publish": "publish",
            }
        ),
    )
    assert not Page.objects.get(pk=draft.pk).live

    site_settings = SiteSettings.for_site(world["site"])
    url = reverse("wagtailsettings:edit", args=["fss_site", "sitesettings", world["site"].pk])
    client.post(url, {"contact_email": "angripare@example.org"})
    site_settings.refresh_from_db()
    assert site_settings.contact_email != "angripare@example.org"

    contact = world["request"]
    client.post(
        reverse("contact_requests:edit", args=[contact.pk]),
        {"status": ContactRequest.Status.HANDLED, "note": "x"},
    )
    contact.refresh_from_db()
    assert contact.status == ContactRequest.Status.NEW

    client.post(reverse("contact_requests:delete", args=[contact.pk]))
    assert ContactRequest.objects.filter(pk=contact.pk).exists()


@pytest.mark.django_db
def test_plain_admin_user_sees_no_page_history(client, world):
    client.force_login(world["users"][PLAIN])
    html = client.get(reverse("wagtailadmin_reports:site_history")).content.decode()
    for page in (world["live"], world["draft"], world["private"]):
        assert page.title not in html
