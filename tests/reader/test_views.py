"""Reader pages of the articles app: home, article and author pages."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import RequestFactory, override_settings
from django.utils import timezone

from articles.models import Article, Byline
from reader.cache import bump_content_version
from reader.views import render_article
from tests.factories import (
    make_article,
    make_author,
    make_credit,
    make_image,
    make_section,
)

pytestmark = pytest.mark.django_db

Status = Article.Status
NOT_PUBLIC = [
    pytest.param({"status": Status.DRAFT, "published_at": None}, id="draft"),
    pytest.param({"status": Status.IN_REVIEW, "published_at": None}, id="in-review"),
    pytest.param({"status": Status.UNPUBLISHED}, id="unpublished"),
    pytest.param({"published_at": "future"}, id="scheduled"),
]


def not_public(**state):
    """An article in `state` (one of NOT_PUBLIC) with a tell-tale title."""
    state = dict(state)
    if state.get("published_at") == "future":
        state["published_at"] = timezone.now() + timedelta(hours=2)
    state.setdefault("published_at", timezone.now() - timedelta(days=1))
    return make_article(title="Secret story", slug="secret-story", is_feature=True, **state)


def json_ld(response):
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    assert len(blocks) == 1
    return json.loads(blocks[0])


def meta(response, attr, name):
    match = re.search(
        rf'<meta {attr}="{re.escape(name)}" content="([^"]*)"', response.content.decode()
    )
    return match and match.group(1)


# -- article page ----------------------------------------------------------------


def test_article_page_shows_everything_a_reader_needs(client):
    section = make_section(name="Economy", slug="economy")
    anna, ben, cai = (
        make_author(name=name, slug=name.lower().replace(" ", "-"))
        for name in ("Anna Aho", "Ben Bui", "Cai Chen")
    )
    credit = make_credit(name="Harbour Agency", url="https://agency.example/")
    article = make_article(
        section=section,
        kicker="Analysis",
        title="The Port That Learned to Wait",
        slug="the-port",
        dek="Ships idle offshore for days.",
        body="<p>First paragraph.</p><h2>Background</h2><p>More.</p>",
        lead_image=make_image(size=(1600, 900)),
        lead_image_alt="Cranes at dusk",
        lead_image_caption="The container terminal at night.",
        lead_image_credit=credit,
    )
    Byline.objects.create(article=article, author=ben, position=1)
    Byline.objects.create(article=article, author=anna, position=0)
    Byline.objects.create(article=article, author=cai, position=2, role=Byline.Role.PHOTOS)

    response = client.get("/economy/the-port/")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert '<h1 class="article-title">The Port That Learned to Wait</h1>' in html
    assert "Ships idle offshore for days." in html
    assert "Analysis" in html
    assert '<a href="/economy/">Economy</a>' in html
    # Bylines in their order, grouped by role, each linking to the author page.
    assert re.search(r"By <a[^>]*>Anna Aho</a> and <a[^>]*>Ben Bui</a>", html)
    assert 'Photos by <a href="/authors/cai-chen/">Cai Chen</a>' in html
    # The lead image: renditions with alt text, caption and a linked credit.
    assert 'alt="Cranes at dusk"' in html
    assert "The container terminal at night." in html
    assert 'Credit: <a href="https://agency.example/" rel="noopener">Harbour Agency</a>' in html
    assert article.lead_image.url not in html  # never the raw upload
    assert "<h2>Background</h2>" in html  # the sanitized body, as HTML
    assert '<aside class="sidebar"' in html


def test_credit_without_url_is_plain_text(client):
    make_article(
        slug="a",
        section=make_section(slug="s"),
        lead_image=make_image(),
        lead_image_alt="x",
        lead_image_credit=make_credit(name="Courtesy of the family"),
    )
    html = client.get("/s/a/").content.decode()
    assert "Credit: Courtesy of the family" in html


@pytest.mark.parametrize("state", NOT_PUBLIC)
def test_article_not_public_is_404(client, state):
    article = not_public(**state)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 404
    assert "Secret story" not in response.content.decode()


def test_article_in_another_section_is_404(client):
    article = make_article(slug="story", section=make_section(slug="politics"))
    make_section(slug="economy")
    assert client.get("/politics/story/").status_code == 200
    assert client.get("/economy/story/").status_code == 404
    assert client.get(article.get_absolute_url() + "extra/").status_code == 404


def test_more_from_the_same_section_excludes_the_article_and_other_sections(client):
    section = make_section()
    article = make_article(section=section, title="Main story")
    siblings = [
        make_article(
            section=section,
            title=f"Sibling {i}",
            published_at=timezone.now() - timedelta(hours=2 + i),
        )
        for i in range(6)
    ]
    make_article(title="Elsewhere")
    not_public(status=Status.DRAFT, published_at=None, section=section)

    response = client.get(article.get_absolute_url())

    titles = [a.title for a in response.context["page"].more_articles]
    assert titles == [s.title for s in siblings[:4]]
    html = response.content.decode()
    assert "Secret story" not in html


@override_settings(TIME_ZONE="Asia/Manila")
def test_dates_are_shown_in_the_site_time_zone(client):
    published = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    article = make_article(published_at=published)
    html = client.get(article.get_absolute_url()).content.decode()
    # 23:30 UTC on 1 March is 07:30 on 2 March in Manila (UTC+8).
    assert "2 March 2026, 07:30" in html
    assert 'datetime="2026-03-02T07:30:00+08:00"' in html


def test_updated_time_only_when_edited_well_after_publication(client):
    now = timezone.now()
    article = make_article(published_at=now - timedelta(hours=5))
    # Published long before it was entered (back-dated or imported): no "Updated".
    assert "Updated" not in client.get(article.get_absolute_url()).content.decode()

    # update() sends no signal: like every such write, it bumps the version itself.
    Article.objects.filter(pk=article.pk).update(
        created_at=now - timedelta(days=1), updated_at=now - timedelta(hours=4, minutes=50)
    )
    bump_content_version()
    assert "Updated" not in client.get(article.get_absolute_url()).content.decode()

    updated = now - timedelta(hours=1)
    Article.objects.filter(pk=article.pk).update(updated_at=updated)
    bump_content_version()
    response = client.get(article.get_absolute_url())
    assert re.search(r'Updated <time datetime="[^"]+">', response.content.decode())
    assert json_ld(response)["dateModified"] == updated.isoformat()
    assert meta(response, "property", "article:modified_time") == updated.isoformat()


@override_settings(ALLOWED_HOSTS=["news.example.org"])
def test_metadata_and_open_graph(client):
    author = make_author(name="Anna Aho", slug="anna-aho")
    article = make_article(
        section=make_section(name="Security", slug="security"),
        title="Lighthouses as Foreign Policy",
        slug="lighthouses",
        dek="Restored lighthouses say more than speeches.",
        authors=[author],
        lead_image=make_image(size=(2000, 1000)),
        lead_image_alt="A lighthouse",
    )
    response = client.get("/security/lighthouses/", HTTP_HOST="news.example.org")
    html = response.content.decode()

    assert "<title>Lighthouses as Foreign Policy | Newsroom</title>" in html
    assert meta(response, "name", "description") == article.dek
    assert '<link rel="canonical" href="http://news.example.org/security/lighthouses/">' in html
    assert meta(response, "property", "og:type") == "article"
    assert meta(response, "property", "og:title") == article.title
    assert meta(response, "property", "og:description") == article.dek
    assert meta(response, "property", "og:url") == "http://news.example.org/security/lighthouses/"
    image = meta(response, "property", "og:image")
    assert image.startswith("http://news.example.org/media/renditions/") and "-1200.jpg" in image
    assert meta(response, "property", "og:image:width") == "1200"
    assert meta(response, "property", "og:image:height") == "600"
    assert meta(response, "property", "article:section") == "Security"
    assert meta(response, "property", "article:published_time") == (
        timezone.localtime(article.published_at).isoformat()
    )
    assert meta(response, "property", "article:author") == (
        "http://news.example.org/authors/anna-aho/"
    )
    assert meta(response, "name", "twitter:card") == "summary_large_image"
    assert meta(response, "name", "twitter:image") == image
    assert 'name="robots"' not in html


@override_settings(NEWSROOM_SITE_NAME="The Harbour Review", ALLOWED_HOSTS=["news.example.org"])
def test_json_ld_news_article(client):
    authors = [make_author(name="Anna Aho", slug="anna"), make_author(name="Ben Bui", slug="ben")]
    article = make_article(
        section=make_section(name="Politics", slug="politics"),
        title="A Mayor Who Answers Her Own Phone",
        slug="mayor",
        dek="Accessibility is policy.",
        authors=authors,
        lead_image=make_image(size=(1600, 1200)),
        lead_image_alt="A telephone",
    )
    data = json_ld(client.get("/politics/mayor/", HTTP_HOST="news.example.org"))

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == article.title
    assert data["description"] == article.dek
    assert data["articleSection"] == "Politics"
    assert data["datePublished"] == article.published_at.isoformat()
    assert data["dateModified"] == data["datePublished"]  # not edited since
    assert data["author"] == [
        {"@type": "Person", "name": "Anna Aho", "url": "http://news.example.org/authors/anna/"},
        {"@type": "Person", "name": "Ben Bui", "url": "http://news.example.org/authors/ben/"},
    ]
    assert data["publisher"] == {"@type": "Organization", "name": "The Harbour Review"}
    assert data["mainEntityOfPage"]["@id"] == "http://news.example.org/politics/mayor/"
    assert data["image"] and all(
        url.startswith("http://news.example.org/media/renditions/") for url in data["image"]
    )


def test_json_ld_cannot_end_its_script_element(client):
    article = make_article(
        title="</script><script>alert(1)</script>", dek="Tom & Jerry <b>bold</b>"
    )
    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    data = json_ld(response)
    assert data["headline"] == "</script><script>alert(1)</script>"
    assert data["description"] == "Tom & Jerry <b>bold</b>"


def test_article_without_image_or_dates_still_renders_for_preview(rf_request):
    article = make_article(status=Status.DRAFT, published_at=None, title="Work in progress")
    response = render_article(rf_request, article, extra_context={"preview": True})
    html = response.content.decode()
    assert "Work in progress" in html
    assert "Preview — not published" in html
    assert '<meta name="robots" content="noindex">' in html
    assert "datePublished" not in html


def test_preview_differs_from_the_public_page_only_by_banner_and_noindex(client, rf_request):
    article = make_article(slug="same", section=make_section(slug="s"), authors=[make_author()])
    public = client.get("/s/same/").content.decode()
    rf_request.path = "/s/same/"
    preview = render_article(rf_request, article, extra_context={"preview": True})
    preview = preview.content.decode()
    banner = re.search(r'<div class="preview-banner".*?</div>\n', preview, re.S).group(0)
    robots = '<meta name="robots" content="noindex">'
    assert preview.replace(banner, "").replace(robots, "").split() == public.split()


@pytest.fixture
def rf_request():
    request = RequestFactory().get("/preview/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    return request


# -- home page -----------------------------------------------------------------


def test_home_lead_is_the_newest_pinned_story(client):
    now = timezone.now()
    make_article(title="Newest feature", is_feature=True, published_at=now - timedelta(minutes=5))
    make_article(title="Old pin", is_pinned=True, published_at=now - timedelta(days=3))
    make_article(title="Pinned", is_pinned=True, published_at=now - timedelta(days=1))
    not_public(status=Status.DRAFT, published_at=None, is_pinned=True)
    not_public(published_at="future", is_pinned=True)

    page = client.get("/").context["front_page"]

    assert page.lead.title == "Pinned"
    assert "Pinned" not in [a.title for a in page.latest]  # not repeated below


def test_home_lead_falls_back_to_newest_feature_then_newest_story(client):
    now = timezone.now()
    make_article(title="Plain newest", published_at=now - timedelta(minutes=1))
    feature = make_article(title="Feature", is_feature=True, published_at=now - timedelta(days=2))
    assert client.get("/").context["front_page"].lead == feature
    feature.delete()
    assert client.get("/").context["front_page"].lead.title == "Plain newest"


def test_home_latest_and_section_blocks(client):
    now = timezone.now()
    politics = make_section(name="Politics", slug="politics", position=1)
    economy = make_section(name="Economy", slug="economy", position=0)
    hidden = make_section(name="Hidden", slug="hidden", show_in_navigation=False)
    make_section(name="Empty", slug="empty", position=2)
    stories = {}
    for i in range(6):
        for section in (politics, economy, hidden):
            stories[section.slug, i] = make_article(
                section=section,
                title=f"{section.name} {i}",
                published_at=now - timedelta(hours=i * 3 + (section.pk % 3)),
            )
    not_public(status=Status.DRAFT, published_at=None, section=politics)

    response = client.get("/")
    page = response.context["front_page"]
    everything = sorted(stories.values(), key=lambda a: a.published_at, reverse=True)

    assert page.lead == everything[0]
    assert page.latest == everything[1:7]
    assert [block.section.slug for block in page.blocks] == ["economy", "politics"]
    for block in page.blocks:
        expected = [a for a in everything[1:] if a.section.slug == block.section.slug][:4]
        assert block.articles == expected
    html = response.content.decode()
    assert "Secret story" not in html
    assert html.count("<h1") == 1
    assert '<h1 class="site-name">' in html


@pytest.mark.parametrize("state", NOT_PUBLIC)
def test_not_public_articles_stay_off_home_and_sidebar(client, state):
    make_article(title="Visible story", is_feature=True)
    not_public(**state)
    html = client.get("/").content.decode()
    assert "Visible story" in html
    assert "Secret story" not in html


def test_empty_site_home(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Nothing has been published yet" in response.content.decode()


# -- author page -----------------------------------------------------------------


def test_author_page(client):
    author = make_author(name="Tevita Fonua", slug="tevita", bio="Writes about the sea.")
    older = make_article(
        title="Older", authors=[author], published_at=timezone.now() - timedelta(days=2)
    )
    newer = make_article(title="Newer", authors=[make_author(), author])
    # Two roles on one story: listed once.
    Byline.objects.create(article=newer, author=author, role=Byline.Role.PHOTOS, position=5)
    make_article(title="Someone else's")
    not_public(status=Status.DRAFT, published_at=None, authors=[author])

    response = client.get("/authors/tevita/")

    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [newer, older]
    html = response.content.decode()
    assert "<h1>Tevita Fonua</h1>" in html
    assert "Writes about the sea." in html
    assert "Secret story" not in html
    assert "Someone else" not in html
    assert "<title>Tevita Fonua | Newsroom</title>" in html


def test_author_photo_is_a_square_rendition(client):
    make_author(slug="with-photo", name="Pat", photo=make_image("pat.jpg", size=(600, 800)))
    html = client.get("/authors/with-photo/").content.decode()
    assert re.search(r'src="/media/renditions/authors/pat[^"]*-sq\d+\.jpg"', html)
    assert 'width="96" height="96"' in html
    assert 'alt="Pat"' in html


def test_unknown_author_is_404(client):
    assert client.get("/authors/nobody/").status_code == 404


def test_author_pagination(client):
    author = make_author(slug="prolific")
    now = timezone.now()
    for i in range(21):
        make_article(authors=[author], published_at=now - timedelta(hours=i + 1))
    first = client.get("/authors/prolific/")
    second = client.get("/authors/prolific/?page=2")
    assert len(first.context["page_obj"]) == 20
    assert len(second.context["page_obj"]) == 1
    assert "<title>Author" in second.content.decode()
    assert "— page 2 |" in second.content.decode()
    assert client.get("/authors/prolific/?page=3").status_code == 404
    assert client.get("/authors/prolific/?page=two").status_code == 404


RLO, PDF, RLI, PDI = "\u202e", "\u202c", "\u2067", "\u2069"


@pytest.mark.parametrize(
    ("title", "closed"),
    [
        ("Plain title", "Plain title"),
        (f"Road {RLO}Not{PDF} Taken {RLO}Frost", f"Road {RLO}Not{PDF} Taken {RLO}Frost{PDF}"),
        (f"{RLI}a{RLO}b{PDI} c {RLO}", f"{RLI}a{RLO}b{PDI} c {RLO}{PDF}"),  # PDI closes both
        (f"x{PDF}{PDI} y", f"x{PDF}{PDI} y"),  # stray closers: nothing owed
        (f"{RLI}{RLO}z", f"{RLI}{RLO}z{PDF}{PDI}"),
    ],
)
def test_direction_controls_a_title_leaves_open_are_closed_in_the_page_title(client, title, closed):
    # Imported titles keep every character (byte-exact); the page title must
    # not let one reverse the site name after it.
    article = make_article(title=title)
    assert Article.objects.get(pk=article.pk).title == title
    html = client.get(article.get_absolute_url()).content.decode()
    assert f"<title>{closed} | " in html
    assert f'<meta property="og:title" content="{closed}">' in html


def test_a_search_query_cannot_reverse_the_page_title(client):
    html = client.get("/search/", {"q": f"{RLO}harbour"}).content.decode()
    assert f"<title>Search: {RLO}harbour{PDF} | " in html


def test_every_public_page_has_a_description_even_without_bio_or_blurb(client):
    section = make_section(name="Harbour", description="")
    author = make_author(name="Ama Mensah", bio="")
    article = make_article(section=section, title="Quay")
    Byline.objects.create(article=article, author=author)
    pages = {
        section.get_absolute_url(): "Harbour: the latest articles in ",
        author.get_absolute_url(): "Articles by Ama Mensah in ",
        "/search/?q=quay": "Search ",
    }
    for url, start in pages.items():
        response = client.get(url)
        assert meta(response, "name", "description").startswith(start), url
        if "search" not in url:
            assert meta(response, "property", "og:description").startswith(start), url
