"""Old addresses of articles answer 301 to the current one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Redirect
from reader.middleware import redirect_candidates
from tests.factories import make_article, make_section

pytestmark = pytest.mark.django_db

Status = Article.Status


@pytest.fixture
def article():
    return make_article(section=make_section(slug="politics"), slug="old-slug")


def test_slug_change_keeps_the_old_address(client, article):
    article.slug = "new-slug"
    article.save()

    response = client.get("/politics/old-slug/")

    assert response.status_code == 301
    assert response["Location"] == "/politics/new-slug/"
    assert client.get("/politics/new-slug/").status_code == 200


def test_section_change_keeps_the_old_address(client, article):
    article.section = make_section(slug="economy")
    article.save()
    response = client.get("/politics/old-slug/")
    assert response.status_code == 301
    assert response["Location"] == "/economy/old-slug/"


def test_chain_of_changes_always_lands_on_the_current_address(client, article):
    for slug in ("second", "third"):
        article.slug = slug
        article.save()
    for old in ("/politics/old-slug/", "/politics/second/"):
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, "/politics/third/")


def test_moving_back_to_an_old_address_removes_its_redirect(client, article):
    article.slug = "renamed"
    article.save()
    article.slug = "old-slug"
    article.save()
    assert client.get("/politics/old-slug/").status_code == 200
    assert list(Redirect.objects.values_list("old_path", flat=True)) == ["/politics/renamed/"]
    assert client.get("/politics/renamed/")["Location"] == "/politics/old-slug/"


def test_drafts_renamed_before_publication_leave_no_redirect(article):
    draft = make_article(status=Status.DRAFT, published_at=None, slug="draft-slug")
    draft.slug = "better-slug"
    draft.save()
    assert not Redirect.objects.exists()


def test_section_slug_change_keeps_its_articles_addresses(client, article):
    draft = make_article(section=article.section, status=Status.DRAFT, published_at=None)
    section = article.section
    section.slug = "government"
    section.save()
    response = client.get("/politics/old-slug/")
    assert (response.status_code, response["Location"]) == (301, "/government/old-slug/")
    assert not Redirect.objects.filter(article=draft).exists()


@pytest.mark.parametrize(
    ("stored", "requested"),
    [
        ("/2019/06/some-post/", "/2019/06/some-post/"),
        ("/2019/06/some-post/", "/2019/06/some-post"),
        ("/2019/06/some-post", "/2019/06/some-post/"),
        ("/old/index.php", "/old/index.php"),
        ("/2019/06/café/", "/2019/06/café/"),
        ("/2019/06/caf%C3%A9/", "/2019/06/café/"),
    ],
)
def test_legacy_paths_from_imports(client, article, stored, requested):
    Redirect.objects.create(old_path=stored, article=article)
    response = client.get(requested)
    assert response.status_code == 301
    assert response["Location"] == "/politics/old-slug/"


def test_query_string_is_kept(client, article):
    Redirect.objects.create(old_path="/2019/06/post/", article=article)
    response = client.get("/2019/06/post/?utm_source=mail")
    assert response["Location"] == "/politics/old-slug/?utm_source=mail"


@pytest.mark.parametrize(
    "state",
    [
        {"status": Status.UNPUBLISHED},
        {"status": Status.DRAFT, "published_at": None},
        {"status": Status.IN_REVIEW, "published_at": None},
    ],
)
def test_redirect_to_an_article_readers_cannot_see_is_404(client, article, state):
    Redirect.objects.create(old_path="/2019/06/post/", article=article)
    Article.objects.filter(pk=article.pk).update(**state)
    assert client.get("/2019/06/post/").status_code == 404


def test_redirect_to_a_scheduled_article_is_404_until_its_time(client, article, tomorrow):
    Redirect.objects.create(old_path="/2019/06/post/", article=article)
    Article.objects.filter(pk=article.pk).update(published_at=tomorrow)
    assert client.get("/2019/06/post/").status_code == 404


def test_redirects_cost_one_query_on_404_and_none_on_found_pages(client, article):
    Redirect.objects.create(old_path="/politics/", article=article)
    with CaptureQueriesContext(connection) as found:
        response = client.get("/politics/")
    assert response.status_code == 200  # the section page wins over a stray redirect row
    with CaptureQueriesContext(connection) as missing:
        assert client.get("/nothing/here/at/all/").status_code == 404
    assert not [q for q in found.captured_queries if "articles_redirect" in q["sql"]]
    assert len([q for q in missing.captured_queries if "articles_redirect" in q["sql"]]) == 1


def test_post_to_an_old_address_is_not_redirected(client, article):
    Redirect.objects.create(old_path="/2019/06/post/", article=article)
    assert client.post("/2019/06/post/").status_code == 404


def test_redirect_candidates():
    assert redirect_candidates("/a/b/") == ["/a/b/", "/a/b"]
    assert redirect_candidates("/a/b") == ["/a/b", "/a/b/"]
    assert redirect_candidates("/é/") == ["/é/", "/é", "/%C3%A9/", "/%C3%A9"]
    assert redirect_candidates("/") == ["/"]
