"""Sections in the admin: editors order the navigation here."""

from django.contrib import admin
from django.db.models import Count

from .models import Section


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "show_in_navigation", "article_count"]
    list_editable = ["position", "show_in_navigation"]
    ordering = ["position", "name"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def get_queryset(self, request):
        sections = super().get_queryset(request).annotate(_article_count=Count("articles"))
        return sections.order_by(*self.ordering)

    @admin.display(description="Articles", ordering="_article_count")
    def article_count(self, section):
        return section._article_count
