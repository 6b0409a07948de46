"""Which pages to look at for a claim, and which of their sentences best support or refute
it. Pure: data in, dataclasses out, no ORM, no network.

Ranking is BM25 over the sentences of the candidate pages, plus cheap signals a reviewer
cares about: the claim's entities appear in the sentence, its numbers do, or a figure for
the same kind of thing does; and a page prior from the article's headline and the claim.
See rank_sentences for the formula.

Speed: a page is split, tokenised and indexed (postings per token, numbers, the text the
name patterns scan) once per revision and cached, so ranking a claim over a pool of forty
pages only sums postings for the claim's few tokens. BM25 is computed here from those
postings with the formula bm25s uses (Lucene's), rather than by building a bm25s index per
claim over every sentence of the pool, which cost most of the evidence step's time.

The weights were set by hand against the gold seeds (evaluation.py and bench_evidence),
which are few: treat them as a starting point, not a fit.
"""

import math
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

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


@dataclass
class _PageIndex:
    """A page prepared for ranking, once per revision: its sentences, and for the rankable
    ones (three tokens or more) an inverted index, lengths, numbers and the joined text the
    name patterns run over. Built once and shared by every claim that ranks the page."""

    sentences: tuple[tuple[int, str, str], ...]  # every sentence: index, heading, text
    rankable: np.ndarray  # positions in `sentences` of the rankable sentences; "rows" below
    lengths: np.ndarray  # tokens per row
    postings: dict[str, tuple[np.ndarray, np.ndarray]]  # token -> (rows, term frequencies)
    numbers: dict[int, tuple[float, ...]]  # row -> values; years and days of dates left out
    # row -> (unit class, value) of the numbers whose kind is known (see text.unit_class)
    quantities: dict[int, tuple[tuple[str, float], ...]]
    text: str  # the rows joined by newlines, so that one regex scan covers the page
    starts: np.ndarray  # offset of each row in `text`
    title: tuple[str, ...]
    # the page as a document about something: title (twice), description, lead
    summary: tuple[str, ...]
    # name pattern -> rows it matches; filled as claims ask (names recur across claims)
    name_hits: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def rows_naming(self, pattern: re.Pattern) -> np.ndarray:
        hits = self.name_hits.get(pattern.pattern)
        if hits is None:
            offsets = np.fromiter((m.start() for m in pattern.finditer(self.text)), dtype=np.int64)
            hits = np.unique(np.searchsorted(self.starts, offsets, side="right") - 1)
            self.name_hits[pattern.pattern] = hits
        return hits


_index_cache: "OrderedDict[tuple, _PageIndex]" = OrderedDict()
_index_lock = threading.Lock()
_INDEX_CACHE_SIZE = 256  # an indexed page holds its text and postings: up to a few MB


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
    return list(_page_index(page).sentences)


def _page_index(page: PageSnapshot) -> _PageIndex:
    key = _page_key(page)
    with _index_lock:
        cached = _index_cache.get(key)
        if cached is not None:
            _index_cache.move_to_end(key)
            return cached
    index = _build_page_index(page)
    with _index_lock:
        _index_cache[key] = index
        while len(_index_cache) > _INDEX_CACHE_SIZE:
            _index_cache.popitem(last=False)
    return index


def _build_page_index(page: PageSnapshot) -> _PageIndex:
    sentences = []
    for section in page.sections:
        for sentence in _split_text(section.text):
            sentences.append((len(sentences), section.heading, sentence))
    rankable, lengths, texts = [], [], []
    postings: dict[str, tuple[list[int], list[int]]] = {}
    numbers, quantities = {}, {}
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
        found = [n for n in find_numbers(sentence) if n.is_quantity]
        if found:
            numbers[row] = tuple(n.value for n in found)
            quantities[row] = tuple((c, n.value) for n in found if (c := unit_class(n)))
    starts, offset = [], 0
    for text in texts:
        starts.append(offset)
        offset += len(text) + 1
    lead = page.sections[0].text if page.sections and not page.sections[0].heading else ""
    return _PageIndex(
        sentences=tuple(sentences),
        rankable=np.array(rankable, dtype=np.int64),
        lengths=np.array(lengths, dtype=float),
        postings={
            token: (np.array(rows, dtype=np.int64), np.array(counts, dtype=float))
            for token, (rows, counts) in postings.items()
        },
        numbers=numbers,
        quantities=quantities,
        text="\n".join(texts),
        starts=np.array(starts, dtype=np.int64),
        title=tuple(tokenize(page.title)),
        summary=tuple(tokenize(f"{page.title} {page.title} {page.description} {lead}")),
    )


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


