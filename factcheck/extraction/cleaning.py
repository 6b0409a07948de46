"""Cleaning before NLP: paragraphs, site chrome, Markdown residue, and offsets kept throughout.

Pure: text in, dataclasses out. Nothing here rewrites the article. It decides which stretches
of the original text spaCy should see (``Segment``) and records every stretch it leaves out
with a reason (``Removal``), so that every span found later maps back to a verbatim slice of
the original text.

The chrome rules themselves (donation widgets, "Support X" buttons, comment boxes, photo
credits, author bios, legal boilerplate, Markdown and URL residue) live in ``chrome``; this
module splits paragraphs, applies the rules in document order (a comment widget or a footer
ends the article: everything after it is left out), tells headline and caption from body,
rejoins paragraphs broken mid-sentence, and builds the offset-keeping segments.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Literal

from factcheck.extraction.chrome import (
    COMMENT_WIDGET,
    TRAILER,
    TRAILING_CREDIT,
    chrome_reason,
    count_words,
    inline_removals,
    plain,
)
from factcheck.extraction.types import Removal

Role = Literal["headline", "caption", "body"]


@dataclass(frozen=True)
class Paragraph:
    """A run of text between blank lines, trimmed of surrounding whitespace."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Segment:
    """What spaCy sees for one logical paragraph, and how to map it back to the original.

    ``text`` is built from verbatim runs of the original with chrome and Markdown residue
    cut out; ``runs`` holds ``(segment_offset, original_offset)`` for the start of each run,
    so a character's original position is one bisect away. A paragraph broken in two by a
    stray blank line (inside a quotation, say) is one segment whose runs skip the break.
    """

    text: str
    runs: tuple[tuple[int, int], ...]
    start: int  # original offset of the logical paragraph (paragraph_start)
    end: int  # original end offset of the logical paragraph (paragraph_end)
    role: Role
    ends_with_colon: bool = False  # "..., saying:" introduces the next paragraph's quotation

    def original_offset(self, i: int) -> int:
        """Original offset of the character at segment offset ``i``."""
        keys = [r[0] for r in self.runs]
        k = bisect.bisect_right(keys, i) - 1
        seg_start, orig_start = self.runs[max(k, 0)]
        return orig_start + (i - seg_start)

    def piece(self, start: int, end: int) -> Segment:
        """The part [start, end) of this segment as a segment of its own (same role)."""
        runs = [(0, self.original_offset(start))]
        runs += [(s - start, o) for s, o in self.runs if start < s < end]
        text = self.text[start:end]
        first, last = self.to_original(start, end)
        return Segment(
            text=text,
            runs=tuple(runs),
            start=first,
            end=last,
            role=self.role,
            ends_with_colon=text.rstrip().endswith(":"),
        )

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the segment span [start, end) to an original span (end exclusive)."""
        if end <= start:
            o = self.original_offset(start)
            return o, o
        return self.original_offset(start), self.original_offset(end - 1) + 1


@dataclass
class CleanedArticle:
    """The article as paragraphs to analyse plus everything left out, with reasons."""

    text: str
    segments: list[Segment] = field(default_factory=list)
    removals: list[Removal] = field(default_factory=list)


# --- Paragraphs ----------------------------------------------------------

_BLANK_LINE = re.compile(r"\r?\n[ \t\r\u00a0]*\n\s*")
# A single line break that is also a sentence end: "...the war.\nThe next paragraph". Some
# sources separate paragraphs this way; a break inside a sentence or a widget is left alone.
_LINE_PARAGRAPH = re.compile(r"(?<=[.!?\"”’)])[ \t\r]*\n(?=[ \t]*[A-Z\"“‘(])")


def split_paragraphs(text: str) -> list[Paragraph]:
    """Paragraphs separated by blank lines (or by a line break ending a sentence)."""
    paragraphs = []
    pos = 0
    for match in [*_BLANK_LINE.finditer(text), None]:
        end = match.start() if match else len(text)
        sub = pos
        for line_break in [*_LINE_PARAGRAPH.finditer(text, pos, end), None]:
            sub_end = line_break.start() if line_break else end
            chunk = text[sub:sub_end]
            stripped = chunk.strip()
            if stripped:
                start = sub + len(chunk) - len(chunk.lstrip())
                paragraphs.append(Paragraph(start, start + len(stripped), stripped))
            if line_break:
                sub = line_break.end()
        if match:
            pos = match.end()
    return paragraphs


# --- Assembling segments ----------------------------------------------------------

_TERMINAL = re.compile(r"[.!?:;…\"”’')\]]\s*$|''\s*$")


def _continues(previous: Paragraph, following: Paragraph) -> bool:
    """A blank line that breaks a sentence: no closing punctuation, next starts lower-case.

    Seen in pasted copy where a quotation was broken mid-sentence ("Russia's aerospace" /
    "forces against the IS positions"). Headings end without punctuation too, but they are
    followed by a capital letter, so they are not joined.
    """
    return not _TERMINAL.search(previous.text) and bool(re.match(r"[a-z]", following.text))


def _build_segment(
    text: str, parts: list[Paragraph], cuts: list[Removal], role: Role
) -> Segment | None:
    pieces: list[str] = []
    runs: list[tuple[int, int]] = []
    length = 0

    def copy(a: int, b: int) -> None:
        nonlocal length
        chunk = text[a:b]
        if not chunk:
            return
        if pieces and not pieces[-1][-1:].isspace() and not chunk[0].isspace():
            # Cutting "](#)" out of "x](#)y" must not glue two words together.
            if re.match(r"\w", chunk[0]) and re.match(r"\w", pieces[-1][-1]):
                runs.append((length, a - 1 if a > 0 else a))
                pieces.append(" ")
                length += 1
        runs.append((length, a))
        pieces.append(chunk)
        length += len(chunk)

    for index, para in enumerate(parts):
        if index:
            # Join the two halves of a broken paragraph with one space, mapped to the break.
            gap = parts[index - 1].end
            runs.append((length, gap))
            pieces.append(" ")
            length += 1
        pos = para.start
        for cut in cuts:
            if cut.end <= para.start or cut.start >= para.end:
                continue
            copy(pos, max(pos, cut.start))
            pos = max(pos, cut.end)
        copy(pos, para.end)
    seg_text = "".join(pieces)
    if not seg_text.strip():
        return None
    return Segment(
        text=seg_text,
        runs=tuple(runs),
        start=parts[0].start,
        end=parts[-1].end,
        role=role,
        ends_with_colon=seg_text.rstrip().endswith(":"),
    )


def _looks_like_headline(para: Paragraph, plain_text: str) -> bool:
    if para.text.lstrip().startswith("#"):
        return True
    return "\n" not in para.text and count_words(plain_text) <= 20 and not plain_text.endswith(".")


def clean(text: str) -> CleanedArticle:
    """Split ``text`` into paragraphs, drop site chrome with reasons, and build NLP segments.

    The first paragraph that is not chrome and reads like a title is the headline; a caption
    or standfirst directly after it is kept apart from the body (role "caption"). Everything
    from a comment widget, an author-bio block or a copyright trailer to the end of the text
    is left out, because below those lines come reader comments and site furniture.
    """
    result = CleanedArticle(text=text)
    paragraphs = split_paragraphs(text)
    kept: list[tuple[Paragraph, Role]] = []
    headline_seen = False
    headline_plain = ""
    trailer_reason: str | None = None

    for para in paragraphs:
        plain_text = plain(para.text)
        if trailer_reason is None:
            if COMMENT_WIDGET.search(para.text) and count_words(plain_text) <= 30:
                trailer_reason = "comment widget and reader comments below the article"
            elif TRAILER.match(plain_text):
                trailer_reason = "author bio, copyright and site footer after the article"
        if trailer_reason is not None:
            result.removals.append(Removal(para.start, para.end, trailer_reason))
            continue
        reason = chrome_reason(para.text, plain_text)
        if reason is None and headline_seen and _fold(plain_text) == headline_plain:
            reason = "headline repeated in the page"
        if reason is None and not re.search(r"[^\W\d_]{2,}", plain_text):
            reason = "no words"
        if reason is not None:
            result.removals.append(Removal(para.start, para.end, reason))
            continue
        if not headline_seen and _looks_like_headline(para, plain_text):
            headline_seen = True
            headline_plain = _fold(plain_text)
            kept.append((para, "headline"))
            continue
        role: Role = "body"
        if kept and kept[-1][1] == "headline" and len(kept) == 1:
            # A caption or standfirst: the first paragraph under the headline that carries a
            # credit, or is set in italics, or is a one-line dek.
            if (
                TRAILING_CREDIT.search(para.text)
                or para.text.startswith(("*", "_"))
                or ("\n" not in para.text and count_words(plain_text) <= 40)
            ):
                role = "caption"
        headline_seen = True
        kept.append((para, role))

    # Inline residue in the paragraphs we keep, then join broken paragraphs.
    groups: list[tuple[list[Paragraph], Role]] = []
    for para, role in kept:
        if (
            groups
            and groups[-1][1] == "caption"
            and role == "body"
            and _continues(groups[-1][0][-1], para)
        ):
            role = "caption"
        if groups and groups[-1][1] != "headline" and role != "headline":
            if _continues(groups[-1][0][-1], para):
                groups[-1][0].append(para)
                continue
        groups.append(([para], role))

    for parts, role in groups:
        cuts: list[Removal] = []
        for para in parts:
            cuts.extend(inline_removals(para.text, para.start))
        result.removals.extend(cuts)
        segment = _build_segment(text, parts, cuts, role)
        if segment is not None:
            result.segments.extend(split_long(segment))
    result.removals.sort(key=lambda r: r.start)
    return result


# spaCy refuses texts over nlp.max_length (1,000,000 characters) and its memory grows with
# document length, so a "paragraph" that is really a whole article without blank lines is cut
# into pieces of at most this many characters, at sentence ends where possible.
MAX_SEGMENT_CHARS = 20_000
_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*\s+")


def split_long(segment: Segment, limit: int = MAX_SEGMENT_CHARS) -> list[Segment]:
    """``segment`` as pieces of at most ``limit`` characters, cut after a sentence if possible."""
    if len(segment.text) <= limit:
        return [segment]
    pieces: list[Segment] = []
    pos = 0
    text = segment.text
    while pos < len(text):
        if len(text) - pos <= limit:
            cut = len(text)
        else:
            window = text[pos : pos + limit]
            ends = [m.end() for m in _SENTENCE_END.finditer(window)]
            if ends and ends[-1] > limit // 2:
                cut = pos + ends[-1]
            else:
                space = window.rfind(" ")
                cut = pos + (space + 1 if space > limit // 2 else limit)
        chunk = text[pos:cut]
        lead = len(chunk) - len(chunk.lstrip())
        trail = len(chunk.rstrip())
        if chunk.strip():
            pieces.append(segment.piece(pos + lead, pos + trail))
        pos = cut
    return pieces


def _fold(text: str) -> str:
    """Compare headlines regardless of curly/straight quotes, case and spacing."""
    folded = text.translate(str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'}))
    return re.sub(r"\s+", " ", folded).strip().lower()
