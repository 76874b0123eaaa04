"""The reader site's own state: the content changes its caches are judged by."""

from django.db import models
from django.utils import timezone


class ContentVersion(models.Model):
    """A single row: the newest ContentChange (`version`), and when the next
    scheduled article goes live (`next_publish_at`). Nothing is saved at that
    moment, so the first process to see it has passed records the change.
    """

    version = models.PositiveBigIntegerField(default=1)
    next_publish_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # Created by the articles app before the reader app existed; the table
        # keeps its name (see reader/migrations/0001_initial.py).
        db_table = "articles_contentversion"

    def __str__(self):
        return f"content version {self.version}"


class ContentChange(models.Model):
    """One committed change to what readers see, with the keys it touched.

    Cached pages and fragments record the keys they were built from and the
    change they were built after; a later change touching one of their keys
    retires them (reader.cache). Rows are pruned after a few hours.
    """

    keys = models.TextField(help_text="Space-separated, e.g. “article:12 section:3 latest”.")
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"change {self.pk}: {self.keys}"
