"""One new slug at a time under each parent page: creations, changes of slug, copies, moves.

Wagtail's create view checks that the new page's slug is free among its siblings, then
saves; a page with the same slug saved by another editor in between makes the save fail
its validation, which the view does not expect (a server error). Its edit view does the
same when an edit gives a page another slug, its copy view when it copies, and its move
view checks the slug under the new parent, then moves (with no check when it saves): such
edits, copies and moves take the same lock (``fss_site.wagtail_hooks``; a move checks
again under it). Holding a lock per parent page from before the form is validated until
the response is finished (after the new page is committed, whether or not the view saves
it in a transaction) makes the second request validate after the first has saved: it gets
the usual form error ("the slug is in use") instead. The parent page was read before the
lock was taken; its tree fields are read again under the lock (treebeard decides from
``numchild`` whether the parent has children at all, for the slug check as for the new
page's tree path).

* PostgreSQL: a session-level advisory lock on (``PAGE_CREATE_LOCK``, parent id), shared
  by every process and server; released at the end of the request (and by PostgreSQL
  itself if the connection is closed first).
* Other databases (SQLite in development): a lock per parent in this process.
"""

import threading
from contextvars import ContextVar

from django.core.signals import request_finished
from django.db import connection

# Class id of the advisory locks taken here (a fixed 31-bit number; "FSSP").
PAGE_CREATE_LOCK = 0x46535350

_held: ContextVar[tuple | None] = ContextVar("fss_page_create_lock", default=None)
_local_locks: dict[int, threading.Lock] = {}
_local_locks_guard = threading.Lock()


def _local_lock(parent_id: int) -> threading.Lock:
    with _local_locks_guard:
        return _local_locks.setdefault(parent_id, threading.Lock())


def lock_parent(parent_page) -> None:
    """Wait until no other request creates a page under this parent, then hold the lock
    and bring the parent's tree fields up to date."""
    acquire(parent_page.pk)
    parent_page.refresh_from_db(fields=["path", "depth", "numchild"])


def acquire(parent_id: int) -> None:
    """Wait until no other request creates a page under this parent; hold the lock."""
    if _held.get() is not None:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [PAGE_CREATE_LOCK, parent_id])
        _held.set(("postgresql", parent_id, connection.connection))
    else:
        lock = _local_lock(parent_id)
        lock.acquire()
        _held.set(("local", parent_id, lock))


def release(**kwargs) -> None:
    held = _held.get()
    if held is None:
        return
    _held.set(None)
    kind, parent_id, handle = held
    if kind == "local":
        handle.release()
        return
    # Only on the connection that took it; a closed connection has released it already.
    if connection.connection is not None and connection.connection is handle:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [PAGE_CREATE_LOCK, parent_id])


request_finished.connect(release, dispatch_uid="fss-page-create-lock")
