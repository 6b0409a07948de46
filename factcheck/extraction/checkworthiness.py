"""Check-worthiness of sentences: not a factual claim / factual but unimportant / check-worthy.

Pure: no Django, no ORM, no spaCy, no network. The shipped model is a linear (multinomial
logistic-regression) model over three blocks of features, stored as plain JSON in
``model/checkworthiness.json``:

* word unigrams and bigrams (TF-IDF),
* character n-grams within word boundaries (TF-IDF), which carry morphology and survive the
  move from debate transcripts to news copy better than whole words,
* a small set of hand-written cues (quantity, attribution, date, named entity, ...), which are
  also what we show people as the *reasons* for a judgement.

Everything needed to score a sentence (vocabulary, idf, coefficients, threshold) is in that
file, so there is no pickle, no sklearn-version skew and nothing to fetch at run time. The
training code that writes the file is ``factcheck/extraction/training.py``; it uses the same
analyzers and cue functions as this module, so training and serving cannot drift apart.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse

MODEL_PATH = Path(__file__).resolve().parent / "model" / "checkworthiness.json"

LABELS: tuple[str, ...] = ("not_factual", "unimportant", "check_worthy")


@dataclass(frozen=True)
class Judgement:
    probability: float  # P(check_worthy), 0..1
    label: str  # "not_factual" | "unimportant" | "check_worthy"
    reasons: tuple[str, ...]  # human-readable names of the cues that fired


# --- Text analyzers (shared with training) -------------------------------------------------

_DIGIT = re.compile(r"\d")
_WHITESPACE = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0]+(?:['’][a-z]+)?|[?%$£€]")
# Curly quotes and apostrophes are folded to straight ones: news copy uses them, the debate
# transcripts we train on do not, and the model should not treat them as different words.
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": "-", "–": "-"})


def normalise(text: str) -> str:
    """Lower-case, fold quotes and map every digit to 0 (numbers matter, their values do not)."""
    return _DIGIT.sub("0", text.translate(_QUOTES).lower())


def word_ngrams(text: str) -> list[str]:
    """Word unigrams and bigrams of the normalised sentence."""
    tokens = _WORD.findall(normalise(text))
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


CHAR_NGRAM_RANGE = (2, 5)


def char_ngrams(text: str) -> list[str]:
    """Character n-grams inside padded words, as sklearn's ``char_wb`` analyzer makes them."""
    low, high = CHAR_NGRAM_RANGE
    grams: list[str] = []
    for word in _WHITESPACE.sub(" ", normalise(text)).split():
        padded = f" {word} "
        for n in range(low, high + 1):
            if len(padded) < n:
                break
            grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


ANALYZERS: dict[str, Callable[[str], list[str]]] = {"word": word_ngrams, "char": char_ngrams}


# --- Hand-written cues (the reasons) -------------------------------------------------------


def _words(*alternatives: str) -> str:
    return r"\b(?:" + "|".join(alternatives) + r")\b"


# fmt: off
# Word lists read better packed than one per line.
_NUMBER_WORDS = _words(
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    "hundreds?", "thousands?", "millions?", "billions?", "trillions?", "dozens?", "scores of",
    "percent", "per cent", "half", "twice", "a third", "a quarter", "double", "triple",
)
_YEAR = r"\b(?:1[6-9]\d\d|20\d\d)s?\b"
_MONTHS = _words(
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sept?",
    "Oct", "Nov", "Dec",
)

