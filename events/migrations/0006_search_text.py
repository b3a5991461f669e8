from django.db import migrations, models

from fss_site.derived import fill_in
from fss_site.text import event_search_text


def fill_search_text(apps, schema_editor):
    """The text search results quote, for every existing event, as EventPage.save()
    stores it from now on (fss_site/derived.py)."""
    fields = ("summary", "description", "venue", "city")
    fill_in(apps.get_model("events", "EventPage"), "search_text", fields, event_search_text)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0005_event_start_ends_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="eventpage",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="söktext"),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop, elidable=True),
    ]
