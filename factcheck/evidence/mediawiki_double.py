"""A MediaWiki Action API double for tests and benchmarks: a real HTTP server on 127.0.0.1
speaking the subset of api.php that LiveWikipediaSource and wikipedia-api use, fed from the
JSONL corpus.

Supported: action=query with
- list=search (srsearch, srlimit): pages matching any query word, in title or text, ranked
  first by how many of the words they match, then by how often, titles counting triple.
  Like CirrusSearch, a page missing a word is ranked lower, not dropped (a long query still
  finds pages); set `search_requires_every_word` to answer like a strict AND search;
- prop=revisions (rvprop=ids|timestamp|content, rvslots=main), prop=info (inprop=url),
  prop=extracts (explaintext; the full text of the first page only, as TextExtracts does
  without exintro);
- titles=A|B|... (at most 50, else the API's toomanyvalues error) or pageids=1|2;
- normalisation (underscores, first letter) and redirects=1 (a few redirects, below);
- missing pages ("missing": "" in formatversion 1, true in 2) and invalid titles;
- formatversion=1 (pages keyed by id, content under "*") or 2 (a list, "content");
- continuation when a response would carry more page texts than `max_texts_per_response`.

Each page has a stable fake page id and revision id. Faults on demand:

    double.inject("429", times=2, retry_after=1)      # HTTP 429 + Retry-After
    double.inject("maxlag", retry_after=1)             # HTTP 200 {"error": {"code": "maxlag"}}
    double.inject("500") / double.inject("503", retry_after=2)
    double.inject("slow", delay=2.0)                   # answers after `delay` seconds
    double.inject("malformed")                         # HTTP 200, body is not JSON
    double.inject("400") / double.inject("apierror")   # refused: HTTP 400 / an API error
    double.remove_page("Syria")                        # the title becomes missing
    double.edit_page("Syria", after_requests=1)        # new revision + text after N requests

Faults are served first-in first-out, one per request, `times` times each. Requests are
counted (`request_count`, `requests_by_action`) and recorded (`requests`: params, headers).
"""

import json
import threading
import time
import zlib
from collections import Counter, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
CORPUS_FILES = (
    REPO_ROOT / "factcheck" / "samples" / "wikipedia" / "syria_articles.jsonl",
    REPO_ROOT / "factcheck" / "samples" / "wikipedia" / "lead_summaries.jsonl",
)
REDIRECTS = {
    "Russian intervention in Syria": "Russian military intervention in the Syrian civil war",
    "Syrian Civil War": "Syrian civil war",
    "Putin": "Vladimir Putin",
    "USSR": "Soviet Union",
    "North Atlantic Treaty Organization": "NATO",
}
BASE_REVISION = 1_150_000_000
MAX_TITLES = 50


@dataclass
class WikiPage:
    title: str
    page_id: int
    revision_id: int
    wikitext: str
    plain_text: str
    timestamp: str = "2023-06-16T00:00:00Z"


@dataclass
class Fault:
    kind: str
    times: int = 1
    retry_after: float | None = None
    delay: float = 0.0


@dataclass
class RecordedRequest:
    params: dict[str, str]
    headers: dict[str, str]


@dataclass
class _PendingEdit:
    title: str
    after_requests: int
    note: str = ""


_corpus_cache: dict[tuple[str, ...], list[tuple[str, str, str]]] = {}


def _render(record: dict) -> tuple[str, str, str]:
    """(title, wikitext, plain text) for a corpus line: sections become == headings ==, and
    a template and a reference are added so the client's converter has work to do."""
    title = record["title"]
    description = record.get("short_description") or record.get("description") or ""
    lead = record.get("lead") or record.get("lead_summary") or ""
    paragraphs = lead.split("\n\n")
    first = paragraphs[0] + "<ref>{{cite web |url=https://example.org/source |title=S}}</ref>"
    wikitext = [f"{{{{Short description|{description}}}}}", "\n\n".join([first, *paragraphs[1:]])]
    plain = [lead]
    for section in record.get("sections") or []:
        marks = "=" * max(2, min(6, int(section.get("level") or 2)))
        wikitext.append(f"{marks} {section['heading']} {marks}\n{section.get('text', '')}")
        plain.append(f"{section['heading']}\n{section.get('text', '')}")
    wikitext.append("== References ==\n{{Reflist}}")
    return title, "\n\n".join(wikitext), "\n\n".join(plain)


