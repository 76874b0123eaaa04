"""Whole-page cache for anonymous readers.

A reader page is stored once rendered, with the keys of what it shows
(collected while it rendered, see reader.cache) and the change it was built
after: a later change touching one of those keys retires it, and so does
its lifetime ending (at most PAGE_CACHE_SECONDS, and never past the next
scheduled publication). Requests that carry a session cookie (staff),
previews, the admin, search and any query string other than `?page=N` always
reach Django.

Two layers: entries live in Django's cache (shared through Redis in
production) and the newest ones also in this process's memory, so a hit costs
no network round trip. `PageCacheWSGI` serves hits before Django even builds a
request, which is what lets a cached page approach the speed of a static
file; `PageCacheMiddleware` stores pages and also serves hits when the WSGI
layer is not in front (runserver, the test client).

When a page is retired, one request (per page, across processes: a claim in
the shared cache) renders it again while the others are served the previous
copy, for at most PAGE_CACHE_REBUILD_SECONDS. When the database cannot be
read, pages are served from the cache for up to PAGE_CACHE_STALE_IF_ERROR
seconds past their lifetime, marked with `X-Newsroom-Cache: stale-if-error`.
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
from django.core.signals import setting_changed
from django.http import HttpResponse

from .cache import collecting, content_state, is_fresh, pinned_content_state
from .shared import shared

logger = logging.getLogger(__name__)

ALWAYS_DYNAMIC = ("/admin/", "/preview/", "/search/")
# Marks a request the WSGI layer has already looked up, with what it found.
LOOKED_UP = "newsroom.pagecache.looked_up"
# Says what a reader got, for people and tests reading the headers.
STATUS_HEADER = "X-Newsroom-Cache"
HIT, MISS, RETIRED, STALE_IF_ERROR = "hit", "miss", "retired", "stale-if-error"


@dataclass(frozen=True)
class CachedPage:
    built_after: int  # the change the page was rendered after (reader.cache)
    keys: frozenset  # what it shows: a change touching one retires it
    expires_at: float  # time.time(): its lifetime ends
    stale_until: float  # served while the database is unreachable until then
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str


@dataclass(frozen=True)
class Lookup:
    key: str | None = None  # None: the request must not be cached
    page: CachedPage | None = None
    status: str = MISS
    claimed: bool = False  # this request renders the retired page again

    @property
    def serve(self) -> bool:
        """Answer with the cached page rather than rendering."""
        return self.page is not None and (self.status in (HIT, STALE_IF_ERROR) or not self.claimed)


NOT_CACHED = Lookup()


class _Config:
    """The settings every request reads, copied once rather than looked up
    through LazySettings each time (and copied again when a test changes them)."""

    def load(self, **kwargs):
        self.seconds = settings.PAGE_CACHE_SECONDS
        self.rebuild_seconds = settings.PAGE_CACHE_REBUILD_SECONDS
        self.stale_if_error = settings.PAGE_CACHE_STALE_IF_ERROR
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


def shared_key(key) -> str:
    """The key of a page in Django's cache: hashed, as memcached wants short keys."""
    # Distinct text, distinct bytes: WSGI paths are latin-1 text, ASGI paths
    # real Unicode, and surrogatepass keeps even lone surrogates apart.
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16)
    return f"page:{digest.hexdigest()}"


def _is_secure(environ):
    if environ.get("wsgi.url_scheme") == "https":
        return True
    header = conf.proxy_ssl_header
    return bool(header) and environ.get(header[0]) == header[1]


class PageStore:
    """Cached pages in the shared cache, fronted by a bounded in-process LRU."""

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.local: OrderedDict[str, CachedPage] = OrderedDict()
        self.local_bytes = 0
        self.lock = threading.Lock()  # runserver and threaded workers share the LRU

    def get(self, key, good=lambda page: True) -> CachedPage | None:
        """The page `key`: this process's copy if `good(copy)`, else the shared
        cache's if that is newer (another process rendered it again), else
        the copy there is, good or not, for the caller to judge."""
        now = time.time()
        page = self.local.get(key)
        if page is not None and page.stale_until > now and good(page):
            return page
        there = shared.get(shared_key(key))
        if there is not None and there.stale_until > now:
            if page is None or there.built_after > page.built_after or good(there):
                self._keep(key, there)
                return there
        return page if page is not None and page.stale_until > now else None

    def set(self, key, page: CachedPage):
        timeout = int(page.stale_until - time.time())
        if timeout > 0:
            shared.set(shared_key(key), page, timeout)
            self._keep(key, page)

    def claim(self, key) -> bool:
        """The right to render the page `key` again: one request at a time."""
        return shared.add(shared_key(key) + ":rebuild", 1, conf.rebuild_seconds)

    def release(self, key):
        shared.delete(shared_key(key) + ":rebuild")

    def clear_local(self):
        with self.lock:
            self.local.clear()
            self.local_bytes = 0

    def _keep(self, key, page):
        # Oldest stored goes first.
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
    # Browsers revalidate (cheap: ETag); shared caches in front keep the page
    # for the time we would at most: Varnish is purged on every change, a CDN
    # without purges serves a takedown late by at most s-maxage + 30 s.
    return f"public, max-age=0, s-maxage={seconds}, stale-while-revalidate=30"


