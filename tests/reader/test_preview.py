from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from articles import sharing as preview
from articles.models import Article
from tests.articles.admin_helpers import own_article
from tests.factories import make_article, make_author, make_staff

pytestmark = pytest.mark.django_db

S = Article.Status


def staff_url(article):
    return reverse("reader:preview", args=[article.pk])


def assert_private(response):
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"


@pytest.mark.parametrize("status", [S.DRAFT, S.IN_REVIEW, S.UNPUBLISHED, S.PUBLISHED])
def test_editors_preview_any_state_as_readers_would_see_it(client, status):
    article = make_article(
        status=status,
        published_at=timezone.now() + timedelta(days=1),
        title="Embargoed harbour report",
        authors=[make_author(name="Ana Lim")],
    )
    client.force_login(make_staff("editor"))
    response = client.get(staff_url(article))
    assert response.status_code == 200
    assert response.context["article"] == article and response.context["preview"] is True
    assert "articles/article_detail.html" in [t.name for t in response.templates]
    assert "Embargoed harbour report" in response.content.decode()
    assert_private(response)


def test_writers_preview_their_own_articles_only(client):
    writer = make_staff("writer")
    client.force_login(writer)
    assert client.get(staff_url(own_article(writer))).status_code == 200
    assert client.get(staff_url(make_article(status=S.DRAFT))).status_code == 404


def test_anonymous_users_cannot_use_the_staff_preview(client):
    response = client.get(staff_url(make_article(status=S.DRAFT)))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_shared_link_shows_a_draft_to_someone_without_an_account(client):
    article = make_article(status=S.DRAFT, title="For the lawyer's eyes")
    response = client.get(preview.share_url(article))
    assert response.status_code == 200
    assert response.context["article"] == article and response.context["preview"]
    assert_private(response)
    assert client.post(preview.share_url(article)).status_code == 405  # read-only


def test_shared_link_expires():
    article = make_article(status=S.DRAFT)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        url = preview.share_url(article)
    from django.test import Client

    with time_machine.travel(start + timedelta(days=7) - timedelta(minutes=1), tick=False):
        assert Client().get(url).status_code == 200
    with time_machine.travel(start + timedelta(days=7, minutes=1), tick=False):
        response = Client().get(url)
        assert response.status_code == 410
        assert "expired" in response.content.decode()


def test_expiry_is_configurable(client, settings):
    settings.NEWSROOM_PREVIEW_LINK_DAYS = 1
    article = make_article(status=S.DRAFT)
    url = preview.share_url(article)
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        assert client.get(url).status_code == 410


def test_shared_link_is_revoked_by_a_change(client):
    article = make_article(status=S.DRAFT)
    url = preview.share_url(article)
    article.title = "Corrected"
    article.save()
    response = client.get(url)
    assert response.status_code == 410 and "changed" in response.content.decode()
    assert client.get(preview.share_url(article)).status_code == 200


def test_tampered_or_forged_links_are_refused(client):
    article = make_article(status=S.DRAFT)
    other = make_article(status=S.DRAFT)
    token = preview.share_token(article)
    url = reverse("reader:shared_preview", kwargs={"token": token[:-2] + "xx"})
    assert client.get(url).status_code == 404
    forged = signing.dumps({"a": other.pk, "r": other.revision}, salt="some.other.salt")
    url = reverse("reader:shared_preview", kwargs={"token": forged})
    assert client.get(url).status_code == 404


def test_change_form_offers_preview_and_share_link(client):
    article = make_article(status=S.DRAFT)
    client.force_login(make_staff("editor"))
    response = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert response.context["preview_url"] == staff_url(article)
    share_url = response.context["share_url"]
    assert "/preview/shared/" in share_url and share_url in response.content.decode()
    # The link is signed with a timestamp, so compare what it does, not its text.
    client.logout()
    shared = client.get(share_url)
    assert shared.status_code == 200
    assert article.title in shared.content.decode()
