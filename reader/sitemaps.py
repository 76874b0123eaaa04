"""Sitemaps: sections, articles and authors behind /sitemap.xml (an index of
paged sitemaps), and a Google News sitemap of the last two days' articles.
`cached_response` keeps them, and the feeds, until the content changes."""

import hashlib
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib import sitemaps
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Greatest
from django.http import HttpResponse
from django.utils import timezone

from articles import events
from articles.models import Article, Author
from sections.models import Section

from .cache import cached, depends_on
from .feeds import xml_text

# Google accepts 50,000 URLs a file; smaller pages render in well under a second
# and stay small enough to cache.
ARTICLES_PER_SITEMAP = 5000
NEWS_MAX_AGE = timedelta(days=2)
# The news sitemap's two-day window moves with the clock, not only with edits.
NEWS_SITEMAP_CACHE = timedelta(minutes=10)
# Sitemaps follow changes at most this late: a page of 5,000 addresses takes
# a third of a second to build, and a busy newsroom changes something every
# second, while crawlers read sitemaps every few minutes at most.
SITEMAP_LAG = timedelta(minutes=1)
NEWS_MAX_URLS = 1000


def _last_published(**filters):
    """Subquery: publication time of the newest published article matching `filters`."""
    articles = Article.objects.published().filter(**filters).order_by("-published_at")
    return Subquery(articles.values("published_at")[:1])


def article_lastmod(article):
    # A scheduled article may have been saved last before it went out.
    return max(article.updated_at, article.published_at)


class Sitemap(sitemaps.Sitemap):
    # What a change must touch to retire the sitemap (reader.cache).
    keys = (events.SITEMAPS,)

    @property
    def paginator(self):
        # The index and every page of a sitemap start here.
        depends_on(*self.keys)
        return super().paginator

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            # W3C datetimes, written here: the template's date filter costs
            # 50 µs a URL, a quarter of a second for a page of 5,000.
            url["w3c_lastmod"] = url["lastmod"].isoformat() if url["lastmod"] else ""
        return urls


class SectionSitemap(Sitemap):
    keys = (events.SECTIONS, events.SITEMAPS)

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
    keys = (events.AUTHORS, events.SITEMAPS)

    def items(self):
        """Authors with published articles, each with its newest one's time.

        One grouped pass over published articles and their bylines (a subquery
        per author took a second on 100,000 articles); the list is short, so
        the paginator counts and slices it in memory instead of running it twice.
        """
        latest = dict(
            Article.objects.published()
            .order_by()
            .values_list("bylines__author")
            .annotate(last_published=Max("published_at"))
        )
        authors = list(Author.objects.filter(pk__in=latest).only("slug").order_by("pk"))
        for author in authors:
            author.last_published = latest[author.pk]
        return authors

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


def cached_response(view, max_age=None, keys=(), lag=None):
    """`view` (a sitemap or feed), served from the cache until a change touches
    what it lists (reader.cache: the keys the view declares, and `keys`), and
    at most `max_age` (a timedelta) when what it lists also depends on the
    clock; with `lag`, at most that late after a change. Cached per scheme,
    host and sitemap page; errors are not cached."""

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        url = f"{request.scheme}://{request.get_host()}{request.path}?p={request.GET.get('p')}"

        def compute():
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
            now = timezone.now()
            valid_until = None if response.status_code == 200 else now
            if max_age is not None and valid_until is None:
                valid_until = now + max_age
            return (response.status_code, response.content, dict(response.items())), valid_until

        status, content, headers = cached(
            "xml-response:" + hashlib.sha256(url.encode()).hexdigest(), compute, keys, lag
        )
        return HttpResponse(content, status=status, headers=headers)

    return cached_view


SITEMAPS = {"sections": SectionSitemap, "articles": ArticleSitemap, "authors": AuthorSitemap}
NEWS_SITEMAPS = {"news": NewsSitemap}
