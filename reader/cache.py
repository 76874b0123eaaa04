"""What a change retires: content changes, and the caching built on them.

Every committed change to what readers see (`articles.events`) is recorded as
a `ContentChange` row naming the keys it touches ("article:12", "section:3",
"latest", …). Everything cached for readers (whole pages, fragments, the
values `cached()` keeps) records the keys it was built from, collected while
it was built (`depends_on()`), and the change it was built after; it stays
good until a later change touches one of its keys. A change to one article
retires its page and the listings and feeds that show it, nothing else.

Each process learns of other processes' changes by reading the rows added
since it last looked, at most once every `CONTENT_VERSION_CHECK_SECONDS`, and
of its own at once. Nothing cached lives longer than `MAX_AGE`, and rows are
kept for longer than that, so a process that starts afresh reads the last
`MAX_AGE` of changes and can judge anything it finds in the shared cache.

Scheduled articles go live without any write: the `ContentVersion` row holds
when the next one does, and the first process past that time records the
change their publication makes.

If the database cannot be read, the state last read stays in force, marked
`stale`, and is read again at the next check: the page cache serves what it
has meanwhile (reader.pagecache).
"""

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Max, Min, Q
from django.utils import timezone

from articles import events
from articles.models import Article

from . import purgers
from .models import ContentChange, ContentVersion
from .shared import shared

logger = logging.getLogger(__name__)

# Every cached thing depends on it: a change to it retires everything.
ALL = "all"
# The longest anything is cached for readers.
MAX_AGE = timedelta(hours=1)
# Changes are kept this long (they are pruned as new ones are recorded).
HISTORY = 3 * MAX_AGE
# Changes read again at each check: a change whose row was committed after
# a newer one's (two processes recording at once) is still seen.
SETTLE = timedelta(seconds=10)
# A change this old is known to everything still cached (see _Known).
FORGET_AFTER = (MAX_AGE + timedelta(minutes=2)).total_seconds()


@dataclass(frozen=True)
class ContentState:
    # The newest change this process knows of: what is built now is built after it.
    version: int
    # When the next scheduled article goes live (None: nothing scheduled).
    next_publish_at: datetime | None
    checked_at: float
    # The database could not be read: this is what was known before.
    stale: bool = False


class _Known:
    """The newest change to touch each key, of those this process has read.

    Without pruning it would grow with every article ever changed. A key
    whose newest change is older than anything cached can be forgotten:
    everything built since knew of that change. `checkpoints` (the newest
    change known, once a minute) tell which changes are that old.
    """

    def __init__(self):
        self.versions: dict[str, int] = {}
        self.checkpoints: deque[tuple[float, int]] = deque()  # (time.monotonic(), change)
        self.lock = threading.Lock()

    def learn(self, rows: Iterable[tuple[int, str]]):
        with self.lock:
            for pk, keys in rows:
                for key in keys.split():
                    if self.versions.get(key, 0) < pk:
                        self.versions[key] = pk

    def checkpoint(self, newest: int, now: float | None = None):
        """This process knows every change up to `newest`; forget what is too old."""
        now = time.monotonic() if now is None else now
        with self.lock:
            if not self.checkpoints or now - self.checkpoints[-1][0] >= 60:
                self.checkpoints.append((now, newest))
            floor = None
            while self.checkpoints and now - self.checkpoints[0][0] > FORGET_AFTER:
                floor = self.checkpoints.popleft()[1]
            if floor is not None:
                self.versions = {k: v for k, v in self.versions.items() if v > floor}

    def clear(self):
        with self.lock:
            self.versions.clear()
            self.checkpoints.clear()


_known = _Known()
_state: ContentState | None = None
# Set for the length of a request: see pinned_content_state().
_pinned: ContextVar[ContentState | None] = ContextVar("pinned_content_state", default=None)


class Collected(set):
    """The keys of what is being built (see collecting()), and the time.time()
    by which it must be built again whatever changes (None: no such time)."""

    until: float | None = None

    def expire_by(self, until: float | None):
        if until is not None and (self.until is None or until < self.until):
            self.until = until


