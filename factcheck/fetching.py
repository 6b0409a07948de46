"""Fetch a web page or a feed safely, and turn a fetched page into an ArticleDraft.

No ORM and no settings: the caller passes a FetchPolicy (services.fetch_policy() builds it from
settings). What "safely" means, because the URL comes from outside (the API, a feed's entries):

- http and https only, checked by safe_urls.validate_public_url, on every redirect too;
- the host is resolved here and refused if any address is not a public one (private,
  loopback, link-local, reserved...), unless the policy allows private hosts; the request is
  then sent to the address that was checked, so a DNS answer that changes between the check
  and the connection (DNS rebinding) cannot point it elsewhere;
- one deadline for the whole fetch, redirects included, and a size limit counted while the
  body streams in (after decompression), so neither a slow nor a huge answer holds a worker.
  The deadline is checked between reads, so a read already waiting when it passes may overrun
  it by up to one timeout; looking the host up is bounded by the system resolver's timeout;
- no proxy from the environment: the address check must be about the host actually reached.

Every failure is a FetchError with one line a person can act on, and says whether trying again
later may help (permanent=False: a timeout, a 503) or not (a 404, a private address).
"""

import dataclasses
import ipaddress
import re
import socket
import time
from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from factcheck.ingestion import (
    FIELD_LIMITS,
    ArticleDraft,
    IngestError,
    clean_line,
    content_hash,
    guess_title,
    normalise_text,
    parse_date,
    read_document,
)
from factcheck.safe_urls import UnsafeURLError, validate_public_url

PAGE_CONTENT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
MAX_REDIRECTS = 5
# Fewer words than this is a menu, a log-in form or an error page that trafilatura's fallback
# read, not an article; the shortest news brief is longer.
ARTICLE_MIN_WORDS = 20
# Statuses worth trying again later; every other 4xx means the URL itself is wrong.
TRANSIENT_CLIENT_STATUSES = (408, 425, 429)


class FetchError(Exception):
    """The URL could not be fetched. The message is one line for a person; permanent says
    whether the same request later is pointless (True) or may work (False)."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class FetchPolicy:
    timeout_seconds: float
    max_bytes: int
    allow_private_hosts: bool
    user_agent: str
    max_redirects: int = MAX_REDIRECTS


@dataclass(frozen=True)
class FetchedDocument:
    url: str  # where it was found, after redirects
    status: int  # 200 (or another 2xx), or 304 when the validators sent still match
    body: bytes
    content_type: str  # the media type alone, lower case: "text/html"
    charset: str | None  # from the Content-Type header, if it names one
    etag: str = ""
    last_modified: str = ""


def fetch(
    url: str,
    *,
    policy: FetchPolicy,
    accept: Collection[str] | None,
    etag: str = "",
    last_modified: str = "",
    what: str = "page",
) -> FetchedDocument:
    """GET the URL under the policy and return its body, or raise FetchError.

    accept: the media types wanted (others are refused before the body is read); None takes
    any, for feeds, which servers often label loosely and the parser judges instead. etag and
    last_modified make the request conditional: a 304 comes back as a document with
    status 304 and no body. what ("page", "feed") names the thing in messages.
    """
    deadline = time.monotonic() + policy.timeout_seconds
    headers = {"User-Agent": policy.user_agent, "Accept": accept_header(accept)}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current = url
    with httpx.Client(trust_env=False, follow_redirects=False) as client:
        for _ in range(policy.max_redirects + 1):
            target = checked_url(current)
            addresses = host_addresses(target, allow_private=policy.allow_private_hosts)
            response = send(client, target, addresses, headers, deadline, policy)
            try:
                if response.is_redirect and "location" in response.headers:
                    current = urljoin(current, response.headers["location"])
                    continue
                return read_response(response, current, accept, deadline, policy, what)
            except httpx.TimeoutException:
                raise timed_out(policy) from None
            except httpx.HTTPError as exc:
                raise FetchError(f"fetch failed: {describe(exc)}", permanent=False) from None
            finally:
                response.close()
    raise FetchError(f"too many redirects (over {policy.max_redirects})", permanent=True)


def checked_url(url: str) -> httpx.URL:
    try:
        return httpx.URL(validate_public_url(url))
    except UnsafeURLError as exc:
        raise FetchError(f"fetch refused: {exc}", permanent=True) from None
    except (httpx.InvalidURL, ValueError) as exc:
        raise FetchError(
            f"fetch refused: the link cannot be read ({exc})", permanent=True
        ) from None


def host_addresses(url: httpx.URL, *, allow_private: bool) -> list[str]:
    """The host's addresses, each checked: every one must be public unless allow_private."""
    host = url.raw_host.decode("ascii")
    try:
        port = url.port or (443 if url.scheme == "https" else 80)
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        # A name that does not resolve may be a passing DNS failure as well as a typo.
        raise FetchError(f"cannot resolve the host {url.host} ({exc})", permanent=False) from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    if not allow_private:
        for address in addresses:
            kind = non_public_kind(address)
            if kind:
                where = address if host.strip("[]") == address else f"{url.host} ({address})"
                raise FetchError(f"fetch refused: {where} is a {kind} address", permanent=True)
    return addresses


