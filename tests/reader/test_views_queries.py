"""SQL queries per public page: bounded, and the same for 1 or 20 articles.

Issue 7's budget is at most 5 queries for a public page that is not cached
as a whole, navigation and sidebar included. "Cold" is an empty cache (the
navigation and sidebar are queried too), "warm" a second request.
"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage
from django.utils import timezone

from tests.factories import make_article, make_author, make_image, make_section

pytestmark = pytest.mark.django_db

BUDGET = 5
# Cold: the page's own queries (the home page also chooses its stories, once
# per content version), the bylines of cards not rendered yet (one query), the
# navigation and the sidebar.
COLD = {"home": 5, "section": 5, "article": 5, "author": 5}
# Warm: what every request must ask the database itself (the article: is it
# published?; the section or author: does it exist?). The rest of the page is
# rendered once per content version ({% fragment %}); the home page, entirely.
WARM = {"home": 0, "section": 1, "article": 1, "author": 1}
PAGES = {
    "home": "/",
    "section": "/big/",
    "article": "/big/story-0/",
    "author": "/authors/prolific/",
}
SIZES = {
    "small": {"articles": 1, "authors_each": 1, "sections": 1},
    "large": {"articles": 20, "authors_each": 3, "sections": 8},
}


def build_site(articles, authors_each, sections):
    """`articles` stories in section "big", each with `authors_each` bylines, one of
    them "prolific"; `sections` more sections in the navigation, a story each."""
    now = timezone.now()
    big = make_section(slug="big", position=0)
    prolific = make_author(slug="prolific")
    others = [make_author() for _ in range(authors_each - 1)]
    for i in range(articles):
        make_article(
            section=big,
            slug=f"story-{i}",
            authors=[prolific, *others],
            is_feature=i % 2 == 0,
            lead_image=make_image(size=(400, 300)) if i < 3 else "",
            lead_image_alt="A picture",
            published_at=now - timedelta(hours=i + 1),
        )
    for position in range(1, sections + 1):
        make_article(
            section=make_section(position=position),
            authors=[prolific, *others],
            published_at=now - timedelta(minutes=position),
        )


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("page", PAGES)
def test_query_counts_are_bounded_and_constant(client, page, size, django_assert_num_queries):
    build_site(**SIZES[size])
    cache.clear()
    with django_assert_num_queries(COLD[page]):
        assert client.get(PAGES[page]).status_code == 200
    with django_assert_num_queries(WARM[page]):
        assert client.get(PAGES[page]).status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_within_the_page_budget(client, page, django_assert_max_num_queries):
    build_site(**SIZES["large"])
    cache.clear()
    with django_assert_max_num_queries(BUDGET):
        client.get(PAGES[page])


@pytest.mark.parametrize("page", PAGES)
def test_pages_read_no_files(client, page, monkeypatch):
    """Rendition URLs come from stored names and sizes: no disk access per request."""
    build_site(**SIZES["large"])

    def no_file_access(*args, **kwargs):
        raise AssertionError("a page read the storage")

    for method in ("open", "exists", "size", "listdir", "get_modified_time"):
        monkeypatch.setattr(FileSystemStorage, method, no_file_access)
    response = client.get(PAGES[page])
    assert response.status_code == 200
    assert b"/media/renditions/lead/" in response.content
