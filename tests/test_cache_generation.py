"""The generation every process follows through Redis pub/sub, and the copies of hot
entries each process keeps: a change made by one process reaches the others' hits at once,
and a Redis that stops answering makes them render pages afresh instead of serving copies.

Two cache objects with the same location and prefix stand for two server processes (each
has its own watcher thread and subscription).
"""

import socket
import threading
import time
import uuid

import pytest
from django.core.cache import caches

from fss_site import cache as page_cache_module
from fss_site.cache import GENERATION_KEY, LocalCopies, PageCacheWSGI, ResilientRedisCache
from tests.test_cache import content, page_cache, redis_reachable  # noqa: F401 - fixtures
from tests.test_cache_wsgi import app, call  # noqa: F401 - fixtures

REDIS = ("127.0.0.1", 6379)
needs_redis = pytest.mark.skipif(not redis_reachable(), reason="Redis svarar inte")


def wait_for(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def redis_params(prefix, port=REDIS[1], database=13):
    return (
        f"redis://127.0.0.1:{port}/{database}",
        {
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 0.3, "socket_timeout": 0.3},
            "RETRY_AFTER": 0.5,
        },
    )


@pytest.fixture
def prefix():
    name = f"fss-gen-{uuid.uuid4().hex[:8]}"
    yield name
    if redis_reachable():
        cache = ResilientRedisCache(*redis_params(name))
        client = cache._cache.get_client(write=True)
        for key in client.scan_iter(f"{name}:*"):
            client.delete(key)


def process_cache(prefix, port=REDIS[1], database=13):
    """The cache as one more server process sees it: with a watcher of its own (in one
    process, every cache object of a location shares one)."""
    cache = ResilientRedisCache(*redis_params(prefix, port, database))
    cache.generation_watcher = page_cache_module.GenerationWatcher(cache)
    return cache


def new_generation_from(cache) -> str:
    """What another process does when a change it made commits."""
    token = page_cache_module._new_token()
    cache.set(GENERATION_KEY, token, timeout=None)
    cache.generation_watcher.announce(token)
    return token


@needs_redis
def test_a_new_generation_reaches_every_process(prefix):
    first, second = process_cache(prefix), process_cache(prefix)
    assert wait_for(lambda: first.generation_watcher.current() is not None)
    assert wait_for(lambda: second.generation_watcher.current() is not None)
    assert first.generation_watcher.current() == second.generation_watcher.current()

    token = new_generation_from(first)
    # The process that made the change knows at once; the other as soon as Redis tells it.
    assert first.generation_watcher.current() == token
    assert wait_for(lambda: second.generation_watcher.current() == token, seconds=2)


@needs_redis
def test_a_new_generation_in_another_redis_database_is_not_taken(prefix):
    """Redis has one set of pub/sub channels for all its databases: a site on database 12
    (a staging copy, say) must not hand its generation to the servers of database 13."""
    ours, theirs = process_cache(prefix), process_cache(prefix, database=12)
    try:
        assert wait_for(lambda: ours.generation_watcher.current() is not None)
        assert wait_for(lambda: theirs.generation_watcher.current() is not None)
        before = ours.generation_watcher.current()
        new_generation_from(theirs)
        assert not wait_for(lambda: ours.generation_watcher.current() != before, seconds=1)
        assert ours.generation_watcher.current() == ours.get(GENERATION_KEY)
    finally:
        client = theirs._cache.get_client(write=True)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


@needs_redis
def test_the_threads_of_a_process_follow_one_generation(prefix, settings):
    """Django gives each thread its own cache object; they share one watcher, so the
    threads of a server never disagree on the generation (values kept per process would be
    thrown away at each disagreement), and a thread that ends leaves no watcher behind."""
    location, params = redis_params(prefix)
    settings.CACHES = {"default": {"BACKEND": "fss_site.cache.ResilientRedisCache", **params}}
    settings.CACHES["default"]["LOCATION"] = location
    watchers = []

    def request_thread():
        watchers.append(caches["default"].generation_watcher)

    for _ in range(3):
        thread = threading.Thread(target=request_thread)
        thread.start()
        thread.join()
    assert caches["default"].generation_watcher is watchers[0]
    assert all(watcher is watchers[0] for watcher in watchers)
    assert wait_for(lambda: watchers[0].current() is not None)
    names = [thread.name for thread in threading.enumerate()]
    assert names.count(f"fss-generation {watchers[0].channel}") == 1


class FreezableProxy:
    """A TCP proxy in front of Redis that can stop passing anything on (a hung Redis)."""

    def __init__(self):
        self.frozen = threading.Event()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.sockets = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(REDIS)
            self.sockets += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    def _pipe(self, source, target):
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                return
            if not data:
                return
            while self.frozen.is_set():
                time.sleep(0.05)  # hold it: the client waits for an answer that never comes
            try:
                target.sendall(data)
            except OSError:
                return

    def close(self):
        self.listener.close()
        for sock in self.sockets:
            sock.close()


