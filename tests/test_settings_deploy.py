"""The deployment files in deploy/: granian's settings are options granian accepts and it
serves the application with them, the systemd unit runs it, the cron jobs run commands
that exist, Varnish accepts PURGE only from where the VCL says, and the example TLS proxy
configuration is one that nginx accepts.

The Varnish tests run when varnishd is installed (Debian package "varnish"); they point
the example's backends and purge list at 127.0.0.1 and send traffic only there.
"""

import http.client
import os
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest
from granian_env import ENV_FILE, GRANIAN, read_env_file

from tests.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"


def _granian_options():
    """granian's command-line options by the GRANIAN_* variable that sets each."""
    import click
    from granian.cli import cli

    return {
        f"GRANIAN_{param.name.upper()}": param
        for param in cli.params
        if isinstance(param, click.Option)
    }


def test_granian_env_file_sets_only_options_granian_accepts(monkeypatch):
    import click
    from granian.cli import cli

    values = read_env_file()
    options = _granian_options()
    unknown = sorted(set(values) - set(options))
    assert unknown == [], f"not granian options: {unknown}"

    # granian reads them the way `granian fss_site.wsgi:application` does at start.
    for name in list(os.environ):
        if name.startswith("GRANIAN_"):
            monkeypatch.delenv(name)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    ctx = cli.make_context("granian", ["fss_site.wsgi:application"], auto_envvar_prefix="GRANIAN")
    for name in values:
        param = options[name].name
        assert ctx.get_parameter_source(param) == click.core.ParameterSource.ENVIRONMENT, name
    config = ctx.params
    assert config["interface"].value == "wsgi"
    assert config["host"] == "127.0.0.1"
    assert config["port"] == 8000
    assert config["http"].value == "1"
    assert config["websockets"] is False
    assert config["workers"] >= 1
    assert config["blocking_threads"] >= 1
    assert config["backlog"] >= 128
    assert config["http1_keep_alive"] is True
    # Idle keep-alive connections last as long as the header read timeout: at least as
    # long as Varnish keeps idle backend connections (backend_idle_timeout, 60 s).
    assert config["http1_header_read_timeout"] >= 60_000
    assert config["respawn_failed_workers"] is True
    assert config["workers_lifetime"] >= 3600
    assert 0 < config["workers_kill_timeout"] < _unit_stop_timeout()
    # Search terms must not reach the logs: the format has no query string.
    assert "query_string" not in config["log_access_fmt"]
    assert "%(path)s" in config["log_access_fmt"]


