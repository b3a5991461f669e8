"""The page cache's WSGI layer: hits answered before Django builds a request.

The application is driven through real WSGI calls (as granian makes them), with the
page-cache middleware in its place inside Django.
"""

import io
import re

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from blog.models import BlogPage
from fss_site.cache import DEFAULT_EXCLUDE_PATHS, DEFAULT_QUERY_PARAMS, PageCacheWSGI
from tests.test_cache import content, page_cache  # noqa: F401 - fixtures


class Response:
    def __init__(self, status, headers, body):
        self.status = int(status.split()[0])
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body

    def __getitem__(self, name):
        return self.headers[name.lower()]


@pytest.fixture
def app(content):  # noqa: F811
    # Like Django's test client: keep the test's connection (and transaction) open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield PageCacheWSGI(WSGIHandler())
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def call(app, path, method="GET", **headers):
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path.encode("utf-8").decode("latin-1"),
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        **{f"HTTP_{k.upper()}": v for k, v in headers.items()},
    }
    captured = {}

    def start_response(status, response_headers, exc_info=None):
        captured["status"], captured["headers"] = status, response_headers

    result = app(environ, start_response)
    body = b"".join(result)
    if hasattr(result, "close"):
        result.close()
    return Response(captured["status"], captured["headers"], body)


def nonce(response):
    return re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)


def test_a_hit_needs_no_query_and_keeps_every_header(app):
    first = call(app, "/blogg/")
    assert first.status == 200 and first["X-Cache"] == "MISS"
    with CaptureQueriesContext(connection) as queries:
        second = call(app, "/blogg/")
    assert second["X-Cache"] == "HIT"
    assert len(queries) == 0
    assert second.body == first.body
    for header in ("X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "Vary"):
        assert second[header] == first[header]
    assert second["Cache-Control"].startswith("public")
    # The stored page does not use its nonce, so each hit gets a new one.
    assert nonce(second) != nonce(first)
    assert nonce(call(app, "/blogg/")) != nonce(second)


def test_publishing_makes_the_next_request_a_miss(app, django_capture_on_commit_callbacks):
    call(app, "/blogg/")
    assert call(app, "/blogg/")["X-Cache"] == "HIT"
    post = BlogPage.objects.get(slug="tillit")
    with django_capture_on_commit_callbacks(execute=True):
        post.title = "Nytt bakom WSGI"
        post.save_revision().publish()
    response = call(app, "/blogg/")
    assert response["X-Cache"] == "MISS"
    assert "Nytt bakom WSGI" in response.body.decode()


def test_sessions_posts_and_the_contact_form_pass_through(app, content):  # noqa: F811
    call(app, "/blogg/")
    logged_in = call(app, "/blogg/", cookie="sessionid=abc")
    assert logged_in["X-Cache"] == "BYPASS"
    assert logged_in["Cache-Control"] == "private, no-store"
    assert call(app, "/blogg/", method="POST")["X-Cache"] != "HIT"
    contact = content["tree"].contact.url
    for _ in range(2):
        response = call(app, contact)
        assert response["X-Cache"] == "BYPASS"
        assert "csrftoken" in response["Set-Cookie"]


def test_head_and_conditional_requests(app):
    first = call(app, "/blogg/")
    call(app, "/blogg/")
    head = call(app, "/blogg/", method="HEAD")
    assert head.status == 200 and head.body == b"" and head["X-Cache"] == "HIT"
    etag = call(app, "/blogg/")["ETag"]
    not_modified = call(app, "/blogg/", if_none_match=etag)
    assert not_modified.status == 304 and not_modified.body == b""
    assert first.status == 200


def test_one_entry_per_address_however_its_query_is_written_and_settings_still_decide(
    app, settings
):
    # The same search, its parameters in another order and its "ä" in lower-case hex.
    assert call(app, "/sok/?q=%C3%A4ldreomsorg&typ=inlagg")["X-Cache"] == "MISS"
    assert call(app, "/sok/?typ=inlagg&q=%c3%a4ldreomsorg")["X-Cache"] == "HIT"
    assert call(app, "/sok/?q=%C3%A4ldreomsorg&typ=inlagg&utm=1")["X-Cache"] == "BYPASS"
    # Each process remembers the keys of the addresses it has seen; a change of the
    # settings they depend on is read at once.
    settings.FSS_PAGE_CACHE_EXCLUDE_PATHS = [*DEFAULT_EXCLUDE_PATHS, "/sok/"]
    assert call(app, "/sok/?typ=inlagg&q=%c3%a4ldreomsorg")["X-Cache"] == "BYPASS"
    settings.FSS_PAGE_CACHE_EXCLUDE_PATHS = DEFAULT_EXCLUDE_PATHS
    settings.FSS_PAGE_CACHE_QUERY_PARAMS = [*DEFAULT_QUERY_PARAMS, "utm"]
    assert call(app, "/sok/?q=%C3%A4ldreomsorg&typ=inlagg&utm=1")["X-Cache"] == "MISS"
