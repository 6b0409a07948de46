"""A page prepared for ranking: its sentences and, for the rankable ones, an inverted index.
Pure: data in, dataclasses out, no ORM, no network.

Built once per page revision: in a process, the most recent indexes are kept in memory
(cached_index); across processes and machines, the pipeline stores each index beside its
revision as bytes (to_bytes / from_bytes) so a ranking worker loads it instead of rebuilding
it. Loading a stored index costs a few per cent of building one (splitting and tokenising a
long page), which otherwise every ranking process would pay for every page it sees.

The bytes are an .npz archive of arrays and one JSON document, read with allow_pickle=False:
a stored index is data, never code.
"""

import hashlib
import io
import json
import re
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from factcheck.evidence.text import find_numbers, tokenize, unit_class
from factcheck.evidence.types import PageSnapshot

# Bump when the index's content or layout changes: stored indexes of another version are
# rebuilt, not misread.
INDEX_FORMAT = 2

_ABBREVIATIONS = (
    r"(?:Mr|Mrs|Ms|Dr|Gen|Col|Lt|Sgt|Capt|Maj|Adm|Brig|Sen|Rep|Gov|St|Jr|Sr|No|Nos|Vol|"
    r"vs|etc|approx|est|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|U\.S|U\.K|U\.N|"
    r"e\.g|i\.e|c|ca|al|Inc|Ltd|Co|Corp|[A-Z])"
)
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_ABBREV_TAIL = re.compile(rf"(?:^|[\s(]){_ABBREVIATIONS}\.$")
_CITATION = re.compile(r"\[(?:\d+|[a-z]|citation needed|note \d+)\]")


def split_text(text: str) -> list[str]:
    sentences = []
    for paragraph in text.split("\n"):
        paragraph = _CITATION.sub("", " ".join(paragraph.split()))
        if not paragraph:
            continue
        start = 0
        for boundary in _BOUNDARY.finditer(paragraph):
            candidate = paragraph[start : boundary.start()].strip()
            if _ABBREV_TAIL.search(candidate):
                continue  # "Gen. Gerasimov", "U.S. forces": not a sentence end
            if candidate:
                sentences.append(candidate)
            start = boundary.end()
        tail = paragraph[start:].strip()
        if tail:
            sentences.append(tail)
    return sentences


def _is_word_char(ch: str) -> bool:
    return ch.isalnum()  # a letter or digit: what the patterns' [^\W_] means


# Where a word starts: a letter or digit with none before it (what _starts_of checks).
_WORD_START = re.compile(r"(?<![^\W_])[^\W_]")
# word_order sorts the word starts by this many lower-cased characters from each.
WORD_KEY = 16

_NO_ROWS = np.zeros(0, dtype=np.int64)
_NO_ROWS.flags.writeable = False


