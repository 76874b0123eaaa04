"""Share links to an article's preview, for people without an account.

A link is signed (so it cannot be forged or pointed at another article),
expires, and names the article's revision: any later save revokes it.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "articles.preview.share"


class LinkGone(Exception):
    """A genuine link that no longer shows the article; the message says why."""


def link_max_age() -> timedelta:
    return timedelta(days=getattr(settings, "NEWSROOM_PREVIEW_LINK_DAYS", 7))


def share_token(article) -> str:
    return signing.dumps({"a": article.pk, "r": article.revision}, salt=SALT, compress=True)


def share_url(article) -> str:
    return reverse("reader:shared_preview", kwargs={"token": share_token(article)})


def read_share_token(token) -> tuple[int | None, int | None]:
    """The article id and revision a token names.

    Raises signing.BadSignature for a forged or mangled token, LinkGone for an
    expired one."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=link_max_age())
    except signing.SignatureExpired:
        raise LinkGone("This preview link has expired. Ask for a new one.") from None
    return payload.get("a"), payload.get("r")


def check_revision(article, revision) -> None:
    if article.revision != revision:
        raise LinkGone("The article has changed since this link was made. Ask for a new one.")
