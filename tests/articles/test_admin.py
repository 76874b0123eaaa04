from datetime import timedelta

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from articles.forms import ArticleForm
from articles.models import Article, ImageCredit, Redirect
from tests.articles.admin_helpers import change_url, form_data, messages_of, own_article
from tests.factories import (
    make_article,
    make_author,
    make_credit,
    make_image,
    make_section,
    make_staff,
)

pytestmark = pytest.mark.django_db

S = Article.Status
CHANGELIST = "/admin/articles/article/"


@pytest.fixture
def editor():
    return make_staff("editor")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def test_admin_site_is_titled_newsroom(editor_client):
    response = editor_client.get("/admin/")
    assert admin.site.site_header == "Newsroom"
    assert "<title>Newsroom administration | Newsroom</title>" in response.content.decode()


def test_change_list_columns_and_badges(editor_client, tomorrow):
    section = make_section(name="Economy")
    make_article(
        title="Port reopens",
        kicker="Analysis",
        section=section,
        published_at=tomorrow,
        is_feature=True,
        authors=[make_author(name="Ana Lim"), make_author(name="Ben Ode")],
    )
    response = editor_client.get(CHANGELIST)
    html = response.content.decode()
    assert '<span class="status-badge status-scheduled">Scheduled</span>' in html
    assert "Ana Lim, Ben Ode" in html and "Scheduled for" in html
    assert '<span class="kicker">Analysis</span> Port reopens' in html
    assert response.context["cl"].list_per_page == 50


def test_change_list_queries_stay_flat(editor_client, django_assert_max_num_queries):
    for n in range(40):
        make_article(status=S.DRAFT if n % 3 else S.PUBLISHED, authors=[make_author()])
    with django_assert_max_num_queries(14):
        response = editor_client.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == 40


@pytest.mark.parametrize("query", ["Lindqvist", "harbour", "tidal"])
def test_search_covers_title_dek_body_and_author_names(editor_client, query):
    hit = make_article(
        title="Harbour works",
        dek="Dredging resumes.",
        body="<p>The tidal gauge moved.</p>",
        authors=[make_author(name="Mara Lindqvist")],
    )
    make_article(title="Something else", authors=[make_author(name="Other Person")])
    response = editor_client.get(CHANGELIST, {"q": query})
    assert list(response.context["cl"].result_list) == [hit]


def test_filters_by_status_and_author(editor_client):
    author = make_author(name="Mara Lindqvist")
    draft = make_article(status=S.DRAFT, authors=[author])
    make_article(authors=[author])
    make_article(status=S.DRAFT)
    response = editor_client.get(CHANGELIST, {"status__exact": "draft", "author": author.pk})
    assert list(response.context["cl"].result_list) == [draft]


def test_change_form_order_and_editor(editor_client):
    article = make_article(authors=[make_author()])
    response = editor_client.get(change_url(article))
    fields = [
        name
        for fieldset in response.context["adminform"]
        for line in fieldset
        for field in line
        for name in [field.field["name"] if isinstance(field.field, dict) else field.field.name]
    ]
    assert fields[:7] == ["section", "kicker", "title", "slug", "dek", "body", "loaded_revision"]
    assert fields.index("lead_image") < fields.index("is_feature") < fields.index("published_at")
    html = response.content.decode()
    # The inline sits between the image fields and placement.
    assert html.index('"fieldset-0-1-heading"') < html.index('"bylines-heading"')
    assert html.index('"bylines-heading"') < html.index('"fieldset-0-2-heading"')
    assert "data-django-prose-editor-configurable" in html
    assert "django_prose_editor/editor.js" in html and "cdn" not in html.lower()
    assert 'data-tags="true"' in html  # credits can be typed in
    assert response.context["workflow_buttons"] == [("unpublish", "Unpublish", "deletelink-box")]


def test_body_from_the_editor_is_sanitized_on_save(editor_client):
    article = make_article(authors=[make_author()])
    body = (
        '<h2>Heading</h2><p onclick="x()">Text <script>alert(1)</script>'
        '<a href="javascript:x">l</a></p>'
    )
    editor_client.post(change_url(article), form_data(article, body=body))
    article.refresh_from_db()
    assert "<h2>Heading</h2>" in article.body
    assert "script" not in article.body and "onclick" not in article.body
    assert "javascript" not in article.body


def test_new_credit_is_created_by_typing_its_name(editor_client):
    article = make_article(authors=[make_author()])
    make_credit(name="Harbour Press Agency")
    editor_client.post(change_url(article), form_data(article, lead_image_credit="Reef  Photo Co"))
    article.refresh_from_db()
    assert article.lead_image_credit.name == "Reef Photo Co"
    article.refresh_from_db()
    editor_client.post(
        change_url(article), form_data(article, lead_image_credit="harbour press agency")
    )
    article.refresh_from_db()
    assert article.lead_image_credit.name == "Harbour Press Agency"
    assert ImageCredit.objects.count() == 2


