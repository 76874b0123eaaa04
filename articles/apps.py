from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self):
        from . import signals
        from .workflow import ensure_groups

        post_migrate.connect(ensure_groups, sender=self, dispatch_uid="articles.ensure_groups")
        signals.connect()
