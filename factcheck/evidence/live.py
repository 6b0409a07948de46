"""The live evidence source: the MediaWiki Action API through wikipedia-api (httpx).

Wikimedia's API etiquette, as followed here:
- a User-Agent naming the operator's contact (required; there is no anonymous mode);
- maxlag=5 on every request; a lagged database answers HTTP 200 with
  {"error": {"code": "maxlag"}} and a Retry-After header, and we wait and retry;
- Retry-After is honoured on 429 (and 503 when given); 5xx and timeouts are retried with
  exponential backoff; the number of attempts is bounded and, once it is spent (or the server
  asks for a longer wait than we are willing to block a worker for), EvidenceSourceError
  (transient=True, retry_after=...) is raised for the caller's scheduler to act on;
- titles are looked up 50 per request (redirects=1).

Revision pinning: the text and the revision id of a page come from ONE response
(prop=revisions&rvprop=ids|timestamp|content&rvslots=main), so an edit between two calls
cannot pair one revision's id with another's text. wikipedia-api's page() reads text and
revision in separate calls, which is why it is not used for pages.

Why wikitext rather than prop=extracts: TextExtracts returns the full plain text of only one
page per request (several only with exintro), which would cost 50 requests per batch instead
of one. The price is a small wikitext-to-text converter (wikitext.py): it drops templates,
tables and references rather than rendering them, so infobox facts are not evidence.

The library's own retry loop is switched off (max_retries=0): it cannot see maxlag errors,
which arrive as HTTP 200, and it sleeps for whatever Retry-After says. One policy, here.
Not thread-safe: use one instance per task or thread.
"""

import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any
from urllib.parse import quote

import httpx
import wikipediaapi
from wikipediaapi import (
    WikiConnectionError,
    WikiHttpError,
    WikiHttpTimeoutError,
    WikiInvalidJsonError,
    WikipediaException,
    WikiRateLimitError,
)

from factcheck.evidence.types import EvidenceSourceError, PageSnapshot
from factcheck.evidence.wikitext import wikitext_sections

log = logging.getLogger(__name__)

USER_AGENT_PRODUCT = "factcheck-desk/0.1"
MAXLAG_SECONDS = 5
TITLES_PER_REQUEST = 50  # the API's limit for clients without apihighlimits
RELAXED_SEARCH_WORDS = 4


class _ApiError(Exception):
    """The API answered with {"error": {...}} (maxlag arrives this way, as HTTP 200)."""

    def __init__(self, error: dict):
        super().__init__(f"{error.get('code')}: {error.get('info', '')}")
        self.error = error


class WikipediaAtEndpoint(wikipediaapi.Wikipedia):
    """wikipedia-api pointed at a configurable endpoint (WIKIPEDIA_API_URL) instead of the
    hard-coded https://{lang}.wikipedia.org/w/api.php, and raising on error bodies, which
    the library would otherwise parse as empty results. Everything else is the library's."""

    def __init__(self, api_url: str, **kwargs: Any):
        self._api_url = api_url
        super().__init__(**kwargs)

    def _build_url(self, language: str) -> str:  # type: ignore[override]
        return self._api_url

    def _get(self, language: str, params: dict[str, Any]) -> dict[str, Any]:
        data = super()._get(language, params)
        if isinstance(data, dict) and isinstance(data.get("error"), dict):
            raise _ApiError(data["error"])
        return data


