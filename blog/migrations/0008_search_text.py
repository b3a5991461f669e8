from django.db import migrations, models

from fss_site.text import position_search_text, post_search_text, stream_text


def _fill(model, fields, text_of):
    changed = []
    for page in model.objects.only("pk", *fields).iterator(chunk_size=500):
        page.search_text = text_of(page)
        changed.append(page)
    model.objects.bulk_update(changed, ["search_text"], batch_size=500)


def fill_search_text(apps, schema_editor):
    """The text search results quote, for every existing post and position, as their
    save() stores it from now on (fss_site/derived.py)."""
    _fill(
        apps.get_model("blog", "BlogPage"),
        ("excerpt", "body"),
        lambda post: post_search_text(post.excerpt, stream_text(post.body)),
    )
    _fill(
        apps.get_model("blog", "PositionPage"),
        ("statement", "body", "referring_authority", "reference_number"),
        lambda position: position_search_text(
            position.statement,
            stream_text(position.body),
            position.referring_authority,
            position.reference_number,
        ),
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
