from io import StringIO

import pytest
from django.core.management import call_command

from articles import events
from articles.models import Article
from demo.generate import generate
from reader.models import ContentChange

pytestmark = pytest.mark.django_db


def test_generate_articles_writes_realistic_published_articles(tmp_path):
    paths = tmp_path / "paths.txt"
    call_command(
        "generate_articles", "--articles", "60", "--images", "2", "--paths-file", paths,
        stdout=StringIO(),
    )  # fmt: skip
    articles = Article.objects.published()
    assert articles.count() == 60
    per_section = {
        slug: articles.filter(section__slug=slug).count()
        for slug in ["news", "politics", "business", "culture", "sport"]
    }
    assert per_section == {"news": 30, "politics": 12, "business": 9, "culture": 6, "sport": 3}
    for article in articles.prefetch_related("bylines"):
        words = len(article.body.split())
        assert 700 <= words <= 1700, words
        assert 1 <= len(article.bylines.all()) <= 3
        assert article.lead_image.name.startswith("generated/")
    rows = dict(line.split("\t") for line in paths.read_text().splitlines())
    assert rows["section_p1"] == "/news/"
    assert rows["section_p2"] == "/news/?page=2"
    assert rows["article"].startswith("/news/")


def test_reset_replaces_generated_articles_only():
    call_command("generate_articles", "--articles", "5", "--images", "1", stdout=StringIO())
    call_command(
        "generate_articles", "--articles", "5", "--images", "1", "--reset", stdout=StringIO()
    )
    assert Article.objects.count() == 5


def test_generated_articles_retire_the_listings_they_join(django_capture_on_commit_callbacks):
    before = set(ContentChange.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        generate(count=5, images=2)
    keys = set()
    for change in ContentChange.objects.exclude(pk__in=before):
        keys |= set(change.keys.split())
    assert {events.LATEST, events.SITEMAPS} <= keys
    assert any(key.startswith("in-section:") for key in keys)
    assert any(key.startswith("by-author:") for key in keys)
