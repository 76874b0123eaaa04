"""The content version: shared by every process through the database."""

from datetime import timedelta

import pytest
import time_machine
from django.db.models import F
from django.utils import timezone

from articles.cache import bump_content_version, content_state, content_version
from articles.models import Article, ContentVersion
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_bump_is_one_update_and_one_read(django_assert_num_queries):
    version = content_version()
    with django_assert_num_queries(2):
        bump_content_version()
    assert int(content_version()) == int(version) + 1


def test_another_process_bump_is_seen_after_the_check_interval(settings):
    settings.CONTENT_VERSION_CHECK_SECONDS = 60
    version = content_version()
    ContentVersion.objects.update(version=F("version") + 1)  # as another worker would
    assert content_version() == version  # remembered for the interval
    settings.CONTENT_VERSION_CHECK_SECONDS = 0
    assert content_version() != version


def test_first_read_creates_the_row():
    ContentVersion.objects.all().delete()
    bump_content_version()
    assert ContentVersion.objects.get().version == 1


def test_a_scheduled_article_going_live_changes_the_version(django_capture_on_commit_callbacks):
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(published_at=start + timedelta(hours=1))
    state = content_state()
    assert state.next_publish_at == article.published_at
    with time_machine.travel(start + timedelta(minutes=59), tick=False):
        assert content_state().version == state.version
    with time_machine.travel(start + timedelta(hours=1, seconds=1), tick=False):
        later = content_state()
        assert later.version == state.version + 1
        assert later.next_publish_at is None
        assert content_state().version == later.version  # one bump, not one per read


def test_next_publish_at_ignores_drafts_and_the_past(django_capture_on_commit_callbacks, now):
    with django_capture_on_commit_callbacks(execute=True):
        make_article(status=Article.Status.DRAFT, published_at=now + timedelta(hours=1))
        make_article(published_at=now - timedelta(hours=1))
        soon = make_article(published_at=now + timedelta(hours=2))
        make_article(published_at=now + timedelta(hours=3))
    assert content_state().next_publish_at == soon.published_at
