"""deploy/varnish/fss.vcl (one server) and default.vcl (several) in a real Varnish, in front
of a small local HTTP server.

Skipped where varnishd is not installed (``deploy/run-stack.sh start`` installs it).
"""

import http.client
import itertools
import re
import shutil
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from fss_site.cache import send_ban
from tests.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
VCL_DIR = ROOT / "deploy" / "varnish"
VARNISHD = shutil.which("varnishd") or (
    "/usr/sbin/varnishd" if Path("/usr/sbin/varnishd").exists() else None
)
pytestmark = pytest.mark.skipif(VARNISHD is None, reason="varnishd saknas")


class Backend(BaseHTTPRequestHandler):
    counter = itertools.count(1)
    seen: list = []

    def do_GET(self):
        Backend.seen.append((self.path, self.headers.get("Cookie")))
        if self.path.startswith("/trasig"):
            # An application that fails: the connection closes without an answer.
            self.close_connection = True
            return
        number = next(Backend.counter)
        body = f"svar {number}".encode()
        self.send_response(200)
        if self.path.startswith("/privat"):
            self.send_header("Cache-Control", "private, no-store")
        else:
            self.send_header("Cache-Control", "public, max-age=60, s-maxage=300")
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def local_vcl(name: str, backend_port: int) -> str:
    """The VCL with its application servers replaced by the local test server."""
    vcl = (VCL_DIR / name).read_text()
    for address in set(re.findall(r'\.host = "([\d.]+)";', vcl)):
        vcl = vcl.replace(f'"{address}"', '"127.0.0.1"')
    return re.sub(r'\.port = "\d+";', f'.port = "{backend_port}";', vcl)


@pytest.fixture(scope="module", params=["fss.vcl", "default.vcl"])
def vcl_name(request):
    return request.param


@pytest.fixture(scope="module")
def varnish(vcl_name):
    backend = ThreadingHTTPServer(("127.0.0.1", 0), Backend)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    # Varnish drops its privileges: its files must be readable by its own user.
    work = Path(tempfile.mkdtemp(prefix="fss-varnish-test-"))
    work.chmod(0o755)
    (work / "fss.vcl").write_text(local_vcl(vcl_name, backend.server_address[1]))
    shutil.copy(VCL_DIR / "shared.vcl", work)  # included by both VCLs
    port = free_port()
    subprocess.run(
        [
            VARNISHD,
            "-a",
            f"127.0.0.1:{port}",
            "-f",
            str(work / "fss.vcl"),
            "-n",
            str(work / "state"),
            "-s",
            "malloc,16m",
            "-P",
            str(work / "varnishd.pid"),
        ],
        check=True,
        capture_output=True,
    )
    try:
        for _ in range(100):
            try:
                request(port, "GET", "/health/ready/")
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        pid = int((work / "varnishd.pid").read_text())
        subprocess.run(["kill", str(pid)], check=False)
        backend.shutdown()
        backend.server_close()
        shutil.rmtree(work, ignore_errors=True)


def request(port, method, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def test_anonymous_pages_are_cached_and_sessions_pass(varnish):
    _, _, first = request(varnish, "GET", "/sida/")
    status, headers, second = request(varnish, "GET", "/sida/", {"Cookie": "csrftoken=x"})
    assert status == 200 and second == first
    assert headers["X-Varnish-Cache"] == "HIT"
    assert "X-Fss-Url" not in headers
    _, headers, logged_in = request(varnish, "GET", "/sida/", {"Cookie": "sessionid=abc"})
    assert logged_in != first and headers["X-Varnish-Cache"] == "MISS"
    assert ("/sida/", "sessionid=abc") in Backend.seen


def test_private_answers_are_never_stored(varnish):
    _, _, first = request(varnish, "GET", "/privat/")
    _, _, second = request(varnish, "GET", "/privat/")
    assert first != second


def test_ban_from_this_machine_drops_every_page(varnish):
    _, _, one = request(varnish, "GET", "/ett/")
    _, _, two = request(varnish, "GET", "/tva/")
    assert request(varnish, "GET", "/ett/")[2] == one
    assert send_ban(f"http://127.0.0.1:{varnish}", timeout=2) == 200
    assert request(varnish, "GET", "/ett/")[2] != one
    assert request(varnish, "GET", "/tva/")[2] != two


def test_purge_drops_one_page(varnish):
    _, _, page = request(varnish, "GET", "/en-sida/")
    _, _, other = request(varnish, "GET", "/en-annan/")
    status, _, _ = request(varnish, "PURGE", "/en-sida/")
    assert status == 200
    assert request(varnish, "GET", "/en-sida/")[2] != page
    assert request(varnish, "GET", "/en-annan/")[2] == other


def test_ban_and_purge_relayed_by_a_proxy_are_refused(varnish):
    _, _, page = request(varnish, "GET", "/skyddad/")
    for method in ("BAN", "PURGE"):
        status, _, _ = request(varnish, method, "/skyddad/", {"X-Forwarded-Proto": "https"})
        assert status == 405
    assert request(varnish, "GET", "/skyddad/")[2] == page


def test_one_range_is_cut_by_varnish_and_any_other_range_is_ignored(varnish):
    # A hit: the range is cut from the stored page.
    _, _, whole = request(varnish, "GET", "/intervall/")
    status, _, part = request(varnish, "GET", "/intervall/", {"Range": "bytes=0-1"})
    assert (status, part) == (206, whole[:2])
    # A pass (a session cookie): the same, from the application's whole answer ("svar N").
    session = {"Cookie": "sessionid=abc"}
    status, _, part = request(varnish, "GET", "/intervall/", {**session, "Range": "bytes=0-1"})
    assert (status, part) == (206, "sv")
    # Ranges that cannot be read: the whole answer, on a hit and on a pass (a pass with
    # one was a 503).
    for bad in ("bytes=9-1", "bytes=0-1,2-3", "bytes=-", "bytes=abc", "items=0-1", "bytes=9" * 7):
        status, _, body = request(varnish, "GET", "/intervall/", {"Range": bad})
        assert (status, body) == (200, whole), bad
        status, _, body = request(varnish, "GET", "/intervall/", {**session, "Range": bad})
        assert (status, body[:5]) == (200, "svar "), bad


def test_an_application_that_does_not_answer_gives_a_swedish_page(varnish):
    """Not Varnish's own English error page: ours, in Swedish, to try again later."""
    asked = len([path for path, _cookie in Backend.seen if path == "/trasig/"])
    status, headers, body = request(varnish, "GET", "/trasig/")
    assert status == 503
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Retry-After"] == "30"
    assert headers["Cache-Control"] == "no-store"
    assert '<html lang="sv">' in body
    assert "<h1>Sidan kan inte visas just nu</h1>" in body
    assert "info@socialchefer.se" in body
    assert "Guru Meditation" not in body
    # Never stored: the next visitor's request goes to the application again.
    request(varnish, "GET", "/trasig/")
    assert len([path for path, _cookie in Backend.seen if path == "/trasig/"]) > asked + 1


def test_purge_and_ban_answers_are_plain_text(varnish):
    status, headers, body = request(varnish, "PURGE", "/sida/")
    assert status == 200
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert body.strip() == "Purged"
