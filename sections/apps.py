"""The sections app: the Section model at the bottom of the layering."""

from django.apps import AppConfig


class SectionsConfig(AppConfig):
    name = "sections"
