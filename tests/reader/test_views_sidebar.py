"""The "Recent features" sidebar and the navigation: cached, and never stale."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from articles.models import Article, Byline, Redirect
from reader.cache import bump_content_version, cached, content_version
from reader.fragments import navigation_sections, recent_features
from tests.factories import make_article, make_author, make_credit, make_image, make_section

pytestmark = pytest.mark.django_db

Status = Article.Status


def sidebar(client, path="/search/"):
    html = client.get(path).content.decode()
    aside = re.search(r'<aside class="sidebar".*?</aside>', html, re.S).group(0)
    return aside, re.findall(r'<span class="feature-title">(.*?)</span>', aside)


def make_features(count, **kwargs):
    now = timezone.now()
    return [
        make_article(
            title=f"Feature {i}",
            is_feature=True,
            published_at=now - timedelta(hours=i + 1),
            **kwargs,
        )
        for i in range(count)
    ]


def test_sidebar_shows_the_five_newest_published_features(client):
    section = make_section(name="Island Notebook", slug="island")
    features = make_features(7, section=section, lead_image=make_image(), lead_image_alt="Sea")
    make_article(title="Not a feature")
    make_article(title="Draft feature", is_feature=True, status=Status.DRAFT, published_at=None)
    make_article(
        title="Future feature", is_feature=True, published_at=timezone.now() + timedelta(hours=1)
    )

    aside, titles = sidebar(client)

    assert titles == [f.title for f in features[:5]]
    assert '<h2 id="recent-features-heading" class="rule-heading">Recent features</h2>' in aside
    assert aside.count('<a class="feature-section" href="/island/">Island Notebook</a>') == 5
    assert aside.count('class="feature-thumb"') == 5
    assert "/media/renditions/lead/" in aside
    assert 'width="80" height="80"' in aside


@pytest.mark.parametrize("path", ["/", "/s/", "/s/a/", "/authors/x/", "/no/such/page/"])
def test_sidebar_is_on_every_public_page(client, path):
    make_features(2)
    make_article(section=make_section(slug="s"), slug="a", authors=[make_author(slug="x")])
    _, titles = sidebar(client, path)
    # The home page leads with the newest feature: its sidebar lists the others.
    assert titles == (["Feature 1"] if path == "/" else ["Feature 0", "Feature 1"])


def test_the_sidebar_leaves_out_the_story_the_page_is_about(client):
    features = make_features(6)
    _, on_home = sidebar(client, "/")
    assert "Feature 0" not in on_home and len(on_home) == 5  # the lead, shown large
    _, on_story = sidebar(client, features[2].get_absolute_url())
    assert on_story == ["Feature 0", "Feature 1", "Feature 3", "Feature 4", "Feature 5"]
    _, elsewhere = sidebar(client, "/search/")
    assert elsewhere == [f"Feature {n}" for n in range(5)]


def test_sidebar_is_one_cached_query(django_assert_num_queries):
    make_features(3)
    with django_assert_num_queries(1):
        assert len(recent_features()) == 3
    with django_assert_num_queries(0):
        assert len(recent_features()) == 3


def test_sidebar_refreshes_after_publish(client, django_capture_on_commit_callbacks):
    make_features(5)
    draft = make_article(
        title="Brand new feature", is_feature=True, status=Status.DRAFT, published_at=None
    )
    assert "Brand new feature" not in sidebar(client)[1]

    with django_capture_on_commit_callbacks(execute=True):
        draft.status = Status.PUBLISHED
        draft.published_at = timezone.now()
        draft.save()

    assert sidebar(client)[1][0] == "Brand new feature"


def test_sidebar_refreshes_after_unpublish_edit_and_delete(
    client, django_capture_on_commit_callbacks
):
    first, second, third = make_features(3)
    assert sidebar(client)[1] == ["Feature 0", "Feature 1", "Feature 2"]

    with django_capture_on_commit_callbacks(execute=True):
        first.status = Status.UNPUBLISHED
        first.save()
    assert sidebar(client)[1] == ["Feature 1", "Feature 2"]

    with django_capture_on_commit_callbacks(execute=True):
        second.title = "Feature 1, corrected"
        second.save()
    assert sidebar(client)[1] == ["Feature 1, corrected", "Feature 2"]

    with django_capture_on_commit_callbacks(execute=True):
        third.delete()
    assert sidebar(client)[1] == ["Feature 1, corrected"]


def test_a_scheduled_feature_appears_when_its_time_comes(
    client, django_capture_on_commit_callbacks
):
    start = timezone.now()
    # Scheduled in an hour, saved (and committed) now; nothing is saved when the time comes.
    with django_capture_on_commit_callbacks(execute=True):
        make_features(2)
        make_article(
            title="Scheduled feature", is_feature=True, published_at=start + timedelta(hours=1)
        )

    with time_machine.travel(start, tick=False):
        assert "Scheduled feature" not in sidebar(client)[1]
    with time_machine.travel(start + timedelta(minutes=59), tick=False):
        assert "Scheduled feature" not in sidebar(client)[1]
    with time_machine.travel(start + timedelta(hours=1, seconds=1), tick=False):
        assert sidebar(client)[1][0] == "Scheduled feature"


def test_a_scheduled_feature_appears_in_an_empty_sidebar_too(
    client, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        make_article(
            title="First ever feature", is_feature=True, published_at=start + timedelta(hours=1)
        )
    with time_machine.travel(start, tick=False):
        assert sidebar(client)[1] == []
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        assert sidebar(client)[1] == ["First ever feature"]


def test_navigation_refreshes_after_a_section_change(client, django_capture_on_commit_callbacks):
    section = make_section(name="Politics", slug="politics")
    assert [s.name for s in navigation_sections()] == ["Politics"]
    with django_capture_on_commit_callbacks(execute=True):
        section.name = "Government"
        section.save()
        make_section(name="Economy", slug="economy", position=section.position + 1)
    assert [s.name for s in navigation_sections()] == ["Government", "Economy"]
    assert ">Government</a>" in client.get("/").content.decode()


# -- the content version ----------------------------------------------------------


def change_article():
    article = make_article()
    article.title = "Changed"
    article.save()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda: make_article(), id="article created"),
        pytest.param(change_article, id="article saved"),
        pytest.param(lambda: make_article().delete(), id="article deleted"),
        pytest.param(
            lambda: Byline.objects.create(article=make_article(), author=make_author()),
            id="byline",
        ),
        pytest.param(lambda: make_article().authors.add(make_author()), id="authors m2m"),
        pytest.param(lambda: make_author(), id="author"),
        pytest.param(lambda: make_section(), id="section"),
        pytest.param(lambda: make_credit(), id="credit"),
        pytest.param(
            lambda: Redirect.objects.create(old_path="/x/", article=make_article()), id="redirect"
        ),
    ],
)
def test_content_version_changes_after_each_committed_change(
    change, django_capture_on_commit_callbacks
):
    before = content_version()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        change()
    assert callbacks
    assert content_version() != before


def test_content_version_waits_for_the_commit(django_capture_on_commit_callbacks):
    before = content_version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_article()
    assert content_version() == before  # nothing committed yet: cached values stay valid
    for callback in callbacks:
        callback()
    assert content_version() != before


def test_content_version_unchanged_by_a_rolled_back_change(django_capture_on_commit_callbacks):
    before = content_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        make_section()
        raise RuntimeError("rolled back")
    assert content_version() == before


def test_content_version_is_stable_and_costs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        version = content_version()
        assert content_version() == version
    bump_content_version()
    with django_assert_num_queries(0):
        assert content_version() != version


def test_cached_value_expires_at_its_valid_until():
    calls = []
    start = timezone.now()

    def compute():
        calls.append(1)
        return len(calls), start + timedelta(minutes=5)

    with time_machine.travel(start, tick=False):
        assert cached("thing", compute) == 1
        assert cached("thing", compute) == 1
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        assert cached("thing", compute) == 2
