from django.db import migrations, models

from fss_site.text import post_reading_minutes, stream_text


def fill_reading_minutes(apps, schema_editor):
    """Reading time of every existing post, as BlogPage.save() stores it from now on."""
    BlogPage = apps.get_model("blog", "BlogPage")
    changed = []
    for post in BlogPage.objects.only("pk", "excerpt", "body").iterator(chunk_size=500):
        post.reading_minutes = post_reading_minutes(post.excerpt, stream_text(post.body))
        changed.append(post)
    BlogPage.objects.bulk_update(changed, ["reading_minutes"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0006_blogpage_listing_date"),
    ]

    operations = [
        migrations.AddField(
            model_name="blogpage",
            name="reading_minutes",
            field=models.PositiveSmallIntegerField(
                default=1, editable=False, verbose_name="lästid i minuter"
            ),
        ),
        migrations.RunPython(fill_reading_minutes, migrations.RunPython.noop, elidable=True),
    ]
