from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from articles.models import Article, Author, Byline, ImageCredit
from sections.models import Section

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "sections": list(Section.objects.values_list("slug", "name", "position")),
        "authors": list(Author.objects.values_list("slug", "bio")),
        "credits": list(ImageCredit.objects.values_list("name", "kind")),
        "articles": list(
            Article.objects.values_list("legacy_key", "slug", "status", "published_at", "body")
        ),
        "bylines": list(Byline.objects.values_list("article__slug", "author__slug", "position")),
        "users": list(get_user_model().objects.values_list("username", "password")),
    }


def test_load_demo_creates_a_varied_site():
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert Section.objects.count() >= 3
    assert Article.objects.count() >= 30
    published = Article.objects.published()
    assert published.filter(is_feature=True).count() >= 3
    assert Article.objects.filter(status=Article.Status.DRAFT).exists()
    assert sum(a.is_scheduled() for a in Article.objects.all()) == 1
    for article in published:
        assert article.lead_image and article.lead_image_alt and article.lead_image_credit
        assert article.lead_image_width == 1600
        assert article.bylines.exists()


def test_load_demo_is_idempotent():
    call_command("load_demo", stdout=StringIO())
    before = snapshot()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert snapshot() == before
    assert "0 sections, 0 authors, 0 credits and 0 articles created" in out.getvalue()


def test_demo_editor_only_on_an_empty_site_with_a_random_password():
    out = StringIO()
    call_command("load_demo", stdout=out)
    user = get_user_model().objects.get()
    password = out.getvalue().split("password: ")[1].split()[0]
    assert len(password) >= 12 and user.check_password(password)
    # An editor in the Editor group, not a superuser: it may publish, not manage accounts.
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Editor"]
    assert user.has_perm("articles.publish_article") and not user.has_perm("auth.add_user")
    call_command("load_demo", stdout=(second := StringIO()))
    assert "password" not in second.getvalue()
    assert get_user_model().objects.count() == 1


def test_the_sign_in_address_is_where_the_site_is_served():
    out = StringIO()
    call_command("load_demo", "--site-url", "http://127.0.0.1:8123", stdout=out)
    assert "Sign in at http://127.0.0.1:8123/admin/ with" in out.getvalue()


def test_no_user_flag():
    call_command("load_demo", "--no-user", stdout=StringIO())
    assert not get_user_model().objects.exists()
