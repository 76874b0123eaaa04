"""Content-change events: how the apps around the domain learn what changed.

`content_changed` is sent once a transaction that changed what readers see
has committed: once per transaction, however many rows it saved, with the
keys of what changed ("article:12", "section:3", "author:7", ...). The page
cache and the front-end purgers (reader) listen to it; the domain never calls
them. Model signals report saves (articles.signals); code that writes with
`bulk_create()`, `update()` or raw SQL (an import batch) calls `changed()`
itself, inside its transaction.
"""

import logging
import threading

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent on commit with `keys`: a frozenset of what changed.
content_changed = Signal()


def article_key(pk) -> str:
    return f"article:{pk}"


def section_key(pk) -> str:
    """The section itself: its name, address, description."""
    return f"section:{pk}"


def section_articles_key(pk) -> str:
    """What the section lists: one of its published articles came, went or changed."""
    return f"in-section:{pk}"


def author_key(pk) -> str:
    """The author: name, address, bio, photo."""
    return f"author:{pk}"


def author_articles_key(pk) -> str:
    """What the author's page lists: one of their published articles came, went or changed."""
    return f"by-author:{pk}"


def credit_key(pk) -> str:
    return f"credit:{pk}"


# The stream of published articles, newest first (what the home page, the
# site's feeds and the sitemaps list): a published article came, went or changed.
LATEST = "latest"
# The published features (the "Recent features" sidebar).
FEATURES = "features"
# The sitemaps: every published article's address and time of last change.
SITEMAPS = "sitemaps"
# The list of sections (the navigation on every page), and of authors.
SECTIONS = "sections"
AUTHORS = "authors"
REDIRECTS = "redirects"


def article_keys(pk, *, section_ids=(), author_ids=(), visible=False, listed=True, feature=False):
    """What a change to one article touches.

    `visible`: readers could see it before the change or can after it (a
    draft's edits touch no page but the draft's own). `listed`: its place in
    listings may have changed (it came or went, moved, was re-dated or
    re-flagged); when only its text changed, the pages that show it know it
    by its own key. `feature`: it was or is a feature; `section_ids` and
    `author_ids`: its sections and authors, before and after.
    """
    keys = {article_key(pk)}
    if visible:
        keys.add(SITEMAPS)
    if visible and listed:
        keys |= {
            LATEST,
            *map(section_articles_key, section_ids),
            *map(author_articles_key, author_ids),
        }
        if feature:
            keys.add(FEATURES)
    return keys


def keys_of_articles(articles) -> set[str]:
    """What a change to every article of the queryset `articles` touches, as
    they are now: for writes that send no model signals (an import batch, a
    scheduled publication coming due)."""
    keys = set()
    rows = articles.values_list("pk", "section_id", "status", "is_feature")
    authors = {}
    for article_id, author_id in articles.model.authors.through.objects.filter(
        article__in=articles
    ).values_list("article_id", "author_id"):
        authors.setdefault(article_id, []).append(author_id)
    for pk, section_id, status, is_feature in rows:
        keys |= article_keys(
            pk,
            section_ids=[section_id],
            author_ids=authors.get(pk, ()),
            visible=status == articles.model.Status.PUBLISHED,
            feature=is_feature,
        )
    return keys


class _Pending(threading.local):
    def __init__(self):
        self.keys: set[str] = set()


_pending = _Pending()


def changed(*keys: str, using=None) -> None:
    """Report that `keys` changed: sent once the current transaction commits
    (at once outside a transaction), together with everything else it changed."""
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        _send(frozenset(keys))
        return
    # Django forgets the callbacks of a rolled-back transaction (or savepoint):
    # with none of ours left, the keys they were to send are gone with it.
    if not any(item[1] is _send_pending for item in reversed(connection.run_on_commit)):
        _pending.keys = set()
    _pending.keys.update(keys)
    # One callback a call; the first to run sends everything, the rest find nothing.
    transaction.on_commit(_send_pending, using=using, robust=True)


def _send_pending():
    if _pending.keys:
        keys, _pending.keys = frozenset(_pending.keys), set()
        _send(keys)


def _send(keys):
    for receiver, result in content_changed.send_robust(sender=None, keys=keys):
        if isinstance(result, Exception):
            logger.error("%s failed on a content change", receiver, exc_info=result)
