from django.db import migrations
from django.utils import timezone


def undated_imported(apps):
    BlogPage = apps.get_model("blog", "BlogPage")
    return BlogPage.objects.filter(date__isnull=True).exclude(seed_source="")


def forget_import_day(apps, schema_editor):
    """An imported post without a printed date shows none and lists after the dated
    posts (BlogPage.display_date): its listing date was the import's day."""
    undated_imported(apps).update(listing_date=None)


def restore_import_day(apps, schema_editor):
    """As before: the Stockholm day the post was first published."""
    tz = timezone.get_default_timezone()
    posts = list(undated_imported(apps).exclude(first_published_at=None).only("first_published_at"))
    for post in posts:
        post.listing_date = timezone.localtime(post.first_published_at, tz).date()
    apps.get_model("blog", "BlogPage").objects.bulk_update(posts, ["listing_date"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0010_tags_help_text"),
    ]

    operations = [
        migrations.RunPython(forget_import_day, restore_import_day),
    ]
