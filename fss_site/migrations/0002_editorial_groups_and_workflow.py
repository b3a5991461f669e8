"""Editorial groups and the review workflow.

Redaktörer create and edit pages and submit them for review; Moderatorer publish. The
workflow "Granskning" has one moderator approval step and covers the whole site. Wagtail's
own English default groups and workflow are renamed rather than duplicated.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Redaktörer"
MODERATORS = "Moderatorer"
WORKFLOW = "Granskning"
TASK = "Moderatorgranskning"

SNIPPETS = [("fss_site", "topic"), ("blog", "category"), ("events", "organisation")]


def _ensure_permissions(apps):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def _group(Group, name, legacy_name):
    group = Group.objects.filter(name=name).first()
    if group:
        return group
    group = Group.objects.filter(name=legacy_name).first()
    if group:
        group.name = name
        group.save(update_fields=["name"])
        return group
    return Group.objects.create(name=name)


def forwards(apps, schema_editor):
    _ensure_permissions(apps)
    configure_groups_and_workflow(apps)


def configure_groups_and_workflow(apps):
    """Create or repair the groups, their permissions and the workflow (idempotent)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    ContentType = apps.get_model("contenttypes", "ContentType")

    editors = _group(Group, EDITORS, "Editors")
    moderators = _group(Group, MODERATORS, "Moderators")
    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    editors.permissions.add(access_admin)
    moderators.permissions.add(access_admin)

    root = Page.objects.filter(depth=1).order_by("path").first()
    page_perms = {
        editors: ["add_page", "change_page"],
        moderators: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
    }
    for group, codenames in page_perms.items():
        for codename in codenames:
            permission = Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            )
            GroupPagePermission.objects.get_or_create(group=group, page=root, permission=permission)
    # Editors never publish.
    GroupPagePermission.objects.filter(
        group=editors, permission__codename__in=["publish_page", "bulk_delete_page"]
    ).delete()

    for app_label, model in SNIPPETS:
        for action in ["add", "change", "view"]:
            perm = Permission.objects.get(
                content_type__app_label=app_label, codename=f"{action}_{model}"
            )
            editors.permissions.add(perm)
            moderators.permissions.add(perm)
        moderators.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=f"delete_{model}")
        )
    moderators.permissions.add(
        Permission.objects.get(content_type__app_label="fss_site", codename="change_sitesettings")
    )

    # Both groups add, change and choose images and documents in every collection.
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    Collection = apps.get_model("wagtailcore", "Collection")
    root_collection = Collection.objects.filter(depth=1).order_by("path").first()
    if root_collection is not None:
        for app_label, model in [("wagtailimages", "image"), ("wagtaildocs", "document")]:
            for action in ["add", "change", "choose"]:
                permission = Permission.objects.get(
                    content_type__app_label=app_label, codename=f"{action}_{model}"
                )
                for group in (editors, moderators):
                    GroupCollectionPermission.objects.get_or_create(
                        group=group, collection=root_collection, permission=permission
                    )

    task_type, _ = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task = (
        GroupApprovalTask.objects.filter(name__in=[TASK, "Moderators approval"])
        .order_by("name")
        .first()
    )
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK, content_type=task_type, active=True)
    task.name = TASK
    task.active = True
    task.save()
    task.groups.set([moderators])

    workflow = Workflow.objects.filter(name__in=[WORKFLOW, "Moderators approval"]).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=WORKFLOW, active=True)
    workflow.name = WORKFLOW
    workflow.active = True
    workflow.save()
    WorkflowTask.objects.filter(workflow=workflow).exclude(task=task).delete()
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})


class Migration(migrations.Migration):
    dependencies = [
        ("fss_site", "0001_initial"),
        ("blog", "0001_initial"),
        ("events", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
