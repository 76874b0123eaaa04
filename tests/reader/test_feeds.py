import html
import xml.etree.ElementTree as ET
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from articles.models import Article, Byline
from tests.factories import make_article, make_author, make_image, make_section

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
Status = Article.Status


def rss(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    for required in ("title", "link", "description"):
        assert channel.findtext(required), required
    for item in channel.findall("item"):
        for required in ("title", "link", "guid", "pubDate"):
            assert item.findtext(required), required
    return channel


def atom(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.findtext(f"{ATOM}{required}"), required
    assert feed.find(f"{ATOM}author/{ATOM}name").text
    for entry in feed.findall(f"{ATOM}entry"):
        for required in ("id", "title", "updated"):
            assert entry.findtext(f"{ATOM}{required}"), required
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href").startswith("http")
    return feed


@pytest.fixture
def story(now):
    section = make_section(name="Island Notebook", slug="island-notebook")
    return make_article(
        section=section,
        title="Harbour lights return",
        dek="After a year of repairs, the lights are on <again> & shining.",
        published_at=now - timedelta(hours=2),
        lead_image=make_image("lights.jpg"),
        authors=[make_author(name="Ana Lim"), make_author(name="Tevita Fonua")],
    )


@pytest.fixture
def hidden(now):
    return [
        make_article(title="Draft piece", status=Status.DRAFT),
        make_article(title="In review piece", status=Status.IN_REVIEW, published_at=now),
        make_article(title="Scheduled piece", published_at=now + timedelta(hours=1)),
        make_article(title="Unpublished piece", status=Status.UNPUBLISHED, published_at=now),
    ]


def test_site_rss_feed(client, story, hidden):
    channel = rss(client, reverse("feeds:site"))
    assert channel.findtext("link") == "http://testserver/"
    assert channel.find(f"{ATOM}link").get("href") == "http://testserver/feeds/rss/"
    (item,) = channel.findall("item")
    assert item.findtext("title") == "Harbour lights return"
    assert item.findtext("link") == "http://testserver/island-notebook/" + story.slug + "/"
    # Read as HTML by feed readers: the dek's "<again>" must reach them as text.
    assert item.findtext("description") == html.escape(story.dek)
    assert item.findtext(f"{DC}creator") == "Ana Lim, Tevita Fonua"
    assert item.findtext("category") == "Island Notebook"
    assert parsedate_to_datetime(item.findtext("pubDate")) == story.published_at.replace(
        microsecond=0
    )
    guid = item.find("guid")
    assert guid.get("isPermaLink") == "false"
    assert guid.text == f"tag:localhost,{story.created_at.date().isoformat()}:article:{story.pk}"
    enclosure = item.find("enclosure")
    assert enclosure.get("url") == "http://testserver" + story.lead_image.url
    assert enclosure.get("type") == "image/jpeg"
    assert int(enclosure.get("length")) == story.lead_image.size > 0


def test_site_atom_feed(client, story, hidden):
    feed = atom(client, reverse("feeds:site-atom"))
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "http://testserver/feeds/atom/"
    assert feed.findtext(f"{ATOM}subtitle")
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}id").startswith("tag:localhost,")
    assert entry.findtext(f"{ATOM}summary") == html.escape(story.dek)
    assert entry.find(f"{ATOM}author/{ATOM}name").text == "Ana Lim, Tevita Fonua"
    assert entry.find(f"{ATOM}category").get("term") == "Island Notebook"
    published = parse_datetime(entry.findtext(f"{ATOM}published"))
    updated = parse_datetime(entry.findtext(f"{ATOM}updated"))
    assert published == story.published_at
    assert updated >= published
    assert parse_datetime(feed.findtext(f"{ATOM}updated")) == updated
    enclosure = entry.find(f"{ATOM}link[@rel='enclosure']")
    assert enclosure.get("href") == "http://testserver" + story.lead_image.url
    assert enclosure.get("type") == "image/jpeg"


def test_guid_survives_a_new_slug_and_section(
    client, story, settings, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_FEED_ID_DOMAIN = "news.example.org"
    before = rss(client, reverse("feeds:site")).find("item/guid").text
    story.slug = "harbour-lights-are-back"
    story.section = make_section()
    with django_capture_on_commit_callbacks(execute=True):
        story.save()
    after = rss(client, reverse("feeds:site")).find("item")
    assert after.findtext("guid") == before
    assert before.startswith("tag:news.example.org,")
    assert after.findtext("link").endswith("/harbour-lights-are-back/")


def test_updated_date_follows_edits_but_never_precedes_publication(client, now):
    article = make_article(title="Scheduled earlier", published_at=now - timedelta(minutes=1))
    Article.objects.filter(pk=article.pk).update(updated_at=now - timedelta(days=1))
    entry = atom(client, reverse("feeds:site-atom")).find(f"{ATOM}entry")
    assert parse_datetime(entry.findtext(f"{ATOM}updated")) == article.published_at


def test_newest_thirty_and_bounded_queries(client, django_assert_max_num_queries, now, settings):
    settings.CONTENT_VERSION_CHECK_SECONDS = 60  # read once, not again while this runs
    section = make_section()
    writers = [make_author(), make_author()]
    for n in range(32):
        make_article(
            title=f"Story {n:02d}",
            section=section,
            authors=writers,
            published_at=now - timedelta(hours=n + 1),
            lead_image=make_image(size=(40, 30)) if n < 3 else "",
        )
    # Articles with their bylines, plus the section or author; plus the content
    # version the cached feed is filed under, if this process has not read it yet.
    for name in ("feeds:site", "feeds:site-atom"):
        with django_assert_max_num_queries(3):
            response = client.get(reverse(name))
        assert response.status_code == 200
    for name in ("feeds:section", "feeds:section-atom"):
        with django_assert_max_num_queries(4):
            client.get(reverse(name, kwargs={"slug": section.slug}))
    for name in ("feeds:author", "feeds:author-atom"):
        with django_assert_max_num_queries(4):
            client.get(reverse(name, kwargs={"slug": writers[0].slug}))
    with django_assert_max_num_queries(0):
        assert client.get(reverse("feeds:site")).status_code == 200
    titles = [item.findtext("title") for item in rss(client, "/feeds/rss/").findall("item")]
    assert titles == [f"Story {n:02d}" for n in range(30)]


def test_section_feeds_list_their_section_only(client, story, hidden):
    make_article(title="Elsewhere")
    make_article(title="Same section draft", section=story.section, status=Status.DRAFT)
    for name, parse in (("feeds:section", rss), ("feeds:section-atom", atom)):
        feed = parse(client, reverse(name, kwargs={"slug": "island-notebook"}))
        titles = [e.text for e in feed.iter() if e.tag in ("title", f"{ATOM}title")]
        assert titles == ["Island Notebook | Newsroom", "Harbour lights return"]
    assert client.get("/feeds/sections/no-such-section/rss/").status_code == 404


def test_author_feeds_list_their_articles_once(client, story, hidden):
    author = story.bylines.first().author
    Byline.objects.create(article=story, author=author, role=Byline.Role.PHOTOS, position=5)
    make_article(title="Someone else's")
    make_article(title="Author's draft", status=Status.DRAFT, authors=[author])
    channel = rss(client, reverse("feeds:author", kwargs={"slug": author.slug}))
    assert channel.findtext("title") == "Ana Lim | Newsroom"
    assert [item.findtext("title") for item in channel.findall("item")] == [story.title]
    feed = atom(client, reverse("feeds:author-atom", kwargs={"slug": author.slug}))
    assert len(feed.findall(f"{ATOM}entry")) == 1
    assert client.get("/feeds/authors/nobody/atom/").status_code == 404


def test_control_characters_do_not_break_the_xml(client):
    make_article(title="Bell\x07 and form\x0cfeed", dek="Vertical\x0btab")
    item = rss(client, reverse("feeds:site")).find("item")
    assert item.findtext("title") == "Bell and formfeed"
    assert item.findtext("description") == "Verticaltab"
    atom(client, reverse("feeds:site-atom"))


def test_feeds_are_cached_until_the_content_changes_or_a_scheduled_article_goes_out(
    client, now, django_capture_on_commit_callbacks
):
    make_article(title="First")
    scheduled = make_article(title="Scheduled", published_at=now + timedelta(hours=1))

    def titles():
        return [item.findtext("title") for item in rss(client, "/feeds/rss/").findall("item")]

    assert titles() == ["First"]
    make_article(title="Saved without a commit")  # the content version has not moved
    assert titles() == ["First"]
    with django_capture_on_commit_callbacks(execute=True):
        make_article(title="Second", published_at=now - timedelta(minutes=1))
    assert titles() == ["Second", "Saved without a commit", "First"]
    with time_machine.travel(scheduled.published_at + timedelta(seconds=1)):
        assert titles()[0] == "Scheduled"


def test_empty_site_feeds_are_valid(client):
    assert rss(client, reverse("feeds:site")).findall("item") == []
    assert atom(client, reverse("feeds:site-atom")).findall(f"{ATOM}entry") == []


def test_pages_link_their_feeds(client, story):
    home = client.get("/").content.decode()
    assert '<link rel="alternate" type="application/rss+xml"' in home
    assert 'href="/feeds/rss/"' in home and 'href="/feeds/atom/"' in home
    assert "/feeds/sections/" not in home
    section_page = client.get(story.section.get_absolute_url()).content.decode()
    assert 'href="/feeds/sections/island-notebook/rss/"' in section_page
    assert 'href="/feeds/sections/island-notebook/atom/"' in section_page
    author = story.bylines.first().author
    author_page = client.get(author.get_absolute_url()).content.decode()
    assert f'href="/feeds/authors/{author.slug}/rss/"' in author_page
    assert f'href="/feeds/authors/{author.slug}/atom/"' in author_page


def test_feed_publication_dates_are_timezone_aware(client, story):
    item = rss(client, reverse("feeds:site")).find("item")
    assert parsedate_to_datetime(item.findtext("pubDate")).tzinfo is not None
    assert timezone.is_aware(story.published_at)
