"""Quotations: where quoted speech starts and ends in a paragraph, whatever marks were used.

Pure: text (or spaCy spans) in, character spans out.
"""

from __future__ import annotations

import re

from spacy.tokens import Span

_OPEN_QUOTES = "“„«"
_CLOSE_QUOTES = "”»"
_QUOTE_MARK = re.compile(r"''|[\"“”„«»]")


def quote_regions(text: str) -> list[tuple[int, int]]:
    """Inner spans of quotations, tolerant of mixed and unbalanced marks.

    Curly marks say which way they face; straight '"' and doubled "''" toggle. An opening mark
    never closed runs to the end of the text; a closing mark never opened starts the quote at
    the beginning (pasted copy loses marks both ways).
    """
    regions: list[tuple[int, int]] = []
    open_at: int | None = None
    for m in _QUOTE_MARK.finditer(text):
        mark = m.group()
        if mark in _OPEN_QUOTES:
            open_at = m.end()
        elif mark in _CLOSE_QUOTES:
            regions.append((open_at if open_at is not None else 0, m.start()))
            open_at = None
        elif open_at is None and _closing_shaped(text, m.start(), m.end()):
            # A straight mark glued to the word before it and followed by a space closes a
            # quotation whose opening mark was lost: it ran from the start of the paragraph.
            regions.append((0, m.start()))
        elif open_at is None:
            open_at = m.end()
        else:
            regions.append((open_at, m.start()))
            open_at = None
    if open_at is not None:
        regions.append((open_at, len(text)))
    return [(a, b) for a, b in regions if b > a]


def _closing_shaped(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not before.isspace() and before not in "([{" and (after.isspace() or after in ".,;:!?)")


def mostly_inside(span: Span, region: tuple[int, int]) -> bool:
    """Most of the sentence's words lie inside the quotation."""
    words = [t for t in span if not t.is_punct and not t.is_space]
    if not words:
        return False
    inside = sum(1 for t in words if region[0] <= t.idx < region[1])
    return inside >= 0.8 * len(words)
