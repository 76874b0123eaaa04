from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from reader.cache import content_state, forget_content_state
from reader.fragments import rendered
from reader.pagecache import store as page_store
from reader.shared import shared


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: no navigation, sidebar or content
    version left over from another test."""
    _forget_everything()
    yield
    _forget_everything()


def _forget_everything():
    cache.clear()
    shared.clear_local()
    shared.down_until = 0.0
    forget_content_state()
    page_store.clear_local()
    rendered.clear()


@pytest.fixture(autouse=True)
def known_content_version(request):
    """Tests with a database start with the content version read, as a process
    that has served a page has: query counts then measure the pages alone."""
    if request.node.get_closest_marker("django_db"):
        content_state()


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def yesterday(now):
    return now - timedelta(days=1)


@pytest.fixture
def tomorrow(now):
    return now + timedelta(days=1)


def pytest_collection_modifyitems(config, items):
    """Browser tests last: Playwright's sync API keeps an event loop running in
    the main thread for the whole session, and Django's ASGI handler, tested
    in the same thread, refuses to start under one."""
    items.sort(key=lambda item: item.nodeid.startswith("tests/e2e/"))
