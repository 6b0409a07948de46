"""Turn an uploaded file (bytes plus a file name) into an ArticleDraft, or say in one line why not.

Pure: no ORM. Accepts plain text, Markdown and HTML. HTML is reduced to text with a small
parser that drops scripts, styles and other non-content elements rather than sanitising them,
because only the text goes further.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES


class IngestError(Exception):
    """The input cannot become an article. The message is one line for a person to act on."""


@dataclass(frozen=True)
class ArticleDraft:
    title: str
    text: str
    content_hash: str
    source_name: str
    byline: str = ""
    published_on: date | None = None
    outlet: str = ""
    source_url: str = ""
    removed_elements: tuple[str, ...] = ()  # e.g. ("script", "style") stripped from HTML


def read_document(data: bytes, *, filename: str, max_bytes: int) -> ArticleDraft:
    """Decode, clean and describe one document. Raises IngestError with a one-line reason."""
    suffix = Path(filename).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(f"unsupported file type {suffix or '(none)'!r}: use .txt, .md or .html")
    if len(data) == 0:
        raise IngestError("empty file: nothing to ingest")
    if len(data) > max_bytes:
        raise IngestError(
            f"file is {len(data):,} bytes, over the {max_bytes:,}-byte limit (INGEST_MAX_BYTES)"
        )
    raw_text = decode_text(data)

    removed: tuple[str, ...] = ()
    meta: dict[str, str] = {}
    if suffix in HTML_SUFFIXES or looks_like_html(raw_text):
        raw_text, removed, meta = html_to_text(raw_text)

    text = normalise_text(raw_text)
    if not re.search(r"[^\W\d_]{2,}", text):
        raise IngestError("no readable text: the file holds no words")

    title = meta.get("title") or guess_title(text, markdown=suffix in MARKDOWN_SUFFIXES)
    return ArticleDraft(
        title=title[:500],
        text=text,
        content_hash=content_hash(text),
        source_name=Path(filename).name[:500],
        byline=(meta.get("byline") or guess_byline(text))[:300],
        published_on=parse_date(meta.get("published", "")) or guess_date(text),
        outlet=meta.get("outlet", "")[:200],
        removed_elements=removed,
    )


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with a BOM. Anything else is refused, not guessed:
    a wrong guess would store mojibake that no later step can repair."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise IngestError(f"undecodable UTF-16 text at byte {exc.start}") from exc
    if b"\x00" in data[:8192] or binary_ratio(data[:8192]) > 0.10:
        raise IngestError("binary file: expected text, Markdown or HTML")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}): "
            "re-save the file as UTF-8"
        ) from exc


def binary_ratio(sample: bytes) -> float:
    if not sample:
        return 0.0
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return control / len(sample)


def normalise_text(text: str) -> str:
    """NFC, Unix newlines, no trailing spaces, at most one blank line between paragraphs."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")


def guess_title(text: str, *, markdown: bool = False) -> str:
    """The first Markdown heading, else the first line that reads like words (a donation
    widget line such as "0 $" is not a title)."""
    lines = text.split("\n")
    for line in lines:
        match = HEADING_RE.match(line)
        if match:
            return strip_markdown(match.group(1))
    for line in lines:
        candidate = strip_markdown(line.strip())
        if len(re.findall(r"[^\W\d_]{2,}", candidate)) >= 3:
            return candidate
    return strip_markdown(lines[0].strip()) or "Untitled article"


def strip_markdown(line: str) -> str:
    line = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line)
    line = re.sub(r"[*_`]+", "", line)
    return line.strip(" #")


BYLINE_RE = re.compile(r"^By\s+(.{3,120})$")


def guess_byline(text: str) -> str:
    for line in text.split("\n")[:15]:
        match = BYLINE_RE.match(strip_markdown(line.strip()))
        if match:
            return match.group(1).strip()
    return ""


MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE_RE = re.compile(rf"\b({MONTHS})\s+(\d{{1,2}}),\s+(\d{{4}})\b")


def guess_date(text: str) -> date | None:
    """A "Month DD, YYYY" date in the first lines, where outlets put the dateline."""
    head = "\n".join(text.split("\n")[:15])
    match = DATE_RE.search(head)
    if not match:
        return None
    try:
        return datetime.strptime(" ".join(match.groups()), "%B %d %Y").date()
    except ValueError:
        return None


def parse_date(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or bool(
        re.search(r"<(p|div|body|article|h1)[\s>]", head)
    )


class _TextExtractor(HTMLParser):
    # Elements whose content is never article text. Scripts are dropped, not sanitised.
    DROPPED = {
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
        "embed",
        "svg",
        "head",
        "form",
        "button",
        "select",
        "nav",
    }
    BLOCKS = {
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "aside",
        "main",
        "li",
        "ul",
        "ol",
        "blockquote",
        "figure",
        "figcaption",
        "table",
        "tr",
        "pre",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "br",
        "hr",
    }
    HEADINGS = {"h1", "h2", "h3"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.drop_depth = 0
        self.removed: list[str] = []
        self.meta: dict[str, str] = {}
        self.in_title = False
        self.page_title = ""
        self.heading_depth = 0
        self.heading_text: list[str] = []
        self.first_heading = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            self._read_meta(dict(attrs))
            return
        if tag == "title":
            self.in_title = True
        if tag in self.DROPPED:
            if tag not in ("head",) and tag not in self.removed:
                self.removed.append(tag)
            self.drop_depth += 1
            return
        if tag in self.BLOCKS:
            self.parts.append("\n\n")
        if tag in self.HEADINGS and not self.first_heading:
            self.heading_depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            self._read_meta(dict(attrs))
        elif tag in ("br", "hr"):
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in self.DROPPED:
            self.drop_depth = max(0, self.drop_depth - 1)
            return
        if tag in self.HEADINGS and self.heading_depth:
            self.heading_depth -= 1
            if not self.heading_depth and not self.first_heading:
                self.first_heading = " ".join("".join(self.heading_text).split())
        if tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.page_title += data
        if self.drop_depth:
            return
        if self.heading_depth:
            self.heading_text.append(data)
        self.parts.append(re.sub(r"\s+", " ", data))

    def _read_meta(self, attrs: dict[str, str | None]) -> None:
        key = (attrs.get("name") or attrs.get("property") or "").lower()
        content = (attrs.get("content") or "").strip()
        wanted = {
            "author": "byline",
            "og:site_name": "outlet",
            "article:published_time": "published",
            "date": "published",
        }
        if key in wanted and content:
            self.meta.setdefault(wanted[key], content)


def html_to_text(markup: str) -> tuple[str, tuple[str, ...], dict[str, str]]:
    """Text of an HTML document with paragraphs as blank-line-separated blocks, the names of
    the elements dropped, and metadata (title, byline, outlet, published) where present."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    text = "\n".join(line.strip() for line in text.split("\n"))
    meta = dict(parser.meta)
    title = parser.first_heading or " ".join(parser.page_title.split())
    if title:
        meta["title"] = title
    return text, tuple(parser.removed), meta
