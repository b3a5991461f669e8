"""Helpers for tests that talk to the test database from another process."""

import os

from django.conf import settings

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


def subprocess_database_url() -> str:
    """The URL of the (PostgreSQL) test database, for subprocesses."""
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"
