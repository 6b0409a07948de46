"""Turn an uploaded file (bytes plus a file name) into an ArticleDraft, or say in one line why not.

Pure: no ORM. Accepts plain text, Markdown and HTML. HTML is reduced to text with a small
parser that drops scripts, styles and other non-content elements rather than sanitising them,
because only the text goes further. Markdown (.md, .markdown, and pasted text that clearly is
Markdown) is rendered to text with a CommonMark parser, markdown-it-py: the stored text is the
rendered text, so claims stay verbatim slices of it.

Hostile input: a file that is mostly control bytes is refused as binary; a stray NUL or other
control character (PostgreSQL text cannot hold NUL) is removed and counted in the draft, so
the audit entry says so. check_draft() is the last gate before the database for drafts from
any source.
"""

import dataclasses
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from factcheck.safe_urls import UnsafeURLError, validate_public_url

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
    removed_control_characters: int = 0  # NUL and other control characters dropped from text


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
    markdown = suffix in MARKDOWN_SUFFIXES or (
        suffix in TEXT_SUFFIXES and not looks_like_html(raw_text) and looks_like_markdown(raw_text)
    )
    if suffix in HTML_SUFFIXES or (not markdown and looks_like_html(raw_text)):
        raw_text, removed, meta = html_to_text(raw_text)

    controls = count_control_characters(raw_text)
    if controls > max(8, len(raw_text) // 10):
        raise IngestError(
            f"binary file: {controls:,} of {len(raw_text):,} characters are control "
            "characters; expected text, Markdown or HTML"
        )
    if markdown:
        # Controls out first: CommonMark would turn a NUL into U+FFFD, which is not counted.
        raw_text, removed, meta = markdown_to_text(CONTROL_CHARACTERS_RE.sub("", raw_text))
    text = normalise_text(raw_text)
    if not re.search(r"[^\W\d_]{2,}", text):
        raise IngestError("no readable text: the file holds no words")

    title = clean_line(meta.get("title", "")) or guess_title(
        text, markdown=suffix in MARKDOWN_SUFFIXES
    )
    return ArticleDraft(
        title=title[:500],
        text=text,
        content_hash=content_hash(text),
        source_name=clean_line(Path(filename).name)[:500],
        byline=(clean_line(meta.get("byline", "")) or guess_byline(text))[:300],
        published_on=parse_date(meta.get("published", "")) or guess_date(text),
        outlet=clean_line(meta.get("outlet", ""))[:200],
        removed_elements=removed,
        removed_control_characters=controls,
    )


# Field limits of factcheck.models.Article, repeated here because this module has no ORM.
FIELD_LIMITS = {"title": 500, "source_name": 500, "byline": 300, "outlet": 200}


def check_draft(draft: ArticleDraft) -> ArticleDraft:
    """Refuse, with IngestError, a draft that the database would refuse or that could harm a
    reader; return it with its source URL normalised. services.article_ingest calls this for
    every draft, whichever path (command, admin, later an API or a feed) made it."""
    if not draft.text.strip():
        raise IngestError("no text: an article needs its text")
    if not draft.title.strip():
        raise IngestError("no title: an article needs a title")
    if not re.fullmatch(r"[0-9a-f]{64}", draft.content_hash):
        raise IngestError("content_hash must be the SHA-256 hex digest of the text")
    for name, limit in FIELD_LIMITS.items():
        if len(getattr(draft, name)) > limit:
            raise IngestError(f"{name} is over {limit} characters")
    for name in ("title", "text", "source_name", "byline", "outlet", "source_url"):
        value = getattr(draft, name)
        if "\x00" in value:
            raise IngestError(f"{name} contains a NUL character: clean it with normalise_text")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise IngestError(f"{name} is not valid Unicode (a lone surrogate)") from None
    if not draft.source_url:
        return draft
    try:
        url = validate_public_url(draft.source_url)
    except UnsafeURLError as exc:
        raise IngestError(f"source URL refused: {exc}") from None
    return dataclasses.replace(draft, source_url=url)


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


# C0 controls but tab, newline, form feed and carriage return; DEL; C1 controls.
CONTROL_CHARACTERS_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def count_control_characters(text: str) -> int:
    return len(CONTROL_CHARACTERS_RE.findall(text))


def normalise_text(text: str) -> str:
    """NFC, Unix newlines, no trailing spaces, at most one blank line between paragraphs, and
    no control characters (NUL included) other than tab, newline, form feed and return."""
    text = CONTROL_CHARACTERS_RE.sub("", text)
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def clean_line(value: str) -> str:
    """One line of metadata (title, byline, outlet, file name): no control characters, no
    lone surrogates (a file name may carry them), single spaces."""
    value = CONTROL_CHARACTERS_RE.sub("", value)
    value = value.encode("utf-8", "replace").decode("utf-8")
    return " ".join(unicodedata.normalize("NFC", value).split())


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Titles, bylines and dates are looked for in the head of each line only, and the patterns
# below avoid nested repetition: a hostile file of long lines must not take minutes.
LINE_HEAD = 1000
HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+(.+)")


def guess_title(text: str, *, markdown: bool = False) -> str:
    """The first Markdown heading, else the first line that reads like words (a donation
    widget line such as "0 $" is not a title)."""
    lines = [line[:LINE_HEAD] for line in text.split("\n")]
    for line in lines:
        match = HEADING_RE.match(line)
        heading = strip_markdown(match.group(1).rstrip().rstrip("#")) if match else ""
        if heading:
            return heading
    for line in lines:
        candidate = strip_markdown(line.strip())
        if len(re.findall(r"[^\W\d_]{2,}", candidate)) >= 3:
            return candidate
    return strip_markdown(lines[0].strip()) or "Untitled article"


def strip_markdown(line: str) -> str:
    line = re.sub(r"\[([^\[\]]*)\]\([^()]*\)", r"\1", line)
    line = re.sub(r"[*_`]+", "", line)
    return line.strip(" #")


BYLINE_RE = re.compile(r"^By\s+(.{3,120})$")


def guess_byline(text: str) -> str:
    for line in text.split("\n")[:15]:
        match = BYLINE_RE.match(strip_markdown(line[:LINE_HEAD].strip()))
        if match:
            return match.group(1).strip()
    return ""


MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE_RE = re.compile(rf"\b({MONTHS})\s+(\d{{1,2}}),\s+(\d{{4}})\b")


def guess_date(text: str) -> date | None:
    """A "Month DD, YYYY" date in the first lines, where outlets put the dateline."""
    head = "\n".join(line[:LINE_HEAD] for line in text.split("\n")[:15])
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
        key = clean_line(attrs.get("name") or attrs.get("property") or "").lower()
        content = clean_line(attrs.get("content") or "")
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


# --- Markdown -------------------------------------------------------------------------------

# Pasted text is only read as Markdown when it clearly is: plain news text (the seed articles
# included) keeps its exact text and hash, and a stray "# " line, a link or **bold** in it is
# left to extraction's cleaning, which cuts such residue out of what it analyses.
_FENCE_RE = re.compile(r"^ {0,3}(```|~~~)", re.MULTILINE)
_SCRIPT_LINK_RE = re.compile(r"\]\(\s*<?\s*(javascript|vbscript|data):", re.IGNORECASE)
_BLOCK_SYNTAX_RE = re.compile(r" {0,3}(#{1,6}\s|[-*+]\s|\d{1,9}[.)]\s|>)")


def looks_like_markdown(text: str) -> bool:
    """A fenced code block, a link to a script (javascript:, vbscript:, data:), or block syntax
    (headings, list items, quotes) on at least three lines and a fifth of the lines."""
    if _FENCE_RE.search(text) or _SCRIPT_LINK_RE.search(text):
        return True
    lines = [line for line in text.split("\n") if line.strip()]
    marked = sum(1 for line in lines if _BLOCK_SYNTAX_RE.match(line[:LINE_HEAD]))
    return marked >= 3 and marked * 5 >= len(lines)


def _markdown_parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    # Every link target is dropped, so none needs refusing; refused ones (javascript:) would
    # otherwise stay in the text as literal "[text](javascript:...)".
    parser.validateLink = lambda url: True
    return parser


_MARKDOWN = _markdown_parser()
_SCRIPT_SCHEME_RE = re.compile(r"\s*(javascript|vbscript|data):", re.IGNORECASE)
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*?(/?)>?")


def markdown_to_text(source: str) -> tuple[str, tuple[str, ...], dict[str, str]]:
    """Text of a Markdown document, as html_to_text gives for HTML: paragraphs, headings, list
    items and table cells as blank-line-separated blocks; emphasis markers, link targets,
    images (alt text included), code blocks and inline code left out; HTML blocks read like an
    HTML file. Returns the text, what was left out ("code block", "script", ...) and metadata
    (the first heading as title)."""
    blocks: list[str] = []
    removed: list[str] = []
    meta: dict[str, str] = {}
    in_heading = False
    source, set_aside = _set_aside_costly_paragraphs(source)
    for token in _MARKDOWN.parse(source):
        if token.type == "heading_open":
            in_heading = True
        elif token.type == "heading_close":
            in_heading = False
        elif token.type == "inline":
            text = _inline_text(token.children or [], removed)
            if text and in_heading:
                meta.setdefault("title", text)
            blocks.append(text)
        elif token.type in ("fence", "code_block"):
            removed.append("code block")
        elif token.type == "html_block":
            text, dropped, _ = html_to_text(token.content)
            blocks.append(text)
            removed.extend(dropped)
    text = "\n\n".join(block for block in blocks if block.strip())
    text = _PLACEHOLDER_RE.sub(lambda match: set_aside[int(match.group(1))], text)
    return text, tuple(dict.fromkeys(removed)), meta


# markdown-it-py spends tens of microseconds per token: a hostile paragraph ("[" * 200_000)
# would take seconds. Paragraphs over MARKDOWN_PARAGRAPH_MAX characters, and every paragraph
# once the document has spent MARKDOWN_COST_MAX (markup characters, plus a few per paragraph),
# are not parsed: they keep their text with link targets and emphasis markers cut out by a
# linear regex (strip_markdown), in the place of a placeholder the parser passes through.
MARKDOWN_PARAGRAPH_MAX = 10_000
MARKDOWN_COST_MAX = 30_000
_MARKUP_RE = re.compile(r"[\[\]*_`<>!#~|\\-]")
_TAG_RE_PLAIN = re.compile(r"<[^<>]*>")  # linear: a set-aside paragraph keeps no tags
_PLACEHOLDER_RE = re.compile("\ue000(\\d+)\ue001")


def _set_aside_costly_paragraphs(source: str) -> tuple[str, list[str]]:
    parts = re.split(r"(\n[ \t]*\n)", source)  # paragraphs at even indices, breaks at odd
    budget = MARKDOWN_COST_MAX
    kept: list[str] = []
    plain: list[str] = []
    run: list[str] = []  # consecutive paragraphs set aside become one placeholder
    for index, part in enumerate(parts):
        if index % 2:
            if not run:
                kept.append(part)
            continue
        cost = len(_MARKUP_RE.findall(part, 0, MARKDOWN_PARAGRAPH_MAX + 1)) + 4
        if len(part) > MARKDOWN_PARAGRAPH_MAX or cost > budget:
            run.append(" ".join(strip_markdown(_TAG_RE_PLAIN.sub(" ", part)).split()))
            if cost > budget:
                budget = 0  # the rest is set aside too: the parse must stay bounded
            continue
        if run:
            kept.append(f"\ue000{len(plain)}\ue001\n\n")
            plain.append("\n\n".join(run))
            run = []
        budget -= cost
        kept.append(part)
    if run:
        kept.append(f"\n\n\ue000{len(plain)}\ue001")
        plain.append("\n\n".join(run))
    return "".join(kept), plain


def _inline_text(children: list[Token], removed: list[str]) -> str:
    parts: list[str] = []
    dropping = 0  # inside an inline <script> (or another element html_to_text drops)
    script_link = False  # inside [text](javascript:...) or <javascript:...>
    for child in children:
        if child.type == "link_open":
            script_link = bool(_SCRIPT_SCHEME_RE.match(str(child.attrs.get("href", ""))))
        elif child.type == "link_close":
            script_link = False
        elif child.type == "text" and not dropping:
            if not (script_link and _SCRIPT_SCHEME_RE.match(child.content)):
                parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
        elif child.type == "code_inline":
            removed.append("inline code")
        elif child.type == "image":
            removed.append("image")
        elif child.type == "html_inline":
            tag = _TAG_RE.match(child.content)
            name = tag.group(2).lower() if tag else ""
            if name in _TextExtractor.DROPPED and not tag.group(3):
                dropping = max(0, dropping - 1) if tag.group(1) else dropping + 1
                removed.append(name)
            elif name == "br":
                parts.append("\n")
        # link_open/close, em, strong, s: markup only; link text arrives as text tokens.
    lines = "".join(parts).split("\n")
    return "\n".join(" ".join(line.split()) for line in lines).strip()
