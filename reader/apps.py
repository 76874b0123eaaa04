"""The reader caches retire what a committed content change made stale."""

from django.apps import AppConfig

from articles.events import content_changed


class ReaderConfig(AppConfig):
    name = "reader"
    verbose_name = "Reader site"

    def ready(self):
        from .cache import content_changed as bump_on_change  # models are loaded only now

        content_changed.connect(bump_on_change, dispatch_uid="reader.cache.content_changed")
