"""Sitemaps: sections, articles and authors behind /sitemap.xml (an index of
paged sitemaps), and a Google News sitemap of the last two days' articles."""

from datetime import timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef, Subquery
from django.db.models.functions import Greatest
from django.utils import timezone

from sections.models import Section

from .feeds import xml_text
from .models import Article, Author

# Google accepts 50,000 URLs a file; smaller pages render in well under a second
# and stay small enough to cache.
ARTICLES_PER_SITEMAP = 5000
NEWS_MAX_AGE = timedelta(days=2)
NEWS_MAX_URLS = 1000


def _last_published(**filters):
    """Subquery: publication time of the newest published article matching `filters`."""
    articles = Article.objects.published().filter(**filters).order_by("-published_at")
    return Subquery(articles.values("published_at")[:1])


def article_lastmod(article):
    # A scheduled article may have been saved last before it went out.
    return max(article.updated_at, article.published_at)


class SectionSitemap(Sitemap):
    def items(self):
        return Section.objects.annotate(
            last_published=_last_published(section=OuterRef("pk"))
        ).order_by("position", "pk")

    def lastmod(self, section):
        return section.last_published


class ArticleSitemap(Sitemap):
    limit = ARTICLES_PER_SITEMAP

    def items(self):
        # Ordered by pk so that a page keeps its articles as new ones come in.
        return (
            Article.objects.published()
            .select_related("section")
            .only("slug", "updated_at", "published_at", "section__slug")
            .order_by("pk")
        )

    def lastmod(self, article):
        return article_lastmod(article)

    def get_latest_lastmod(self):
        # The default would load every article to find the newest.
        latest = Article.objects.published().aggregate(
            latest=Max(Greatest("updated_at", "published_at"))
        )
        return latest["latest"]


class AuthorSitemap(Sitemap):
    def items(self):
        bylines = Article.objects.published().filter(bylines__author=OuterRef("pk"))
        return (
            Author.objects.filter(Exists(bylines))
            .annotate(last_published=_last_published(bylines__author=OuterRef("pk")))
            .only("slug")
            .order_by("pk")
        )

    def lastmod(self, author):
        return author.last_published


class NewsSitemap(Sitemap):
    """Google News: articles published in the last two days, newest first."""

    limit = NEWS_MAX_URLS

    def items(self):
        since = timezone.now() - NEWS_MAX_AGE
        articles = Article.objects.published().filter(published_at__gte=since)
        return (
            articles.select_related("section")
            .only("title", "slug", "updated_at", "published_at", "section__slug")
            .order_by("-published_at", "-pk")[:NEWS_MAX_URLS]
        )

    def lastmod(self, article):
        return article_lastmod(article)

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        publication = {"name": settings.NEWSROOM_SITE_NAME, "language": news_language()}
        for url in urls:
            url["publication"] = publication
            url["title"] = xml_text(url["item"].title)
        return urls


def news_language():
    """The site's language as Google News wants it: ISO 639, except zh-cn/zh-tw."""
    code = settings.LANGUAGE_CODE.lower()
    return code if code in ("zh-cn", "zh-tw") else code.split("-")[0]


SITEMAPS = {"sections": SectionSitemap, "articles": ArticleSitemap, "authors": AuthorSitemap}
NEWS_SITEMAPS = {"news": NewsSitemap}
