"""The page cache: what is cached, what bypasses it, and that every change shows at once.

The middleware is put where it belongs (after the CSP/WhiteNoise/replica middleware,
before sessions) with the ``settings`` fixture, so these tests hold whether or not the
project settings list it yet. Invalidation happens when a transaction commits, so changes
are made inside ``django_capture_on_commit_callbacks(execute=True)``.
"""

import datetime
import logging
import os
import re
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from blog.models import BlogPage
from fss_site import cache as page_cache_module
from fss_site.models import SiteSettings, Topic
from fss_site.site_tree import ensure_site_tree
from tests.ports import free_port

MIDDLEWARE = "fss_site.cache.PageCacheMiddleware"


def install_middleware(settings):
    middleware = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE]
    middleware.insert(
        middleware.index("django.contrib.sessions.middleware.SessionMiddleware"), MIDDLEWARE
    )
    settings.MIDDLEWARE = middleware


@pytest.fixture
def page_cache(settings):
    install_middleware(settings)
    settings.FSS_PAGE_CACHE_ENABLED = True
    settings.FSS_CACHE_BAN_URLS = []
    page_cache_module.connect_signals()
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def content(db, page_cache, django_capture_on_commit_callbacks):
    # Everything inside the capture: the test's own transaction never commits, so an
    # invalidation registered outside it would stay pending and absorb the later ones.
    with django_capture_on_commit_callbacks(execute=True):
        site_tree, _created = ensure_site_tree()
        # (Created on first use otherwise, inside a request.)
        SiteSettings.for_site(Site.objects.get(is_default_site=True))
        topic = Topic.objects.create(name="Äldreomsorg", slug="aldreomsorg")
        post = BlogPage(
            title="Tillit i äldreomsorgen",
            slug="tillit",
            excerpt="Om tillit.",
            date=datetime.date(2024, 5, 2),
            topics=[topic],
        )
        site_tree.blog.add_child(instance=post)
        post.save_revision().publish()
    post.refresh_from_db()
    return {"tree": site_tree, "topic": topic, "post": post}


