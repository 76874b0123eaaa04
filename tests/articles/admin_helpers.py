"""Building admin form posts for articles, shared by the admin and permission tests."""

from django.urls import reverse
from django.utils import timezone

from articles.models import Author
from tests.factories import make_article, make_author


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


ADD_URL = "/admin/articles/article/add/"


def own_article(user, **kwargs):
    """An article with `user`'s byline (a draft unless told otherwise)."""
    author = Author.objects.filter(user=user).first() or make_author(user=user)
    kwargs.setdefault("status", "draft")
    return make_article(authors=[author], created_by=user, **kwargs)


def form_data(article=None, *, new_authors=(), **overrides):
    """The POST the change form sends for `article` (or for a new one), with overrides."""
    bylines = list(article.bylines.all()) if article else []
    total = len(bylines) + len(new_authors)
    data = {
        "section": article.section_id if article else "",
        "kicker": article.kicker if article else "",
        "title": article.title if article else "",
        "slug": article.slug if article else "",
        "dek": article.dek if article else "",
        "body": article.body if article else "",
        "lead_image_alt": article.lead_image_alt if article else "",
        "lead_image_caption": article.lead_image_caption if article else "",
        "lead_image_credit": (article.lead_image_credit_id or "") if article else "",
        "workflow_note": "",
        "bylines-TOTAL_FORMS": total,
        "bylines-INITIAL_FORMS": len(bylines),
        "bylines-MIN_NUM_FORMS": 0,
        "bylines-MAX_NUM_FORMS": 1000,
    }
    if article:
        data["loaded_revision"] = article.revision
        if article.is_feature:
            data["is_feature"] = "on"
        if article.published_at:
            local = timezone.localtime(article.published_at)
            data["published_at_0"] = local.strftime("%Y-%m-%d")
            data["published_at_1"] = local.strftime("%H:%M:%S")
    for i, byline in enumerate(bylines):
        data[f"bylines-{i}-id"] = byline.pk
        data[f"bylines-{i}-article"] = article.pk
        data[f"bylines-{i}-author"] = byline.author_id
        data[f"bylines-{i}-role"] = byline.role
        data[f"bylines-{i}-position"] = byline.position
    for i, author in enumerate(new_authors, start=len(bylines)):
        data[f"bylines-{i}-author"] = author.pk
        data[f"bylines-{i}-role"] = "by"
        data[f"bylines-{i}-position"] = i
    data.update(overrides)
    return data


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []
