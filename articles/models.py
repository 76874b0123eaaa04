"""The newsroom's content: authors, image credits, articles with their bylines,
and the old addresses that redirect to them. Publication is `Article.objects.published()`."""

from datetime import timedelta
from urllib.parse import unquote

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from sections.models import Section

from .addresses import url_path
from .images import OrientedImageField
from .sanitize import sanitize_html
from .workflow import ArticleEvent, ArticleWorkflowMixin, EditConflict  # noqa: F401


class Author(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        allow_unicode=True,
        help_text="The author page's address: /authors/<slug>/.",
    )
    bio = models.TextField(blank=True, help_text="A sentence or two, shown on the author page.")
    photo = models.ImageField(upload_to="authors/", blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author",
        help_text="The staff account of this writer, if they have one. "
        "Freelancers and wire reporters need none to get a byline.",
    )
    url = models.URLField("website or social profile", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name, allow_unicode=True)[:200]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("reader:author", kwargs={"slug": self.slug})

    def summary(self):
        """What the author page says of itself to search engines and link previews."""
        return self.bio or f"Articles by {self.name} in {settings.NEWSROOM_SITE_NAME}."


class ImageCreditQuerySet(models.QuerySet):
    def get_or_create_by_name(self, name, **defaults):
        """One credit per name, whatever its case: "pixabay" finds "Pixabay"."""
        name = " ".join(name.split())
        credit = self.filter(name__iexact=name).first()
        if credit:
            return credit, False
        return self.create(name=name, **defaults), True


class ImageCredit(models.Model):
    class Kind(models.TextChoices):
        STAFF = "staff", "Staff"
        AGENCY = "agency", "Agency / wire"
        STOCK = "stock", "Stock"
        HANDOUT = "handout", "Handout / courtesy"
        READER = "reader", "Reader-submitted"
        SCREEN_GRAB = "screen_grab", "Screen grab"
        ARCHIVE = "archive", "Archive"

    name = models.CharField(
        max_length=200, help_text="As printed after “Credit:”, e.g. “AP Photo/Jane Doe”."
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.STOCK)
    url = models.URLField(blank=True, help_text="If set, the credit links here.")

    objects = ImageCreditQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="unique_credit_name_ci",
                violation_error_message="A credit with this name already exists.",
            )
        ]

    def __str__(self):
        return self.name


# Edits this soon after publication are not shown as updates.
UPDATE_GRACE = timedelta(minutes=30)
# The columns a card in a listing shows (ArticleQuerySet.for_cards()).
CARD_FIELDS = (
    "section",
    "section__name",
    "section__slug",
    "kicker",
    "title",
    "slug",
    "dek",
    "lead_image",
    "lead_image_width",
    "lead_image_height",
    "lead_image_alt",
    "is_feature",
    "is_pinned",
    "status",
    "published_at",
)


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What a reader may see: published, and its publication time has come."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def scheduled(self):
        """Published, but not yet: readers see these once their time comes."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())

    def owned_by(self, user):
        """A writer's own articles: created by them or with their byline."""
        return self.filter(
            models.Q(created_by=user)
            | models.Exists(Byline.objects.filter(article=models.OuterRef("pk"), author__user=user))
        )

    def features(self):
        return self.filter(is_feature=True)

    def with_legacy_keys(self, keys):
        """Articles imported under these legacy keys, found through their unique
        index. The index leaves out articles without a key, and SQLite (like
        PostgreSQL for lists of over 100 keys) uses it only when the query says
        so too: without it, every batch of an import read the whole table."""
        return self.filter(legacy_key__in=keys).exclude(legacy_key="")

    def for_cards(self, bylines=True):
        """What a listing card shows, with its section and bylines: no body, no
        search index, in a constant number of queries. Listings drawn with the
        {% cards %} tag leave the bylines out: it fetches them only for cards
        it has not rendered yet."""
        articles = self.select_related("section").only(*CARD_FIELDS)
        if bylines:
            articles = articles.prefetch_related(bylines_with_authors())
        return articles

    def for_reading(self):
        """Whole articles as their pages (and feeds) show them: with section and
        credit, without the search index columns (kilobytes a row)."""
        return self.select_related("section", "lead_image_credit").defer(
            *(f.name for f in Article._meta.concrete_fields if isinstance(f, SearchVectorField))
        )


