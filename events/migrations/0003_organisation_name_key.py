"""Case-insensitive unique names that work the same on SQLite and PostgreSQL."""

from django.db import migrations, models


def fill_name_key(apps, schema_editor):
    Model = apps.get_model("events", "Organisation")
    for obj in Model.objects.all():
        obj.name_key = " ".join(obj.name.split()).casefold()
        obj.save(update_fields=["name_key"])


class Migration(migrations.Migration):
    dependencies = [("events", "0002_initial")]

    operations = [
        migrations.RemoveConstraint(model_name="organisation", name="organisation_name_unique_ci"),
        migrations.AddField(
            model_name="organisation",
            name="name_key",
            field=models.CharField(default="", editable=False, max_length=255),
            preserve_default=False,
        ),
        migrations.RunPython(fill_name_key, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="organisation",
            name="name_key",
            field=models.CharField(editable=False, max_length=255, unique=True),
        ),
    ]
