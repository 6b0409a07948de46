"""A small web server on 127.0.0.1 for the fetching and feed tests: pages and feeds served
from a dict, every request recorded. Nothing leaves the machine.

    web.serve("/story", html)                                   # 200 text/html
    web.serve("/feed.xml", rss, content_type="application/rss+xml", etag='"v1"')
    web.serve("/gone", "", status=404)
    web.serve("/slow", html, delay=2.0)                         # answers after 2 s
    web.serve("/huge", "x" * 3_000_000, declare_length=False)   # no Content-Length
    web.serve("/moved", "", status=302, headers={"Location": "/story"})
    web.url("/story")                                           # http://127.0.0.1:PORT/story

A resource with an etag or last_modified answers 304 to a request whose If-None-Match or
If-Modified-Since matches it, as a server honouring conditional GET does. Unknown paths
are 404; a query string is ignored. `web.requests` lists (path, headers) in arrival order.
"""

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Resource:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str = ""
    last_modified: str = ""
    delay: float = 0.0
    declare_length: bool = True


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    headers: dict[str, str]


class WebDouble:
    def __init__(self) -> None:
        self.resources: dict[str, Resource] = {}
        self.requests: list[RecordedRequest] = []
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    def serve(self, path: str, body: str | bytes, **options) -> str:
        """Serve body at path (replacing what was there); returns its absolute URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.resources[path] = Resource(body=data, **options)
        return self.url(path)

    def url(self, path: str, *, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """The requests for path, whatever their query string."""
        return [r for r in self.requests if r.path.split("?", 1)[0] == path]

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the double first"
        return self._server.server_address[1]

    def start(self) -> "WebDouble":
        double = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the http.server name)
                double.requests.append(RecordedRequest(self.path, dict(self.headers.items())))
                double.answer(self)

            def log_message(self, format: str, *args) -> None:
                pass  # quiet test output

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A handler still sleeping on a slow answer must not hold up stop().
        self._server.daemon_threads = True
        self._server.block_on_close = False
        # A short poll interval: shutdown() waits for the loop to notice, once per test.
        serve = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        serve.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        resource = self.resources.get(handler.path.split("?", 1)[0])
        if resource is None:
            handler.send_error(404)
            return
        if resource.delay and self._stopping.wait(resource.delay):
            return
        if self.not_modified(resource, handler.headers):
            handler.send_response(304)
            self.send_validators(handler, resource)
            handler.end_headers()
            return
        handler.send_response(resource.status)
        handler.send_header("Content-Type", resource.content_type)
        if resource.declare_length:
            handler.send_header("Content-Length", str(len(resource.body)))
        for name, value in resource.headers.items():
            handler.send_header(name, value)
        self.send_validators(handler, resource)
        handler.end_headers()
        try:
            # HTTP/1.0 without Content-Length: the body ends when the connection closes.
            for start in range(0, len(resource.body), 64 * 1024):
                handler.wfile.write(resource.body[start : start + 64 * 1024])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading (a size limit): what the test wants

    @staticmethod
    def not_modified(resource: Resource, headers) -> bool:
        if resource.etag and headers.get("If-None-Match") == resource.etag:
            return True
        return bool(
            resource.last_modified and headers.get("If-Modified-Since") == resource.last_modified
        )

    @staticmethod
    def send_validators(handler: BaseHTTPRequestHandler, resource: Resource) -> None:
        if resource.etag:
            handler.send_header("ETag", resource.etag)
        if resource.last_modified:
            handler.send_header("Last-Modified", resource.last_modified)


@pytest.fixture(name="web_double")
def web_double_fixture() -> Iterator[WebDouble]:
    """A started web double, stopped after the test."""
    double = WebDouble().start()
    try:
        yield double
    finally:
        double.stop()


# --- Documents to serve ---------------------------------------------------------------------


def article_page(
    title: str,
    paragraphs: list[str],
    *,
    author: str = "Alice Writer",
    published: str = "2026-11-20T08:00:00Z",
    site_name: str = "Example Times",
) -> str:
    """A news page as outlets make them: metadata in the head, the story in <article>, and
    navigation, a footer and a script around it that are not the story."""
    body = "\n".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | {site_name}</title>
<meta name="author" content="{author}">
<meta property="og:site_name" content="{site_name}">
<meta property="article:published_time" content="{published}">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>{title}</h1>
{body}
</article>
<footer>Copyright {site_name}. Subscribe for more news.</footer>
<script>trackReader("visit");</script>
</body></html>"""


def rss_feed(title: str, items: list[dict[str, str]]) -> str:
    """An RSS 2.0 feed; each item a dict with guid, link, title and optionally pubDate."""
    entries = "\n".join(
        f"""<item><title>{item["title"]}</title><link>{item["link"]}</link>
<guid isPermaLink="false">{item["guid"]}</guid>
<pubDate>{item.get("pubDate", "Fri, 20 Nov 2026 08:00:00 GMT")}</pubDate></item>"""
        for item in items
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{title}</title><link>https://news.example.org/</link>
<description>Stories</description>
{entries}
</channel></rss>"""
