"""Searching from the header in a real browser (Debian's Chromium)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db(transaction=True)


def test_reader_searches_from_the_header_and_narrows_to_a_section(live_server, page):
    now = timezone.now()
    politics, economy = make_section(name="Politics"), make_section(name="Economy")
    writer = make_author(name="Mara Lindqvist")
    make_article(
        section=politics,
        title="Night ferries return to the northern route",
        body="<p>After a winter without them, the night ferries are back.</p>",
        authors=[writer],
        published_at=now - timedelta(hours=2),
    )
    make_article(
        section=economy,
        title="Harbour fees rise",
        body="<p>Operators of the ferry say the new fees will be passed on.</p>",
        published_at=now - timedelta(hours=1),
    )
    make_article(section=economy, title="Ferry draft", status=Article.Status.DRAFT)

    page.goto(live_server.url + "/")
    page.get_by_role("searchbox").first.fill("ferry -draft")
    page.get_by_role("searchbox").first.press("Enter")
    page.wait_for_url("**/search/?q=*")
    assert page.get_by_role("status").inner_text().startswith("2 results")
    results = page.locator(".search-result")
    assert results.nth(0).get_by_role("heading").inner_text() == (
        "Night ferries return to the northern route"
    )
    assert results.nth(1).locator("mark").first.inner_text() == "ferry"

    page.get_by_label("Section", exact=True).select_option(label="Economy")
    page.get_by_role("button", name="Search").last.click()
    page.wait_for_url("**section=*")
    assert page.locator(".search-result").count() == 1
    assert "Harbour fees rise" in page.locator(".search-result").inner_text()
    assert page.get_by_role("searchbox").last.input_value() == "ferry -draft"
