"""Which pages to look at for a claim, and which of their sentences best support or refute
it. Pure: data in, dataclasses out, no ORM, no network.

Ranking is BM25 over the sentences of the candidate pages, plus cheap signals a reviewer
cares about: the claim's entities appear in the sentence, its numbers do, or a figure for
the same kind of thing does; and a page prior from the article's headline and the claim.
See rank_sentences for the formula.

Speed: a page is split, tokenised and indexed (page_index.PageIndex: postings per token,
numbers, the text names are found in) once per revision, so ranking a claim over a pool of
forty pages only sums postings for the claim's few tokens, with numpy, never a Python loop
over the pool's sentences. BM25 is computed here from those
postings with the formula bm25s uses (Lucene's), rather than by building a bm25s index per
claim over every sentence of the pool, which cost most of the evidence step's time.

The weights were set by hand against the gold seeds (evaluation.py and bench_evidence),
which are few: treat them as a starting point, not a fit.
"""

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from factcheck.evidence.page_index import PageIndex, cached_index, joined, names_regex
from factcheck.evidence.text import (
    STOPWORDS,
    capitalised_phrases,
    find_numbers,
    fold,
    stem,
    tokenize,
    unit_class,
)
from factcheck.evidence.types import ClaimQuery, PageSnapshot, RankedSentence

MAX_CANDIDATE_TITLES = 12
MAX_SENTENCES_PER_PAGE = 2  # so the top five always span at least three pages
ENTITY_WEIGHT = 0.5
NUMBER_WEIGHT = 0.5
QUANTITY_WEIGHT = 1.2
TITLE_WEIGHT = 0.15
# The page prior (see _page_prior): the headline's match with the page title weighs more
# than the claim's with the page summary, because a claim's own words ("forces freed 28
# localities") rarely name the page that holds its evidence, while the headline names the
# article's subject.
HEADLINE_WEIGHT = 1.5
SUMMARY_WEIGHT = 0.25
_WEIGHTS = {
    "bm25": 1.0,
    "entity": ENTITY_WEIGHT,
    "number": NUMBER_WEIGHT,
    "quantity": QUANTITY_WEIGHT,
    "title": TITLE_WEIGHT,
}
_METHOD_NAMES = {
    "bm25": "bm25",
    "entity": "entity",
    "number": "number",
    "quantity": "quantity",
    "title": "entity-title",
}

# Names the news uses for a page whose title differs. Live Wikipedia resolves many of these
# by redirect; the offline corpus has no redirects, so the common ones are spelled out.
ALIASES: dict[str, tuple[str, ...]] = {
    "isis": ("Islamic State",),
    "isil": ("Islamic State",),
    "is": ("Islamic State",),
    "daesh": ("Islamic State",),
    "islamic state": ("Islamic State",),
    "moscow": ("Russia",),
    "kremlin": ("Russia",),
    "russian": ("Russia",),
    "putin": ("Vladimir Putin",),
    "assad": ("Bashar al-Assad",),
    "damascus": ("Syria",),
    "syrian": ("Syria",),
    "obama": ("Barack Obama",),
    "washington": ("United States",),
    "us": ("United States",),
    "u.s": ("United States",),
    "america": ("United States",),
    "american": ("United States",),
    "un": ("United Nations",),
    "turkish": ("Turkey",),
    "ankara": ("Turkey",),
    "tehran": ("Iran",),
    "iranian": ("Iran",),
    "fsa": ("Free Syrian Army",),
    "usa": ("United States",),
    "uk": ("United Kingdom",),
    "britain": ("United Kingdom",),
}


# --- Candidate pages ------------------------------------------------------------------------


def heuristic_entity_names(text: str) -> tuple[str, ...]:
    """Capitalised phrases of the text as entity names, longest first ("Sergei Rudskoi"
    says more than "Russian"): the stand-in while a claim has no extracted entities."""
    return tuple(sorted(capitalised_phrases(text), key=lambda name: -len(name.split())))


