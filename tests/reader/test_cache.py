"""The content version: shared by every process through the database."""

from datetime import timedelta

import pytest
import time_machine
from django.db.models import F
from django.utils import timezone

from articles.models import Article
from reader.cache import (
    FORGET_AFTER,
    _Known,
    bump_content_version,
    content_state,
    content_version,
)
from reader.models import ContentChange, ContentVersion
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_recording_a_change_costs_three_queries_and_no_read_after(django_assert_num_queries):
    version = content_version()
    with django_assert_num_queries(3):  # the change, the next publication, the version row
        bump_content_version()
    with django_assert_num_queries(0):
        assert int(content_version()) > int(version)


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
    assert ContentVersion.objects.get().version == ContentChange.objects.latest("pk").pk


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


def test_cards_are_rendered_once_until_a_change_touches_them(client):
    from reader.fragments import rendered

    article = make_article(title="Ferry strike ends")
    section_page = article.section.get_absolute_url()
    assert b"Ferry strike ends" in client.get(section_page).content
    assert len([key for key in rendered.html if key[0] == "card"]) == 1
    # A write that sends no signal does not reach the cached card...
    Article.objects.filter(pk=article.pk).update(title="Ferry strike resumes")
    assert b"Ferry strike ends" in client.get(section_page).content
    # ...until a change touching it is recorded, as every signalled save does.
    bump_content_version()
    assert b"Ferry strike resumes" in client.get(section_page).content


def test_a_card_is_shared_by_every_listing_it_appears_in(client, now):
    from reader.fragments import rendered

    first = make_article(title="Monsoon arrives early", published_at=now - timedelta(hours=3))
    second = make_article(
        section=first.section, title="Rice planting starts", published_at=now - timedelta(hours=2)
    )
    lead = make_article(section=first.section, title="Dams fill up")
    client.get("/")  # the lead on top, the other two as tiles in the section's block
    tiles = {key for key in rendered.html if "tile" in key}
    assert {key[1] for key in tiles} == {first.pk, second.pk}
    response = client.get(lead.get_absolute_url())  # "more from" its section: the same tiles
    assert b"Rice planting starts" in response.content
    assert {key for key in rendered.html if "tile" in key} == tiles


def test_staff_preview_is_rendered_afresh_and_never_kept(client):
    from django.contrib.auth import get_user_model

    from reader.fragments import rendered

    draft = make_article(status=Article.Status.DRAFT, published_at=None, title="Not yet")
    client.force_login(get_user_model().objects.create_superuser("chief", password="x"))
    assert b"Not yet" in client.get(f"/preview/{draft.pk}/").content
    assert not [key for key in rendered.html if key[0].startswith("article-")]


def test_article_fragments_are_kept_per_host_for_metadata(client):
    from reader.fragments import rendered

    article = make_article(title="Typhoon season opens")
    client.get(article.get_absolute_url(), HTTP_HOST="localhost")
    client.get(article.get_absolute_url(), HTTP_HOST="127.0.0.1")
    meta = {key[1:] for key in rendered.html if key[0] == "article-meta"}
    assert meta == {(article.pk, "localhost", "http"), (article.pk, "127.0.0.1", "http")}
    assert [key for key in rendered.html if key[0] == "article-content"] == [
        ("article-content", article.pk)
    ]


def test_a_process_forgets_keys_whose_last_change_is_older_than_anything_cached():
    known = _Known()
    known.learn([(1, "article:1 latest"), (2, "article:2")])
    known.checkpoint(2, now=1000.0)
    known.learn([(3, "article:3 latest")])
    known.checkpoint(3, now=1000.0 + 120)
    assert set(known.versions) == {"article:1", "article:2", "article:3", "latest"}
    known.checkpoint(3, now=1000.0 + FORGET_AFTER + 1)  # change 2 is older than the cache
    assert known.versions == {"article:3": 3, "latest": 3}
