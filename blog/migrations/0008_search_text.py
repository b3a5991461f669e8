from django.db import migrations, models

from fss_site.derived import fill_in
from fss_site.text import position_search_text, post_search_text


def fill_search_text(apps, schema_editor):
    """The text search results quote, for every existing post and position, as their
    save() stores it from now on (fss_site/derived.py)."""
    fill_in(
        apps.get_model("blog", "BlogPage"), "search_text", ("excerpt", "body"), post_search_text
    )
    fill_in(
        apps.get_model("blog", "PositionPage"),
        "search_text",
        ("statement", "body", "referring_authority", "reference_number"),
        position_search_text,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0007_blogpage_reading_minutes"),
    ]

    operations = [
        migrations.AddField(
            model_name="blogpage",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="söktext"),
        ),
        migrations.AddField(
            model_name="positionpage",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="söktext"),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop, elidable=True),
    ]
