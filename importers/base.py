"""What the parsers produce and what an import reports, shared by every format."""

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import unquote

from django.core.exceptions import ValidationError
from django.utils.text import slugify

from articles.sanitize import check_html, sanitize_html

# Bump when the mapping of a source record to an article changes, so that
# `--update` rewrites articles imported by an older version of the importer.
MAPPING_VERSION = "1"


class ImportProblem(Exception):
    """A record (or a whole file) cannot be imported; the message is for a person."""


class BodyRefused(ImportProblem):
    """A body the admin would refuse too (too large, too deeply nested)."""


class DateOutOfRange(ImportProblem, ValueError):
    """A publication date that pages could not show: Python's dates end in year 9999."""


# A day inside either end, so that no time zone a reader sees it in overflows.
EARLIEST_DATE = datetime(1, 1, 2, tzinfo=UTC)
LATEST_DATE = datetime(9999, 12, 30, tzinfo=UTC)


def storable_date(value: datetime) -> datetime:
    """An aware `value` in UTC, or DateOutOfRange if pages could not show it: stored,
    such a date broke every page that lists it (psycopg cannot load it into Python)."""
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST_DATE <= utc <= LATEST_DATE:
        raise DateOutOfRange(
            f"the publication date {value.isoformat()} is out of range (years 1 to 9999)"
        )
    return utc


class SourceError(ImportProblem):
    """The whole file is unusable: empty, not UTF-8, broken XML, not a WordPress export."""


@dataclass(slots=True)
class Category:
    name: str
    slug: str = ""


@dataclass(slots=True)
class ImportRecord:
    """One article as read from a source, before it meets the database.

    Text fields are plain text except `body`: HTML, or the source's content
    when `convert` is set, until `finish()` converts and sanitizes it.
    `status` is an `Article.Status` value or None for "use the default".
    """

    legacy_key: str
    title: str
    source: str
    location: str
    categories: list[Category] = field(default_factory=list)
    slug: str = ""
    kicker: str = ""
    dek: str = ""
    body: str = ""
    authors: list[str] = field(default_factory=list)
    status: str | None = None
    published_at: datetime | None = None
    image: str = ""
    image_alt: str = ""
    image_caption: str = ""
    image_credit: str = ""
    legacy_url: str = ""
    old_paths: list[str] = field(default_factory=list)
    is_feature: bool = False
    tags: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # The body's conversion, when the reader left it for later: (html, warnings).
    convert: Callable[[str], tuple[str, list[str]]] | None = None
    finished: bool = False
    # What the conversion noted; apart from `warnings`, which a batch retried
    # record by record resets to what the reader said.
    body_warnings: list[str] = field(default_factory=list)

    def finish(self):
        """Convert (WXR) and sanitize the body, once. The reader does it for
        records of articles the site does not have yet, the writer for any
        other it writes or compares: a re-run skips the work for the rest."""
        if self.finished:
            return
        try:
            check_html(self.body)  # before the conversion, which parses it too
            if self.convert is not None:
                self.body, self.body_warnings = self.convert(self.body)
            self.body = sanitize_html(self.body)
        except ValidationError as exc:
            raise BodyRefused(f"body refused: {' '.join(exc.messages)}") from None
        self.finished = True

    def all_warnings(self):
        return self.warnings + self.body_warnings

    def fingerprint(self, *extra) -> str:
        """A hash of everything that ends up in the article (plus resolved defaults)."""
        data = [
            MAPPING_VERSION,
            self.title,
            [[c.name, c.slug] for c in self.categories],
            self.slug,
            self.kicker,
            self.dek,
            self.body,
            self.authors,
            self.status,
            self.published_at.isoformat() if self.published_at else None,
            self.image,
            self.image_alt,
            self.image_caption,
            self.image_credit,
            self.legacy_url,
            self.old_paths,
            self.is_feature,
            *extra,
        ]
        blob = json.dumps(data, ensure_ascii=False, default=str).encode("utf-8", "surrogatepass")
        return hashlib.sha256(blob).hexdigest()


@dataclass(slots=True)
class Skip:
    """A source item that is deliberately not imported (a page, a trashed post)."""

    source: str
    location: str
    reason: str
    legacy_key: str = ""
    title: str = ""


@dataclass(slots=True)
class Failure:
    """A source item that could not be read; the rest of the file goes on."""

    source: str
    location: str
    reason: str
    legacy_key: str = ""
    title: str = ""


@dataclass(slots=True)
class Outcome:
    """What happened to one record: one line of the report."""

    action: str  # created, updated, skipped, failed
    source: str
    location: str
    legacy_key: str = ""
    title: str = ""
    reason: str = ""
    article_id: int | None = None
    slug: str = ""
    warnings: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    def as_dict(self):
        data = {
            "action": self.action,
            "file": self.source,
            "location": self.location,
            "legacy_key": self.legacy_key,
            "title": self.title,
        }
        for name in ("reason", "article_id", "slug", "warnings", "tags"):
            value = getattr(self, name)
            if value:
                data[name] = value
        return data


# Invisible characters that make two slugs look the same: bidi overrides,
# zero-width joiners, BOMs (Unicode category Cf, "format").
def strip_invisible(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def is_blank(text: str) -> bool:
    """Nothing a reader could see: whitespace and invisible characters only."""
    return not strip_invisible(text).strip()


def clean_slug(value: str, *, max_length: int = 255) -> str:
    """A source slug as a Newsroom slug: percent-decoded, visible, Unicode-aware."""
    value = unquote(value.strip())
    value = re.sub(r"\.html?$", "", value, flags=re.IGNORECASE)
    value = strip_invisible(unicodedata.normalize("NFC", value))
    return slugify(value, allow_unicode=True)[:max_length].strip("-")


# What a line break or a run of spaces in a source is: ASCII whitespace only.
# A no-break space (or a thin one) was written on purpose and stays.
_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")


def one_line(text: str) -> str:
    """Whitespace collapsed to single spaces; for names, titles and deks."""
    return _WHITESPACE.sub(" ", text).strip(" ")
