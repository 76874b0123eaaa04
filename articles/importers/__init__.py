"""Importing a legacy archive: page dumps (.txt), JSON Lines and WordPress WXR.

`import_paths()` walks the given files, reads each with its format's parser,
and writes records in batches, each batch in its own transaction, reporting
every record through a callback. Parsers never touch the database; the writer
never parses.
"""

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .base import Failure, ImportProblem, ImportRecord, Outcome, Skip, SourceError
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
    seconds: float = 0.0

    @property
    def failed(self):
        return self.counts["failed"] + self.failed_files


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
    return found


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
    file); `on_progress(progress)` after each record. A KeyboardInterrupt leaves
    the batch in progress rolled back and propagates.
    """
    started = time.monotonic()
    summary = ImportSummary()
    writer = ArticleWriter(options)
    files = [
        (path, options.format if options.format != "auto" else None)
        for path in discover(paths, options.format)
    ]
    total = sum(p.stat().st_size for p, _ in files if p.exists())
    state = {"done": 0, "records": 0}
    seen = set()
    batch = []

    def emit(outcome):
        summary.counts[outcome.action] += 1
        summary.warnings += len(outcome.warnings)
        if on_outcome:
            on_outcome(outcome)

    def flush():
        if batch:
            for outcome in writer.write(batch):
                emit(outcome)
            batch.clear()

    def tick(cursor):
        state["records"] += 1
        if on_progress:
            on_progress(Progress(state["records"], state["done"] + cursor.offset, total))

    def handle(item, cursor):
        if isinstance(item, ImportRecord):
            if item.legacy_key in seen:
                reason = "duplicate: a record with the same legacy id was read earlier in this run"
                emit(
                    Outcome(
                        "skipped", item.source, item.location, item.legacy_key, item.title, reason
                    )
                )
            else:
                seen.add(item.legacy_key)
                batch.append(item)
                if len(batch) >= options.batch_size:
                    flush()
        elif isinstance(item, Skip):
            emit(
                Outcome(
                    "skipped", item.source, item.location, item.legacy_key, item.title, item.reason
                )
            )
        elif isinstance(item, Failure):
            emit(
                Outcome(
                    "failed", item.source, item.location, item.legacy_key, item.title, item.reason
                )
            )
        tick(cursor)

    def file_failed(path, exc):
        summary.failed_files += 1
        if on_outcome:
            on_outcome(Outcome("failed", str(path), "file", reason=str(exc)))

    # WXR attachments may sit in another file of the same export: index all first.
    attachments = {}
    wxr_files = {}
    readable = []
    for path, fmt in files:
        summary.files += 1
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
            file_failed(path, exc)

    for path, fmt in readable:
        cursor = _Cursor()
        try:
            if fmt == "text":
                try:
                    handle(parse_text(path.read_bytes(), source=str(path)), cursor)
                except TextParseError as exc:
                    location = f"line {exc.line}" if exc.line else "file"
                    handle(Failure(str(path), location, str(exc)), cursor)
            elif fmt == "jsonl":
                for item in read_jsonl(path, source=str(path), tz=options.timezone, cursor=cursor):
                    handle(item, cursor)
            else:
                wxr = wxr_files[path]
                for item in wxr.records(cursor):
                    handle(item, cursor)
                if wxr.repair and on_outcome:
                    note = f"not well-formed XML, repaired while reading: {wxr.repair_note}"
                    on_outcome(Outcome("warning", str(path), "file", reason=note))
        except (SourceError, OSError) as exc:
            file_failed(path, exc)
        except ImportProblem as exc:  # pragma: no cover - parsers turn these into Failures
            file_failed(path, exc)
        state["done"] += path.stat().st_size if path.exists() else 0
    flush()

    summary.authors_created = writer.created_authors
    summary.sections_created = writer.created_sections
    summary.seconds = time.monotonic() - started
    return summary
