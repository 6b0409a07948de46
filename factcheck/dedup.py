"""Is this claim the same statement as that one? Pure: text in, a similarity and a decision out.

Two claims repeat each other when they say the same thing with the same truth conditions. The
measure is deliberately plain: overlap of content words, and any disagreement in the numbers
rules a pair out, because "150,000 troops" and "15,000 troops" are different claims however
alike the sentences look.
"""

import hashlib
import itertools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

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
T = TypeVar("T")

# Stored terms are cut to this length (factcheck.models.ClaimTerm). Two long words cut alike
# only make a claim a candidate it need not be; the score is always taken on whole words.
TERM_CHARS = 64


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


def numbers_key(signature: ClaimSignature) -> str:
    """A short fixed-length key for a claim's set of numbers: claims with different numbers
    never match (similarity), so only claims with equal keys are compared."""
    joined = " ".join(sorted(signature.numbers))
    return hashlib.blake2b(joined.encode(), digest_size=8).hexdigest()


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


def min_shared_words(a: int, b: int, suggest_at: float) -> int | None:
    """The fewest content words that claims of a and b content words must share to score
    suggest_at or more (similarity, their numbers being equal), or None when no share can.
    Sharing nothing scores 0, which is never a match, so the answer is at least 1."""
    smaller = min(a, b)
    for shared in range(1, smaller + 1):
        score = (shared / (a + b - shared) + shared / smaller) / 2
        # The margin errs towards looking at one claim too many, never one too few.
        if score >= suggest_at - 1e-9:
            return shared
    return None


@dataclass(frozen=True)
class Block:
    """Where to look for a claim's possible duplicates: claims with the same numbers that
    contain one of these words and have between min_size and max_size content words
    (max_size None: no upper bound)."""

    words: frozenset[str]
    min_size: int
    max_size: int | None


def candidate_blocks(
    signature: ClaimSignature, frequency: Callable[[str], int], *, suggest_at: float
) -> list[Block]:
    """The blocks that hold every claim able to score suggest_at or more against this one.

    Prefix filtering: a claim that must share t of this claim's a words contains one of any
    a - t + 1 of them (otherwise it shares at most t - 1). Taking the a - t + 1 rarest
    (by frequency, how many stored claims hold the word) keeps the blocks small. t depends on
    the other claim's size b (min_shared_words), so sizes get blocks of their own, until t
    stops growing with b and one block covers every larger size."""
    a = len(signature.words)
    if a == 0:
        return []
    rarest_first = sorted(signature.words, key=lambda word: (frequency(word), word))
    blocks: list[Block] = []

    def add(words: frozenset[str], b: int, last: int | None) -> None:
        if blocks and blocks[-1].words == words and blocks[-1].max_size == b - 1:
            blocks[-1] = Block(words, blocks[-1].min_size, last)
        else:
            blocks.append(Block(words, b, last))

    # Past size a, a larger claim needs as many shared words or more (its Jaccard share only
    # falls), so the last block may cover every larger size: tightest once t stops growing,
    # at what an endless claim would need (shared / a reaching 2 * suggest_at).
    endless = max(1, math.ceil(2 * suggest_at * a - 1e-9))
    for b in itertools.count(1):
        shared = min_shared_words(a, b, suggest_at)
        if shared is None:
            if b >= a:  # and so for every larger size
                return blocks
            continue
        words = frozenset(rarest_first[: a - shared + 1])
        if b >= a and (shared >= endless or b >= 4 * a):
            add(words, b, None)
            return blocks
        add(words, b, b)
    raise AssertionError("unreachable")


def best_match(
    signature: ClaimSignature, candidates: Iterable[tuple[T, ClaimSignature]]
) -> tuple[T | None, float]:
    """The most similar candidate and its score; the first one given wins a tie. (None, 0.0)
    when nothing scores above 0."""
    best, best_score = None, 0.0
    for candidate, candidate_signature in candidates:
        score = similarity(signature, candidate_signature)
        if score > best_score:
            best, best_score = candidate, score
    return best, best_score


def stored_terms(signature: ClaimSignature) -> Sequence[str]:
    """The terms stored for a claim (ClaimTerm): its content words, cut to TERM_CHARS."""
    return sorted({word[:TERM_CHARS] for word in signature.words})


@dataclass(frozen=True)
class ClaimTerms:
    """What ClaimTerm stores of one claim: a row per term, each with the key and the size."""

    numbers_key: str
    size: int
    terms: Sequence[str]


def claim_terms(text: str) -> ClaimTerms:
    signature = claim_signature(text)
    return ClaimTerms(numbers_key(signature), len(signature.words), stored_terms(signature))


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
