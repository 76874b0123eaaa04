"""JSON Lines (one article per line, schema in README.md) and WordPress REST API JSON."""

import dataclasses
import json
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.utils.dateparse import parse_date, parse_datetime

from articles.models import Article

from .base import (
    Category,
    DateOutOfRange,
    Failure,
    ImportProblem,
    ImportRecord,
    Skip,
    SourceError,
    is_blank,
    one_line,
    storable_date,
)
from .html import convert_rendered, split_credit, strip_tags, text_to_html, wpautop
from .wordpress import legacy_key, map_status, parse_wp_datetime

FIELDS = {
    "id",
    "title",
    "slug",
    "section",
    "kicker",
    "dek",
    "body",
    "authors",
    "published_at",
    "status",
    "image",
    "image_alt",
    "image_caption",
    "image_credit",
    "url",
    "redirects",
    "is_feature",
    "tags",
}
STATUSES = set(Article.Status.values)
_HAS_TAG = re.compile(r"<[a-zA-Z/!]")


# Python's json module recurses once per level of nesting.
TOO_DEEP = "nested too deeply to read (no article needs that many levels of JSON)"


class RecordError(ImportProblem):
    pass


def _text(obj, name, *, required=False, max_length=None):
    value = obj.get(name)
    if value is None or value == "":
        if required:
            raise RecordError(f'"{name}" is missing')
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool) and name in ("id", "slug"):
        value = str(value)
    if not isinstance(value, str):
        raise RecordError(f'"{name}" must be a string, not {type(value).__name__}')
    if max_length and len(value) > max_length:
        raise RecordError(f'"{name}" is longer than {max_length} characters')
    if required and is_blank(value):
        raise RecordError(f'"{name}" is blank')
    return value


def _list(obj, name):
    value = obj.get(name) or []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise RecordError(f'"{name}" must be a list')
    return value


def _datetime(value, tz) -> datetime | None:
    if not value:
        return None
    if not isinstance(value, str):
        raise RecordError('"published_at" must be an ISO 8601 string')
    try:
        parsed = parse_datetime(value) or (
            datetime.combine(parse_date(value), datetime.min.time()) if parse_date(value) else None
        )
    except ValueError:
        parsed = None
    if parsed is None:
        raise RecordError(
            f'"published_at" is not a date: {value!r} (use e.g. 2019-06-12T08:30:00Z)'
        )
    try:
        return storable_date(parsed if parsed.tzinfo else parsed.replace(tzinfo=tz))
    except DateOutOfRange as exc:
        raise RecordError(f'"published_at": {exc}') from None


def record_from_object(obj, *, source, location, tz) -> ImportRecord:
    """One object of our JSON Lines schema as a record; raises RecordError."""
    if not isinstance(obj, dict):
        raise RecordError(f"expected a JSON object, found {type(obj).__name__}")
    legacy_id = _text(obj, "id", required=True, max_length=240)
    status = _text(obj, "status")
    if status and status not in STATUSES:
        raise RecordError(f'"status" must be one of {", ".join(sorted(STATUSES))}, not {status!r}')
    authors = []
    for author in _list(obj, "authors"):
        name = author.get("name") if isinstance(author, dict) else author
        if not isinstance(name, str):
            raise RecordError('"authors" must be a list of names')
        if one_line(name):
            authors.append(one_line(name))
    body = _text(obj, "body")
    if body and not _HAS_TAG.search(body):
        body = text_to_html(p.replace("\n", " ") for p in re.split(r"\n\s*\n", body.strip()))
    is_feature = obj.get("is_feature", False)
    if not isinstance(is_feature, bool):
        raise RecordError('"is_feature" must be true or false')
    section = one_line(_text(obj, "section", max_length=100))
    unknown = sorted(set(obj) - FIELDS)
    return ImportRecord(
        legacy_key=f"jsonl:{legacy_id}",
        title=one_line(_text(obj, "title", required=True, max_length=300)),
        source=source,
        location=location,
        categories=[Category(section)] if section else [],
        slug=_text(obj, "slug"),
        kicker=one_line(_text(obj, "kicker", max_length=100)),
        dek=_text(obj, "dek").strip(),
        body=body,
        authors=authors,
        status=status or None,
        published_at=_datetime(obj.get("published_at"), tz),
        image=_text(obj, "image"),
        image_alt=one_line(_text(obj, "image_alt", max_length=300)),
        image_caption=one_line(_text(obj, "image_caption", max_length=500)),
        image_credit=one_line(_text(obj, "image_credit", max_length=200)),
        legacy_url=_text(obj, "url", max_length=500),
        old_paths=[p for p in _list(obj, "redirects") if isinstance(p, str)],
        is_feature=is_feature,
        tags=[t for t in _list(obj, "tags") if isinstance(t, str)],
        warnings=[f"unknown fields ignored: {', '.join(unknown)}"] if unknown else [],
    )


