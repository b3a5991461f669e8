from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def fill_listing_dates(apps, schema_editor):
    """The printed date, else the Stockholm day of the first publication."""
    BlogPage = apps.get_model("blog", "BlogPage")
    tz = timezone.get_default_timezone()
    changed = []
    for post in BlogPage.objects.only("pk", "date", "first_published_at").iterator():
        if post.date:
            post.listing_date = post.date
        elif post.first_published_at:
            post.listing_date = timezone.localtime(post.first_published_at, tz).date()
        else:
            continue
        changed.append(post)
    BlogPage.objects.bulk_update(changed, ["listing_date"], batch_size=500)


def create_sort_index(apps, schema_editor):
    """The listings' order; SQLite has no NULLS LAST in an index but sorts NULL lowest."""
    nulls_last = " NULLS LAST" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        'CREATE INDEX "blog_post_listing_date_idx" ON "blog_blogpage" '
        f'("listing_date" DESC{nulls_last}, "page_ptr_id" DESC)'
    )


def drop_sort_index(apps, schema_editor):
    schema_editor.execute('DROP INDEX "blog_post_listing_date_idx"')


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0005_category_name_key"),
        ("events", "0003_organisation_name_key"),
        ("fss_site", "0003_topic_name_key"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("wagtailcore", "0098_apitoken"),
        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="blogpage",
            name="listing_date",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_listing_dates, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_sort_index, drop_sort_index),
    ]
