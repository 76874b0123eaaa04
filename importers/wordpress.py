"""WordPress conventions shared by the WXR and REST API readers: identity, statuses, dates."""

import hashlib
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from articles.models import Article

from .base import storable_date

PUBLISHED, DRAFT, IN_REVIEW, UNPUBLISHED = (
    Article.Status.PUBLISHED,
    Article.Status.DRAFT,
    Article.Status.IN_REVIEW,
    Article.Status.UNPUBLISHED,
)

# WordPress status -> (Newsroom status, keeps its date, warning). Nothing that was
# not public on the old site becomes public here.
STATUS_MAP = {
    "publish": (PUBLISHED, True, ""),
    "future": (PUBLISHED, True, ""),  # scheduled: published_at in the future
    "draft": (DRAFT, False, ""),
    "pending": (IN_REVIEW, False, ""),
    "private": (UNPUBLISHED, True, "private in WordPress: imported unpublished"),
}
SKIPPED_STATUSES = {
    "trash": "in the WordPress trash",
    "auto-draft": "a WordPress auto-draft (never saved by anyone)",
}
ZERO_DATE = "0000-00-00 00:00:00"


def map_status(wp_status: str, *, password: bool):
    """(status, keep_date, warnings) for a post; None status means "skip it"."""
    wp_status = (wp_status or "").strip().lower()
    if wp_status in SKIPPED_STATUSES:
        return None, False, [SKIPPED_STATUSES[wp_status]]
    if wp_status in STATUS_MAP:
        status, keep_date, warning = STATUS_MAP[wp_status]
        warnings = [warning] if warning else []
    else:
        status, keep_date = DRAFT, False
        warnings = [f"unknown WordPress status {wp_status or '(none)'!r}: imported as a draft"]
    if password and status == PUBLISHED:
        status = UNPUBLISHED
        warnings.append("password-protected in WordPress: imported unpublished")
    return status, keep_date, warnings


def site_key(url: str) -> str:
    """A site's identity in legacy keys: host and path, without scheme or trailing slash."""
    parts = urlsplit(url.strip())
    if not parts.netloc:
        return url.strip().rstrip("/").lower()
    return (parts.netloc.lower() + parts.path).rstrip("/")


def is_number(value: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts "²", which int() refuses."""
    return value.isascii() and value.isdigit()


def legacy_key(site: str, post_id: str, guid: str = "") -> str:
    """`wp:<site>:<post id>`, the same for WXR and REST exports of one site."""
    site = site_key(site) or "unknown-site"
    if post_id and is_number(post_id.strip().lstrip("-")):
        key = f"wp:{site}:{int(post_id)}"
    elif guid:
        key = f"wp:{site}:guid:{guid.strip()}"
    else:
        return ""
    if len(key) > 255:
        key = "wp:sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


def parse_wp_datetime(value: str, tz) -> datetime | None:
    """A "YYYY-MM-DD HH:MM:SS" WordPress date in `tz`, as UTC; None for empty or
    zero dates; DateOutOfRange for one pages could not show."""
    value = (value or "").strip().replace("T", " ")
    if not value or value.startswith("0000-00-00"):
        return None
    try:
        naive = datetime.strptime(value[:19], "%Y-%m-%d %H:%M:%S")
    except ValueError:
        try:
            naive = datetime.strptime(value[:10], "%Y-%m-%d")
        except ValueError:
            return None
    return storable_date(naive.replace(tzinfo=tz))


# "Wed, 30 Nov -0001 00:00:00 +0000", WordPress's pubDate of a post that never
# had a date, reads as 2000-11-30 to the email parser: only four-digit years count.
_RFC822_YEAR = re.compile(r"^(?:\w{3},\s*)?\d{1,2}\s+\w{3}\s+\d{4}\s")


def parse_rfc822(value: str) -> datetime | None:
    """pubDate, as UTC; None for a missing or zero date."""
    value = (value or "").strip()
    if not _RFC822_YEAR.match(value):
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None or parsed.tzinfo is None:
        return None
    return storable_date(parsed)


def post_date(*, gmt: str, local: str, pub_date: str, tz) -> datetime | None:
    """post_date_gmt as UTC; else post_date in the site's zone; else pubDate; never "now"."""
    return parse_wp_datetime(gmt, UTC) or parse_wp_datetime(local, tz) or parse_rfc822(pub_date)
