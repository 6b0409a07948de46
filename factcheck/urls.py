from django.contrib import admin
from django.urls import include, path

from factcheck import views
from reviews.desk_pages import desk_index

urlpatterns = [
    path("", views.home, name="home"),
    path("verdicts/", views.verdict_list, name="verdict_list"),
    path("verdicts/<int:review_id>/", views.verdict_detail, name="verdict_detail"),
    path("articles/<int:article_id>/", views.article_detail, name="article_detail"),
    path("corrections/", views.corrections, name="corrections"),
    path("methodology/", views.methodology, name="methodology"),
    # /verdicts/rss/, /verdicts/atom/, /sitemap.xml, /claimreview.json, /verdicts.csv
    path("", include("factcheck.open_data_urls")),
    # The admin index, where a reviewer is sent on to "My work" (reviews.desk_pages.desk_index).
    path("admin/", admin.site.admin_view(desk_index), name="desk_index"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("factcheck.api_urls")),
]
