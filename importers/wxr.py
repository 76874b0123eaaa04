"""WordPress eXtended RSS (WXR 1.0-1.2), streamed with a hardened parser.

Two passes over each file: the first checks the whole file parses and indexes
attachments (featured images come after their posts in real exports), the
second turns posts into records. Memory holds one item at a time plus the
attachment index.

lxml parses with entity resolution and network access off, and any file
with a DTD is refused, so entity-expansion ("billion laughs") and external
entity attacks go nowhere. Real exports are sometimes not
well-formed; if strict parsing fails, the file is parsed again through
`RepairingReader`, which fixes the two defects WordPress itself produces (a raw
`&` in URLs, `]]>` inside CDATA) and drops control characters, and says so.
"""

import re
from functools import lru_cache
from urllib.parse import urljoin

from lxml import etree

from articles.addresses import url_path

from .base import (
    Category,
    Failure,
    ImportRecord,
    Skip,
    SourceError,
    is_blank,
    one_line,
)
from .html import convert_wordpress, split_credit, strip_tags
from .wordpress import is_number, legacy_key, map_status, post_date, site_key

_NS = {  # without their scheme: either is found in the wild
    "purl.org/rss/1.0/modules/content/": "content",
    "purl.org/dc/elements/1.1/": "dc",
}
_SEP = "\x1f"  # unit separator: never in XML text
CREDIT_META = ("_media_credit", "_navis_media_credit", "_image_credit", "credit", "_credit")


@lru_cache(maxsize=256)
def short_name(tag: str) -> str:
    """`{http://wordpress.org/export/1.2/}post_id` -> `wp:post_id`, whatever the WXR version."""
    if not tag.startswith("{"):
        return tag
    uri, local = tag[1:].split("}", 1)
    # Recent WordPress writes https:// namespaces, older versions http://.
    uri = uri.removeprefix("https://").removeprefix("http://")
    if uri.startswith("wordpress.org/export/"):
        prefix = "excerpt" if uri.rstrip("/").endswith("excerpt") else "wp"
    else:
        prefix = _NS.get(uri, "other")
    return f"{prefix}:{local}"


class RepairingReader:
    """A file wrapper that makes common WordPress export defects well-formed, streaming."""

    _SPECIAL = re.compile(rb"&|<!\[CDATA\[|<!--")
    _ENTITY = re.compile(rb"&(?:#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z_][\w.-]{0,31});")
    _CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
    _START_TAG = re.compile(rb"<([A-Za-z_][\w:.-]*)[^>]*>")
    _HOLD = 64

    def __init__(self, raw):
        self.raw = raw
        self.buf = b""
        self.out = bytearray()
        self.state = "text"
        self.element = b""  # the element whose CDATA section is open
        self.tail = b""
        self.eof = False
        self.fixes = {"raw &": 0, "]]> inside CDATA": 0, "control characters": 0}

    def tell(self):
        return self.raw.tell()

    def _emit(self, data):
        cleaned, count = self._CONTROL.subn(b"", data)
        self.fixes["control characters"] += count
        self.out += cleaned

    def _emit_text(self, data):
        """Text outside CDATA: also note the last start tag, the owner of a coming CDATA."""
        self._emit(data)
        seen = self.tail + data
        for tag in self._START_TAG.finditer(seen):
            self.element = tag.group(1)
        self.tail = seen[-256:]

    def _step(self):
        """Consume as much of self.buf as can be decided now; False when more input is needed."""
        buf, eof = self.buf, self.eof
        limit = len(buf) if eof else len(buf) - self._HOLD
        i = 0
        while i < limit:
            if self.state == "text":
                m = self._SPECIAL.search(buf, i)
                if not m or m.start() >= limit:
                    self._emit_text(buf[i:limit])
                    i = limit
                    break
                self._emit_text(buf[i : m.start()])
                if m.group() == b"&":
                    entity = self._ENTITY.match(buf, m.start())
                    if entity:
                        self._emit(entity.group())
                        i = entity.end()
                    else:
                        self._emit(b"&amp;")
                        self.fixes["raw &"] += 1
                        i = m.end()
                elif m.group() == b"<!--":
                    end = buf.find(b"-->", m.end())
                    if end < 0 and not eof:
                        i = m.start()
                        break
                    end = len(buf) if end < 0 else end + 3
                    self._emit(buf[m.start() : end])
                    i = end
                else:
                    self._emit(m.group())
                    self.state = "cdata"
                    i = m.end()
            else:
                end = buf.find(b"]]>", i)
                if end < 0 or end >= limit:
                    stop = limit if end < 0 else end
                    self._emit(buf[i:stop])
                    i = stop
                    break
                after = end + 3
                while after < len(buf) and buf[after] in b" \t\r\n":
                    after += 1
                closing = (b"</" + self.element + b">", b"<![CDATA[")
                if after + len(closing[0]) > len(buf) and not eof:
                    self._emit(buf[i:end])
                    i = end
                    break
                if after >= len(buf) or buf.startswith(closing, after):
                    self._emit(buf[i : end + 3])
                    self.state = "text"
                else:
                    # A literal "]]>" inside the section, as WordPress's own parser reads it.
                    self._emit(buf[i:end] + b"]]]]><![CDATA[>")
                    self.fixes["]]> inside CDATA"] += 1
                i = end + 3
        self.buf = buf[i:]

    def read(self, size=-1):
        size = 65536 if size is None or size < 0 else size
        while len(self.out) < size and not (self.eof and not self.buf):
            chunk = self.raw.read(65536)
            if not chunk:
                self.eof = True
            self.buf += chunk
            self._step()
            if self.eof:
                self._emit(self.buf)
                self.buf = b""
        data = bytes(self.out[:size])
        del self.out[:size]
        return data


