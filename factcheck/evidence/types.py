"""Dataclasses and errors shared by the evidence sources and the ranking. Pure: no ORM."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol


@dataclass(frozen=True)
class PageSection:
    heading: str  # "" for the lead
    text: str


@dataclass(frozen=True)
class PageSnapshot:
    """One revision of one page, text and revision id taken from the same response."""

    wiki: str  # "en.wikipedia.org"
    title: str
    url: str
    sections: tuple[PageSection, ...]
    source: str  # "live" or "corpus"
    page_id: int | None = None
    revision_id: int | None = None
    snapshot_date: date | None = None  # the offline corpus has no revision ids
    description: str = ""


class EvidenceSourceError(Exception):
    """The source failed. transient=True means retrying later may succeed."""

    def __init__(self, message: str, *, transient: bool, retry_after: float | None = None):
        super().__init__(message)
        self.transient = transient
        self.retry_after = retry_after


class EvidenceSource(Protocol):
    name: str

    def search(self, query: str, *, limit: int = 5) -> list[str]:
        """Titles of pages matching a free-text query, best first."""

    def fetch_pages(self, titles: Sequence[str]) -> dict[str, PageSnapshot]:
        """Pages for the given titles, keyed by the *requested* title (redirects followed).
        Titles with no page are simply absent: a missing page is a normal outcome."""


@dataclass(frozen=True)
class ClaimQuery:
    """What the ranking needs to know about a claim."""

    text: str
    claimant: str | None = None
    entity_names: tuple[str, ...] = ()  # normalised names and aliases, most specific first
    numbers: tuple[float, ...] = ()
    quantities: tuple[dict, ...] = field(default=())  # {"value", "unit", "bound", "text"}
    # What the claim is about beyond its sentence, usually the article's headline. Ranking
    # uses it to prefer pages on the article's topic ("Damascus-led forces freed 28
    # localities" is about the Russian intervention because the article is).
    context: str = ""


@dataclass(frozen=True)
class RankedSentence:
    page_title: str
    sentence_index: int  # index among the page's sentences, stable for a given revision
    sentence: str
    section: str
    score: float
    method: str  # e.g. "bm25+entity+number", "entity-title"


@dataclass(frozen=True)
class Hint:
    """A signal for the reviewer. Never a verdict."""

    # "number_mismatch", "number_match", "claimant_absent", "claimant_present",
    # "date_mismatch", "date_match"
    kind: str
    message: str
    # Where to look: the evidence sentence the hint is about, when there is one.
    page_title: str = ""
    sentence_index: int | None = None
