"""Batched, transactional writes of import records: a few queries per batch, not per article."""

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.db import DatabaseError, connection, transaction
from django.db.models import Max, Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from articles import events
from articles.addresses import article_path_template, url_path
from articles.images import make_lead_renditions
from articles.models import Article, Author, Byline, ImageCredit, Redirect
from search.engine import refresh_search_vectors
from sections.models import RESERVED_SLUGS, Section

from .base import BodyRefused, ImportRecord, Outcome, clean_slug
from .bulk import insert
from .images import ImageStore
from .indexer import BackgroundIndexer

logger = logging.getLogger(__name__)

UPDATE_FIELDS = [
    "section",
    "kicker",
    "title",
    "slug",
    "dek",
    "body",
    "lead_image",
    "lead_image_width",
    "lead_image_height",
    "lead_image_alt",
    "lead_image_caption",
    "lead_image_credit",
    "is_feature",
    "status",
    "published_at",
    "legacy_url",
    "legacy_hash",
    "revision",
    "updated_at",
]


MAX_REDIRECT_PATH = Redirect._meta.get_field("old_path").max_length

LEAD_IMAGE_FIELDS = ("lead_image", "lead_image_width", "lead_image_height")


# What a batch reads of the articles it imported before (one named row each).
EXISTING_FIELDS = (
    "legacy_key",
    "pk",
    "legacy_hash",
    "section_id",
    "slug",
    "revision",
    "status",
    "published_at",
    *LEAD_IMAGE_FIELDS,
)


def record_versions(article_ids, history_type, reason):
    """History versions (django-simple-history's rows) of these articles as they
    are now, copied by the database: what bulk_history_create() does, without
    loading every article and building its version in Python (a third of an
    import's Python time, measured)."""
    if not article_ids:
        return
    history = Article.history.model
    quote = connection.ops.quote_name
    columns = [quote(field.column) for field in history.tracked_fields]
    placeholders = ", ".join(["%s"] * len(article_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(columns)},"
            " history_date, history_change_reason, history_type)"
            f" SELECT {', '.join(columns)}, %s, %s, %s FROM {quote(Article._meta.db_table)}"
            f" WHERE {quote(Article._meta.pk.column)} IN ({placeholders})",
            [
                connection.ops.adapt_datetimefield_value(timezone.now()),
                reason,
                history_type,
                *article_ids,
            ],
        )


@dataclass
class WriteOptions:
    default_section: Section | None = None
    default_status: str = Article.Status.PUBLISHED
    default_published_at: datetime | None = None
    category_map: dict = field(default_factory=dict)  # casefolded name or slug -> Section
    update: bool = False
    dry_run: bool = False
    images_dir: str | None = None
    # The section of records that name none and get no --section.
    uncategorized: str = "Uncategorized"


class _Names:
    """A case-insensitive name -> id cache of one model, loaded once, safe across rollbacks."""

    def __init__(self, queryset, slug_field=None):
        self.ids = {}
        self.slugs = set()
        for pk, name, *slug in queryset.values_list(
            "pk", "name", *([slug_field] if slug_field else [])
        ):
            self.ids.setdefault(_fold(name), pk)
            if slug:
                self.slugs.add(slug[0])
        self.pending_ids, self.pending_slugs = {}, set()
        # Names this import created (or, in a dry run, would have): the summary's
        # count, which neither a batch retried record by record nor the dry run's
        # rolled-back batches may count twice.
        self.created = set()

    def get(self, name):
        key = _fold(name)
        return self.pending_ids.get(key) or self.ids.get(key)

    def unique_slug(self, name, *, fallback, max_length=200):
        base = slugify(name, allow_unicode=True)[: max_length - 8].strip("-") or fallback
        if base.lower() in RESERVED_SLUGS:
            base = f"{base}-{fallback}"
        slug, n = base, 2
        while slug in self.slugs or slug in self.pending_slugs:
            slug, n = f"{base}-{n}", n + 1
        self.pending_slugs.add(slug)
        return slug

    def commit(self):
        self.ids.update(self.pending_ids)
        self.slugs |= self.pending_slugs
        self.rollback()

    def rollback(self):
        self.pending_ids, self.pending_slugs = {}, set()


def _fold(name):
    return " ".join(name.split()).casefold()


