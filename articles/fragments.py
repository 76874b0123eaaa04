"""Site-wide fragments every public page shows, each one cached query.

Both are cached under the content version (`articles.cache`), so any saved
change shows at once; they hold plain data, not model instances.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.db.models import Subquery
from django.template.loader import render_to_string
from django.utils import timezone

from sections.models import Section

from .cache import cached, content_version
from .images import Picture, lead_picture
from .models import Article

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
    now = timezone.now()
    # When the next scheduled feature goes live, the list must expire: its
    # time comes back with the rows, as a scalar subquery the database runs once.
    upcoming = (
        Article.objects.features()
        .filter(status=Article.Status.PUBLISHED, published_at__gt=now)
        .order_by("published_at")
        .values("published_at")[:1]
    )
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


class RenderedCards:
    """Story cards as rendered HTML, kept in this process's memory.

    A card is the same on the home page, its section, its authors' pages and
    under other stories, and depends only on what bumps the content version,
    so each one is rendered once per version rather than on every listing.
    Bounded (oldest out first); a new version simply misses.
    """

    def __init__(self, size=4000):
        self.size = size
        self.html: OrderedDict[tuple, str] = OrderedDict()
        self.lock = threading.Lock()  # runserver renders in threads

    def get(self, article, **options) -> str:
        key = (content_version(), article.pk, *sorted(options.items()))
        html = self.html.get(key)
        if html is None:
            html = render_to_string(
                "articles/includes/article_card.html", {"article": article, **options}
            )
            with self.lock:
                self.html[key] = html
                while len(self.html) > self.size:
                    self.html.popitem(last=False)
        return html

    def clear(self):
        with self.lock:
            self.html.clear()


rendered_cards = RenderedCards()
