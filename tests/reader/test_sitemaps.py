import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from articles.models import Article, Byline
from reader import sitemaps
from reader.cache import bump_content_version
from tests.factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
Status = Article.Status


def parse(client, url, root_tag):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{SM}{root_tag}"
    return root


def urlset(client, url):
    root = parse(client, url, "urlset")
    for entry in root.findall(f"{SM}url"):
        assert entry.findtext(f"{SM}loc").startswith("http://testserver/")
    return {entry.findtext(f"{SM}loc"): entry for entry in root.findall(f"{SM}url")}


@pytest.fixture
def content(now):
    politics = make_section(name="Politics", slug="politics")
    empty = make_section(name="Empty", slug="empty")
    writer, drafter = make_author(slug="writer"), make_author(slug="drafter")
    story = make_article(
        title="Recount ordered", section=politics, authors=[writer], published_at=now
    )
    hidden = [
        make_article(title="Draft", section=politics, status=Status.DRAFT, authors=[drafter]),
        make_article(title="Review", status=Status.IN_REVIEW, published_at=now, authors=[drafter]),
        make_article(title="Scheduled", published_at=now + timedelta(hours=1), authors=[drafter]),
        make_article(title="Pulled", status=Status.UNPUBLISHED, published_at=now),
    ]
    return {"story": story, "hidden": hidden, "politics": politics, "empty": empty}


