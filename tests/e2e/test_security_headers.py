"""The Content-Security-Policy holds on every kind of page, the admin's editor
included: Chromium reports no violation while a reader browses and an editor
writes."""

import pytest

from tests.e2e.test_admin_workflow import PASSWORD, sign_in
from tests.factories import (
    make_article,
    make_author,
    make_credit,
    make_image,
    make_section,
    make_staff,
)

pytestmark = pytest.mark.django_db(transaction=True)

# Collected in the page from the moment it starts: every violation the browser sees.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${where}`);
});
"""


@pytest.fixture
def watched(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(WATCH)
    page = context.new_page()
    messages = []
    page.on("console", lambda m: messages.append(m.text) if "Security Policy" in m.text else None)
    yield page, messages
    context.close()


def violations(page, messages):
    return page.evaluate("window.__violations") + messages


def test_reader_pages_and_the_admin_editor_keep_the_policy(live_server, watched):
    page, messages = watched
    politics = make_section(name="Politics", slug="politics")
    author = make_author(name="Mara Lindqvist", slug="mara")
    story = make_article(
        section=politics,
        slug="coalition",
        title="The Coalition That Counted Too Early",
        authors=[author],
        is_feature=True,
        lead_image=make_image(size=(800, 450)),
        lead_image_alt="Ballot boxes",
        lead_image_credit=make_credit(name="Harbour Agency"),
        body="<p>The announcement came after midnight.</p><blockquote><p>Q</p></blockquote>",
    )
    base = live_server.url
    for path in (
        "/",
        "/politics/",
        story.get_absolute_url(),
        "/authors/mara/",
        "/search/?q=coalition",
    ):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        assert violations(page, messages) == [], path
    response = page.goto(base + "/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "camera=()" in response.headers["permissions-policy"]

    editor = make_staff("editor", password=PASSWORD)
    sign_in(page, base, editor)
    for path in ("/admin/articles/article/", f"/admin/articles/article/{story.pk}/change/"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        assert violations(page, messages) == [], path
    page.locator(".tiptap.ProseMirror[contenteditable=true]").click()
    page.keyboard.type(" An update typed in the editor.")
    page.click('[aria-labelledby="select2-id_lead_image_credit-container"]')
    page.keyboard.press("Escape")
    page.goto(base + "/admin/articles/article/add/")
    page.wait_for_load_state("networkidle")
    assert violations(page, messages) == []
