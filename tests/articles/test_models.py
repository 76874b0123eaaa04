import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from articles.models import Article, Byline, ImageCredit
from tests.factories import make_article, make_author, make_credit, make_section

pytestmark = pytest.mark.django_db

Status = Article.Status


@pytest.mark.parametrize(
    ("status", "when", "visible"),
    [
        (Status.DRAFT, None, False),
        (Status.DRAFT, "yesterday", False),
        (Status.IN_REVIEW, "yesterday", False),
        (Status.PUBLISHED, "yesterday", True),
        (Status.PUBLISHED, "now", True),
        (Status.PUBLISHED, "tomorrow", False),
        (Status.UNPUBLISHED, "yesterday", False),
    ],
)
def test_published_queryset_and_instance_agree(request, status, when, visible):
    published_at = request.getfixturevalue(when) if when else None
    if when == "now":
        published_at = published_at.replace(microsecond=0)
    article = make_article(status=status, published_at=published_at)
    assert (article in Article.objects.published()) is visible
    assert article.is_published() is visible


def test_scheduled_is_published_status_with_future_time(tomorrow):
    article = make_article(published_at=tomorrow)
    assert article.is_scheduled()
    assert not article.is_published()


def test_published_article_needs_a_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(status=Status.PUBLISHED, published_at=None)


def test_slug_unique_within_section_only():
    section = make_section()
    make_article(section=section, slug="same")
    make_article(slug="same")  # another section: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(section=section, slug="same")


def test_slug_clash_is_a_validation_error():
    section = make_section()
    make_article(section=section, slug="same")
    article = Article(section=section, title="Another", slug="same")
    with pytest.raises(ValidationError, match="Another article in this section has this slug"):
        article.full_clean()


def test_slug_made_from_title_keeps_non_latin_words():
    article = make_article(title="Café culture in Hà Nội", slug="")
    assert article.slug == "café-culture-in-hà-nội"
    assert make_article(title="東京の夜", slug="").slug == "東京の夜"


def test_legacy_key_unique_only_when_set():
    make_article(legacy_key="")
    make_article(legacy_key="")
    make_article(legacy_key="wp:1")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(legacy_key="wp:1")


def test_articles_are_found_by_many_legacy_keys_through_their_index():
    make_article(legacy_key="")
    found = make_article(legacy_key="wp:site:7")
    keys = [f"wp:site:{n}" for n in range(500)]  # an import batch
    articles = Article.objects.with_legacy_keys(keys).values_list("pk", flat=True)

    assert list(articles) == [found.pk]
    with transaction.atomic():
        if connection.vendor == "postgresql":  # or a table this small is read whole
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
        assert "unique_article_legacy_key" in articles.explain()


def test_credit_names_are_case_insensitive():
    make_credit(name="Pixabay")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_credit(name="pixabay")
    with pytest.raises(ValidationError, match="already exists"):
        ImageCredit(name="PIXABAY").full_clean()


def test_get_or_create_credit_by_name_reuses_any_case():
    credit, created = ImageCredit.objects.get_or_create_by_name("Pixabay")
    assert created
    again, created = ImageCredit.objects.get_or_create_by_name("  pixabay ")
    assert again == credit and not created
    assert ImageCredit.objects.count() == 1


def test_section_with_articles_cannot_be_deleted():
    article = make_article()
    with pytest.raises(ProtectedError):
        article.section.delete()
    article.delete()
    article.section.delete()


def test_bylines_keep_their_order():
    first, second, third = make_author(name="C"), make_author(name="A"), make_author(name="B")
    article = make_article(authors=[first, second, third])
    assert [b.author for b in article.bylines.all()] == [first, second, third]
    Byline.objects.filter(article=article, author=third).update(position=0)
    Byline.objects.filter(article=article, author=first).update(position=5)
    assert [b.author.name for b in article.bylines.all()] == ["B", "A", "C"]


@pytest.mark.parametrize(
    ("dirty", "gone"),
    [
        ('<p>Hi</p><script>alert("x")</script>', "<script"),
        ('<p><img src="/media/a.jpg" onerror="alert(1)"></p>', "onerror"),
        ('<p><a href="javascript:alert(1)">x</a></p>', "javascript:"),
        ('<p><a href="JaVaScRiPt:alert(1)">x</a></p>', "alert"),
        ('<p style="background:url(x)">x</p>', "style"),
        ("<iframe src='https://evil.example'></iframe>", "iframe"),
        ('<p><a href="data:text/html;base64,PHNjcmlwdD4=">x</a></p>', "data:"),
    ],
)
def test_body_sanitized_on_save(dirty, gone):
    article = make_article(body=dirty)
    article.refresh_from_db()
    assert gone.lower() not in article.body.lower()


def test_allowed_formatting_survives_sanitizing():
    html = (
        "<h2>Heading</h2><p><strong>bold</strong> <em>it</em> "
        '<a href="https://example.org/x">link</a></p><ul><li>one</li></ul>'
        "<blockquote><p>quoted</p></blockquote>"
    )
    article = make_article(body=html)
    article.refresh_from_db()
    for fragment in ["<h2>Heading</h2>", "<strong>bold</strong>", "<em>it</em>", "<li>one</li>"]:
        assert fragment in article.body
    assert 'href="https://example.org/x"' in article.body
    assert "<blockquote>" in article.body


def test_absolute_urls():
    section = make_section(slug="politics")
    article = make_article(section=section, slug="a-story")
    author = make_author(slug="jane-doe")
    assert section.get_absolute_url() == "/politics/"
    assert article.get_absolute_url() == "/politics/a-story/"
    assert author.get_absolute_url() == "/authors/jane-doe/"


def test_str():
    article = make_article(title="A title")
    assert str(article) == "A title"
    assert str(article.section) == article.section.name
    assert str(make_credit(name="AP Photo/Jane Doe")) == "AP Photo/Jane Doe"