def _load(paths: tuple[Path, ...]) -> list[tuple[str, str, str]]:
    key = tuple(str(p) for p in paths)
    if key not in _corpus_cache:
        pages: dict[str, tuple[str, str, str]] = {}
        for path in paths:
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    title, wikitext, plain = _render(json.loads(line))
                    if title not in pages or len(plain) > len(pages[title][2]):
                        pages[title] = (title, wikitext, plain)
        _corpus_cache[key] = list(pages.values())
    return _corpus_cache[key]


def normalise(title: str) -> str:
    title = " ".join(title.replace("_", " ").split())
    return title[:1].upper() + title[1:]


class MediaWikiDouble:
    """Start with start() (or use the `wikipedia_double` fixture); `api_url` is the
    endpoint to configure as WIKIPEDIA_API_URL."""

    def __init__(self, corpus_files: tuple[Path, ...] = CORPUS_FILES):
        self.pages: dict[str, WikiPage] = {}
        for title, wikitext, plain in _load(tuple(corpus_files)):
            self.pages[title] = WikiPage(
                title=title,
                page_id=1000 + len(self.pages),
                revision_id=BASE_REVISION + zlib.crc32(title.encode()) % 10_000_000,
                wikitext=wikitext,
                plain_text=plain,
            )
        self.redirects = {k: v for k, v in REDIRECTS.items() if v in self.pages}
        self.max_texts_per_response: int | None = None
        # A stricter search than Wikipedia's, for testing what a client does when a long
        # query finds nothing.
        self.search_requires_every_word = False
        self.requests: list[RecordedRequest] = []
        self.requests_by_action: Counter[str] = Counter()
        self._faults: deque[Fault] = deque()
        self._edits: list[_PendingEdit] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- control ------------------------------------------------------------------------

    @property
    def request_count(self) -> int:
        return len(self.requests)

    @property
    def api_url(self) -> str:
        assert self._server is not None, "start() the double first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/w/api.php"

    def inject(
        self,
        kind: str,
        *,
        times: int = 1,
        retry_after: float | None = None,
        delay: float = 0.0,
    ) -> None:
        """Queue a fault: "429", "maxlag", "500", "503", "slow", "malformed", or "400" and
        "apierror" (a refused request: HTTP 400, or HTTP 200 with a non-maxlag API error)."""
        assert kind in {"429", "maxlag", "500", "503", "slow", "malformed", "400", "apierror"}
        with self._lock:
            self._faults.append(Fault(kind, times, retry_after, delay))

    def clear_faults(self) -> None:
        """Drop the faults still queued: the API is healthy again."""
        with self._lock:
            self._faults.clear()

    def remove_page(self, title: str) -> None:
        with self._lock:
            self.pages.pop(title, None)

    def edit_page(self, title: str, *, after_requests: int = 0, note: str = "") -> None:
        """Save a new revision of the page once `after_requests` more requests have been
        served: a new revision id and a sentence appended to the lead."""
        with self._lock:
            self._edits.append(_PendingEdit(title, self.request_count + after_requests, note or ""))
            self._apply_due_edits()

    def start(self) -> "MediaWikiDouble":
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # --- serving ------------------------------------------------------------------------

    def _apply_due_edits(self) -> None:
        for edit in [e for e in self._edits if e.after_requests <= self.request_count]:
            self._edits.remove(edit)
            page = self.pages[edit.title]
            page.revision_id += 1
            note = edit.note or f"This sentence was added in revision {page.revision_id}."
            lead_end = page.wikitext.find("\n\n=")
            page.wikitext = page.wikitext[:lead_end] + " " + note + page.wikitext[lead_end:]
            page.plain_text += " " + note
            page.timestamp = "2026-01-01T00:00:00Z"

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        double = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

            def do_GET(self) -> None:  # noqa: N802
                query = urlsplit(self.path).query
                self._serve({k: v[-1] for k, v in parse_qs(query).items()})

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                self._serve({k: v[-1] for k, v in parse_qs(body).items()})

            def _serve(self, params: dict[str, str]) -> None:
                status, headers, body = double._respond(params, dict(self.headers.items()))
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

        return Handler

    def _respond(self, params: dict[str, str], headers: dict[str, str]) -> tuple:
        with self._lock:
            self.requests.append(RecordedRequest(params, headers))
            self.requests_by_action[self._action_name(params)] += 1
            fault = None
            if self._faults:
                fault = self._faults[0]
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.popleft()
        if fault is not None:
            response = self._fault_response(fault)
            if response is not None:
                return response
        with self._lock:
            try:
                payload = self._answer(params)
            finally:
                self._apply_due_edits()
        return (
            200,
            {"Content-Type": "application/json; charset=utf-8"},
            json.dumps(payload).encode(),
        )

    @staticmethod
    def _action_name(params: dict[str, str]) -> str:
        action = params.get("action", "")
        detail = params.get("list") or params.get("prop") or ""
        return f"{action}:{detail}" if detail else action

    def _fault_response(self, fault: Fault) -> tuple | None:
        retry = {} if fault.retry_after is None else {"Retry-After": f"{fault.retry_after:g}"}
        json_type = {"Content-Type": "application/json; charset=utf-8"}
        if fault.kind == "429":
            body = {"error": {"code": "ratelimited", "info": "Too many requests"}}
            return 429, {**json_type, **retry}, json.dumps(body).encode()
        if fault.kind == "maxlag":
            body = {
                "error": {
                    "code": "maxlag",
                    "info": "Waiting for 10.64.48.35: 7 seconds lagged.",
                    "host": "10.64.48.35",
                    "lag": 7,
                    "type": "db",
                },
                "servedby": "mw-api-double",
            }
            headers = {**json_type, **retry, "X-Database-Lag": "7"}
            return 200, headers, json.dumps(body).encode()
        if fault.kind in {"500", "503"}:
            html = b"<html><body><h1>Wikimedia Error</h1></body></html>"
            return int(fault.kind), {"Content-Type": "text/html", **retry}, html
        if fault.kind == "400":
            return 400, {"Content-Type": "text/html"}, b"<html>Bad Request</html>"
        if fault.kind == "apierror":
            body = self._error("badvalue", "Unrecognized value for parameter prop: revisons.")
            return 200, json_type, json.dumps(body).encode()
        if fault.kind == "malformed":
            return 200, json_type, b'{"batchcomplete": true, "query": {"pages": [{"ti'
        if fault.kind == "slow":
            time.sleep(fault.delay)
            return None  # then answer normally, too late for a client with a short timeout
        raise AssertionError(fault.kind)

    # --- the API ------------------------------------------------------------------------

    def _answer(self, params: dict[str, str]) -> dict:
        if params.get("action") != "query":
            return self._error("badvalue", "Unrecognized value for parameter action")
        if params.get("list") == "search":
            return self._search(params)
        if "titles" in params or "pageids" in params:
            return self._pages(params)
        return self._error("missingparam", "One of the parameters titles, pageids is required.")

    @staticmethod
    def _error(code: str, info: str) -> dict:
        return {"error": {"code": code, "info": info}, "servedby": "mw-api-double"}

    def _search(self, params: dict[str, str]) -> dict:
        words = [w.casefold() for w in params.get("srsearch", "").split() if w]
        limit = int(params.get("srlimit") or 10)
        scored = []
        for page in self.pages.values():
            title, text = page.title.casefold(), page.plain_text.casefold()
            matched = [w for w in dict.fromkeys(words) if w in title or w in text]
            if not matched or (self.search_requires_every_word and len(matched) < len(set(words))):
                continue
            frequency = sum(3 * title.count(w) + text.count(w) for w in matched)
            scored.append((-len(matched), -frequency, page.title))
        scored.sort()
        hits = [self.pages[title] for *_, title in scored[:limit]]
        body: dict = {"batchcomplete": ""}
        if len(scored) > limit:
            body["continue"] = {"sroffset": limit, "continue": "-||"}
        return body | {
            "query": {
                "searchinfo": {"totalhits": len(scored)},
                "search": [
                    {
                        "ns": 0,
                        "title": p.title,
                        "pageid": p.page_id,
                        "size": len(p.wikitext),
                        "wordcount": len(p.plain_text.split()),
                        "snippet": "",
                        "timestamp": p.timestamp,
                    }
                    for p in hits
                ],
            },
        }

    def _pages(self, params: dict[str, str]) -> dict:
        version = int(params.get("formatversion") or 1)
        props = set((params.get("prop") or "").split("|")) - {""}
        if "titles" in params:
            requested = [t for t in params["titles"].split("|") if t]
        else:
            by_id = {str(p.page_id): p.title for p in self.pages.values()}
            requested = [by_id.get(i, f"#{i}") for i in params["pageids"].split("|") if i]
        if len(requested) > MAX_TITLES:
            return self._error(
                "toomanyvalues",
                f"Too many values supplied for parameter titles. The limit is {MAX_TITLES}.",
            )
        normalized, redirects, resolved = [], [], []
        for title in requested:
            name = normalise(title)
            if name != title:
                normalized.append({"fromencoded": False, "from": title, "to": name})
            if params.get("redirects") and name in self.redirects:
                redirects.append({"from": name, "to": self.redirects[name]})
                name = self.redirects[name]
            if name not in resolved:
                resolved.append(name)
        start = int((params.get("rvcontinue") or "0").split("|")[0])
        entries, texts, continuation = [], 0, None
        missing_id = -1
        for position, name in enumerate(resolved):
            page = self.pages.get(name)
            if page is None and name.startswith("#"):  # an unknown page id
                flag = True if version == 2 else ""
                entries.append({"pageid": int(name[1:]), "missing": flag, "_id": int(name[1:])})
                continue
            if page is None:
                invalid = any(c in name for c in "[]{}<>")
                entry = {"ns": 0, "title": name}
                flag = "invalid" if invalid else "missing"
                entry[flag] = True if version == 2 else ""
                entry["_id"] = missing_id
                missing_id -= 1
                entries.append(entry)
                continue
            entry = {"pageid": page.page_id, "ns": 0, "title": page.title, "_id": page.page_id}
            if "info" in props:
                url = "https://en.wikipedia.org/wiki/" + quote(page.title.replace(" ", "_"))
                entry.update(
                    contentmodel="wikitext",
                    lastrevid=page.revision_id,
                    length=len(page.wikitext),
                    fullurl=url,
                    canonicalurl=url,
                )
            if "revisions" in props and position >= start:
                limit = self.max_texts_per_response
                if limit is not None and texts >= limit:
                    continuation = continuation or position
                else:
                    texts += 1
                    entry["revisions"] = [self._revision(page, params, version)]
            if "extracts" in props and not entries_have_extract(entries):
                entry["extract"] = page.plain_text
            entries.append(entry)
        query: dict = {}
        if normalized:
            query["normalized"] = normalized
        if redirects:
            query["redirects"] = redirects
        if version == 2:
            query["pages"] = [{k: v for k, v in e.items() if k != "_id"} for e in entries]
        else:
            query["pages"] = {
                str(e["_id"]): {k: v for k, v in e.items() if k != "_id"} for e in entries
            }
        body: dict = {"query": query}
        if continuation is not None:
            body["continue"] = {"rvcontinue": f"{continuation}|0", "continue": "||"}
        else:
            body["batchcomplete"] = True if version == 2 else ""
        return body

    @staticmethod
    def _revision(page: WikiPage, params: dict[str, str], version: int) -> dict:
        wanted = set((params.get("rvprop") or "ids|timestamp|flags|comment|user").split("|"))
        revision: dict = {}
        if "ids" in wanted:
            revision.update(revid=page.revision_id, parentid=page.revision_id - 1)
        if "timestamp" in wanted:
            revision["timestamp"] = page.timestamp
        if "content" in wanted:
            if params.get("rvslots"):
                slot = {"contentmodel": "wikitext", "contentformat": "text/x-wiki"}
                slot["content" if version == 2 else "*"] = page.wikitext
                revision["slots"] = {"main": slot}
            else:
                revision["content" if version == 2 else "*"] = page.wikitext
        return revision


def entries_have_extract(entries: list[dict]) -> bool:
    """TextExtracts gives the full text of one page per request (without exintro)."""
    return any("extract" in e for e in entries)
