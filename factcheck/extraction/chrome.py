"""Site chrome: which paragraphs are page furniture, and which residue inside kept paragraphs.

Pure: strings in, reasons and ``Removal`` spans out. Used by ``cleaning.clean``.

The rules look at the shape of a paragraph (short, opens with an imperative, only amounts and
a currency sign, a notice's wording) rather than at one site's wording wherever possible, and
each is written so that a body sentence that merely mentions the same word ("Support for the
war fell", "Copyright law was not the issue") stays article text.
"""

from __future__ import annotations

import re

from factcheck.extraction.types import Removal

# --- Whole-paragraph chrome ----------------------------------------------------------

_MARKUP = re.compile(r"[#*_>`]+")
_LINK = re.compile(r"\[([^\]\n]*)\]\(([^)\n]*)\)")


def plain(text: str) -> str:
    """Paragraph text without Markdown emphasis/headings and with links reduced to their text."""
    return _MARKUP.sub("", _LINK.sub(r"\1", text)).strip()


def count_words(text: str) -> int:
    return len(re.findall(r"[A-Za-z]{2,}", text))


# Lines of a donation widget: "2,500 $", "$ 5", "0 €".
_AMOUNT_LINE = re.compile(r"^\s*(?:[$€£]\s*)?[\d][\d,. ]*(?:\s*[$€£])?\s*$")
_CALL_TO_ACTION = re.compile(
    r"^(?:support|subscribe|donate|follow us|share(?: this)?|sign up|log ?in|register|"
    r"become a (?:member|patron|supporter)|join us|click here|read more|comment on|"
    r"like us|download|leave a (?:comment|reply)|print this|email this)\b",
    re.IGNORECASE,
)
# Words that only widgets use, so a full stop does not make the line a sentence.
_WIDGET_WORDS = re.compile(
    r"\b(?:click|subscribe|newsletter|donate|facebook|twitter|telegram)\b", re.IGNORECASE
)
# A comment widget starts the reader-comment area; everything after it is not the article.
COMMENT_WIDGET = re.compile(
    r"^(?:notify of|\d+\s+comments?|newest\s+most\s+voted|oldest\s+newest|inline feedbacks?|"
    r"view all comments|leave a (?:comment|reply)|comments?\s*\(\d+\)|join the discussion)\b",
    re.IGNORECASE | re.MULTILINE,
)
_PHOTO_CREDIT = re.compile(
    r"^(?:©|photo|image|picture|video|credit|source)\s*(?:©|credit)?\s*:?\s*"
    r"(?:photo|image|picture)?\s*:",
    re.IGNORECASE,
)
# Legal boilerplate. An article may discuss copyright, so these are phrases of notices, not
# the topic: a notice opens with them, or says them in the words notices use.
_LEGAL_OPENING = re.compile(
    r"^(?:©|\(c\)\s*\d{4}|copyright\s*(?:©|\(c\)|\d{4})|disclaimer\s*:|all rights reserved|"
    r"terms of (?:use|service)|privacy policy)",
    re.IGNORECASE,
)
_LEGAL_PHRASE = re.compile(
    r"\bcontains copyrighted material\b|\ball rights reserved\b|"
    r"\bunder the provisions of \W?fair use\b|\bgrants? permission to (?:re|cross)-?post\b|"
    r"\bare of sole responsibility of the author|\bmay not be (?:re)?published\b",
    re.IGNORECASE,
)
# Author bios and contact lines: how to reach the author, or "<Name> lives in <Place>" /
# "<Name> is a journalist" opening the paragraph (not "The family lives in Aleppo").
_BIO_CONTACT = re.compile(
    r"\b(?:can be reached at|visit (?:his|her|their) (?:blog|website|site)|about the author|"
    r"articles by|follow (?:him|her|them) on|for media inquiries|contact the author)\b",
    re.IGNORECASE,
)
_BIO_PERSON = re.compile(
    r"^[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}\s+(?:lives in|is an? (?:writer|journalist|"
    r"author|reporter|columnist|contributor|analyst|editor|researcher)|is the author of)\b"
)
TRAILER = re.compile(
    r"^(?:the original source of this article is|about the author|articles by\b|"
    r"disclaimer\s*:|copyright\s*(?:©|\(c\)|\d{4})|©\s*(?:copyright|\d{4}|all rights))",
    re.IGNORECASE,
)
_NAME_WORD = r"[A-Z][\w.'’-]*"
# "By Jane Smith", "By Jane Smith and John Doe, Reuters"; not "By Monday, the army had ...".
_BYLINE = re.compile(
    rf"^[Bb][Yy]\s+{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}}"
    rf"(?:\s*(?:,|and|&)\s*{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}})*$"
)
_TAXONOMY = re.compile(
    r"^(?:region|theme|topic|tags?|categor(?:y|ies)|in-depth report|filed under)\s*:", re.IGNORECASE
)
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DATELINE = re.compile(
    r"^(?:[A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){0,4},\s*)?"
    r"(?:" + _MONTH + r"\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+" + _MONTH + r"\s+\d{4}|\d{4}-\d\d-\d\d)"
    r"(?:\s*[,|-]?\s*\d{1,2}:\d\d(?:\s*[AP]M)?)?$"
)
_RULE_LINE = re.compile(r"^(?:-{3,}|\*{3,}|_{3,}|={3,})$")