def _rendered(value):
    if isinstance(value, dict):
        value = value.get("rendered", "")
    return value if isinstance(value, str) else ""


def is_rest_post(obj) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("title"), dict) and "content" in obj


def record_from_rest(obj, *, source, location, tz):
    """A post object of the WordPress REST API (v2, ideally with `_embed`)."""
    if obj.get("type", "post") != "post":
        return Skip(source, location, f"WordPress {obj.get('type')}: only posts are imported")
    key = legacy_key(_rest_site(obj), str(obj.get("id", "")), _rendered(obj.get("guid")))
    title = strip_tags(_rendered(obj.get("title")))
    if not key:
        raise RecordError("the post has no id")
    protected = bool((obj.get("content") or {}).get("protected"))
    status, keep_date, warnings = map_status(obj.get("status", ""), password=protected)
    if status is None:
        return Skip(source, location, warnings[0], key, title)
    embedded = obj.get("_embedded") or {}
    terms = [t for group in embedded.get("wp:term") or [] for t in group or []]
    terms = [t for t in terms if isinstance(t, dict) and _is_text(t.get("name"))]
    authors = [t["name"] for t in terms if t.get("taxonomy") == "author" and t["name"]]
    if not authors:
        authors = [
            a["name"]
            for a in embedded.get("author") or []
            if isinstance(a, dict) and _is_text(a.get("name")) and a["name"]
        ]
    if not authors and obj.get("author"):
        warnings.append(f"author {obj['author']} is not embedded: no byline (export with _embed)")
    if is_blank(title):  # as the WXR reader does
        title = f"Untitled (WordPress post {obj.get('id') or '?'})"
        warnings.append("the post has no title: a placeholder was used")
    categories = [
        Category(strip_tags(t["name"]), t["slug"] if _is_text(t.get("slug")) else "")
        for t in terms
        if t.get("taxonomy") == "category" and t["name"]
    ]
    record = ImportRecord(
        legacy_key=key,
        title=title,
        source=source,
        location=location,
        categories=categories,
        slug=_rest_text(obj, "slug"),
        dek=strip_tags(_rendered(obj.get("excerpt"))),
        body=convert_rendered(_rendered(obj.get("content"))),
        authors=list(dict.fromkeys(one_line(a) for a in authors)),
        status=status,
        published_at=(
            parse_wp_datetime(_rest_text(obj, "date_gmt"), UTC)
            or parse_wp_datetime(_rest_text(obj, "date"), tz)
        )
        if keep_date
        else None,
        legacy_url=_rest_text(obj, "link"),
        tags=[strip_tags(t["name"]) for t in terms if t.get("taxonomy") == "post_tag"],
        warnings=warnings,
    )
    media = (embedded.get("wp:featuredmedia") or [None])[0]
    if isinstance(media, dict) and _rest_text(media, "source_url"):
        caption, credit = split_credit(strip_tags(_rendered(media.get("caption"))))
        record.image = media["source_url"]
        record.image_alt = one_line(_rest_text(media, "alt_text"))
        record.image_caption, record.image_credit = caption, credit
    elif _rest_text(obj, "jetpack_featured_media_url"):
        record.image = obj["jetpack_featured_media_url"]
    if record.body and "<p" not in record.body:
        record.body = wpautop(record.body)
    return record


def _is_text(value):
    return isinstance(value, str)


def _rest_text(obj, name):
    """A text field of a REST object: "" when absent or null, refused when not text."""
    value = obj.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordError(f'"{name}" must be text, not {type(value).__name__}')
    return value


