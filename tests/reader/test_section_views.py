"""The section page: its published articles, newest first, 20 a page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_author, make_image, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture
def politics():
    return make_section(name="Politics", slug="politics", description="Parliaments and people.")


def make_stories(section, count):
    now = timezone.now()
    return [
        make_article(section=section, title=f"Story {i}", published_at=now - timedelta(hours=i + 1))
        for i in range(count)
    ]


def test_section_page_lists_its_published_articles_newest_first(client, politics):
    author = make_author(name="Mara Lindqvist", slug="mara")
    older = make_article(
        section=politics,
        title="Older",
        kicker="Analysis",
        dek="The older dek.",
        authors=[author],
        lead_image=make_image(),
        lead_image_alt="A ballot box",
        published_at=timezone.now() - timedelta(days=1),
    )
    newer = make_article(section=politics, title="Newer")
    make_article(title="Other section")
    for status in (Article.Status.DRAFT, Article.Status.IN_REVIEW, Article.Status.UNPUBLISHED):
        make_article(section=politics, title=f"Hidden {status}", status=status)
    make_article(
        section=politics, title="Hidden scheduled", published_at=timezone.now() + timedelta(hours=1)
    )

    response = client.get("/politics/")

    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [newer, older]
    html = response.content.decode()
    assert "<h1>Politics</h1>" in html
    assert "Parliaments and people." in html
    assert "Hidden" not in html
    assert "Other section" not in html
    # Each card: kicker, title, dek, bylines, date and a thumbnail rendition.
    assert "Analysis" in html
    assert f'<a href="{older.get_absolute_url()}">Older</a>' in html
    assert "The older dek." in html
    assert '<a href="/authors/mara/">Mara Lindqvist</a>' in html
    assert re.search(r'<time datetime="[^"]+">\d+ \w+ \d{4}</time>', html)
    assert 'alt="A ballot box"' in html
    assert "/media/renditions/lead/" in html
    assert older.lead_image.url not in html  # never the raw upload in a listing
    assert html.count("<h1") == 1
    assert '<a href="/politics/" aria-current="page">Politics</a>' in html


def test_unknown_section_is_404(client):
    assert client.get("/no-such-section/").status_code == 404


def test_empty_section(client, politics):
    response = client.get("/politics/")
    assert response.status_code == 200
    assert "Nothing published in Politics yet." in response.content.decode()
    assert client.get("/politics/?page=2").status_code == 404


def test_pagination_edges(client, politics):
    stories = make_stories(politics, 41)

    first = client.get("/politics/")
    assert list(first.context["page_obj"]) == stories[:20]
    assert first.context["page_obj"].paginator.num_pages == 3
    assert list(client.get("/politics/?page=1").context["page_obj"]) == stories[:20]
    assert list(client.get("/politics/?page=2").context["page_obj"]) == stories[20:40]
    last = client.get("/politics/?page=3")
    assert list(last.context["page_obj"]) == stories[40:]
    assert not last.context["page_obj"].has_next()


@pytest.mark.parametrize(
    "page", ["4", "0", "-1", "x", "", "1.0", "2 ", "١", "99999999999999999999"]
)
def test_pages_that_do_not_exist_are_404(client, politics, page):
    make_stories(politics, 41)
    assert client.get("/politics/", {"page": page}).status_code == 404


def test_exactly_twenty_articles_make_one_page(client, politics):
    make_stories(politics, 20)
    assert client.get("/politics/").context["page_obj"].paginator.num_pages == 1
    assert client.get("/politics/?page=2").status_code == 404


def test_title_and_canonical_name_the_page(client, politics):
    make_stories(politics, 21)
    first = client.get("/politics/").content.decode()
    second = client.get("/politics/?page=2").content.decode()
    assert "<title>Politics | Newsroom</title>" in first
    assert '<link rel="canonical" href="http://testserver/politics/">' in first
    assert "<title>Politics — page 2 | Newsroom</title>" in second
    assert '<link rel="canonical" href="http://testserver/politics/?page=2">' in second
    assert 'rel="next" href="?page=2"' in first
    assert 'rel="prev" href="/politics/"' in second


def test_navigation_lists_sections_in_their_order(client):
    make_section(name="Zebra", slug="zebra", position=0)
    make_section(name="Alpha", slug="alpha", position=2)
    make_section(name="Middle", slug="middle", position=1)
    make_section(name="Not in nav", slug="quiet", show_in_navigation=False)
    html = client.get("/zebra/").content.decode()
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    assert re.findall(r">(\w+)</a>", nav) == ["Zebra", "Middle", "Alpha"]
    assert client.get("/quiet/").status_code == 200  # reachable, just not listed
