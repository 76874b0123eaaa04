"""Admin forms: the article editor, checked image uploads, credits made by typing."""

from dataclasses import dataclass

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.utils.html import strip_tags
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget

from .models import Article, ImageCredit
from .sanitize import check_html, sanitize_html
from .validators import stored_name, validate_image_file

# What the body editor offers; the server's sanitizer (articles.sanitize) has the last word.
BODY_EDITOR = {
    "extensions": {
        "Bold": True,
        "Italic": True,
        "Heading": {"levels": [2, 3, 4]},
        "BulletList": True,
        "OrderedList": True,
        "ListItem": True,
        "Blockquote": True,
        "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
        "Figure": True,
        "Caption": True,
        "Image": True,
        "HardBreak": True,
        "HorizontalRule": True,
        "History": True,
        "HTML": True,
    }
}


def body_field(**kwargs):
    kwargs.setdefault("required", False)
    return ProseEditorFormField(config=BODY_EDITOR, widget=AdminProseEditorWidget, **kwargs)


class ImageUploadField(forms.ImageField):
    """An ImageField whose upload is checked for type, size and pixel count first."""

    def to_python(self, data):
        if data not in self.empty_values and hasattr(data, "seek"):
            image_format = validate_image_file(data)
            data.name = stored_name(data.name, image_format)
        return super().to_python(data)


class CreditSelect(AutocompleteSelect):
    """Credit autocomplete that also takes a new name typed in (Select2's "tags")."""

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs["data-tags"] = "true"
        return attrs

    def optgroups(self, name, value, attrs=None):
        typed = [v for v in value if v and not str(v).isdigit()]
        groups = super().optgroups(name, [v for v in value if v not in typed], attrs)
        for index, label in enumerate(typed, start=len(groups)):
            groups.append((None, [self.create_option(name, label, label, True, index)], index))
        return groups


class CreditField(forms.ModelChoiceField):
    """A credit chosen by id, or typed by name: an unknown name becomes a new credit.

    The new credit is returned unsaved; the admin saves it with the article.
    """

    allow_create = True

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if str(value).isdigit():
            return super().to_python(value)
        name = " ".join(str(value).split())[:200]
        existing = self.queryset.filter(name__iexact=name).first()
        if existing:
            return existing
        if not self.allow_create:
            raise ValidationError("Choose an existing credit; only editors add new ones.")
        return ImageCredit(name=name)


@dataclass
class FieldChange:
    label: str
    theirs: str
    yours: str


def _display(value):
    if value is None or value == "":
        return "—"
    if hasattr(value, "name") and hasattr(value, "url"):  # a file
        return value.name or "—"
    return strip_tags(str(value)) if isinstance(value, str) else str(value)


class ArticleForm(forms.ModelForm):
    loaded_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    workflow_note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the article's history with the next action; "
        "required when sending the article back to the writer.",
    )

    # Set by the admin to the user filling the form in.
    user = None

    class Meta:
        model = Article
        fields = [
            "section",
            "kicker",
            "title",
            "slug",
            "dek",
            "body",
            "lead_image",
            "lead_image_alt",
            "lead_image_caption",
            "lead_image_credit",
            "is_feature",
            "is_pinned",
            "published_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = []
        self.conflict_with = None
        if "loaded_revision" in self.fields and self.instance.pk:
            self.fields["loaded_revision"].initial = self.instance.revision
        credit = self.fields.get("lead_image_credit")
        if isinstance(credit, CreditField) and self.user is not None:
            credit.allow_create = self.user.has_perm("articles.add_imagecredit")

    def clean_body(self):
        body = self.cleaned_data.get("body") or ""
        check_html(body)  # before anything parses it: see articles.sanitize
        return body

    def clean(self):
        cleaned_data = super().clean()
        loaded = cleaned_data.get("loaded_revision")
        if self.instance.pk and loaded is not None:
            current = Article.objects.filter(pk=self.instance.pk).first()
            if current and current.revision != loaded:
                self._report_conflict(current, cleaned_data)
        return cleaned_data

    def _report_conflict(self, current, cleaned_data):
        """Refuse the save and show, field by field, their version against this one."""
        for name, field in self.fields.items():
            if name in ("loaded_revision", "workflow_note") or name not in cleaned_data:
                continue
            theirs = getattr(current, name)
            yours = cleaned_data[name]
            if name == "body":
                yours = sanitize_html(yours or "")
            if hasattr(theirs, "pk") or hasattr(yours, "pk"):
                same = getattr(theirs, "pk", None) == getattr(yours, "pk", None) and not (
                    yours is not None and yours.pk is None
                )
            elif name == "lead_image":
                same = yours in (None, theirs) or getattr(yours, "name", None) == theirs.name
            else:
                same = (theirs or "") == (yours or "")
            if not same:
                label = str(field.label or name)
                self.conflict.append(FieldChange(label, _display(theirs), _display(yours)))
        self.conflict_with = current.events.select_related("actor").first()
        # Re-render with the current revision: saving again, now knowingly, replaces theirs.
        self.data = self.data.copy()
        self.data[self.add_prefix("loaded_revision")] = current.revision
        raise ValidationError(
            "Someone else saved this article while you were editing it (it is now at "
            "revision %(theirs)s; you started from revision %(yours)s). Nothing was "
            "saved. Compare the versions below: save again to replace theirs with "
            "yours, or reload the page to start from theirs.",
            code="edit_conflict",
            params={"theirs": current.revision, "yours": cleaned_data["loaded_revision"]},
        )
