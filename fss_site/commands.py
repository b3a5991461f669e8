"""The base class of the site's management commands: a database that cannot be used is told
in a sentence, not in a traceback.

Two mistakes an operator makes on a new machine: running a command before ``migrate``
(the tables are missing), and a ``DATABASE_URL`` that points where no database answers.
Both end in a ``DatabaseError`` somewhere inside the command. :class:`SiteCommand` looks at
such an error only once it has happened (nothing is checked before: the commands run from
cron and from the tests, and reading the migration graph costs a few hundred
milliseconds) and turns it into a ``CommandError`` that says what to do: Django prints it
and exits with status 1. Any other database error is a fault of the code and keeps its
traceback. The command's own transactions have rolled back by then: nothing is half-written.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _


def unusable_database(alias: str = DEFAULT_DB_ALIAS) -> str:
    """Why the database cannot be used, in a sentence; "" if it can (as far as this tells)."""
    connection = connections[alias]
    try:
        connection.ensure_connection()
    except DatabaseError as error:
        return _("Databasen går inte att nå (%(database)s): %(error)s") % {
            "database": connection.settings_dict.get("NAME") or alias,
            "error": str(error).strip() or error.__class__.__name__,
        }
    try:
        executor = MigrationExecutor(connection)
        missing = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return ""
    if missing:
        return _(
            "Databasen är inte uppdaterad: %(count)d migreringar har inte körts. "
            "Kör först: python manage.py migrate"
        ) % {"count": len(missing)}
    return ""


class SiteCommand(BaseCommand):
    """``BaseCommand`` that answers an unusable database with a clear message and status 1."""

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except DatabaseError as error:
            for connection in connections.all(initialized_only=True):
                # A failed statement may have left PostgreSQL's transaction aborted.
                if connection.in_atomic_block:
                    raise
                connection.close()
            reason = unusable_database()
            if reason:
                raise CommandError(reason) from error
            raise
