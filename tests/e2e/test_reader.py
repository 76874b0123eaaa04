"""A reader's journey through the site in a real browser (Debian's Chromium)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_article, make_author, make_credit, make_image, make_section

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site():
    """A small site; committed, so renditions are made as in production."""
    now = timezone.now()
    politics = make_section(name="Politics", slug="politics", position=0)
    make_section(name="Economy", slug="economy", position=1)
    mara = make_author(name="Mara Lindqvist", slug="mara", bio="Covers regional politics.")
    story = make_article(
        section=politics,
        kicker="Analysis",
        title="The Coalition That Counted Too Early",
        slug="coalition",
        dek="The recount is now the story.",
        body="<p>" + "The announcement came a little after midnight. " * 40 + "</p>",
        authors=[mara],
        is_feature=True,
        lead_image=make_image(size=(1600, 900)),
        lead_image_alt="Ballot boxes stacked in a hall",
        lead_image_caption="Counting went on through the night.",
        lead_image_credit=make_credit(name="Harbour Agency", url="https://agency.example/"),
        published_at=now - timedelta(hours=1),
    )
    for i in range(3):
        make_article(
            section=politics,
            title=f"Earlier politics story {i}",
            authors=[mara],
            lead_image=make_image(size=(800, 600)),
            lead_image_alt="A picture",
            published_at=now - timedelta(days=i + 1),
        )
    return story


def test_reader_goes_from_home_to_section_to_article_to_author(live_server, page, site):
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Newsroom"

    page.get_by_role("navigation", name="Sections", exact=True).get_by_role(
        "link", name="Politics"
    ).click()
    page.wait_for_url(live_server.url + "/politics/")
    assert page.locator("h1").inner_text() == "Politics"

    page.get_by_role("link", name="The Coalition That Counted Too Early").first.click()
    page.wait_for_url(live_server.url + "/politics/coalition/")
    assert page.locator("h1").inner_text() == "The Coalition That Counted Too Early"
    lead = page.locator(".lead-figure img")
    assert lead.get_attribute("alt") == "Ballot boxes stacked in a hall"
    # The browser picked a rendition (WebP, since Chromium accepts it) and loaded it.
    lead.evaluate("img => img.decode()")
    source = lead.evaluate("img => img.currentSrc")
    assert "/media/renditions/" in source and source.endswith(".webp")
    assert lead.evaluate("img => img.naturalWidth") > 0
    # The sidebar is there, without the story being read.
    sidebar = page.get_by_role("complementary", name="Recent features")
    assert sidebar.is_visible()
    assert sidebar.get_by_role("link", name="The Coalition That Counted Too Early").count() == 0

    page.locator(".article-bylines").get_by_role("link", name="Mara Lindqvist").click()
    page.wait_for_url(live_server.url + "/authors/mara/")
    assert page.locator("h1").inner_text() == "Mara Lindqvist"
    assert page.locator(".river .card").count() == 4


def test_every_picture_loads_and_has_alt_text(live_server, page, site):
    for path in ("/", "/politics/", "/politics/coalition/", "/authors/mara/"):
        page.goto(live_server.url + path)
        page.evaluate("() => Promise.all([...document.images].map(img => img.decode()))")
        images = page.locator("img")
        assert images.count() > 0
        for i in range(images.count()):
            image = images.nth(i)
            assert image.get_attribute("alt"), path
            assert image.evaluate("img => img.naturalWidth") > 0, path


def test_keyboard_users_can_skip_to_the_content(live_server, page, site):
    page.goto(live_server.url + "/politics/coalition/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("el => el === document.activeElement")
    # Visible when focused (it hides off-screen otherwise), with a focus outline.
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["x"] >= 0
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    page.keyboard.press("Tab")
    focused_outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert focused_outline != "none"


@pytest.mark.parametrize("width", [360, 390, 768, 1280])
def test_no_page_scrolls_sideways(live_server, browser, site, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        for path in ("/", "/politics/", "/politics/coalition/", "/authors/mara/"):
            page.goto(live_server.url + path)
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} is {overflow}px too wide at {width}px"
    finally:
        context.close()


def test_print_shows_the_article_without_navigation_or_sidebar(live_server, page, site):
    page.goto(live_server.url + "/politics/coalition/")
    page.emulate_media(media="print")
    for selector in (".site-nav", ".sidebar", ".site-footer", ".search-form", ".more-from"):
        assert not page.locator(selector).first.is_visible(), selector
    assert page.locator(".article-body").is_visible()
    assert page.locator("h1").is_visible()


def test_site_works_without_javascript(live_server, browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        page.get_by_role("link", name="The Coalition That Counted Too Early").first.click()
        page.wait_for_url(live_server.url + "/politics/coalition/")
        assert page.locator("h1").inner_text() == "The Coalition That Counted Too Early"
    finally:
        context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_pages_pass_axe_accessibility_rules(live_server, browser, site, width):
    """axe-core (bundled with axe-playwright-python, no network): WCAG 2 A/AA
    rules and best practices, on every kind of page, phone and desktop."""
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        for path in ("/", "/politics/", "/politics/coalition/", "/authors/mara/", "/nope/"):
            page.goto(live_server.url + path)
            results = Axe().run(page)
            problems = [
                f"{v['id']} ({v['impact']}): {v['help']} — {v['nodes'][0]['html'][:120]}"
                for v in results.response["violations"]
            ]
            assert not problems, f"{path}: {problems}"
    finally:
        context.close()
