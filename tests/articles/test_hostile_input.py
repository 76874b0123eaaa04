"""What a writer can type or upload in the admin, and what the sanitizer keeps."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from PIL import Image

from articles.models import Article
from articles.sanitize import MAX_DEPTH, check_html, sanitize_html
from tests.articles.admin_helpers import change_url, form_data, own_article
from tests.factories import make_article, make_image, make_staff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "cite",
    ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "data:text/html,<b>x</b>", "vbscript:x"],
)
def test_quotes_keep_no_script_url(cite):
    html = f'<blockquote cite="{cite}"><p>Quoted.</p></blockquote><q cite="{cite}">q</q>'
    clean = sanitize_html(html)
    assert "cite=" not in clean and "Quoted." in clean


def test_quotes_keep_a_web_address():
    clean = sanitize_html('<q cite="https://example.org/speech">words</q>')
    assert 'cite="https://example.org/speech"' in clean


def test_nesting_is_measured_before_parsing():
    with pytest.raises(ValidationError) as error:
        check_html("<div>" * (MAX_DEPTH + 1) + "</div>" * (MAX_DEPTH + 1))
    assert error.value.code == "body_too_deep"
    # Long but flat bodies, and unclosed paragraphs and list items, are fine.
    check_html("<p>Paragraph." * 5000 + "<ul>" + "<li>item" * 500 + "</ul>")
    check_html("<blockquote>" * 20 + "deep enough" + "</blockquote>" * 20)


@pytest.fixture
def writer_client(client):
    writer = make_staff("writer")
    client.force_login(writer)
    client.writer = writer
    return client


def test_a_writer_posting_a_deeply_nested_body_gets_a_form_error_quickly(writer_client):
    article = own_article(writer_client.writer)
    body = "<div>" * 64_000 + "x" + "</div>" * 64_000
    response = writer_client.post(change_url(article), form_data(article, body=body))
    assert response.status_code == 200  # the form again, with the error
    assert "more than 100 deep" in response.content.decode()
    assert Article.objects.get(pk=article.pk).body == article.body


@pytest.mark.parametrize("name", ["poly.pdf", "poly.html", "poly.ps", "poly.svg"])
def test_an_upload_is_stored_under_the_extension_of_what_it_is(writer_client, name):
    article = own_article(writer_client.writer)
    upload = make_image(name=name, size=(300, 200), fmt="GIF")
    data = form_data(article, lead_image=upload, lead_image_alt="A chart")
    writer_client.post(change_url(article), data)
    stored = Article.objects.get(pk=article.pk).lead_image.name
    assert stored.endswith(".gif") and name.split(".")[1] not in stored.rsplit("/", 1)[1]


def test_an_eps_upload_is_refused(writer_client, tmp_path):
    article = own_article(writer_client.writer)
    path = tmp_path / "vector.eps"
    Image.new("RGB", (20, 20)).save(path, "EPS")
    with path.open("rb") as fh:
        response = writer_client.post(change_url(article), form_data(article, lead_image=fh))
    assert "Upload a JPEG, PNG, WebP or GIF" in response.content.decode()
    assert not Article.objects.get(pk=article.pk).lead_image


def test_the_admins_view_on_site_never_gives_away_a_drafts_address(client):
    writer = make_staff("writer")
    client.force_login(writer)
    draft = make_article(status=Article.Status.DRAFT, published_at=None, slug="secret-scoop")
    published = make_article(slug="out-now")
    content_type = ContentType.objects.get_for_model(Article).pk
    response = client.get(f"/admin/r/{content_type}/{draft.pk}/")
    assert response.status_code == 404 and "secret-scoop" not in response.get("Location", "")
    response = client.get(f"/admin/r/{content_type}/{published.pk}/")
    assert response.status_code == 302 and response["Location"].endswith("/out-now/")
