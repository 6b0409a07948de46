"""Which URLs may be stored and which may be put in a link. Pure: strings in, strings out.

Two entry points:

- validate_public_url(value) for every URL that enters the system. The ingest command, the
  admin's add-article form, services.article_ingest and the model fields use it today; later
  input paths (a REST API, feeds, reviewer-supplied sources) should call it too, either
  directly (it raises UnsafeURLError, a ValueError) or as the Django validator
  public_url_validator (it raises ValidationError).
- safe_href(value) for every link rendered from data, including data stored before these
  checks existed: it returns the URL only if it would pass validation (or is a path on this
  site), else "". Templates use it as the `safe_href` filter ({% load safe_links %}).

Only http and https are allowed, because browsers run javascript:, vbscript: and data: links
and no article is published under any other scheme.
"""

import unicodedata
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

MAX_URL_LENGTH = 2000
ALLOWED_SCHEMES = ("http", "https")
# Never unencoded in a real link, and the stuff of markup injection (browsers read a backslash
# as a slash): refused anywhere in the URL.
_BAD_CHARACTERS = set('<>"`\\')
# Characters that cannot appear in a host name.
_BAD_HOST_CHARACTERS = set("'{}|^%")


class UnsafeURLError(ValueError):
    """The URL may not be stored or linked. The message is one line for a person."""


def validate_public_url(value: str) -> str:
    """Return the URL with surrounding whitespace removed, or raise UnsafeURLError.

    Accepted: an absolute http or https URL with a host, no user name or password, no
    whitespace, control characters, quotes, angle brackets or backslashes inside, at most
    MAX_URL_LENGTH characters.
    """
    if not isinstance(value, str):
        raise UnsafeURLError(f"a link must be text, got {type(value).__name__}")
    url = value.strip()
    if not url:
        raise UnsafeURLError("the link is empty")
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeURLError(f"the link is {len(url):,} characters, over {MAX_URL_LENGTH:,}")
    for char in url:
        if unicodedata.category(char)[0] in ("C", "Z"):
            raise UnsafeURLError(
                f"the link contains whitespace or a control character (U+{ord(char):04X})"
            )
        if char in _BAD_CHARACTERS:
            raise UnsafeURLError(f"the link contains {char!r}, which must be percent-encoded")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a port that is not a number in range
    except ValueError as exc:
        raise UnsafeURLError(f"the link cannot be read ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        got = f"'{scheme}:'" if scheme else "a link without a scheme"
        raise UnsafeURLError(f"only http and https links are accepted, got {got}")
    if "@" in parts.netloc:
        raise UnsafeURLError("links with a user name or password are not accepted")
    host = parts.hostname or ""
    if not host:
        raise UnsafeURLError("the link names no host (expected http://host/...)")
    if _BAD_HOST_CHARACTERS & set(host) or port == 0:
        raise UnsafeURLError(f"the link's host {host!r} is not a valid host name")
    return url


def public_url_validator(value: str) -> None:
    """validate_public_url as a Django field validator (model and form fields)."""
    try:
        validate_public_url(value)
    except UnsafeURLError as exc:
        raise ValidationError(str(exc), code="unsafe_url") from None


def is_public_url(value: str) -> bool:
    try:
        validate_public_url(value)
    except UnsafeURLError:
        return False
    return True


def safe_href(value: object) -> str:
    """The value if it is safe in an href, else "". Safe means a URL that validate_public_url
    accepts, or a path on this site ("/verdicts/1/", but not "//host" or "/\\host", which
    browsers treat as another host)."""
    if not isinstance(value, str) or not value:
        return ""
    if value.startswith("/") and not value.startswith(("//", "/\\")):
        if any(unicodedata.category(char)[0] in ("C", "Z") for char in value):
            return ""
        return value
    return value.strip() if is_public_url(value) else ""