def test_granian_env_file_reads_the_same_in_the_shell():
    """deploy/run-stack.sh sources the file (set -a; . file): the same values come out."""
    script = f"set -a; . {shlex.quote(str(ENV_FILE))}; env -0"
    result = subprocess.run(  # noqa: S603
        ["/bin/bash", "-c", script],
        env={"PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        check=True,
    )
    shell = dict(item.split("=", 1) for item in result.stdout.split("\0") if item)
    shell = {key: value for key, value in shell.items() if key.startswith("GRANIAN_")}
    assert shell == read_env_file()


def _children(pid):
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return set(path.read_text().split()) if path.exists() else set()


def _get_status(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _wait_for(predicate, process, what, seconds=60):
    deadline = time.monotonic() + seconds
    while True:
        assert process.poll() is None, f"granian exited: {what}"
        try:
            if predicate():
                return
        except OSError:
            pass
        assert time.monotonic() < deadline, f"granian: {what}"
        time.sleep(0.2)


@pytest.mark.skipif(not GRANIAN.exists(), reason="granian saknas i .venv")
def test_granian_serves_the_application_with_the_env_file(tmp_path):
    """The unit's command with the env file answers, reloads on HUP and logs no query."""
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "fss_site.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path}/unused.sqlite3",
        **read_env_file(),
        "GRANIAN_PORT": str(port),
        # Off in production; switched on here to check the file's format.
        "GRANIAN_LOG_ACCESS_ENABLED": "true",
    }
    log = tmp_path / "granian.log"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603
            [str(GRANIAN), "fss_site.wsgi:application"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(
            lambda: _get_status(port, "/health/live/?q=hemligt+s%C3%B6kord") == 200,
            process,
            "did not answer /health/live/",
        )
        workers = _children(process.pid)
        assert len(workers) == int(env["GRANIAN_WORKERS"])

        # systemctl reload: every worker is replaced, and the server keeps answering.
        process.send_signal(signal.SIGHUP)
        _wait_for(
            lambda: (
                not (_children(process.pid) & workers)
                and len(_children(process.pid)) == len(workers)
            ),
            process,
            "did not replace its workers after HUP",
        )
        _wait_for(lambda: _get_status(port, "/health/live/") == 200, process, "no answer after HUP")
    finally:
        process.terminate()
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    output = log.read_text(errors="replace")
    assert process.returncode == 0, output[-3000:]
    assert '"GET /health/live/ HTTP/1.1" 200' in output
    assert "hemligt" not in output
    assert "/health/live/?" not in output


def _unit():
    return (DEPLOY / "systemd" / "fss-site.service").read_text()


def _unit_stop_timeout():
    return int(re.search(r"^TimeoutStopSec=(\d+)$", _unit(), re.MULTILINE).group(1))


def test_systemd_unit_runs_granian_with_the_env_file():
    unit = _unit()
    exec_start = re.search(r"^ExecStart=(.+)$", unit, re.MULTILINE).group(1).split()
    assert exec_start[0] == "/srv/fss-site/.venv/bin/granian"
    assert exec_start[1:] == ["fss_site.wsgi:application"]
    environment_files = re.findall(r"^EnvironmentFile=(.+)$", unit, re.MULTILINE)
    # The site's own file last, so that it may override the server's defaults.
    assert environment_files == ["/srv/fss-site/deploy/granian.env", "/etc/fss-site/env"]
    assert "ExecReload=/bin/kill -s HUP $MAINPID" in unit
    # granian sends no readiness notification: Type=notify would never start.
    assert re.search(r"^Type=(exec|simple)$", unit, re.MULTILINE)
    assert "Restart=on-failure" in unit
    assert "ProtectSystem=strict" in unit and "NoNewPrivileges=true" in unit


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


def _local_vcl(tmp_path):
    """The example VCL with the app servers replaced by (closed) local ports."""
    vcl = (DEPLOY / "varnish" / "default.vcl").read_text()
    app_servers = set(re.findall(r'\.host = "([\d.]+)";', vcl))
    assert app_servers, "no backends"
    acl = re.search(r"acl purge \{(.*?)\}", vcl, re.DOTALL).group(1)
    assert app_servers <= set(re.findall(r'"([^"]+)"', acl)), "app servers may not purge"
    for address in app_servers:
        vcl = vcl.replace(f'"{address}"', '"127.0.0.1"')
    vcl = re.sub(r'\.port = "\d+";', f'.port = "{free_port()}";', vcl)
    path = tmp_path / "local.vcl"
    path.write_text(vcl)
    shutil.copy(DEPLOY / "varnish" / "shared.vcl", tmp_path)  # included by the VCL
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
    port = free_port()
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


def test_the_stack_refuses_to_start_on_a_port_another_program_listens_on(tmp_path):
    """A server that shares the port would answer part of the requests: the stack says so
    and starts nothing."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        taken = other.getsockname()[1]
        env = {
            "PATH": os.environ.get("PATH", ""),
            "STACK_DIR": str(tmp_path / "stack"),
            "APP_PORT": str(free_port()),
            "SEEDS_PORT": str(taken),
            "VARNISH_PORT": str(free_port()),
            "STATIC_PORT": str(free_port()),
        }
        result = subprocess.run(  # noqa: S603
            [str(DEPLOY / "run-stack.sh"), "start"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"Port {taken} används redan" in result.stderr
    assert not list((tmp_path / "stack").glob("*.pid"))


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _site_conf(tmp_path, replace=()):
    """The TLS proxy's example as an http block of its own, with a certificate made for the
    test and the logs in the test's directory; ``replace``: more (pattern, text) pairs."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    site = (DEPLOY / "nginx" / "fss-site.conf").read_text()
    site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};", site)
    site = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};", site)
    site = re.sub(r"access_log\s+/\S+", f"access_log {tmp_path / 'access.log'}", site)
    for pattern, text in replace:
        site = re.sub(pattern, text, site)
    temp_paths = "".join(
        f"{name}_temp_path {tmp_path / name};\n"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"pid {tmp_path / 'nginx.pid'};\nevents {{}}\nhttp {{\n{temp_paths}{site}\n}}\n"
    )
    return conf


def _nginx(tmp_path, conf, *args):
    return subprocess.run(
        [NGINX, *args, "-c", str(conf), "-p", str(tmp_path), "-e", str(tmp_path / "e.log")],
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx saknas")
def test_example_nginx_conf_is_accepted_by_this_machines_nginx(tmp_path):
    """The TLS proxy's example passes ``nginx -t``."""
    result = _nginx(tmp_path, _site_conf(tmp_path), "-t", "-q")
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx saknas")
def test_the_tls_proxys_own_errors_are_swedish_pages(tmp_path):
    """Varnish not answering (502) and a request too large (413): the pages in
    deploy/nginx/errors/, not nginx's English ones."""
    http_port, https_port, nobody = free_port(), free_port(), free_port()
    conf = _site_conf(
        tmp_path,
        [
            (r"listen \[::\]:\d+[^;]*;", ""),
            (r"listen 80;", f"listen 127.0.0.1:{http_port};"),
            (r"listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl;"),
            (r"proxy_pass http://127\.0\.0\.1:6081;", f"proxy_pass http://127.0.0.1:{nobody};"),
            (r"alias /srv/fss-site/deploy/nginx/errors/;", f"alias {DEPLOY}/nginx/errors/;"),
        ],
    )
    started = _nginx(tmp_path, conf)
    assert started.returncode == 0, started.stderr
    try:
        connection = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
        for _ in range(100):
            try:
                connection.request("GET", "/blogg/")
                break
            except ConnectionRefusedError:
                time.sleep(0.05)
        response = connection.getresponse()
        body = response.read().decode()
        assert response.status == 502
        assert '<html lang="sv">' in body
        assert "<h1>Sidan kan inte visas just nu</h1>" in body

        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        connection = http.client.HTTPSConnection(
            "127.0.0.1", https_port, timeout=10, context=context
        )
        connection.putrequest("POST", "/admin/documents/multiple/add/")
        connection.putheader("Content-Length", str(30 * 1024 * 1024))
        connection.endheaders()
        response = connection.getresponse()
        body = response.read().decode()
        assert response.status == 413
        assert '<html lang="sv">' in body
        assert "<h1>Det du skickade är för stort</h1>" in body
    finally:
        _nginx(tmp_path, conf, "-s", "stop")
