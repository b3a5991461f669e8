"""The site's management commands with a database they cannot use: a sentence and status 1,
no traceback (fss_site/commands.py). Run as an operator runs them: ``manage.py`` in a
process of its own, on a new SQLite file that was never migrated, and on an address where
no PostgreSQL answers."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from fss_site.commands import unusable_database
from tests.ports import free_port

COMMANDS = [
    ["import_seeds"],
    ["setup_site"],
    ["create_local_admin"],
    ["generate_content", "--posts", "1"],
    ["warm_renditions"],
    ["send_contact_requests"],
    ["purge_contact_requests"],
]

# Every command in one process (one start of Django), each as manage.py would run it.
RUN_ALL = """
import sys
from django.core.management import ManagementUtility
for argv in {commands!r}:
    try:
        ManagementUtility(["manage.py", *argv]).execute()
    except SystemExit as exit:
        print("exit", argv[0], exit.code, file=sys.stderr)
    else:
        print("exit", argv[0], 0, file=sys.stderr)
"""


def _run(database_url, code):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "fss_site.settings.dev",
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _exits(stderr):
    return {
        line.split()[1]: int(line.split()[2])
        for line in stderr.splitlines()
        if line.startswith("exit ")
    }


def test_every_command_on_a_database_never_migrated_says_to_migrate(tmp_path):
    result = _run(f"sqlite:///{tmp_path / 'ny.sqlite3'}", RUN_ALL.format(commands=COMMANDS))
    assert _exits(result.stderr) == {argv[0]: 1 for argv in COMMANDS}, result.stderr
    assert "Traceback" not in result.stderr
    messages = [line for line in result.stderr.splitlines() if line.startswith("CommandError")]
    assert len(messages) == len(COMMANDS)
    assert all("Kör först: python manage.py migrate" in line for line in messages), messages


def test_a_command_where_no_database_answers_says_so():
    url = f"postgres://postgres@127.0.0.1:{free_port()}/fss"
    result = _run(url, RUN_ALL.format(commands=[["send_contact_requests"]]))
    assert _exits(result.stderr) == {"send_contact_requests": 1}, result.stderr
    assert "Traceback" not in result.stderr
    assert "CommandError: Databasen går inte att nå (fss)" in result.stderr


@pytest.mark.django_db
def test_a_usable_database_has_nothing_to_say():
    """On a migrated database any other error keeps its traceback: it is a fault."""
    assert unusable_database() == ""
