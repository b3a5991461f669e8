"""The import under faults, on PostgreSQL: killed part-way, and two runs at once."""

import os
import signal
import subprocess
import sys
import threading
import time
from io import StringIO

import pytest
from dbutil import ON_POSTGRES, subprocess_database_url
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections

from blog.models import BlogPage
from people.models import PersonPage
from seeds.importer import ADVISORY_LOCK_KEY

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL")


def _lock_held_by_other_backend():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s "
            "AND granted AND pid <> pg_backend_pid()",
            [ADVISORY_LOCK_KEY],
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_import_killed_part_way_leaves_nothing_and_next_run_completes():
    env = {**os.environ, "DATABASE_URL": subprocess_database_url()}
    env["DJANGO_SETTINGS_MODULE"] = "fss_site.settings.test"
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "import_seeds"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not _lock_held_by_other_backend():
            assert process.poll() is None, "the import finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        time.sleep(0.5)  # let it write some pages inside its transaction
        assert process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()

    # The server rolls the dead client's transaction back.
    deadline = time.monotonic() + 30
    while _lock_held_by_other_backend() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not BlogPage.objects.exists()
    assert not PersonPage.objects.exists()

    call_command("import_seeds", stdout=StringIO())
    assert BlogPage.objects.live().count() == 12


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_imports_at_once_create_each_page_once():
    errors = []
    outputs = []

    def run_import():
        try:
            out = StringIO()
            call_command("import_seeds", stdout=out)
            outputs.append(out.getvalue())
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run_import) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert BlogPage.objects.count() == 12
    slugs = list(BlogPage.objects.values_list("slug", flat=True))
    assert len(slugs) == len(set(slugs))
    # One run created everything; the other found it all unchanged.
    assert sorted("Inget ändrades" in out for out in outputs) == [False, True]
