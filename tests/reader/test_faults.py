"""When Redis or the database fail, readers get pages, never a 500.

Real failures: a Redis of the test's own, started on its own port and killed;
a database connection pointed at a port nothing listens on (PostgreSQL), or
whose every statement SQLite interrupts.
"""

import contextlib
import logging
import shutil
import subprocess
import time

import pytest
import redis
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from reader import shared as shared_module
from reader.fragments import rendered
from reader.pagecache import STALE_IF_ERROR, STATUS_HEADER
from reader.pagecache import store as page_store
from tests.factories import make_article, make_author, make_section
from tests.ports import free_port

pytestmark = pytest.mark.django_db


class OwnRedis:
    def __init__(self):
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        for _ in range(100):
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self):
        self.process.kill()
        self.process.wait()

    def keys(self):
        return redis.Redis(port=self.port).keys("*")


@pytest.fixture
def own_redis(settings, monkeypatch):
    server = OwnRedis()
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{server.port}/0",
            "OPTIONS": {"socket_timeout": 0.25, "socket_connect_timeout": 0.25},
        }
    }
    monkeypatch.setattr(shared_module, "RETRY_SECONDS", 0.2)
    yield server
    server.kill()


@pytest.fixture
def site(settings, django_capture_on_commit_callbacks):
    settings.PAGE_CACHE_SECONDS = 300
    with django_capture_on_commit_callbacks(execute=True):
        economy = make_section(name="Economy", slug="economy")
        author = make_author(name="Ana Lim", slug="ana-lim")
        story = make_article(section=economy, slug="port", title="Port reopens", authors=[author])
    return story


PUBLIC_PAGES = [
    "/",
    "/economy/",
    "/economy/port/",
    "/authors/ana-lim/",
    "/search/?q=port",
    "/feeds/rss/",
    "/feeds/sections/economy/atom/",
    "/sitemap.xml",
    "/sitemap-articles.xml",
    "/news-sitemap.xml",
    "/robots.txt",
]


def statuses(client, paths=PUBLIC_PAGES):
    return {path: client.get(path).status_code for path in paths}


def forget_this_process():
    """As a worker that has never served these pages."""
    page_store.clear_local()
    rendered.clear()
    shared_module.shared.clear_local()


def test_every_page_answers_while_redis_is_down_and_redis_is_used_again(
    client, site, own_redis, caplog, django_capture_on_commit_callbacks
):
    everything_fine = dict.fromkeys(PUBLIC_PAGES, 200)
    assert statuses(client) == everything_fine
    assert any(key.startswith(b":1:page:") for key in own_redis.keys())

    own_redis.kill()
    forget_this_process()
    with caplog.at_level(logging.WARNING, logger="reader.shared"):
        assert statuses(client) == everything_fine
        with django_capture_on_commit_callbacks(execute=True):
            site.title = "Port reopens at dawn"
            site.save()
        assert statuses(client) == everything_fine
        assert b"Port reopens at dawn" in client.get("/economy/port/").content
    outage_warnings = [r for r in caplog.records if r.name == "reader.shared"]
    assert len(outage_warnings) == 1  # one for the outage, not one a request

    own_redis.start()  # empty, as a restarted Redis is
    time.sleep(0.3)
    forget_this_process()
    assert statuses(client) == everything_fine
    assert any(key.startswith(b":1:page:") for key in own_redis.keys())


def test_a_slow_redis_costs_a_fraction_of_a_second(client, site, own_redis):
    own_redis.process.send_signal(19)  # SIGSTOP: connections open, nothing answers
    try:
        forget_this_process()
        started = time.monotonic()
        assert client.get("/economy/port/").status_code == 200
        assert time.monotonic() - started < 5
    finally:
        own_redis.process.send_signal(18)  # SIGCONT


@contextlib.contextmanager
def database_unreachable():
    """The database fails as a stopped server does, for every statement."""
    if connection.vendor == "postgresql":
        saved = dict(connection.settings_dict)
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict.update(saved)
    else:
        # SQLite has no server to stop, and Django never closes the in-memory
        # test database: SQLite itself interrupts every statement instead.
        connection.ensure_connection()
        connection.connection.set_progress_handler(lambda: 1, 1)
        try:
            yield
        finally:
            connection.connection.set_progress_handler(None, 1)


@pytest.mark.django_db(transaction=True)
def test_with_the_database_down_cached_pages_are_served_stale_and_others_are_503(settings):
    settings.PAGE_CACHE_SECONDS = 300
    settings.CONTENT_VERSION_CHECK_SECONDS = 0
    economy = make_section(name="Economy", slug="economy")
    make_section(name="Culture", slug="culture")
    make_article(section=economy, slug="port", title="Port reopens", authors=[make_author()])
    get_user_model().objects.create_superuser("chief", password="x")
    reader, editor = Client(raise_request_exception=False), Client(raise_request_exception=False)
    editor.force_login(get_user_model().objects.get(username="chief"))
    assert reader.get("/economy/port/").status_code == 200
    assert reader.get("/").status_code == 200

    with database_unreachable():
        for path in ("/economy/port/", "/"):
            stale = reader.get(path)
            assert stale.status_code == 200
            assert stale[STATUS_HEADER] == STALE_IF_ERROR
            assert b"Port reopens" in stale.content
        never_cached = reader.get("/culture/")
        assert never_cached.status_code == 503
        assert never_cached["Retry-After"] == "30"
        assert b"Back in a moment" in never_cached.content
        admin = editor.get("/admin/")
        assert admin.status_code == 503
        assert b"The database is unreachable" in admin.content

    assert reader.get("/culture/").status_code == 200  # back by itself
    fresh = reader.get("/economy/port/")
    assert fresh.status_code == 200 and fresh.get(STATUS_HEADER) != STALE_IF_ERROR
    assert editor.get("/admin/").status_code == 200
