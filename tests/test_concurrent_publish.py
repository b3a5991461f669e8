"""Two publishes at once, on PostgreSQL: no lost revision, no duplicate page, no 500.

Each thread has its own database connection (closed at the end of the thread).
"""

import datetime
import threading

import pytest
from dbutil import ON_POSTGRES
from django.db import connections
from django.test import Client
from django.urls import reverse
from wagtail.models import Page, Revision
from wagtail.test.utils.form_data import nested_form_data, streamfield

from blog.models import BlogPage
from fss_site import page_locks
from fss_site.models import StandardPage

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL")


def _run_together(targets):
    barrier = threading.Barrier(len(targets))
    results, errors = [None] * len(targets), []

    def run(index, target):
        try:
            barrier.wait(timeout=30)
            results[index] = target()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_revisions_published_at_once_are_both_kept(site_tree):
    page = BlogPage(title="Start", slug="samtidigt", date=datetime.date(2024, 5, 1))
    site_tree.blog.add_child(instance=page)
    page.save_revision().publish()
    before = Revision.page_revisions.filter(object_id=str(page.pk)).count()

    def publisher(title):
        def publish():
            own = BlogPage.objects.get(pk=page.pk)
            own.title = title
            revision = own.save_revision()
            revision.publish()
            return revision.pk

        return publish

    results, errors = _run_together([publisher("Version A"), publisher("Version B")])
    assert errors == []
    revisions = Revision.page_revisions.filter(object_id=str(page.pk))
    assert revisions.count() == before + 2
    assert set(results) <= set(revisions.values_list("pk", flat=True))
    page.refresh_from_db()
    assert page.live
    assert page.live_revision_id in results
    assert page.title == Revision.objects.get(pk=page.live_revision_id).content["title"]
    assert Page.objects.filter(slug="samtidigt").count() == 1


def _add_form(title, slug):
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "date": "2024-05-01",
            "excerpt": "",
            "tags": "",
            "authors": {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0, "MIN_NUM_FORMS": 0},
            "body": streamfield([]),
            "action-publish": "publish",
        }
    )


def _race_to_add(parent, moderator, slug):
    url = reverse("wagtailadmin_pages:add", args=("blog", "blogpage", parent.pk))

    def adder(title):
        def add():
            client = Client(raise_request_exception=False)
            client.force_login(moderator)
            return client.post(url, _add_form(title, slug)).status_code

        return add

    results, errors = _run_together([adder("Först"), adder("Sedan")])
    assert errors == []
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_children_with_the_same_slug_at_once_give_one_page(site_tree, moderator):
    parent = site_tree.blog
    results = _race_to_add(parent, moderator, "samma-adress")
    assert results.count(302) == 1, results
    assert Page.objects.child_of(parent).filter(slug="samma-adress").count() == 1
    slugs = list(Page.objects.child_of(parent).values_list("slug", flat=True))
    assert len(slugs) == len(set(slugs))
    assert Page.find_problems() == ([], [], [], [], [])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_losing_add_gets_a_form_error_not_a_500(site_tree, moderator):
    statuses = []
    for round_number in range(5):
        statuses += _race_to_add(site_tree.blog, moderator, f"kapplopning-{round_number}")
    assert 500 not in statuses, statuses
    assert set(statuses) <= {200, 302}


