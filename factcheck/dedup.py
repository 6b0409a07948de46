"""Is this claim the same statement as that one? Pure: text in, a similarity and a decision out.

Two claims repeat each other when they say the same thing with the same truth conditions. The
measure is deliberately plain: overlap of content words, and any disagreement in the numbers
rules a pair out, because "150,000 troops" and "15,000 troops" are different claims however
alike the sentences look.
"""

import re
from array import array
from collections import Counter
from collections.abc import Container, Iterable
from dataclasses import dataclass
from functools import lru_cache
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
    tokens = WORD_RE.findall(text)
    words = frozenset(filter(None, map(content_word, tokens)))
    numbers = frozenset(n.replace(",", "") for n in NUMBER_RE.findall(text))
    return ClaimSignature(words=words, numbers=numbers, word_count=len(tokens))


# Cached: a desk's claims share their words, and linking signs a whole window of claims.
@lru_cache(maxsize=1 << 16)
def content_word(token: str) -> str:
    """The token's stem, or "" when it is a stopword or a single letter."""
    word = token.lower()
    if word in STOPWORDS or len(word) <= 1:
        return ""
    return stem(word)


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
    return _score(len(a.words & b.words), len(a.words), len(b.words))


def _score(shared: int, words_a: int, words_b: int) -> float:
    jaccard = shared / (words_a + words_b - shared)
    overlap = shared / min(words_a, words_b)
    return (jaccard + overlap) / 2


@dataclass(frozen=True)
class Match:
    key: int
    score: float
    word_count: int  # the matched claim's, for duplicate_decision's shorter_word_count


class SignatureIndex:
    """Signatures looked up by number set, then by content word.

    A claim scores above 0 only against claims with the same numbers and at least one shared
    content word, so `best_match` compares with those alone, not with every claim: an
    article's claims against a desk's window cost what their words' postings cost. The answer
    is the one a scan of every signature in key order would give, ties to the smallest key.

    It keeps compact arrays, not the signatures, so a window of 100,000 claims costs a few
    megabytes of the worker's memory. Signatures can be added later (`add`); one added again
    under a key it already has replaces the old one, whose postings then lead nowhere.
    """

    def __init__(self, items: Iterable[tuple[int, ClaimSignature]] = ()) -> None:
        self._keys = array("q")
        self._sizes = array("I")  # content words per signature
        self._word_counts = array("I")
        self._postings: dict[frozenset[str], dict[str, array]] = {}
        self._position_of: dict[int, int] = {}  # key -> its current position
        for key, signature in items:
            self.add(key, signature)

    def __len__(self) -> int:
        return len(self._position_of)

    def __contains__(self, key: object) -> bool:
        return key in self._position_of

    def position(self, key: int) -> int | None:
        """Where the key's current signature sits (positions count every add), or None."""
        return self._position_of.get(key)

    def add(self, key: int, signature: ClaimSignature) -> None:
        position = len(self._keys)
        self._keys.append(key)
        self._sizes.append(len(signature.words))
        self._word_counts.append(signature.word_count)
        self._position_of[key] = position
        block = self._postings.setdefault(signature.numbers, {})
        for word in signature.words:
            posting = block.get(word)
            if posting is None:
                posting = block[word] = array("I")
            posting.append(position)

    def best_match(
        self, signature: ClaimSignature, among: Container[int] | None = None
    ) -> Match | None:
        """The most similar signature (score above 0), or None; only keys in ``among`` when
        it is given."""
        block = self._postings.get(signature.numbers)
        if not block or not signature.words:
            return None
        shared: Counter[int] = Counter()
        for word in signature.words:
            shared.update(block.get(word, ()))
        best_position, best_key, best_score = -1, 0, 0.0
        size = len(signature.words)
        for position, count in shared.items():
            key = self._keys[position]
            if self._position_of[key] != position or (among is not None and key not in among):
                continue
            score = _score(count, size, self._sizes[position])
            if score > best_score or (score == best_score and key < best_key):
                best_position, best_key, best_score = position, key, score
        if best_position < 0:
            return None
        return Match(best_key, best_score, self._word_counts[best_position])


class WindowIndex:
    """A SignatureIndex of a desk's window of claims kept between calls, so that each article
    signs only the claims it has not seen: the window is read again every time (the database
    says which claims are candidates now), but signing 100,000 claims for every article cost
    about 3 s, far more than extracting the article.

    ``refresh`` takes the window as (key, text) pairs and returns its keys, for best_match's
    ``among``. A key whose text is not the one signed is signed again. When more than half the
    positions are out of the window or replaced, the index is built afresh, so memory follows
    the window, not the worker's lifetime (about 31 MB for 100,000 claims).
    """

    def __init__(self) -> None:
        self.index = SignatureIndex()
        self._text_hashes = array("q")  # per position: hash() of the text signed there

    def refresh(self, window: Iterable[tuple[int, str]]) -> set[int]:
        rows = list(window)
        keys = {key for key, _ in rows}
        live = sum(1 for key in keys if key in self.index)
        if len(self._text_hashes) - live > len(keys):
            self.index, self._text_hashes = SignatureIndex(), array("q")
        for key, text in rows:
            text_hash = hash(text)
            position = self.index.position(key)
            if position is None or self._text_hashes[position] != text_hash:
                self.index.add(key, claim_signature(text))
                self._text_hashes.append(text_hash)
        return keys


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
