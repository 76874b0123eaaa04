from django.contrib import admin

from .models import Article, Author, Byline, ImageCredit

admin.site.site_header = admin.site.site_title = "Newsroom"


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 1
    autocomplete_fields = ["author"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "section", "status", "published_at", "is_feature", "updated_at"]
    list_filter = ["status", "section", "is_feature"]
    search_fields = ["title", "dek"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["section", "lead_image_credit"]
    inlines = [BylineInline]
    date_hierarchy = "published_at"


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ImageCredit)
class ImageCreditAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "url"]
    list_filter = ["kind"]
    search_fields = ["name"]