def claim_entity_names(query: ClaimQuery) -> tuple[str, ...]:
    """The query's entity names in their given order, or heuristic ones from its text when
    it has none (extraction may not have run, e.g. for the `evidence` command)."""
    return tuple(query.entity_names) or heuristic_entity_names(query.text)


@lru_cache(maxsize=65536)
def _clean_name(name: str) -> str:
    name = " ".join(name.replace("’", "'").split()).strip(" .,;:'\"")
    name = re.sub(r"'s?$", "", name)
    name = re.sub(r"^(?:the|The)\s+", "", name)
    return name[:1].upper() + name[1:]


def candidate_titles(query: ClaimQuery) -> list[str]:
    """Wikipedia titles worth fetching for the claim: its entity names as written, then
    known aliases, most specific first, at most MAX_CANDIDATE_TITLES. The claimant is
    included: a page about the speaker often records what they said."""
    names = list(claim_entity_names(query))
    if query.claimant:
        names.append(query.claimant)
    titles: list[str] = []

    def add(title: str) -> None:
        title = _clean_name(title)
        if len(title) > 1 and fold(title) not in {fold(t) for t in titles}:
            titles.append(title)

    for name in names:
        cleaned = _clean_name(name)
        if not cleaned:
            continue
        aliases = ALIASES.get(fold(cleaned), ())
        if fold(cleaned) in {"is", "us", "un", "u.s"} and aliases:
            add(aliases[0])  # too ambiguous to fetch as written
            continue
        add(cleaned)
        for alias in aliases:
            add(alias)
    return titles[:MAX_CANDIDATE_TITLES]


def key_phrase(query: ClaimQuery, *, max_words: int = 8) -> str:
    """A short search query: the entity names first, then the claim's rarest-looking
    content words (longest first, a fair proxy without corpus statistics). Short, because
    Wikipedia's search matches every word."""
    words: list[str] = []
    seen: set[str] = set()

    def add(word: str) -> None:
        key = stem(fold(word))
        if key and key not in seen and fold(word) not in STOPWORDS:
            seen.add(key)
            words.append(word)

    for name in claim_entity_names(query)[:3]:
        cleaned = _clean_name(name)
        # The encyclopedia's name, not the metonym: "Moscow launched..." is about Russia.
        for word in (ALIASES.get(fold(cleaned)) or (cleaned,))[-1].split():
            add(word)
    if query.context:
        # The article's subject, so that "freed 28 localities in Latakia" finds the campaign.
        for name in capitalised_phrases(query.context)[:2]:
            cleaned = _clean_name(name)
            for word in (ALIASES.get(fold(cleaned)) or (cleaned,))[-1].split():
                add(word)
    content = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]+", query.text) if len(w) > 3]
    for word in sorted(content, key=len, reverse=True):
        if len(words) >= max_words:
            break
        add(re.sub(r"'s?$", "", word))
    return " ".join(words[:max_words])


# --- Sentences ------------------------------------------------------------------------------


def split_sentences(page: PageSnapshot) -> list[tuple[int, str, str]]:
    """(index, section heading, sentence) for every sentence of the page, in page order.
    Indices depend only on the page text, so they are stable for a given revision."""
    return list(cached_index(page).sentences)


# --- Ranking --------------------------------------------------------------------------------


# Words that do not name their entity on their own: "Islamic State" is not every "state",
# nor "Free Syrian Army" every "army", nor is "United Kingdom" the "United States". Other
# last words stand for the whole name, a person's surname above all ("Gerasimov").
_GENERIC_NAME_WORDS = frozenset(
    """
    state states army forces force east west north south general republic federation union
    council party ministry department government front agency division news international
    nations kingdom organization organisation group command office committee security air
    media times post service services directorate assembly court city province region
    united great free national royal people democratic popular central
    """.split()
)
_CONNECTORS = frozenset("of the and for de al on in".split())


