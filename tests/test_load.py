"""The site under granian: 10,000 requests over 64 connections, no 5xx, no socket error;
and a request body the application refuses without reading still gets its answer.

A throw-away database (a temporary SQLite file, or a fresh PostgreSQL database when the
suite runs on PostgreSQL) is migrated and filled with ``import_seeds`` in subprocesses.
granian serves it with the production settings (``deploy/granian.env``: WSGI worker
processes with keep-alive) on a free port, two workers, the page cache in Redis (its own
database number) when Redis answers on 127.0.0.1:6379; a bounded client (threads with keep-alive
``http.client`` connections) sends the requests over the public pages on loopback.

Every one of the 10,000 requests must be answered within RUN_SECONDS (a bound against a
hung server, far above what the run takes), none with a 5xx or a socket error.

The same server (one per module: the migration and the import take most of the time) is
sent forms that Django refuses before it reads them (fss_site.request_body).
"""

import contextlib
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter

import pytest
from dbutil import ON_POSTGRES
from django.conf import settings
from granian_env import GRANIAN, read_env_file

from tests.ports import free_port

CONCURRENCY = 64
TOTAL_REQUESTS = 10_000
RUN_SECONDS = 300
# The load test's own Redis database, apart from a developer's cache in database 0: one
# per database engine, so that the suite can run on SQLite and PostgreSQL at the same time.
REDIS_URL = f"redis://127.0.0.1:6379/{6 if ON_POSTGRES else 5}"

FIXED_PATHS = [
    "/",
    "/blogg/",
    "/talespersoner/",
    "/kalendarium/",
    "/sok/?q=socialtj%C3%A4nst",
    "/sok/?q=%C3%A4ldreomsorg",
    "/flode/rss/",
    "/flode/atom/",
    "/sitemap.xml",
    "/kalendarium/ical/alla.ics",
    "/robots.txt",
]


def _run(args, env, timeout=300):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _get(conn, path):
    conn.request("GET", path, headers={"Host": "127.0.0.1", "Connection": "keep-alive"})
    response = conn.getresponse()
    body = response.read()
    return response.status, body