@dataclass
class PageIndex:
    """A page prepared for ranking, once per revision: its sentences, and for the rankable
    ones (three tokens or more; "rows" below) an inverted index, lengths, the numbers, a
    fingerprint of each row's text (to count text copied between pages once), and the joined
    text that names are looked for in. Shared by every claim that ranks the page."""

    page_title: str
    sentences: tuple[tuple[int, str, str], ...]  # every sentence: index, heading, text
    rankable: np.ndarray  # positions in `sentences` of the rankable sentences
    lengths: np.ndarray  # tokens per row
    fingerprints: np.ndarray  # per row: 64 bits of a hash of its text
    postings: dict[str, tuple[np.ndarray, np.ndarray]]  # token -> (rows, term frequencies)
    # Every quantity mentioned, one entry per mention: its row and value (years and days of
    # dates left out), and its kind where known (an index into `kinds`, -1 otherwise).
    number_rows: np.ndarray
    number_values: np.ndarray
    number_kinds: np.ndarray
    kinds: tuple[str, ...]  # unit classes (see text.unit_class)
    text: str  # the rows joined by newlines, so one scan covers the page
    starts: np.ndarray  # offset of each row in `text`
    # Offsets in `text` of every word start, ordered by the lower-cased text from there: the
    # places a name starts at are one run of it, found by binary search (see rows_with). An
    # array of C ints: the search reads single items, which numpy would box one by one.
    word_order: array
    title: tuple[str, ...]
    # the page as a document about something: title (twice), description, lead
    summary: tuple[str, ...]
    # Filled as claims ask, never stored: the words of names recur across claims.
    literal_hits: dict[tuple[str, bool], np.ndarray] = field(default_factory=dict, repr=False)
    _lowered: str | None = field(default=None, repr=False)
    _counts: dict[str, Counter] = field(default_factory=dict, repr=False)

    def counts(self, part: str) -> Counter:
        """Token counts of `title` or `summary`, computed once."""
        if part not in self._counts:
            self._counts[part] = Counter(getattr(self, part))
        return self._counts[part]

    def rows_with(self, literal: str, *, whole: bool) -> np.ndarray:
        """Rows where ``literal`` starts a word: as written and whole when ``whole`` (an
        acronym: "IS" finds neither "is" nor "ISIS"), else case-insensitively and at a word's
        start only (a lower-cased word: "russia" finds "Russian"). Sorted, each row once. The
        same matches as names_regex. Kept per literal, because claims name the same entities
        in different combinations ("Russia" with "Syria", then with "Turkey")."""
        key = (literal, whole)
        hits = self.literal_hits.get(key)
        if hits is None:
            if literal and _is_word_char(literal[0]):
                offsets = self._word_starts_with(literal, whole=whole)
            else:  # not at a word start: only a scan finds it
                text = self.text if whole else self.lowered()
                offsets = _starts_of(text, (literal,), whole=whole)
            if not offsets:
                hits = _NO_ROWS  # the usual answer: one array for all, never written to
            else:
                # Offsets come in text order, so the rows are sorted: drop repeats in place.
                rows = np.searchsorted(self.starts, offsets, "right") - 1
                hits = rows[np.concatenate(([True], rows[1:] != rows[:-1]))]
            self.literal_hits[key] = hits
        return hits

    def lowered(self) -> str:
        if self._lowered is None:
            self._lowered = _lower_in_place(self.text)
        return self._lowered

    def _word_starts_with(self, literal: str, *, whole: bool) -> list[int]:
        """Offsets, in text order, of the word starts where the literal is found (as
        rows_with finds it): a binary search of word_order for the run of word starts that
        begin, lower-cased, like the literal, then each checked in full. Lower-casing keeps
        every character a letter or digit or not (checked over all of Unicode in the tests),
        so the lower-cased text and the text have their word starts in the same places."""
        lowered = self.lowered()
        probe = _lower_in_place(literal) if whole else literal
        width = min(len(probe), WORD_KEY)
        head = probe[:width]

        def start_of(offset) -> str:
            return lowered[offset : offset + width]

        first = bisect_left(self.word_order, head, key=start_of)
        last = bisect_right(self.word_order, head, lo=first, key=start_of)
        found = []
        end_of_text = len(self.text)
        for at in sorted(self.word_order[first:last].tolist()):
            end = at + len(literal)
            if whole:
                if self.text[at:end] == literal and (
                    end == end_of_text or not _is_word_char(self.text[end])
                ):
                    found.append(at)
            elif lowered[at:end] == literal:
                found.append(at)
        return found

    # --- Storage ---------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        tokens = list(self.postings)
        posting_rows = [self.postings[t][0] for t in tokens]
        posting_counts = [self.postings[t][1] for t in tokens]
        document = {
            "format": INDEX_FORMAT,
            "page_title": self.page_title,
            "sentences": self.sentences,
            "tokens": tokens,
            "kinds": self.kinds,
            "text": self.text,
            "title": self.title,
            "summary": self.summary,
        }
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            document=np.frombuffer(json.dumps(document).encode("utf-8"), dtype=np.uint8),
            rankable=self.rankable,
            lengths=self.lengths,
            fingerprints=self.fingerprints,
            posting_sizes=np.array([len(r) for r in posting_rows], dtype=np.int64),
            posting_rows=joined(posting_rows, np.int64),
            posting_counts=joined(posting_counts, float),
            number_rows=self.number_rows,
            number_values=self.number_values,
            number_kinds=self.number_kinds,
            starts=self.starts,
            word_order=np.frombuffer(self.word_order, dtype=np.int32),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "PageIndex | None":
        """The stored index, or None when it was stored by another INDEX_FORMAT."""
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        document = json.loads(arrays.pop("document").tobytes().decode("utf-8"))
        if document.get("format") != INDEX_FORMAT:
            return None
        ends = np.cumsum(arrays["posting_sizes"])
        starts = ends - arrays["posting_sizes"]
        rows, counts = arrays["posting_rows"], arrays["posting_counts"]
        return cls(
            page_title=document["page_title"],
            sentences=tuple((i, heading, text) for i, heading, text in document["sentences"]),
            rankable=arrays["rankable"],
            lengths=arrays["lengths"],
            fingerprints=arrays["fingerprints"],
            postings={
                token: (rows[start:end], counts[start:end])
                for token, start, end in zip(document["tokens"], starts, ends, strict=True)
            },
            number_rows=arrays["number_rows"],
            number_values=arrays["number_values"],
            number_kinds=arrays["number_kinds"],
            kinds=tuple(document["kinds"]),
            text=document["text"],
            starts=arrays["starts"],
            word_order=array("i", arrays["word_order"].astype(np.int32).tobytes()),
            title=tuple(document["title"]),
            summary=tuple(document["summary"]),
        )


