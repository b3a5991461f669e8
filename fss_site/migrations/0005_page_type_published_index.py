"""An index on a page's type and first publication, newest first within one type.

The site search's overview reads the newest matching pages of each type
(``fss_site/search.py``). With the first publication alone indexed, PostgreSQL walked
through the newest pages of every type to find those of one: on the benchmark's large
data set some 450 events, newer than any post, before the first post. With the type in
front, the walk reads that type's pages only.
"""

from django.db import migrations

INDEX = "fss_page_type_published"


def create_index(apps, schema_editor):
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} "
        "ON wagtailcore_page (content_type_id, first_published_at)"
    )


def drop_index(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("fss_site", "0004_search_match_index"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