# Tags (in any namespace) whose end the walk needs; lxml skips the rest in C.
_WANTED = [
    f"{{*}}{tag}"
    for tag in (
        "item",
        "wxr_version",
        "base_site_url",
        "base_blog_url",
        "link",
        "author",
        "category",
    )
]


_DTD_REFUSED = (
    "refused: the file declares a DTD or entities; WordPress exports never do, "
    "and they can be used to attack the importer"
)


def _check_document(root):
    """Refuse what no WordPress export contains: a DTD (entity bombs, external entities)."""
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise SourceError(_DTD_REFUSED)
    if short_name(root.tag) != "rss":
        raise SourceError(f"not a WordPress export: the root element is <{short_name(root.tag)}>")


def _declares_dtd(head: bytes) -> bool:
    """Whether the prolog at the start of a file (XML declaration, comments,
    processing instructions) is followed by a DOCTYPE rather than an element.

    Checked before parsing: libxml2 2.14 stops an entity bomb by itself, with
    a message about "amplification" that says nothing to the person importing
    (`_entity_bomb()` turns that message into ours when this check misses).
    """
    pos = len(head) - len(head.lstrip(b"\xef\xbb\xbf"))
    while True:
        while pos < len(head) and head[pos : pos + 1].isspace():
            pos += 1
        for start, end in ((b"<?", b"?>"), (b"<!--", b"-->")):
            if head.startswith(start, pos):
                found = head.find(end, pos + len(start))
                if found < 0:
                    return False  # a prolog this long: the parser's check decides
                pos = found + len(end)
                break
        else:
            return head.startswith(b"<!DOCTYPE", pos)


def _entity_bomb(exc) -> bool:
    """libxml2 (2.14 and later) stopped entities from expanding beyond its limit:
    a DTD the prolog check did not see (another encoding, a prolog over 64 KB)."""
    return exc.code == etree.ErrorTypes.ERR_RESOURCE_LIMIT and "amplification" in (exc.msg or "")


def _position(exc) -> str:
    line, column = getattr(exc, "position", None) or (None, None)
    return f" at line {line}, column {column}" if line else ""