def test_index_lists_the_sitemaps(client, content, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        root = parse(client, "/sitemap.xml", "sitemapindex")
    locations = [entry.findtext(f"{SM}loc") for entry in root.findall(f"{SM}sitemap")]
    assert locations == [
        "http://testserver/sitemap-sections.xml",
        "http://testserver/sitemap-articles.xml",
        "http://testserver/sitemap-authors.xml",
    ]
    articles = root.find(f"{SM}sitemap[{SM}loc='http://testserver/sitemap-articles.xml']")
    assert parse_datetime(articles.findtext(f"{SM}lastmod")) == content["story"].updated_at


def test_articles_sitemap_lists_published_articles_only(client, content):
    urls = urlset(client, "/sitemap-articles.xml")
    story = content["story"]
    assert list(urls) == ["http://testserver" + story.get_absolute_url()]
    lastmod = parse_datetime(urls["http://testserver" + story.get_absolute_url()].findtext(
        f"{SM}lastmod"
    ))  # fmt: skip
    assert lastmod == story.updated_at


def test_sections_sitemap_with_last_publication(client, content):
    urls = urlset(client, "/sitemap-sections.xml")
    assert set(urls) == {
        "http://testserver/politics/",
        "http://testserver/empty/",
    } | {"http://testserver" + a.section.get_absolute_url() for a in content["hidden"][1:]}
    politics = urls["http://testserver/politics/"]
    assert parse_datetime(politics.findtext(f"{SM}lastmod")) == content["story"].published_at
    assert urls["http://testserver/empty/"].find(f"{SM}lastmod") is None


def test_authors_sitemap_lists_authors_with_published_articles(client, content):
    writer = content["story"].bylines.get().author
    Byline.objects.create(article=content["story"], author=writer, role=Byline.Role.PHOTOS)
    make_author(slug="no-articles")
    urls = urlset(client, "/sitemap-authors.xml")
    assert list(urls) == ["http://testserver/authors/writer/"]


def test_articles_sitemap_is_paged(client, monkeypatch, now):
    monkeypatch.setattr(sitemaps.ArticleSitemap, "limit", 2)
    section = make_section()
    for n in range(5):
        make_article(section=section, published_at=now - timedelta(hours=n))
    root = parse(client, "/sitemap.xml", "sitemapindex")
    locations = [entry.findtext(f"{SM}loc") for entry in root.findall(f"{SM}sitemap")]
    assert [loc for loc in locations if "articles" in loc] == [
        "http://testserver/sitemap-articles.xml",
        "http://testserver/sitemap-articles.xml?p=2",
        "http://testserver/sitemap-articles.xml?p=3",
    ]
    pages = [urlset(client, f"/sitemap-articles.xml?p={page}") for page in (1, 2, 3)]
    assert [len(page) for page in pages] == [2, 2, 1]
    assert len(set().union(*pages)) == 5
    assert client.get("/sitemap-articles.xml?p=4").status_code == 404
    assert client.get("/sitemap-articles.xml?p=x").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_sitemap_queries_are_bounded(client, django_assert_max_num_queries, now, settings):
    settings.CONTENT_VERSION_CHECK_SECONDS = 60  # read once, not again while this runs
    sections = [make_section() for _ in range(3)]
    for n in range(30):
        make_article(section=sections[n % 3], authors=[make_author()], published_at=now)
    # The count and the page, plus the content version the cached sitemap is
    # filed under if this process has not read it yet; nothing when cached.
    for url in ("/sitemap-sections.xml", "/sitemap-articles.xml", "/sitemap-authors.xml"):
        with django_assert_max_num_queries(3):
            assert client.get(url).status_code == 200
        with django_assert_max_num_queries(0):
            assert client.get(url).status_code == 200


def test_news_sitemap(client, content, now, settings, django_assert_max_num_queries):
    settings.NEWSROOM_SITE_NAME = "The Harbour Times"
    settings.LANGUAGE_CODE = "en-gb"
    make_article(title="Two days old", published_at=now - timedelta(days=2, minutes=1))
    yesterday = make_article(title="Ferries & <tides>\x0c", published_at=now - timedelta(days=1))
    with django_assert_max_num_queries(3):
        response = client.get("/news-sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    entries = root.findall(f"{SM}url")
    assert [entry.findtext(f"{SM}loc") for entry in entries] == [
        "http://testserver" + content["story"].get_absolute_url(),
        "http://testserver" + yesterday.get_absolute_url(),
    ]
    news = entries[1].find(f"{NEWS}news")
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == "The Harbour Times"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    assert news.findtext(f"{NEWS}title") == "Ferries & <tides>"
    assert parse_datetime(news.findtext(f"{NEWS}publication_date")) == yesterday.published_at


def test_news_sitemap_drops_stories_as_they_turn_two_days_old(client, now):
    story = make_article(title="Ageing", published_at=now - timedelta(days=2) + timedelta(hours=1))
    assert story.get_absolute_url() in client.get("/news-sitemap.xml").content.decode()
    # No edit in between: only the clock moves.
    with time_machine.travel(now + timedelta(hours=2), tick=False):
        assert story.get_absolute_url() not in client.get("/news-sitemap.xml").content.decode()


def test_news_sitemap_stops_at_a_thousand(monkeypatch, now):
    monkeypatch.setattr(sitemaps, "NEWS_MAX_URLS", 3)
    section = make_section()
    for n in range(5):
        make_article(section=section, published_at=now - timedelta(minutes=n))
    items = sitemaps.NewsSitemap().items()
    assert sitemaps.NewsSitemap.limit == 1000
    assert len(items) == 3


@pytest.mark.parametrize(
    ("code", "expected"), [("en", "en"), ("pt-br", "pt"), ("zh-tw", "zh-tw"), ("zh-hans", "zh")]
)
def test_news_language(settings, code, expected):
    settings.LANGUAGE_CODE = code
    assert sitemaps.news_language() == expected


def test_sitemaps_are_cached_per_host_and_page(
    client, monkeypatch, django_assert_num_queries, settings
):
    settings.CONTENT_VERSION_CHECK_SECONDS = 60
    monkeypatch.setattr(sitemaps.ArticleSitemap, "limit", 1)
    first, second = make_article(), make_article()
    page1 = list(urlset(client, "/sitemap-articles.xml"))
    page2 = list(urlset(client, "/sitemap-articles.xml?p=2"))
    assert page1 != page2
    with django_assert_num_queries(0):
        assert list(urlset(client, "/sitemap-articles.xml?p=2&utm_source=x")) == page2
    https = client.get("/sitemap-articles.xml", secure=True).content.decode()
    assert "https://testserver" + first.get_absolute_url() in https
    assert client.get("/sitemap-articles.xml?p=3").status_code == 404
    second.delete()
    assert client.get("/sitemap-articles.xml?p=2").status_code == 200  # cached
    bump_content_version()
    # Sitemaps follow changes at most SITEMAP_LAG late.
    assert client.get("/sitemap-articles.xml?p=2").status_code == 200
    with time_machine.travel(timezone.now() + sitemaps.SITEMAP_LAG + timedelta(seconds=1)):
        assert client.get("/sitemap-articles.xml?p=2").status_code == 404


def test_robots_txt_points_at_both_sitemaps(client):
    response = client.get(reverse("robots"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /search/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Sitemap: http://testserver/news-sitemap.xml" in lines


def test_robots_txt_uses_the_request_scheme(client):
    response = client.get("/robots.txt", secure=True)
    assert "Sitemap: https://testserver/sitemap.xml" in response.content.decode()
