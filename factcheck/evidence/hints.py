"""Signals for the reviewer from comparing a claim with its ranked evidence. Pure.

Hints are written for people: "The claim says 150,000 troops; Wikipedia gives 68,000 Russian
army servicemen and 48,000 Russian armed forces (Russian military intervention in the Syrian
civil war)." They are never verdicts: the evidence may be about another time or force, and
the reviewer decides. A hint's kind ("number_mismatch", ...) is for programs; the desk shows
it only behind a details disclosure, as HINT_LABELS words it.
"""

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

from factcheck.evidence.ranking import claim_entity_names, name_patterns
from factcheck.evidence.text import (
    STOPWORDS,
    UNIT_CLASSES,
    NumberMention,
    find_numbers,
    fold,
    stem,
    unit_class,
)
from factcheck.evidence.types import ClaimQuery, Hint, RankedSentence

# Numbers within this relative distance count as the same figure (rounding in the press).
NUMBER_TOLERANCE = 0.05

# What each kind of hint is called on the desk. Hints stored before a kind was renamed or
# added still have a label (hint_label), so no page shows a raw kind.
HINT_LABELS = {
    "number_mismatch": "Different figures",
    "number_match": "Same figure",
    "claimant_absent": "Claimant not named",
    "claimant_present": "Claimant named",
    "date_mismatch": "Different dates",
    "date_match": "Same date",
}


def hint_label(kind: str) -> str:
    """The desk's name for a kind of hint; "Hint" for a kind it does not know."""
    return HINT_LABELS.get(kind, "Hint")


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})\s+{_MONTH}(?:,?\s+(\d{{4}}))?\b")
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?")


@dataclass(frozen=True)
class DateMention:
    month: int
    day: int
    year: int | None
    text: str


def find_dates(text: str) -> list[DateMention]:
    """Day-and-month dates ("30 September 2015", "September 30", "January 15")."""
    dates = []
    for match in _DAY_MONTH.finditer(text):
        day, month, year = match.groups()
        dates.append(_date(int(day), month, year, match.group(0)))
    for match in _MONTH_DAY.finditer(text):
        month, day, year = match.groups()
        dates.append(_date(int(day), month, year, match.group(0)))
    return [d for d in dates if 1 <= d.day <= 31]


def _date(day: int, month: str, year: str | None, text: str) -> DateMention:
    return DateMention(_MONTHS[month.lower()], day, int(year) if year else None, text)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= NUMBER_TOLERANCE * max(abs(a), abs(b))