def _is_acronym(name: str) -> bool:
    letters = name.replace(".", "")
    return 1 < len(letters) <= 5 and letters.isalpha() and letters.isupper()


def _name_keys(name: str) -> set[str]:
    """What a name can be recognised by when grouping names of one entity: itself (without
    apostrophes or dots), its known aliases, its initials, and, for the first name of a
    group, its distinctive words."""
    cleaned = fold(_clean_name(name)).replace("'", "")
    compact = cleaned.replace(".", "")
    keys = {cleaned, compact}
    for form in (cleaned, compact):
        keys |= {fold(alias) for alias in ALIASES.get(form, ())}
    words = [w for w in re.split(r"[\s-]+", compact) if w]
    if len(words) > 1:
        keys.add("".join(w[0] for w in words if w not in _CONNECTORS))
    return keys


def _name_words(name: str) -> set[str]:
    words = re.split(r"[\s-]+", fold(_clean_name(name)).replace("'", ""))
    return {stem(w) for w in words if len(w) > 3 and w not in _GENERIC_NAME_WORDS}


def entity_groups(names: Sequence[str]) -> list[tuple[str, ...]]:
    """The names grouped by the entity they name, in order. Extraction lists each entity's
    name followed by its aliases ("Islamic State", "ISIS", "ISIL", "Daesh", ...); counting
    each alias as an entity would let one entity named in full outweigh two named once. A
    name joins a group when it shares a key with it (an alias, the initials, the same
    spelling) or, following the group's first name, one of its distinctive words."""
    groups: list[list[str]] = []
    keys: list[set[str]] = []
    for name in dict.fromkeys(n for n in names if len(_clean_name(n)) > 1):
        own = _name_keys(name)
        joined = None
        if groups and own & (keys[-1] | _name_words(groups[-1][0])) | (
            _name_words(name) & _name_words(groups[-1][0])
        ):
            joined = len(groups) - 1
        else:
            joined = next((i for i, k in enumerate(keys) if own & k), None)
        if joined is None:
            groups.append([name])
            keys.append(own)
        else:
            groups[joined].append(name)
            keys[joined] |= own
    return [tuple(group) for group in groups]


def _variants(name: str) -> tuple[set[str], set[str]]:
    """(words, acronyms) a name is found by in text. Words match case-insensitively at the
    start of a word, so "Russia" finds "Russian"; acronyms match whole and as written, so
    "IS" does not find "is" nor "US" "used"."""
    cleaned = _clean_name(name)
    words: set[str] = set()
    acronyms: set[str] = set()
    if _is_acronym(cleaned) or _is_acronym(name.strip()):
        acronyms.add(name.strip().rstrip(".") if "." not in name.strip()[:-1] else name.strip())
    else:
        words.add(fold(cleaned))
        # A person is often named by surname alone ("Gerasimov").
        parts = fold(cleaned).split()
        if len(parts) > 1 and len(parts[-1]) > 3 and parts[-1] not in _GENERIC_NAME_WORDS:
            words.add(parts[-1])
    for alias in ALIASES.get(fold(cleaned).replace("'", ""), ()):
        words.add(fold(alias))
    return words, acronyms


def name_alternatives(names: Sequence[str]) -> list[tuple[frozenset[str], frozenset[str]]]:
    """One (words, acronyms) pair per entity (see entity_groups): any of its names, their
    known aliases and, for people, the surname alone (see _variants)."""
    return list(_name_alternatives(tuple(names)))


@lru_cache(maxsize=4096)
def _name_alternatives(names: tuple[str, ...]) -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    # Cached: ranking and the hints ask for every claim, and an article's claims share names.
    found = []
    for group in entity_groups(names):
        words: set[str] = set()
        acronyms: set[str] = set()
        for name in group:
            more_words, more_acronyms = _variants(name)
            words |= more_words
            acronyms |= more_acronyms
        if words or acronyms:
            found.append((frozenset(words), frozenset(acronyms)))
    return tuple(found)