@needs_redis
def test_a_redis_that_stops_answering_makes_the_generation_unknown(prefix):
    proxy = FreezableProxy()
    try:
        cache = process_cache(prefix, proxy.port)
        assert wait_for(lambda: cache.generation_watcher.current() is not None)
        proxy.frozen.set()
        # Unknown within a ping interval and a timeout: pages are then rendered afresh.
        assert wait_for(lambda: cache.generation_watcher.current() is None, seconds=10)
        proxy.frozen.clear()
        assert wait_for(lambda: cache.generation_watcher.current() is not None, seconds=10)
    finally:
        proxy.close()


def test_local_copies_keep_one_generation_within_their_bounds(settings):
    settings.FSS_PAGE_CACHE_TIMEOUT = 300
    now = int(time.time())

    def entry(generation, size=10):
        return {"generation": generation, "content": b"x" * size, "stored": now}

    copies = LocalCopies(max_entries=2, max_bytes=25)
    copies.put("a", entry("g1"))
    copies.put("b", entry("g1"))
    assert copies.get("a", "g1") and copies.get("b", "g1")
    assert copies.get("a", "g2") is None  # another generation: not this copy
    copies.put("c", entry("g1"))  # over the entry limit: the oldest goes
    assert copies.get("a", "g1") is None and copies.get("c", "g1")
    copies.put("d", entry("g1", size=20))  # over the byte limit: older ones go
    assert copies.get("b", "g1") is None and copies.get("c", "g1") is None
    assert copies.get("d", "g1")
    copies.put("e", entry("g2"))  # a new generation empties the rest
    assert copies.get("d", "g1") is None and copies.get("e", "g2")
    old = {**entry("g2"), "stored": now - 301}
    copies.put("f", old)
    assert copies.get("f", "g2") is None  # expired like the entry in Redis


@pytest.fixture
def redis_page_cache(settings, prefix):
    location, params = redis_params(prefix)
    settings.CACHES = {"default": {"BACKEND": "fss_site.cache.ResilientRedisCache", **params}}
    settings.CACHES["default"]["LOCATION"] = location
    cache = caches["default"]
    assert wait_for(lambda: cache.generation_watcher.current() is not None)
    return cache


@needs_redis
def test_hits_from_the_local_copy_end_when_another_process_changes_something(
    app,  # noqa: F811
    prefix,
    redis_page_cache,
):
    assert isinstance(app, PageCacheWSGI)
    assert call(app, "/blogg/")["X-Cache"] == "MISS"
    assert call(app, "/blogg/")["X-Cache"] == "HIT"
    # Redis is not asked for a hit any more: it is answered from this process's copy.
    client = redis_page_cache._cache.get_client(write=True)
    for key in client.scan_iter(f"{prefix}:*fss:wsgi:*"):
        client.delete(key)
    assert call(app, "/blogg/")["X-Cache"] == "HIT"

    token = new_generation_from(process_cache(prefix))
    assert wait_for(lambda: redis_page_cache.generation_watcher.current() == token, seconds=2)
    assert call(app, "/blogg/")["X-Cache"] == "MISS"


@needs_redis
def test_values_per_generation_are_read_in_process_until_another_process_changes_something(
    prefix, redis_page_cache
):
    calls = []

    def factory():
        calls.append(1)
        return {"count": len(calls)}

    first = page_cache_module.cached_per_generation("local-test", factory)
    assert first == {"count": 1}
    # Redis no longer holds it: the next read comes from this process, as a copy of its own.
    client = redis_page_cache._cache.get_client(write=True)
    for key in client.scan_iter(f"{prefix}:*fss:gen:local-test"):
        client.delete(key)
    second = page_cache_module.cached_per_generation("local-test", factory)
    assert second == {"count": 1} and second is not first and len(calls) == 1
    second["count"] = 99  # a caller changing its copy changes nobody else's
    assert page_cache_module.cached_per_generation("local-test", factory) == {"count": 1}

    token = new_generation_from(process_cache(prefix))
    assert wait_for(lambda: redis_page_cache.generation_watcher.current() == token, seconds=2)
    assert page_cache_module.cached_per_generation("local-test", factory) == {"count": 2}


def test_local_values_keep_one_generation_within_their_bounds(monkeypatch):
    values = page_cache_module.LocalValues(max_entries=2)
    values.put("a", "g1", [1], timeout=300)
    values.put("b", "g1", [2], timeout=300)
    assert values.get("a", "g1") == (True, [1])
    assert values.get("a", "g2") == (False, None)  # another generation: not this value
    values.put("c", "g1", [3], timeout=300)  # full: starts again empty
    assert values.get("a", "g1") == (False, None) and values.get("c", "g1") == (True, [3])
    values.put("d", "g2", [4], timeout=300)  # a new generation empties the rest
    assert values.get("c", "g1") == (False, None) and values.get("d", "g2") == (True, [4])
    values.put("e", "g2", [5], timeout=10)
    later = time.monotonic() + 11
    monkeypatch.setattr(page_cache_module.time, "monotonic", lambda: later)
    assert values.get("e", "g2") == (False, None)  # expired like the entry in Redis
