from django.urls import path

from . import preview, views

app_name = "articles"
urlpatterns = [
    path("", views.home, name="home"),
    path("authors/<str:slug>/", views.author_detail, name="author"),
    path("preview/<int:pk>/", preview.staff_preview, name="preview"),
    path("preview/shared/<str:token>/", preview.shared_preview, name="shared_preview"),
    path("search/", views.search, name="search"),
    path("<str:section>/<str:slug>/", views.article_detail, name="detail"),
]