def name_patterns(names: Sequence[str]) -> list[re.Pattern]:
    """One pattern per entity (see name_alternatives), for searching a sentence."""
    return [names_regex(words, acronyms) for words, acronyms in name_alternatives(names)]


def _quantity_closeness(
    claimed: Sequence[tuple[str, float]], seen: Sequence[tuple[str, float]]
) -> float:
    """1 for a figure of the same kind and value as the claim's, falling to 0 three orders
    of magnitude away: 48,000 servicemen answers "150,000 troops" better than 29 do."""
    best = 0.0
    for kind, value in claimed:
        for other_kind, other in seen:
            if kind == other_kind and value > 0 and other > 0:
                distance = abs(math.log10(other / value))
                best = max(best, 1 - min(distance, 3) / 3)
    return best


def _numbers_close(a: float, b: float) -> bool:
    return abs(a - b) <= max(0.01 * max(abs(a), abs(b)), 1e-9)


# BM25 as Lucene (and bm25s, its default) computes it: idf = ln(1 + (N - df + .5) / (df + .5)),
# term weight tf / (tf + K1 * (1 - B + B * length / average length)).
BM25_K1 = 1.5
BM25_B = 0.75


class _Block:
    """Pages whose rows are searched together, with their arrays laid end to end ("block
    rows"). The pages every claim of an article shares make one block, built once and used
    by every claim; each claim's own few pages make another. Postings, names and numbers are
    gathered over the block once, so scoring a claim costs a few array operations per query
    token, not one per token and page."""

    def __init__(self, pages: Sequence[PageIndex]):
        self.pages = tuple(pages)
        sizes = [len(index.rankable) for index in self.pages]
        self.starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.size = int(self.starts[-1])
        self.page_of = np.repeat(np.arange(len(self.pages)), sizes)
        self.row_of = np.arange(self.size) - self.starts[self.page_of]
        self.fingerprints = joined([index.fingerprints for index in self.pages], np.int64)
        self.lengths = joined([index.lengths for index in self.pages], float)
        self.number_rows = joined(
            [
                index.number_rows + start
                for index, start in zip(self.pages, self.starts[:-1], strict=True)
            ],
            np.int64,
        )
        self.number_values = joined([index.number_values for index in self.pages], float)
        kinds = [np.array([*index.kinds, ""], dtype=object) for index in self.pages]
        # The kind of every number as a string ("" when unknown: its kind index is -1).
        self.number_kinds = joined(
            [names[index.number_kinds] for names, index in zip(kinds, self.pages, strict=True)],
            object,
        )
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._names: dict[tuple, np.ndarray] = {}
        self._literals: dict[tuple[str, bool], np.ndarray] = {}
        self._first: np.ndarray | None = None
        self._first_row_of: dict[int, int] | None = None

    def first_occurrences(self) -> np.ndarray:
        """Per block row: is it its text's first occurrence in the block?"""
        if self._first is None:
            self._first = np.zeros(self.size, dtype=bool)
            self._first[np.unique(self.fingerprints, return_index=True)[1]] = True
        return self._first

    def first_row_of(self) -> dict[int, int]:
        """Fingerprint -> the block row of its first occurrence."""
        if self._first_row_of is None:
            rows = np.flatnonzero(self.first_occurrences())
            self._first_row_of = dict(
                zip(self.fingerprints[rows].tolist(), rows.tolist(), strict=True)
            )
        return self._first_row_of

    def posting(self, token: str) -> tuple[np.ndarray, np.ndarray]:
        """(block rows, term frequencies) of a token."""
        found = self._postings.get(token)
        if found is None:
            rows, counts = [], []
            for index, start in zip(self.pages, self.starts[:-1], strict=True):
                posting = index.postings.get(token)
                if posting is not None:
                    rows.append(posting[0] + start)
                    counts.append(posting[1])
            found = (joined(rows, np.int64), joined(counts, float))
            self._postings[token] = found
        return found

    def rows_naming(self, words: frozenset[str], acronyms: frozenset[str]) -> np.ndarray:
        """Block rows naming any of the words or acronyms (see PageIndex.rows_with)."""
        key = (words, acronyms)
        found = self._names.get(key)
        if found is None:
            parts = [self._rows_with(word, whole=False) for word in words]
            parts += [self._rows_with(acronym, whole=True) for acronym in acronyms]
            found = joined(parts, np.int64)
            if len(parts) > 1:
                found = np.unique(found)
            self._names[key] = found
        return found

    def _rows_with(self, literal: str, *, whole: bool) -> np.ndarray:
        """Block rows of PageIndex.rows_with, gathered over the pages once per literal: the
        claims of an article name the same few entities in ever new combinations."""
        key = (literal, whole)
        found = self._literals.get(key)
        if found is None:
            parts = []
            for index, start in zip(self.pages, self.starts[:-1].tolist(), strict=True):
                rows = index.rows_with(literal, whole=whole)
                if len(rows):
                    parts.append(rows + start)
            found = joined(parts, np.int64)
            self._literals[key] = found
        return found


