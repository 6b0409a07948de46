"""Which pages to look at for a claim, and which of their sentences best support or refute
it. Pure: data in, dataclasses out, no ORM, no network.

Ranking is BM25 (bm25s) over the sentences of the candidate pages, plus cheap signals a
reviewer cares about: the claim's entities appear in the sentence, its numbers do, or a
figure for the same kind of thing does; and a page prior from the article's subject. See
rank_sentences for the formula. The weights were set by hand against the gold seeds
(evaluation.py), which are few: treat them as a starting point, not a fit.
"""

import logging
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import bm25s
import numpy as np

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

# bm25s sets its own logger to DEBUG on import; its per-index chatter is noise here.
logging.getLogger("bm25s").setLevel(logging.WARNING)

MAX_CANDIDATE_TITLES = 12
MAX_SENTENCES_PER_PAGE = 2  # so the top five always span at least three pages
ENTITY_WEIGHT = 0.5
NUMBER_WEIGHT = 0.5
QUANTITY_WEIGHT = 1.2
TITLE_WEIGHT = 0.15
TOPIC_WEIGHT = 1.0
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

_ABBREVIATIONS = (
    r"(?:Mr|Mrs|Ms|Dr|Gen|Col|Lt|Sgt|Capt|Maj|Adm|Brig|Sen|Rep|Gov|St|Jr|Sr|No|Nos|Vol|"
    r"vs|etc|approx|est|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|U\.S|U\.K|U\.N|"
    r"e\.g|i\.e|c|ca|al|Inc|Ltd|Co|Corp|[A-Z])"
)
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_ABBREV_TAIL = re.compile(rf"(?:^|[\s(]){_ABBREVIATIONS}\.$")
_CITATION = re.compile(r"\[(?:\d+|[a-z]|citation needed|note \d+)\]")


@dataclass(frozen=True)
class _SplitPage:
    sentences: tuple[tuple[int, str, str], ...]
    tokens: tuple[list[str], ...]
    about: frozenset[str]  # tokens of the title, description and lead: what the page is about
    numbers: tuple[tuple[float, ...], ...]  # values; years and days of dates left out
    # (unit class, value) of the numbers whose kind is known (see text.unit_class)
    quantities: tuple[tuple[tuple[str, float], ...], ...]


_split_cache: "OrderedDict[tuple, _SplitPage]" = OrderedDict()
_split_lock = threading.Lock()
_SPLIT_CACHE_SIZE = 256  # split pages hold tokens: a few hundred kB to MBs each


def _page_key(page: PageSnapshot) -> tuple:
    # Text length guards against two different texts sharing a title and (missing) revision.
    return (
        page.wiki,
        page.title,
        page.revision_id,
        page.snapshot_date,
        page.source,
        sum(len(s.text) for s in page.sections),
    )


def _split_text(text: str) -> list[str]:
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


def split_sentences(page: PageSnapshot) -> list[tuple[int, str, str]]:
    """(index, section heading, sentence) for every sentence of the page, in page order.
    Indices depend only on the page text, so they are stable for a given revision."""
    return list(_split_page(page).sentences)


def _split_page(page: PageSnapshot) -> _SplitPage:
    key = _page_key(page)
    with _split_lock:
        cached = _split_cache.get(key)
        if cached is not None:
            _split_cache.move_to_end(key)
            return cached
    sentences = []
    for section in page.sections:
        for sentence in _split_text(section.text):
            sentences.append((len(sentences), section.heading, sentence))
    mentions = [find_numbers(sentence) for _, _, sentence in sentences]
    lead = page.sections[0].text if page.sections and not page.sections[0].heading else ""
    split = _SplitPage(
        sentences=tuple(sentences),
        about=frozenset(tokenize(f"{page.title} {page.description} {lead}")),
        tokens=tuple(tokenize(s) for _, _, s in sentences),
        numbers=tuple(tuple(n.value for n in found if n.is_quantity) for found in mentions),
        quantities=tuple(
            tuple((c, n.value) for n in found if n.is_quantity and (c := unit_class(n)))
            for found in mentions
        ),
    )
    with _split_lock:
        _split_cache[key] = split
        while len(_split_cache) > _SPLIT_CACHE_SIZE:
            _split_cache.popitem(last=False)
    return split


# --- Ranking --------------------------------------------------------------------------------


def name_patterns(names: Sequence[str]) -> list[re.Pattern]:
    """One case-insensitive pattern per name, also matching its known aliases and, for
    multi-word names, the last word ("Gerasimov")."""
    patterns = []
    for name in names:
        cleaned = fold(_clean_name(name))
        if len(cleaned) < 2:
            continue
        variants = {cleaned}
        for alias in ALIASES.get(cleaned, ()):
            variants.add(fold(alias))
        # A person is often named by surname alone ("Gerasimov"), a country by its adjective.
        words = cleaned.split()
        if len(words) > 1 and len(words[-1]) > 3:
            variants.add(words[-1])
        pattern = "|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True))
        patterns.append(re.compile(rf"\b(?:{pattern})", re.IGNORECASE))
    return patterns


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