def _rest_site(obj):
    """The site a REST post comes from, as WXR exports name it (wp:base_site_url).

    From the post's API address: `https://example.org/blog/wp-json/wp/v2/posts/7`
    or, on sites without pretty permalinks, `…/blog/?rest_route=/wp/v2/posts/7`.
    Failing both, from the post's own address, by its scheme and host only.
    """
    links = obj.get("_links")
    selves = links.get("self") if isinstance(links, dict) else None
    first = selves[0] if isinstance(selves, list) and selves else None
    href = first.get("href") if isinstance(first, dict) else None
    href = href if isinstance(href, str) else ""
    for marker in ("/wp-json/", "?rest_route="):
        if marker in href:
            return href.split(marker)[0].rstrip("/")
    link = urlsplit(_rest_text(obj, "link"))
    return f"{link.scheme}://{link.netloc}" if link.netloc else ""


def _record(obj, *, source, location, tz):
    if is_rest_post(obj):
        return record_from_rest(obj, source=source, location=location, tz=tz)
    return record_from_object(obj, source=source, location=location, tz=tz)


# What the schema calls the record's fields, where the names differ.
_SCHEMA_NAMES = {
    "legacy_key": "id",
    "categories": "section",
    "legacy_url": "url",
    "old_paths": "redirects",
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _problem(text):
    """Why a text cannot be stored, or None. JSON can escape a NUL or half of a
    surrogate pair, and no database text column holds either."""
    if "\x00" in text:
        return "contains a NUL character (\\u0000)"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            half = f"\\u{ord(text[exc.start]):04x}"
            return f"contains half of a surrogate pair ({half}), which is not a character"
    return None


def _check_storable(record):
    """Refuse a record with a field no database could store (fields the
    import ignores, such as a REST post's plugin metadata, do not count)."""
    for field in dataclasses.fields(record):
        value = getattr(record, field.name)
        for item in value if isinstance(value, list) else [value]:
            texts = (item.name, item.slug) if isinstance(item, Category) else (item,)
            for text in texts:
                if isinstance(text, str) and (problem := _problem(text)):
                    raise RecordError(f'"{_SCHEMA_NAMES.get(field.name, field.name)}" {problem}')


def _shown(text):
    """Text safe to print in a report or on a terminal, whatever it holds."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _safe(obj, *, source, location, tz):
    try:
        record = _record(obj, source=source, location=location, tz=tz)
        if isinstance(record, ImportRecord):
            _check_storable(record)
        return record
    except ImportProblem as exc:  # RecordError, or a REST date out of range
        reason = str(exc)
    except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
        # A field of a shape nobody documented (REST exports vary by plugin):
        # this record fails, the rest imports.
        reason = f"a field is not of the expected shape ({type(exc).__name__}: {exc})"
    except RecursionError:
        reason = TOO_DEEP
    key = f"jsonl:{obj.get('id')}" if isinstance(obj, dict) and obj.get("id") else ""
    title = obj.get("title") if isinstance(obj, dict) else ""
    return Failure(
        source, location, reason, _shown(key), _shown(title) if isinstance(title, str) else ""
    )


def read_jsonl(path, *, source, tz, cursor):
    """Yield a record or a Failure per line; blank lines are ignored."""
    with open(path, "rb") as fh:
        head = fh.read(4)
        if not head.strip():
            raise SourceError("the file is empty")
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise SourceError("the file is UTF-16, not UTF-8; convert it to UTF-8")
        fh.seek(0)
        if path.suffix.lower() == ".json":
            yield from _read_json_document(fh, source=source, tz=tz)
            cursor.offset = fh.tell()
            return
        for number, raw in enumerate(fh, start=1):
            cursor.offset += len(raw)
            location = f"line {number}"
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw.decode("utf-8").strip())
            except UnicodeDecodeError as exc:
                yield Failure(source, location, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})")
                continue
            except json.JSONDecodeError as exc:
                yield Failure(source, location, f"not valid JSON: {exc.msg} at column {exc.colno}")
                continue
            except RecursionError:
                yield Failure(source, location, TOO_DEEP)
                continue
            yield _safe(obj, source=source, location=location, tz=tz)


def _read_json_document(fh, *, source, tz):
    """A whole `.json` file: one object, or an array of them (a REST API page)."""
    try:
        data = json.loads(fh.read().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise SourceError(f"not valid UTF-8 (byte offset {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except RecursionError:
        raise SourceError(TOO_DEEP) from None
    items = data if isinstance(data, list) else [data]
    for index, obj in enumerate(items, start=1):
        location = f"item {index}" if isinstance(data, list) else "item 1"
        yield _safe(obj, source=source, location=location, tz=tz)
