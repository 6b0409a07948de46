from django.contrib import admin
from django.urls import path

from factcheck import views

urlpatterns = [
    path("", views.home, name="home"),
    path("verdicts/", views.verdict_list, name="verdict_list"),
    path("verdicts/<int:review_id>/", views.verdict_detail, name="verdict_detail"),
    path("articles/<int:article_id>/", views.article_detail, name="article_detail"),
    path("admin/", admin.site.urls),
]
