"""The permission matrix, through the admin's real views: each role × each action."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ArticleEvent, Author, ImageCredit
from sections.models import Section
from tests.articles.admin_helpers import ADD_URL, change_url, form_data, messages_of, own_article
from tests.factories import make_article, make_credit, make_section, make_staff

pytestmark = pytest.mark.django_db

S = Article.Status


@pytest.fixture
def writer():
    return make_staff("writer")


@pytest.fixture
def user_of(writer):
    def make(role):
        return writer if role == "writer" else make_staff(role)

    return make


@pytest.mark.parametrize("role", ["writer", "editor", "superuser"])
def test_staff_reach_the_article_list(client, user_of, role):
    client.force_login(user_of(role))
    assert client.get(reverse("admin:articles_article_changelist")).status_code == 200


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(reverse("admin:articles_article_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_writers_list_only_their_own_articles(client, writer):
    mine = own_article(writer, title="Mine")
    make_article(title="Theirs", status=S.DRAFT)
    client.force_login(writer)
    response = client.get(reverse("admin:articles_article_changelist"))
    assert list(response.context["cl"].result_list) == [mine]


@pytest.mark.parametrize("role", ["writer", "editor"])
def test_both_roles_create_articles_as_drafts(client, user_of, role):
    user = user_of(role)
    client.force_login(user)
    data = form_data(section=make_section().pk, title="New story", slug="new-story")
    response = client.post(ADD_URL, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    article = Article.objects.get(slug="new-story")
    assert (article.status, article.created_by) == (S.DRAFT, user)
    assert article.events.get().action == "created"


@pytest.mark.parametrize(
    "role, owner, status, allowed",
    [
        ("writer", "self", S.DRAFT, True),
        ("writer", "self", S.IN_REVIEW, False),
        ("writer", "self", S.PUBLISHED, False),
        ("writer", "self", S.UNPUBLISHED, False),
        ("writer", "other", S.DRAFT, False),
        ("editor", "other", S.DRAFT, True),
        ("editor", "other", S.IN_REVIEW, True),
        ("editor", "other", S.PUBLISHED, True),
        ("superuser", "other", S.PUBLISHED, True),
    ],
)
def test_who_may_edit_what(client, writer, user_of, role, owner, status, allowed):
    author = writer if owner == "self" else make_staff("writer")
    article = own_article(author, status=status, title="Before", published_at=timezone.now())
    client.force_login(user_of(role))
    response = client.post(change_url(article), form_data(article, title="After"))
    article.refresh_from_db()
    assert article.title == ("After" if allowed else "Before")
    if allowed:
        assert response.status_code == 302
    elif owner == "self":
        assert response.status_code == 403  # visible to its writer, read-only
    else:
        assert response.status_code == 302  # someone else's: as if it did not exist
        assert response["Location"] == reverse("admin:index")


# (role, starting status, button, resulting status: None when refused)
WORKFLOW_MATRIX = [
    ("writer", S.DRAFT, "submit", S.IN_REVIEW),
    ("writer", S.DRAFT, "publish", None),
    ("writer", S.DRAFT, "schedule", None),
    ("editor", S.DRAFT, "submit", S.IN_REVIEW),
    ("editor", S.DRAFT, "publish", S.PUBLISHED),
    ("editor", S.IN_REVIEW, "publish", S.PUBLISHED),
    ("editor", S.IN_REVIEW, "schedule", S.PUBLISHED),
    ("editor", S.IN_REVIEW, "return", S.DRAFT),
    ("editor", S.PUBLISHED, "unpublish", S.UNPUBLISHED),
    ("editor", S.UNPUBLISHED, "publish", S.PUBLISHED),
    ("editor", S.UNPUBLISHED, "return", S.DRAFT),
    ("editor", S.PUBLISHED, "submit", None),
    ("editor", S.DRAFT, "unpublish", None),
    ("superuser", S.IN_REVIEW, "publish", S.PUBLISHED),
]


@pytest.mark.parametrize("role, status, button, result", WORKFLOW_MATRIX)
def test_workflow_buttons(client, writer, user_of, role, status, button, result):
    published_at = timezone.now() - timedelta(days=2) if status != S.DRAFT else None
    article = own_article(writer, status=status, published_at=published_at)
    client.force_login(user_of(role))
    overrides = {"_workflow": button, "workflow_note": "Looked at it."}
    if button == "schedule":
        when = timezone.localtime(timezone.now() + timedelta(days=1))
        overrides |= {"published_at_0": f"{when:%Y-%m-%d}", "published_at_1": f"{when:%H:%M:%S}"}
    response = client.post(change_url(article), form_data(article, **overrides), follow=True)
    assert response.status_code == 200
    article.refresh_from_db()
    if result is None:
        assert article.status == status
        assert any("Your changes were saved, but" in m for m in messages_of(response))
    else:
        assert article.status == result
        event = article.events.exclude(action="edited").get()
        assert (event.from_status, event.to_status, event.note) == (status, result, "Looked at it.")
    if button == "schedule" and result:
        assert article.is_scheduled()


@pytest.mark.parametrize("status", [S.IN_REVIEW, S.PUBLISHED])
def test_writers_cannot_post_transitions_on_articles_out_of_their_hands(client, writer, status):
    article = own_article(writer, status=status, published_at=timezone.now())
    client.force_login(writer)
    for button in ["return", "unpublish", "publish"]:
        response = client.post(change_url(article), form_data(article, _workflow=button))
        assert response.status_code == 403
    assert Article.objects.get(pk=article.pk).status == status


@pytest.mark.parametrize(
    "role, action, changed",
    [
        ("writer", "publish_selected", False),
        ("writer", "unpublish_selected", False),
        ("editor", "publish_selected", True),
        ("editor", "unpublish_selected", True),
    ],
)
def test_bulk_actions_are_for_editors(client, writer, user_of, role, action, changed):
    start = S.IN_REVIEW if action == "publish_selected" else S.PUBLISHED
    articles = [own_article(writer, status=start, published_at=timezone.now()) for _ in range(3)]
    client.force_login(user_of(role))
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": action, "_selected_action": [a.pk for a in articles]},
        follow=True,
    )
    statuses = set(Article.objects.values_list("status", flat=True))
    if changed:
        assert statuses == {S.PUBLISHED if action == "publish_selected" else S.UNPUBLISHED}
        verb = "Published" if action == "publish_selected" else "Unpublished"
        assert f"{verb} 3 articles." in messages_of(response)
    else:
        assert statuses == {start}


@pytest.mark.parametrize(
    "role, status, allowed",
    [
        ("writer", S.DRAFT, True),
        ("writer", S.PUBLISHED, False),
        ("writer", S.UNPUBLISHED, False),
        ("editor", S.PUBLISHED, True),
    ],
)
def test_delete(client, writer, user_of, role, status, allowed):
    published_at = None if status == S.DRAFT else timezone.now()
    article = own_article(writer, status=status, published_at=published_at)
    article.record_event(writer, ArticleEvent.Action.CREATED)  # as the admin's add form does
    client.force_login(user_of(role))
    url = reverse("admin:articles_article_delete", args=[article.pk])
    response = client.post(url, {"post": "yes"})
    assert Article.objects.filter(pk=article.pk).exists() is not allowed
    assert response.status_code == (302 if allowed else 403)


def test_editors_bulk_delete_articles_with_their_events(client, writer, user_of):
    article = own_article(writer, status=S.PUBLISHED, published_at=timezone.now())
    article.record_event(writer, ArticleEvent.Action.PUBLISHED)
    client.force_login(user_of("editor"))
    client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "delete_selected", "_selected_action": [article.pk], "post": "yes"},
    )
    assert not Article.objects.filter(pk=article.pk).exists()
    assert not ArticleEvent.objects.filter(article_id=article.pk).exists()


def test_writers_have_no_bulk_delete(client, writer):
    client.force_login(writer)
    response = client.get(reverse("admin:articles_article_changelist"))
    assert response.context["action_form"] is None  # no list action at all for writers
    draft = own_article(writer)
    client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "delete_selected", "_selected_action": [draft.pk], "post": "yes"},
    )
    assert Article.objects.filter(pk=draft.pk).exists()


MANAGED = {
    "admin:sections_section_add": (
        {"name": "Travel", "slug": "travel", "position": 1},
        lambda: Section.objects.filter(slug="travel").exists(),
    ),
    "admin:articles_author_add": (
        {"name": "New Person", "slug": "new-person"},
        lambda: Author.objects.filter(slug="new-person").exists(),
    ),
    "admin:articles_imagecredit_add": (
        {"name": "New Agency", "kind": "agency"},
        lambda: ImageCredit.objects.filter(name="New Agency").exists(),
    ),
}


@pytest.mark.parametrize(
    "role, url_name, allowed",
    [
        ("writer", "admin:sections_section_add", False),
        ("writer", "admin:articles_author_add", False),
        # Writers add credits (by typing a new one on an article); editors manage them.
        ("writer", "admin:articles_imagecredit_add", True),
        ("editor", "admin:sections_section_add", True),
        ("editor", "admin:articles_author_add", True),
        ("editor", "admin:articles_imagecredit_add", True),
    ],
)
def test_managing_sections_authors_and_credits(client, user_of, role, url_name, allowed):
    data, created = MANAGED[url_name]
    client.force_login(user_of(role))
    response = client.post(reverse(url_name), data)
    assert response.status_code == (302 if allowed else 403)
    assert created() is allowed


@pytest.mark.parametrize(
    "url_name", ["admin:sections_section_change", "admin:articles_imagecredit_change"]
)
def test_writers_cannot_change_sections_or_credits(client, writer, url_name):
    obj = make_section() if "section" in url_name else make_credit(name="Old name")
    client.force_login(writer)
    data = {"name": "Renamed", "slug": "renamed", "position": 0, "kind": "stock"}
    assert client.post(reverse(url_name, args=[obj.pk]), data).status_code == 403