_collected: ContextVar[Collected | None] = ContextVar("collected_keys", default=None)


def is_fresh(built_after: int, keys: Iterable[str]) -> bool:
    """Whether something built after change `built_after` from `keys` is still good."""
    versions = _known.versions
    return all(versions.get(key, 0) <= built_after for key in keys)


def depends_on(*keys: str) -> None:
    """Declare that what is being built (see collecting()) shows these keys."""
    collected = _collected.get()
    if collected is not None:
        collected.update(keys)


def expire_by(until: float | None) -> None:
    """Declare that what is being built must be built again by `until` (time.time())."""
    collected = _collected.get()
    if collected is not None:
        collected.expire_by(until)


@contextmanager
def collecting(inherit=False):
    """Collect the keys declared in the block (and add them to any outer block).

    With `inherit`, what is built in the block also counts as depending on
    what the outer block declared so far: a fragment of a page shows the data
    its view loaded."""
    outer = _collected.get()
    keys = Collected({ALL, *(outer if inherit and outer else ())})
    token = _collected.set(keys)
    try:
        yield keys
    finally:
        _collected.reset(token)
        if outer is not None:
            outer.update(keys)
            outer.expire_by(keys.until)


# -- the state -------------------------------------------------------------------


def _next_publish_at():
    return Article.objects.scheduled().aggregate(next=Min("published_at"))["next"]


def _read(state: ContentState | None) -> ContentState:
    now = timezone.now()
    row = ContentVersion.objects.filter(pk=1).values_list("version", "next_publish_at").first()
    if row is None:
        latest = ContentChange.objects.aggregate(latest=Max("pk"))["latest"] or 0
        created, _ = ContentVersion.objects.get_or_create(
            pk=1, defaults={"version": latest, "next_publish_at": _next_publish_at()}
        )
        row = (created.version, created.next_publish_at)
    if state is None or state.version == 0:
        changes = ContentChange.objects.filter(changed_at__gte=now - MAX_AGE)
    else:
        changes = ContentChange.objects.filter(
            Q(pk__gt=state.version) | Q(changed_at__gte=now - SETTLE)
        )
    rows = list(changes.values_list("pk", "keys"))
    _known.learn(rows)
    version = max([row[0], *(pk for pk, _ in rows), state.version if state else 0])
    _known.checkpoint(version)
    return ContentState(version, row[1], checked_at=time.monotonic())


def content_state() -> ContentState:
    """What this process knows of the changes, read again at most once a check interval."""
    global _state
    if pinned := _pinned.get():
        return pinned
    state = _state
    if state and time.monotonic() - state.checked_at < settings.CONTENT_VERSION_CHECK_SECONDS:
        fresh = state
    else:
        try:
            fresh = _read(state)
        except DatabaseError as exc:
            if not (state and state.stale):
                logger.warning("Cannot read the content changes (%s); serving what is cached.", exc)
            fresh = replace(state or ContentState(0, None, 0.0), checked_at=time.monotonic())
            _state = replace(fresh, stale=True)
            return _state
        if state and state.stale:
            logger.warning("The content changes can be read again.")
    if fresh.next_publish_at and fresh.next_publish_at <= timezone.now():
        fresh = _publication_came_due(fresh)
    _state = fresh
    return fresh


def _publication_came_due(state: ContentState) -> ContentState:
    """A scheduled article's time has come: record what its going live changes
    (once, whichever process gets here first), and read the state again."""
    claimed = ContentVersion.objects.filter(pk=1, next_publish_at=state.next_publish_at).update(
        next_publish_at=_next_publish_at()
    )
    if claimed:
        due = Article.objects.filter(
            status=Article.Status.PUBLISHED,
            published_at__gte=state.next_publish_at,
            published_at__lte=timezone.now(),
        )
        record_change(events.keys_of_articles(due) or {events.LATEST})
    return _read(state)


