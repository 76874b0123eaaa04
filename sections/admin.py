from django.contrib import admin

from .models import Section


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "show_in_navigation"]
    list_editable = ["position", "show_in_navigation"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