def non_public_kind(address: str) -> str:
    """ "" for an address on the public internet, else what kind it is, for the message."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 scope ("%eth0") aside
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    for kind, flag in (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("unspecified", ip.is_unspecified),
        ("reserved", ip.is_reserved),
        ("private", not ip.is_global),
    ):
        if flag:
            return kind
    return ""


def send(
    client: httpx.Client,
    url: httpx.URL,
    addresses: list[str],
    headers: dict[str, str],
    deadline: float,
    policy: FetchPolicy,
) -> httpx.Response:
    """Send the request to each checked address in turn until one connects. The URL keeps
    its host name for the Host header and for TLS (SNI and the certificate check)."""
    failure = "no address"
    for address in addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise timed_out(policy)
        request = client.build_request(
            "GET",
            url.copy_with(host=address),
            headers={**headers, "Host": url.netloc.decode("ascii")},
            extensions={"sni_hostname": url.raw_host.decode("ascii")},
            timeout=httpx.Timeout(remaining),
        )
        try:
            return client.send(request, stream=True)
        except httpx.ConnectError as exc:
            failure = describe(exc)
        except httpx.TimeoutException:
            raise timed_out(policy) from None
        except httpx.HTTPError as exc:
            raise FetchError(f"fetch failed: {describe(exc)}", permanent=False) from None
    raise FetchError(f"could not connect to {url.host}: {failure}", permanent=False)


def read_response(
    response: httpx.Response,
    url: str,
    accept: Collection[str] | None,
    deadline: float,
    policy: FetchPolicy,
    what: str,
) -> FetchedDocument:
    if response.status_code == 304:
        return FetchedDocument(
            url=url, status=304, body=b"", content_type="", charset=None, **validators(response)
        )
    if response.status_code >= 300:
        permanent = 400 <= response.status_code < 500 and (
            response.status_code not in TRANSIENT_CLIENT_STATUSES
        )
        raise FetchError(f"HTTP {response.status_code}", permanent=permanent)
    content_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if accept is not None and content_type not in accept:
        got = content_type or "no content type"
        raise FetchError(
            f"not a web page: the server sent {got}; expected HTML or plain text", permanent=True
        )
    too_large = FetchError(
        f"{what} too large (over {describe_size(policy.max_bytes)})", permanent=True
    )
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise too_large
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > policy.max_bytes:
            raise too_large
        if time.monotonic() > deadline:
            raise timed_out(policy)
    return FetchedDocument(
        url=url,
        status=response.status_code,
        body=bytes(body),
        content_type=content_type,
        charset=response.charset_encoding,
        **validators(response),
    )


def validators(response: httpx.Response) -> dict[str, str]:
    """The ETag and Last-Modified to send back next time, if short enough to be real."""
    return {
        "etag": clean_line(response.headers.get("etag", ""))[:500],
        "last_modified": clean_line(response.headers.get("last-modified", ""))[:100],
    }


def accept_header(accept: Collection[str] | None) -> str:
    return ", ".join(accept) if accept else "*/*"


def timed_out(policy: FetchPolicy) -> FetchError:
    return FetchError(f"timed out after {policy.timeout_seconds:g} s", permanent=False)


def describe(exc: Exception) -> str:
    return clean_line(str(exc))[:200] or type(exc).__name__


def describe_size(n: int) -> str:
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= size:
            return f"{n / size:g} {unit}"
    return f"{n:,} bytes"


# --- Pages into drafts ------------------------------------------------------------------------


def fetch_article(url: str, *, policy: FetchPolicy) -> ArticleDraft:
    """Fetch a web page and extract its article: FetchError if the page cannot be had,
    IngestError if it holds no article text."""
    return page_draft(fetch(url, policy=policy, accept=PAGE_CONTENT_TYPES))


def page_draft(document: FetchedDocument) -> ArticleDraft:
    """The article in a fetched page: its main text (trafilatura drops navigation, comments
    and boilerplate) and the title, date, byline and outlet the page states. Plain text goes
    the way of an uploaded .txt file. The source is the page's URL."""
    declared = declared_text(document)
    if document.content_type == "text/plain":
        data = document.body if declared is None else declared.encode("utf-8")
        # The fetch's size limit has already bounded the body.
        draft = read_document(data, filename="page.txt", max_bytes=max(len(data), 1))
        return dataclasses.replace(
            draft, source_name=document.url[: FIELD_LIMITS["source_name"]], source_url=document.url
        )
    # Imported here: it takes half a second, and only fetching needs it.
    import trafilatura

    extracted = trafilatura.bare_extraction(
        document.body if declared is None else declared,
        url=document.url,
        with_metadata=True,
        include_comments=False,
    )
    # trafilatura gives one line per block; claims are sliced within paragraphs, which the
    # rest of the pipeline separates with a blank line.
    lines = (extracted.text or "").split("\n") if extracted else []
    text = normalise_text("\n\n".join(line for line in lines if line.strip()))
    if len(re.findall(r"[^\W\d_]{2,}", text)) < ARTICLE_MIN_WORDS:
        raise IngestError("no article text found on the page")
    return ArticleDraft(
        title=(clean_line(extracted.title or "") or guess_title(text))[: FIELD_LIMITS["title"]],
        text=text,
        content_hash=content_hash(text),
        source_name=document.url[: FIELD_LIMITS["source_name"]],
        byline=clean_line(extracted.author or "")[: FIELD_LIMITS["byline"]],
        published_on=parse_date(extracted.date or ""),
        outlet=clean_line(extracted.sitename or "")[: FIELD_LIMITS["outlet"]],
        source_url=document.url,
    )


def declared_text(document: FetchedDocument) -> str | None:
    """The body decoded with the charset the server declared; None when it declared none
    that Python knows, and the reader (trafilatura, read_document) works it out instead."""
    if not document.charset:
        return None
    try:
        return document.body.decode(document.charset, errors="replace")
    except LookupError:
        return None