def test_lead_image_upload_is_validated_with_a_clear_error(editor_client):
    article = make_article(authors=[make_author()])
    fake = SimpleUploadedFile("photo.jpg", b"just text" * 50, content_type="image/jpeg")
    response = editor_client.post(change_url(article), form_data(article, lead_image=fake))
    assert response.status_code == 200
    assert "This file is not an image" in str(response.context["adminform"].form.errors)
    data = form_data(article, lead_image=make_image(size=(800, 600)), lead_image_alt="A quay")
    assert editor_client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert (article.lead_image_width, article.lead_image_height) == (800, 600)
    response = editor_client.get(change_url(article))
    assert 'class="lead-image-preview"' in response.content.decode()
    assert article.lead_image.url in response.content.decode()


# -- edit conflicts -----------------------------------------------------------------


def test_second_save_on_an_old_revision_is_refused_with_a_diff(client):
    first, second = make_staff("editor", first_name="Ana"), make_staff("editor")
    article = make_article(title="Original", dek="Old dek", authors=[make_author()])
    loaded = form_data(article)  # both open the form at revision 0
    client.force_login(first)
    assert client.post(change_url(article), {**loaded, "title": "First's title"}).status_code == 302
    client.force_login(second)
    response = client.post(
        change_url(article), {**loaded, "title": "Second's title", "dek": "New dek"}
    )
    assert response.status_code == 200
    stored = Article.objects.get(pk=article.pk)
    assert (stored.title, stored.dek, stored.revision) == ("First's title", "Old dek", 1)
    conflict = {c.label: (c.theirs, c.yours) for c in response.context["edit_conflict"]}
    assert conflict == {
        "Title": ("First's title", "Second's title"),
        "Dek": ("Old dek", "New dek"),
    }
    html = response.content.decode()
    assert "Edit conflict: your changes were not saved" in html
    # The re-rendered form now carries the current revision: saving again is a choice.
    assert 'name="loaded_revision" value="1"' in html
    again = {**loaded, "title": "Second's title", "dek": "New dek", "loaded_revision": 1}
    assert client.post(change_url(article), again).status_code == 302
    assert Article.objects.get(pk=article.pk).title == "Second's title"


def test_a_save_racing_past_the_form_check_is_still_refused(editor_client, monkeypatch):
    article = make_article(title="Original", authors=[make_author()])
    data = form_data(article, title="Mine")
    Article.objects.get(pk=article.pk).save()  # someone else, after the form check
    monkeypatch.setattr(ArticleForm, "_report_conflict", lambda self, current, data: None)
    response = editor_client.post(change_url(article), data, follow=True)
    assert any("at the same moment" in m for m in messages_of(response))
    assert Article.objects.get(pk=article.pk).title == "Original"


def test_failed_transition_is_a_message_not_an_error_page(editor_client):
    article = make_article(status=S.IN_REVIEW)  # no byline: cannot be published
    response = editor_client.post(
        change_url(article), form_data(article, _workflow="publish"), follow=True
    )
    assert response.status_code == 200
    assert any("needs at least one byline" in m for m in messages_of(response))
    assert Article.objects.get(pk=article.pk).status == S.IN_REVIEW


def test_schedule_button_uses_the_publication_time(editor_client):
    article = make_article(status=S.IN_REVIEW, authors=[make_author()])
    when = timezone.localtime(timezone.now() + timedelta(days=2)).replace(microsecond=0)
    data = form_data(
        article,
        _workflow="schedule",
        published_at_0=f"{when:%Y-%m-%d}",
        published_at_1=f"{when:%H:%M:%S}",
    )
    response = editor_client.post(change_url(article), data, follow=True)
    article.refresh_from_db()
    assert article.is_scheduled() and article.published_at == when
    assert any(m.startswith("Scheduled") for m in messages_of(response))


def test_bulk_publish_reports_what_could_not_be_published(editor_client):
    ready = make_article(status=S.IN_REVIEW, title="Ready", authors=[make_author()])
    unready = make_article(status=S.IN_REVIEW, title="Unready")
    response = editor_client.post(
        CHANGELIST,
        {"action": "publish_selected", "_selected_action": [ready.pk, unready.pk]},
        follow=True,
    )
    found = messages_of(response)
    assert "Published 1 article." in found
    assert any("Not published “Unready”" in m and "byline" in m for m in found)


# -- history and restore -----------------------------------------------------------