@dataclass
class _Scored:
    """Every candidate sentence with its score components (arrays aligned with rows)."""

    rows: list[tuple[PageSnapshot, int, str, str]]  # page, index, heading, sentence
    components: dict[str, np.ndarray]
    total: np.ndarray


def _score(query: ClaimQuery, pages: Sequence[PageSnapshot]) -> _Scored | None:
    unique: dict[str, PageSnapshot] = {}
    for page in pages:
        unique.setdefault(page.title, page)

    names = list(claim_entity_names(query))
    if query.claimant:
        names.append(query.claimant)
    patterns = name_patterns(list(dict.fromkeys(names)))
    claim_mentions = [n for n in find_numbers(query.text) if n.is_quantity]
    claim_numbers = [float(n) for n in query.numbers] or [n.value for n in claim_mentions]
    claim_quantities = [(c, n.value) for n in claim_mentions if (c := unit_class(n))]
    query_tokens = tokenize(query.text)
    for name in claim_entity_names(query):
        query_tokens += [t for t in tokenize(name) if t not in query_tokens]

    rows: list[tuple[PageSnapshot, int, str, str]] = []
    documents: list[list[str]] = []
    numbers: list[tuple[float, ...]] = []
    quantities: list[tuple[tuple[str, float], ...]] = []
    seen_sentences: set[str] = set()
    for page in unique.values():
        split = _split_page(page)
        for (index, heading, sentence), tokens, found, kinds in zip(
            split.sentences, split.tokens, split.numbers, split.quantities, strict=True
        ):
            if len(tokens) < 3 or sentence in seen_sentences:
                continue  # headings, captions, stray list items; text copied between pages
            seen_sentences.add(sentence)
            rows.append((page, index, heading, sentence))
            documents.append(tokens)
            numbers.append(found)
            quantities.append(kinds)
    if not rows:
        return None

    components = {
        name: np.zeros(len(rows)) for name in ("bm25", "entity", "number", "quantity", "title")
    }
    if query_tokens:
        index = bm25s.BM25()
        index.index(documents, show_progress=False)
        bm25 = np.asarray(index.get_scores(query_tokens), dtype=float)
        components["bm25"] = bm25 / bm25.max() if bm25.max() > 0 else bm25

    title_pages = {
        page.title
        for page in unique.values()
        if fold(page.title) in {fold(_clean_name(n)) for n in names}
        or any(pattern.fullmatch(fold(page.title)) for pattern in patterns)
    }
    for row, (page, _index, _heading, sentence) in enumerate(rows):
        hits = sum(1 for pattern in patterns if pattern.search(sentence))
        if hits:
            components["entity"][row] = hits / len(patterns)
        if claim_numbers and numbers[row]:
            matched = sum(
                1
                for wanted in claim_numbers
                if any(_numbers_close(wanted, seen) for seen in numbers[row])
            )
            components["number"][row] = matched / len(claim_numbers)
        # A figure for the same kind of thing is what a reviewer compares the claim with;
        # it counts in full when the sentence is also about the claim's entities.
        closeness = _quantity_closeness(claim_quantities, quantities[row])
        components["quantity"][row] = closeness if hits else closeness / 2
        components["title"][row] = page.title in title_pages

    # What the page is about (title, description, lead) against the claim and its article.
    topic_tokens = {t for t in tokenize(query.context) if not t[0].isdigit()}
    topic_tokens |= {t for t in query_tokens if not t[0].isdigit()}
    topic = {
        page.title: len(topic_tokens & _split_page(page).about) / max(1, len(topic_tokens))
        for page in unique.values()
    }
    total = sum(_WEIGHTS[name] * values for name, values in components.items())
    total = total + TOPIC_WEIGHT * np.array([topic[row[0].title] for row in rows])
    return _Scored(rows=rows, components=components, total=total)


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
    - TOPIC_WEIGHT x the share of the claim's and its context's words in the page's title,
      description and lead (a page prior: the article's subject decides between pages).
    At most per_page sentences per page. Pages with the same title and sentences copied
    between pages are considered once. `method` names the components that contributed.
    """
    if top_k <= 0:
        return []
    scored = _score(query, pages)
    if scored is None:
        return []
    components = scored.components
    matched = (components["bm25"] + components["entity"] + components["number"]) > 0
    matched |= components["quantity"] > 0
    # Stable order: score, then page order, then sentence order.
    order = sorted(np.flatnonzero(matched), key=lambda row: (-scored.total[row], row))
    results: list[RankedSentence] = []
    taken: dict[str, int] = {}
    for row in order:
        page, index, heading, sentence = scored.rows[row]
        if taken.get(page.title, 0) >= per_page:
            continue
        taken[page.title] = taken.get(page.title, 0) + 1
        methods = [_METHOD_NAMES[name] for name in components if components[name][row] > 0]
        results.append(
            RankedSentence(
                page_title=page.title,
                sentence_index=index,
                sentence=sentence,
                section=heading,
                score=round(float(scored.total[row]), 4),
                method="+".join(methods),
            )
        )
        if len(results) >= top_k:
            break
    return results
