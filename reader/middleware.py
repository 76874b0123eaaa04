"""Old addresses keep working: a 404 whose path is a Redirect becomes a 301."""

from django.http import HttpResponsePermanentRedirect
from django.utils.encoding import iri_to_uri

from articles.models import Redirect


def redirect_candidates(path: str) -> list[str]:
    """The spellings under which `path` may be stored: with or without its
    trailing slash, as decoded text or percent-encoded (imports keep whatever
    the old site used)."""
    bare = path.rstrip("/") or "/"
    forms = [path, bare, bare + "/" if bare != "/" else bare]
    forms += [iri_to_uri(form) for form in forms]
    return list(dict.fromkeys(forms))


class RedirectFallbackMiddleware:
    """Like django.contrib.redirects' middleware, for articles' old paths.

    Acts only on 404 responses, so pages that exist cost nothing; a 404 costs
    one indexed query. The redirect goes to the article's current address,
    and only while readers may see it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        candidates = redirect_candidates(request.path)
        redirects = Redirect.objects.filter(old_path__in=candidates).select_related(
            "article__section"
        )
        # The exact spelling first; then only an article readers may see.
        for redirect in sorted(redirects, key=lambda r: candidates.index(r.old_path)):
            if redirect.article.is_published():
                target = redirect.article.get_absolute_url()
                if query := request.META.get("QUERY_STRING"):
                    target = f"{target}?{query}"
                return HttpResponsePermanentRedirect(target)
        return response
