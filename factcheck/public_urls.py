"""Absolute URLs for everything the site publishes: page links, ClaimReview JSON-LD, the feeds,
the sitemap, the DataFeed, the CSV export and the API.

The origin (scheme, host, port) is FACTCHECK_PUBLIC_BASE_URL when it is set: a site behind a
proxy that rewrites the Host header, or one that must always name its canonical address. Left
empty (the default), it is the origin the request came in on, so a site served at
http://127.0.0.1:8123 or https://news.example:8443 names itself correctly without
configuration. The request's Host header can be trusted here because Django refuses any host
outside ALLOWED_HOSTS before it builds an absolute URI.

Without a request (a Celery task, a management command) there is no origin to copy: the
setting, else NO_REQUEST_BASE_URL, where ./dev serve listens.
"""

from django.conf import settings
from django.http import HttpRequest

NO_REQUEST_BASE_URL = "http://127.0.0.1:8000"


def configured_base_url() -> str:
    """FACTCHECK_PUBLIC_BASE_URL without its trailing slash; "" when it is not set."""
    return settings.FACTCHECK_PUBLIC_BASE_URL.strip().rstrip("/")


def site_base_url(request: HttpRequest | None) -> str:
    """The origin absolute URLs start with, without a trailing slash: the setting, else the
    request's own origin, else (no request) NO_REQUEST_BASE_URL."""
    configured = configured_base_url()
    if configured:
        return configured
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return NO_REQUEST_BASE_URL


def absolute_url(path: str, base_url: str) -> str:
    """A path on this site ("/verdicts/1/", as reverse() gives it) under the origin."""
    return base_url.rstrip("/") + path
