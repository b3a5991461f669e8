"""Who sees contact requests: Moderatorer view and change them, Redaktörer view them.

Both groups also see the spam counter. The groups are created by fss_site 0002.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Redaktörer"
MODERATORS = "Moderatorer"

GRANTS = {
    MODERATORS: [
        ("contactrequest", "view"),
        ("contactrequest", "change"),
        ("spamcount", "view"),
    ],
    EDITORS: [
        ("contactrequest", "view"),
        ("spamcount", "view"),
    ],
}


def _ensure_permissions(apps):
    app_config = apps.get_app_config("contact")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None


def _permissions(apps, grants):
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(content_type__app_label="contact", codename=f"{action}_{model}")
        for model, action in grants
    ]


def forwards(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    for group_name, grants in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(*_permissions(apps, grants))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="contact"))


class Migration(migrations.Migration):
    dependencies = [
        ("contact", "0002_contact_requests"),
        ("fss_site", "0002_editorial_groups_and_workflow"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