CUE_PATTERNS: dict[str, re.Pattern[str]] = {
    # Any digit that is not just a year, a number word, a currency sign or a percentage.
    "quantity": re.compile(
        r"(?:[$£€]\s?\d|\d[\d,.]*\s?%|(?<![\d/])(?!(?:1[6-9]|20)\d\d\b)\d[\d,.]*(?!\d)"
        r"(?!\s?(?:am|pm|AM|PM)\b)|" + _NUMBER_WORDS + ")",
        re.IGNORECASE,
    ),
    "date": re.compile(
        _YEAR + "|" + _MONTHS + r"(?=\s+\d|\s+\d{4}|,?\s)|"
        + _words(
            "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
            "yesterday", "last (?:week|month|year|decade)", "this (?:week|month|year)",
            "earlier this (?:week|month|year)", r"\w+ (?:years|months|weeks|days) ago",
            "in the (?:19|20)\\d0s", "decades?", "century",
        )
    ),
    "attribution": re.compile(
        _words(
            "said", "says", "told", "tells", "according to", "announced", "announces",
            "announcement", "reported", "reports", "reportedly", "claimed", "claims", "claiming",
            "stated", "statement", "confirmed", "denied", "accused", "warned", "estimated",
            "estimates", "revealed", "testified", "declared", "explained", "insisted",
            "acknowledged", "admitted", "wrote", "added", "noted", "quoted", "cited", "sources?",
            "called on", "called for", "urged", "demanded", "alleged", "asserted", "argued",
            "pledged", "vowed", "threatened", "repeated", "maintains", "in a statement",
        ),
        re.IGNORECASE,
    ),
    "comparison": re.compile(
        _words(
            "more than", "less than", "fewer than", "greater than", "higher than", "lower than",
            "larger than", "smaller than", "bigger than", "than ever", "most", "least", "highest",
            "lowest", "largest", "smallest", "biggest", "fastest", "increased?", "increases",
            "decreased?", "decreases", "doubled", "tripled", "rose", "risen", "fell", "fallen",
            "grew", "grown", "declined?", "dropped", "up from", "down from", "record",
            "as many as", "as much as", "at least", "at most",
        ),
        re.IGNORECASE,
    ),
    "opinion wording": re.compile(
        _words(
            "think", "believe", "feel", "should", "must", "ought", "need to", "have to",
            "has to", "got to", "hope", "wish", "want", "best", "worst", "good", "bad", "great",
            "wrong", "right", "important", "deserves?", "fair", "unfair", "obviously", "clearly",
            "of course", "frankly", "honestly", "in my view", "i mean", "let me", "agree",
            "disagree", "favor", "favour", "support",
        ),
        re.IGNORECASE,
    ),
    "emotive wording": re.compile(
        _words(
            "ruthless", "fearsome", "feared", "merciless", "lunatic", "ludicrous(?:ly)?",
            "foolish", "dirty", "bloody", "brutal", "outrageous", "disgrace(?:ful)?", "shameful",
            "horrific", "horrible", "terrible", "awful", "evil", "righteous", "atrocit(?:y|ies)",
            "frantic", "bull(?:y|ies)", "lies?", "lied", "liars?", "tyranny", "catastroph\\w*",
            "disaster\\w*", "hatred", "savage", "barbaric", "heroic", "ridiculous", "absurd",
            "stupid", "incredible", "tremendous", "amazing", "fantastic", "disastrous",
            "shocking", "scandal\\w*", "crisis", "nightmare", "slaughter\\w*",
        ),
        re.IGNORECASE,
    ),
    "hedge": re.compile(
        _words(
            "maybe", "perhaps", "might", "could", "possibly", "probably", "likely", "unlikely",
            "appears?", "seems?", "apparently", "allegedly", "suggests?", "i guess", "i suppose",
            "kind of", "sort of",
        ),
        re.IGNORECASE,
    ),
    # Case-sensitive on purpose: "US" is the country, "us" the first person.
    "first person": re.compile(
        r"\b(?:I|I'm|I've|I'll|I'd|[Mm]e|[Mm]y|[Mm]ine|[Mm]yself|[Ww]e|[Ww]e're|[Ww]e've|"
        r"[Ww]e'll|[Uu]s|[Oo]ur|[Oo]urs|[Oo]urselves)\b"
    ),
    "second person": re.compile(r"\b(?:you|your|yours|yourself|you're|you've)\b", re.IGNORECASE),
    "question": re.compile(r"\?"),
    "prediction": re.compile(
        _words(
            "will", "won't", "'ll", "going to", "gonna", "shall", "plans? to", "planning to",
            "expected to", "expects? to", "forecasts?", "predicts?", "predicted", "projected",
            "intends? to", "would",
        ),
        re.IGNORECASE,
    ),
    "negation": re.compile(r"\b(?:not|no|never|none|nobody|nothing|n't)\b|n't\b", re.IGNORECASE),
}
# fmt: on