def _lower_in_place(text: str) -> str:
    """text.lower(), one character for one, so offsets still match the text: a character
    whose lower case is longer ("İ" -> "i" and a combining dot) keeps only its first
    character, which is how a case-insensitive regular expression matches it."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch.lower()[:1] for ch in text)


def joined(parts: list[np.ndarray], dtype) -> np.ndarray:
    """The arrays end to end as one of dtype (an empty one for no arrays)."""
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype=dtype)


def _starts_of(text: str, literals: Iterable[str], *, whole: bool) -> list[int]:
    """Offsets of the literals in text where no letter or digit precedes them (and, when
    whole, none follows)."""
    found = []
    for literal in literals:
        at = text.find(literal)
        while at >= 0:
            end = at + len(literal)
            if (at == 0 or not _is_word_char(text[at - 1])) and (
                not whole or end == len(text) or not _is_word_char(text[end])
            ):
                found.append(at)
            at = text.find(literal, at + 1)
    return found


@lru_cache(maxsize=4096)
def names_regex(words: frozenset[str], acronyms: frozenset[str]) -> re.Pattern:
    """One pattern for any of the words or acronyms (as PageIndex.rows_with finds them); cached,
    because every claim of an article asks again for the same few entities."""
    alternatives = []
    if words:
        listed = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        alternatives.append(rf"(?<![^\W_])(?i:{listed})")
    if acronyms:
        listed = "|".join(re.escape(a) for a in sorted(acronyms, key=len, reverse=True))
        alternatives.append(rf"(?<![^\W_])(?:{listed})(?![^\W_])")
    return re.compile("|".join(alternatives) or r"(?!)")


def word_order(text: str) -> array:
    """The offsets of the text's word starts, ordered by the lower-cased text from each (its
    first WORD_KEY characters; ties in text order)."""
    lowered = _lower_in_place(text)
    offsets = [match.start() for match in _WORD_START.finditer(lowered)]
    offsets.sort(key=lambda at: lowered[at : at + WORD_KEY])
    return array("i", offsets)  # 32 bits: a page's text is a few MB at most


def _fingerprint(text: str) -> int:
    # Stable across processes (unlike hash()), so stored indexes agree with fresh ones.
    return int.from_bytes(
        hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little", signed=True
    )


def build_index(page: PageSnapshot) -> PageIndex:
    """Split, tokenise and index a page (the costly step the caches exist for)."""
    sentences = []
    for section in page.sections:
        for sentence in split_text(section.text):
            sentences.append((len(sentences), section.heading, sentence))
    rankable, lengths, texts = [], [], []
    postings: dict[str, tuple[list[int], list[int]]] = {}
    number_rows, number_values, number_kinds = [], [], []
    kinds: dict[str, int] = {}
    for position, (_, _, sentence) in enumerate(sentences):
        tokens = tokenize(sentence)
        if len(tokens) < 3:
            continue  # headings, captions, stray list items
        row = len(rankable)
        rankable.append(position)
        lengths.append(len(tokens))
        texts.append(sentence)
        for token, count in Counter(tokens).items():
            rows, counts = postings.setdefault(token, ([], []))
            rows.append(row)
            counts.append(count)
        for number in find_numbers(sentence):
            if number.is_quantity:
                kind = unit_class(number)
                number_rows.append(row)
                number_values.append(number.value)
                number_kinds.append(kinds.setdefault(kind, len(kinds)) if kind else -1)
    starts, offset = [], 0
    for text in texts:
        starts.append(offset)
        offset += len(text) + 1
    lead = page.sections[0].text if page.sections and not page.sections[0].heading else ""
    text = "\n".join(texts)
    return PageIndex(
        page_title=page.title,
        sentences=tuple(sentences),
        rankable=np.array(rankable, dtype=np.int64),
        lengths=np.array(lengths, dtype=float),
        fingerprints=np.array([_fingerprint(t) for t in texts], dtype=np.int64),
        postings={
            token: (np.array(rows, dtype=np.int64), np.array(counts, dtype=float))
            for token, (rows, counts) in postings.items()
        },
        number_rows=np.array(number_rows, dtype=np.int64),
        number_values=np.array(number_values, dtype=float),
        number_kinds=np.array(number_kinds, dtype=np.int64),
        kinds=tuple(kinds),
        text=text,
        starts=np.array(starts, dtype=np.int64),
        word_order=word_order(text),
        title=tuple(tokenize(page.title)),
        summary=tuple(tokenize(f"{page.title} {page.title} {page.description} {lead}")),
    )


# --- The in-process cache ---------------------------------------------------------------------

_cache: "OrderedDict[tuple, PageIndex]" = OrderedDict()
_cache_lock = threading.Lock()
CACHE_SIZE = 256  # an indexed page holds its text and postings: up to a few MB


def snapshot_key(page: PageSnapshot) -> tuple:
    # Text length guards against two different texts sharing a title and (missing) revision.
    return (
        page.wiki,
        page.title,
        page.revision_id,
        page.snapshot_date,
        page.source,
        sum(len(s.text) for s in page.sections),
    )


def cached(key: tuple) -> PageIndex | None:
    with _cache_lock:
        index = _cache.get(key)
        if index is not None:
            _cache.move_to_end(key)
        return index


def remember(key: tuple, index: PageIndex) -> PageIndex:
    with _cache_lock:
        _cache[key] = index
        _cache.move_to_end(key)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return index


def cached_index(page: PageSnapshot) -> PageIndex:
    """The page's index, built on first use in this process."""
    key = snapshot_key(page)
    return cached(key) or remember(key, build_index(page))