def name_patterns(names: Sequence[str]) -> list[re.Pattern]:
    """One pattern per entity (see entity_groups), matching any of its names, their known
    aliases and, for people, the surname alone."""
    patterns = []
    for group in entity_groups(names):
        words: set[str] = set()
        acronyms: set[str] = set()
        for name in group:
            more_words, more_acronyms = _variants(name)
            words |= more_words
            acronyms |= more_acronyms
        alternatives = []
        if words:
            listed = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
            alternatives.append(rf"(?<![^\W_])(?i:{listed})")
        if acronyms:
            listed = "|".join(re.escape(a) for a in sorted(acronyms, key=len, reverse=True))
            alternatives.append(rf"(?<![^\W_])(?:{listed})(?![^\W_])")
        if alternatives:
            patterns.append(re.compile("|".join(alternatives)))
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


# BM25 as Lucene (and bm25s, its default) computes it: idf = ln(1 + (N - df + .5) / (df + .5)),
# term weight tf / (tf + K1 * (1 - B + B * length / average length)).
BM25_K1 = 1.5
BM25_B = 0.75


@dataclass
class _Scored:
    """Every candidate sentence with its score components (arrays aligned with rows)."""

    rows: list[tuple[str, int, str, str]]  # page title, index, heading, sentence
    components: dict[str, np.ndarray]
    prior: np.ndarray  # the page prior of each row's page
    total: np.ndarray


@dataclass(frozen=True)
class _Pool:
    """The rankable sentences of several pages, each sentence once: (page, row) pairs in page
    order, and for each page the pool position of its rows (-1 for a sentence copied from an
    earlier page)."""

    pages: list[tuple[PageSnapshot, _PageIndex]]
    page_of: np.ndarray  # pool row -> page number
    row_of: np.ndarray  # pool row -> the page's row
    position: list[np.ndarray]  # per page: its row -> pool row, or -1
    lengths: np.ndarray


def _pool(pages: Sequence[PageSnapshot]) -> _Pool:
    unique: dict[str, PageSnapshot] = {}
    for page in pages:
        unique.setdefault(page.title, page)
    indexed = [(page, _page_index(page)) for page in unique.values()]
    seen: set[str] = set()
    page_of, row_of, positions, lengths = [], [], [], []
    for number, (_, index) in enumerate(indexed):
        position = np.full(len(index.rankable), -1, dtype=np.int64)
        for row, sentence_at in enumerate(index.rankable):
            sentence = index.sentences[sentence_at][2]
            if sentence in seen:
                continue  # text copied between pages counts once, on the first page
            seen.add(sentence)
            position[row] = len(page_of)
            page_of.append(number)
            row_of.append(row)
            lengths.append(index.lengths[row])
        positions.append(position)
    return _Pool(
        pages=indexed,
        page_of=np.array(page_of, dtype=np.int64),
        row_of=np.array(row_of, dtype=np.int64),
        position=positions,
        lengths=np.array(lengths, dtype=float),
    )


def _bm25(pool: _Pool, query_tokens: Sequence[str]) -> np.ndarray:
    """BM25 of every pool sentence for the query tokens, the pool being the collection."""
    scores = np.zeros(len(pool.page_of))
    if not len(scores):
        return scores
    norm = BM25_K1 * (1 - BM25_B + BM25_B * pool.lengths / pool.lengths.mean())
    for token, times in Counter(query_tokens).items():
        rows, counts = [], []
        for (_, index), position in zip(pool.pages, pool.position, strict=True):
            posting = index.postings.get(token)
            if posting is None:
                continue
            at = position[posting[0]]
            kept = at >= 0
            rows.append(at[kept])
            counts.append(posting[1][kept])
        if not rows:
            continue
        at, tf = np.concatenate(rows), np.concatenate(counts)
        if not len(at):
            continue
        idf = math.log(1 + (len(scores) - len(at) + 0.5) / (len(at) + 0.5))
        scores[at] += times * idf * tf / (tf + norm[at])
    return scores


