"""Site-wide fragments every public page shows, each one cached query.

Both are cached under the content version (`reader.cache`), so any saved
change shows at once; they hold plain data, not model instances.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.db.models import Subquery, prefetch_related_objects
from django.template.loader import render_to_string

from articles.images import Picture, lead_picture
from articles.models import Article, bylines_with_authors
from sections.models import Section

from .cache import cached, content_version

RECENT_FEATURES = 5
# Part of the cache keys: change it when the cached classes change shape, so a
# deploy never unpickles values written by the previous code.
SHAPE = 1
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

    return cached(f"navigation:{SHAPE}", compute)


def recent_features() -> list[FeatureLink]:
    """The newest published features site-wide, for the "Recent features" sidebar."""
    return cached(f"recent-features:{SHAPE}", _load_recent_features)


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
        .annotate(next_feature_at=Subquery(upcoming))[:RECENT_FEATURES]
    )
    if features:
        valid_until = features[0].next_feature_at
    else:  # no feature to carry the subquery: ask directly (an empty sidebar only)
        valid_until = next(iter(upcoming), {}).get("published_at")
    return [_feature_link(article) for article in features], valid_until


def _feature_link(article):
    return FeatureLink(
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


class RenderedFragments:
    """Rendered HTML of site fragments, kept in this process's memory.

    A story card is the same on the home page, its section, its authors'
    pages and under other stories; the sidebar and the navigation are on
    every page. All depend only on what bumps the content version, so each is
    rendered once per version (and variant) rather than on every request.
    Bounded, oldest out first; a new version simply misses.
    """

    def __init__(self, size=4000):
        self.size = size
        self.html: OrderedDict[tuple, str] = OrderedDict()
        self.lock = threading.Lock()  # runserver renders in threads

    def get(self, key: tuple, render) -> str:
        """The fragment `key` for the current version; `render()` makes it on a miss."""
        key = (content_version(), *key)
        html = self.html.get(key)
        if html is None:
            html = render()
            self._keep({key: html})
        return html

    def cards(self, articles, *, variant="river", level=2, show_section=False) -> list[str]:
        """The cards of `articles` (articles/includes/article_card.html); the
        bylines of those not rendered yet are fetched in one query, so
        listings need not prefetch them."""
        version = content_version()
        options = {"variant": variant, "level": level, "show_section": show_section}
        flags = (variant, level, show_section)
        keys = [(version, "card", article.pk, *flags) for article in articles]
        missing = [a for a, key in zip(articles, keys, strict=True) if key not in self.html]
        if missing:
            prefetch_related_objects(missing, bylines_with_authors())
        rendered = {
            (version, "card", article.pk, *flags): self._render_card(article, options)
            for article in missing
        }
        self._keep(rendered)
        return [
            rendered.get(key) or self.html.get(key) or self._render_card(article, options)
            for article, key in zip(articles, keys, strict=True)
        ]

    def clear(self):
        with self.lock:
            self.html.clear()

    def _keep(self, fragments):
        with self.lock:
            self.html.update(fragments)
            while len(self.html) > self.size:
                self.html.popitem(last=False)

    def _render_card(self, article, options):
        return render_to_string(
            "articles/includes/article_card.html", {"article": article, **options}
        )


rendered = RenderedFragments()
