"""Sections: the magazine's departments, in navigation order. Articles point here;
this app imports nothing of theirs."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

# Top-level paths the site uses itself; a section with one of these slugs
# would be unreachable.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "authors",
        "search",
        "feeds",
        "feed",
        "media",
        "static",
        "preview",
        "sitemap.xml",
        "news-sitemap.xml",
        "robots.txt",
        "favicon.ico",
    }
)


def validate_not_reserved(value):
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(
            "“%(value)s” is used by the site itself; choose another slug.",
            params={"value": value},
        )


class Section(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(
        max_length=100,
        unique=True,
        allow_unicode=True,
        validators=[validate_not_reserved],
        help_text="The section's address on the site: /<slug>/. Changing it breaks old links.",
    )
    description = models.TextField(
        blank=True, help_text="Shown at the top of the section page and in search results."
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Order in the site navigation: lower numbers come first."
    )
    show_in_navigation = models.BooleanField(
        default=True, help_text="List this section in the site's main navigation."
    )

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("reader:section", kwargs={"slug": self.slug})

    def summary(self):
        """What the section page says of itself to search engines and link previews."""
        return self.description or (
            f"{self.name}: the latest articles in {settings.NEWSROOM_SITE_NAME}."
        )