def _name(name):
    """An author or credit name as stored: whitespace collapsed, at most 200 characters."""
    return " ".join(name.split())[:200]


class ArticleWriter:
    def __init__(self, options: WriteOptions):
        self.options = options
        self.sections = _Names(Section.objects.all(), "slug")
        self.authors = _Names(Author.objects.all(), "slug")
        self.credits = _Names(ImageCredit.objects.all())
        self.section_slugs = dict(Section.objects.values_list("pk", "slug"))
        # Sources may name a section by its slug ("coastal-affairs") too.
        self.slug_to_section = {slug.lower(): pk for pk, slug in self.section_slugs.items()}
        self.path_templates = {}  # section slug -> article_path_template()
        self.images = (
            ImageStore(options.images_dir, dry_run=options.dry_run) if options.images_dir else None
        )
        self.defaults_key = [
            options.default_section.pk if options.default_section else None,
            options.default_status,
            options.default_published_at.isoformat() if options.default_published_at else None,
            sorted((k, s.pk) for k, s in options.category_map.items()),
        ]
        self.indexer = None  # BackgroundIndexer, once a batch has committed (PostgreSQL)
        self._index_later = False
        self._unindexed = []

    # -- public ---------------------------------------------------------------

    def write(self, records: list[ImportRecord]) -> list[Outcome]:
        """Write one batch in one transaction; on a database error, retry record by record."""
        notes = [list(r.warnings) for r in records]
        try:
            return self._atomic(records)
        except DatabaseError as exc:
            if len(records) == 1:
                records[0].warnings = notes[0]
                return [self._failed(records[0], f"database refused it: {exc}")]
        outcomes = []
        for record, warnings in zip(records, notes, strict=True):
            record.warnings = warnings
            try:
                outcomes += self._atomic([record])
            except DatabaseError as exc:
                outcomes.append(self._failed(record, f"database refused it: {exc}"))
        return outcomes

    @property
    def created_authors(self):
        return len(self.authors.created)

    @property
    def created_sections(self):
        return len(self.sections.created)

    def close(self):
        """Wait for the background indexing of what was written."""
        if self.indexer is not None:
            self.indexer.close()
            self.indexer = None

    def _atomic(self, records):
        caches = (self.sections, self.authors, self.credits)
        # A second connection can index a batch only once it has really
        # committed: not in a dry run, nor inside a caller's transaction.
        self._index_later = (
            connection.vendor == "postgresql"
            and not connection.in_atomic_block
            and not self.options.dry_run
        )
        self._unindexed = []
        try:
            with transaction.atomic():
                outcomes = self._write(records)
                if self.options.dry_run:
                    transaction.set_rollback(True)
        except BaseException:
            for cache in caches:
                cache.rollback()
            raise
        for cache in caches:
            cache.created |= cache.pending_ids.keys()
            cache.rollback() if self.options.dry_run else cache.commit()
        if not self.options.dry_run:
            self._after_commit(outcomes)
        return outcomes

    def _after_commit(self, outcomes):
        """What the save() receivers would have done: renditions and the search
        index (the content change is reported on commit, see _write)."""
        for name in self.images.take_new() if self.images else ():
            try:
                make_lead_renditions(Article(lead_image=name).lead_image)
            except (OSError, ValueError) as exc:
                logger.warning("Renditions of %s failed: %s", name, exc)
        if self._unindexed:
            if self.indexer is None:
                self.indexer = BackgroundIndexer()
            self.indexer.submit(self._unindexed)
            self._unindexed = []

    # -- one batch ------------------------------------------------------------

    def _write(self, records):
        keys = [r.legacy_key for r in records]
        existing = {
            row.legacy_key: row
            for row in Article.objects.with_legacy_keys(keys)
            .select_for_update()
            .values_list(*EXISTING_FIELDS, named=True)
        }
        outcomes, todo = [], []
        for record in records:
            found = existing.get(record.legacy_key)
            if found and not self.options.update:
                outcomes.append(
                    self._skipped(
                        record, found.pk, "already imported (use --update to re-import changes)"
                    )
                )
                continue
            try:
                record.finish()
            except BodyRefused as exc:
                outcomes.append(self._failed(record, str(exc)))
                continue
            fingerprint = record.fingerprint(self.defaults_key)
            if (
                found
                and found.legacy_hash == fingerprint
                and not self._image_now_at_hand(record, found)
            ):
                outcomes.append(self._skipped(record, found.pk, "unchanged since the last import"))
            else:
                try:
                    todo.append((record, fingerprint, found, self._section_id(record)))
                except ValueError as exc:
                    outcomes.append(self._failed(record, str(exc)))
        # Credits only for records that will be written: a failed one leaves none.
        self._create_missing_credits(record.image_credit for record, *_ in todo)
        work = [(record, self._article(record, *details)) for record, *details in todo]
        if not work:
            return outcomes

        self._assign_slugs(work)
        now = timezone.now()
        new = [a for r, a in work if a.pk is None]
        changed = [a for r, a in work if a.pk is not None]
        insert(new, with_ids=True)
        for article in changed:
            article.updated_at = now
        if changed:
            Article.objects.bulk_update(changed, UPDATE_FIELDS)
            Byline.objects.filter(article__in=changed).delete()
        # bulk writes skip the history signals: record the versions ourselves.
        record_versions([a.pk for a in new], "+", "Imported")
        record_versions([a.pk for a in changed], "~", "Re-imported (--update)")

        self._create_missing_authors(n for r, _ in work for n in r.authors)
        insert(
            [
                Byline(article_id=a.pk, author_id=author_id, position=position)
                for r, a in work
                for position, author_id in enumerate(dict.fromkeys(self._author_ids(r)))
            ]
        )
        redirect_warnings = self._redirects(work)
        # Bulk writes send no signals: the batch reports its changes itself,
        # sent once, on commit (articles.events).
        events.changed(*self._change_keys(work))
        if self._index_later:
            self._unindexed.extend(a.pk for _, a in work)
        else:
            refresh_search_vectors([a.pk for _, a in work])

        for record, article in work:
            warnings = record.all_warnings() + redirect_warnings.get(article.pk, [])
            outcomes.append(
                Outcome(
                    "updated" if record.legacy_key in existing else "created",
                    record.source,
                    record.location,
                    record.legacy_key,
                    record.title,
                    article_id=None if self.options.dry_run else article.pk,
                    slug=article.slug,
                    warnings=warnings,
                    tags=record.tags,
                )
            )
        return outcomes

    def _article(self, record, fingerprint, found, section_id):
        record.finish()  # done already (the fingerprint needs it); never skipped
        status = record.status or self.options.default_status
        published_at = record.published_at
        if status == Article.Status.PUBLISHED and published_at is None:
            published_at = self.options.default_published_at
            if published_at is None:
                status = Article.Status.DRAFT
                record.warnings.append(
                    "no publication date: imported as a draft (give --published-at to publish)"
                )
        image = self._lead_image(record)
        if image is None and found:
            # Named in the source but not at hand this time (no --images-dir, say):
            # keep the picture the article has rather than drop it.
            image = {name: getattr(found, name) for name in LEAD_IMAGE_FIELDS}
        article = Article(
            **(image or {}),
            section_id=section_id,
            kicker=record.kicker[:100],
            title=record.title,
            slug=clean_slug(record.slug) or clean_slug(record.title) or "article",
            dek=record.dek,
            body=record.body,  # converted and sanitized by record.finish()
            lead_image_alt=record.image_alt[:300],
            lead_image_caption=record.image_caption[:500],
            lead_image_credit_id=self._credit_id(record.image_credit),
            is_feature=record.is_feature,
            status=status,
            published_at=published_at,
            legacy_key=record.legacy_key,
            legacy_url=record.legacy_url[:500],
            legacy_hash=fingerprint,
        )
        if found:
            article.pk, article.revision = found.pk, found.revision + 1
            article._previous = (found.section_id, found.slug)
            if found.status == Article.Status.UNPUBLISHED:
                # Taking a story down is an editor's decision: the old site's
                # status does not overrule it.
                article.status, article.published_at = found.status, found.published_at
                record.warnings.append("kept unpublished: an editor took it down in Newsroom")
        return article

    def _change_keys(self, work):
        """What a batch changes, as content-change keys (articles.events)."""
        keys = {events.REDIRECTS}
        for record, article in work:
            previous = getattr(article, "_previous", None)
            keys |= events.article_keys(
                article.pk,
                section_ids={article.section_id, previous[0] if previous else None} - {None},
                author_ids=self._author_ids(record),
                # Whether readers saw it before is not worth a query: an import
                # batch is one change, and most of its articles are published.
                visible=True,
                feature=article.is_feature,
            )
        return keys

    def _section_id(self, record):
        for category in record.categories:
            mapped = self.options.category_map.get(_fold(category.name)) or (
                category.slug and self.options.category_map.get(category.slug.casefold())
            )
            if mapped:
                return mapped.pk
        if record.categories:
            return self._get_or_create_section(record.categories[0].name)
        if self.options.default_section:
            return self.options.default_section.pk
        # As WordPress does with posts in no category.
        name = self.options.uncategorized
        record.warnings.append(
            f'names no section: filed under "{name}" (--section chooses another)'
        )
        return self._get_or_create_section(name)

    def _get_or_create_section(self, name):
        name = " ".join(name.split())[:100]
        pk = self.sections.get(name) or self.slug_to_section.get(name.lower())
        if pk is None:
            # After the site's own sections in the navigation, not ahead of them.
            last = Section.objects.aggregate(last=Max("position"))["last"]
            section = Section.objects.create(
                name=name,
                slug=self.sections.unique_slug(name, fallback="section", max_length=100),
                position=0 if last is None else last + 1,
            )
            pk = self.sections.pending_ids[_fold(name)] = section.pk
            self.section_slugs[pk] = section.slug
        return pk

    def _create_missing_authors(self, names):
        missing = {}
        for name in map(_name, names):
            if name and self.authors.get(name) is None:
                missing.setdefault(_fold(name), name)  # the first spelling met wins
        if missing:
            created = Author.objects.bulk_create(
                [
                    Author(name=n, slug=self.authors.unique_slug(n, fallback="author"))
                    for n in missing.values()
                ]
            )
            for author in created:
                self.authors.pending_ids[_fold(author.name)] = author.pk

    def _author_ids(self, record):
        return [self.authors.get(n) for n in map(_name, record.authors) if n]

    def _create_missing_credits(self, names):
        # One INSERT for the batch: an archive can name thousands of
        # photographers, and a query each was most of a WXR batch's writing.
        missing = {}
        for name in names:
            name = _name(name)
            if name and self.credits.get(name) is None:
                missing.setdefault(_fold(name), name)  # the first spelling met wins
        if not missing:
            return
        names = list(missing.values())
        ImageCredit.objects.bulk_create([ImageCredit(name=n) for n in names], ignore_conflicts=True)
        # Read back rather than trust the INSERT: a name refused as a duplicate is
        # one the database's lower() folds like a credit it has (PostgreSQL folds
        # "İ" to "i", Python's casefold() does not), or a concurrent import's.
        credits = ImageCredit.objects.alias(folded=Lower("name")).order_by()
        # The lower() term lets the unique index answer.
        batch = credits.filter(folded__in=[Lower(Value(n)) for n in names], name__in=names)
        found = dict(batch.values_list("name", "pk"))
        for name in names:
            pk = found.get(name) or (
                credits.filter(folded=Lower(Value(name))).values_list("pk", flat=True).first()
            )
            self.credits.pending_ids[_fold(name)] = pk

    def _credit_id(self, name):
        name = _name(name)
        return self.credits.get(name) if name else None

    def _image_now_at_hand(self, record, found):
        """An article imported without its picture (no --images-dir then, or the
        file missing) gets it from an --update that finds the file."""
        return bool(
            record.image and not found.lead_image and self.images and self.images.find(record.image)
        )

    def _lead_image(self, record):
        """Lead image fields for the Article constructor (with its size, so no file
        is opened): {} when the record has no image, None when it names one that
        could not be stored."""
        if not record.image:
            return {}
        if self.images is None:
            record.warnings.append(f"lead image not copied (no --images-dir): {record.image}")
            return None
        path = self.images.find(record.image)
        if path is None:
            record.warnings.append(f"lead image not found in --images-dir: {record.image}")
            return None
        try:
            name, width, height = self.images.store(path)
        except ValueError as exc:
            record.warnings.append(f"lead image skipped: {exc}")
            return None
        return dict(zip(LEAD_IMAGE_FIELDS, (name, width, height), strict=True))

    def _assign_slugs(self, work):
        """Unique (section, slug) pairs: collisions get a stable -2, -3 … suffix."""
        wanted = {(a.section_id, a.slug) for _, a in work}
        taken = set(
            Article.objects.filter(
                section_id__in={s for s, _ in wanted}, slug__in={s for _, s in wanted}
            ).values_list("section_id", "slug", "pk")
        )
        owner = {(s, slug): pk for s, slug, pk in taken}
        allocated, collisions = set(), []
        for record, article in work:
            previous = getattr(article, "_previous", None)
            base = article.slug
            # An update keeps its address unless the source gave it another slug
            # (a slug made from a corrected title is no reason to move).
            if (
                previous
                and previous[0] == article.section_id
                and (not record.slug or re.fullmatch(re.escape(base) + r"(-\d+)?", previous[1]))
            ):
                article.slug = previous[1]
                allocated.add((article.section_id, article.slug))
                continue
            key = (article.section_id, base)
            if key not in allocated and owner.get(key, article.pk) == article.pk:
                allocated.add(key)
            else:
                collisions.append(article)
        if not collisions:
            return
        # One query for the numbered variants of every colliding slug in the batch.
        bases = sorted({a.slug for a in collisions})
        pattern = "^(" + "|".join(re.escape(b) for b in bases) + ")-[0-9]+$"
        used = set(
            Article.objects.filter(
                section_id__in={a.section_id for a in collisions}, slug__regex=pattern
            ).values_list("section_id", "slug")
        )
        for article in collisions:
            base, n = article.slug[:250], 2
            while (article.section_id, f"{base}-{n}") in used or (
                (article.section_id, f"{base}-{n}") in allocated
            ):
                n += 1
            article.slug = f"{base}-{n}"
            allocated.add((article.section_id, article.slug))

    def _redirects(self, work):
        """Legacy URLs (and an updated article's previous address) answer with a 301."""
        wanted, warnings = {}, {}
        for record, article in work:
            own = self._path(article.section_id, article.slug)
            paths = [url_path(record.legacy_url), *(url_path(p) for p in record.old_paths)]
            previous = getattr(article, "_previous", None)
            if previous and (previous[0], previous[1]) != (article.section_id, article.slug):
                paths.append(self._path(*previous))
            for path in paths:
                if len(path) > MAX_REDIRECT_PATH:
                    warnings.setdefault(article.pk, []).append(
                        f"no redirect from {path[:60]}…: an address over"
                        f" {MAX_REDIRECT_PATH} characters"
                    )
                elif path and path != own:
                    wanted.setdefault(path, article)
        if not wanted:
            return warnings
        current = dict(
            Redirect.objects.filter(old_path__in=list(wanted)).values_list("old_path", "article_id")
        )
        new = []
        for path, article in wanted.items():
            if path not in current:
                new.append(Redirect(old_path=path, article_id=article.pk))
            elif current[path] != article.pk:
                warnings.setdefault(article.pk, []).append(
                    f"{path} already redirects to another article; left as it was"
                )
        insert(new)
        return warnings

    def _path(self, section_id, slug):
        # Unquoted, as readers' requests carry it (and as the reader site stores redirects).
        section_slug = self.section_slugs.get(section_id)
        if section_slug is None:
            section_slug = Section.objects.get(pk=section_id).slug
            self.section_slugs[section_id] = section_slug
        # By slug, not id: SQLite gives a rolled-back section's id to the next one.
        template = self.path_templates.get(section_slug)
        if template is None:
            template = self.path_templates[section_slug] = article_path_template(section_slug)
        return slug.join(template)

    # -- outcomes -------------------------------------------------------------

    def _skipped(self, record, pk, reason):
        return Outcome(
            "skipped",
            record.source,
            record.location,
            record.legacy_key,
            record.title,
            reason,
            article_id=pk,
            warnings=record.all_warnings(),
        )

    def _failed(self, record, reason):
        return Outcome(
            "failed",
            record.source,
            record.location,
            record.legacy_key,
            record.title,
            reason,
            warnings=record.all_warnings(),
        )
