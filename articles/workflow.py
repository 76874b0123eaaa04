"""The editorial workflow: who may do what to an article, and its recorded history.

States: draft → in review → published (a future `published_at` means scheduled)
→ unpublished; in review (or unpublished) goes back to draft with a note.
Who may take which step is decided in articles.permissions.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.html import strip_tags

from . import permissions


class EditConflict(Exception):
    """The article was saved by someone else after this copy was loaded."""

    def __init__(self, article, expected_revision):
        self.article = article
        self.expected_revision = expected_revision
        super().__init__(
            f"“{article}” was saved by someone else after revision {expected_revision} was loaded."
        )


class ArticleEvent(models.Model):
    """One line of an article's history: a transition or an edit, who, when, why."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        SUBMITTED = "submitted", "Submitted for review"
        PUBLISHED = "published", "Published"
        SCHEDULED = "scheduled", "Scheduled"
        RETURNED = "returned", "Sent back to the writer"
        UNPUBLISHED = "unpublished", "Unpublished"
        RESTORED = "restored", "Restored an earlier version"

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    revision = models.PositiveIntegerField(help_text="The article's revision after this event.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()}: {self.article}"


# Fields an earlier version gives back when restored: the text, not the workflow state.
RESTORABLE_FIELDS = ["kicker", "title", "dek", "body", "lead_image_alt", "lead_image_caption"]


class ArticleWorkflowMixin:
    """Transitions and permission rules of Article; every one checks who asks."""

    # -- who may do what (the rules are in articles.permissions) -------------

    def is_owned_by(self, user):
        return permissions.is_owner(user, self)

    def can_edit(self, user):
        return permissions.can_edit(user, self)

    def can_delete(self, user):
        return permissions.can_delete(user, self)

    def available_transitions(self, user):
        """Names of the transitions `user` may try now (requirements are checked on the try)."""
        return permissions.transitions(user, self)

    # -- rules -------------------------------------------------------------

    def publication_problems(self):
        """What must be fixed before readers may see this article (empty when ready)."""
        problems = []
        if not self.title.strip():
            problems.append("It needs a title.")
        if not self.section_id:
            problems.append("It needs a section.")
        if not self.pk or not self.bylines.exists():
            problems.append("It needs at least one byline.")
        if not strip_tags(self.body or "").strip() and "<img" not in (self.body or ""):
            problems.append("It needs a body.")
        if self.lead_image:
            if not self.lead_image_alt.strip():
                problems.append("The lead image needs alt text.")
            if not self.lead_image_credit_id:
                problems.append("The lead image needs a credit.")
        return problems

    def check_publishable(self):
        if problems := self.publication_problems():
            raise ValidationError(problems)

    def _require_editor(self, user, doing):
        if not permissions.is_editor(user):
            raise PermissionDenied(f"Only editors may {doing} articles.")

    def _require_status(self, allowed, doing):
        if self.status not in allowed:
            raise ValidationError(
                f"A{'n' if self.status[0] in 'aeiou' else ''} {self.get_status_display().lower()} "
                f"article cannot be {doing}."
            )

    # -- transitions -------------------------------------------------------

    # Each saves the article once, with whatever else was changed on it: pass
    # `expected_revision` (the revision an edit started from) to have the save
    # refused with EditConflict if someone saved in between.

    def submit_for_review(self, user, note="", *, expected_revision=None):
        if not self.can_edit(user):
            raise PermissionDenied("You may only submit your own drafts.")
        self._require_status([self.Status.DRAFT], "submitted for review")
        self._transition(
            user, self.Status.IN_REVIEW, ArticleEvent.Action.SUBMITTED, note, expected_revision
        )

    def publish(self, user, note="", *, expected_revision=None):
        """Publish now. A scheduled article goes live at once."""
        self._require_editor(user, "publish")
        if self.is_published():
            raise ValidationError("This article is already published.")
        self.check_publishable()
        now = timezone.now()
        # Republishing after a correction keeps the original date.
        published_at = self.published_at if self.published_at and self.published_at <= now else now
        self._transition(
            user,
            self.Status.PUBLISHED,
            ArticleEvent.Action.PUBLISHED,
            note,
            expected_revision,
            published_at=published_at,
        )

    def schedule(self, user, when, note="", *, expected_revision=None):
        """Publish at `when`: readers see it from then on, with no job to run."""
        self._require_editor(user, "schedule")
        if self.is_published():
            raise ValidationError("This article is already live; unpublish it first.")
        if when is None or when <= timezone.now():
            raise ValidationError(
                "To schedule, set a publication time in the future; "
                "to publish at once, use “Publish now”."
            )
        self.check_publishable()
        self._transition(
            user,
            self.Status.PUBLISHED,
            ArticleEvent.Action.SCHEDULED,
            note,
            expected_revision,
            published_at=when,
        )

    def return_to_draft(self, user, note, *, expected_revision=None):
        """Send back to the writer, with a note saying what to change."""
        self._require_editor(user, "send back")
        self._require_status([self.Status.IN_REVIEW, self.Status.UNPUBLISHED], "sent back")
        if not note.strip():
            raise ValidationError("Add a note telling the writer what to change.")
        self._transition(
            user, self.Status.DRAFT, ArticleEvent.Action.RETURNED, note, expected_revision
        )

    def unpublish(self, user, note="", *, expected_revision=None):
        """Take the article away from readers (or cancel its schedule)."""
        self._require_editor(user, "unpublish")
        self._require_status([self.Status.PUBLISHED], "unpublished")
        self._transition(
            user, self.Status.UNPUBLISHED, ArticleEvent.Action.UNPUBLISHED, note, expected_revision
        )

    def restore_version(self, user, version):
        """Bring back the text of an earlier saved version (a simple-history record)."""
        if version.id != self.pk:
            raise ValidationError("That version belongs to another article.")
        if not self.can_edit(user):
            raise PermissionDenied("You may not edit this article.")
        for name in RESTORABLE_FIELDS:
            setattr(self, name, getattr(version, name))
        self._history_user = user
        self._change_reason = f"Restored revision {version.revision}"
        with transaction.atomic():
            self.save(expected_revision=self.revision)
            self.record_event(
                user, ArticleEvent.Action.RESTORED, note=f"Restored revision {version.revision}."
            )

    def record_event(self, user, action, *, note="", from_status="", to_status=""):
        return ArticleEvent.objects.create(
            article=self,
            actor=user if user and user.is_authenticated else None,
            action=action,
            from_status=from_status,
            to_status=to_status or self.status,
            note=note,
            revision=self.revision,
        )

    def _transition(self, user, to_status, action, note, expected_revision=None, **changes):
        before = {"status": self.status, **{name: getattr(self, name) for name in changes}}
        self.status = to_status
        for name, value in changes.items():
            setattr(self, name, value)
        self._history_user = user
        self._change_reason = ArticleEvent.Action(action).label
        try:
            with transaction.atomic():
                self.save(
                    expected_revision=self.revision
                    if expected_revision is None
                    else expected_revision
                )
                self.record_event(
                    user, action, note=note, from_status=before["status"], to_status=to_status
                )
        except Exception:
            for name, value in before.items():
                setattr(self, name, value)
            raise

    # -- optimistic concurrency ---------------------------------------------

    def _claim_next_revision(self, expected_revision):
        """Bump the stored revision atomically and return the new number.

        With `expected_revision`, the UPDATE only matches while the row is still
        at that revision: a concurrent writer either already moved it (no row
        matches: EditConflict) or holds the row lock until it commits, after
        which PostgreSQL re-checks the condition and finds it false.
        """
        rows = type(self)._base_manager.filter(pk=self.pk)
        if expected_revision is None:
            rows.update(revision=F("revision") + 1)
            return rows.values_list("revision", flat=True).get()
        if not rows.filter(revision=expected_revision).update(revision=F("revision") + 1):
            raise EditConflict(self, expected_revision)
        return expected_revision + 1
