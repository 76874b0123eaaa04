from django.urls import path

from . import views

app_name = "sections"
urlpatterns = [
    path("<str:slug>/", views.section_detail, name="detail"),
]
