"""The root URLconf: the admin, and the reader site (reader/urls.py)."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from articles.admin import view_on_site

urlpatterns = [
    # Before the admin's own, which would redirect to any article's address.
    path("admin/r/<int:content_type_id>/<path:object_id>/", view_on_site, name="view_on_site"),
    path("admin/", admin.site.urls),
    path("", include("reader.urls")),
]

# A database that cannot be reached is a 503 with Retry-After, not a 500.
handler500 = "reader.errors.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