def test_history_page_lists_events_and_versions(editor_client, editor):
    article = make_article(status=S.IN_REVIEW, title="First", authors=[make_author()])
    editor_client.post(change_url(article), form_data(article, title="Second"))
    article.refresh_from_db()
    article.publish(editor, "Checked the figures.")
    response = editor_client.get(reverse("admin:articles_article_history", args=[article.pk]))
    html = response.content.decode()
    assert "Checked the figures." in html and "in_review → published" in html
    assert "Changed Title." in html
    assert [v.revision for v in response.context["versions"]] == [2, 1, 0]


def test_view_and_restore_an_earlier_version(editor_client):
    article = make_article(title="First", body="<p>Old words.</p>", authors=[make_author()])
    editor_client.post(change_url(article), form_data(article, body="<p>New words.</p>"))
    version = article.history.get(revision=0)
    url = reverse("admin:articles_article_version", args=[article.pk, version.history_id])
    response = editor_client.get(url)
    assert ("body", "removed", "Old words.") in response.context["diff"]
    assert ("body", "added", "New words.") in response.context["diff"]
    assert editor_client.get(url + "restore/").status_code == 405
    response = editor_client.post(url + "restore/", follow=True)
    assert "Restored the text of revision 0." in messages_of(response)
    article.refresh_from_db()
    assert (article.body, article.revision) == ("<p>Old words.</p>", 2)


def test_writers_cannot_restore_others_articles(client):
    writer = make_staff("writer")
    article = make_article(status=S.DRAFT, title="Not yours")
    version = article.history.get()
    client.force_login(writer)
    url = reverse("admin:articles_article_restore", args=[article.pk, version.history_id])
    assert client.post(url).status_code == 403
    own = own_article(writer)
    url = reverse("admin:articles_article_restore", args=[own.pk, own.history.get().history_id])
    assert client.post(url).status_code == 302


# -- sections, authors, credits --------------------------------------------------------


def test_sections_by_position_authors_and_credits_with_counts(
    editor_client, django_assert_max_num_queries
):
    economy, politics = make_section(name="Economy", position=2), make_section(position=1)
    author, credit = make_author(name="Ana Lim"), make_credit(name="Reef Photo")
    for _ in range(3):
        make_article(section=economy, authors=[author], lead_image_credit=credit)
    response = editor_client.get("/admin/sections/section/")
    assert list(response.context["cl"].result_list) == [politics, economy]
    with django_assert_max_num_queries(8):
        response = editor_client.get("/admin/articles/author/")
    assert response.context["cl"].result_list[0]._article_count == 3
    with django_assert_max_num_queries(8):
        response = editor_client.get("/admin/articles/imagecredit/")
    assert response.context["cl"].result_list[0]._usage_count == 3


REDIRECTS = "/admin/articles/redirect/"


def test_editors_find_redirects_by_old_path_or_article(editor_client):
    article = make_article(title="Harbour wall repaired")
    Redirect.objects.create(old_path="/2019/05/harbour-wall/", article=article)
    Redirect.objects.create(old_path="/2018/01/other/", article=make_article(title="Other"))

    page = editor_client.get(REDIRECTS, {"q": "harbour wall"}).content.decode()
    assert "/2019/05/harbour-wall/" in page and "/2018/01/other/" not in page
    page = editor_client.get(REDIRECTS, {"q": "2018"}).content.decode()
    assert "/2018/01/other/" in page and "/2019/05/harbour-wall/" not in page


def test_a_pasted_old_url_becomes_a_path_that_redirects(editor_client, client):
    article = make_article(title="Typhoon shelter")
    response = editor_client.post(
        f"{REDIRECTS}add/",
        {"old_path": " https://old.example/2017/09/typhoon%20shelter/ ", "article": article.pk},
    )
    assert response.status_code == 302, response.content.decode()
    assert Redirect.objects.get().old_path == "/2017/09/typhoon shelter/"
    client.logout()
    followed = client.get("/2017/09/typhoon%20shelter/")
    assert followed.status_code == 301 and followed["Location"] == article.get_absolute_url()


@pytest.mark.parametrize(
    ("old_path", "message"),
    [
        ("2019/old-story/", "starting with /"),
        ("https://old.example/archive.php?id=3", "with a query"),
        ("/", "The home page"),
        ("own", "the article&#x27;s own address"),
    ],
)
def test_a_redirect_that_cannot_work_is_refused_with_a_reason(editor_client, old_path, message):
    article = make_article(title="Quay")
    if old_path == "own":
        old_path = article.get_absolute_url()
    response = editor_client.post(f"{REDIRECTS}add/", {"old_path": old_path, "article": article.pk})
    assert response.status_code == 200 and message in response.content.decode()
    assert not Redirect.objects.exists()


def test_writers_cannot_see_redirects(client):
    client.force_login(make_staff("writer"))
    assert client.get(REDIRECTS).status_code == 403