def _race_to_rename_and_add(parent, moderator, slug):
    """One editor gives a post the slug ``slug`` while another adds a post with it."""
    post = BlogPage(title="Byter adress", slug=f"{slug}-gammal", date=datetime.date(2024, 5, 1))
    parent.add_child(instance=post)
    post.save_revision().publish()
    edit_url = reverse("wagtailadmin_pages:edit", args=(post.pk,))
    add_url = reverse("wagtailadmin_pages:add", args=("blog", "blogpage", parent.pk))

    def post_form(url, title):
        def send():
            client = Client(raise_request_exception=False)
            client.force_login(moderator)
            return client.post(url, _add_form(title, slug)).status_code

        return send

    results, errors = _run_together(
        [post_form(edit_url, "Byter adress"), post_form(add_url, "Ny sida")]
    )
    assert errors == []
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_slug_taken_by_an_edit_and_an_add_at_once_gives_a_form_error_not_a_500(
    site_tree, moderator
):
    parent = site_tree.blog
    for round_number in range(5):
        slug = f"omdopt-{round_number}"
        statuses = _race_to_rename_and_add(parent, moderator, slug)
        assert 500 not in statuses, statuses
        assert sorted(statuses) == [200, 302], statuses
        assert Page.objects.child_of(parent).filter(slug=slug).count() == 1
    assert Page.find_problems() == ([], [], [], [], [])


def _post_while_a_page_is_added(parent, moderator, url, data, slug) -> list[int]:
    """The status of a POST by the moderator to ``url``, sent while an addition under
    ``parent`` is in progress (it holds the parent's lock from before its form is checked
    until it has saved), which then adds a page with ``slug``."""
    statuses = []

    def send():
        client = Client(raise_request_exception=False)
        client.force_login(moderator)
        try:
            statuses.append(client.post(url, data).status_code)
        finally:
            connections.close_all()

    page_locks.acquire(parent.pk)
    try:
        sender = threading.Thread(target=send)
        sender.start()
        sender.join(1)  # the POST waits for the lock (without it, it is done by now)
        parent.add_child(instance=StandardPage(title="Ny sida", slug=slug))
    finally:
        page_locks.release()
    sender.join(60)
    return statuses


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_page_moved_while_a_page_with_its_slug_is_added_there_is_refused(site_tree, moderator):
    parent = site_tree.home
    elsewhere = StandardPage(title="Någon annanstans", slug="annanstans")
    site_tree.home.add_child(instance=elsewhere)
    moving = StandardPage(title="Flyttas", slug="flyttad")
    elsewhere.add_child(instance=moving)
    move_url = reverse("wagtailadmin_pages:move_confirm", args=(moving.pk, parent.pk))
    statuses = _post_while_a_page_is_added(parent, moderator, move_url, {}, "flyttad")
    assert statuses == [302]  # back to the move form, with the message
    assert Page.objects.get(pk=moving.pk).get_parent().pk == elsewhere.pk
    assert Page.objects.child_of(parent).filter(slug="flyttad").count() == 1
    # A move to a free slug goes ahead.
    free = StandardPage(title="Ledig adress", slug="ledig")
    elsewhere.add_child(instance=free)
    client = Client()
    client.force_login(moderator)
    client.post(reverse("wagtailadmin_pages:move_confirm", args=(free.pk, parent.pk)))
    assert Page.objects.get(pk=free.pk).get_parent().pk == parent.pk
    assert Page.find_problems() == ([], [], [], [], [])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_page_copied_while_a_page_with_its_slug_is_added_there_gets_a_form_error(
    site_tree, moderator
):
    parent = site_tree.home
    original = StandardPage(title="Förlaga", slug="forlaga")
    parent.add_child(instance=original)
    copy_url = reverse("wagtailadmin_pages:copy", args=(original.pk,))
    form = {"new_title": "Kopia", "new_slug": "kopia", "new_parent_page": str(parent.pk)}
    statuses = _post_while_a_page_is_added(parent, moderator, copy_url, form, "kopia")
    assert statuses == [200]  # the copy form again, with its error
    assert Page.objects.child_of(parent).filter(slug="kopia").count() == 1
    # A copy to a free slug goes ahead.
    client = Client()
    client.force_login(moderator)
    assert client.post(copy_url, {**form, "new_slug": "kopia-2"}).status_code == 302
    assert Page.objects.child_of(parent).filter(slug="kopia-2").count() == 1
    assert Page.find_problems() == ([], [], [], [], [])
