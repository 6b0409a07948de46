"""Wikitext to plain-text sections: a small, honest converter. Pure.

It keeps prose and list items and drops what it cannot render faithfully: templates
(infoboxes, citations, navboxes), tables, references, files, categories and comments.
Links keep their visible text. Headings (== x ==, any level) start sections; the sections
the offline corpus also drops (See also, References, ...) are dropped here too.
"""

import html
import re

from factcheck.evidence.types import PageSection

DROPPED_SECTIONS = frozenset(
    {
        "see also",
        "references",
        "further reading",
        "external links",
        "notes",
        "bibliography",
        "sources",
        "citations",
        "footnotes",
    }
)

_HEADING = re.compile(r"^(={2,6})\s*(.+?)\s*\1\s*$", re.MULTILINE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_REF = re.compile(r"<ref\b[^>/]*/>|<ref\b[^>]*>.*?</ref\s*>", re.DOTALL | re.IGNORECASE)
_DROP_TAGS = re.compile(
    r"<(gallery|math|timeline|score|syntaxhighlight|imagemap)\b.*?</\1\s*>",
    re.DOTALL | re.IGNORECASE,
)
_TEMPLATE = re.compile(r"\{\{(?:(?!\{\{|\}\}).)*\}\}", re.DOTALL)  # innermost first
_TABLE = re.compile(r"\{\|(?:(?!\{\||\|\}).)*\|\}", re.DOTALL)
_FILE_LINK = re.compile(
    r"\[\[(?:File|Image|Category|Media):[^\[\]]*(?:\[\[[^\]]*\]\][^\[\]]*)*\]\]", re.IGNORECASE
)
_LINK = re.compile(r"\[\[(?:[^\[\]|]*\|)?([^\[\]]*)\]\]")
_EXTERNAL = re.compile(r"\[(?:https?:)?//[^\s\]]+(?:\s([^\]]*))?\]")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_EMPHASIS = re.compile(r"'{2,5}")
_LIST_MARK = re.compile(r"^[*#:;]+\s*", re.MULTILINE)


def _strip_nested(pattern: re.Pattern, text: str) -> str:
    while True:
        stripped = pattern.sub("", text)
        if stripped == text:
            return text
        text = stripped


def wikitext_to_text(wikitext: str) -> str:
    """Plain text of a stretch of wikitext without headings."""
    text = _COMMENT.sub("", wikitext)
    text = _REF.sub("", text)
    text = _DROP_TAGS.sub("", text)
    text = _strip_nested(_TEMPLATE, text)
    text = _strip_nested(_TABLE, text)
    text = _FILE_LINK.sub("", text)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _EXTERNAL.sub(lambda m: m.group(1) or "", text)
    text = _TAG.sub("", text)
    text = _EMPHASIS.sub("", text)
    text = _LIST_MARK.sub("", text)
    text = html.unescape(text).replace("\u00a0", " ")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    paragraphs, current = [], []
    for line in lines:
        if line.startswith("__") and line.endswith("__"):
            continue  # __NOTOC__ and friends
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(p for p in paragraphs if p.strip(" ,.;:()"))


def wikitext_sections(wikitext: str) -> tuple[PageSection, ...]:
    """The lead (heading "") and one section per heading, in page order. Sections under a
    dropped heading (References, See also, ...) are left out, with their subsections."""
    sections: list[PageSection] = []
    headings = list(_HEADING.finditer(wikitext))
    bounds = [(None, 0, headings[0].start() if headings else len(wikitext))]
    for i, match in enumerate(headings):
        end = headings[i + 1].start() if i + 1 < len(headings) else len(wikitext)
        bounds.append((match, match.end(), end))
    dropped_level: int | None = None
    for match, start, end in bounds:
        heading, level = "", 1
        if match is not None:
            heading = wikitext_to_text(match.group(2)).strip()
            level = len(match.group(1))
            if dropped_level is not None and level > dropped_level:
                continue
            dropped_level = None
            if heading.casefold() in DROPPED_SECTIONS:
                dropped_level = level
                continue
        text = wikitext_to_text(wikitext[start:end])
        if text or heading:
            sections.append(PageSection(heading, text))
    return tuple(sections)
