"""Quantities in a sentence: "more than 50 facilities", "Greater than 90% of the strikes".

Pure: takes a spaCy sentence, returns ``FoundQuantity`` records with offsets into the text
spaCy saw (the pipeline maps them to article offsets). No ORM.

A quantity is a number (digits or words) with what it counts (the noun it modifies, "percent"
for %), and how the article bounds it: "more than" is at_least, "as many as"/"up to" at_most,
"around" about, a bare number exact. Dates, times, ordinals, years and identifiers
("resolution 2254") are not quantities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Span, Token

from factcheck.extraction.spans import span_ents
from factcheck.extraction.types import Bound

WORD_VALUES = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundred": 100, "thousand": 1_000, "million": 1_000_000,
    "billion": 1_000_000_000, "trillion": 1_000_000_000_000, "dozen": 12,
    "hundreds": 100, "thousands": 1_000, "millions": 1_000_000, "billions": 1_000_000_000,
    "dozens": 12, "half": 0.5,
}  # fmt: skip
MULTIPLIERS = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
               "trillion": 1_000_000_000_000}  # fmt: skip
# Plural number words are vague lower bounds: "hundreds of terrorists" is at least 100.
VAGUE = frozenset({"hundreds", "thousands", "millions", "billions", "dozens"})

# Bound phrases, longest first, matched on the lower-cased words right before the number.
BOUND_PHRASES: tuple[tuple[str, Bound], ...] = (
    ("no more than", "at_most"), ("no fewer than", "at_least"), ("as many as", "at_most"),
    ("as much as", "at_most"), ("upwards of", "at_least"), ("more than", "at_least"),
    ("greater than", "at_least"), ("higher than", "at_least"), ("at least", "at_least"),
    ("less than", "at_most"), ("fewer than", "at_most"), ("lower than", "at_most"),
    ("at most", "at_most"), ("up to", "at_most"), ("close to", "about"),
    ("an estimated", "about"), ("some", "about"), ("around", "about"), ("about", "about"),
    ("approximately", "about"), ("roughly", "about"), ("nearly", "about"), ("almost", "about"),
    ("over", "at_least"), ("above", "at_least"), ("under", "at_most"), ("below", "at_most"),
    ("just over", "at_least"), ("just under", "at_most"), ("an", "exact"), ("a", "exact"),
)  # fmt: skip
# Words after which a number is a name, not an amount.
IDENTIFIER_WORDS = frozenset(
    "resolution no. no number article section chapter paragraph flight route room page "
    "volume vol. act bill code division brigade regiment battalion neighbourhood neighborhood "
    "district sector zone phase stage level highway road building block camp".split()
)
_MONTHS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
SKIP_ENTS = frozenset({"DATE", "TIME", "ORDINAL"})
_DIGITS = re.compile(r"^\d[\d,]*(?:\.\d+)?$")


@dataclass(frozen=True)
class FoundQuantity:
    start: int  # offsets into the text spaCy saw
    end: int
    value: float
    unit: str
    bound: Bound


def _number_value(tok: Token) -> float | None:
    text = tok.text.lower().replace(",", "")
    if _DIGITS.match(tok.text):
        try:
            return float(text)
        except ValueError:
            return None
    return WORD_VALUES.get(text)


def _is_number(tok: Token) -> bool:
    return _number_value(tok) is not None and (tok.like_num or tok.lower_ in WORD_VALUES)


def _is_year(tok: Token, following: Token | None) -> bool:
    if not re.fullmatch(r"1[6-9]\d\d|20\d\d", tok.text):
        return False
    # "2015 troops" is rare; "in 2015" is common. A year followed by a counted noun stays.
    return not (following is not None and following.pos_ == "NOUN" and tok.dep_ == "nummod")


def _bound_before(sent: Span, first: Token) -> tuple[Bound, int]:
    """The bound phrase ending right before the number, and the token where it starts."""
    words = [t for t in sent.doc[max(sent.start, first.i - 3) : first.i]]
    lowered = [t.lower_ for t in words]
    for phrase, bound in BOUND_PHRASES:
        parts = phrase.split()
        if len(parts) <= len(lowered) and lowered[-len(parts) :] == parts:
            if bound == "exact":
                return "exact", first.i
            return bound, words[len(words) - len(parts)].i
    return "exact", first.i


CURRENCIES = {"$": "US dollars", "US$": "US dollars", "€": "euros", "£": "pounds"}


def _unit(sent: Span, last: Token, number_tokens: list[Token]) -> tuple[str, int]:
    """What the number counts, and the index of the last token of the quantity's span."""
    doc = sent.doc
    first = number_tokens[0]
    if first.i > sent.start and doc[first.i - 1].text in CURRENCIES:
        return CURRENCIES[doc[first.i - 1].text], last.i
    nxt = doc[last.i + 1] if last.i + 1 < sent.end else None
    if nxt is not None and (nxt.text == "%" or nxt.lower_ in ("percent", "per")):
        end = nxt.i
        if nxt.lower_ == "per" and nxt.i + 1 < sent.end and doc[nxt.i + 1].lower_ == "cent":
            end = nxt.i + 1
        # "90% of the strikes": keep what the share is of inside the span.
        if end + 1 < sent.end and doc[end + 1].lower_ == "of":
            of = doc[end + 1]
            objs = [c for c in of.children if c.dep_ == "pobj"]
            if objs and objs[0].i < sent.end:
                end = objs[0].i
        return "percent", end
    heads = [t.head for t in number_tokens if t.dep_ in ("nummod", "quantmod", "compound")]
    for head in heads:
        # "two rocket-propelled grenade systems": modifiers may stand in between.
        if head.pos_ in ("NOUN", "PROPN") and head.i > last.i and head.i - last.i <= 6:
            return head.text.lower(), head.i
    # "hundreds of terrorists", "dozens of villages", "four of these strikes".
    if last.lower_ in VAGUE or last.pos_ in ("NOUN", "NUM"):
        for child in last.children:
            if child.dep_ == "prep" and child.lower_ == "of":
                objs = [c for c in child.children if c.dep_ == "pobj"]
                if objs:
                    return objs[0].text.lower(), objs[0].i
    # "ten fronts out of 15": the second number counts the same thing.
    prev = [t for t in doc[max(sent.start, number_tokens[0].i - 3) : number_tokens[0].i]]
    if len(prev) >= 2 and [t.lower_ for t in prev[-2:]] == ["out", "of"]:
        for tok in reversed(doc[sent.start : prev[-2].i]):
            if tok.pos_ == "NOUN" and any(c.dep_ == "nummod" for c in tok.children):
                return tok.text.lower(), last.i
    return "", last.i


