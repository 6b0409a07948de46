"""Check-worthiness of sentences: not a factual claim / factual but unimportant / check-worthy.

Pure: no Django, no ORM, no spaCy, no network. The shipped model is a small transformer
encoder (all-MiniLM-L6-v2, six layers, fine-tuned on ClaimBuster) with a three-way
classification head, exported to ONNX with int8 weights and run by onnxruntime:

* ``model/checkworthiness.json``: classes, threshold, priority cut, chrome penalty, figures,
  and the name and SHA-256 of the encoder file;
* ``model/checkworthiness.onnx``: the encoder and head (mean-pooled, then linear);
* ``model/vocab.txt``: BERT's uncased WordPiece vocabulary, read by ``wordpiece.py``.

No pickle, nothing fetched at run time, and serving needs onnxruntime and numpy only. The
hand-written cues below (quantity, attribution, date, named entity, ...) do not feed the
encoder: they are what we show people as the *reasons* for a judgement, and what the decision
step reads. The page-chrome rules do change the score (a fixed penalty), because debate
transcripts have no page furniture to learn from. Training is ``training.py`` (evaluation) and
``finetune.py`` (the encoder, needs PyTorch; not a run-time dependency).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from factcheck.extraction.wordpiece import WordPiece

MODEL_PATH = Path(__file__).resolve().parent / "model" / "checkworthiness.json"


LABELS: tuple[str, ...] = ("not_factual", "unimportant", "check_worthy")


@dataclass(frozen=True)
class Judgement:
    probability: float  # P(check_worthy), 0..1
    label: str  # "not_factual" | "unimportant" | "check_worthy"
    reasons: tuple[str, ...]  # human-readable names of the cues that fired


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

MODEL_FORMAT = "factcheck-checkworthiness/2"
# One sentence per run. The encoder's int8 matrix products quantise their inputs with one
# scale per run, so in a batch a sentence's score would depend on its batch-mates (by up to
# 0.13 in P); alone, a sentence always gets the same score. It costs about a third more time.
BATCH_SIZE = 1


@dataclass(frozen=True)
class Model:
    """The check-worthiness model as loaded from ``model/``: the encoder plus its settings."""

    classes: tuple[str, ...]
    threshold: float  # label check_worthy at or above this P(check_worthy)
    priority_high: float  # P(check_worthy) at or above which a claim is high priority
    chrome_penalty: float  # subtracted from the check-worthy logit when a chrome rule fires
    max_length: int  # word pieces per sentence, [CLS] and [SEP] included, as in training
    meta: dict
    session: Any  # onnxruntime.InferenceSession
    tokenizer: WordPiece

    def logits(self, sentences: Sequence[str]) -> np.ndarray:
        """The encoder's class logits, one row per sentence (no rules applied)."""
        out = np.zeros((len(sentences), len(self.classes)), dtype=np.float64)
        encoded = [self.tokenizer.encode(s, self.max_length) for s in sentences]
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
        for first in range(0, len(order), BATCH_SIZE):
            rows = order[first : first + BATCH_SIZE]
            width = max(len(encoded[i]) for i in rows)
            ids = np.full((len(rows), width), self.tokenizer.pad, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                ids[r, : len(encoded[i])] = encoded[i]
                mask[r, : len(encoded[i])] = 1
            (logits,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
            out[rows] = logits
        return out

    def probabilities(self, sentences: Sequence[str], rules: bool = True) -> np.ndarray:
        """Class probabilities, one row per sentence, columns in ``self.classes`` order.

        ``rules=False`` leaves out the page-chrome penalty: the learned model alone.
        """
        chrome = [chrome_cues(s) for s in sentences] if rules else [()] * len(sentences)
        return self._probabilities(sentences, chrome)

    def _probabilities(self, sentences: Sequence[str], chrome: list[tuple[str, ...]]) -> np.ndarray:
        logits = self.logits(sentences)
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
        probs = self._probabilities(sentences, chrome if rules else [()] * len(chrome))
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


def file_digest(path: Path) -> str:
    """SHA-256 of a file, recorded in the JSON so it cannot be paired with another encoder."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_model(path: Path | str = MODEL_PATH) -> Model:
    """Read a model: the JSON settings file and the encoder and vocabulary it names.

    Use ``shipped_model()`` for the packaged one (cached).
    """
    # Imported here so that modules which only want the cues (decision.py) load without it.
    try:
        import onnxruntime
    except ImportError as error:
        raise RuntimeError(
            "The check-worthiness model runs on onnxruntime, which is not installed in this "
            "environment; add it to the project's dependencies (`uv add onnxruntime`)."
        ) from error

    path = Path(path)
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if data.get("format") != MODEL_FORMAT:
        raise ValueError(f"Unknown check-worthiness model format: {data.get('format')!r}")
    encoder = path.parent / data["encoder"]["file"]
    if file_digest(encoder) != data["encoder"]["sha256"]:
        raise ValueError(
            f"{encoder} is not the encoder {path.name} was written with; retrain with "
            "`manage.py train_checkworthiness` or restore both files together."
        )
    options = onnxruntime.SessionOptions()
    # One thread: the pipeline runs one worker process per core, and a second thread per
    # process would only fight the other worker for the same cores.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(
        str(encoder), options, providers=["CPUExecutionProvider"]
    )
    return Model(
        classes=tuple(data["classes"]),
        threshold=float(data["threshold"]),
        priority_high=float(data["priority"]["high"]),
        chrome_penalty=float(data["chrome_penalty"]),
        max_length=int(data["encoder"]["max_length"]),
        meta=data.get("meta", {}),
        session=session,
        tokenizer=WordPiece.from_file(path.parent / data["encoder"]["vocabulary"]),
    )


@lru_cache(maxsize=1)
def shipped_model() -> Model:
    """The packaged model, loaded once per process."""
    return load_model(MODEL_PATH)


def judge_sentences(sentences: Sequence[str]) -> list[Judgement]:
    """Judge each sentence's check-worthiness, in the order given.

    ``probability`` is the model's P(check_worthy); ``label`` is ``check_worthy`` when that
    reaches the shipped threshold, otherwise the likelier of ``not_factual`` and
    ``unimportant``. ``reasons`` names the hand-written cues that fired ("quantity",
    "attribution", "named entity", ...), whichever way they pushed the score: the encoder
    does not use them, they are there to explain a score to a reviewer. The model is read from
    the package on first use and kept for the life of the process.
    """
    return shipped_model().judge(list(sentences))
