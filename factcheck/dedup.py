"""Is this claim the same statement as that one? Pure: text in, a similarity and a decision out.

Two claims repeat each other when they say the same thing with the same truth conditions. The
measure is deliberately plain: overlap of content words, and any disagreement in the numbers
rules a pair out, because "150,000 troops" and "15,000 troops" are different claims however
alike the sentences look.
"""

import re
from dataclasses import dataclass
from typing import Literal

STOPWORDS = frozenset(
    """a an the and or but of to in on at for from by with as is are was were be been being
    has have had it its this that these those their there they he she his her we our you your
    i me my not no so than then too very can could will would shall should may might must do
    does did also after before while since about into over under up down out more most other
    such only own same just which who whom what when where why how all any both each few some
    said says say told according""".split()
)
NUMBER_RE = re.compile(r"\d[\d,]*(?:\.\d+)?")
WORD_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")

Decision = Literal["link", "suggest", "none"]


@dataclass(frozen=True)
class ClaimSignature:
    words: frozenset[str]
    numbers: frozenset[str]
    word_count: int


def claim_signature(text: str) -> ClaimSignature:
    tokens = [t.lower() for t in WORD_RE.findall(text)]
    words = frozenset(stem(t) for t in tokens if t not in STOPWORDS and len(t) > 1)
    numbers = frozenset(n.replace(",", "") for n in NUMBER_RE.findall(text))
    return ClaimSignature(words=words, numbers=numbers, word_count=len(tokens))


def stem(word: str) -> str:
    # Enough folding for "strikes"/"strike", "Russia's"/"Russia"; not a linguistic stemmer.
    word = word.removesuffix("'s")
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def similarity(a: ClaimSignature, b: ClaimSignature) -> float:
    """0..1. Mean of Jaccard and overlap coefficient of content words; 0 if numbers differ."""
    if a.numbers != b.numbers:
        return 0.0
    if not a.words or not b.words:
        return 0.0
    shared = len(a.words & b.words)
    jaccard = shared / len(a.words | b.words)
    overlap = shared / min(len(a.words), len(b.words))
    return (jaccard + overlap) / 2


def duplicate_decision(
    score: float, *, shorter_word_count: int, link_at: float, suggest_at: float, min_words: int
) -> Decision:
    """Link automatically only when very similar and long enough to be unambiguous; short
    claims ("Russia denied it.") are only ever suggested to a reviewer."""
    if score >= link_at and shorter_word_count >= min_words:
        return "link"
    if score >= suggest_at:
        return "suggest"
    return "none"
