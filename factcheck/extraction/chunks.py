"""Units of extraction work: an article is extracted a chunk of paragraphs at a time, so a
huge article takes its turn in the queue like any other instead of holding it for minutes.

Pure. ``next_chunk`` says where the chunk starting at an offset ends (a paragraph break, after
at most ``max_words`` words, but always at least one paragraph); ``within`` keeps the cleaned
paragraphs that start inside a chunk. Cleaning runs on the whole text, so its article-wide
rules (headline first, nothing after a comment widget) hold in every chunk, and each paragraph
falls in exactly one chunk. Attribution context (who "he" is, a colon introducing the next
paragraph's quotation) does not cross a chunk boundary.
"""

from __future__ import annotations

import dataclasses
import re

from factcheck.extraction.cleaning import CleanedArticle

MAX_WORDS = 3000  # settings.EXTRACTION_CHUNK_WORDS overrides it

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_WORD = re.compile(r"\S+")


def next_chunk(text: str, start: int, *, max_words: int = MAX_WORDS) -> int:
    """The end offset of the chunk of ``text`` that starts at ``start``: the last paragraph
    break that keeps the chunk within ``max_words`` words, or the end of the first paragraph
    if that alone is longer, or the end of the text."""
    end = start
    words = 0
    for match in _PARAGRAPH_BREAK.finditer(text, start):
        words += len(_WORD.findall(text, end, match.start()))
        if words > max_words and end > start:
            return end
        end = match.end()
        if words >= max_words:
            return end
    words += len(_WORD.findall(text, end))
    if words > max_words and end > start:
        return end
    return len(text)


def within(article: CleanedArticle, window: tuple[int, int] | None) -> CleanedArticle:
    """The cleaned article with only the paragraphs (and removals) that start in ``window``;
    the whole of it when ``window`` is None."""
    if window is None:
        return article
    start, end = window
    return dataclasses.replace(
        article,
        segments=[s for s in article.segments if start <= s.start < end],
        removals=[r for r in article.removals if start <= r.start < end],
    )
