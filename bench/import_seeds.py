"""Benchmark: importing the seeds into a fresh SQLite database, then re-running.

Targets on this machine: the first import under 5 s, a re-run under 2 s. Both are timed
inside one process after migrations, so Django's start-up is not counted.

Run with ``make bench`` (or ``.venv/bin/python bench/import_seeds.py``).
"""

import os
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_RUN_TARGET = 5.0
RERUN_TARGET = 2.0


def main() -> int:
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fss_site.settings.test")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        timings = []
        for _ in range(2):
            started = time.perf_counter()
            call_command("import_seeds", stdout=StringIO())
            timings.append(time.perf_counter() - started)

    first, rerun = timings
    rows = [
        ("första importen", first, FIRST_RUN_TARGET),
        ("omkörning", rerun, RERUN_TARGET),
    ]
    lines = ["| körning | sekunder | mål | ok |", "|---|---|---|---|"]
    lines += [
        f"| {name} | {t:.2f} | < {goal:.0f} | {'ja' if t < goal else 'NEJ'} |"
        for name, t, goal in rows
    ]
    table = "\n".join(lines)
    print(table)
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "import_seeds.md").write_text(
        "# Import av startinnehållet (SQLite)\n\n" + table + "\n", encoding="utf-8"
    )
    return 0 if all(t < goal for _, t, goal in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
