"""The search index follows the domain's saves (search/receivers.py)."""

from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self):
        from . import receivers  # models are loaded only now

        receivers.connect()
