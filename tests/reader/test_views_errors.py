"""404 and 500 pages in the site's design."""

import pytest
from django.test import Client, override_settings
from django.urls import path

from tests.factories import make_article, make_section

pytestmark = pytest.mark.django_db


def broken_view(request):
    raise RuntimeError("the database is on fire")


urlpatterns = [path("broken/", broken_view)]


def test_404_page_in_the_site_design(client):
    make_section(name="Politics", slug="politics")
    make_article(title="A feature", is_feature=True)
    response = client.get("/politics/no-such-story/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>We could not find that page</h1>" in html
    assert html.count("<h1") == 1
    assert '<nav class="site-nav" aria-label="Sections">' in html
    assert "Recent features" in html
    assert '<form class="search-form" role="search" action="/search/" method="get">' in html
    assert "<title>Page not found | Newsroom</title>" in html


@override_settings(ROOT_URLCONF=__name__)
def test_500_page_is_self_contained(django_assert_num_queries):
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        response = client.get("/broken/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Something went wrong on our side</h1>" in html
    assert "/static/css/site.css" in html
    assert "the database is on fire" not in html


def test_browsers_asking_for_favicon_ico_get_an_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
