import threading
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.utils import timezone

from articles.models import Article, ArticleEvent, Author, Byline, EditConflict
from articles.permissions import EDITOR_GROUP, WRITER_GROUP, is_editor
from tests.factories import make_article, make_author, make_credit, make_image, make_staff

pytestmark = pytest.mark.django_db

S = Article.Status


@pytest.fixture
def writer():
    return make_staff("writer")


@pytest.fixture
def editor():
    return make_staff("editor")


def draft_by(user, **kwargs):
    author = Author.objects.filter(user=user).first() or make_author(user=user)
    kwargs.setdefault("status", S.DRAFT)
    return make_article(authors=[author], created_by=user, **kwargs)


def test_groups_exist_with_their_permissions():
    editor_perms = set(
        Group.objects.get(name=EDITOR_GROUP).permissions.values_list("codename", flat=True)
    )
    writer_perms = set(
        Group.objects.get(name=WRITER_GROUP).permissions.values_list("codename", flat=True)
    )
    assert {"publish_article", "change_section", "change_author", "change_imagecredit"} <= (
        editor_perms
    )
    assert {"add_article", "change_article", "view_author", "add_imagecredit"} <= writer_perms
    assert not writer_perms & {"publish_article", "change_section", "change_author"}


def test_roles(writer, editor):
    assert is_editor(editor) and not is_editor(writer)
    assert is_editor(make_staff("superuser"))


def test_writer_submits_own_draft_and_it_is_recorded(writer):
    article = draft_by(writer)
    article.submit_for_review(writer, "Ready when you are.")
    article.refresh_from_db()
    assert article.status == S.IN_REVIEW
    event = article.events.get()
    assert (event.action, event.actor, event.from_status, event.to_status, event.note) == (
        ArticleEvent.Action.SUBMITTED,
        writer,
        S.DRAFT,
        S.IN_REVIEW,
        "Ready when you are.",
    )
    assert event.revision == article.revision


def test_writer_cannot_submit_someone_elses_draft(writer):
    other = draft_by(make_staff("writer"))
    with pytest.raises(PermissionDenied):
        other.submit_for_review(writer)
    assert Article.objects.get(pk=other.pk).status == S.DRAFT


@pytest.mark.parametrize("status", [S.IN_REVIEW, S.PUBLISHED, S.UNPUBLISHED])
def test_only_drafts_can_be_submitted(editor, status):
    article = make_article(status=status, published_at=timezone.now())
    with pytest.raises(ValidationError, match="cannot be submitted"):
        article.submit_for_review(editor)


@pytest.mark.parametrize(
    "transition", ["publish", "schedule", "return_to_draft", "unpublish"], ids=str
)
def test_writers_cannot_run_editor_transitions(writer, transition):
    article = draft_by(writer, status=S.IN_REVIEW)
    args = {
        "publish": (),
        "schedule": (timezone.now() + timedelta(days=1),),
        "return_to_draft": ("note",),
        "unpublish": (),
    }[transition]
    with pytest.raises(PermissionDenied, match="Only editors"):
        getattr(article, transition)(writer, *args)
    assert Article.objects.get(pk=article.pk).status == S.IN_REVIEW
    assert not article.events.exists()


def test_editor_publishes_now(editor, now):
    article = make_article(status=S.IN_REVIEW, authors=[make_author()])
    article.publish(editor, "Good to go.")
    article.refresh_from_db()
    assert article.status == S.PUBLISHED and article.is_published()
    assert abs(article.published_at - now) < timedelta(seconds=5)
    assert Article.objects.published().filter(pk=article.pk).exists()
    assert article.events.get().action == ArticleEvent.Action.PUBLISHED


def test_republishing_keeps_the_original_date(editor, yesterday):
    article = make_article(status=S.UNPUBLISHED, published_at=yesterday, authors=[make_author()])
    article.publish(editor)
    assert Article.objects.get(pk=article.pk).published_at == yesterday


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"title": "  "}, "needs a title"),
        ({"body": "<p> </p>"}, "needs a body"),
        ({"bylines": False}, "at least one byline"),
        ({"lead_image_alt": ""}, "needs alt text"),
        ({"lead_image_credit": None}, "needs a credit"),
    ],
)
def test_publishing_requirements(editor, change, problem):
    article = make_article(
        status=S.IN_REVIEW,
        authors=[] if change.pop("bylines", True) is False else [make_author()],
        lead_image=make_image(),
        lead_image_alt="A harbour at dusk",
        lead_image_credit=make_credit(),
    )
    for name, value in change.items():
        setattr(article, name, value)
    article.save()
    with pytest.raises(ValidationError) as error:
        article.publish(editor)
    assert any(problem in message for message in error.value.messages)
    assert Article.objects.get(pk=article.pk).status == S.IN_REVIEW


