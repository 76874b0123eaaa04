"""Legacy archive imports: `manage.py import_articles`."""

from django.apps import AppConfig


class ImportersConfig(AppConfig):
    name = "importers"
    verbose_name = "Legacy import"
