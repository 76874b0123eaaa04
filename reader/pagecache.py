"""Whole-page cache for anonymous readers.

A reader page is stored once rendered, under the content version
(`articles.cache`), so any change to what readers see retires every cached
page at once, and a scheduled article going live does too. Requests that
carry a session cookie (staff), previews, the admin, search and any query
string other than `?page=N` always reach Django.

Two layers: entries live in Django's cache (shared through Redis in
production) and the newest ones also in this process's memory, so a hit costs
no network round trip. `PageCacheWSGI` serves hits before Django even builds a
request, which is what lets a cached page approach the speed of a static
file; `PageCacheMiddleware` stores pages and also serves hits when the WSGI
layer is not in front (runserver, the test client).
"""

import functools
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from email.utils import formatdate

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import DatabaseError
from django.http import HttpResponse

from .cache import content_state, pinned_content_state

logger = logging.getLogger(__name__)

ALWAYS_DYNAMIC = ("/admin/", "/preview/", "/search/")
# Marks a request the WSGI layer has already looked up, so Django does not again.
LOOKED_UP = "newsroom.pagecache.looked_up"


@dataclass(frozen=True)
class CachedPage:
    version: int
    expires_at: float  # time.time()
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str


class _Config:
    """The settings every request reads, copied once rather than looked up
    through LazySettings each time (and copied again when a test changes them)."""

    def load(self, **kwargs):
        self.seconds = settings.PAGE_CACHE_SECONDS
        self.dynamic_prefixes = (*ALWAYS_DYNAMIC, settings.STATIC_URL, settings.MEDIA_URL)
        self.untouched_prefixes = ("/admin/", settings.STATIC_URL, settings.MEDIA_URL)
        self.session_cookie = settings.SESSION_COOKIE_NAME + "="
        self.ssl_redirect = settings.SECURE_SSL_REDIRECT
        self.proxy_ssl_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)


conf = _Config()
conf.load()
setting_changed.connect(conf.load, dispatch_uid="articles.pagecache.conf")


def enabled():
    return conf.seconds > 0


def cache_key(environ, secure=None) -> str | None:
    """The key of the page this request asks for, or None if it must not be cached.

    `secure`: whether the request came over HTTPS, when the caller knows better
    than a WSGI environ can tell (under ASGI, request.is_secure())."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return None
    path = environ.get("PATH_INFO", "")
    if path.startswith(conf.dynamic_prefixes):
        return None
    query = environ.get("QUERY_STRING", "")
    if query and not (query.startswith("page=") and query[5:].isdigit() and len(query) < 12):
        return None
    if conf.session_cookie in environ.get("HTTP_COOKIE", ""):
        return None  # signed in: staff see their own pages
    if secure is None:
        secure = _is_secure(environ)
    if conf.ssl_redirect and not secure:
        return None  # Django answers with the redirect
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    # Pages name their own scheme (canonical and Open Graph URLs).
    return f"{'https' if secure else 'http'}://{host}{path}?{query}"


def shared_key(key, version) -> str:
    """The key of a page in Django's cache: hashed, as memcached wants short keys."""
    # Distinct text, distinct bytes: WSGI paths are latin-1 text, ASGI paths
    # real Unicode, and surrogatepass keeps even lone surrogates apart.
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16)
    return f"page:{digest.hexdigest()}:{version}"


def _is_secure(environ):
    if environ.get("wsgi.url_scheme") == "https":
        return True
    header = conf.proxy_ssl_header
    return bool(header) and environ.get(header[0]) == header[1]


class PageStore:
    """Cached pages in Django's cache, fronted by a bounded in-process LRU."""

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.local: OrderedDict[str, CachedPage] = OrderedDict()
        self.local_bytes = 0
        self.lock = threading.Lock()  # runserver and threaded workers share the LRU

    def get(self, key) -> CachedPage | None:
        state = content_state()
        now = time.time()
        page = self.local.get(key)
        if page is not None and page.version == state.version and page.expires_at > now:
            return page
        page = cache.get(shared_key(key, state.version))
        if page is None or page.expires_at <= now:
            return None
        self._keep(key, page)
        return page

    def set(self, key, page: CachedPage):
        timeout = int(page.expires_at - time.time())
        if timeout > 0:
            cache.set(shared_key(key, page.version), page, timeout)
            self._keep(key, page)

    def clear_local(self):
        with self.lock:
            self.local.clear()
            self.local_bytes = 0

    def _keep(self, key, page):
        # Oldest stored goes first: pages of a past version are never read again.
        with self.lock:
            if old := self.local.pop(key, None):
                self.local_bytes -= len(old.body)
            self.local[key] = page
            self.local_bytes += len(page.body)
            while self.local_bytes > self.max_bytes and self.local:
                _, evicted = self.local.popitem(last=False)
                self.local_bytes -= len(evicted.body)


