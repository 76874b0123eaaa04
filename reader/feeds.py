"""RSS 2.0 and Atom feeds of the newest published articles: site, section, author."""

import re
from mimetypes import guess_type
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.files.storage import FileSystemStorage
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import feedgenerator
from django.utils.html import escape

from articles import events
from articles.models import Article, Author, bylines_with_authors
from sections.models import Section

from .cache import depends_on
from .fragments import card_keys

FEED_LENGTH = 30
# Characters XML 1.0 cannot carry; Django refuses to write a feed that has them.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text):
    """`text` without the control characters that would make the XML invalid."""
    return NOT_XML.sub("", text)


def html_text(text):
    """Plain `text` for an element feed readers read as HTML (RSS <description>,
    Atom <summary type="html">): escaped for HTML here, then for XML by the
    feed generator, so that "<b>" in a dek reaches the reader as "<b>", not bold."""
    return escape(xml_text(text))


def article_guid(article):
    """A tag: URI (RFC 4151) that never changes for an article, whatever happens
    to its slug, section or the site's address."""
    created = article.created_at.date().isoformat()
    return f"tag:{settings.NEWSROOM_FEED_ID_DOMAIN},{created}:article:{article.pk}"


class AbsoluteEnclosuresMixin:
    """Enclosure URLs made absolute against the feed's own (absolute) link:
    MEDIA_URL is usually a path, and Feed's item hooks do not see the request."""

    def add_item(self, *args, enclosures=None, **kwargs):
        enclosures = [
            feedgenerator.Enclosure(urljoin(self.feed["link"], e.url), e.length, e.mime_type)
            for e in enclosures or ()
        ]
        super().add_item(*args, enclosures=enclosures, **kwargs)


class RssFeedType(AbsoluteEnclosuresMixin, feedgenerator.Rss201rev2Feed):
    pass


class AtomFeedType(AbsoluteEnclosuresMixin, feedgenerator.Atom1Feed):
    pass


class LatestArticlesFeed(Feed):
    feed_type = RssFeedType
    item_guid_is_permalink = False

    def title(self, obj):
        return settings.NEWSROOM_SITE_NAME

    def link(self, obj):
        return reverse("reader:home")

    def description(self, obj):
        # RSS readers take the channel's <description> for HTML, like the items'.
        return html_text(self.plain_description(obj))

    def plain_description(self, obj):
        return f"The latest articles from {settings.NEWSROOM_SITE_NAME}."

    def author_name(self):
        # Atom needs a feed-level author for entries without a byline.
        return settings.NEWSROOM_SITE_NAME

    def articles(self, obj):
        depends_on(events.LATEST)
        return Article.objects.published()

    def items(self, obj):
        articles = self.articles(obj).for_reading().prefetch_related(bylines_with_authors())
        articles = list(articles[:FEED_LENGTH])
        for article in articles:
            depends_on(*card_keys(article))
        return articles

    def item_title(self, article):
        return xml_text(article.title)

    def item_description(self, article):
        return html_text(article.dek)

    def item_guid(self, article):
        return article_guid(article)

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        # A scheduled article may have been saved last before it went out.
        return max(article.updated_at, article.published_at)

    def item_author_name(self, article):
        names = dict.fromkeys(byline.author.name for byline in article.bylines.all())
        return xml_text(", ".join(names)) or None

    def item_categories(self, article):
        return [xml_text(article.section.name)]

    def item_enclosure_url(self, article):
        return article.lead_image.url if article.lead_image else None

    def item_enclosure_length(self, article):
        # RSS requires a length; 0 is the RSS Advisory Board's "unknown". It is
        # only looked up where that is a stat(), not a request to remote storage.
        if isinstance(article.lead_image.storage, FileSystemStorage):
            try:
                return article.lead_image.size
            except OSError:
                pass
        return 0

    def item_enclosure_mime_type(self, article):
        return guess_type(article.lead_image.name)[0] or "application/octet-stream"


class SectionFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Section, slug=slug)

    def title(self, section):
        return xml_text(f"{section.name} | {settings.NEWSROOM_SITE_NAME}")

    def link(self, section):
        return section.get_absolute_url()

    def plain_description(self, section):
        return section.description or f"The latest articles in {section.name}."

    def articles(self, section):
        depends_on(events.section_key(section.pk), events.section_articles_key(section.pk))
        return section.articles.published()


class AuthorFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def title(self, author):
        return xml_text(f"{author.name} | {settings.NEWSROOM_SITE_NAME}")

    def link(self, author):
        return author.get_absolute_url()

    def plain_description(self, author):
        return f"The latest articles by {author.name}."

    def articles(self, author):
        depends_on(events.author_key(author.pk), events.author_articles_key(author.pk))
        # A subquery, not a join: two roles on one article must not list it twice.
        return Article.objects.published().filter(pk__in=author.bylines.values("article_id"))


class AtomMixin:
    feed_type = AtomFeedType

    def subtitle(self, obj):
        # Atom's <subtitle> is text (no type attribute): escaped once, for XML.
        return xml_text(self.plain_description(obj))


class LatestArticlesAtomFeed(AtomMixin, LatestArticlesFeed):
    pass


class SectionAtomFeed(AtomMixin, SectionFeed):
    pass


class AuthorAtomFeed(AtomMixin, AuthorFeed):
    pass
