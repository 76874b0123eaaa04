"""Whole-page caching of anonymous reader pages (reader.pagecache)."""

import io
import uuid
from datetime import timedelta
from wsgiref.util import setup_testing_defaults

import pytest
import time_machine
from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import AsyncClient, override_settings
from django.utils import timezone

from articles.models import Article
from reader import cache as content_cache
from reader.cache import bump_content_version, content_state
from reader.models import ContentChange
from reader.pagecache import PageCacheWSGI, PageStore, cache_key, shared_key
from reader.pagecache import store as page_store
from tests.factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300


@pytest.fixture
def story(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        section = make_section(name="Economy", slug="economy")
        return make_article(
            section=section, title="Port reopens", slug="port", authors=[make_author()]
        )


def test_second_anonymous_visit_is_served_from_cache(client, story, django_assert_num_queries):
    first = client.get("/economy/port/")
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = client.get("/economy/port/")
    assert second.status_code == 200
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


def test_headers_a_cdn_can_honour(client, story):
    response = client.get("/economy/port/")
    control = response["Cache-Control"]
    assert "public" in control and "s-maxage=300" in control
    assert "stale-while-revalidate" in control
    assert response["ETag"].startswith('"') and response["Last-Modified"].endswith("GMT")


def test_conditional_get_answers_304(client, story):
    etag = client.get("/economy/port/")["ETag"]
    response = client.get("/economy/port/", headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert client.get("/economy/port/", headers={"if-none-match": '"other"'}).status_code == 200


def test_an_edit_retires_the_cached_page(client, story, django_capture_on_commit_callbacks):
    assert b"Port reopens" in client.get("/economy/port/").content
    with django_capture_on_commit_callbacks(execute=True):
        story.title = "Port stays shut"
        story.save()
    assert b"Port stays shut" in client.get("/economy/port/").content


def test_unpublishing_and_deleting_take_the_page_down(
    client, story, django_capture_on_commit_callbacks
):
    assert client.get("/economy/port/").status_code == 200
    assert b"Port reopens" in client.get("/economy/").content
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.filter(pk=story.pk).update(status=Article.Status.UNPUBLISHED)
        story.refresh_from_db()
        story.save()  # the signal path an editor's save takes
    assert client.get("/economy/port/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        story.delete()
    assert b"Port reopens" not in client.get("/economy/").content


def test_a_scheduled_article_appears_when_its_time_comes(
    client, story, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        make_article(
            section=story.section,
            title="Embargoed budget",
            slug="budget",
            published_at=start + timedelta(minutes=2),
        )
    with time_machine.travel(start, tick=False):
        page = client.get("/economy/")
        assert b"Embargoed budget" not in page.content
        # Shared caches may not keep it past the moment it changes.
        assert "s-maxage=119," in page["Cache-Control"] or "s-maxage=120," in page["Cache-Control"]
    with time_machine.travel(start + timedelta(minutes=2, seconds=1), tick=False):
        assert b"Embargoed budget" in client.get("/economy/").content


def test_signed_in_staff_always_get_a_fresh_page(client, story, django_assert_max_num_queries):
    client.get("/economy/port/")  # cached for readers
    staff = get_user_model().objects.create_user("ed", password="x", is_staff=True)
    client.force_login(staff)
    with django_assert_max_num_queries(20) as captured:
        response = client.get("/economy/port/")
    assert len(captured) > 0
    assert "s-maxage" not in response.get("Cache-Control", "")


@pytest.mark.parametrize(
    ("path", "cached"),
    [
        ("/economy/?page=1", True),
        ("/economy/?page=1&utm_source=x", False),
        ("/search/?q=port", False),
        ("/admin/login/", False),
        ("/nowhere/at/all/", False),  # 404s are not kept
    ],
)
def test_what_is_cached(client, story, path, cached, django_assert_max_num_queries):
    response = client.get(path)
    assert ("s-maxage" in response.get("Cache-Control", "")) is cached
    assert bool(page_store.local) is cached
    if cached:
        with django_assert_max_num_queries(0):
            client.get(path)


def test_preview_is_never_cached(client, story):
    staff = get_user_model().objects.create_superuser("boss", password="x")
    client.force_login(staff)
    response = client.get(f"/preview/{story.pk}/")
    assert response.status_code == 200
    assert cache_key({"REQUEST_METHOD": "GET", "PATH_INFO": f"/preview/{story.pk}/"}) is None
    assert "s-maxage" not in response.get("Cache-Control", "")


def test_cache_key_rules(settings):
    base = {"REQUEST_METHOD": "GET", "PATH_INFO": "/economy/", "HTTP_HOST": "a.example"}
    assert cache_key(base)
    assert cache_key({**base, "HTTP_HOST": "b.example"}) != cache_key(base)
    assert cache_key({**base, "REQUEST_METHOD": "POST"}) is None
    assert cache_key({**base, "HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}=abc"}) is None
    assert cache_key({**base, "HTTP_COOKIE": "theme=dark"}) is not None
    assert cache_key({**base, "QUERY_STRING": "page=2"}) != cache_key(base)
    assert cache_key({**base, "QUERY_STRING": "page=two"}) is None
    settings.SECURE_SSL_REDIRECT = True
    assert cache_key(base) is None  # Django must answer with the redirect
    assert cache_key({**base, "wsgi.url_scheme": "https"})


def wsgi_get(app, path, **extra):
    environ = {"PATH_INFO": path, "HTTP_HOST": "testserver", **extra}
    setup_testing_defaults(environ)
    environ["wsgi.input"] = io.BytesIO()
    result = {}

    def start_response(status, headers, exc_info=None):
        result["status"], result["headers"] = status, dict(headers)

    body = b"".join(app(environ, start_response))
    return result["status"], result["headers"], body


@pytest.fixture
def wsgi_app():
    """Django's real WSGI handler, keeping the test's connection open (as the
    test client does: its transaction holds the test's data)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield PageCacheWSGI(WSGIHandler())
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_wsgi_layer_answers_hits_before_django(story, wsgi_app, django_assert_num_queries):
    app = wsgi_app
    status, headers, body = wsgi_get(app, "/economy/port/")
    assert status == "200 OK" and b"Port reopens" in body
    started = []
    request_started.connect(receiver := lambda **kw: started.append(1))
    try:
        with django_assert_num_queries(0):
            status, hit_headers, hit_body = wsgi_get(app, "/economy/port/")
    finally:
        request_started.disconnect(receiver)
    assert started == []  # Django never saw the request
    assert status == "200 OK" and hit_body == body
    assert hit_headers["Content-Length"] == str(len(body))
    assert hit_headers["ETag"] == headers["ETag"]
    assert hit_headers["X-Frame-Options"] == "DENY"  # the security headers are kept
    status, _, body = wsgi_get(app, "/economy/port/", HTTP_IF_NONE_MATCH=headers["ETag"])
    assert status.startswith("304") and body == b""
    status, _, body = wsgi_get(app, "/economy/port/", REQUEST_METHOD="HEAD")
    assert status == "200 OK" and body == b""


def test_another_process_change_retires_pages_after_the_check_interval(client, story, settings):
    client.get("/economy/port/")
    Article.objects.filter(pk=story.pk).update(title="Changed elsewhere")
    # What another worker's change records: a row this process has not read.
    ContentChange.objects.create(keys=f"article:{story.pk}")
    settings.CONTENT_VERSION_CHECK_SECONDS = 0
    assert b"Changed elsewhere" in client.get("/economy/port/").content


@pytest.fixture
def redis_cache(settings):
    prefix = f"newsroom-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": prefix,
        },
    }
    with override_settings(CACHES=settings.CACHES):
        yield caches["default"]
        caches["default"].clear()


def test_pages_are_shared_between_processes_through_redis(client, story, redis_cache):
    """A page one worker rendered is a hit for another, whose memory is empty."""
    assert redis_cache.get("nothing-here") is None  # a real Redis answers
    first = client.get("/economy/port/")
    key = cache_key(
        {"REQUEST_METHOD": "GET", "PATH_INFO": "/economy/port/", "HTTP_HOST": "testserver"}
    )
    other_worker = PageStore(max_bytes=1024 * 1024)
    page = other_worker.get(key)
    assert page is not None and page.body == first.content
    assert other_worker.local  # now kept in that worker's memory too


def test_local_memory_is_bounded():
    store = PageStore(max_bytes=1000)
    version = content_state().version
    from reader.pagecache import CachedPage

    for n in range(5):
        page = CachedPage(version, frozenset(), 2**40, 2**40, (), b"x" * 400, f'"{n}"')
        store._keep(f"k{n}", page)
    assert store.local_bytes <= 1000
    assert list(store.local) == ["k3", "k4"]


def test_page_cache_off(client, story, settings, django_assert_max_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    client.get("/economy/port/")
    with django_assert_max_num_queries(10) as captured:
        response = client.get("/economy/port/")
    assert len(captured) > 0
    assert "s-maxage" not in response.get("Cache-Control", "")
    assert page_store.local == {}


def test_a_change_committed_while_a_page_renders_does_not_stick(client, story, settings):
    """The page and its fragments are keyed on the version read before the
    page's data: an edit that commits in between must show on the next visit."""
    settings.PAGE_CACHE_SECONDS = 0  # the fragments alone
    edited = []

    def edit_once_the_article_is_read(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not edited and '"articles_article"."body"' in sql:
            edited.append(sql)
            Article.objects.filter(pk=story.pk).update(body="<p>Corrected text.</p>")
            bump_content_version()  # as the edit's commit would
        return result

    with connection.execute_wrapper(edit_once_the_article_is_read):
        client.get(story.get_absolute_url())
    assert edited
    assert b"Corrected text." in client.get(story.get_absolute_url()).content


def test_unicode_paths_have_their_own_shared_keys():
    # ASGI hands over real Unicode paths; WSGI hands over latin-1 text.
    tokyo = cache_key({"REQUEST_METHOD": "GET", "PATH_INFO": "/news/東京/", "HTTP_HOST": "a"})
    osaka = cache_key({"REQUEST_METHOD": "GET", "PATH_INFO": "/news/大阪/", "HTTP_HOST": "a"})
    assert shared_key(tokyo) != shared_key(osaka)
    assert shared_key("a/\udcc3\udca9?") != shared_key("a/é?")


def test_http_and_https_pages_are_cached_apart(settings):
    settings.SECURE_SSL_REDIRECT = False
    base = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "HTTP_HOST": "a"}
    assert cache_key(base) != cache_key({**base, "wsgi.url_scheme": "https"})


@pytest.mark.django_db(transaction=True)
def test_under_asgi_http_and_https_pages_are_cached_apart(settings):
    settings.SECURE_SSL_REDIRECT = False
    section = make_section(name="Economy", slug="economy")
    make_article(section=section, title="Port reopens", slug="port", authors=[make_author()])
    client = AsyncClient()  # ASGI requests carry the scheme in the scope, not the environ

    https = async_to_sync(client.get)("/economy/port/", secure=True)
    http = async_to_sync(client.get)("/economy/port/")

    assert b'href="https://testserver/economy/port/"' in https.content
    assert b'href="https://testserver/economy/port/"' not in http.content
    assert content_cache._pinned.get() is None  # the request's pin did not outlive it