# Capitalised words that are capitalised for reasons other than naming something.
_NOT_NAMES = frozenset(
    "I I'm I've I'll I'd Mr Mrs Ms Dr And But So Well Now Yes No Oh Let Thank Thanks".split()
)
_CAPITALISED = re.compile(r"\b[A-Z][\w'’.-]*")


def has_named_entity(text: str) -> bool:
    """A capitalised word that is not the sentence's first word nor a capitalised stop-word.

    A cheap stand-in for NER: good enough as a cue and as a reason, and it needs no spaCy.
    """
    for match in _CAPITALISED.finditer(text):
        word = match.group().rstrip(".'’")
        if word in _NOT_NAMES:
            continue
        if match.start() == 0 or not text[: match.start()].strip(" \"'“‘([*#-"):
            # The first word is capitalised anyway, unless it is an acronym (NATO, ISIS).
            if not (len(word) > 1 and word.isupper()):
                continue
        return True
    return False


def word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))


def cues(text: str) -> dict[str, bool]:
    """Which hand-written cues fire on a sentence, by human-readable name."""
    fired = {name: bool(pattern.search(text)) for name, pattern in CUE_PATTERNS.items()}
    fired["named entity"] = has_named_entity(text)
    fired["short fragment"] = word_count(text) < 5
    fired["long sentence"] = word_count(text) > 30
    return fired


CUE_NAMES: tuple[str, ...] = (*CUE_PATTERNS, "named entity", "short fragment", "long sentence")

# Cues that describe the sentence's shape rather than its content: they feed the model but are
# not worth showing a reviewer as a reason.
_SILENT_CUES = frozenset({"negation", "long sentence"})


def cue_matrix(sentences: Sequence[str]) -> np.ndarray:
    """Binary matrix, one row per sentence and one column per name in CUE_NAMES."""
    rows = [cues(s) for s in sentences]
    return np.array([[row[name] for name in CUE_NAMES] for row in rows], dtype=np.float64)


# --- Page chrome (hand-set rules, not learned) ---------------------------------------------
#
# The training sentences are debate transcripts, which have no page furniture, so no learned
# weight can push down a donation widget ("2,500 $"), a photo credit or a "Support us" button.
# These rules do, by a fixed penalty on the check-worthy logit (CHROME_PENALTY in the model
# file). They were written while looking at the seed articles, so the seed check is not an
# independent test of them; they fire on almost no ClaimBuster sentence (the training report
# counts them), so they barely touch the validation figures.

CHROME_PATTERNS: dict[str, re.Pattern[str]] = {
    "page chrome: link or e-mail": re.compile(
        r"https?://|\bwww\.|\b[\w.+-]+@[\w-]+\.[a-z]{2,}\b", re.IGNORECASE
    ),
    "page chrome: credit or legal notice": re.compile(
        r"©|\bcopyright(?:ed)?\b|all rights reserved|\b(?:photo|image|picture|video)\s*(?:credit)?:"
        r"|\bdisclaimer\b|\bterms of (?:use|service)\b|\bprivacy policy\b|\bcookies?\b",
        re.IGNORECASE,
    ),
    # Imperatives that open a short line, and the vocabulary of sharing and comment widgets.
    "page chrome: call to action": re.compile(
        r"^\W*(?:support|subscribe|donate|follow|share|sign up|log ?in|register|become a member|"
        r"join|click|read more|view all|notify|leave a comment|comment on|like us|download)\b|"
        r"\bplease (?:comment|share|subscribe|donate|support)\b|\byour thoughts\b|"
        r"\bnewsletter\b|\binline feedbacks?\b|\bmost voted\b",
        re.IGNORECASE,
    ),
    "page chrome: schedule": re.compile(
        r"\bon (?:Mondays|Tuesdays|Wednesdays|Thursdays|Fridays|Saturdays|Sundays|weekdays)\b|"
        r"\b(?:airs|broadcasts|is broadcast|streams) (?:live|daily|weekly|every|three|two|twice)\b",
    ),
}