store = PageStore(max_bytes=settings.PAGE_CACHE_LOCAL_BYTES)


def lifetime(state) -> int:
    """Seconds a page may be kept: never past the next scheduled publication."""
    seconds = conf.seconds
    if state.next_publish_at:
        until = state.next_publish_at.timestamp() - time.time()
        seconds = min(seconds, max(0, int(until)))
    return seconds


@functools.lru_cache(maxsize=1024)
def cache_control(seconds) -> str:
    # Browsers revalidate (cheap: ETag); shared caches such as a CDN keep the
    # page for the time we would at most, but nobody tells them of a change:
    # PAGE_CACHE_SECONDS bounds how long a takedown takes to reach them.
    return f"public, max-age=0, s-maxage={seconds}, stale-while-revalidate=30"


def not_modified(environ, page):
    tags = environ.get("HTTP_IF_NONE_MATCH", "")
    return tags == "*" or page.etag in (tag.strip().removeprefix("W/") for tag in tags.split(","))


def lookup(environ, secure=None):
    """The cached page for this request, or None; never raises."""
    if not enabled() or (key := cache_key(environ, secure)) is None:
        return None, None
    try:
        return key, store.get(key)
    except DatabaseError:
        logger.exception("Page cache lookup failed; rendering instead")
        return None, None


def remaining(page):
    return max(0, int(page.expires_at - time.time()))


class PageCacheWSGI:
    """WSGI middleware in front of Django that answers cache hits directly."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        key, page = lookup(environ)
        environ[LOOKED_UP] = True
        if page is None:
            return self.application(environ, start_response)
        headers = [*page.headers, ("Cache-Control", cache_control(remaining(page)))]
        if not_modified(environ, page):
            start_response("304 Not Modified", [h for h in headers if h[0] != "Content-Length"])
            return []
        start_response("200 OK", headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [page.body]


class PageCacheMiddleware:
    """Stores anonymous reader pages; serves hits when no WSGI layer did."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        environ = request.META
        if environ.get(LOOKED_UP):
            key, page = (cache_key(environ, request.is_secure()) if enabled() else None), None
        else:
            key, page = lookup(environ, request.is_secure())
        if page is not None:
            return self.from_cache(request, page)
        if request.method not in ("GET", "HEAD") or request.path_info.startswith(
            conf.untouched_prefixes
        ):
            return self.get_response(request)
        # The version is read before any of the page's data, and the whole page,
        # its fragments included, is keyed on it: a change committed while the
        # page renders can only make the stored copy newer than its version.
        with pinned_content_state() as state:
            response = self.get_response(request)
        if key is not None and self.cacheable(request, response):
            self.store(key, state, response)
        return response

    def cacheable(self, request, response):
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        control = response.get("Cache-Control", "")
        if any(word in control for word in ("private", "no-cache", "no-store")):
            return False
        user = getattr(request, "user", None)
        return not (user and user.is_authenticated)

    def store(self, key, state, response):
        seconds = lifetime(state)
        if seconds <= 0:
            return
        etag = f'"{hashlib.blake2b(response.content, digest_size=16).hexdigest()}"'
        response["ETag"] = etag
        response["Last-Modified"] = formatdate(usegmt=True)
        response["Cache-Control"] = cache_control(seconds)
        headers = tuple(
            (name, value)
            for name, value in response.items()
            if name not in ("Cache-Control", "Content-Length")
        )
        store.set(
            key,
            CachedPage(
                version=state.version,
                expires_at=time.time() + seconds,
                headers=(*headers, ("Content-Length", str(len(response.content)))),
                body=response.content,
                etag=etag,
            ),
        )

    def from_cache(self, request, page):
        if not_modified(request.META, page):
            response = HttpResponse(status=304)
        else:
            response = HttpResponse(page.body)
        for name, value in page.headers:
            if name != "Content-Length":
                response[name] = value
        response["Cache-Control"] = cache_control(remaining(page))
        return response