def _bm25_documents(documents: Sequence[Sequence[str]], query_tokens: Sequence[str]) -> np.ndarray:
    """BM25 of a few whole documents (page titles, summaries), the same formula as _bm25."""
    lengths = np.array([len(d) for d in documents], dtype=float)
    scores = np.zeros(len(documents))
    if not len(documents) or not lengths.sum():
        return scores
    norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths / lengths.mean())
    counts = [Counter(d) for d in documents]
    for token, times in Counter(query_tokens).items():
        tf = np.array([c.get(token, 0) for c in counts], dtype=float)
        df = int((tf > 0).sum())
        if df:
            idf = math.log(1 + (len(documents) - df + 0.5) / (df + 0.5))
            scores += times * idf * tf / (tf + norm)
    return scores


def _page_prior(query: ClaimQuery, query_tokens: Sequence[str], pool: _Pool) -> np.ndarray:
    """How much each page is about what the claim and its article are about: BM25 of the
    headline's words over the pages' titles, and of the claim's words over their titles,
    descriptions and leads, each normalised to the best page of the pool (0..1), the pool
    being the collection. Rare words weigh most: in a pool of Syrian civil war pages,
    "Russia" in the headline picks out the pages about Russia's part, "Syria" barely counts.
    The title alone answers the headline, because a long lead mentions everything once."""

    def words(tokens: Sequence[str]) -> list[str]:
        return list(dict.fromkeys(t for t in tokens if not t[0].isdigit()))

    def normalised(scores: np.ndarray) -> np.ndarray:
        return scores / scores.max() if scores.max() > 0 else scores

    headline = _bm25_documents(
        [index.title for _, index in pool.pages], words(tokenize(query.context))
    )
    claim = _bm25_documents([index.summary for _, index in pool.pages], words(query_tokens))
    return HEADLINE_WEIGHT * normalised(headline) + SUMMARY_WEIGHT * normalised(claim)


def _score(query: ClaimQuery, pages: Sequence[PageSnapshot]) -> _Scored | None:
    pool = _pool(pages)
    size = len(pool.page_of)
    if not size:
        return None

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

    components = {
        name: np.zeros(size) for name in ("bm25", "entity", "number", "quantity", "title")
    }
    if query_tokens:
        bm25 = _bm25(pool, query_tokens)
        components["bm25"] = bm25 / bm25.max() if bm25.max() > 0 else bm25

    hits = np.zeros(size)
    for (_, index), position in zip(pool.pages, pool.position, strict=True):
        for pattern in patterns:
            at = position[index.rows_naming(pattern)]
            hits[at[at >= 0]] += 1
    if patterns:
        components["entity"] = hits / len(patterns)

    for (_, index), position in zip(pool.pages, pool.position, strict=True):
        for row, found in index.numbers.items():
            at = position[row]
            if at < 0:
                continue
            if claim_numbers:
                matched = sum(
                    1 for wanted in claim_numbers if any(_numbers_close(wanted, v) for v in found)
                )
                components["number"][at] = matched / len(claim_numbers)
            # A figure for the same kind of thing is what a reviewer compares the claim with;
            # it counts in full when the sentence is also about the claim's entities.
            closeness = _quantity_closeness(claim_quantities, index.quantities[row])
            components["quantity"][at] = closeness if hits[at] else closeness / 2

    name_keys = {fold(_clean_name(n)) for n in names}
    title_page = np.array(
        [
            fold(page.title) in name_keys
            or any(pattern.fullmatch(fold(page.title)) for pattern in patterns)
            for page, _ in pool.pages
        ],
        dtype=float,
    )
    components["title"] = title_page[pool.page_of]

    prior = _page_prior(query, query_tokens, pool)[pool.page_of]
    total = sum(_WEIGHTS[name] * values for name, values in components.items()) + prior
    rows = []
    for number, row in zip(pool.page_of, pool.row_of, strict=True):
        page, index = pool.pages[number]
        sentence_index, heading, sentence = index.sentences[index.rankable[row]]
        rows.append((page.title, sentence_index, heading, sentence))
    return _Scored(rows=rows, components=components, prior=prior, total=total)


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
        title, index, heading, sentence = scored.rows[row]
        if taken.get(title, 0) >= per_page:
            continue
        taken[title] = taken.get(title, 0) + 1
        methods = [_METHOD_NAMES[name] for name in components if components[name][row] > 0]
        results.append(
            RankedSentence(
                page_title=title,
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
