"""A change retires what it touches, and only that; a retired page is rendered
again by one request while the others get the previous copy."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client

from articles.models import Article
from reader import sitemaps, views
from reader.cache import content_state, forget_content_state
from reader.fragments import rendered
from reader.pagecache import HIT, RETIRED, STATUS_HEADER, lookup
from reader.pagecache import store as page_store
from tests.factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300


def environ(path):
    return {"REQUEST_METHOD": "GET", "PATH_INFO": path, "HTTP_HOST": "testserver"}


def cached_status(path):
    """What the page cache holds for `path`: hit, retired, or miss."""
    found = lookup(environ(path))
    if found.claimed:
        page_store.release(found.key)
    return found.status


@pytest.fixture
def two_sections(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        economy = make_section(name="Economy", slug="economy")
        culture = make_section(name="Culture", slug="culture")
        writer, critic = make_author(name="Ana Lim"), make_author(name="Rui Sato")
        port = make_article(section=economy, slug="port", title="Port reopens", authors=[writer])
        tariff = make_article(section=economy, slug="tariff", authors=[writer])
        choir = make_article(section=culture, slug="choir", title="Choir", authors=[critic])
    return economy, culture, writer, critic, port, tariff, choir


PAGES = {
    "home": "/",
    "economy": "/economy/",
    "culture": "/culture/",
    "port": "/economy/port/",
    "tariff": "/economy/tariff/",
    "choir": "/culture/choir/",
    "writer": "/authors/{writer}/",
    "critic": "/authors/{critic}/",
    "site feed": "/feeds/rss/",
    "culture feed": "/feeds/sections/culture/rss/",
    "sitemap": "/sitemap-articles.xml",
}


def warm(client, writer, critic):
    paths = {
        name: path.format(writer=writer.slug, critic=critic.slug) for name, path in PAGES.items()
    }
    for path in paths.values():
        assert client.get(path).status_code == 200, path
    assert {name: cached_status(path) for name, path in paths.items()} == dict.fromkeys(paths, HIT)
    return paths


def test_an_edit_retires_its_article_and_listings_and_nothing_of_another_section(
    client, two_sections, django_capture_on_commit_callbacks
):
    economy, culture, writer, critic, port, tariff, choir = two_sections
    paths = warm(client, writer, critic)
    with django_capture_on_commit_callbacks(execute=True):
        port.title = "Port reopens after the strike"
        port.save()
    statuses = {name: cached_status(path) for name, path in paths.items()}
    retired = {name for name, status in statuses.items() if status == RETIRED}
    # Its page, its section (and the section's other story, whose "more from
    # the section" lists it), its author, and the site-wide lists.
    assert retired == {"home", "economy", "port", "tariff", "writer", "site feed", "sitemap"}
    assert {statuses[name] for name in ("culture", "choir", "critic", "culture feed")} == {HIT}
    assert b"Port reopens after the strike" in client.get("/economy/port/").content


def test_a_draft_edit_retires_nothing(client, two_sections, django_capture_on_commit_callbacks):
    economy, culture, writer, critic, *_ = two_sections
    paths = warm(client, writer, critic)
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_article(section=economy, status=Article.Status.DRAFT, published_at=None)
        draft.title = "Still a draft"
        draft.save()
    assert {cached_status(path) for path in paths.values()} == {HIT}


def test_a_new_feature_retires_every_sidebar(
    client, two_sections, django_capture_on_commit_callbacks
):
    economy, culture, writer, critic, *_ = two_sections
    paths = warm(client, writer, critic)
    with django_capture_on_commit_callbacks(execute=True):
        make_article(section=economy, is_feature=True, title="A long read", authors=[writer])
    # Every HTML page shows the "Recent features" sidebar; the culture feed does not.
    html = {name for name in paths if "feed" not in name and name != "sitemap"}
    assert {cached_status(paths[name]) for name in html} == {RETIRED}
    assert cached_status(paths["culture feed"]) == HIT
    assert b"A long read" in client.get("/culture/choir/").content


def test_renaming_a_section_retires_every_page_with_the_navigation(
    client, two_sections, django_capture_on_commit_callbacks
):
    economy, culture, writer, critic, *_ = two_sections
    paths = warm(client, writer, critic)
    with django_capture_on_commit_callbacks(execute=True):
        culture.name = "Arts"
        culture.save()
    assert cached_status(paths["port"]) == RETIRED
    assert b">Arts<" in client.get("/economy/port/").content


def test_a_retired_page_is_claimed_by_one_request_and_served_to_the_others(
    client, two_sections, django_capture_on_commit_callbacks
):
    *_, port, _, _ = two_sections
    client.get("/economy/port/")
    with django_capture_on_commit_callbacks(execute=True):
        port.title = "Port reopens at dawn"
        port.save()
    first = lookup(environ("/economy/port/"))
    others = [lookup(environ("/economy/port/")) for _ in range(5)]
    assert first.claimed and not first.serve
    assert all(found.serve and not found.claimed for found in others)
    page_store.release(first.key)


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_a_retired_page_render_it_once(monkeypatch, settings):
    settings.CONTENT_VERSION_CHECK_SECONDS = 0
    section = make_section(name="Economy", slug="economy")
    port = make_article(section=section, slug="port", title="Port reopens", authors=[make_author()])
    assert Client().get("/economy/port/").status_code == 200
    port.title = "Port reopens at dawn"
    port.save()  # committed: the change is recorded at once
    forget_content_state()
    content_state()

    renders, started, release = [], threading.Event(), threading.Event()
    render_article = views.render_article

    def slow_render(request, article, extra_context=None):
        renders.append(article.pk)
        started.set()
        release.wait(5)
        return render_article(request, article, extra_context)

    monkeypatch.setattr(views, "render_article", slow_render)

    def get(_):
        try:
            response = Client().get("/economy/port/")
            return response.status_code, response.get(STATUS_HEADER), response.content
        finally:
            connection.close()  # this thread's own

    with ThreadPoolExecutor(8) as pool:
        rebuilding = pool.submit(get, 0)
        assert started.wait(5)
        others = list(pool.map(get, range(7)))
        release.set()
        rebuilt = rebuilding.result()
    assert renders == [port.pk]  # one render for eight requests
    assert {status for status, _, _ in others} == {200}
    assert {header for _, header, _ in others} == {"retired"}  # the previous copy
    assert all(b"Port reopens at dawn" not in body for _, _, body in others)
    assert b"Port reopens at dawn" in rebuilt[2]
    assert Client().get("/economy/port/").get(STATUS_HEADER) == HIT


def test_a_new_story_shows_at_once_on_every_page_that_lists_it(
    client, two_sections, django_capture_on_commit_callbacks
):
    economy, culture, writer, critic, *_ = two_sections
    paths = warm(client, writer, critic)
    with django_capture_on_commit_callbacks(execute=True):
        make_article(section=economy, title="Dockers strike", authors=[writer])
    for name in ("home", "economy", "port", "writer", "site feed"):
        assert b"Dockers strike" in client.get(paths[name]).content, name
    assert cached_status(paths["culture"]) == HIT


def test_sitemaps_lag_a_change_by_at_most_a_minute_and_say_so(
    client, two_sections, django_capture_on_commit_callbacks
):
    *_, port, _, _ = two_sections
    client.get("/sitemap-articles.xml")
    with django_capture_on_commit_callbacks(execute=True):
        port.slug = "port-reopens"
        port.save()
    response = client.get("/sitemap-articles.xml")
    assert b"/economy/port/" in response.content  # at most SITEMAP_LAG late...
    max_age = int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0])
    assert 0 < max_age <= sitemaps.SITEMAP_LAG.total_seconds()  # ...and kept no longer


def test_a_story_published_in_a_section_rerenders_only_more_from_under_its_articles(
    client, two_sections, django_capture_on_commit_callbacks
):
    economy, culture, writer, critic, port, *_ = two_sections
    client.get("/economy/port/")
    assert rendered._good(("article-content", port.pk)) is not None
    with django_capture_on_commit_callbacks(execute=True):
        make_article(section=economy, title="Dockers strike", authors=[critic])
    assert rendered._good(("article-more", port.pk)) is None
    assert rendered._good(("article-content", port.pk)) is not None  # the story itself stays
    assert b"Dockers strike" in client.get("/economy/port/").content


def test_a_page_another_process_rendered_again_is_taken_from_the_shared_cache(
    client, two_sections, django_capture_on_commit_callbacks
):
    *_, port, _, _ = two_sections
    client.get("/economy/port/")
    other_process = page_store.local.copy()  # this process's copy, soon retired
    with django_capture_on_commit_callbacks(execute=True):
        port.title = "Port reopens at dawn"
        port.save()
    client.get("/economy/port/")  # rendered again, and shared
    page_store.local.clear()
    page_store.local.update(other_process)  # as the other process still holds it
    found = lookup(environ("/economy/port/"))
    assert found.status == HIT and not found.claimed
    assert b"Port reopens at dawn" in found.page.body
