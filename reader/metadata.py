"""Machine-readable descriptions of an article: JSON-LD for search engines."""

from django.conf import settings

from articles.images import Picture


def listing_path(path: str, number: int) -> str:
    """The canonical address of page `number` of a listing at `path`."""
    return path if number == 1 else f"{path}?page={number}"


def news_article(request, article, picture: Picture | None) -> dict:
    """schema.org NewsArticle for `article` (https://schema.org/NewsArticle)."""
    url = request.build_absolute_uri(article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.dek,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "articleSection": article.section.name,
        "author": [
            {
                "@type": "Person",
                "name": byline.author.name,
                "url": request.build_absolute_uri(byline.author.get_absolute_url()),
            }
            for byline in article.bylines.all()
        ],
        "publisher": {"@type": "Organization", "name": settings.NEWSROOM_SITE_NAME},
        "isAccessibleForFree": True,
    }
    if picture:
        data["image"] = [
            request.build_absolute_uri(r.url) for r in picture.sources["jpg"] if r.width >= 800
        ] or [request.build_absolute_uri(picture.share.url)]
    if article.published_at:
        data["datePublished"] = article.published_at.isoformat()
        modified = article.updated_at if article.was_updated() else article.published_at
        data["dateModified"] = modified.isoformat()
    return data
