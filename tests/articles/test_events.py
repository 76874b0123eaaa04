"""Content-change events: one per committed transaction, with what it changed."""

import contextlib

import pytest
from django.db import transaction

from articles import events
from articles.models import Article
from tests.factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent():
    received = []

    def receiver(sender, keys, **kwargs):
        received.append(keys)

    events.content_changed.connect(receiver, dispatch_uid="tests.events")
    yield received
    events.content_changed.disconnect(dispatch_uid="tests.events")


def test_one_transaction_sends_one_event_with_every_key(sent, django_capture_on_commit_callbacks):
    section = make_section()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            first = make_article(section=section)  # a byline, an author, the article
            second = make_article(section=section)
    assert len(sent) == 1
    keys = sent[0]
    assert {events.article_key(first.pk), events.article_key(second.pk)} <= keys
    assert events.section_articles_key(section.pk) in keys
    assert {events.author_articles_key(b.author_id) for b in first.bylines.all()} <= keys


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_it_is_sent_at_once(sent):
    author = make_author(name="Tomasz Ren")
    sent.clear()
    author.name = "Tomasz Renn"
    author.save()
    assert sent == [frozenset({events.author_key(author.pk), events.AUTHORS})]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_sends_nothing_and_the_next_sends_its_own(sent):
    with contextlib.suppress(RuntimeError), transaction.atomic():
        make_article(title="Rolled back")
        raise RuntimeError
    assert sent == []
    with transaction.atomic():
        kept = make_article(title="Kept")
    assert len(sent) == 1
    assert events.article_key(kept.pk) in sent[0]
    assert list(Article.objects.values_list("title", flat=True)) == ["Kept"]


@pytest.mark.django_db(transaction=True)
def test_a_change_after_a_rolled_back_savepoint_is_still_sent(sent):
    with transaction.atomic():
        with contextlib.suppress(RuntimeError), transaction.atomic():
            make_section(name="Gone")  # registers the send inside the savepoint
            raise RuntimeError
        section = make_section(name="Kept")
    assert len(sent) == 1
    assert events.section_key(section.pk) in sent[0]


def test_changed_reports_bulk_writes(sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        events.changed("article:1", "article:2")
        events.changed("article:2", events.REDIRECTS)
    assert sent == [frozenset({"article:1", "article:2", events.REDIRECTS})]
