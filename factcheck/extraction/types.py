"""Dataclasses returned by the extraction pipeline. Pure: no Django, no ORM.

All offsets are character offsets into the article text that was passed in, so that
text[start:end] == the span's text, always.
"""

from dataclasses import dataclass, field
from typing import Literal

Bound = Literal["exact", "at_least", "at_most", "about"]
Label = Literal["not_factual", "unimportant", "check_worthy"]
Priority = Literal["high", "medium", "low"]
Kind = Literal["quantity", "quote", "attribution", "event", "rule", "prediction", "opinion"]


@dataclass(frozen=True)
class Quantity:
    text: str
    start: int
    end: int
    value: float
    unit: str
    bound: Bound


@dataclass(frozen=True)
class EntityMention:
    text: str
    start: int
    end: int
    label: str  # PERSON, ORG, GPE, NORP, LOC, EVENT, LAW, ...
    name: str  # cleaned canonical name used for linking ("Islamic State", "Vladimir Putin")
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Removal:
    """A stretch of the article left out of NLP, and why (site chrome, e-mail, ...)."""

    start: int
    end: int
    reason: str


@dataclass(frozen=True)
class ClaimCandidate:
    text: str
    start: int
    end: int
    paragraph_start: int
    paragraph_end: int
    score: float  # check-worthiness probability, 0..1
    label: Label
    kind: Kind
    reasons: tuple[str, ...]
    claimant: str | None = None  # None: the article asserts it in its own voice
    claimant_start: int | None = None
    claimant_end: int | None = None
    # The fullest name the article gives that person ("Putin" -> "Vladimir Putin"; "he" -> the
    # person it stands for). Equal to ``claimant`` when nothing fuller is known.
    claimant_name: str | None = None
    cue: str | None = None
    content_start: int | None = None  # the attributed words, article offsets
    content_end: int | None = None
    quantities: tuple[Quantity, ...] = ()
    entities: tuple[EntityMention, ...] = ()
    is_headline: bool = False
    priority: Priority = "low"  # review priority, from priority.priority_for


@dataclass
class ExtractionResult:
    claims: list[ClaimCandidate] = field(default_factory=list)
    removals: list[Removal] = field(default_factory=list)
