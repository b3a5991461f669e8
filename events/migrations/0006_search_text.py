from django.db import migrations, models

from fss_site.text import event_search_text, stream_text


def fill_search_text(apps, schema_editor):
    """The text search results quote, for every existing event, as EventPage.save()
    stores it from now on (fss_site/derived.py)."""
    EventPage = apps.get_model("events", "EventPage")
    fields = ("summary", "description", "venue", "city")
    changed = []
    for event in EventPage.objects.only("pk", *fields).iterator(chunk_size=500):
        event.search_text = event_search_text(
            event.summary, stream_text(event.description), event.venue, event.city
        )
        changed.append(event)
    EventPage.objects.bulk_update(changed, ["search_text"], batch_size=500)


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
