"""The authoring UI: articles with their workflow buttons, history and restore;
authors, credits, redirects and the event log."""

import difflib
import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, strip_tags

from . import sharing
from .forms import ArticleForm, CreditField, CreditSelect, ImageUploadField, body_field
from .models import Article, ArticleEvent, Author, Byline, EditConflict, ImageCredit, Redirect
from .permissions import editable_by, is_editor

admin.site.site_header = admin.site.site_title = "Newsroom"
admin.site.index_title = "Newsroom administration"
# The article list needs the width more than a second navigation does.
admin.site.enable_nav_sidebar = False

BLOCK_END = re.compile(r"</(?:p|h\d|li|blockquote|figcaption|pre)>|<br\s*/?>", re.IGNORECASE)

# Button label, CSS class and success message of each workflow transition.
TRANSITIONS = {
    "submit": ("Submit for review", "", "Submitted “{}” for review."),
    "publish": ("Publish now", "default", "Published “{}”: readers can see it now."),
    "schedule": ("Schedule", "default", "Scheduled “{}” for {}."),
    "return": ("Send back to writer", "", "Sent “{}” back to the writer."),
    "unpublish": ("Unpublish", "deletelink-box", "Unpublished “{}”: readers no longer see it."),
}


def run_transition(article, name, user, note="", *, expected_revision=None):
    """Run transition `name`; returns the success message (errors propagate)."""
    kwargs = {"expected_revision": expected_revision}
    if name == "submit":
        article.submit_for_review(user, note, **kwargs)
    elif name == "publish":
        article.publish(user, note, **kwargs)
    elif name == "schedule":
        article.schedule(user, article.published_at, note, **kwargs)
    elif name == "return":
        article.return_to_draft(user, note, **kwargs)
    elif name == "unpublish":
        article.unpublish(user, note, **kwargs)
    else:
        raise ValidationError(f"Unknown action “{name}”.")
    message = TRANSITIONS[name][2]
    if name == "schedule":
        return message.format(
            article, date_format(timezone.localtime(article.published_at), "DATETIME_FORMAT")
        )
    return message.format(article)


def error_text(error):
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "You may not do that."


def status_badge(article):
    if article.is_scheduled():
        label, css = "Scheduled", "scheduled"
    else:
        label, css = article.get_status_display(), article.status
    return format_html('<span class="status-badge status-{}">{}</span>', css, label)


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 1
    fields = ["position", "author", "role"]
    autocomplete_fields = ["author"]
    verbose_name_plural = "Bylines (in the order readers see them)"

    def _article_editable(self, request, obj):
        return obj is None or obj.can_edit(request.user)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._article_editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._article_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._article_editable(request, obj)


