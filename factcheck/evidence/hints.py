"""Signals for the reviewer from comparing a claim with its ranked evidence. Pure.

Hints point at something worth checking ("the claim says 150,000 troops; the evidence
counts 200 Marines and 48,000 servicemen"). They are never verdicts: the evidence may be
about another time or force, and the reviewer decides.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from factcheck.evidence.ranking import claim_entity_names, name_patterns
from factcheck.evidence.text import (
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


def number_hints(query: ClaimQuery, ranked: Sequence[RankedSentence]) -> list[Hint]:
    """For each figure in the claim (years aside): number_match when a ranked sentence gives
    the same figure; otherwise number_mismatch when sentences give figures for the same kind
    of thing (troops vs Marines, personnel, servicemen), naming them. Figures of an unknown
    kind are only ever matched, never called a mismatch."""
    hints = []
    claim_numbers = [n for n in find_numbers(query.text) if n.is_quantity]
    if not claim_numbers and query.numbers:
        # Extraction found figures the regex did not (words, "3.5m"); no unit is known.
        claim_numbers = [NumberMention(float(v), f"{v:g}", 0, 0, "", False) for v in query.numbers]
    evidence = [
        (item, number)
        for item in ranked
        for number in find_numbers(item.sentence)
        if number.is_quantity
    ]
    patterns = name_patterns(claim_entity_names(query))
    for claimed in claim_numbers:
        kind = unit_class(claimed)
        claimed_label = _describe(claimed, query.text) if claimed.end else claimed.text
        same = [(item, n) for item, n in evidence if _close(n.value, claimed.value)]
        if same:
            item, number = same[0]
            hints.append(
                Hint(
                    kind="number_match",
                    message=(
                        f"The claim's figure {claimed_label!r} matches "
                        f"{_describe(number, item.sentence)!r} in {item.page_title!r}."
                    ),
                    page_title=item.page_title,
                    sentence_index=item.sentence_index,
                )
            )
            continue
        if kind is None:
            continue
        comparable = [(item, n) for item, n in evidence if unit_class(n) == kind]
        if not comparable:
            continue
        # Figures from sentences about the claim's own actors first ("Russian servicemen"
        # before "United States troops" for a claim about Moscow).
        comparable.sort(key=lambda pair: -sum(1 for p in patterns if p.search(pair[0].sentence)))
        figures = "; ".join(
            f"{_describe(n, item.sentence)!r} ({item.page_title})" for item, n in comparable[:4]
        )
        first_item = comparable[0][0]
        hints.append(
            Hint(
                kind="number_mismatch",
                message=(
                    f"The claim says {claimed_label!r}; the evidence gives other figures for "
                    f"the same kind of thing: {figures}. Check whether they describe the same "
                    "force, place and time."
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
                    message=f"{claimant} is named in the evidence from {item.page_title!r}.",
                    page_title=item.page_title,
                    sentence_index=item.sentence_index,
                )
            ]
    return [
        Hint(
            kind="claimant_absent",
            message=(
                f"{claimant} is not named in the top evidence: nothing here confirms they said it."
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
                    message=f"The claim's date {claimed.text!r} matches {seen.text!r} in "
                    f"{item.page_title!r}.",
                    page_title=item.page_title,
                    sentence_index=item.sentence_index,
                )
            )
        elif other:
            item, _ = other[0]
            listed = ", ".join(f"{seen.text!r} ({item.page_title})" for item, seen in other[:3])
            hints.append(
                Hint(
                    kind="date_mismatch",
                    message=f"The claim says {claimed.text!r}; the evidence gives {listed}.",
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