class WxrFile:
    """One export file; `index()` first (for all files of a run), then `records()`."""

    def __init__(self, path, *, source, tz, attachments):
        self.path = path
        self.source = source
        self.tz = tz
        # Shared by all files of a run: {site: {post id: "url␟alt␟caption␟credit"}},
        # one string per attachment to keep 100,000 of them small.
        self.attachments = attachments
        self.repair = False
        self.repair_note = ""
        self.site = ""
        self.base_url = ""
        self.items = 0
        self.cursor_offset = 0

    # -- reading -------------------------------------------------------------

    def _events(self, cursor=None):
        """The elements the walk needs, as they end; everything else stays in C."""
        with open(self.path, "rb") as raw:
            stream = RepairingReader(raw) if self.repair else raw
            events = etree.iterparse(
                stream,
                events=("end",),
                tag=_WANTED,
                resolve_entities=False,
                no_network=True,
                load_dtd=False,
                huge_tree=False,
                remove_comments=True,
                remove_pis=True,
            )
            try:
                for _event, elem in events:
                    if cursor is not None:
                        cursor.offset = raw.tell()
                    yield elem
                if events.root is not None:
                    _check_document(events.root)
            finally:
                if self.repair and isinstance(stream, RepairingReader):
                    fixed = {k: v for k, v in stream.fixes.items() if v}
                    self.repair_note = ", ".join(f"{v} × {k}" for k, v in fixed.items())

    def _walk(self, cursor=None, wanted=None):
        """Yield (fields, categories, meta) for each item; read the channel on the way.

        With `wanted`, a test of an item's post type, the items it refuses are
        yielded as None, unread: each pass reads only half of an export's items.
        """
        self.authors, self.terms, self.version, link = {}, {}, "", ""
        site_url = blog_url = ""
        checked = False
        for elem in self._events(cursor):
            if not checked:
                _check_document(elem.getroottree().getroot())
                checked = True
            parent = elem.getparent()
            if parent is None or parent.tag != "channel" or parent.getparent() is None:
                continue  # an item's own <link> or <category>
            name = short_name(elem.tag)
            if name == "item":
                if not self.version:
                    raise SourceError(
                        "not a WordPress export: no <wp:wxr_version> before the items"
                    )
                self.site = self.site or site_key(blog_url or site_url or link)
                yield _item_fields(elem) if wanted is None or wanted(_post_type(elem)) else None
                elem.clear()
                while elem.getprevious() is not None:  # keep memory flat
                    del parent[0]
            elif name == "wp:wxr_version":
                self.version = (elem.text or "").strip()
                if not re.fullmatch(r"1\.\d+", self.version):
                    raise SourceError(
                        f"unsupported WXR version {self.version!r} (expected 1.0, 1.1 or 1.2)"
                    )
            elif name == "wp:base_site_url":
                site_url = (elem.text or "").strip()
            elif name == "wp:base_blog_url":
                blog_url = (elem.text or "").strip()
            elif name == "link":
                link = (elem.text or "").strip()
            elif name == "wp:author":
                fields = {short_name(c.tag): (c.text or "").strip() for c in elem}
                login = fields.get("wp:author_login", "")
                display = one_line(fields.get("wp:author_display_name", "")) or login
                if login:
                    self.authors[login] = display
            elif name == "wp:category":
                fields = {short_name(c.tag): (c.text or "").strip() for c in elem}
                if fields.get("wp:term_id"):
                    self.terms[fields["wp:term_id"]] = fields.get("wp:category_nicename", "")
            self.base_url = blog_url or site_url or link
        if not self.version:
            raise SourceError("not a WordPress export: no <wp:wxr_version> element")

    def _guarded(self, walker):
        try:
            yield from walker
        except etree.XMLSyntaxError as exc:
            if _entity_bomb(exc):
                raise SourceError(_DTD_REFUSED) from None  # nothing a repair could mend
            if self.repair:
                raise
            raise SourceError(f"not well-formed XML{_position(exc)}: {_reason(exc)}") from exc

    def index(self):
        """Pass 1: check the whole file parses and index its attachments."""
        with open(self.path, "rb") as fh:
            head = fh.read(65536)
        if not head.strip():
            raise SourceError("the file is empty")
        if _declares_dtd(head):
            raise SourceError(_DTD_REFUSED)
        try:
            self._index()
        except SourceError as exc:
            if not isinstance(exc.__cause__, etree.XMLSyntaxError):
                raise
            self.repair = True
            try:
                self._index()
            except etree.XMLSyntaxError:
                raise exc from None
        if self.path.stat().st_size and self.items == 0 and not self.version:
            raise SourceError("not a WordPress export")

    def _index(self):
        self.items = 0
        for item in self._guarded(self._walk(wanted=lambda post_type: post_type == "attachment")):
            self.items += 1
            if item is None:
                continue
            fields, _categories, meta = item
            url = fields.get("wp:attachment_url") or fields.get("guid", "")
            caption = strip_tags(fields.get("excerpt:encoded", ""))
            description = strip_tags(fields.get("content:encoded", ""))
            credit = next((meta[k] for k in CREDIT_META if meta.get(k)), "")
            post_id = fields.get("wp:post_id", "").strip()
            if is_number(post_id):
                self.attachments.setdefault(self.site, {})[int(post_id)] = _SEP.join(
                    (
                        url.strip(),
                        one_line(meta.get("_wp_attachment_image_alt", "")),
                        caption or description,
                        one_line(credit),
                    )
                )

    def records(self, cursor):
        """Pass 2: a record, a Skip or a Failure per item (attachments are not reported)."""
        items = self._walk(cursor, wanted=lambda post_type: post_type != "attachment")
        for number, item in enumerate(self._guarded(items), start=1):
            if item is None:
                continue
            fields, categories, meta = item
            post_type = fields.get("wp:post_type", "post") or "post"
            location = f"item {number}"
            if post_type != "post":
                title = strip_tags(fields.get("title", ""))
                yield Skip(
                    self.source,
                    location,
                    f"WordPress {post_type}: only posts are imported",
                    title=title,
                )
                continue
            try:
                yield self._record(fields, categories, meta, location)
            except ValueError as exc:
                yield Failure(self.source, location, str(exc))

    # -- mapping -------------------------------------------------------------

    def _record(self, fields, categories, meta, location):
        post_id = fields.get("wp:post_id", "").strip()
        key = legacy_key(self.site, post_id, fields.get("guid", ""))
        title = strip_tags(fields.get("title", ""))
        if not key:
            return Failure(
                self.source, location, "the item has neither wp:post_id nor guid", title=title
            )
        warnings = []
        if is_blank(title):
            title = f"Untitled (WordPress post {post_id or '?'})"
            warnings.append("the post has no title: a placeholder was used")
        elif len(title) > 300:
            title = title[:299] + "…"
            warnings.append("the title was longer than 300 characters and was shortened")
        status, keep_date, notes = map_status(
            fields.get("wp:status", ""), password=bool(fields.get("wp:post_password", "").strip())
        )
        if status is None:
            return Skip(self.source, location, notes[0], key, title)
        warnings += notes
        published_at = None
        if keep_date:
            published_at = post_date(
                gmt=fields.get("wp:post_date_gmt", ""),
                local=fields.get("wp:post_date", ""),
                pub_date=fields.get("pubDate", ""),
                tz=self.tz,
            )
        link = fields.get("link", "").strip()
        legacy_url = urljoin(self.base_url + "/", link) if link and self.base_url else link
        slug = fields.get("wp:post_name", "")
        record = ImportRecord(
            legacy_key=key,
            title=title,
            source=self.source,
            location=location,
            categories=self._sections(categories, meta),
            slug=slug,
            dek=strip_tags(fields.get("excerpt:encoded", "")),
            body=fields.get("content:encoded", ""),
            convert=_convert,
            authors=self._authors(fields, categories, warnings),
            status=status,
            published_at=published_at,
            legacy_url=legacy_url[:500],
            old_paths=_old_paths(legacy_url, slug, meta.get("_wp_old_slug", [])),
            is_feature=fields.get("wp:is_sticky", "0").strip() == "1",
            tags=list(
                dict.fromkeys(
                    one_line(text)
                    for domain, _, text in categories
                    if domain in ("post_tag", "tag")
                )
            ),
            warnings=warnings,
        )
        self._featured_image(record, meta.get("_thumbnail_id", "").strip())
        return record

    def _sections(self, categories, meta):
        found = {}
        for domain, nicename, text in categories:
            if domain in ("category", ""):
                name = strip_tags(text)
                if name and name.casefold() not in found:
                    found[name.casefold()] = Category(name, nicename)
        result = list(found.values())
        primary = self.terms.get(meta.get("_yoast_wpseo_primary_category", "").strip())
        if primary:
            result.sort(key=lambda c: c.slug != primary)
        return result

    def _authors(self, fields, categories, warnings):
        # Co-Authors Plus lists every author, in order, as a term of the "author" taxonomy.
        coauthors = [
            one_line(strip_tags(text)) or nicename.removeprefix("cap-")
            for domain, nicename, text in categories
            if domain == "author"
        ]
        if coauthors:
            return list(dict.fromkeys(a for a in coauthors if a))
        creator = (fields.get("dc:creator") or "").strip()
        if not creator:
            return []
        if creator in self.authors:
            return [self.authors[creator]]
        warnings.append(f"creator {creator!r} has no <wp:author> entry: byline under that name")
        return [one_line(creator)]

    def _featured_image(self, record, thumbnail_id):
        if not thumbnail_id or thumbnail_id == "0":
            return
        found = self.attachments.get(self.site, {})
        attachment = found.get(int(thumbnail_id)) if is_number(thumbnail_id) else None
        if attachment is None:
            record.warnings.append(
                f"featured image (attachment {thumbnail_id}) is not in the export"
            )
            return
        url, alt, caption, credit = attachment.split(_SEP)
        if not credit:
            caption, credit = split_credit(caption)
        record.image, record.image_alt = url, alt[:300]
        record.image_caption, record.image_credit = caption[:500], credit[:200]


