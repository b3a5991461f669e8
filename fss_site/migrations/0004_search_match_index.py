"""An index for the site search's match on PostgreSQL.

Wagtail's database backend matches a page against its title and body together,
``(title || body) @@ query``. The separate GIN indexes on ``title`` and ``body`` cannot
serve that expression, so every search read every index entry. This expression index can,
and its statistics tell the planner how common a word is. Other databases: nothing.
"""

from django.db import migrations

INDEX = "fss_search_title_body_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailsearch_indexentry "
            "USING gin ((title || body))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("fss_site", "0003_topic_name_key"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
