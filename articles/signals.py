"""What happens around a save, outside `save()` itself (connected in apps.py).

- Any change to what readers see is reported as a content change
  (articles.events), with what it touches, sent once the transaction commits.
- An article whose address changes keeps its old one as a Redirect, in the
  same transaction as the change.
- A new lead image or author photo gets its renditions once committed.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from sections.models import Section

from . import events
from .addresses import article_path
from .images import make_lead_renditions, make_square_renditions
from .models import Article, Author, Byline, ImageCredit, Redirect

# Statuses whose address readers may have seen (or were about to: scheduled).
ONCE_PUBLIC = {Article.Status.PUBLISHED, Article.Status.UNPUBLISHED}

# -- content changes -----------------------------------------------------------


# What decides an article's place in listings: where, when, whether, how featured.
LISTING_FIELDS = ("status", "section_id", "published_at", "is_feature", "is_pinned", "slug")


def remember_article(sender, instance, raw=False, **kwargs):
    """Before a save: what readers could see of the article (see article_changed)."""
    if raw or instance._state.adding or instance.pk is None:
        return
    instance._seen_before_save = (
        Article._base_manager.filter(pk=instance.pk).values(*LISTING_FIELDS).first()
    )


def article_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    before = instance.__dict__.pop("_seen_before_save", None)
    now = {name: getattr(instance, name) for name in LISTING_FIELDS}
    deleted = "signal" in kwargs and kwargs["signal"] is post_delete
    listed = deleted or before != now
    before = before or dict.fromkeys(LISTING_FIELDS)
    visible = Article.Status.PUBLISHED in (before["status"], instance.status)
    author_ids = (
        # A deleted article's bylines are gone already: its authors' pages
        # changed with them (byline_changed).
        list(instance.bylines.values_list("author_id", flat=True)) if visible and listed else ()
    )
    events.changed(
        *events.article_keys(
            instance.pk,
            section_ids={before["section_id"], instance.section_id} - {None},
            author_ids=author_ids,
            visible=visible,
            listed=listed,
            feature=bool(before["is_feature"] or instance.is_feature),
        )
    )


def byline_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    article = Article._base_manager.filter(pk=instance.article_id).only(
        "status", "section_id", "is_feature"
    )
    article = article.first()
    events.changed(
        events.author_articles_key(instance.author_id),
        *events.article_keys(
            instance.article_id,
            section_ids=[article.section_id] if article else (),
            visible=bool(article) and article.status == Article.Status.PUBLISHED,
            feature=bool(article) and article.is_feature,
        ),
    )


def row_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        events.changed(*CHANGE_KEYS[sender](instance))


# What a saved or deleted row of the other models changes.
CHANGE_KEYS = {
    Author: lambda author: (events.author_key(author.pk), events.AUTHORS),
    Section: lambda section: (events.section_key(section.pk), events.SECTIONS),
    ImageCredit: lambda credit: (events.credit_key(credit.pk),),
    Redirect: lambda redirect: (events.REDIRECTS,),
}


def bylines_changed(sender, instance, pk_set=None, **kwargs):
    if kwargs["action"].startswith("post_"):
        events.changed(events.article_key(instance.pk), events.LATEST)


# -- old addresses -------------------------------------------------------------


def remember_address(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not {"slug", "section"} & set(update_fields):
        return
    instance._address_before_save = (
        Article._base_manager.filter(pk=instance.pk)
        .values_list("section__slug", "slug", "status")
        .first()
    )


def keep_old_address(sender, instance, raw=False, **kwargs):
    before = instance.__dict__.pop("_address_before_save", None)
    if raw or before is None:
        return
    section_slug, slug, status = before
    old_path = article_path(section_slug, slug)
    new_path = article_path(instance.section.slug, instance.slug)
    if old_path == new_path:
        return
    if status in ONCE_PUBLIC:
        Redirect.objects.update_or_create(old_path=old_path, defaults={"article": instance})
    # Back at an address it once left: that redirect would now point at itself.
    Redirect.objects.filter(old_path=new_path, article=instance).delete()


def remember_section_slug(sender, instance, raw=False, **kwargs):
    if raw or instance._state.adding or instance.pk is None:
        return
    instance._slug_before_save = (
        Section.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()
    )


def keep_old_section_addresses(sender, instance, raw=False, **kwargs):
    """A renamed section keeps its articles' old addresses working."""
    old_slug = instance.__dict__.pop("_slug_before_save", None)
    if raw or old_slug is None or old_slug == instance.slug:
        return
    articles = instance.articles.filter(status__in=ONCE_PUBLIC).values_list("pk", "slug")
    Redirect.objects.bulk_create(
        [Redirect(old_path=article_path(old_slug, slug), article_id=pk) for pk, slug in articles],
        ignore_conflicts=True,
    )
    events.changed(events.REDIRECTS)


# -- renditions ----------------------------------------------------------------


def lead_image_saved(sender, instance, raw=False, **kwargs):
    if raw or not instance.lead_image:
        return
    image = instance.lead_image

    def make_renditions():
        make_lead_renditions(image)

    transaction.on_commit(make_renditions, robust=True)


def author_photo_saved(sender, instance, raw=False, **kwargs):
    if raw or not instance.photo:
        return
    photo = instance.photo

    def make_renditions():
        make_square_renditions(photo)

    transaction.on_commit(make_renditions, robust=True)


def connect():
    pre_save.connect(remember_article, sender=Article, dispatch_uid="articles.remember_article")
    post_save.connect(article_changed, sender=Article, dispatch_uid="articles.article_saved")
    post_delete.connect(article_changed, sender=Article, dispatch_uid="articles.article_deleted")
    post_save.connect(byline_changed, sender=Byline, dispatch_uid="articles.byline_saved")
    post_delete.connect(byline_changed, sender=Byline, dispatch_uid="articles.byline_deleted")
    for model in CHANGE_KEYS:
        uid = f"articles.row_changed.{model.__name__}"
        post_save.connect(row_changed, sender=model, dispatch_uid=uid + ".save")
        post_delete.connect(row_changed, sender=model, dispatch_uid=uid + ".delete")
    m2m_changed.connect(
        bylines_changed, sender=Article.authors.through, dispatch_uid="articles.bylines_changed"
    )
    pre_save.connect(remember_address, sender=Article, dispatch_uid="articles.remember_address")
    post_save.connect(keep_old_address, sender=Article, dispatch_uid="articles.keep_old_address")
    pre_save.connect(
        remember_section_slug, sender=Section, dispatch_uid="articles.remember_section_slug"
    )
    post_save.connect(
        keep_old_section_addresses, sender=Section, dispatch_uid="articles.keep_old_section"
    )
    post_save.connect(lead_image_saved, sender=Article, dispatch_uid="articles.lead_renditions")
    post_save.connect(author_photo_saved, sender=Author, dispatch_uid="articles.photo_renditions")