class LiveWikipediaSource:
    """EvidenceSource over the MediaWiki Action API. `request_count` counts HTTP requests
    actually sent (retries included); `requests_by_action` splits them by purpose."""

    name = "live"

    def __init__(
        self,
        api_url: str,
        contact: str,
        timeout: float = 10.0,
        *,
        wiki: str = "en.wikipedia.org",
        max_attempts: int = 4,
        backoff: float = 1.0,
        max_wait: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ):
        """max_attempts bounds the requests per API call; backoff is the first wait after a
        5xx or timeout (doubling, with jitter); a server asking for more than max_wait
        seconds gets an EvidenceSourceError at once instead of a blocked worker."""
        if not contact or not contact.strip():
            raise ValueError(
                "LiveWikipediaSource needs an operator contact (e-mail or URL) for the "
                "User-Agent, per https://meta.wikimedia.org/wiki/User-Agent_policy; set "
                "WIKIPEDIA_CONTACT or use the offline corpus."
            )
        self.api_url = api_url
        self.wiki = wiki
        self.user_agent = f"{USER_AGENT_PRODUCT} ({contact.strip()})"
        self.max_attempts = max(1, max_attempts)
        self.backoff = backoff
        self.max_wait = max_wait
        self._sleep = sleep
        self.request_count = 0
        self.requests_by_action: Counter[str] = Counter()
        self._action = "other"
        self._last_response_headers: httpx.Headers = httpx.Headers()
        client_kwargs: dict[str, Any] = {
            "timeout": timeout,
            "event_hooks": {"request": [self._on_request], "response": [self._on_response]},
        }
        if transport is not None:
            client_kwargs["transport"] = transport
        self._client = WikipediaAtEndpoint(
            api_url,
            user_agent=self.user_agent,
            language=wiki.split(".")[0] or "en",
            extra_api_params={"maxlag": MAXLAG_SECONDS},
            max_retries=0,
            **client_kwargs,
        )

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client._client.close()

    def __enter__(self) -> "LiveWikipediaSource":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- EvidenceSource -------------------------------------------------------------------

    def search(self, query: str, *, limit: int = 5) -> list[str]:
        """Titles from list=search (CirrusSearch), best first.

        CirrusSearch ranks pages that miss a word below those that have them all, so a long
        query normally fills `limit` by itself, and a shorter query could only find a subset
        of what it found: one request per search. Only a long query that finds nothing at all
        (a backend insisting on every word) is retried, with one more request, from its first
        RELAXED_SEARCH_WORDS words (key phrases put the entity names first)."""
        words = query.split()
        if not words or limit <= 0:
            return []
        titles = self._search(" ".join(words), limit)
        if not titles and len(words) > RELAXED_SEARCH_WORDS:
            titles = self._search(" ".join(words[:RELAXED_SEARCH_WORDS]), limit)
        return titles[:limit]

    def _search(self, query: str, limit: int) -> list[str]:
        self._action = "search"
        results = self._call(lambda: self._client.search(query, limit=limit))
        return list(results.pages.keys())[:limit]

    def fetch_pages(self, titles: Sequence[str]) -> dict[str, PageSnapshot]:
        """Pages keyed by the requested title, 50 titles per request, redirects followed.
        Missing and invalid titles are absent from the result."""
        wanted = list(dict.fromkeys(t.strip() for t in titles if t and t.strip()))
        found: dict[str, PageSnapshot] = {}
        for start in range(0, len(wanted), TITLES_PER_REQUEST):
            batch = wanted[start : start + TITLES_PER_REQUEST]
            found.update(self._fetch_batch(batch))
        return found

    # --- Internals ------------------------------------------------------------------------

    def _fetch_batch(self, titles: list[str]) -> dict[str, PageSnapshot]:
        params: dict[str, Any] = {
            "action": "query",
            "prop": "revisions|info",
            "rvprop": "ids|timestamp|content",
            "rvslots": "main",
            "inprop": "url",
            "titles": "|".join(titles),
            "redirects": 1,
            "formatversion": 2,
            "format": "json",
            "maxlag": MAXLAG_SECONDS,
        }
        pages: dict[str, dict] = {}
        aliases: dict[str, str] = {}
        continuation: dict[str, Any] = {}
        for _ in range(len(titles) + 1):  # the API continues at most once per page
            self._action = "pages"
            # The library has no public call for an arbitrary query; _get is the hook all of
            # its own methods use (URL, headers, error typing).
            language = self._client.language
            data = self._call(partial(self._client._get, language, params | continuation))
            query = data.get("query") or {}
            for step in ("normalized", "redirects"):
                for item in query.get(step) or []:
                    aliases[item["from"]] = item["to"]
            for page in query.get("pages") or []:
                if page.get("missing") is not None or page.get("invalid") is not None:
                    continue
                if page.get("revisions"):
                    # Text and revision id from the same response: pinned.
                    pages[page["title"]] = page
            continuation = data.get("continue") or {}
            if not continuation:
                break
        result = {}
        for requested in titles:
            title, hops = requested, 0
            while title in aliases and hops < 5:
                title, hops = aliases[title], hops + 1
            page = pages.get(title)
            if page is not None:
                result[requested] = self._snapshot(page)
        return result

    def _snapshot(self, page: dict) -> PageSnapshot:
        revision = page["revisions"][0]
        main = (revision.get("slots") or {}).get("main") or {}
        text = main.get("content", main.get("*", revision.get("content", revision.get("*", ""))))
        title = page["title"]
        url = (
            page.get("canonicalurl")
            or page.get("fullurl")
            or (f"https://{self.wiki}/wiki/" + quote(title.replace(" ", "_"), safe="/:(),'"))
        )
        return PageSnapshot(
            wiki=self.wiki,
            title=title,
            url=url,
            sections=wikitext_sections(text),
            source="live",
            page_id=page.get("pageid"),
            revision_id=revision.get("revid"),
        )

    def _on_request(self, request: httpx.Request) -> None:
        self.request_count += 1
        self.requests_by_action[getattr(self, "_action", "other")] += 1

    def _on_response(self, response: httpx.Response) -> None:
        self._last_response_headers = response.headers

    def _retry_after(self) -> float | None:
        value = self._last_response_headers.get("Retry-After")
        try:
            return float(value) if value is not None else None
        except ValueError:
            return None  # an HTTP date: rare from Wikimedia; fall back to backoff

    def _call(self, request: Callable[[], Any]) -> Any:
        """Run one API call under the retry policy and return its result. Raises
        EvidenceSourceError: transient for lag, rate limits, 5xx, timeouts, connection
        failures and malformed JSON; permanent for other 4xx and API errors."""
        last_reason, last_retry_after = "", None
        for attempt in range(1, self.max_attempts + 1):
            self._last_response_headers = httpx.Headers()
            wait: float | None
            try:
                result = request()
            except WikiRateLimitError as exc:
                wait = exc.retry_after if exc.retry_after is not None else self._retry_after()
                last_reason = "rate limited (HTTP 429)"
            except WikiHttpError as exc:
                if exc.status_code < 500:
                    raise EvidenceSourceError(
                        f"Wikipedia API refused the request (HTTP {exc.status_code}); "
                        "check WIKIPEDIA_API_URL and the request parameters",
                        transient=False,
                    ) from exc
                wait = self._retry_after()
                last_reason = f"server error (HTTP {exc.status_code})"
            except WikiHttpTimeoutError:
                wait, last_reason = None, "timed out"
            except WikiConnectionError:
                wait, last_reason = None, "connection failed"
            except WikiInvalidJsonError as exc:
                # A proxy error page or a truncated body: the next attempt may be fine, but
                # it is not ours to hammer; the caller's retry schedule decides.
                raise EvidenceSourceError(
                    "Wikipedia API returned malformed JSON", transient=True
                ) from exc
            except _ApiError as exc:
                code = exc.error.get("code")
                if code != "maxlag":
                    raise EvidenceSourceError(
                        f"Wikipedia API error {exc}",
                        transient=code in {"ratelimited", "readonly", "internal_api_error"},
                    ) from exc
                wait = self._retry_after() or float(exc.error.get("lag") or MAXLAG_SECONDS)
                last_reason = f"replication lag ({exc.error.get('info', 'maxlag')})"
            except WikipediaException as exc:
                raise EvidenceSourceError(f"Wikipedia API failed: {exc}", transient=True) from exc
            else:
                return result
            if wait is None:
                wait = self.backoff * 2 ** (attempt - 1) * (1 + random.random() / 4)
            last_retry_after = wait
            if wait > self.max_wait:
                break  # do not block a worker for minutes: let the scheduler retry later
            if attempt < self.max_attempts:
                log.info("Wikipedia API %s; retrying in %.1fs", last_reason, wait)
                self._sleep(wait)
        raise EvidenceSourceError(
            f"Wikipedia API unavailable after {attempt} attempt(s): {last_reason}; "
            "will retry later",
            transient=True,
            retry_after=last_retry_after,
        )
