"""Articles' addresses as readers' requests carry them: decoded, not percent-encoded.

One definition for the redirects a move leaves behind (articles.signals), the
ones an editor adds (Redirect.clean) and those an import writes.
"""

from urllib.parse import unquote, urlsplit

from django.urls import reverse

# Stands for the slug in a reversed article URL; no slug holds it.
_SLUG_MARK = "\x00"


def article_path(section_slug: str, slug: str) -> str:
    """The path of the article `slug` in the section `section_slug`."""
    return slug.join(article_path_template(section_slug))


def article_path_template(section_slug: str) -> list[str]:
    """A section's article path, cut where the slug goes: `slug.join(template)`.

    Writers of many articles keep one per section: reverse() per article was a
    tenth of an import's writing time. Unquoting undoes its quoting of any slug.
    """
    kwargs = {"section": section_slug, "slug": _SLUG_MARK}
    return unquote(reverse("reader:article", kwargs=kwargs)).split(_SLUG_MARK)


def url_path(url: str) -> str:
    """The path of a (legacy) URL as the reader site sees it: decoded, with a
    leading slash.

    Empty when the path cannot stand for an article: the home page, or a query URL.
    """
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:  # "http://[broken": no address to redirect from
        return ""
    if not parts.path or parts.query:
        return ""  # "/?p=123": the path alone does not identify the post
    path = unquote(parts.path)
    if not path.startswith("/"):
        path = "/" + path
    return path if path != "/" else ""
