from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.generic import TemplateView

from articles import feeds
from articles.sitemaps import NEWS_SITEMAP_CACHE, NEWS_SITEMAPS, SITEMAPS, cached_response

feed_patterns = [
    path("rss/", cached_response(feeds.LatestArticlesFeed()), name="site"),
    path("atom/", cached_response(feeds.LatestArticlesAtomFeed()), name="site-atom"),
    path("sections/<str:slug>/rss/", cached_response(feeds.SectionFeed()), name="section"),
    path(
        "sections/<str:slug>/atom/", cached_response(feeds.SectionAtomFeed()), name="section-atom"
    ),
    path("authors/<str:slug>/rss/", cached_response(feeds.AuthorFeed()), name="author"),
    path("authors/<str:slug>/atom/", cached_response(feeds.AuthorAtomFeed()), name="author-atom"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    # Before articles.urls, whose /<section>/<slug>/ would take /feeds/rss/.
    path("feeds/", include((feed_patterns, "feeds"))),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
    path(
        "sitemap.xml",
        cached_response(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap"},
        name="sitemap-index",
    ),
    path(
        "sitemap-<section>.xml",
        cached_response(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS, "template_name": "articles/sitemap.xml"},
        name="sitemap",
    ),
    path(
        "news-sitemap.xml",
        cached_response(sitemap_views.sitemap, max_age=NEWS_SITEMAP_CACHE),
        {"sitemaps": NEWS_SITEMAPS, "template_name": "articles/news_sitemap.xml"},
        name="news-sitemap",
    ),
    path("", include("articles.urls")),
    # Last: /<section>/ would otherwise swallow every other top-level path.
    path("", include("sections.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
