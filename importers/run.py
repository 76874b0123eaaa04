"""Importing a legacy archive: page dumps (.txt), JSON Lines and WordPress WXR.

`import_paths()` walks the given files, reads each with its format's parser,
and writes records in batches, each batch in its own transaction, reporting
every record through a callback. Parsers never touch the database; the writer
never parses.
"""

import contextlib
import queue
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from articles.models import Article

from .base import BodyRefused, Failure, ImportRecord, Outcome, Skip, SourceError
from .indexer import IndexingError, index_unindexed
from .jsonl import read_jsonl
from .text import TextParseError, parse_text
from .writer import ArticleWriter, WriteOptions
from .wxr import WxrFile

__all__ = ["ImportOptions", "ImportSummary", "Outcome", "Progress", "import_paths"]

EXTENSIONS = {
    ".txt": "text",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".xml": "wxr",
    ".wxr": "wxr",
}


@dataclass
class ImportOptions(WriteOptions):
    format: str = "auto"
    timezone: object = None
    batch_size: int = 500


@dataclass
class Progress:
    records: int
    done_bytes: int
    total_bytes: int


@dataclass
class ImportSummary:
    counts: Counter = field(default_factory=Counter)
    files: int = 0
    failed_files: int = 0
    warnings: int = 0
    authors_created: int = 0
    sections_created: int = 0
    # Articles written earlier but never indexed (an interrupted import).
    indexed_before: int = 0
    indexing_error: str = ""
    seconds: float = 0.0

    @property
    def failed(self):
        return self.counts["failed"] + self.failed_files + bool(self.indexing_error)


class _Cursor:
    offset = 0


def discover(paths, fmt="auto"):
    """Files to import, in a stable order: given files as they are, directories walked."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and EXTENSIONS.get(p.suffix.lower())
                in ({fmt} if fmt != "auto" else set(EXTENSIONS.values()))
            )
        else:
            found.append(path)
    # A file named twice (or inside two of the directories given) is read once.
    return list({path.resolve(): path for path in found}.values())


def detect_format(path: Path) -> str:
    """By extension, else by the first bytes: `<` is XML, `{`/`[` JSON, anything else text."""
    if path.suffix.lower() in EXTENSIONS:
        return EXTENSIONS[path.suffix.lower()]
    with open(path, "rb") as fh:
        head = fh.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "wxr"
    if head.startswith((b"{", b"[")):
        return "jsonl"
    return "text"


def import_paths(paths, *, options: ImportOptions, on_outcome=None, on_progress=None):
    """Import every file under `paths`; returns an ImportSummary.

    `on_outcome(outcome)` is called for every record (and once for each unusable
    file); `on_progress(progress)` after each record. Files are read, and bodies
    converted and sanitized (`ImportRecord.finish()`), in a background thread
    while this one writes, so that work overlaps with the database's. Bodies
    of articles the site already has are left alone unless --update needs
    them: a re-run skips them anyway. A KeyboardInterrupt leaves the batch in
    progress rolled back and propagates.
    """
    started = time.monotonic()
    summary = ImportSummary()
    if not options.dry_run:
        summary.indexed_before = index_unindexed()
    writer = ArticleWriter(options)
    try:
        _import(paths, writer, summary, options, on_outcome, on_progress)
    except BaseException:
        with contextlib.suppress(IndexingError):  # the first error is the one to report
            writer.close()
        raise
    try:
        writer.close()
    except IndexingError as exc:
        summary.indexing_error = str(exc)  # everything is imported: report it, then fail
    summary.authors_created = writer.created_authors
    summary.sections_created = writer.created_sections
    summary.seconds = time.monotonic() - started
    return summary


def _import(paths, writer, summary, options, on_outcome, on_progress):
    files = [
        (path, options.format if options.format != "auto" else None)
        for path in discover(paths, options.format)
    ]
    summary.files = len(files)
    total = sum(p.stat().st_size for p, _ in files if p.exists())
    records, seen, batch = 0, {}, []  # seen: legacy key -> the source it was read from

    def emit(outcome):
        if outcome.location == "file":  # a whole file unusable, or repaired
            summary.failed_files += outcome.action == "failed"
        else:
            summary.counts[outcome.action] += 1
            summary.warnings += len(outcome.warnings)
        if on_outcome:
            on_outcome(outcome)

    def flush():
        for outcome in writer.write(batch):
            emit(outcome)
        batch.clear()

    # Without --update a known article is skipped: its body need not be made.
    # (A snapshot: the writer finishes any record it writes that was not.)
    known = frozenset() if options.update else _known_keys()
    reader = _read(files, options, known)
    for item, done in _in_background(reader, maxsize=2 * options.batch_size):
        if isinstance(item, ImportRecord):
            if item.legacy_key in seen:
                emit(_duplicate(item, seen[item.legacy_key]))
            else:
                seen[item.legacy_key] = item.source
                batch.append(item)
                if len(batch) >= options.batch_size:
                    flush()
        else:
            emit(item)
            if item.location == "file":
                continue
        records += 1
        if on_progress:
            on_progress(Progress(records, done, total))
    if batch:
        flush()


def _duplicate(record, first_source):
    """The outcome of a record whose legacy key was read earlier in this run."""
    if record.legacy_key.startswith("text:") and record.source != first_source:
        # Two page dumps with one section and title: most likely two articles
        # (a recurring column), which the key cannot tell apart. Say so loudly.
        action = "failed"
        reason = (
            f"another page dump has the same section and title ({first_source}); page dumps"
            " are keyed on them: retitle one, or import it as JSON Lines with its own id"
        )
    else:
        action = "skipped"
        reason = "duplicate: a record with the same legacy id was read earlier in this run"
    return Outcome(action, record.source, record.location, record.legacy_key, record.title, reason)


def _known_keys():
    """The legacy keys of the site's imported articles (about 10 MB for 100,000)."""
    keys = Article.objects.exclude(legacy_key="").values_list("legacy_key", flat=True)
    return frozenset(keys.iterator(chunk_size=10_000))


