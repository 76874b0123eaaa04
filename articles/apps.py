"""The domain connects its save signals, and the Writer and Editor groups are
kept in step with the permissions after every migrate."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self):
        from . import signals  # models are loaded only now
        from .permissions import ensure_groups

        post_migrate.connect(ensure_groups, sender=self, dispatch_uid="articles.ensure_groups")
        signals.connect()
