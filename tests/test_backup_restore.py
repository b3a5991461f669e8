"""The backup and restore drill restores a real dump into a fresh PostgreSQL database."""

import os
import subprocess
from io import StringIO

import pytest
from dbutil import ON_POSTGRES, subprocess_database_url
from django.conf import settings
from django.core.management import call_command

SCRIPT = settings.BASE_DIR / "scripts" / "backup_restore_drill.sh"
needs_postgres = pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL")


@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_drill_restores_the_imported_site():
    call_command("import_seeds", stdout=StringIO())
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fss_site.settings.test"}
    result = subprocess.run(  # noqa: S603
        ["bash", str(SCRIPT), subprocess_database_url()],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "blog_blogpage: 12 rader" in result.stdout
    assert "Återläsningen stämmer." in result.stdout


def test_drill_refuses_a_non_postgres_address():
    result = subprocess.run(  # noqa: S603
        ["bash", str(SCRIPT), "sqlite:///db.sqlite3"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "PostgreSQL" in result.stderr
