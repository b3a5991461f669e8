"""Events in start order with their end beside it (see EventPage.Meta.indexes)."""

import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0004_event_time_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="eventpage",
            name="event_start_idx",
        ),
        migrations.AddIndex(
            model_name="eventpage",
            index=models.Index(
                models.F("start"),
                django.db.models.functions.comparison.Coalesce("end", "start"),
                name="event_start_ends_idx",
            ),
        ),
    ]