@dataclass(frozen=True)
class _Pool:
    """The rankable sentences of a claim's pages, each sentence once, in page order: the
    blocks' rows end to end, less text copied from an earlier page (or repeated on the same
    one). `position` maps each block's rows to pool rows (-1: not in the pool)."""

    pages: tuple[PageIndex, ...]  # every page of the pool, in order
    blocks: tuple[_Block, ...]
    position: tuple[np.ndarray, ...]  # per block: block row -> pool row, or -1
    page_of: np.ndarray  # pool row -> its page's number in `pages`
    row_of: np.ndarray  # pool row -> the page's row
    lengths: np.ndarray

    def sentence(self, pool_row: int) -> tuple[str, int, str, str]:
        """(page title, sentence index, heading, sentence) of a pool row."""
        index = self.pages[self.page_of[pool_row]]
        sentence_index, heading, sentence = index.sentences[index.rankable[self.row_of[pool_row]]]
        return index.page_title, sentence_index, heading, sentence

    def gather(self, block_rows: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Per block, the pool rows of the given block rows (-1 where not in the pool)."""
        return [position[rows] for position, rows in zip(self.position, block_rows, strict=True)]


def _pool_of(blocks: Sequence[_Block], dropped: frozenset[str] = frozenset()) -> _Pool:
    """The pool of the blocks' pages in order, less the last block's pages titled in
    `dropped` (a shared page that is also one of the claim's own)."""
    live = np.ones(sum(block.size for block in blocks), dtype=bool)
    pages, page_numbers, first_row = [], [], 0
    for block_number, block in enumerate(blocks):
        numbers = np.full(len(block.pages), -1, dtype=np.int64)
        last = block_number == len(blocks) - 1
        for number, index in enumerate(block.pages):
            if last and index.page_title in dropped:
                start = first_row + block.starts[number]
                live[start : first_row + block.starts[number + 1]] = False
            else:
                numbers[number] = len(pages)
                pages.append(index)
        page_numbers.append(numbers[block.page_of])
        first_row += block.size
    if len(blocks) == 2 and live.all():
        # The common case, a claim's own pages before the shared block: the shared block's
        # first occurrences are known once, less the texts the own pages have already.
        own, shared = blocks
        keep_own = own.first_occurrences()
        keep_shared = shared.first_occurrences().copy()
        first_in_shared = shared.first_row_of()
        for fingerprint in own.fingerprints[keep_own].tolist():
            row = first_in_shared.get(fingerprint)
            if row is not None:
                keep_shared[row] = False
        keep = np.concatenate([keep_own, keep_shared])
    else:
        fingerprints = joined([block.fingerprints for block in blocks], np.int64)
        live_rows = np.flatnonzero(live)
        keep = np.zeros(len(fingerprints), dtype=bool)
        # Each text's first occurrence among the live rows.
        keep[live_rows[np.unique(fingerprints[live_rows], return_index=True)[1]]] = True
    pool_row = np.where(keep, np.cumsum(keep) - 1, -1)
    sizes = [block.size for block in blocks]
    return _Pool(
        pages=tuple(pages),
        blocks=tuple(blocks),
        position=tuple(np.split(pool_row, np.cumsum(sizes)[:-1])),
        page_of=joined(page_numbers, np.int64)[keep],
        row_of=joined([block.row_of for block in blocks], np.int64)[keep],
        lengths=joined([block.lengths for block in blocks], float)[keep],
    )


def _unique_titles(indexes: Sequence[PageIndex]) -> list[PageIndex]:
    """The pages in order, a title counting once (the first time)."""
    unique: dict[str, PageIndex] = {}
    for index in indexes:
        unique.setdefault(index.page_title, index)
    return list(unique.values())


def _pool(indexes: Sequence[PageIndex]) -> _Pool:
    """The pool of some pages."""
    return _pool_of([_Block(_unique_titles(indexes))])


def _bm25(pool: _Pool, query_tokens: Sequence[str]) -> np.ndarray:
    """BM25 of every pool sentence for the query tokens, the pool being the collection."""
    scores = np.zeros(len(pool.page_of))
    if not len(scores):
        return scores
    norm = BM25_K1 * (1 - BM25_B + BM25_B * pool.lengths / pool.lengths.mean())
    for token, times in Counter(query_tokens).items():
        rows, counts = [], []
        for block, position in zip(pool.blocks, pool.position, strict=True):
            block_rows, tf = block.posting(token)
            at = position[block_rows]
            kept = at >= 0
            rows.append(at[kept])
            counts.append(tf[kept])
        at, tf = np.concatenate(rows), np.concatenate(counts)
        if not len(at):
            continue
        idf = math.log(1 + (len(scores) - len(at) + 0.5) / (len(at) + 0.5))
        scores[at] += times * idf * tf / (tf + norm[at])
    return scores


def _bm25_documents(
    counts: Sequence[Counter], lengths: Sequence[int], query_tokens: Sequence[str]
) -> np.ndarray:
    """BM25 of a few whole documents (page titles, summaries), the same formula as _bm25."""
    length = np.array(lengths, dtype=float)
    scores = np.zeros(len(counts))
    if not len(counts) or not length.sum():
        return scores
    norm = BM25_K1 * (1 - BM25_B + BM25_B * length / length.mean())
    for token, times in Counter(query_tokens).items():
        tf = np.array([c.get(token, 0) for c in counts], dtype=float)
        df = int((tf > 0).sum())
        if df:
            idf = math.log(1 + (len(counts) - df + 0.5) / (df + 0.5))
            scores += times * idf * tf / (tf + norm)
    return scores


def _content_words(tokens: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(t for t in tokens if not t[0].isdigit()))


def _normalised(scores: np.ndarray) -> np.ndarray:
    return scores / scores.max() if len(scores) and scores.max() > 0 else scores


def _headline_prior(context: str, pool: _Pool) -> np.ndarray:
    pages = pool.pages
    return HEADLINE_WEIGHT * _normalised(
        _bm25_documents(
            [p.counts("title") for p in pages],
            [len(p.title) for p in pages],
            _content_words(tokenize(context)),
        )
    )


def _page_prior(query_tokens: Sequence[str], pool: _Pool, headline: np.ndarray) -> np.ndarray:
    """How much each page is about what the claim and its article are about: BM25 of the
    headline's words over the pages' titles (given: the same for every claim of an article),
    and of the claim's words over their titles, descriptions and leads, each normalised to
    the best page of the pool (0..1), the pool being the collection. Rare words weigh most:
    in a pool of Syrian civil war pages, "Russia" in the headline picks out the pages about
    Russia's part, "Syria" barely counts. The title alone answers the headline, because a
    long lead mentions everything once."""
    pages = pool.pages
    claim = _bm25_documents(
        [p.counts("summary") for p in pages],
        [len(p.summary) for p in pages],
        _content_words(query_tokens),
    )
    return headline + SUMMARY_WEIGHT * _normalised(claim)


def _number_components(
    pool: _Pool,
    claim_numbers: Sequence[float],
    claim_quantities: Sequence[tuple[str, float]],
    hits: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(number, quantity) components: the share of the claim's figures a sentence repeats,
    and how close its figure for the same kind of thing is (halved without entities)."""
    size = len(pool.page_of)
    number = np.zeros(size)
    quantity = np.zeros(size)
    for block, at in zip(
        pool.blocks, pool.gather([b.number_rows for b in pool.blocks]), strict=True
    ):
        values = block.number_values
        if not len(values):
            continue
        in_pool = at >= 0
        for wanted in claim_numbers:
            close = np.abs(values - wanted) <= np.maximum(
                0.01 * np.maximum(np.abs(values), abs(wanted)), 1e-9
            )
            number[np.unique(at[close & in_pool])] += 1
        for kind, value in claim_quantities:
            if value <= 0:
                continue
            same = (block.number_kinds == kind) & (values > 0) & in_pool
            if same.any():
                distance = np.minimum(np.abs(np.log10(values[same] / value)), 3)
                np.maximum.at(quantity, at[same], 1 - distance / 3)
    if claim_numbers:
        number /= len(claim_numbers)
    # A figure for the same kind of thing is what a reviewer compares the claim with; it
    # counts in full when the sentence is also about the claim's entities.
    return number, np.where(hits > 0, quantity, quantity / 2)


def _score(query: ClaimQuery, pool: _Pool, headline: np.ndarray) -> dict[str, np.ndarray]:
    """Every pool sentence's score components, and their weighted sum as "total"."""
    size = len(pool.page_of)
    names = list(claim_entity_names(query))
    if query.claimant:
        names.append(query.claimant)
    names = list(dict.fromkeys(names))
    alternatives = name_alternatives(names)
    claim_mentions = [n for n in find_numbers(query.text) if n.is_quantity]
    claim_numbers = [float(n) for n in query.numbers] or [n.value for n in claim_mentions]
    claim_quantities = [(c, n.value) for n in claim_mentions if (c := unit_class(n))]
    query_tokens = tokenize(query.text)
    for name in claim_entity_names(query):
        query_tokens += [t for t in tokenize(name) if t not in query_tokens]

    components = {name: np.zeros(size) for name in ("bm25", "entity", "title")}
    if query_tokens:
        components["bm25"] = _normalised(_bm25(pool, query_tokens))

    hits = np.zeros(size)
    for words, acronyms in alternatives:
        named = [block.rows_naming(words, acronyms) for block in pool.blocks]
        for at in pool.gather(named):
            hits[at[at >= 0]] += 1
    if alternatives:
        components["entity"] = hits / len(alternatives)
    components["number"], components["quantity"] = _number_components(
        pool, claim_numbers, claim_quantities, hits
    )

    name_keys = {fold(_clean_name(n)) for n in names}
    patterns = [names_regex(words, acronyms) for words, acronyms in alternatives]
    title_page = np.array(
        [
            fold(index.page_title) in name_keys
            or any(pattern.fullmatch(fold(index.page_title)) for pattern in patterns)
            for index in pool.pages
        ],
        dtype=float,
    )
    components["title"] = title_page[pool.page_of]

    prior = _page_prior(query_tokens, pool, headline)[pool.page_of]
    components["total"] = sum(_WEIGHTS[name] * components[name] for name in _WEIGHTS) + prior
    return components


def _top(
    pool: _Pool, components: dict[str, np.ndarray], top_k: int, per_page: int
) -> list[RankedSentence]:
    total = components["total"]
    matched = (components["bm25"] + components["entity"] + components["number"]) > 0
    matched |= components["quantity"] > 0
    candidates = np.flatnonzero(matched)
    # Stable order: score, then page order, then sentence order (the pool's row order).
    order = candidates[np.lexsort((candidates, -total[candidates]))]
    results: list[RankedSentence] = []
    taken: dict[str, int] = {}
    for row in order:
        title, index, heading, sentence = pool.sentence(row)
        if taken.get(title, 0) >= per_page:
            continue
        taken[title] = taken.get(title, 0) + 1
        methods = [_METHOD_NAMES[name] for name in _WEIGHTS if components[name][row] > 0]
        results.append(
            RankedSentence(
                page_title=title,
                sentence_index=index,
                sentence=sentence,
                section=heading,
                score=round(float(total[row]), 4),
                method="+".join(methods),
            )
        )
        if len(results) >= top_k:
            break
    return results


def rank_claims(
    claims: Sequence[tuple[ClaimQuery, Sequence[PageIndex]]],
    top_k: int = 5,
    *,
    shared: Sequence[PageIndex] = (),
    per_page: int = MAX_SENTENCES_PER_PAGE,
) -> list[list[RankedSentence]]:
    """rank_sentences for the claims of one article, as a batch: each claim over its own
    pages followed by the `shared` pages (those every claim of the article gets, such as
    the article's search results), exactly as if they were given to rank_sentences in that
    order. The shared pages' postings, names and numbers are gathered once for all claims."""
    if top_k <= 0:
        return [[] for _ in claims]
    shared = _unique_titles(shared)
    shared_block = _Block(shared)
    shared_titles = frozenset(index.page_title for index in shared)
    headlines: dict[tuple, np.ndarray] = {}
    ranked = []
    for query, own in claims:
        own = _unique_titles(own)
        titles = frozenset(index.page_title for index in own)
        pool = _pool_of([_Block(own), shared_block], dropped=titles & shared_titles)
        if not len(pool.page_of):
            ranked.append([])
            continue
        key = (tuple(id(index) for index in pool.pages), query.context)
        if key not in headlines:
            headlines[key] = _headline_prior(query.context, pool)
        components = _score(query, pool, headlines[key])
        ranked.append(_top(pool, components, top_k, per_page))
    return ranked


def rank_sentences(
    query: ClaimQuery,
    pages: Sequence[PageSnapshot],
    top_k: int = 5,
    *,
    per_page: int = MAX_SENTENCES_PER_PAGE,
) -> list[RankedSentence]:
    """The top_k sentences of the pages for the claim, best first.

    A sentence is a candidate when BM25, an entity, a number or a comparable quantity of the
    claim matches it. Its score adds up:
    - BM25 over all the pages' sentences, normalised to the best sentence (0..1);
    - ENTITY_WEIGHT x the share of the claim's entities (and claimant) it names;
    - NUMBER_WEIGHT x the share of the claim's figures it repeats;
    - QUANTITY_WEIGHT x how close its figure for the same kind of thing is (troops vs
      servicemen: 1 when equal, 0 three orders of magnitude away; halved without entities);
    - TITLE_WEIGHT if its page is about one of the entities;
    - the page prior (see _page_prior): HEADLINE_WEIGHT x how well the page title answers
      the article's headline (query.context), SUMMARY_WEIGHT x how well the page's title,
      description and lead answer the claim; the article's subject decides between pages.
    At most per_page sentences per page. Pages with the same title and sentences copied
    between pages are considered once. `method` names the components that contributed.
    """
    indexes = [cached_index(page) for page in pages]
    return rank_claims([(query, indexes)], top_k, per_page=per_page)[0]