def chrome_cues(text: str) -> tuple[str, ...]:
    """Names of the page-chrome rules that fire, plus "no words" for bare numbers and symbols."""
    fired = tuple(name for name, pattern in CHROME_PATTERNS.items() if pattern.search(text))
    if len(re.findall(r"[A-Za-z]{2,}", text)) < 2 and re.search(r"\d|[$£€%©]", text):
        fired += ("page chrome: number without words",)
    return fired


# --- The shipped model ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Block:
    """One TF-IDF block: term -> column, idf per column, coefficients per column and class."""

    analyzer: Callable[[str], list[str]]
    index: dict[str, int]
    idf: np.ndarray
    coef: np.ndarray  # (n_terms, n_classes)
    sublinear_tf: bool

    def logits(self, sentences: Sequence[str]) -> np.ndarray:
        """This block's contribution to each class logit, one row per sentence.

        The same arithmetic as sklearn's TfidfVectorizer (smooth idf, l2 norm), done as one
        sparse product so a batch costs little more than tokenising it.
        """
        lookup = self.index.get
        indptr, indices, counts = [0], [], []
        for sentence in sentences:
            for term, count in Counter(self.analyzer(sentence)).items():
                column = lookup(term)
                if column is not None:
                    indices.append(column)
                    counts.append(count)
            indptr.append(len(indices))
        tf = np.asarray(counts, dtype=np.float64)
        if self.sublinear_tf:
            tf = 1.0 + np.log(tf)
        columns = np.asarray(indices, dtype=np.int64)
        weights = tf * self.idf[columns]
        x = sparse.csr_matrix(
            (weights, columns, np.asarray(indptr)), shape=(len(sentences), len(self.idf))
        )
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0  # a sentence with no known term contributes nothing
        return np.asarray(sparse.diags(1.0 / norms) @ x @ self.coef)


@dataclass(frozen=True)
class Model:
    """The check-worthiness model as loaded from JSON."""

    classes: tuple[str, ...]
    blocks: tuple[_Block, ...]
    cue_coef: np.ndarray  # (len(CUE_NAMES), n_classes)
    cue_scale: float
    intercept: np.ndarray  # (n_classes,)
    threshold: float
    chrome_penalty: float  # subtracted from the check-worthy logit when a chrome rule fires
    meta: dict

    def probabilities(self, sentences: Sequence[str], rules: bool = True) -> np.ndarray:
        """Class probabilities, one row per sentence, columns in ``self.classes`` order.

        ``rules=False`` leaves out the page-chrome penalty: the learned model alone.
        """
        fired = [cues(s) for s in sentences]
        chrome = [chrome_cues(s) for s in sentences] if rules else [()] * len(sentences)
        return self._probabilities(sentences, fired, chrome)

    def _probabilities(
        self,
        sentences: Sequence[str],
        fired: list[dict[str, bool]],
        chrome: list[tuple[str, ...]],
    ) -> np.ndarray:
        logits = np.tile(self.intercept, (len(sentences), 1))
        for block in self.blocks:
            logits += block.logits(sentences)
        cue_rows = np.array([[row[n] for n in CUE_NAMES] for row in fired], dtype=np.float64)
        logits += (cue_rows * self.cue_scale) @ self.cue_coef
        is_chrome = np.array([bool(c) for c in chrome], dtype=bool)
        logits[is_chrome, self.classes.index("check_worthy")] -= self.chrome_penalty
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def judge(self, sentences: Sequence[str], rules: bool = True) -> list[Judgement]:
        """Judgements in input order; ``rules=False`` as in ``probabilities``."""
        if not sentences:
            return []
        fired = [cues(s) for s in sentences]
        chrome = [chrome_cues(s) for s in sentences]
        probs = self._probabilities(sentences, fired, chrome if rules else [()] * len(chrome))
        cw = self.classes.index("check_worthy")
        others = [i for i in range(len(self.classes)) if i != cw]
        judgements = []
        for row, cue_row, chrome_row in zip(probs, fired, chrome, strict=True):
            p = float(row[cw])
            if p >= self.threshold:
                label = "check_worthy"
            else:
                label = self.classes[max(others, key=lambda i: row[i])]
            judgements.append(
                Judgement(probability=p, label=label, reasons=_reasons(cue_row, chrome_row))
            )
        return judgements


