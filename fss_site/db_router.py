"""Primary/replica routing for a PostgreSQL read replica (``DATABASE_REPLICA_URL``).

Rules, kept deliberately simple:

* writes always go to the primary ("default");
* reads go to the replica only while a *public, read-only* request is being served (GET or
  HEAD outside the Wagtail admin), and never inside a transaction on the primary;
* everything else reads from the primary too: the admin (an editor must see what they
  just saved), POST requests, management commands and cron jobs, the shell, tests;
* sessions and login-attempt records (django-axes) always use the primary, since a login
  reads them right after writing them;
* relations between objects from either alias are allowed (it is one database);
* migrations run on the primary only.

:class:`ReplicaRoutingMiddleware` marks the requests that may use the replica. Without a
replica in ``DATABASES`` (the router is then not configured) it does nothing that matters.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections

PRIMARY = "default"
REPLICA = "replica"

# Apps whose rows are read straight after they are written, within one login or request.
PRIMARY_ONLY_APPS = frozenset({"sessions", "axes"})

_replica_allowed: ContextVar[bool] = ContextVar("fss_replica_allowed", default=False)

SAFE_METHODS = frozenset({"GET", "HEAD"})


@contextmanager
def replica_reads_allowed(allowed: bool = True):
    """Let reads in this block (this thread or task only) go to the replica."""
    token = _replica_allowed.set(allowed)
    try:
        yield
    finally:
        _replica_allowed.reset(token)


def replica_reads_are_allowed() -> bool:
    return _replica_allowed.get()


class PrimaryReplicaRouter:
    """Reads from the replica during public GET/HEAD requests; all else on the primary."""

    def db_for_read(self, model, **hints):
        if REPLICA not in connections.databases:
            return PRIMARY
        if not _replica_allowed.get():
            return PRIMARY
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:
            # Inside a transaction the primary is authoritative (and may hold locks).
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        databases = {PRIMARY, REPLICA}
        if obj1._state.db in databases and obj2._state.db in databases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


class ReplicaRoutingMiddleware:
    """Allow replica reads for public, read-only requests (not the admin, not POST)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from fss_site.security import is_admin_request

        allowed = request.method in SAFE_METHODS and not is_admin_request(request)
        with replica_reads_allowed(allowed):
            return self.get_response(request)
