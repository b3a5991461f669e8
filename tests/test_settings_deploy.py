"""The deployment files in deploy/: gunicorn's configuration loads, the cron jobs run
commands that exist, and Varnish accepts PURGE only from where the VCL says.

The Varnish tests run when varnishd is installed (Debian package "varnish"); they point
the example's backends and purge list at 127.0.0.1 and send traffic only there.
"""

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"


def test_gunicorn_configuration_loads_with_workers_from_cpu_count():
    script = (
        "import runpy, json, multiprocessing;"
        f"c = runpy.run_path({str(DEPLOY / 'gunicorn.conf.py')!r});"
        "print(json.dumps({k: c[k] for k in ('workers', 'threads', 'keepalive', 'timeout',"
        " 'graceful_timeout', 'bind', 'worker_class')}), multiprocessing.cpu_count())"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        env={"PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        check=True,
    )
    config_text, cpus = result.stdout.rsplit(" ", 1)
    config = json.loads(config_text)
    assert config["workers"] == min(int(cpus) * 2 + 1, 12)
    assert config["keepalive"] > 60  # longer than Varnish's backend idle timeout
    assert 0 < config["timeout"] <= 60
    assert config["graceful_timeout"] > 0
    assert config["bind"] == "127.0.0.1:8000"
    assert config["worker_class"] == "gthread"

    check = subprocess.run(  # noqa: S603
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--check-config",
            "-c",
            str(DEPLOY / "gunicorn.conf.py"),
            "fss_site.wsgi:application",
        ],
        cwd=ROOT,
        env={
            "PATH": os.environ.get("PATH", ""),
            "DJANGO_SETTINGS_MODULE": "fss_site.settings.test",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr


def test_systemd_unit_runs_gunicorn_with_that_configuration():
    unit = (DEPLOY / "systemd" / "fss-site.service").read_text()
    exec_start = re.search(r"^ExecStart=(.+)$", unit, re.MULTILINE).group(1)
    assert "gunicorn fss_site.wsgi:application" in exec_start
    assert exec_start.endswith("/deploy/gunicorn.conf.py")
    assert "EnvironmentFile=/etc/fss-site/env" in unit
    assert "ExecReload=/bin/kill -s HUP $MAINPID" in unit


def _cron_jobs():
    jobs = []
    for line in (DEPLOY / "cron" / "fss-site").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or re.match(r"^[A-Z]+=", line):
            continue
        fields = line.split(None, 6)
        assert len(fields) == 7, line
        jobs.append((" ".join(fields[:5]), fields[5], fields[6]))
    return jobs


def test_cron_runs_the_scheduled_commands():
    from django.core.management import get_commands

    schedules = {}
    for schedule, user, command in _cron_jobs():
        assert user == "fss"
        match = re.search(r"deploy/bin/fss-manage (\S+)", command)
        assert match, command
        assert match.group(1) in get_commands(), match.group(1)
        assert command.startswith("flock -n ")
        schedules[match.group(1)] = schedule
    assert schedules["publish_scheduled"] == "*/5 * * * *"
    assert schedules["send_contact_requests"] == "*/5 * * * *"
    minute, hour, *rest = schedules["purge_contact_requests"].split()
    assert minute.isdigit() and hour.isdigit() and rest == ["*", "*", "*"]
    assert os.access(DEPLOY / "bin" / "fss-manage", os.X_OK)


# --- Varnish ---------------------------------------------------------------------------

needs_varnish = pytest.mark.skipif(not Path(VARNISHD).exists(), reason="varnishd saknas")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _local_vcl(tmp_path):
    """The example VCL with the app servers replaced by (closed) local ports."""
    vcl = (DEPLOY / "varnish" / "default.vcl").read_text()
    app_servers = set(re.findall(r'\.host = "([\d.]+)";', vcl))
    assert app_servers, "no backends"
    acl = re.search(r"acl purge \{(.*?)\}", vcl, re.DOTALL).group(1)
    assert app_servers <= set(re.findall(r'"([^"]+)"', acl)), "app servers may not purge"
    for address in app_servers:
        vcl = vcl.replace(f'"{address}"', '"127.0.0.1"')
    vcl = re.sub(r'\.port = "\d+";', f'.port = "{_free_port()}";', vcl)
    path = tmp_path / "local.vcl"
    path.write_text(vcl)
    return path


@needs_varnish
def test_example_vcl_compiles(tmp_path):
    result = subprocess.run(  # noqa: S603
        [VARNISHD, "-C", "-n", str(tmp_path / "n"), "-f", str(DEPLOY / "varnish" / "default.vcl")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.fixture
def varnish(tmp_path):
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603
        [
            VARNISHD,
            "-F",
            "-j",
            "none",
            "-n",
            str(tmp_path / "n"),
            "-a",
            f"127.0.0.1:{port}",
            "-f",
            str(_local_vcl(tmp_path)),
            "-s",
            "malloc,16m",
            "-T",
            "none",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(process.stdout.read().decode()[-2000:])
            time.sleep(0.2)
    try:
        yield port
    finally:
        process.terminate()
        process.wait(timeout=15)


def _purge(port, source="127.0.0.1", headers=None):
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=5, source_address=(source, 0)
    )
    try:
        connection.request(
            "PURGE", "/om-fss/", headers={"Host": "www.socialchefer.se"} | (headers or {})
        )
        return connection.getresponse().status
    finally:
        connection.close()


@needs_varnish
def test_varnish_accepts_purge_only_from_the_purge_list(varnish):
    # From this host, as Wagtail on an application server sends it: accepted.
    assert _purge(varnish) == 200
    # From another address (127.0.0.2 is not in the list): refused.
    assert _purge(varnish, source="127.0.0.2") == 405
    # Relayed by the TLS proxy on this host (it sets X-Forwarded-Proto): refused.
    assert _purge(varnish, headers={"X-Forwarded-Proto": "https"}) == 405