class Article(ArticleWorkflowMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"

    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    kicker = models.CharField(
        max_length=100, blank=True, help_text="A short label above the title, e.g. “Analysis”."
    )
    title = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=255,
        allow_unicode=True,
        blank=True,
        help_text="The last part of the article's address; unique within its section. "
        "Made from the title when left empty.",
    )
    dek = models.TextField(
        "dek", blank=True, help_text="The standfirst under the title; also the search snippet."
    )
    body = models.TextField(
        blank=True, help_text="Scripts, styles and unsafe links are removed when saved."
    )
    authors = models.ManyToManyField(Author, through="Byline", related_name="articles")
    lead_image = OrientedImageField(
        upload_to="lead/%Y/%m/",
        blank=True,
        width_field="lead_image_width",
        height_field="lead_image_height",
    )
    lead_image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    lead_image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    lead_image_alt = models.CharField(
        "alt text",
        max_length=300,
        blank=True,
        help_text="What the image shows, for readers who cannot see it. Required to publish.",
    )
    lead_image_caption = models.CharField("caption", max_length=500, blank=True)
    lead_image_credit = models.ForeignKey(
        ImageCredit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name="credit",
    )
    is_feature = models.BooleanField(
        "feature", default=False, help_text="Features appear in the “Recent features” sidebar."
    )
    is_pinned = models.BooleanField(
        "pin as lead story",
        default=False,
        help_text="Lead the home page with this story while it is published. "
        "When several are pinned, the newest wins.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="For readers to see this article it must be published and this time "
        "must have passed. A future time schedules it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    legacy_key = models.CharField(
        max_length=255,
        blank=True,
        editable=False,
        help_text="Identity of an imported article in its source, for idempotent re-imports.",
    )
    legacy_url = models.URLField(max_length=500, blank=True, editable=False)
    legacy_hash = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Fingerprint of the imported source record: a re-import with --update "
        "rewrites the article only when its source changed.",
    )
    revision = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Goes up by one on every save; an edit made on an older revision is refused.",
    )
    search_vector = SearchVectorField(
        null=True,
        editable=False,
        help_text="Title, dek, body and author names, weighted for full-text search on "
        "PostgreSQL; kept up to date by search.engine.refresh_search_vectors().",
    )
    search_rank_vector = SearchVectorField(
        null=True,
        editable=False,
        help_text="Title, dek, the body's opening and author names: the small vector "
        "search results are ranked by.",
    )

    objects = ArticleQuerySet.as_manager()
    # Every saved version, for the history page and restore (django-simple-history).
    history = HistoricalRecords(
        excluded_fields=[
            "created_by",
            "legacy_key",
            "legacy_url",
            "legacy_hash",
            "search_vector",
            "search_rank_vector",
        ]
    )

    class Meta:
        ordering = ["-published_at", "-pk"]
        permissions = [
            ("publish_article", "Can edit any article and publish, schedule or unpublish it"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "slug"],
                name="unique_article_slug_per_section",
                violation_error_message="Another article in this section has this slug.",
            ),
            models.UniqueConstraint(
                fields=["legacy_key"],
                condition=~models.Q(legacy_key=""),
                name="unique_article_legacy_key",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="published_article_has_date",
                violation_error_message="A published article needs a publication time.",
            ),
        ]
        indexes = [
            # Listings order by (published_at, id): indexes that end in id let
            # page 2,500 of a section walk the index instead of sorting 50,000 rows.
            models.Index(fields=["status", "-published_at", "-id"], name="article_status_pub_id"),
            models.Index(
                fields=["section", "status", "-published_at", "-id"], name="article_section_pub_id"
            ),
            models.Index(
                fields=["status", "-published_at", "-id"],
                condition=models.Q(is_feature=True),
                name="article_feature_pub_id",
            ),
            # The home page's lead story: without it, finding that no story is
            # pinned means reading every published row. (Ending in id, as the
            # ordering does, or SQLite prefers article_status_pub_id and does.)
            models.Index(
                fields=["status", "-published_at", "-id"],
                condition=models.Q(is_pinned=True),
                name="article_pinned_pub_id",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, expected_revision=None, **kwargs):
        """Save, moving `revision` up by one atomically.

        Pass the revision the edit started from as `expected_revision` to have
        the save refused with EditConflict if someone saved in between.
        """
        if not self.slug:
            self.slug = slugify(self.title, allow_unicode=True)[:255] or "article"
        self.body = sanitize_html(self.body)
        if self._state.adding or self.pk is None:
            super().save(*args, **kwargs)
            return
        with transaction.atomic(using=kwargs.get("using")):
            self.revision = self._claim_next_revision(expected_revision)
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "revision"}
            super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("reader:article", kwargs={"section": self.section.slug, "slug": self.slug})

    def is_published(self):
        """The instance mirror of ArticleQuerySet.published()."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    def is_scheduled(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    def was_updated(self):
        """Edited after it went out: readers see an "Updated" time.

        Saves within UPDATE_GRACE of publication (the publish itself, a quick
        typo fix) do not count, nor do those right after an article was entered
        with an earlier publication date (an import, a back-dated story).
        """
        if not self.published_at or not self.updated_at:
            return False
        went_out = max(self.published_at, self.created_at or self.published_at)
        return self.updated_at - went_out > UPDATE_GRACE


class Byline(models.Model):
    class Role(models.TextChoices):
        BY = "by", "By"
        ADDITIONAL_REPORTING = "additional_reporting", "Additional reporting by"
        PHOTOS = "photos", "Photos by"
        ILLUSTRATION = "illustration", "Illustration by"
        TRANSLATION = "translation", "Translated by"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    role = models.CharField(max_length=30, choices=Role.choices, default=Role.BY)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "author", "role"], name="unique_byline_per_role"
            )
        ]

    def __str__(self):
        return f"{self.get_role_display()} {self.author}"


def bylines_with_authors():
    """Prefetch of articles' bylines, in order, each with its author."""
    return models.Prefetch("bylines", queryset=Byline.objects.select_related("author"))


class Redirect(models.Model):
    """An old address of an article: a previous slug or section, or its legacy URL."""

    old_path = models.CharField(max_length=500, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_path"]

    def __str__(self):
        return f"{self.old_path} → {self.article}"

    def clean(self):
        # Editors paste addresses from the old site: keep the path, decoded as
        # readers' requests carry it (and as imports store it).
        raw = self.old_path.strip()
        if not raw.startswith("/") and "://" not in raw:
            raise ValidationError(
                {"old_path": "An address on this site, starting with /, e.g. /2019/05/old-story/."}
            )
        self.old_path = url_path(raw)
        if not self.old_path:
            raise ValidationError(
                {"old_path": "The home page, or an address with a query (?p=123), cannot redirect."}
            )
        if self.article_id and self.old_path == unquote(self.article.get_absolute_url()):
            raise ValidationError({"old_path": "This is the article's own address."})