def _read(files, options, known=frozenset()):
    """Yield (record or Outcome, bytes read so far) for every file, in order;
    records finished, but for those whose key is `known`."""
    done = 0

    def outcome(item, action):
        return Outcome(action, item.source, item.location, item.legacy_key, item.title, item.reason)

    # WXR attachments may sit in another file of the same export: index all first.
    attachments, wxr_files, readable = {}, {}, []
    for path, fmt in files:
        try:
            if not path.is_file():
                raise SourceError("no such file")
            fmt = fmt or detect_format(path)
            if fmt == "wxr":
                wxr = WxrFile(path, source=str(path), tz=options.timezone, attachments=attachments)
                wxr.index()
                wxr_files[path] = wxr
            readable.append((path, fmt))
        except (SourceError, OSError) as exc:
            yield Outcome("failed", str(path), "file", reason=str(exc)), done

    for path, fmt in readable:
        cursor = _Cursor()
        try:
            if fmt == "text":
                try:
                    items = [parse_text(path.read_bytes(), source=str(path))]
                except TextParseError as exc:
                    location = f"line {exc.line}" if exc.line else "file"
                    items = [Failure(str(path), location, str(exc))]
            elif fmt == "jsonl":
                items = read_jsonl(path, source=str(path), tz=options.timezone, cursor=cursor)
            else:
                items = wxr_files[path].records(cursor)
            for item in items:
                if isinstance(item, ImportRecord):
                    if item.legacy_key not in known:
                        try:
                            item.finish()
                        except BodyRefused as exc:
                            failed = Outcome(
                                "failed",
                                item.source,
                                item.location,
                                item.legacy_key,
                                item.title,
                                str(exc),
                                warnings=item.all_warnings(),
                            )
                            yield failed, done + cursor.offset
                            continue
                    yield item, done + cursor.offset
                else:
                    yield (
                        outcome(item, "skipped" if isinstance(item, Skip) else "failed"),
                        done + cursor.offset,
                    )
            wxr = wxr_files.get(path)
            if wxr and wxr.repair:
                note = f"not well-formed XML, repaired while reading: {wxr.repair_note}"
                yield Outcome("warning", str(path), "file", reason=note), done
        except (SourceError, OSError) as exc:
            yield Outcome("failed", str(path), "file", reason=str(exc)), done
        done += path.stat().st_size if path.exists() else 0


class _Raised:
    def __init__(self, exc):
        self.exc = exc


def _in_background(generator, *, maxsize):
    """Iterate `generator` in a thread, through a bounded queue (memory stays flat)."""
    items, stop, end = queue.Queue(maxsize), threading.Event(), object()

    def put(item):
        while not stop.is_set():
            try:
                items.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run():
        try:
            for item in generator:
                if not put(item):
                    return
            put(end)
        except BaseException as exc:  # handed over to the writing thread
            put(_Raised(exc))
        finally:
            generator.close()

    thread = threading.Thread(target=run, name="import-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = items.get()
            if item is end:
                return
            if isinstance(item, _Raised):
                raise item.exc
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)