@pytest.fixture(scope="module")
def database_url():
    """A database only this test uses, removed afterwards."""
    if ON_POSTGRES:
        db = settings.DATABASES["default"]
        user = db.get("USER") or "postgres"
        host = db.get("HOST") or "127.0.0.1"
        port = db.get("PORT") or 5432
        name = f"fss_load_{uuid.uuid4().hex[:10]}"
        admin = ["psql", "-h", host, "-p", str(port), "-U", user, "-d", "postgres", "-c"]
        subprocess.run([*admin, f"CREATE DATABASE {name}"], check=True, capture_output=True)
        try:
            yield f"postgres://{user}@{host}:{port}/{name}"
        finally:
            subprocess.run(
                [*admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
                check=False,
                capture_output=True,
            )
    else:
        directory = tempfile.mkdtemp(prefix="fss-load-")
        try:
            yield f"sqlite:///{directory}/load.sqlite3"
        finally:
            shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def server(database_url):
    """granian (two workers) serving the seeded site on a free loopback port."""
    if not GRANIAN.exists():
        pytest.skip("granian is not installed in .venv")
    media = tempfile.mkdtemp(prefix="fss-load-media-")
    env = {name: value for name, value in os.environ.items() if not name.startswith("GRANIAN_")}
    env = {
        **env,
        **read_env_file(),
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "fss_site.settings.dev",
        "DJANGO_DEBUG": "0",
        "MEDIA_ROOT": media,
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DATABASE_REPLICA_URL", None)
    if _redis_answers():
        env["REDIS_URL"] = REDIS_URL
    else:
        env.pop("REDIS_URL", None)
    _run(["migrate", "--noinput"], env)
    _run(["import_seeds"], env)
    port = free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    process = subprocess.Popen(
        [
            str(GRANIAN),
            "fss_site.wsgi:application",
            "--workers",
            "2",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, "granian exited at start-up"
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                status, _body = _get(conn, "/health/live/")
                conn.close()
                if status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "granian did not answer in time"
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.seek(0)
        server_log = log.read().decode(errors="replace")
        log.close()
        shutil.rmtree(media, ignore_errors=True)
        if "Traceback" in server_log:
            print(server_log[-5000:])  # noqa: T201 - shown when the test fails


def _public_paths(port):
    """The fixed routes plus a post, a person, an event and a topic page from the sitemap."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    status, body = _get(conn, "/sitemap.xml")
    conn.close()
    assert status == 200
    locs = [
        re.sub(r"^https?://[^/]+", "", loc)
        for loc in re.findall(r"<loc>([^<]+)</loc>", body.decode())
    ]
    picked = []
    for prefix in ["/blogg/", "/talespersoner/", "/kalendarium/", "/amne/"]:
        deeper = [loc for loc in locs if loc.startswith(prefix) and loc.count("/") >= 3]
        deeper = [loc for loc in deeper if loc != prefix]
        assert deeper, f"no page under {prefix} in the sitemap"
        picked.extend(deeper[:2])
    return FIXED_PATHS + picked


def test_public_pages_under_load_never_answer_5xx(server):
    port = server
    paths = _public_paths(port)
    statuses = Counter()
    errors = []
    failures = []
    lock = threading.Lock()
    counter = iter(range(TOTAL_REQUESTS))
    deadline = time.monotonic() + RUN_SECONDS

    def worker():
        conn = None
        while time.monotonic() < deadline:
            with lock:
                index = next(counter, None)
            if index is None:
                break
            path = paths[index % len(paths)]
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status, _body = _get(conn, path)
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    errors.append(f"{path}: {error!r}")
                if conn is not None:
                    conn.close()
                conn = None
                continue
            with lock:
                statuses[status] += 1
                if status >= 500 or status not in {200, 301, 302}:
                    failures.append((path, status))
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(RUN_SECONDS + 60)

    done = sum(statuses.values())
    assert errors == [], errors[:10]
    assert failures == [], failures[:10]
    assert done == TOTAL_REQUESTS, f"only {done} requests answered in {RUN_SECONDS} s"
    assert statuses[200] > TOTAL_REQUESTS // 2, statuses


# -- Bodies the application does not read --------------------------------------------------

# Large enough that the client is still sending when an answer that leaves the body unread
# would close the connection (smaller bodies fit in the sockets' buffers).
UPLOAD_SIZE = 8 * 1024 * 1024


def _multipart(size: int) -> tuple[str, bytes]:
    boundary = "fssgranskning"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        'filename="rapport.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body = head + b"%" * (size - len(head) - len(tail)) + tail
    return f"multipart/form-data; boundary={boundary}", body


def _request_head(method, path, content_type, length) -> bytes:
    return (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


def _answer(sock):
    response = http.client.HTTPResponse(sock)
    response.begin()
    return response.status, dict(response.getheaders()), response.read()


CSRF_SECRET = "k" * 32


@pytest.mark.parametrize(
    ("content_type", "body", "cookie", "status", "says"),
    [
        # Refused by the CSRF check before it is read: the cookie is gone (an editor's
        # upload after the cookies were cleared).
        (*_multipart(UPLOAD_SIZE), "", 403, "Formuläret kunde inte skickas"),
        # Refused for its size before it is read: a form over DATA_UPLOAD_MAX_MEMORY_SIZE.
        (
            "application/x-www-form-urlencoded",
            b"text=" + b"a" * UPLOAD_SIZE,
            f"csrftoken={CSRF_SECRET}",
            400,
            "",
        ),
    ],
    ids=["csrf", "too-large"],
)
def test_a_refused_body_gets_its_answer_and_the_connection_stays_open(
    server, content_type, body, cookie, status, says
):
    head = _request_head("POST", "/admin/login/", content_type, len(body))
    if cookie:
        extra = f"Cookie: {cookie}\r\nX-CSRFToken: {CSRF_SECRET}\r\n\r\n".encode()
        head = head[:-2] + extra
    with socket.create_connection(("127.0.0.1", server), timeout=30) as sock:
        # Sent whole, as a browser or Varnish sends it, before the answer is read: without
        # the rest of the body read, granian closes the connection and this fails.
        sock.sendall(head + body)
        answer_status, _headers, page = _answer(sock)
        assert answer_status == status
        assert says in page.decode()
        # The same connection answers the next request.
        sock.sendall(b"GET /health/live/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert _answer(sock)[0] == 200


def test_a_body_announced_over_the_limit_is_not_waited_for(server):
    """Nobody reads 30 MB that the TLS proxy would not pass on: the refusal comes at once,
    without the body, and the connection is closed."""
    content_type, _body = _multipart(1024)
    with socket.create_connection(("127.0.0.1", server), timeout=10) as sock:
        sock.sendall(_request_head("POST", "/admin/login/", content_type, 30 * 1024 * 1024))
        started = time.monotonic()
        status, _headers, _page = _answer(sock)
        assert status == 403
        assert time.monotonic() - started < 5
        sock.settimeout(5)
        with contextlib.suppress(ConnectionResetError):
            assert sock.recv(1) == b""
