"""Public pages. Placeholder views until the public verdict pages land."""

from django.http import Http404, HttpRequest, HttpResponse


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("factcheck")


def verdict_list(request: HttpRequest) -> HttpResponse:
    raise Http404


def verdict_detail(request: HttpRequest, review_id: int) -> HttpResponse:
    raise Http404