def _elliptical(tok: Token) -> bool:
    """A number standing alone as a noun phrase (subject, object, conjunct)."""
    return tok.dep_ in ("nsubj", "nsubjpass", "dobj", "conj", "npadvmod", "pobj") and not any(
        c.dep_ == "prep" for c in tok.children
    )


def find_quantities(sent: Span) -> list[FoundQuantity]:
    """Amounts in one sentence, in order."""
    doc = sent.doc
    skip = {t.i for e in span_ents(sent) if e.label_ in SKIP_ENTS for t in e}
    found: list[FoundQuantity] = []
    i = sent.start
    while i < sent.end:
        tok = doc[i]
        if tok.i in skip or not _is_number(tok):
            i += 1
            continue
        group = [tok]
        j = i + 1
        while j < sent.end and _is_number(doc[j]) and doc[j].lower_ in MULTIPLIERS:
            group.append(doc[j])
            j += 1
        following = doc[j] if j < sent.end else None
        previous = doc[i - 1] if i > sent.start else None
        if (
            _is_year(tok, following)
            or (previous is not None and previous.lower_ in IDENTIFIER_WORDS)
            # "1 May 2003", "September 11": dates the model did not tag as dates.
            or (following is not None and following.lower_ in _MONTHS)
            or (previous is not None and previous.lower_ in _MONTHS)
        ):
            i = j
            continue
        if tok.lower_ in ("one", "a", "half"):
            i = j  # "one of the", "on the one hand": not an amount worth checking
            continue
        value = _number_value(group[0]) or 0.0
        for extra in group[1:]:
            value *= MULTIPLIERS[extra.lower_]
        # "more than $5 million": the sign belongs to the amount, the bound comes before it.
        anchor = tok
        if tok.i > sent.start and doc[tok.i - 1].text in CURRENCIES:
            anchor = doc[tok.i - 1]
        bound, first_i = _bound_before(sent, anchor)
        if tok.lower_ in VAGUE and bound == "exact":
            bound = "at_least"
        unit, last_i = _unit(sent, group[-1], group)
        if not unit and found and found[-1].unit and _elliptical(group[-1]):
            # "43 soldiers were killed and 65 wounded": the second count is of soldiers too.
            unit = found[-1].unit
        start = doc[first_i].idx
        end = doc[last_i].idx + len(doc[last_i].text)
        found.append(FoundQuantity(start, end, float(value), unit, bound))
        i = max(j, last_i + 1) if unit != "percent" else j + 1
    return found