class AuthorListFilter(admin.SimpleListFilter):
    title = "author"
    parameter_name = "author"

    def lookups(self, request, model_admin):
        return Author.objects.filter(bylines__isnull=False).distinct().values_list("pk", "name")

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(bylines__author_id=self.value()).distinct()
        return queryset


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    list_display = [
        "title_with_kicker",
        "section",
        "status_column",
        "byline_list",
        "publication",
        "is_feature",
        "updated",
    ]
    list_display_links = ["title_with_kicker"]
    list_filter = ["status", "section", AuthorListFilter, "is_feature", "published_at"]
    search_fields = ["title", "dek", "body", "authors__name"]
    date_hierarchy = "published_at"
    list_per_page = 50
    list_select_related = ["section"]
    ordering = ["-updated_at", "-pk"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["section"]
    inlines = [BylineInline]
    actions = ["publish_selected", "unpublish_selected"]
    fieldsets = [
        (
            None,
            {"fields": ["section", "kicker", "title", "slug", "dek", "body", "loaded_revision"]},
        ),
        (
            "Lead image",
            {
                "fields": [
                    "lead_image",
                    "lead_image_preview",
                    "lead_image_alt",
                    "lead_image_caption",
                    "lead_image_credit",
                ]
            },
        ),
        ("Placement", {"fields": ["is_feature", "is_pinned"]}),
        ("Publishing", {"fields": ["current_status", "published_at", "workflow_note"]}),
    ]
    # Fieldsets shown before the bylines inline; the rest follow it.
    fieldsets_before_inlines = 2

    def view_on_site(self, article):
        # Only what readers can see has a page on the site; "Preview" covers the rest.
        return article.get_absolute_url() if article.is_published() else None

    # -- change list -------------------------------------------------------

    @admin.display(description="Title", ordering="title")
    def title_with_kicker(self, article):
        if article.kicker:
            return format_html('<span class="kicker">{}</span> {}', article.kicker, article.title)
        return article.title

    @admin.display(description="Status", ordering="status")
    def status_column(self, article):
        return status_badge(article)

    @admin.display(description="Bylines")
    def byline_list(self, article):
        return ", ".join(byline.author.name for byline in article.bylines.all())

    @admin.display(description="Published / scheduled", ordering="published_at")
    def publication(self, article):
        if not article.published_at:
            return "—"
        when = date_format(timezone.localtime(article.published_at), "DATETIME_FORMAT")
        if article.is_scheduled():
            return format_html('<span class="scheduled-time">Scheduled for {}</span>', when)
        return when

    @admin.display(description="Updated", ordering="updated_at")
    def updated(self, article):
        return date_format(timezone.localtime(article.updated_at), "DATETIME_FORMAT")

    # -- change form -------------------------------------------------------

    @admin.display(description="Preview")
    def lead_image_preview(self, article):
        if not article.lead_image:
            return "No lead image yet."
        return format_html(
            '<img src="{}" alt="{}" class="lead-image-preview" width="320">'
            '<br><span class="help">{} × {} pixels</span>',
            article.lead_image.url,
            article.lead_image_alt,
            article.lead_image_width or "?",
            article.lead_image_height or "?",
        )

    @admin.display(description="Status")
    def current_status(self, article):
        if not article.pk:
            return status_badge(Article(status=Article.Status.DRAFT))
        return status_badge(article)

    def get_readonly_fields(self, request, obj=None):
        fields = ["lead_image_preview", "current_status"]
        if not is_editor(request.user):
            fields += ["published_at", "is_pinned"]
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in ("title", "dek"):
            kwargs["widget"] = forms.TextInput(attrs={"class": "vLargeTextField"})
            if db_field.name == "dek":
                kwargs["widget"] = forms.Textarea(attrs={"class": "vLargeTextField", "rows": 3})
        if db_field.name == "body":
            return body_field(label="Body", help_text=db_field.help_text)
        if db_field.name == "lead_image":
            field = super().formfield_for_dbfield(db_field, request, **kwargs)
            return ImageUploadField(
                required=False,
                widget=field.widget,
                label=field.label,
                help_text="JPEG, PNG, WebP or GIF. Checked by its content, not its name.",
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "lead_image_credit":
            return CreditField(
                queryset=ImageCredit.objects.all(),
                required=False,
                label="Credit",
                widget=CreditSelect(db_field, self.admin_site),
                help_text="Type to find a credit; a new name creates it. Required to publish "
                "with a lead image.",
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # -- permissions -------------------------------------------------------

    def get_queryset(self, request):
        articles = (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("bylines", queryset=Byline.objects.select_related("author")))
        )
        return editable_by(request.user, articles)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.can_edit(request.user))

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # An article's events go with it: nobody may delete events on their own
        # (ArticleEventAdmin), and deleting the article is governed by the rules
        # above. Its text history stays with django-simple-history.
        perms_needed.discard(ArticleEvent._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.can_delete(request.user))

    def has_publish_permission(self, request):
        return is_editor(request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not is_editor(request.user):
            # Bulk deletion checks no article-level rule; writers delete one draft at a time.
            actions.pop("delete_selected", None)
        return actions

    # -- saving ------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        credit = obj.lead_image_credit
        if credit is not None and credit.pk is None:
            obj.lead_image_credit, _ = ImageCredit.objects.get_or_create_by_name(credit.name)
        if not change:
            obj.created_by = request.user
        obj._history_user = request.user
        if change and request.POST.get("_workflow"):
            # Saved once, by the workflow step, when the bylines are in (save_related).
            return
        if change and not self._edited(form):
            # Nothing to save: no new revision, so share links and the
            # revision other editors opened stay good.
            return
        obj.save(expected_revision=self._loaded_revision(form, change))

    def _edited(self, form):
        """Whether the form changes anything that is stored (the note and the
        loaded revision are not)."""
        return bool(set(form.changed_data) - {"workflow_note", "loaded_revision"})

    def _loaded_revision(self, form, change):
        return form.cleaned_data.get("loaded_revision") if change else None

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        if not change:
            article.record_event(request.user, ArticleEvent.Action.CREATED)
        if name := request.POST.get("_workflow"):
            request._workflow_outcome = self._run_workflow(request, form, formsets, change, name)
        elif change:
            self._record_edit(request, form, formsets)

    def _run_workflow(self, request, form, formsets, change, name):
        """The workflow step the editor clicked, saving the form's changes with it
        (one revision, one history row). Refused, the changes are saved alone."""
        article = form.instance
        expected = self._loaded_revision(form, change)
        note = request.POST.get("workflow_note", "")
        try:
            return messages.SUCCESS, run_transition(
                article, name, request.user, note, expected_revision=expected
            )
        except (ValidationError, PermissionDenied) as error:
            if change:
                article.save(expected_revision=expected)
                self._record_edit(request, form, formsets)
            return messages.ERROR, f"Your changes were saved, but: {error_text(error)}"

    def _record_edit(self, request, form, formsets):
        article = form.instance
        changed = [str(form.fields[name].label) for name in form.changed_data]
        changed = [label for label in changed if label not in ("None", "Note")]
        if any(formset.has_changed() for formset in formsets):
            changed.append("Bylines")
        if changed:
            article.record_event(
                request.user, ArticleEvent.Action.EDITED, note="Changed " + ", ".join(changed) + "."
            )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        article = self.get_object(request, unquote(object_id)) if object_id else None
        if article is not None:
            extra_context["workflow_buttons"] = [
                (name, *TRANSITIONS[name][:2])
                for name in article.available_transitions(request.user)
            ]
            extra_context["preview_url"] = reverse("reader:preview", args=[article.pk])
            extra_context["share_url"] = request.build_absolute_uri(sharing.share_url(article))
            extra_context["share_days"] = sharing.link_max_age().days
        elif request.user.has_perm("articles.add_article"):
            extra_context["workflow_buttons"] = [("submit", *TRANSITIONS["submit"][:2])]
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except EditConflict:
            # Saved by someone else between our check and our write: nothing was kept.
            messages.error(
                request,
                "Someone else saved this article at the same moment, so your changes were "
                "not saved. This is their version; please make your changes again.",
            )
            return HttpResponseRedirect(request.path)

    def render_change_form(self, request, context, *args, **kwargs):
        form = context["adminform"].form
        context["edit_conflict"] = getattr(form, "conflict", None)
        context["edit_conflict_with"] = getattr(form, "conflict_with", None)
        context["has_conflict"] = bool(form.errors) and any(
            e.code == "edit_conflict" for e in form.non_field_errors().as_data()
        )
        context["fieldsets_before_inlines"] = self.fieldsets_before_inlines
        return super().render_change_form(request, context, *args, **kwargs)

    def _after_save(self, request, obj, default_response):
        outcome = getattr(request, "_workflow_outcome", None)
        if outcome is None:
            return default_response
        level, message = outcome
        self.message_user(request, message, level)
        url = reverse("admin:articles_article_change", args=[obj.pk])
        if not obj.can_edit(request.user) and not self.has_view_permission(request, obj):
            url = reverse("admin:articles_article_changelist")
        return HttpResponseRedirect(url)

    def response_add(self, request, obj, post_url_continue=None):
        return self._after_save(request, obj, super().response_add(request, obj, post_url_continue))

    def response_change(self, request, obj):
        return self._after_save(request, obj, super().response_change(request, obj))

    # -- list actions ------------------------------------------------------

    def _bulk(self, request, queryset, name, verb):
        done, failed = 0, []
        for article in queryset:
            try:
                run_transition(article, name, request.user)
                done += 1
            except (ValidationError, PermissionDenied, EditConflict) as error:
                failed.append(f"“{article}”: {error_text(error)}")
        if done:
            self.message_user(
                request, f"{verb} {done} article{'s' if done != 1 else ''}.", messages.SUCCESS
            )
        for failure in failed:
            self.message_user(request, f"Not {verb.lower()} {failure}", messages.ERROR)

    @admin.action(description="Publish selected articles now", permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._bulk(request, queryset, "publish", "Published")

    @admin.action(description="Unpublish selected articles", permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        self._bulk(request, queryset, "unpublish", "Unpublished")

    # -- history and restore -------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<path:object_id>/history/<int:history_id>/",
                self.admin_site.admin_view(self.version_view),
                name="articles_article_version",
            ),
            path(
                "<path:object_id>/history/<int:history_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="articles_article_restore",
            ),
            *super().get_urls(),
        ]

    def _article_or_404(self, request, object_id):
        article = self.get_object(request, unquote(object_id))
        if article is None or not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        return article

    def history_view(self, request, object_id, extra_context=None):
        article = self.get_object(request, unquote(object_id))
        if article is not None:
            extra_context = {
                **(extra_context or {}),
                "events": article.events.select_related("actor"),
                "versions": article.history.select_related("history_user")[:100],
                "can_restore": article.can_edit(request.user),
            }
        return super().history_view(request, object_id, extra_context)

    def version_view(self, request, object_id, history_id):
        article = self._article_or_404(request, object_id)
        version = get_object_or_404(article.history.all(), history_id=history_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "article": article,
            "version": version,
            "title": f"Revision {version.revision} of “{article}”",
            "can_restore": article.can_edit(request.user),
            "diff": text_diff(version, article),
        }
        return TemplateResponse(request, "admin/articles/article/version.html", context)

    def restore_view(self, request, object_id, history_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_or_404(request, object_id)
        version = get_object_or_404(article.history.all(), history_id=history_id)
        try:
            article.restore_version(request.user, version)
        except (ValidationError, PermissionDenied, EditConflict) as error:
            self.message_user(request, f"Not restored: {error_text(error)}", messages.ERROR)
        else:
            self.message_user(
                request, f"Restored the text of revision {version.revision}.", messages.SUCCESS
            )
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))


def text_lines(html):
    """The text of some HTML, one line per paragraph, heading or list item."""
    text = strip_tags(BLOCK_END.sub("\n", html or ""))
    return [line.strip() for line in text.splitlines() if line.strip()]


def text_diff(old, new):
    """Line by line differences of the text fields, for the version page."""
    rows = []
    for name in ["kicker", "title", "dek", "body"]:
        before = text_lines(getattr(old, name))
        after = text_lines(getattr(new, name))
        if before == after:
            continue
        for line in difflib.ndiff(before, after):
            if line[:1] in "+- ":
                rows.append((name, {"+": "added", "-": "removed", " ": "same"}[line[0]], line[2:]))
    return rows


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "slug", "user", "article_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]
    list_select_related = ["user"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "photo":
            field = super().formfield_for_dbfield(db_field, request, **kwargs)
            return ImageUploadField(required=False, widget=field.widget, label=field.label)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        # Aggregation drops Meta.ordering; autocomplete pagination needs an order.
        articles = Count("articles", distinct=True)
        return super().get_queryset(request).annotate(_article_count=articles).order_by("name")

    @admin.display(description="Articles", ordering="_article_count")
    def article_count(self, author):
        return author._article_count


@admin.register(ImageCredit)
class ImageCreditAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "kind", "url", "usage_count"]
    list_filter = ["kind"]
    search_fields = ["name"]

    def get_queryset(self, request):
        usage = Count("articles")
        return super().get_queryset(request).annotate(_usage_count=usage).order_by("name")

    @admin.display(description="Used by", ordering="_usage_count")
    def usage_count(self, credit):
        return credit._usage_count


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    """Old addresses that answer with a 301 to an article's current one. Imports
    and moves make them; editors correct them or add one for a link in the wild."""

    list_display = ["old_path", "article", "created_at"]
    list_select_related = ["article"]
    search_fields = ["old_path", "article__title"]
    autocomplete_fields = ["article"]


@admin.register(ArticleEvent)
class ArticleEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "article", "action", "actor", "from_status", "to_status"]
    list_filter = ["action"]
    list_select_related = ["article", "actor"]
    search_fields = ["article__title", "note"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@staff_member_required
def view_on_site(request, content_type_id, object_id):
    """The admin's /admin/r/<ct>/<pk>/ redirect, which Django answers for any
    object with an address: an article's address only once readers may see
    it, so that no staff member learns where another writer's draft will be."""
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    if content_type.model_class() is Article:
        article = get_object_or_404(Article, pk=object_id)
        if not article.is_published():
            raise Http404("This article is not published; use its preview.")
    return shortcut(request, content_type_id, object_id)