def _reasons(fired: dict[str, bool], chrome: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(n for n in CUE_NAMES if fired[n] and n not in _SILENT_CUES) + chrome


def reasons(sentence: str) -> tuple[str, ...]:
    """The human-readable cues that fired on a sentence, in a fixed order, then chrome rules."""
    return _reasons(cues(sentence), chrome_cues(sentence))


def model_from_dict(data: dict) -> Model:
    """Build a Model from the JSON document written by training.export_model."""
    if data.get("format") != "factcheck-checkworthiness/1":
        raise ValueError(f"Unknown check-worthiness model format: {data.get('format')!r}")
    if tuple(data["cues"]["names"]) != CUE_NAMES:
        raise ValueError(
            "The model was trained with a different set of cues than this code defines; "
            "retrain it with `manage.py train_checkworthiness`."
        )
    blocks = []
    for name in ("word", "char"):
        block = data["blocks"][name]
        blocks.append(
            _Block(
                analyzer=ANALYZERS[name],
                index={term: i for i, term in enumerate(block["terms"])},
                idf=np.asarray(block["idf"], dtype=np.float64),
                coef=np.asarray(block["coef"], dtype=np.float64),
                sublinear_tf=bool(block["sublinear_tf"]),
            )
        )
    return Model(
        classes=tuple(data["classes"]),
        blocks=tuple(blocks),
        cue_coef=np.asarray(data["cues"]["coef"], dtype=np.float64),
        cue_scale=float(data["cues"]["scale"]),
        intercept=np.asarray(data["intercept"], dtype=np.float64),
        threshold=float(data["threshold"]),
        chrome_penalty=float(data["chrome_penalty"]),
        meta=data.get("meta", {}),
    )


def load_model(path: Path | str = MODEL_PATH) -> Model:
    """Read a model file. Use ``shipped_model()`` for the packaged one (cached)."""
    with open(path, encoding="utf-8") as f:
        return model_from_dict(json.load(f))


@lru_cache(maxsize=1)
def shipped_model() -> Model:
    """The packaged model, loaded once per process."""
    return load_model(MODEL_PATH)


def judge_sentences(sentences: Sequence[str]) -> list[Judgement]:
    """Judge each sentence's check-worthiness, in the order given.

    ``probability`` is the model's P(check_worthy); ``label`` is ``check_worthy`` when that
    reaches the shipped threshold (tuned for F1 on training data), otherwise the likelier of
    ``not_factual`` and ``unimportant``. ``reasons`` names the hand-written cues that fired
    ("quantity", "attribution", "named entity", ...), whichever way they pushed the score.
    The model is read from the package on first use and kept for the life of the process.
    """
    return shipped_model().judge(list(sentences))
