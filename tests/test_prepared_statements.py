"""Prepared statements on PostgreSQL (settings ``DB_SERVER_SIDE_BINDING``,
``fss_site/db_statements.py``): a page's queries are planned once per connection, a
full-text search for its own words each time.

Apart from ``test_public_queries``, whose content lives in a transaction for the whole
module.
"""

import pytest
from django.db import connection

from tests.public_content import build_public_content


def _prepared() -> list[str]:
    """The statements prepared on this connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_repeated_page_queries_are_prepared(client):
    """A page viewed again on the same connection runs prepared statements: PostgreSQL
    plans each of its queries once, not on every view."""
    build_public_content()
    with connection.cursor() as cursor:
        # A fresh start on this connection: psycopg forgets what it prepared, too.
        cursor.execute("DEALLOCATE ALL")
    assert client.get("/blogg/").status_code == 200
    assert not [sql for sql in _prepared() if "blog_blogpage" in sql]  # once: not yet
    for _ in range(6):
        assert client.get("/blogg/").status_code == 200
    after = [sql for sql in _prepared() if "blog_blogpage" in sql]
    assert after
    # Parameters travel apart from the SQL: the statement holds placeholders, no values.
    assert all("$1" in sql for sql in after)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_full_text_searches_are_never_prepared(client):
    """A search is planned for its own words: a generic plan of a full-text match, made
    without them, read every match of the index."""
    from fss_site.db_statements import planned_each_time

    build_public_content()

    for _ in range(8):
        assert client.get("/sok/", {"q": "socialtjänsten"}).status_code == 200
        assert client.get("/sok/", {"q": "socialtjänsten", "typ": "inlagg"}).status_code == 200
    prepared = _prepared()
    assert [sql for sql in prepared if "blog_blogpage" in sql]  # the pages shown: prepared
    assert not [sql for sql in prepared if "@@" in sql]
    assert planned_each_time('SELECT 1 WHERE "body" @@ to_tsquery($1)')
    assert not planned_each_time('SELECT "title" FROM "wagtailcore_page" WHERE "id" = $1')
