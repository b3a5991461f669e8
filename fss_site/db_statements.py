"""Which statements PostgreSQL keeps prepared.

With server-side binding (``DB_SERVER_SIDE_BINDING``, on by default), psycopg prepares a
statement on its fifth run on a connection, and after five runs PostgreSQL may keep one
generic plan for it, made without the values. For the page queries that is what saves
the planning: their best plan is the same whatever the values.

A full-text match (``@@``) is the exception. How many rows match depends on the words
searched for, and a generic plan cannot know them: for the site search on the benchmark's
large data set it read every match of the index, and from its tenth run on a search took
more than twice as long. Statements with a full-text match (the site search, Wagtail's own
search in the admin and the choosers) are therefore never prepared: each is planned for
its own words.
"""

import functools

from django.db.backends.signals import connection_created

FULL_TEXT_MATCH = "@@"


def planned_each_time(query) -> bool:
    """True for a statement whose best plan depends on its values (a full-text match)."""
    return isinstance(query, str) and FULL_TEXT_MATCH in query


@functools.cache
def _cursor_class():
    # Made on the first PostgreSQL connection: SQLite never loads the PostgreSQL backend.
    from django.db.backends.postgresql.base import ServerBindingCursor

    class Cursor(ServerBindingCursor):
        """Django's server-side binding cursor; statements planned each time unprepared."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            if prepare is None and planned_each_time(query):
                prepare = False
            return super().execute(query, params, prepare=prepare, binary=binary)

    return Cursor


def _use_cursor(sender, connection, **kwargs):
    if connection.vendor != "postgresql":
        return
    if not connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"):
        return
    connection.connection.cursor_factory = _cursor_class()


def connect_signals():
    connection_created.connect(_use_cursor, dispatch_uid="fss_site.db_statements")
