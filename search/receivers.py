"""What keeps the search index fresh: receivers of the domain's saves,
connected in apps.py. `Article.save()` knows nothing of the index."""

from django.db.models.signals import post_delete, post_save

from articles.models import Article, Author, Byline

from .engine import refresh_search_vectors

# The fields an article's index is made of (author names come through bylines).
INDEXED_FIELDS = {"title", "dek", "body"}


def article_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if update_fields is None or INDEXED_FIELDS & set(update_fields):
        refresh_search_vectors([instance.pk])


def byline_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh_search_vectors([instance.article_id])


def author_saved(sender, instance, created=False, raw=False, **kwargs):
    # The name is in the index of every article it signs.
    if not (raw or created):
        refresh_search_vectors(instance.articles.all())


def connect():
    post_save.connect(article_saved, sender=Article, dispatch_uid="search.article_saved")
    post_save.connect(byline_changed, sender=Byline, dispatch_uid="search.byline_saved")
    post_delete.connect(byline_changed, sender=Byline, dispatch_uid="search.byline_deleted")
    post_save.connect(author_saved, sender=Author, dispatch_uid="search.author_saved")
