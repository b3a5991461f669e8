"""Static security analysis: bandit finds no medium or high issue in the project's code.

Configuration (excluded directories, the skipped checks and why) is ``[tool.bandit]`` in
pyproject.toml.
"""

import json
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

BANDIT = Path(settings.BASE_DIR) / ".venv" / "bin" / "bandit"
PACKAGES = ["fss_site", "blog", "people", "events", "seeds"]


@pytest.mark.skipif(not BANDIT.exists(), reason="bandit is not installed in .venv")
def test_bandit_reports_no_medium_or_high_issues():
    result = subprocess.run(
        [str(BANDIT), "-c", "pyproject.toml", "-r", *PACKAGES, "-ll", "-f", "json", "-q"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(result.stdout)
    assert report["errors"] == [], report["errors"]
    scanned = report["metrics"]["_totals"]["loc"]
    assert scanned > 1000, "bandit scanned (almost) nothing"
    findings = [
        f"{item['filename']}:{item['line_number']} {item['test_id']} {item['issue_text']}"
        for item in report["results"]
    ]
    assert findings == []
    assert result.returncode == 0, result.stderr
