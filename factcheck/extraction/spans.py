"""Per-doc caches of entities and quotations.

``Doc.ents`` and ``Span.ents`` rebuild their lists by walking every token on each access, and
several steps ask for them per sentence; on article-length input that walk cost more than the
rest of our analysis together. These helpers compute each once per doc (kept in
``doc.user_data``) and slice by token range. ``Doc.text`` is rebuilt from the tokens on every
access too, so it is cached the same way.
"""

from __future__ import annotations

import bisect

from spacy.tokens import Doc, Span

from factcheck.extraction.quotes import quote_regions

_ENTS = "factcheck.ents"
_ENT_STARTS = "factcheck.ent_starts"
_QUOTES = "factcheck.quotes"
_TEXT = "factcheck.text"


def remember_text(doc: Doc, text: str) -> None:
    """Record the text the doc was made from (spaCy reproduces it exactly), so nothing has
    to rebuild it."""
    doc.user_data[_TEXT] = text


def doc_text(doc: Doc) -> str:
    """``doc.text``, which spaCy rebuilds from the tokens on every access."""
    text = doc.user_data.get(_TEXT)
    if text is None:
        text = doc.text
        doc.user_data[_TEXT] = text
    return text


def doc_ents(doc: Doc) -> list[Span]:
    ents = doc.user_data.get(_ENTS)
    if ents is None:
        ents = list(doc.ents)
        doc.user_data[_ENTS] = ents
        doc.user_data[_ENT_STARTS] = [e.start for e in ents]
    return ents


def span_ents(span: Span) -> list[Span]:
    """Entities that start inside ``span`` and end by its end."""
    ents = doc_ents(span.doc)
    starts = span.doc.user_data[_ENT_STARTS]
    lo = bisect.bisect_left(starts, span.start)
    hi = bisect.bisect_left(starts, span.end)
    return [e for e in ents[lo:hi] if e.end <= span.end]


def doc_quotes(doc: Doc) -> list[tuple[int, int]]:
    regions = doc.user_data.get(_QUOTES)
    if regions is None:
        regions = quote_regions(doc_text(doc))
        doc.user_data[_QUOTES] = regions
    return regions