def get(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response


def text(response) -> str:
    return response.content.decode()


URLS = {
    "page": "/blogg/tillit/",
    "listing": "/blogg/",
    "home": "/",
    "feed": "/flode/rss/",
    "topic": "/amne/aldreomsorg/",
    "sitemap": "/sitemap.xml",
    "ical": "/kalendarium/ical/alla.ics",
}


# -- what is cached ---------------------------------------------------------------------


@pytest.mark.parametrize("name", list(URLS))
def test_second_anonymous_get_is_a_hit_without_queries(client, content, name):
    url = URLS[name]
    first = get(client, url)
    assert first["X-Cache"] == "MISS"
    assert "public" in first["Cache-Control"] and "s-maxage=" in first["Cache-Control"]
    with CaptureQueriesContext(connection) as queries:
        second = get(client, url)
    assert second["X-Cache"] == "HIT"
    assert len(queries) == 0, [q["sql"] for q in queries.captured_queries]
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert "Set-Cookie" not in second


def test_a_hit_gets_the_security_headers_and_a_fresh_policy(client, content):
    get(client, "/blogg/")
    hit = get(client, "/blogg/")
    assert hit["X-Cache"] == "HIT"
    assert hit["X-Frame-Options"] == "DENY"
    assert hit["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in hit["Content-Security-Policy"]


def policy_nonce(response) -> str:
    return re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)


def test_every_copy_of_a_cached_page_gets_its_own_nonce(client, content):
    first = get(client, "/blogg/")
    second, third = get(client, "/blogg/"), get(client, "/blogg/")
    assert (second["X-Cache"], third["X-Cache"]) == ("HIT", "HIT")
    nonces = {policy_nonce(first), policy_nonce(second), policy_nonce(third)}
    assert len(nonces) == 3
    # The stored page never carries a nonce of its own.
    assert not any(nonce in text(third) for nonce in nonces)


def test_a_page_that_uses_its_nonce_is_never_shared(client, page_cache, settings, db):
    settings.ROOT_URLCONF = "tests.nonce_urls"
    first, second = get(client, "/med-skript/"), get(client, "/med-skript/")
    assert (first["X-Cache"], second["X-Cache"]) == ("BYPASS", "BYPASS")
    assert "private" in second["Cache-Control"]
    assert policy_nonce(first) != policy_nonce(second)
    assert f'nonce="{policy_nonce(second)}"' in text(second)


def test_head_is_served_from_the_cache_and_etag_revalidates(client, content):
    first = get(client, "/blogg/")
    head = client.head("/blogg/")
    assert head.status_code == 200 and head["X-Cache"] == "HIT"
    assert head.content == b""
    not_modified = client.get("/blogg/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304
    assert not_modified.content == b""


def test_unknown_query_parameters_are_not_stored(client, content):
    for _ in range(2):
        response = get(client, "/blogg/?utm_source=nyhetsbrev")
        assert response["X-Cache"] == "BYPASS"
    assert get(client, "/blogg/?page=1")["X-Cache"] == "MISS"
    assert get(client, "/blogg/?page=1")["X-Cache"] == "HIT"


# -- invalidation -----------------------------------------------------------------------


def warm(client):
    for url in URLS.values():
        get(client, url)
        assert get(client, url)["X-Cache"] == "HIT", url


def test_publishing_a_page_refreshes_the_page_listing_feed_topic_and_home(
    client, content, django_capture_on_commit_callbacks
):
    warm(client)
    post = content["post"]
    with django_capture_on_commit_callbacks(execute=True):
        post.title = "Tillit och tid i äldreomsorgen"
        post.save_revision().publish()
    for name in ("page", "listing", "home", "feed", "topic"):
        response = get(client, URLS[name])
        assert response["X-Cache"] == "MISS", name
        assert "Tillit och tid i äldreomsorgen" in text(response), name


def test_a_new_post_shows_in_the_sitemap_and_listing_at_once(
    client, content, django_capture_on_commit_callbacks
):
    warm(client)
    with django_capture_on_commit_callbacks(execute=True):
        post = BlogPage(title="Ett nytt inlägg", slug="nytt", topics=[content["topic"]])
        content["tree"].blog.add_child(instance=post)
        post.save_revision().publish()
    assert "/blogg/nytt/" in text(get(client, URLS["sitemap"]))
    assert "Ett nytt inlägg" in text(get(client, URLS["listing"]))
    assert "Ett nytt inlägg" in text(get(client, URLS["topic"]))


def test_unpublishing_removes_the_page_from_the_listing_and_feed(
    client, content, django_capture_on_commit_callbacks
):
    warm(client)
    with django_capture_on_commit_callbacks(execute=True):
        content["post"].unpublish()
    assert client.get(URLS["page"]).status_code == 404
    assert "Tillit i äldreomsorgen" not in text(get(client, URLS["listing"]))
    assert "Tillit i äldreomsorgen" not in text(get(client, URLS["feed"]))


def test_deleting_a_page_refreshes_the_listing(client, content, django_capture_on_commit_callbacks):
    warm(client)
    with django_capture_on_commit_callbacks(execute=True):
        content["post"].delete()
    assert "Tillit i äldreomsorgen" not in text(get(client, URLS["listing"]))


def test_editing_a_topic_refreshes_the_topic_page_and_the_post(
    client, content, django_capture_on_commit_callbacks
):
    warm(client)
    topic = content["topic"]
    with django_capture_on_commit_callbacks(execute=True):
        topic.name = "Vård och omsorg om äldre"
        topic.save()
    for name in ("topic", "page"):
        response = get(client, URLS[name])
        assert response["X-Cache"] == "MISS", name
        assert "Vård och omsorg om äldre" in text(response), name


def test_changing_site_settings_refreshes_every_page(
    client, content, django_capture_on_commit_callbacks
):
    warm(client)
    site = Site.objects.get(is_default_site=True)
    with django_capture_on_commit_callbacks(execute=True):
        site_settings = SiteSettings.for_site(site)
        site_settings.contact_email = "ny-adress@socialchefer.se"
        site_settings.save()
    for name in ("page", "listing", "home", "topic"):
        response = get(client, URLS[name])
        assert response["X-Cache"] == "MISS", name
        assert "ny-adress@socialchefer.se" in text(response), name


def test_a_change_inside_a_transaction_invalidates_once_after_commit(
    client, content, django_capture_on_commit_callbacks
):
    warm(client)
    before = caches["default"].get(page_cache_module.GENERATION_KEY)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Topic.objects.create(name="Ett", slug="ett")
        Topic.objects.create(name="Två", slug="tva")
        content["topic"].save()
        # Not yet committed: other requests must not cache the old state as new.
        assert caches["default"].get(page_cache_module.GENERATION_KEY) == before
    bumps = [c for c in callbacks if isinstance(c, page_cache_module._Bump)]
    assert len(bumps) == 1
    bumps[0]()
    assert caches["default"].get(page_cache_module.GENERATION_KEY) != before
    assert get(client, URLS["listing"])["X-Cache"] == "MISS"


# -- what bypasses the cache ------------------------------------------------------------


def test_logged_in_editors_bypass_and_never_fill_the_cache(client, content, editor):
    anonymous = Client()
    get(anonymous, URLS["page"])
    client.force_login(editor)
    for _ in range(2):
        response = get(client, URLS["page"])
        assert response["X-Cache"] == "BYPASS"
        assert response["Cache-Control"] == "private, no-store"
    # The editor's version (with the user bar) never reaches anonymous visitors.
    assert "userbar" in text(response)
    hit = get(anonymous, URLS["page"])
    assert hit["X-Cache"] == "HIT"
    assert "userbar" not in text(hit)


def test_previews_and_drafts_never_reach_the_public_cache(
    client, content, moderator, django_capture_on_commit_callbacks
):
    public = Client()
    get(public, URLS["page"])
    post = content["post"]
    with django_capture_on_commit_callbacks(execute=True):
        post.title = "Ett opublicerat utkast"
        post.save_revision()
    client.force_login(moderator)
    draft = client.get(f"/admin/pages/{post.pk}/view_draft/")
    assert draft.status_code == 200
    assert "Ett opublicerat utkast" in text(draft)
    assert "no-store" in draft["Cache-Control"]
    again = get(public, URLS["page"])
    assert "Ett opublicerat utkast" not in text(again)
    assert "Tillit i äldreomsorgen" in text(again)


def test_posts_bypass_the_cache(client, content):
    get(client, URLS["listing"])
    response = client.post(URLS["listing"], {})
    assert response.get("X-Cache") != "HIT"


def test_the_contact_form_is_never_cached_and_tokens_do_not_leak(content):
    first, second = Client(), Client()
    url = content["tree"].contact.url
    one = first.get(url)
    two = second.get(url)
    assert one.status_code == two.status_code == 200
    for response in (one, two):
        assert response["X-Cache"] == "BYPASS"
        assert "no-store" in response["Cache-Control"]
        assert "csrftoken" in response.cookies
    assert one.cookies["csrftoken"].value != two.cookies["csrftoken"].value
    assert first.get(url)["X-Cache"] == "BYPASS"


def test_the_admin_is_never_cached(client, content, editor):
    client.force_login(editor)
    assert client.get("/admin/")["X-Cache"] == "BYPASS"
    assert Client().get("/admin/login/")["X-Cache"] == "BYPASS"


def test_disabled_cache_still_sends_public_headers(client, content, settings):
    settings.FSS_PAGE_CACHE_ENABLED = False
    for _ in range(2):
        response = get(client, URLS["listing"])
        assert response["X-Cache"] == "BYPASS"
        assert response["Cache-Control"].startswith("public")


# -- Redis ------------------------------------------------------------------------------


def redis_reachable(host="127.0.0.1", port=6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_cache(settings):
    if not redis_reachable():
        pytest.skip("Redis svarar inte på 127.0.0.1:6379")
    prefix = f"fss-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "fss_site.cache.ResilientRedisCache",
            "LOCATION": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14"),
            "KEY_PREFIX": prefix,
        }
    }
    yield caches["default"]
    client = caches["default"]._cache.get_client(write=True)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_a_real_redis_serves_hits_and_is_invalidated(
    client, content, redis_cache, django_capture_on_commit_callbacks
):
    assert get(client, URLS["listing"])["X-Cache"] == "MISS"
    assert get(client, URLS["listing"])["X-Cache"] == "HIT"
    assert redis_cache.get(page_cache_module.GENERATION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        post = content["post"]
        post.title = "Nytt i Redis"
        post.save_revision().publish()
    response = get(client, URLS["listing"])
    assert response["X-Cache"] == "MISS"
    assert "Nytt i Redis" in text(response)


@pytest.fixture
def redis_down(settings):
    port = free_port()  # a port nobody listens on
    settings.CACHES = {
        "default": {
            "BACKEND": "fss_site.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    page_cache_module._outage.down = False
    yield
    page_cache_module._outage.down = False
    page_cache_module._retry_bump = False


@pytest.fixture
def redis_hanging(settings):
    """A "Redis" that accepts connections and never answers (a hung server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)  # the kernel completes the handshakes; nobody reads or replies
    settings.CACHES = {
        "default": {
            "BACKEND": "fss_site.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{listener.getsockname()[1]}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    page_cache_module._outage.down = False
    yield
    listener.close()
    page_cache_module._outage.down = False
    page_cache_module._retry_bump = False


@pytest.mark.parametrize("outage", ["redis_down", "redis_hanging"])
def test_pages_are_served_when_redis_is_down_or_hangs_and_the_outage_is_logged_once(
    client, content, outage, request, caplog, django_capture_on_commit_callbacks
):
    request.getfixturevalue(outage)
    with caplog.at_level(logging.WARNING, logger="fss_site.cache"):
        for _ in range(2):
            for url in URLS.values():
                response = client.get(url)
                assert response.status_code == 200, url
                assert response["X-Cache"] != "HIT"
        # An editor's change still goes through; the failed invalidation is logged.
        with django_capture_on_commit_callbacks(execute=True):
            post = content["post"]
            post.title = "Publicerad utan Redis"
            post.save_revision().publish()
    assert "Publicerad utan Redis" in text(get(client, URLS["page"]))
    outages = [r for r in caplog.records if "svarar inte" in r.getMessage()]
    assert len(outages) == 1
    assert page_cache_module._retry_bump is True


# -- Varnish: BAN and PURGE over real sockets -------------------------------------------


class Recorder(BaseHTTPRequestHandler):
    received: list = []

    def _record(self):
        Recorder.received.append((self.command, self.path, dict(self.headers)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_BAN = do_PURGE = do_GET = _record

    def log_message(self, *args):
        pass


@pytest.fixture
def varnish_stand_in():
    Recorder.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", Recorder.received
    server.shutdown()
    server.server_close()


@pytest.fixture
def wagtail_purging():
    """Wagtail's own purge-on-publish handlers (connected by its app when installed)."""
    from django.apps import apps
    from wagtail.contrib.frontend_cache import signal_handlers
    from wagtail.models import Page
    from wagtail.signals import page_published, page_unpublished

    signal_handlers.register_signal_handlers()
    yield
    for model in apps.get_models():
        if issubclass(model, Page):
            page_published.disconnect(signal_handlers.page_published_signal_handler, sender=model)
            page_unpublished.disconnect(
                signal_handlers.page_unpublished_signal_handler, sender=model
            )


def test_publishing_purges_the_page_and_bans_everything_on_varnish(
    content, settings, varnish_stand_in, wagtail_purging, django_capture_on_commit_callbacks
):
    address, received = varnish_stand_in
    del settings.FSS_CACHE_BAN_URLS
    settings.WAGTAILFRONTENDCACHE = {
        "varnish": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": address,
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        post = content["post"]
        post.title = "Ändrad"
        post.save_revision().publish()
    methods = [(method, path) for method, path, _headers in received]
    assert ("PURGE", "/blogg/tillit/") in methods
    assert ("BAN", "/") in methods
    ban = next(headers for method, _path, headers in received if method == "BAN")
    assert ban["X-Ban-Url"] == "^/"
    # The BAN goes out after the commit: it is the last request.
    assert methods[-1][0] == "BAN"


def test_a_varnish_that_does_not_answer_never_breaks_publishing(
    content, settings, caplog, django_capture_on_commit_callbacks
):
    port = free_port()
    settings.FSS_CACHE_BAN_URLS = [f"http://127.0.0.1:{port}"]
    settings.FSS_CACHE_BAN_TIMEOUT = 0.5
    with (
        caplog.at_level(logging.WARNING, logger="fss_site.cache"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        post = content["post"]
        post.title = "Publicerad ändå"
        post.save_revision().publish()
    assert BlogPage.objects.get(pk=post.pk).title == "Publicerad ändå"
    assert any("BAN till" in r.getMessage() for r in caplog.records)


def test_values_cached_per_generation_are_recomputed_after_a_change(
    content, django_capture_on_commit_callbacks
):
    calls = []

    def count_posts():
        calls.append(1)
        return BlogPage.objects.live().count()

    assert page_cache_module.cached_per_generation("posts", count_posts) == 1
    assert page_cache_module.cached_per_generation("posts", count_posts) == 1
    assert len(calls) == 1
    with django_capture_on_commit_callbacks(execute=True):
        post = BlogPage(title="Ett till", slug="ett-till")
        content["tree"].blog.add_child(instance=post)
        post.save_revision().publish()
    assert page_cache_module.cached_per_generation("posts", count_posts) == 2
    assert len(calls) == 2


def test_a_transaction_that_rolls_back_leaves_no_value_per_generation_behind(content):
    def count_topics():
        return Topic.objects.count()

    before = Topic.objects.count()
    for _ in range(2):  # first with nothing kept, then with the count before kept
        with pytest.raises(RuntimeError), transaction.atomic():
            Topic.objects.create(name="Ångras", slug="angras")
            # The transaction sees its own change ...
            assert page_cache_module.cached_per_generation("topics", count_topics) == before + 1
            raise RuntimeError
        # ... which nobody sees once it has rolled back.
        assert page_cache_module.cached_per_generation("topics", count_topics) == before


def test_values_cached_per_generation_are_computed_when_redis_is_down(content, redis_down):
    calls = []
    for _ in range(2):
        assert page_cache_module.cached_per_generation("x", lambda: calls.append(1) or 7) == 7
    assert len(calls) == 2
