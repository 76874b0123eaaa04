"""The reader site's addresses: pages, previews, feeds and sitemaps."""

from django.contrib.sitemaps import views as sitemap_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView, TemplateView

from . import feeds, preview, views
from .sitemaps import NEWS_SITEMAP_CACHE, NEWS_SITEMAPS, SITEMAP_LAG, SITEMAPS, cached_response

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

page_patterns = [
    path("", views.home, name="home"),
    path("authors/<str:slug>/", views.author_detail, name="author"),
    path("preview/<int:pk>/", preview.staff_preview, name="preview"),
    path("preview/shared/<str:token>/", preview.shared_preview, name="shared_preview"),
    path("search/", views.search, name="search"),
    path("<str:section>/<str:slug>/", views.article_detail, name="article"),
    # Last: /<section>/ would otherwise swallow every other top-level path.
    path("<str:slug>/", views.section_detail, name="section"),
]

urlpatterns = [
    # Before the pages, whose /<section>/<slug>/ would take /feeds/rss/.
    path("feeds/", include((feed_patterns, "feeds"))),
    # Browsers ask for it whatever the page says (base.html links the SVG).
    path(
        "favicon.ico",
        RedirectView.as_view(get_redirect_url=lambda *a, **k: static("favicon.ico")),
        name="favicon",
    ),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
    path(
        "sitemap.xml",
        cached_response(sitemap_views.index, lag=SITEMAP_LAG),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap"},
        name="sitemap-index",
    ),
    path(
        "sitemap-<section>.xml",
        cached_response(sitemap_views.sitemap, lag=SITEMAP_LAG),
        {"sitemaps": SITEMAPS, "template_name": "articles/sitemap.xml"},
        name="sitemap",
    ),
    path(
        "news-sitemap.xml",
        cached_response(sitemap_views.sitemap, max_age=NEWS_SITEMAP_CACHE, lag=SITEMAP_LAG),
        {"sitemaps": NEWS_SITEMAPS, "template_name": "articles/news_sitemap.xml"},
        name="news-sitemap",
    ),
    path("", include((page_patterns, "reader"))),
]