def chrome_reason(text: str, plain_text: str) -> str | None:
    """Why a whole paragraph is site chrome, or None when it may be article text."""
    lines = [line for line in text.splitlines() if line.strip()]
    if lines and all(_AMOUNT_LINE.match(line) for line in lines) and re.search(r"[$€£]", text):
        return "donation widget"
    if _RULE_LINE.match(plain_text) or _RULE_LINE.match(text.strip()):
        return "horizontal rule"
    if _PHOTO_CREDIT.match(plain_text):
        return "photo credit"
    words = count_words(plain_text)
    if (
        _CALL_TO_ACTION.match(plain_text)
        and words <= 8
        and not re.search(r"\d", plain_text)
        and (not plain_text.endswith(".") or _WIDGET_WORDS.search(plain_text))
    ):
        return "call to action (support / membership button)"
    if _TAXONOMY.match(plain_text):
        return "region/theme line"
    if _BYLINE.match(plain_text) and words <= 8:
        return "byline"
    if _DATELINE.match(plain_text):
        return "dateline"
    if _BIO_CONTACT.search(plain_text) or _BIO_PERSON.match(plain_text):
        return "author bio or contact line"
    if _LEGAL_OPENING.match(plain_text) or _LEGAL_PHRASE.search(plain_text):
        return "copyright or legal notice"
    return None


# --- Inline residue ----------------------------------------------------------

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.IGNORECASE)
_URL = re.compile(r"<?(?:https?://|www\.)[^\s<>()\]]+>?", re.IGNORECASE)
_ANGLE_URL = re.compile(r"<(?:https?://|mailto:)[^>\s]+>", re.IGNORECASE)
_HEADING_MARK = re.compile(r"^#{1,6}\s+", re.MULTILINE)
_EMPHASIS = re.compile(r"\*{1,3}|(?<!\w)_{1,3}|_{1,3}(?!\w)")
# A credit in parentheses at the end of a caption: "(Wikipedia)", "(Reuters)", "(Photo: AFP)".
TRAILING_CREDIT = re.compile(
    r"\(\s*(?:(?:photo|image|picture|credit|source)\s*:?\s*)?"
    r"(?:wikipedia|wikimedia(?: commons)?|reuters|afp|ap|getty(?: images)?|epa|tass|sputnik|"
    r"ria novosti|shutterstock|twitter|facebook|youtube|file photo|photo:[^)]*|credit:[^)]*)\s*\)"
    r"\s*$",
    re.IGNORECASE,
)


def inline_removals(text: str, start: int) -> list[Removal]:
    """Residue inside a paragraph that is kept: link targets, URLs, e-mails, Markdown marks.

    ``text`` is the paragraph, ``start`` its original offset. Returned spans are original.
    """
    found: list[Removal] = []
    taken: list[tuple[int, int]] = []

    def add(a: int, b: int, reason: str) -> None:
        if b <= a or any(a < tb and ta < b for ta, tb in taken):
            return
        taken.append((a, b))
        found.append(Removal(start + a, start + b, reason))

    for m in _LINK.finditer(text):
        label = m.group(1)
        if _EMAIL.fullmatch(label.strip()) or _URL.fullmatch(label.strip()):
            add(m.start(), m.end(), "link to an e-mail address or URL")
            continue
        # Keep the visible text, drop "[" and "](target)".
        add(m.start(), m.start() + 1, "Markdown link residue")
        add(m.end(1), m.end(), "Markdown link residue")
    for m in _ANGLE_URL.finditer(text):
        add(m.start(), m.end(), "bare URL")
    for m in _EMAIL.finditer(text):
        add(m.start(), m.end(), "e-mail address")
    for m in _URL.finditer(text):
        add(m.start(), m.end(), "bare URL")
    for m in _HEADING_MARK.finditer(text):
        add(m.start(), m.end(), "Markdown heading mark")
    for m in _EMPHASIS.finditer(text):
        add(m.start(), m.end(), "Markdown emphasis mark")
    m = TRAILING_CREDIT.search(text)
    if m:
        add(m.start(), m.end(), "photo credit")
    return sorted(found, key=lambda r: r.start)
