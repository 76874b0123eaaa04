"""Import a legacy archive: page dumps (.txt), JSON Lines (.jsonl/.json) and WordPress WXR (.xml).

    manage.py import_articles PATH [PATH ...] [--dry-run] [--update] [--report FILE]

Safe to re-run: records are keyed on their source identity, already imported
ones are skipped (or, with --update, rewritten only if they changed). Each
batch is one transaction, so an interrupted run leaves no half-written article
and the next run picks up where it stopped. See README.md, "Importing an archive".
"""

import json
import time
import zoneinfo
from collections import Counter
from datetime import datetime
from datetime import time as dt_time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date, parse_datetime

from articles.models import Article
from importers.base import DateOutOfRange, storable_date
from importers.run import ImportOptions, import_paths
from sections.models import Section


class ProgressBar:
    """One redrawn line on a terminal: percentage, records, rate and time left."""

    def __init__(self, stream, enabled):
        self.stream, self.enabled = stream, enabled
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.drawn = False

    def update(self, progress):
        now = time.monotonic()
        if not self.enabled or now - self.last_draw < 0.2:
            return
        self.last_draw = now
        elapsed = max(now - self.started, 1e-6)
        fraction = progress.done_bytes / progress.total_bytes if progress.total_bytes else 0
        fraction = min(fraction, 1.0)
        eta = elapsed * (1 - fraction) / fraction if fraction > 0.001 else None
        bar = "#" * int(fraction * 24)
        self.stream.write(
            f"\r{fraction:4.0%} [{bar:<24}] {progress.records:,} records · "
            f"{progress.records / elapsed:,.0f}/s · ETA {_clock(eta)}   "
        )
        self.stream.flush()
        self.drawn = True

    def clear(self):
        if self.drawn:
            self.stream.write("\r" + " " * 78 + "\r")
            self.stream.flush()
            self.drawn = False


def _clock(seconds):
    if seconds is None:
        return "--:--"
    minutes, secs = divmod(int(seconds), 60)
    return (
        f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"
        if minutes >= 60
        else f"{minutes}:{secs:02d}"
    )


class JsonReport:
    """The --report file, written as records arrive so memory stays flat."""

    def __init__(self, path):
        self.fh = open(path, "w", encoding="utf-8")  # noqa: SIM115 (closed in close())
        self.fh.write('{"records": [')
        self.first = True

    def add(self, outcome):
        self.fh.write(
            ("\n" if self.first else ",\n") + json.dumps(outcome.as_dict(), ensure_ascii=False)
        )
        self.first = False

    def close(self, summary):
        self.fh.write('\n],\n"summary": ' + json.dumps(summary, ensure_ascii=False) + "}\n")
        self.fh.close()


