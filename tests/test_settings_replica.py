"""The primary/replica router with DATABASE_REPLICA_URL set: public GET/HEAD requests read
from the replica; writes, the admin, previews, POSTs, transactions, sessions, login
records and everything outside a request (commands, cron) use the primary.

Runs in a fresh process whose settings have a replica (the test settings otherwise have
none); the decisions are taken by the real middleware and router, inside real requests.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r"""
import json, django
django.setup()
from django.contrib.sessions.models import Session
from django.db import router, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from axes.models import AccessAttempt
from wagtail.models import Page
from fss_site.db_router import ReplicaRoutingMiddleware

seen = {}

def view(request):
    seen["page"] = router.db_for_read(Page)
    seen["session"] = router.db_for_read(Session)
    seen["axes"] = router.db_for_read(AccessAttempt)
    seen["write"] = router.db_for_write(Page)
    with transaction.atomic():
        seen["in_transaction"] = router.db_for_read(Page)
    return HttpResponse("ok")

middleware = ReplicaRoutingMiddleware(view)
rf = RequestFactory()
results = {}
def ask(name, request):
    seen.clear()
    middleware(request)
    results[name] = dict(seen)

ask("public_get", rf.get("/blogg/"))
ask("public_head", rf.head("/"))
ask("public_post", rf.post("/kontakt/", {"namn": "x"}))
ask("admin_get", rf.get("/admin/pages/3/edit/"))
dummy = rf.get("/om-fss/")
dummy.is_dummy = True  # what Wagtail marks a preview's stand-in request with
ask("preview", dummy)
results["outside_request"] = router.db_for_read(Page)
results["allow_migrate"] = {
    alias: router.allow_migrate(alias, "wagtailcore") for alias in ("default", "replica")
}
primary, replica = Session(), Session()
primary._state.db, replica._state.db = "default", "replica"
results["allow_relation"] = router.allow_relation(primary, replica)
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def decisions(tmp_path_factory):
    database = tmp_path_factory.mktemp("replica") / "fss.sqlite3"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "fss_site.settings.test",
        "DATABASE_URL": f"sqlite:///{database}",
        "DATABASE_REPLICA_URL": f"sqlite:///{database}",
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_public_reads_go_to_the_replica(decisions):
    for name in ("public_get", "public_head"):
        assert decisions[name]["page"] == "replica", name


def test_writes_and_transactions_stay_on_the_primary(decisions):
    for name in ("public_get", "public_post", "admin_get", "preview"):
        assert decisions[name]["write"] == "default", name
        assert decisions[name]["in_transaction"] == "default", name


def test_sessions_and_login_records_read_from_the_primary(decisions):
    assert decisions["public_get"]["session"] == "default"
    assert decisions["public_get"]["axes"] == "default"


def test_admin_previews_posts_and_commands_read_from_the_primary(decisions):
    assert decisions["public_post"]["page"] == "default"
    assert decisions["admin_get"]["page"] == "default"
    assert decisions["preview"]["page"] == "default"
    assert decisions["outside_request"] == "default"


def test_migrations_only_on_the_primary_and_relations_allowed(decisions):
    assert decisions["allow_migrate"] == {"default": True, "replica": False}
    assert decisions["allow_relation"] is True
