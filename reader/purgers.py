"""Purging the HTTP caches in front of Newsroom: what a change retired goes there too.

Pages carry an `xkey` header with the keys of what they show (reader.pagecache);
on every committed change, `purge(keys)` tells each configured front-end cache
to drop the pages tagged with any of them. One small class per kind of cache,
as Wagtail's frontendcache does: `VarnishPurger` for Varnish with the xkey vmod
(deploy/varnish/newsroom.vcl); a CDN's purge API is one more subclass.

Configured by `FRONTEND_CACHES` (settings: `VARNISH_URLS` fills it):
    {"varnish": {"BACKEND": "reader.purgers.VarnishPurger", "LOCATION": "http://127.0.0.1:6081"}}
A purge that fails is logged, never raised: the page's TTL still bounds it.
"""

import http.client
import logging
import threading
from collections.abc import Collection
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class Purger:
    """One front-end cache."""

    def __init__(self, location, **options):
        self.location = location
        self.options = options

    def purge(self, keys: Collection[str]) -> None:
        raise NotImplementedError


class VarnishPurger(Purger):
    """`PURGE /` with the keys in an `xkey-purge` header (deploy/varnish/newsroom.vcl)."""

    # Varnish refuses request headers over 8 KB (http_req_hdr_len).
    MAX_HEADER = 4000

    def purge(self, keys):
        url = urlsplit(self.location)
        connection = http.client.HTTPConnection(
            url.hostname, url.port or 80, timeout=self.options.get("timeout", 2)
        )
        try:
            for header in self._headers(sorted(keys)):
                connection.request("PURGE", "/", headers={"xkey-purge": header})
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    raise OSError(f"{self.location} answered {response.status} {response.reason}")
        finally:
            connection.close()

    def _headers(self, keys):
        header = ""
        for key in keys:
            if header and len(header) + len(key) >= self.MAX_HEADER:
                yield header
                header = ""
            header = f"{header} {key}" if header else key
        if header:
            yield header


def purgers() -> list[Purger]:
    return [
        import_string(config["BACKEND"])(config["LOCATION"], **config.get("OPTIONS", {}))
        for config in getattr(settings, "FRONTEND_CACHES", {}).values()
    ]


def purge(keys: Collection[str]) -> None:
    """Purge `keys` from every front-end cache now, and once more when every
    process has read the change: until then, one that has not could hand the
    cache a copy it still takes for current."""
    caches = purgers()
    if not caches or not keys:
        return
    _purge(caches, keys)
    again = threading.Timer(settings.CONTENT_VERSION_CHECK_SECONDS + 0.5, _purge, (caches, keys))
    again.daemon = True
    again.start()


def _purge(caches, keys):
    for cache in caches:
        try:
            cache.purge(keys)
        except Exception as exc:  # a cache that cannot be reached must not fail a save
            shown = " ".join(sorted(keys)[:5]) + (
                f" and {len(keys) - 5} more" if len(keys) > 5 else ""
            )
            logger.warning("Purging %s from %s failed: %s", shown, cache.location, exc)
