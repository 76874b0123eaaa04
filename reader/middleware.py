"""Old addresses keep working (a 404 whose path is a Redirect becomes a 301),
and every response carries the site's security policy headers."""

import base64
import hashlib
import re

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


# Scripts, styles, images and fonts from this site only; no plugins, frames or
# forms elsewhere. Inline styles stay allowed: the admin's autocomplete and
# editor set style attributes, and a style cannot run code.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Browser features no page of the site uses.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


# The admin's editor loads its modules through an inline import map (rendered
# by django-js-asset from our own static paths): allowed by its hash.
_IMPORT_MAP = re.compile(rb'<script type="importmap"[^>]*>(.*?)</script>', re.DOTALL)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response, the
    admin's included (Django 5.2 sets neither; its SecurityMiddleware does the rest)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = CONTENT_SECURITY_POLICY
        if request.path_info.startswith("/admin/") and not response.streaming:
            hashes = [_hash(m.group(1)) for m in _IMPORT_MAP.finditer(response.content)]
            if hashes:
                policy = policy.replace(
                    "script-src 'self'", "script-src 'self' " + " ".join(hashes)
                )
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def _hash(script: bytes) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