def _convert(content):
    conversion = convert_wordpress(content)
    return conversion.html, conversion.warnings()


def _reason(exc) -> str:
    return re.sub(r",? line \d+, column \d+$", "", (exc.msg or str(exc)).strip())


def _post_type(item):
    """An item's wp:post_type, as _item_fields() reads it (None if it has none)."""
    for child in item.iterchildren("{*}post_type"):
        if short_name(child.tag) == "wp:post_type":
            return child.text or ""
    return None


def _item_fields(item):
    fields, categories, meta = {}, [], {"_wp_old_slug": []}
    for child in item:
        if not isinstance(child.tag, str):
            continue  # an entity reference left unresolved
        name = short_name(child.tag)
        if name == "category":
            categories.append(
                (child.get("domain") or "", child.get("nicename") or "", child.text or "")
            )
        elif name == "wp:postmeta":
            pair = {short_name(c.tag): c.text or "" for c in child}
            key, value = pair.get("wp:meta_key", "").strip(), pair.get("wp:meta_value", "")
            if key == "_wp_old_slug":
                meta[key].append(value)
            elif key and key not in meta:
                meta[key] = value
        elif name not in fields and name != "wp:comment":
            fields[name] = child.text or ""
    return fields, categories, meta


def _old_paths(legacy_url, slug, old_slugs):
    """Earlier addresses of a post (`_wp_old_slug`), if its permalink ends with the slug."""
    path = url_path(legacy_url)
    if not path or not slug or not old_slugs:
        return []
    stripped = path.rstrip("/")
    if not stripped.endswith("/" + slug):
        return []
    base, trailing = stripped[: -len(slug)], "/" if path.endswith("/") else ""
    return [base + old.strip() + trailing for old in old_slugs if old.strip()]