# A copy we know to be old: nobody in front may keep it.
STALE_CACHE_CONTROL = "public, max-age=0, s-maxage=0"


def not_modified(environ, page):
    tags = environ.get("HTTP_IF_NONE_MATCH", "")
    return tags == "*" or page.etag in (tag.strip().removeprefix("W/") for tag in tags.split(","))


def lookup(environ, secure=None) -> Lookup:
    """What the cache has for this request, and whether to serve it; never raises."""
    if not enabled() or (key := cache_key(environ, secure)) is None:
        return NOT_CACHED
    try:
        state = content_state()
        now = time.time()

        def good(page):
            return page.expires_at > now and is_fresh(page.built_after, page.keys)

        page = store.get(key, good)
        if page is None:
            return Lookup(key)
        if state.stale:
            if now < page.stale_until:
                return Lookup(key, page, STALE_IF_ERROR)
            return Lookup(key)
        if good(page):
            return Lookup(key, page, HIT)
        return Lookup(key, page, RETIRED, claimed=store.claim(key))
    except Exception:
        logger.exception("Page cache lookup failed; rendering instead")
        return Lookup(key)


def response_headers(page, status):
    """The cached page's headers, with those that depend on how it is served."""
    if status == HIT:
        control = cache_control(max(0, int(page.expires_at - time.time())))
    else:
        control = STALE_CACHE_CONTROL
    return [*page.headers, ("Cache-Control", control), (STATUS_HEADER, status)]


class PageCacheWSGI:
    """WSGI middleware in front of Django that answers cache hits directly."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        found = lookup(environ)
        environ[LOOKED_UP] = found
        if not found.serve:
            return self.application(environ, start_response)
        page = found.page
        headers = response_headers(page, found.status)
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
        found = environ.get(LOOKED_UP)
        if found is None:
            found = lookup(environ, request.is_secure()) if enabled() else NOT_CACHED
        if found.serve:
            return self.from_cache(request, found.page, found.status)
        if request.method not in ("GET", "HEAD") or request.path_info.startswith(
            conf.untouched_prefixes
        ):
            return self.get_response(request)
        try:
            # The state is read before any of the page's data, and the whole
            # page is judged by it: a change committed while the page renders
            # can only make the stored copy newer than it says.
            with pinned_content_state() as state, collecting() as keys:
                response = self.get_response(request)
        finally:
            if found.claimed:
                store.release(found.key)
        if response.status_code == 503 and found.page is not None:
            # The database failed while rendering: the old copy beats an error page.
            return self.from_cache(request, found.page, STALE_IF_ERROR)
        if found.key is not None and self.cacheable(request, response):
            self.store(found.key, state, keys, response)
        return response

    def cacheable(self, request, response):
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        control = response.get("Cache-Control", "")
        if any(word in control for word in ("private", "no-cache", "no-store")):
            return False
        user = getattr(request, "user", None)
        return not (user and user.is_authenticated)

    def store(self, key, state, keys, response):
        seconds = lifetime(state)
        if keys.until is not None:  # built from a value that must be rebuilt by then
            seconds = min(seconds, int(keys.until - time.time()))
        if seconds <= 0 or state.stale:
            return
        etag = f'"{hashlib.blake2b(response.content, digest_size=16).hexdigest()}"'
        response["ETag"] = etag
        response["Last-Modified"] = formatdate(usegmt=True)
        response["Cache-Control"] = cache_control(seconds)
        # For HTTP caches in front that purge by key (Varnish's xkey).
        response["xkey"] = " ".join(sorted(keys))
        headers = tuple(
            (name, value)
            for name, value in response.items()
            if name not in ("Cache-Control", "Content-Length", STATUS_HEADER)
        )
        now = time.time()
        store.set(
            key,
            CachedPage(
                built_after=state.version,
                keys=frozenset(keys),
                expires_at=now + seconds,
                stale_until=now + seconds + conf.stale_if_error,
                headers=(*headers, ("Content-Length", str(len(response.content)))),
                body=response.content,
                etag=etag,
            ),
        )
        response[STATUS_HEADER] = MISS

    def from_cache(self, request, page, status):
        if not_modified(request.META, page):
            response = HttpResponse(status=304)
        else:
            response = HttpResponse(page.body)
        for name, value in response_headers(page, status):
            if name != "Content-Length":
                response[name] = value
        return response
