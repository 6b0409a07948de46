"""Routes of the REST API under /api/v1/ (factcheck/api.py, reviews/api.py). Integrations and
the acceptance scripts use exactly these paths."""

from django.http import JsonResponse
from django.urls import include, path, re_path
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
    # Anything else under /api/v1/ answers in the API's own shape, not Django's HTML 404 page.
    re_path(r"^.*$", lambda request, *args: not_found(request)),
]


def not_found(request) -> JsonResponse:
    return JsonResponse({"detail": f"No API endpoint at {request.path}."}, status=404)
