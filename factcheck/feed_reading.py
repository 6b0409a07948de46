"""Read an RSS or Atom feed (bytes as fetched) into the entries to ingest. Pure: no ORM, no
network: feedparser only parses here, it never fetches (factcheck.fetching does that).

Each entry is known by a key: its id (RSS guid, Atom id) or, failing that, its link. The key,
not the page's text, is what keeps an entry from being ingested twice: an outlet that fixes
a typo in a story changes its text, not its id.
"""

import hashlib
import io
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin

import feedparser

from factcheck.ingestion import clean_line

# Longer ids are stored as their SHA-256 (factcheck.models.FeedEntry.entry_key holds 500).
ENTRY_KEY_MAX = 500


class FeedFormatError(ValueError):
    """The document is not a feed feedparser can read. One line for a person."""


@dataclass(frozen=True)
class FeedItem:
    key: str
    link: str  # absolute, as the feed gives it; may be "" (the entry cannot be fetched)
    title: str
    published_on: date | None


@dataclass(frozen=True)
class FeedContents:
    title: str
    items: tuple[FeedItem, ...]  # in the feed's order (usually newest first), keys unique


def read_feed(data: bytes, *, url: str) -> FeedContents:
    """Parse a fetched feed; url (where it was fetched) resolves relative links. Entries with
    neither an id nor a link are left out: nothing could tell them apart next time. Raises
    FeedFormatError when the document is no feed at all."""
    # A stream, never bytes or a string: given those, feedparser tries them as a URL to fetch
    # or a file name to open, and a feed's body is not to be trusted with either.
    parsed = feedparser.parse(io.BytesIO(data), response_headers={"content-location": url})
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        reason = clean_line(str(problem))[:200] if problem else "no RSS or Atom elements"
        raise FeedFormatError(f"not an RSS or Atom feed ({reason})")
    items: dict[str, FeedItem] = {}
    for entry in parsed.entries:
        link = clean_line(entry.get("link", ""))
        link = urljoin(url, link) if link else ""
        key = entry_key(clean_line(entry.get("id", "")) or link)
        if key and key not in items:
            items[key] = FeedItem(
                key=key,
                link=link,
                title=clean_line(entry.get("title", ""))[:500],
                published_on=entry_date(entry),
            )
    return FeedContents(
        title=clean_line(parsed.feed.get("title", ""))[:300], items=tuple(items.values())
    )


def entry_key(identifier: str) -> str:
    if len(identifier) <= ENTRY_KEY_MAX:
        return identifier
    return "sha256:" + hashlib.sha256(identifier.encode("utf-8")).hexdigest()


def entry_date(entry) -> date | None:
    """The entry's publication date (else its last update), as feedparser read it."""
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    try:
        return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
    except ValueError:
        return None