@contextmanager
def pinned_content_state():
    """Within the block, the state stays what it was on entry.

    A page reads the state before its data: what it caches as built after
    that change is then at least as new as it says. Read after the data, a
    change committed in between would be taken for one the page includes.
    """
    state = content_state()
    token = _pinned.set(state)
    try:
        yield state
    finally:
        _pinned.reset(token)


def content_version() -> str:
    """The newest change this process knows of, as an opaque token."""
    return str(content_state().version)


# -- recording changes -------------------------------------------------------------


def record_change(keys: Iterable[str]) -> int:
    """Record a committed change touching `keys`; this process sees it at once."""
    global _state
    keys = " ".join(sorted(set(keys)))
    now = timezone.now()
    change = ContentChange.objects.create(keys=keys, changed_at=now)
    next_publish_at = _next_publish_at()
    row = ContentVersion.objects.filter(pk=1)
    if not row.filter(version__lt=change.pk).update(
        version=change.pk, next_publish_at=next_publish_at, changed_at=now
    ):
        # A newer change was recorded meanwhile (or there is no row yet).
        if not row.update(next_publish_at=next_publish_at):
            ContentVersion.objects.get_or_create(
                pk=1, defaults={"version": change.pk, "next_publish_at": next_publish_at}
            )
    _known.learn([(change.pk, keys)])
    state = _state or ContentState(0, None, 0.0)
    _state = replace(state, version=max(state.version, change.pk), next_publish_at=next_publish_at)
    if change.pk % 500 == 0:
        ContentChange.objects.filter(changed_at__lt=now - HISTORY).delete()
    purgers.purge(keys.split())
    return change.pk


def content_changed(sender=None, keys=frozenset(), **kwargs) -> None:
    """Receiver of articles.events.content_changed (connected in apps.py)."""
    if keys:
        record_change(keys)


def bump_content_version() -> None:
    """Retire everything cached for readers (after raw SQL, or by hand)."""
    record_change({ALL})


def forget_content_state() -> None:
    """Drop this process's memory of the changes (tests, after raw SQL)."""
    global _state
    _state = None
    _known.clear()


# -- values kept in the shared cache -----------------------------------------------


def cached(
    name: str,
    compute: Callable[[], tuple[Any, datetime | None]],
    keys: Iterable[str] = (),
    lag: timedelta | None = None,
) -> Any:
    """The value cached as `name`, while no change has touched what it was built from.

    `compute()` returns `(value, valid_until)`: the value is recomputed after
    `valid_until` (e.g. when the next scheduled article goes live) even if
    nothing changed; None means "until the content changes". The keys it
    depends on are `keys` and those declared while it computes. `compute()`
    runs only on a miss. The value must pickle: keep it to plain data.

    With `lag`, a value is kept for that long after it was built even if a
    change touches it (for what is costly to build and may be a little late,
    such as sitemaps), and what it is part of is built again by then.
    """
    state = content_state()
    now = timezone.now()
    hit = shared.get(f"value:{name}")
    # The expiry travels with the value and is checked against the same clock
    # that decides publication, so the value is never served past its time.
    if hit is not None:
        value, built_after, hit_keys, expires_at, built_at, until = hit
        if expires_at > now:
            if is_fresh(built_after, hit_keys):
                _declare(hit_keys, until)
                return value
            if lag is not None and now - built_at < lag:
                _declare(hit_keys, until, (built_at + lag).timestamp())
                return value
    with collecting() as found:
        depends_on(*keys)
        value, valid_until = compute()
    expires_at = now + MAX_AGE
    if valid_until is not None:
        expires_at = min(expires_at, valid_until)
    timeout = math.ceil((expires_at - now).total_seconds())
    if timeout > 0:
        stored = (value, state.version, frozenset(found), expires_at, now, found.until)
        shared.set(f"value:{name}", stored, timeout)
    return value


def _declare(keys, *untils):
    collected = _collected.get()
    if collected is not None:
        collected.update(keys)
        for until in untils:
            collected.expire_by(until)
