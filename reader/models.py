"""The reader site's own state: the content version its caches are keyed on."""

from django.db import models
from django.utils import timezone


class ContentVersion(models.Model):
    """A single row naming the current state of everything readers see.

    Cached pages and fragments are keyed on `version`, so bumping it retires
    them all at once, in every process and on every host. `next_publish_at`
    is when the next scheduled article goes live: nothing is saved at that
    moment, so readers of the version bump it themselves once it has passed.
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