def test_a_lead_image_needs_nothing_when_absent(editor):
    article = make_article(status=S.DRAFT, authors=[make_author()])
    assert article.publication_problems() == []


def test_scheduled_article_appears_at_its_time_with_no_job(editor):
    article = make_article(status=S.IN_REVIEW, authors=[make_author()])
    start = timezone.now()
    when = start + timedelta(hours=3)
    with time_machine.travel(start, tick=False):
        article.schedule(editor, when, "Embargoed until 3 pm.")
        article.refresh_from_db()
        assert article.status == S.PUBLISHED and article.is_scheduled()
        assert not Article.objects.published().filter(pk=article.pk).exists()
        assert article.events.get().action == ArticleEvent.Action.SCHEDULED
    with time_machine.travel(when - timedelta(seconds=1), tick=False):
        assert not Article.objects.published().filter(pk=article.pk).exists()
        assert not article.is_published()
    with time_machine.travel(when, tick=False):
        assert Article.objects.published().filter(pk=article.pk).exists()
        assert article.is_published() and not article.is_scheduled()


@pytest.mark.parametrize("offset", [timedelta(0), -timedelta(minutes=1)])
def test_scheduling_needs_a_future_time(editor, offset):
    article = make_article(status=S.IN_REVIEW, authors=[make_author()])
    with time_machine.travel(timezone.now(), tick=False):
        with pytest.raises(ValidationError, match="in the future"):
            article.schedule(editor, timezone.now() + offset)


def test_publish_now_brings_a_scheduled_article_forward(editor, tomorrow):
    article = make_article(published_at=tomorrow, authors=[make_author()])
    assert article.available_transitions(editor) == ["publish", "unpublish"]
    article.publish(editor)
    assert article.is_published()


def test_live_article_cannot_be_published_or_scheduled_again(editor, tomorrow):
    article = make_article(authors=[make_author()])
    with pytest.raises(ValidationError, match="already published"):
        article.publish(editor)
    with pytest.raises(ValidationError, match="already live"):
        article.schedule(editor, tomorrow)


def test_send_back_needs_a_note_and_reaches_the_writer(editor, writer):
    article = draft_by(writer, status=S.IN_REVIEW)
    with pytest.raises(ValidationError, match="Add a note"):
        article.return_to_draft(editor, "  ")
    article.return_to_draft(editor, "Cut the second half.")
    article.refresh_from_db()
    assert article.status == S.DRAFT
    assert article.can_edit(writer)
    assert article.events.get().note == "Cut the second half."


def test_unpublish(editor):
    article = make_article(authors=[make_author()])
    article.unpublish(editor, "Legal asked us to.")
    article.refresh_from_db()
    assert article.status == S.UNPUBLISHED and not article.is_published()
    with pytest.raises(ValidationError, match="cannot be unpublished"):
        article.unpublish(editor)


@pytest.mark.parametrize(
    "status, editor_may, writer_may",
    [
        (S.DRAFT, ["submit", "publish", "schedule"], ["submit"]),
        (S.IN_REVIEW, ["publish", "schedule", "return"], []),
        (S.PUBLISHED, ["unpublish"], []),
        (S.UNPUBLISHED, ["publish", "schedule", "return"], []),
    ],
)
def test_available_transitions(editor, writer, status, editor_may, writer_may):
    article = draft_by(writer, status=status, published_at=timezone.now())
    assert article.available_transitions(editor) == editor_may
    assert article.available_transitions(writer) == writer_may
    assert article.available_transitions(make_staff("writer")) == []


def test_ownership_by_byline_or_creation(writer):
    by_byline = make_article(status=S.DRAFT, authors=[make_author(user=writer)])
    by_creation = make_article(status=S.DRAFT, created_by=writer)
    neither = make_article(status=S.DRAFT)
    assert by_byline.can_edit(writer) and by_creation.can_edit(writer)
    assert not neither.can_edit(writer)
    assert set(Article.objects.owned_by(writer)) == {by_byline, by_creation}


