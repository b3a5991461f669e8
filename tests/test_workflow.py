"""The editorial workflow: editors submit for review, moderators approve and publish."""

import pytest
from django.urls import reverse
from wagtail.models import Workflow, WorkflowState
from wagtail.test.utils.form_data import nested_form_data, streamfield

from blog.models import BlogPage


def _post_form(title, **extra):
    return nested_form_data(
        {
            "title": title,
            "slug": "granskas",
            "date": "2024-05-01",
            "excerpt": "",
            "tags": "",
            "authors": {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0, "MIN_NUM_FORMS": 0},
            "body": streamfield([]),
            **extra,
        }
    )


@pytest.mark.django_db
def test_groups_and_workflow_exist(site_tree):
    workflow = Workflow.objects.get(name="Granskning")
    assert workflow.active
    assert [task.name for task in workflow.tasks] == ["Moderatorgranskning"]
    task = workflow.tasks.get().specific
    assert [g.name for g in task.groups.all()] == ["Moderatorer"]
    assert site_tree.blog.get_workflow() == workflow
    assert site_tree.home.get_workflow() == workflow


@pytest.mark.django_db
def test_editor_submits_and_cannot_publish(client, site_tree, editor):
    client.force_login(editor)
    add_url = reverse("wagtailadmin_pages:add", args=("blog", "blogpage", site_tree.blog.pk))

    response = client.post(add_url, {**_post_form("Försök"), "action-publish": "publish"})
    assert response.status_code in (200, 302)
    page = BlogPage.objects.filter(slug="granskas").first()
    # Either nothing was created or it stayed a draft: editors never publish.
    assert page is None or not page.live

    BlogPage.objects.filter(slug="granskas").delete()
    response = client.post(add_url, {**_post_form("Till granskning"), "action-submit": "submit"})
    assert response.status_code == 302
    page = BlogPage.objects.get(slug="granskas")
    assert not page.live
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(page.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.task.name == "Moderatorgranskning"

    # The editor cannot approve their own submission.
    approve = reverse(
        "wagtailadmin_pages:workflow_action",
        args=(page.pk, "approve", state.current_task_state.pk),
    )
    client.post(approve, {"comment": ""})
    page.refresh_from_db()
    assert not page.live


@pytest.mark.django_db
def test_moderator_approves_and_page_goes_live(client, site_tree, editor, moderator):
    client.force_login(editor)
    add_url = reverse("wagtailadmin_pages:add", args=("blog", "blogpage", site_tree.blog.pk))
    client.post(add_url, {**_post_form("Granskat inlägg"), "action-submit": "submit"})
    page = BlogPage.objects.get(slug="granskas")
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(page.pk))

    client.force_login(moderator)
    approve = reverse(
        "wagtailadmin_pages:workflow_action",
        args=(page.pk, "approve", state.current_task_state.pk),
    )
    response = client.post(approve, {"comment": "Bra!"})
    assert response.status_code in (200, 302)
    page.refresh_from_db()
    state.refresh_from_db()
    assert page.live
    assert state.status == WorkflowState.STATUS_APPROVED
    assert client.get(page.url).status_code == 200
