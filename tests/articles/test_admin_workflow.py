"""One click, one save: a workflow button in the change form saves the form's
edits and the step together, as one revision, one history row, one event and
one content change."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles import events, sharing
from articles.models import Article, ArticleEvent
from reader.models import ContentChange
from tests.articles.admin_helpers import change_url, form_data, messages_of, own_article
from tests.factories import make_article, make_author, make_staff

pytestmark = pytest.mark.django_db
S = Article.Status


@pytest.fixture
def sent():
    received = []

    def receiver(sender, keys, **kwargs):
        received.append(keys)

    events.content_changed.connect(receiver, dispatch_uid="tests.clicks")
    yield received
    events.content_changed.disconnect(dispatch_uid="tests.clicks")


def _later():
    when = timezone.localtime(timezone.now() + timedelta(days=2)).replace(microsecond=0)
    return {"published_at_0": f"{when:%Y-%m-%d}", "published_at_1": f"{when:%H:%M:%S}"}


def _counts(article):
    article.refresh_from_db()
    return (
        article.revision,
        article.history.count(),
        ArticleEvent.objects.filter(article=article).count(),
    )


@pytest.mark.parametrize(
    "status, button, extra, after",
    [
        (S.IN_REVIEW, "publish", {}, S.PUBLISHED),
        (S.IN_REVIEW, "schedule", "later", S.PUBLISHED),
        (S.IN_REVIEW, "return", {"workflow_note": "Cut the second half."}, S.DRAFT),
        (S.DRAFT, "submit", {}, S.IN_REVIEW),
        (S.PUBLISHED, "unpublish", {}, S.UNPUBLISHED),
    ],
)
def test_a_click_writes_once(
    client, sent, django_capture_on_commit_callbacks, status, button, extra, after
):
    article = make_article(status=status, authors=[make_author()])
    if status != S.PUBLISHED:
        Article.objects.filter(pk=article.pk).update(published_at=None)
        article.refresh_from_db()
    client.force_login(make_staff("editor"))
    before = _counts(article)
    changes = ContentChange.objects.count()
    extra = _later() if extra == "later" else extra
    data = form_data(article, title="Edited with the click", _workflow=button, **extra)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url(article), data, follow=True)
    assert response.status_code == 200, messages_of(response)
    revision, versions, logged = _counts(article)
    assert (article.status, article.title) == (after, "Edited with the click")
    assert (revision, versions, logged) == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert ArticleEvent.objects.filter(article=article).first().to_status == after
    assert len(sent) == 1 and events.article_key(article.pk) in sent[0]
    assert ContentChange.objects.count() == changes + 1  # the content version moves once


def test_a_writer_submitting_saves_once(client):
    writer = make_staff("writer")
    article = own_article(writer)
    client.force_login(writer)
    before = _counts(article)
    client.post(change_url(article), form_data(article, dek="Sharper", _workflow="submit"))
    assert _counts(article) == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert (article.status, article.dek) == (S.IN_REVIEW, "Sharper")


def test_a_refused_click_saves_the_edits_once_and_says_why(client):
    article = make_article(status=S.IN_REVIEW, published_at=None)  # no byline
    client.force_login(make_staff("editor"))
    before = _counts(article)
    data = form_data(article, title="Still edited", _workflow="publish")
    response = client.post(change_url(article), data, follow=True)
    assert any("needs at least one byline" in m for m in messages_of(response))
    assert _counts(article) == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert (article.status, article.title) == (S.IN_REVIEW, "Still edited")
    assert ArticleEvent.objects.filter(article=article).first().action == "edited"


def test_a_save_that_changes_nothing_writes_nothing_and_keeps_share_links(client):
    article = make_article(status=S.IN_REVIEW, authors=[make_author()])
    client.force_login(make_staff("editor"))
    link = sharing.share_url(article)
    before = _counts(article)
    response = client.post(change_url(article), form_data(article, _continue="1"), follow=True)
    assert response.status_code == 200
    assert _counts(article) == before
    assert client.get(link).status_code == 200  # the share link still works
    # Another editor who opened the same revision saves without a conflict.
    other = make_staff("editor")
    client.force_login(other)
    client.post(change_url(article), form_data(article, title="Sharper title"))
    article.refresh_from_db()
    assert (article.title, article.revision) == ("Sharper title", before[0] + 1)