def _and(items: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _by_page(found: Sequence[tuple[str, str]]) -> str:
    """[(figure, page), ...] -> "68,000 servicemen and 48,000 troops (Page A); 200 tanks
    (Page B)", pages in order of first mention, each figure once."""
    pages: dict[str, list[str]] = {}
    for text, page in found:
        figures = pages.setdefault(page, [])
        if text not in figures:
            figures.append(text)
    return "; ".join(f"{_and(figures)} ({page})" for page, figures in pages.items())


def _describe(number: NumberMention, sentence: str) -> str:
    """ "48,000 Russian armed forces members": the number and the words up to its unit."""
    tail = re.split(r"[.;:,()]", sentence[number.end : number.end + 50], maxsplit=1)[0]
    words = []
    for word in tail.split()[:5]:
        words.append(word)
        if stem(fold(word).strip("'\"")) in UNIT_CLASSES:
            break
    else:
        words = words[:1]
    return " ".join([number.text, *words]).strip()


def _unit_words(unit: str) -> tuple[str, ...]:
    """An extracted quantity's unit ("fronts", "per cent") as find_numbers would stem it."""
    if fold(unit).strip() in {"%", "percent", "per cent"}:
        return ("%",)
    words = (fold(word) for word in re.findall(r"[A-Za-z][\w-]*", unit))
    return tuple(stem(word) for word in words if word not in STOPWORDS)


@dataclass(frozen=True)
class _ClaimedFigure:
    number: NumberMention
    label: str  # how the hint names it: "150,000 troops"


def _claimed_figures(query: ClaimQuery) -> list[_ClaimedFigure]:
    """The claim's figures, years and dates aside. A figure the sentence leaves bare ("ten
    fronts out of 15") takes its unit from the extraction's quantities when they give one,
    so that it is compared with like figures only."""
    extracted = [q for q in query.quantities if isinstance(q, dict) and "value" in q]
    figures = []
    for number in find_numbers(query.text):
        if not number.is_quantity:
            continue
        label = _describe(number, query.text)
        if not number.following:
            unit = next(
                (
                    q.get("unit") or ""
                    for q in extracted
                    if q.get("unit") and _close(float(q["value"]), number.value)
                ),
                "",
            )
            words = _unit_words(unit)
            if words:
                number = dataclasses.replace(number, unit=words[0], following=words)
                label = f"{number.text} {unit}"
        figures.append(_ClaimedFigure(number, label))
    if figures:
        return figures
    # Extraction found figures the regex did not (words, "3.5m").
    for q in extracted:
        words = _unit_words(q.get("unit") or "")
        text = str(q.get("text") or f"{float(q['value']):g}")
        label = text if not q.get("unit") or q["unit"] in text else f"{text} {q['unit']}"
        number = NumberMention(
            float(q["value"]), text, 0, 0, words[0] if words else "", False, words
        )
        figures.append(_ClaimedFigure(number, label))
    if not figures:
        for value in query.numbers:
            number = NumberMention(float(value), f"{value:g}", 0, 0, "", False)
            figures.append(_ClaimedFigure(number, number.text))
    return figures


def like_units(claimed: NumberMention, other: NumberMention) -> bool:
    """Whether two figures count the same kind of thing, so that equal values mean something:
    "6,000 sorties" and "6,000 sorties", "150,000 troops" and "150,000 servicemen", never
    "15 [fronts]" and "15 helicopters". A figure of a kind UNIT_CLASSES does not know matches
    only the same noun, and a bare figure only a bare figure."""
    kind = unit_class(claimed)
    if kind is not None:
        return unit_class(other) == kind
    if not claimed.following:
        return not other.following
    return claimed.unit in other.following


def number_hints(query: ClaimQuery, ranked: Sequence[RankedSentence]) -> list[Hint]:
    """For each figure in the claim (years aside): number_match when a ranked sentence gives
    the same figure for the same kind of thing (like_units); otherwise number_mismatch when
    sentences give figures for that kind of thing (troops vs Marines, personnel,
    servicemen), naming them. Figures of an unknown kind are only ever matched, never called
    a mismatch."""
    hints = []
    evidence = [
        (item, number)
        for item in ranked
        for number in find_numbers(item.sentence)
        if number.is_quantity
    ]
    patterns = name_patterns(claim_entity_names(query))
    for figure in _claimed_figures(query):
        claimed = figure.number
        same = [
            (item, n)
            for item, n in evidence
            if _close(n.value, claimed.value) and like_units(claimed, n)
        ]
        if same:
            item, number = same[0]
            hints.append(
                Hint(
                    kind="number_match",
                    message=(
                        f"The claim says {figure.label}; Wikipedia gives the same figure: "
                        f"{_describe(number, item.sentence)} ({item.page_title})."
                    ),
                    page_title=item.page_title,
                    sentence_index=item.sentence_index,
                )
            )
            continue
        kind = unit_class(claimed)
        if kind is None:
            continue
        comparable = [(item, n) for item, n in evidence if unit_class(n) == kind]
        if not comparable:
            continue
        # Figures from sentences about the claim's own actors first ("Russian servicemen"
        # before "United States troops" for a claim about Moscow).
        comparable.sort(key=lambda pair: -sum(1 for p in patterns if p.search(pair[0].sentence)))
        figures = _by_page(
            [(_describe(n, item.sentence), item.page_title) for item, n in comparable[:4]]
        )
        first_item = comparable[0][0]
        hints.append(
            Hint(
                kind="number_mismatch",
                message=(
                    f"The claim says {figure.label}; Wikipedia gives {figures}. Check whether "
                    "they count the same thing, place and time."
                ),
                page_title=first_item.page_title,
                sentence_index=first_item.sentence_index,
            )
        )
    return hints


def claimant_hints(query: ClaimQuery, ranked: Sequence[RankedSentence]) -> list[Hint]:
    """Whether the person or body the claim is attributed to is named in the evidence (by
    full name or surname). Absence is common and says nothing about truth."""
    claimant = (query.claimant or "").strip()
    if not claimant or not ranked:
        return []
    names = {fold(claimant)}
    words = fold(claimant).split()
    if len(words) > 1 and len(words[-1]) > 3:
        names.add(words[-1])
    pattern = re.compile(
        r"\b(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b"
    )
    for item in ranked:
        if pattern.search(fold(item.sentence)):
            return [
                Hint(
                    kind="claimant_present",
                    message=f"Wikipedia names {claimant} in “{item.page_title}”.",
                    page_title=item.page_title,
                    sentence_index=item.sentence_index,
                )
            ]
    return [
        Hint(
            kind="claimant_absent",
            message=(
                f"{claimant} is not named in the evidence found, so nothing here confirms "
                "they said it."
            ),
        )
    ]


def date_hints(query: ClaimQuery, ranked: Sequence[RankedSentence]) -> list[Hint]:
    """Day-and-month dates in the claim against those in the evidence: date_match when a
    sentence gives the same day; date_mismatch when sentences give other days of the same
    month (and year, when both say)."""
    hints = []
    for claimed in find_dates(query.text):
        same, other = None, []
        for item in ranked:
            for seen in find_dates(item.sentence):
                if claimed.year and seen.year and claimed.year != seen.year:
                    continue
                if seen.month != claimed.month:
                    continue
                if seen.day == claimed.day:
                    same = same or (item, seen)
                else:
                    other.append((item, seen))
        if same:
            item, seen = same
            hints.append(
                Hint(
                    kind="date_match",
                    message=(
                        f"The claim says {claimed.text}; Wikipedia gives the same date: "
                        f"{seen.text} ({item.page_title})."
                    ),
                    page_title=item.page_title,
                    sentence_index=item.sentence_index,
                )
            )
        elif other:
            item, _ = other[0]
            listed = _by_page([(seen.text, item.page_title) for item, seen in other[:3]])
            hints.append(
                Hint(
                    kind="date_mismatch",
                    message=f"The claim says {claimed.text}; Wikipedia gives {listed}.",
                    page_title=item.page_title,
                    sentence_index=item.sentence_index,
                )
            )
    return hints


def evidence_hints(query: ClaimQuery, ranked: Sequence[RankedSentence]) -> list[Hint]:
    """All hints for a claim and its ranked evidence: numbers, claimant, dates."""
    if not ranked:
        return []
    return [
        *number_hints(query, ranked),
        *claimant_hints(query, ranked),
        *date_hints(query, ranked),
    ]
