"""Sentences too long to be one claim: split at clause boundaries, or left out with a reason.

A 200 KB line with no punctuation is "one sentence" to spaCy's parser in the worst case, and a
claim of thousands of words is of no use to a reviewer. A sentence over ``max_words`` is cut
at its clause boundaries (semicolons, colons, dashes, ", and" / ", but" / ", while" ...) into
pieces under the bound; a stretch with no boundary in reach is left out with ``REASON``.

Pure: ``clause_pieces`` takes text and returns offsets; ``split_spans`` applies it to spaCy
sentence spans (sub-spans of the same doc, so everything after it works unchanged).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.tokens import Span

MAX_WORDS = 80  # settings.SENTENCE_MAX_WORDS overrides it
REASON = "sentence too long: no clause boundary to split it under the word limit"

_WORD = re.compile(r"\S+")
# A piece may start right after one of these. Each match's end is where the next piece starts.
_BOUNDARY = re.compile(
    r"[;:]\s+"  # semicolon, colon
    r"|\s[\u2013\u2014-]{1,2}\s+|\u2014\s*"  # spaced dash, en/em dash, or an unspaced em dash
    r"|,\s+(?=(?:and|but|or|yet|so|while|whereas|although|though|because|which|who)\b)"
)


@dataclass(frozen=True)
class Pieces:
    """Offsets into the text given: the pieces to keep, and the stretches left out."""

    kept: list[tuple[int, int]] = field(default_factory=list)
    skipped: list[tuple[int, int]] = field(default_factory=list)


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def clause_pieces(text: str, *, max_words: int = MAX_WORDS) -> Pieces:
    """Cut ``text`` at clause boundaries into pieces of at most ``max_words`` words.

    Greedy: each piece runs to the last boundary that keeps it under the bound. A piece that
    cannot be brought under the bound (no boundary within ``max_words`` words) is skipped; the
    text after it is cut again from its next boundary. Offsets are trimmed of whitespace.
    """
    words = [m.start() for m in _WORD.finditer(text)]
    if len(words) <= max_words:
        return Pieces(kept=[trim_whitespace(text, 0, len(text))] if words else [])
    starts = [m.end() for m in _BOUNDARY.finditer(text)]  # sorted
    kept: list[tuple[int, int]] = []
    skipped: list[tuple[int, int]] = []
    position = 0
    while bisect.bisect_left(words, position) < len(words):  # words left after position
        # The furthest boundary that keeps the piece from position within the bound.
        limit_index = bisect.bisect_left(words, position) + max_words
        limit = words[limit_index] if limit_index < len(words) else len(text)
        reachable = bisect.bisect_right(starts, limit)
        cut = starts[reachable - 1] if reachable and starts[reachable - 1] > position else None
        if limit == len(text):
            cut = len(text)
        if cut is None:
            # No boundary in reach: skip to the next boundary (or the end) and start again.
            following = starts[reachable] if reachable < len(starts) else len(text)
            skipped.append(trim_whitespace(text, position, following))
            position = following
            continue
        kept.append(trim_whitespace(text, position, cut))
        position = cut
    return Pieces(
        kept=[p for p in kept if p[0] < p[1]], skipped=[p for p in skipped if p[0] < p[1]]
    )


def trim_whitespace(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without the whitespace at either end."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_spans(
    spans: Sequence[Span], *, max_words: int = MAX_WORDS
) -> tuple[list[Span], list[tuple[int, int]]]:
    """Sentence spans with every long one replaced by its clause pieces (as spans of the same
    doc), and the character offsets (in the doc's text) of the stretches left out."""
    kept: list[Span] = []
    skipped: list[tuple[int, int]] = []
    for span in spans:
        if count_words(span.text) <= max_words:
            kept.append(span)
            continue
        pieces = clause_pieces(span.text, max_words=max_words)
        base = span.start_char
        for a, b in pieces.kept:
            piece = span.doc.char_span(base + a, base + b, alignment_mode="contract")
            if piece is not None and len(piece):
                kept.append(piece)
        skipped += [(base + a, base + b) for a, b in pieces.skipped]
    return kept, skipped
