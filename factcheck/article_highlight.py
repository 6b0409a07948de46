"""An article's text cut into paragraphs, and each paragraph into plain runs and highlighted
spans (the checked claims), for the public article page. Pure: text and offsets in,
dataclasses out; escaping is the template's job.

Paragraphs are separated by a blank line, as Django's linebreaks filter reads them; a single
newline stays inside its paragraph. A span that overlaps one already placed is left out
rather than nested (claims are slices of the same text, so two may overlap); a span that
crosses a paragraph break is cut at it, each piece still carrying the span's payload.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


@dataclass(frozen=True)
class Highlight:
    """A span of the text to mark: text[start:end], with whatever the caller wants back."""

    start: int
    end: int
    payload: Any


@dataclass(frozen=True)
class Segment:
    """A run of text: plain (payload None) or part of a highlight. starts/ends say whether
    this piece is the first/last of its highlight (a highlight cut at a paragraph break has
    several pieces)."""

    text: str
    payload: Any = None
    starts: bool = False
    ends: bool = False

    @property
    def is_highlight(self) -> bool:
        return self.payload is not None


@dataclass(frozen=True)
class Paragraph:
    segments: tuple[Segment, ...]


def paragraphs_with_highlights(text: str, highlights: Sequence[Highlight]) -> list[Paragraph]:
    """The text's paragraphs in order, with the highlights placed in them. Highlights out of
    the text's bounds, empty, or overlapping an earlier-starting one are left out."""
    placed = _non_overlapping(text, highlights)
    paragraphs = []
    cursor = 0
    for match in [*PARAGRAPH_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        if text[cursor:end].strip():
            paragraphs.append(Paragraph(_segments(text, cursor, end, placed)))
        if match:
            cursor = match.end()
    return paragraphs


def _non_overlapping(text: str, highlights: Sequence[Highlight]) -> list[Highlight]:
    kept: list[Highlight] = []
    trimmed = [_trimmed(text, h) for h in highlights if 0 <= h.start < h.end <= len(text)]
    for h in sorted(trimmed, key=lambda h: (h.start, -h.end)):
        if h.start >= h.end:
            continue
        if kept and h.start < kept[-1].end:
            continue
        kept.append(h)
    return kept


def _trimmed(text: str, h: Highlight) -> Highlight:
    # Whitespace at either end would put a piece in a paragraph break, where no piece is.
    span = text[h.start : h.end]
    start = h.start + len(span) - len(span.lstrip())
    end = h.end - (len(span) - len(span.rstrip()))
    return Highlight(start, end, h.payload)


def _segments(text: str, start: int, end: int, highlights: list[Highlight]) -> tuple[Segment, ...]:
    segments = []
    cursor = start
    for h in highlights:
        if h.end <= start or h.start >= end:
            continue
        piece_start, piece_end = max(h.start, start), min(h.end, end)
        if piece_start > cursor:
            segments.append(Segment(text[cursor:piece_start]))
        segments.append(
            Segment(
                text[piece_start:piece_end],
                payload=h.payload,
                starts=piece_start == h.start,
                ends=piece_end == h.end,
            )
        )
        cursor = piece_end
    if cursor < end:
        segments.append(Segment(text[cursor:end]))
    return tuple(segments)
