"""The application server's worker: what is loaded at start is left out of garbage
collection (fss_site/wsgi.py)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import gc
before = gc.get_freeze_count()
import fss_site.wsgi
print(before, gc.get_freeze_count(), len(gc.get_objects()))
"""


def test_objects_loaded_at_start_are_frozen():
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "fss_site.settings.test", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    before, frozen, still_tracked = map(int, result.stdout.split())
    assert before == 0
    # Django, Wagtail and the apps: far more frozen than the collector still looks at.
    assert frozen > 50_000
    assert still_tracked < frozen / 5
