"""The shared cache (Django's, Redis in production), used so that its failure
costs speed and never a page.

Every reader cache goes through `shared`. When an operation fails (Redis down,
or slower than the socket timeout set in settings), the failure is logged once,
and for the next few seconds every operation goes to this process's own memory
instead, without trying Redis. Then Redis is tried again; once it answers, it is
used again and its return is logged. Pages are then served from each process's
memory and the database: slower, never an error.
"""

import logging
import threading
import time

from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache

logger = logging.getLogger(__name__)

# How long an outage is assumed to last before the shared cache is tried again.
RETRY_SECONDS = 5.0


class SharedCache:
    def __init__(self):
        self.local = LocMemCache("newsroom-shared-fallback", {"OPTIONS": {"MAX_ENTRIES": 5000}})
        self.down_until = 0.0
        self.lock = threading.Lock()

    @property
    def available(self) -> bool:
        return time.monotonic() >= self.down_until

    def get(self, key, default=None):
        return self._run("get", key, default)

    def set(self, key, value, timeout):
        self._run("set", key, value, timeout)

    def add(self, key, value, timeout) -> bool:
        """Store `value` unless `key` is there already; True if it was stored."""
        return self._run("add", key, value, timeout)

    def delete(self, key):
        self._run("delete", key)

    def clear_local(self):
        self.local.clear()

    def _run(self, operation, *args):
        if self.available:
            try:
                result = getattr(cache, operation)(*args)
            except Exception as exc:  # whatever the backend's client raises
                self._failed(operation, exc)
            else:
                self._answered()
                return result
        return getattr(self.local, operation)(*args)

    def _failed(self, operation, exc):
        with self.lock:
            first = self.down_until == 0.0
            self.down_until = time.monotonic() + RETRY_SECONDS
        if first:
            logger.warning(
                "The shared cache failed (%s: %s); serving from this process's memory "
                "and the database until it answers again.",
                operation,
                exc,
            )

    def _answered(self):
        if self.down_until:
            with self.lock:
                was_down, self.down_until = self.down_until != 0.0, 0.0
            if was_down:
                logger.warning("The shared cache answers again; using it.")


shared = SharedCache()
