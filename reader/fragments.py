"""Site-wide fragments every public page shows, each one cached query, and
the rendered HTML of fragments kept in each process's memory.

All are kept while no change touches what they were built from (`reader.cache`),
so a saved change shows at once; the cached data is plain, not model instances.
"""

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.db.models import Subquery, prefetch_related_objects
from django.template.loader import render_to_string

from articles import events
from articles.images import Picture, lead_picture
from articles.models import Article, bylines_with_authors
from sections.models import Section

from .cache import (
    ALL,
    MAX_AGE,
    cached,
    collecting,
    content_state,
    depends_on,
    expire_by,
    is_fresh,
)

RECENT_FEATURES = 5
# Part of the cache keys: change it when the cached classes change shape, so a
# deploy never unpickles values written by the previous code.
SHAPE = 3
# What a headline with a thumbnail needs, and nothing more (no body).
CARD_FIELDS = (
    "title",
    "slug",
    "published_at",
    "lead_image",
    "lead_image_width",
    "lead_image_height",
    "lead_image_alt",
    "section__name",
    "section__slug",
)


@dataclass(frozen=True)
class SectionLink:
    id: int
    name: str
    slug: str
    url: str


@dataclass(frozen=True)
class FeatureLink:
    id: int
    title: str
    url: str
    section_name: str
    section_url: str
    picture: Picture | None


def navigation_sections() -> list[SectionLink]:
    """The sections in the main navigation, in their configured order."""

    def compute():
        sections = Section.objects.filter(show_in_navigation=True).only("name", "slug")
        return [SectionLink(s.pk, s.name, s.slug, s.get_absolute_url()) for s in sections], None

    return cached(f"navigation:{SHAPE}", compute, keys=[events.SECTIONS])


def recent_features(exclude=frozenset()) -> list[FeatureLink]:
    """The newest published features site-wide, for the "Recent features"
    sidebar; without those in `exclude` (the story the page already leads with)."""
    features = cached(f"recent-features:{SHAPE}", _load_recent_features, keys=[events.FEATURES])
    return [feature for feature in features if feature.id not in exclude][:RECENT_FEATURES]


def _load_recent_features():
    # When the next scheduled feature goes live, the list must expire: its
    # time comes back with the rows, as a scalar subquery the database runs once.
    upcoming = Article.objects.scheduled().features().order_by("published_at")
    upcoming = upcoming.values("published_at")[:1]
    features = list(
        Article.objects.published()
        .features()
        .select_related("section")
        .only(*CARD_FIELDS)
        # Two more than shown: the page's own story is left out (see recent_features()).
        .annotate(next_feature_at=Subquery(upcoming))[: RECENT_FEATURES + 2]
    )
    depends_on(*(events.article_key(article.pk) for article in features))
    if features:
        valid_until = features[0].next_feature_at
    else:  # no feature to carry the subquery: ask directly (an empty sidebar only)
        valid_until = next(iter(upcoming), {}).get("published_at")
    return [_feature_link(article) for article in features], valid_until


def _feature_link(article):
    return FeatureLink(
        id=article.pk,
        title=article.title,
        url=article.get_absolute_url(),
        section_name=article.section.name,
        section_url=article.section.get_absolute_url(),
        picture=lead_picture(
            article.lead_image,
            article.lead_image_width,
            article.lead_image_height,
            article.lead_image_alt,
        ),
    )


def card_keys(article) -> set[str]:
    """What a story card shows: its article, section and bylines' authors."""
    return {
        events.article_key(article.pk),
        events.section_key(article.section_id),
        *(events.author_key(byline.author_id) for byline in article.bylines.all()),
    }


@dataclass(frozen=True)
class Fragment:
    html: str
    built_after: int
    keys: frozenset
    born: float  # time.monotonic()
    until: float | None = None  # time.time() by which it must be rendered again


class RenderedFragments:
    """Rendered HTML of site fragments, kept in this process's memory.

    A story card is the same on the home page, its section, its authors'
    pages and under other stories; the sidebar and the navigation are on
    every page. Each is rendered once and kept until a change touches what it
    was built from (or MAX_AGE passes), rather than rendered on every request.
    Bounded, oldest out first.
    """

    def __init__(self, size=4000):
        self.size = size
        self.html: OrderedDict[tuple, Fragment] = OrderedDict()
        self.lock = threading.Lock()  # runserver and threaded workers render in threads

    def get(self, key: tuple, render, *, inherit=False) -> str:
        """The fragment `key`; `render()` makes it when there is none still good.
        The keys it was built from count for the page it is part of; with
        `inherit`, so do those the page declared before it (see collecting())."""
        fragment = self._good(key)
        if fragment is None:
            built_after = content_state().version
            with collecting(inherit=inherit) as keys:
                html = render()
            fragment = Fragment(
                html, built_after, frozenset(keys), time.monotonic(), until=keys.until
            )
            self._keep({key: fragment})
        depends_on(*fragment.keys)
        expire_by(fragment.until)
        return fragment.html

    def cards(self, articles, *, variant="river", level=2, show_section=False) -> list[str]:
        """The cards of `articles` (articles/includes/article_card.html); the
        bylines of those not rendered yet are fetched in one query, so
        listings need not prefetch them."""
        options = {"variant": variant, "level": level, "show_section": show_section}
        flags = (variant, level, show_section)
        keys = [("card", article.pk, *flags) for article in articles]
        found = {key: self._good(key) for key in keys}
        missing = [a for a, key in zip(articles, keys, strict=True) if found[key] is None]
        if missing:
            prefetch_related_objects(missing, bylines_with_authors())
            built_after, now = content_state().version, time.monotonic()
            for article in missing:
                key = ("card", article.pk, *flags)
                html = self._render_card(article, options)
                keys_of_card = frozenset({ALL, *card_keys(article)})
                found[key] = Fragment(html, built_after, keys_of_card, now)
            self._keep({key: found[key] for key in keys if found[key] is not None})
        for key in keys:
            depends_on(*found[key].keys)
        return [found[key].html for key in keys]

    def clear(self):
        with self.lock:
            self.html.clear()

    def _good(self, key) -> Fragment | None:
        fragment = self.html.get(key)
        if fragment is None:
            return None
        if time.monotonic() - fragment.born > MAX_AGE.total_seconds() or not is_fresh(
            fragment.built_after, fragment.keys
        ):
            return None
        if fragment.until is not None and fragment.until <= time.time():
            return None
        return fragment

    def _keep(self, fragments):
        with self.lock:
            for key, fragment in fragments.items():
                self.html.pop(key, None)
                self.html[key] = fragment
            while len(self.html) > self.size:
                self.html.popitem(last=False)

    def _render_card(self, article, options):
        return render_to_string(
            "articles/includes/article_card.html", {"article": article, **options}
        )


rendered = RenderedFragments()