class Command(BaseCommand):
    help = (
        "Import articles from page dumps (.txt), JSON Lines (.jsonl, or .json from the "
        "WordPress REST API) and WordPress exports (WXR .xml). Directories are walked. "
        "Re-running is safe: known records are skipped, or updated with --update."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="Files or directories.")
        parser.add_argument(
            "--format",
            choices=["auto", "text", "jsonl", "wxr"],
            default="auto",
            help="Source format; auto decides by extension, then by the first bytes.",
        )
        parser.add_argument(
            "--section", metavar="SLUG", help="Section for records that name none (must exist)."
        )
        parser.add_argument(
            "--uncategorized",
            metavar="NAME",
            default="Uncategorized",
            help="Without --section, records that name no section go to the section of this "
            "name (created after the site's own, as WordPress files posts in no category).",
        )
        parser.add_argument(
            "--status",
            choices=[Article.Status.PUBLISHED, Article.Status.DRAFT],
            default=Article.Status.PUBLISHED,
            help="Status for records without one (page dumps, JSON Lines without status). "
            "A published record without a date becomes a draft unless --published-at is given.",
        )
        parser.add_argument(
            "--published-at",
            metavar="DATETIME",
            help="Publication time for records without one, e.g. 2019-06-01 or 2019-06-01T09:00.",
        )
        parser.add_argument(
            "--timezone",
            default=settings.TIME_ZONE,
            help="Zone of dates given without one (WordPress post_date, naive JSON dates, "
            "--published-at). Default: the site's TIME_ZONE.",
        )
        parser.add_argument(
            "--map-category",
            action="append",
            default=[],
            metavar="NAME=SLUG",
            help="Put posts of a WordPress category (name or slug) into an existing section. "
            "Repeat for several. Unmapped categories become sections of their own.",
        )
        parser.add_argument(
            "--images-dir", metavar="DIR", help="Where referenced images are on disk."
        )
        parser.add_argument("--update", action="store_true", help="Re-import records that changed.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Read and check everything; write nothing."
        )
        parser.add_argument("--report", metavar="FILE", help="Write a JSON report of every record.")
        parser.add_argument("--batch-size", type=int, default=500, help="Records per transaction.")

    def handle(self, *args, **options):
        import_options = self._options(options)
        verbosity = options["verbosity"]
        bar = ProgressBar(self.stderr._out, enabled=verbosity >= 1 and self.stderr.isatty())
        try:
            report = JsonReport(options["report"]) if options["report"] else None
        except OSError as exc:
            raise CommandError(f"--report {options['report']!r}: {exc.strerror}.") from None

        so_far = Counter()  # for the report of an import that does not finish

        def on_outcome(outcome):
            if report:
                report.add(outcome)
            if outcome.location != "file":
                so_far[outcome.action] += 1
            where = f"{outcome.source}:{outcome.location}"
            if outcome.action == "failed" and verbosity >= 1:
                bar.clear()
                self.stderr.write(f"{where}: {outcome.reason}")
            elif outcome.action == "warning" and verbosity >= 1:
                bar.clear()
                self.stderr.write(self.style.WARNING(f"{where}: {outcome.reason}"))
            elif verbosity >= 2 and outcome.action != "warning":
                bar.clear()
                self.stdout.write(f"{where}: {outcome.action} {outcome.title!r} {outcome.reason}")
                for warning in outcome.warnings:
                    self.stdout.write(self.style.WARNING(f"{where}: warning: {warning}"))

        summary, interrupted, error = None, False, ""
        try:
            summary = import_paths(
                options["paths"],
                options=import_options,
                on_outcome=on_outcome,
                on_progress=bar.update,
            )
        except KeyboardInterrupt:
            interrupted = True
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            bar.clear()
            if report:
                report.close(
                    self._summary_dict(summary, interrupted, import_options.dry_run)
                    if summary
                    else self._unfinished_dict(so_far, interrupted, error, import_options.dry_run)
                )
        if interrupted:
            raise CommandError(
                "Interrupted. The batch in progress was rolled back; everything before it is "
                "imported. Run the same command again to finish.",
                returncode=130,
            )
        self._print_summary(summary, import_options.dry_run, verbosity)
        if summary.indexing_error:
            raise CommandError(summary.indexing_error, returncode=1)
        if summary.failed:
            raise CommandError(
                f"{summary.failed:,} failed"
                + (f"; details in {options['report']}" if options["report"] else "; see above"),
                returncode=1,
            )

    def _options(self, options):
        try:
            tz = zoneinfo.ZoneInfo(options["timezone"])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise CommandError(f"Unknown time zone {options['timezone']!r}.") from None
        section = None
        if options["section"]:
            section = Section.objects.filter(slug=options["section"]).first()
            if section is None:
                raise CommandError(
                    f"No section with slug {options['section']!r}. {self._sections()}"
                )
        category_map = {}
        for item in options["map_category"]:
            name, sep, slug = item.rpartition("=")
            target = Section.objects.filter(slug=slug.strip()).first() if sep else None
            if not name.strip() or target is None:
                raise CommandError(
                    f"--map-category {item!r}: expected NAME=SLUG of an existing section. "
                    + self._sections()
                )
            category_map[" ".join(name.split()).casefold()] = target
        published_at = None
        if options["published_at"]:
            value = options["published_at"]
            try:  # "2019-02-30" has the shape of a date: parse_date() raises
                published_at = parse_datetime(value)
                if published_at is None and parse_date(value):
                    published_at = datetime.combine(parse_date(value), dt_time())
            except ValueError:
                published_at = None
            if published_at is None:
                raise CommandError(f"--published-at {value!r} is not a date or date-time.")
            if published_at.tzinfo is None:
                published_at = published_at.replace(tzinfo=tz)
            try:
                published_at = storable_date(published_at)
            except DateOutOfRange as exc:
                raise CommandError(f"--published-at: {exc}.") from None
        if options["images_dir"] and not Path(options["images_dir"]).is_dir():
            raise CommandError(f"--images-dir {options['images_dir']!r} is not a directory.")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        return ImportOptions(
            format=options["format"],
            default_section=section,
            default_status=options["status"],
            default_published_at=published_at,
            category_map=category_map,
            update=options["update"],
            dry_run=options["dry_run"],
            images_dir=options["images_dir"],
            uncategorized=" ".join(options["uncategorized"].split()) or "Uncategorized",
            timezone=tz,
            batch_size=options["batch_size"],
        )

    def _sections(self):
        slugs = ", ".join(Section.objects.values_list("slug", flat=True)[:30])
        return f"Existing sections: {slugs}." if slugs else "There are no sections yet."

    def _unfinished_dict(self, so_far, interrupted, error, dry_run):
        """An import stopped before its end: what was written before it stopped."""
        return {
            "interrupted": interrupted,
            "dry_run": dry_run,
            **{k: so_far[k] for k in ("created", "updated", "skipped", "failed")},
            **({"error": error} if error else {}),
        }

    def _summary_dict(self, summary, interrupted, dry_run):
        return {
            "interrupted": interrupted,
            "dry_run": dry_run,
            **{k: summary.counts[k] for k in ("created", "updated", "skipped", "failed")},
            "failed_files": summary.failed_files,
            "files": summary.files,
            "warnings": summary.warnings,
            "authors_created": summary.authors_created,
            "sections_created": summary.sections_created,
            "indexed_before": summary.indexed_before,
            "indexing_error": summary.indexing_error,
            "seconds": round(summary.seconds, 2),
        }

    def _print_summary(self, summary, dry_run, verbosity):
        if verbosity < 1:
            return
        c = summary.counts
        records = sum(c[k] for k in ("created", "updated", "skipped", "failed"))
        rate = records / summary.seconds if summary.seconds else 0
        verb = "Dry run, nothing written: would have" if dry_run else "Done:"
        line = (
            f"{verb} {c['created']:,} created, {c['updated']:,} updated, {c['skipped']:,} skipped, "
            f"{c['failed']:,} failed"
            + (f", {summary.failed_files} unusable file(s)" if summary.failed_files else "")
            + f" from {summary.files:,} file(s) in {summary.seconds:.1f} s ({rate:,.0f} records/s)."
        )
        style = self.style.ERROR if summary.failed else self.style.SUCCESS
        self.stdout.write(style(line))
        extras = []
        if summary.authors_created:
            extras.append(f"{summary.authors_created:,} new authors")
        if summary.sections_created:
            extras.append(f"{summary.sections_created:,} new sections")
        if summary.indexed_before:
            extras.append(
                f"{summary.indexed_before:,} articles written earlier but not yet searchable"
                " indexed for search"
            )
        if summary.warnings:
            extras.append(f"{summary.warnings:,} warnings (-v 2 or --report to see them)")
        if extras:
            text = ", ".join(extras)
            self.stdout.write(text[0].upper() + text[1:] + ".")
