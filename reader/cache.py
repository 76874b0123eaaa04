"""The site-wide content version, and caching keyed on it.

`content_version()` names the current state of everything readers see. It
changes (`bump_content_version()`) after every committed change to an article,
byline, author, section, image credit or redirect: the domain's content-change
event (articles.events) calls it, once per transaction. Anything cached
under a key that contains the version is therefore
never stale; old entries are simply never read again and expire.

The version lives in the database (`ContentVersion`), so a change made by one
gunicorn worker or host retires every other process's cached pages too, with
any cache backend. Each process remembers it for at most
`CONTENT_VERSION_CHECK_SECONDS` (one query a second at most), and forgets it at
once when it bumps the version itself.

Scheduled articles become visible without any write: the row also holds the
time the next one goes live, and the first reader past that time bumps the
version. Changes made without model signals (`QuerySet.update()`,
`bulk_create()`, raw SQL) report themselves with `articles.events.changed()`.
"""

import math
import time
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Min, Subquery
from django.utils import timezone

from articles.models import Article

from .models import ContentVersion

# Upper bound for values cached under a version: old versions are never read
# again, so this only bounds how long they occupy the cache.
DEFAULT_TIMEOUT = 60 * 60 * 6


@dataclass(frozen=True)
class ContentState:
    version: int
    # When the next scheduled article goes live (None: nothing scheduled).
    next_publish_at: datetime | None
    checked_at: float


_state: ContentState | None = None
# Set for the length of a request: see pinned_content_state().
_pinned: ContextVar[ContentState | None] = ContextVar("pinned_content_state", default=None)


def _next_publish_at():
    return Article.objects.scheduled().aggregate(next=Min("published_at"))["next"]


def _upcoming():
    return Subquery(Article.objects.scheduled().order_by("published_at").values("published_at")[:1])


def _read() -> ContentState:
    row = ContentVersion.objects.filter(pk=1).values_list("version", "next_publish_at").first()
    if row is None:
        created, _ = ContentVersion.objects.get_or_create(
            pk=1, defaults={"next_publish_at": _next_publish_at()}
        )
        row = (created.version, created.next_publish_at)
    return ContentState(*row, checked_at=time.monotonic())


def content_state() -> ContentState:
    """The current version, read from the database at most once a check interval."""
    global _state
    if pinned := _pinned.get():
        return pinned
    state = _state
    fresh = state and time.monotonic() - state.checked_at < settings.CONTENT_VERSION_CHECK_SECONDS
    if not fresh:
        state = _read()
    if state.next_publish_at and state.next_publish_at <= timezone.now():
        # A scheduled article has just gone live: everything cached before is stale.
        bump_content_version(seen=state.version)
        return _state
    _state = state
    return state


@contextmanager
def pinned_content_state():
    """Within the block, the version stays what it was on entry.

    A page reads the version before its data: whatever it caches under that
    version is then at least as new as the version says. Read after the data,
    a change committed in between would store old content under the new one.
    """
    state = content_state()
    token = _pinned.set(state)
    try:
        yield state
    finally:
        _pinned.reset(token)


def content_version() -> str:
    """The current content version: an opaque token, new after every change."""
    return str(content_state().version)


def bump_content_version(seen: int | None = None) -> None:
    """Mark everything cached under the previous version as stale.

    With `seen`, bump only if nobody else has since: several processes notice
    a scheduled article going live at the same moment, one bump is enough.
    """
    global _state
    now = timezone.now()
    rows = ContentVersion.objects.filter(pk=1)
    if seen is not None:
        rows = rows.filter(version=seen)
    rows.update(version=F("version") + 1, next_publish_at=_upcoming(), changed_at=now)
    # Read it back at once (creating the row if there was none): this process
    # sees its own change immediately, and pages rendered next pay no query.
    _state = _read()


def content_changed(sender=None, **kwargs) -> None:
    """Receiver of articles.events.content_changed (connected in apps.py): the
    change has committed, so everything cached before it is stale."""
    bump_content_version()


def forget_content_state() -> None:
    """Drop this process's memory of the version (tests, after raw SQL)."""
    global _state
    _state = None


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
