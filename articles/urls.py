from django.urls import path

from . import views

app_name = "articles"
urlpatterns = [
    path("", views.home, name="home"),
    path("authors/<str:slug>/", views.author_detail, name="author"),
    path("<str:section>/<str:slug>/", views.article_detail, name="detail"),
]
