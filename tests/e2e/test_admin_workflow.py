"""A day's work in a real browser: a writer writes and submits, an editor publishes,
a reader reads.

With SCREENSHOT_DIR set, the editor's article list and change form are saved
there as admin-article-list.png and admin-article-form.png (the README's
screenshots: `SCREENSHOT_DIR=docs/screenshots pytest tests/e2e/test_admin_workflow.py`).
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article
from tests.factories import (
    make_article,
    make_author,
    make_credit,
    make_image,
    make_section,
    make_staff,
)

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "not-a-secret"


def sign_in(page, base, user):
    page.goto(base + "/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(base + "/admin/")


def choose(page, select_id, text):
    """Pick `text` in a Select2 autocomplete of the admin."""
    page.click(f'[aria-labelledby="select2-{select_id}-container"]')
    page.fill(".select2-container--open .select2-search__field", text)
    page.screenshot(path="/tmp/shots/debug.png")
    page.locator(".select2-results__option", has_text=text).first.click()


def some_newsroom_content():
    """A few stories in every state, so the list looks like a working day."""
    politics, economy = make_section(name="Politics"), make_section(name="Economy")
    mara, tevita = make_author(name="Mara Lindqvist"), make_author(name="Tevita Fonua")
    credit = make_credit(name="Harbour Press Agency")
    now = timezone.now()
    stories = [
        ("The Coalition That Counted Too Early", politics, "published", -30, True, [mara]),
        ("Rice Prices Ease After a Wet Season", economy, "published", -5, False, [tevita]),
        ("A Rail Link Nobody Wanted Until It Opened", economy, "published", 20, True, [tevita]),
        ("Term Limits Return to the Agenda", politics, "in_review", None, False, [mara]),
        ("Notes on the Upper House Reform", politics, "draft", None, False, [mara, tevita]),
    ]
    for title, section, status, hours, feature, authors in stories:
        make_article(
            title=title,
            slug=slugify(title),
            dek="Three members asked for a second reading; the chair said yes.",
            kicker="Analysis" if feature else "",
            section=section,
            status=status,
            published_at=now + timedelta(hours=hours) if hours is not None else None,
            is_feature=feature,
            authors=authors,
            lead_image=make_image(size=(800, 450)),
            lead_image_alt="A quay at dusk",
            lead_image_credit=credit,
            body="<p>The committee met on a Tuesday, as it always does.</p>"
            "<h2>What changed</h2><p>Three members asked for a second reading.</p>"
            "<blockquote><p>We are not in a hurry to be wrong.</p></blockquote>",
        )
    return economy


def test_writer_submits_editor_publishes_reader_reads(live_server, browser):
    economy = some_newsroom_content()
    writer, editor = make_staff("writer"), make_staff("editor")
    make_author(name="Ana Lim", user=writer)
    base = live_server.url

    # The writer drafts a story and submits it.
    writer_page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(writer_page, base, writer)
    writer_page.goto(base + "/admin/articles/article/add/")
    choose(writer_page, "id_section", "Economy")
    writer_page.fill("#id_title", "Fishing Fleet Returns to the Old Harbour")
    writer_page.fill("#id_dek", "Twenty boats, one quay, and a season that almost did not happen.")
    assert writer_page.input_value("#id_slug") == "fishing-fleet-returns-to-the-old-harbour"
    writer_page.locator(".tiptap.ProseMirror[contenteditable=true]").click()
    writer_page.keyboard.type("The boats came in before dawn.")
    writer_page.keyboard.press("Enter")
    writer_page.keyboard.type("By noon the quay smelled of diesel and salt.")
    choose(writer_page, "id_bylines-0-author", "Ana Lim")
    writer_page.get_by_role("button", name="Submit for review").click()
    writer_page.wait_for_selector(".messagelist")
    assert "Submitted “Fishing Fleet Returns" in writer_page.inner_text(".messagelist")
    article = Article.objects.get(slug="fishing-fleet-returns-to-the-old-harbour")
    assert article.status == Article.Status.IN_REVIEW and article.section == economy
    assert "<p>The boats came in before dawn.</p>" in article.body
    # Out of the writer's hands now: no more save or publish buttons for them.
    assert writer_page.get_by_role("button", name="Publish now").count() == 0
    assert writer_page.locator("input[name=_save]").count() == 0

    # The editor reads it in the list, previews it and publishes it.
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, base, editor)
    page.goto(base + "/admin/articles/article/")
    row = page.locator("#result_list tr", has_text="Fishing Fleet Returns")
    assert "In review" in row.inner_text()
    row.get_by_role("link", name=re.compile("Fishing Fleet")).click()
    with page.expect_popup() as popup:
        page.get_by_role("link", name="Preview").click()
    assert popup.value.locator("h1").inner_text() == "Fishing Fleet Returns to the Old Harbour"
    popup.value.close()
    page.fill("#id_workflow_note", "Lovely. Publishing now.")
    page.get_by_role("button", name="Publish now").click()
    page.wait_for_selector(".messagelist")
    assert "readers can see it now" in page.inner_text(".messagelist")
    article.refresh_from_db()
    assert article.is_published()
    assert article.events.filter(action="published", note="Lovely. Publishing now.").exists()

    # A reader finds it on the site.
    reader = browser.new_context().new_page()
    reader.goto(base + "/")
    reader.get_by_role("link", name="Fishing Fleet Returns to the Old Harbour").first.click()
    reader.wait_for_url(base + article.get_absolute_url())
    assert reader.locator("h1").inner_text() == "Fishing Fleet Returns to the Old Harbour"

    if shots := os.environ.get("SCREENSHOT_DIR"):
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.goto(base + "/admin/articles/article/")
        page.screenshot(path=f"{shots}/admin-article-list.png")
        in_review = Article.objects.get(title="Term Limits Return to the Agenda")
        page.goto(base + f"/admin/articles/article/{in_review.pk}/change/")
        page.wait_for_selector(".tiptap.ProseMirror")
        page.screenshot(path=f"{shots}/admin-article-form.png", full_page=True)
