"""Routes of the REST API under /api/v1/ (factcheck/api.py, reviews/api.py). Integrations and
the acceptance scripts use exactly these paths."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from factcheck.api import ArticleViewSet, VerdictViewSet
from factcheck.api_docs import api_docs
from reviews.api import ClaimViewSet

router = SimpleRouter()
router.register("articles", ArticleViewSet, basename="api-article")
router.register("claims", ClaimViewSet, basename="api-claim")
router.register("verdicts", VerdictViewSet, basename="api-verdict")

urlpatterns = [
    path("", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", api_docs, name="api_docs"),
]