def test_writer_deletes_only_never_published_own_drafts(writer, editor, yesterday):
    assert draft_by(writer).can_delete(writer)
    assert not draft_by(writer, status=S.IN_REVIEW).can_delete(writer)
    assert not draft_by(writer, published_at=yesterday).can_delete(writer)
    assert make_article(authors=[make_author()]).can_delete(editor)


# -- revisions, history, restore -------------------------------------------------


def test_every_save_moves_the_revision_up():
    article = make_article()
    assert article.revision == 0
    article.title = "Second"
    article.save()
    article.save(update_fields=["title"])
    assert article.revision == 2
    assert Article.objects.get(pk=article.pk).revision == 2


def test_stale_save_is_refused_and_the_newer_one_kept():
    """The SQLite path (and any database): a sequential stale save."""
    article = make_article(title="Original")
    mine, theirs = Article.objects.get(pk=article.pk), Article.objects.get(pk=article.pk)
    theirs.title = "Theirs"
    theirs.save(expected_revision=theirs.revision)
    mine.title = "Mine"
    with pytest.raises(EditConflict):
        mine.save(expected_revision=mine.revision)
    stored = Article.objects.get(pk=article.pk)
    assert (stored.title, stored.revision) == ("Theirs", 1)


def test_transition_on_a_stale_copy_is_refused(editor):
    article = make_article(status=S.IN_REVIEW, authors=[make_author()])
    stale = Article.objects.get(pk=article.pk)
    article.title = "Changed meanwhile"
    article.save()
    with pytest.raises(EditConflict):
        stale.publish(editor)
    assert stale.status == S.IN_REVIEW  # the in-memory copy is left as it was
    assert Article.objects.get(pk=article.pk).status == S.IN_REVIEW


def test_history_keeps_every_version_and_restore_brings_text_back(editor):
    article = make_article(title="First title", body="<p>First body.</p>")
    article.title, article.body = "Second title", "<p>Second body.</p>"
    article.save()
    versions = list(article.history.order_by("history_date"))
    assert [(v.revision, v.title) for v in versions] == [(0, "First title"), (1, "Second title")]
    article.restore_version(editor, versions[0])
    article.refresh_from_db()
    assert (article.title, article.body) == ("First title", "<p>First body.</p>")
    assert article.revision == 2
    latest = article.history.latest("history_date")
    assert latest.history_user == editor and latest.history_change_reason == "Restored revision 0"
    assert article.events.get().action == ArticleEvent.Action.RESTORED


def test_restore_checks_who_asks(writer):
    article = make_article(title="Someone else's")
    with pytest.raises(PermissionDenied):
        article.restore_version(writer, article.history.get())
    other = make_article()
    with pytest.raises(ValidationError):
        other.restore_version(make_staff("editor"), article.history.get())


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks across connections: PostgreSQL only"
)
def test_concurrent_saves_on_postgresql_one_wins_one_conflicts():
    article = make_article(title="Original", authors=[make_author()])
    first_updated = threading.Event()
    results = {}

    def save(name, pause):
        try:
            copy = Article.objects.get(pk=article.pk)
            copy.title = name
            from django.db import transaction

            with transaction.atomic():
                copy.save(expected_revision=0)
                first_updated.set()
                if pause:
                    # Hold the row lock so the other save has to wait on it.
                    threading.Event().wait(0.5)
            results[name] = "saved"
        except EditConflict:
            results[name] = "conflict"
        finally:
            connections.close_all()

    first = threading.Thread(target=save, args=("First", True))
    first.start()
    assert first_updated.wait(5)
    second = threading.Thread(target=save, args=("Second", False))
    second.start()
    first.join(10)
    second.join(10)
    assert results == {"First": "saved", "Second": "conflict"}
    stored = Article.objects.get(pk=article.pk)
    assert (stored.title, stored.revision) == ("First", 1)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks across connections: PostgreSQL only"
)
def test_many_concurrent_saves_on_postgresql_exactly_one_wins():
    article = make_article(title="Original")
    barrier = threading.Barrier(4)
    outcomes = []

    def save(n):
        try:
            copy = Article.objects.get(pk=article.pk)
            copy.title = f"Edit {n}"
            barrier.wait(5)
            copy.save(expected_revision=copy.revision)
            outcomes.append("saved")
        except EditConflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "saved"]
    assert Article.objects.get(pk=article.pk).revision == 1


def test_byline_count_is_real(editor):
    article = make_article(status=S.IN_REVIEW)
    Byline.objects.create(article=article, author=make_author())
    article.publish(editor)
    assert article.is_published()
