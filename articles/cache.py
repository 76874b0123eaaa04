"""The site-wide content version, and caching keyed on it.

`content_version()` names the current state of everything readers see. It
changes (`bump_content_version()`) after every committed change to an article,
byline, author, section, image credit or redirect: `articles.signals` calls it
on commit. Anything cached under a key that contains the version is therefore
never stale; old entries are simply never read again and expire.

Reading the version costs one cache lookup and no SQL. Changes made without
model signals (`QuerySet.update()`, `bulk_create()`, raw SQL) must call
`bump_content_version()` themselves once their transaction commits.

Scheduled articles become visible without any write: a value that depends on
publication times must also expire when the next scheduled article goes live
(`cached()` takes a `valid_until` for that).

The version lives in the default cache, so invalidation reaches every worker
only with a shared backend (Redis in production); a per-process cache
(locmem, the development default) is invalidated in the process that saved.
"""

import math
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.utils import timezone

VERSION_KEY = "content-version"
# Upper bound for values cached under a version: old versions are never read
# again, so this only bounds how long they occupy the cache.
DEFAULT_TIMEOUT = 60 * 60 * 6


def _new_version() -> str:
    return uuid.uuid4().hex[:12]


def content_version() -> str:
    """The current content version: an opaque token, new after every change."""
    version = cache.get(VERSION_KEY)
    if version is None:
        # First use, or evicted: any fresh token will do, since nothing can
        # have been cached under it yet. add() keeps a racing worker's token.
        cache.add(VERSION_KEY, _new_version(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def bump_content_version() -> None:
    """Mark everything cached under the previous version as stale."""
    cache.set(VERSION_KEY, _new_version(), timeout=None)


def cached(name: str, compute: Callable[[], tuple[Any, datetime | None]]) -> Any:
    """The value cached as `name` for the current content version.

    `compute()` returns `(value, valid_until)`: the value is recomputed after
    `valid_until` (e.g. when the next scheduled article goes live) even if the
    version has not changed; None means "until the content changes".
    `compute()` runs only on a miss. The value must pickle: keep it to plain
    data, not model instances.
    """
    key = f"{name}:{content_version()}"
    now = timezone.now()
    hit = cache.get(key)
    # The expiry travels with the value and is checked against the same clock
    # that decides publication, so the value is never served past its time.
    if hit is not None and hit[1] > now:
        return hit[0]
    value, valid_until = compute()
    expires_at = now + timedelta(seconds=DEFAULT_TIMEOUT)
    if valid_until is not None:
        expires_at = min(expires_at, valid_until)
    timeout = math.ceil((expires_at - now).total_seconds())
    if timeout > 0:
        cache.set(key, (value, expires_at), timeout)
    return value
