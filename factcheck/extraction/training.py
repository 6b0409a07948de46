"""Train, evaluate and export the check-worthiness model (see checkworthiness.py).

Pure: no Django, no ORM. ``manage.py train_checkworthiness`` is the interface; this module does
the work so tests can call it directly.

The protocol, fixed so the figures in model/MODEL_CARD.md reproduce exactly:

1. Read ClaimBuster (drop exact duplicate sentences, keeping the first, so no sentence can sit
   on both sides of the split).
2. Hold out 20% as the validation split (stratified on the three labels, fixed seed). Nothing
   below ever fits or tunes on it; it is only scored, once, at the end.
3. On the remaining 80% (the training part), 5-fold stratified cross-validation gives
   out-of-fold P(check_worthy) for every training sentence; the decision threshold is the one
   that maximises check-worthy F1 on those out-of-fold scores.
4. Fit the model on the whole training part, export it to JSON, reload it through the
   serving code, and score the validation split with what was reloaded (so the figures are
   those of the shipped file, rounding included).
5. In the same run, fit the baseline (word TF-IDF + logistic regression, scikit-learn
   defaults, binary check-worthy vs rest, default 0.5 threshold) on the same training part and
   score it on the same validation split.
6. Check the seed articles: every priority-1 gold claim should outscore every piece of page
   chrome.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from factcheck.extraction import checkworthiness as cw

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT.parent / "shared"
CLAIMBUSTER_PATH = SHARED / "datasets" / "claimbuster" / "train.jsonl"
GOLD_PATH = SHARED / "gold" / "seed_claims.json"
SEEDS_DIR = SHARED / "seeds"

SEED = 20200607  # ICWSM 2020 opened on 8 June; any fixed number would do.
VALIDATION_SIZE = 0.2
CV_FOLDS = 5
CLAIMBUSTER_LABELS = {-1: "not_factual", 0: "unimportant", 1: "check_worthy"}
POSITIVE = "check_worthy"
MODEL_FORMAT = "factcheck-checkworthiness/1"
# Large enough that a chrome sentence falls below any ordinary sentence (logit -8 turns 0.98
# into 0.02), small enough that the ranking among chrome sentences survives. Hand-set.
CHROME_PENALTY = 8.0


@dataclass(frozen=True)
class Config:
    """Model hyper-parameters. Chosen by cross-validation on the training part only."""

    word_min_df: int = 2
    char_min_df: int = 3
    char_max_features: int = 40_000
    cue_scale: float = 1.0
    C: float = 4.0
    class_weight: str | None = None


CONFIG = Config()


# --- Data ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    texts: list[str]
    labels: list[str]


def load_claimbuster(path: Path = CLAIMBUSTER_PATH) -> Dataset:
    """ClaimBuster sentences with our label names; exact duplicate sentences dropped."""
    texts: list[str] = []
    labels: list[str] = []
    seen: set[str] = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            text = row["text"].strip()
            if not text or text in seen:
                continue
            seen.add(text)
            texts.append(text)
            labels.append(CLAIMBUSTER_LABELS[int(row["label"])])
    return Dataset(texts, labels)


def holdout_split(data: Dataset, seed: int = SEED) -> tuple[Dataset, Dataset]:
    """(training part, validation split): stratified on the label, fixed seed."""
    train_idx, val_idx = train_test_split(
        np.arange(len(data.texts)),
        test_size=VALIDATION_SIZE,
        stratify=data.labels,
        random_state=seed,
    )
    pick = lambda idx: Dataset([data.texts[i] for i in idx], [data.labels[i] for i in idx])  # noqa: E731
    return pick(sorted(train_idx)), pick(sorted(val_idx))


# --- Fitting -------------------------------------------------------------------------------


@dataclass
class Fitted:
    word: TfidfVectorizer
    char: TfidfVectorizer
    lr: LogisticRegression
    config: Config

    def features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return _stack(self.word.transform(texts), self.char.transform(texts), texts, self.config)

    def p_positive(self, texts: Sequence[str]) -> np.ndarray:
        probs = self.lr.predict_proba(self.features(texts))
        return probs[:, list(self.lr.classes_).index(POSITIVE)]


def _stack(word, char, texts: Sequence[str], config: Config) -> sparse.csr_matrix:
    cue_block = sparse.csr_matrix(cw.cue_matrix(texts) * config.cue_scale)
    return sparse.hstack([word, char, cue_block], format="csr")


def fit(data: Dataset, config: Config = CONFIG) -> Fitted:
    """Fit vectorizers and the multinomial logistic regression on ``data``."""
    word = TfidfVectorizer(
        analyzer=cw.word_ngrams, min_df=config.word_min_df, sublinear_tf=True, dtype=np.float64
    )
    char = TfidfVectorizer(
        analyzer=cw.char_ngrams,
        min_df=config.char_min_df,
        max_features=config.char_max_features,
        sublinear_tf=True,
        dtype=np.float64,
    )
    x = _stack(word.fit_transform(data.texts), char.fit_transform(data.texts), data.texts, config)
    lr = LogisticRegression(C=config.C, class_weight=config.class_weight, max_iter=3000)
    lr.fit(x, data.labels)
    return Fitted(word, char, lr, config)


def out_of_fold_scores(data: Dataset, config: Config = CONFIG, seed: int = SEED) -> np.ndarray:
    """P(check_worthy) for every sentence of ``data``, each from a model that never saw it."""
    scores = np.zeros(len(data.texts))
    folds = StratifiedKFold(n_splits=CV_FOLDS, shuffle=True, random_state=seed)
    for train_idx, test_idx in folds.split(data.texts, data.labels):
        part = Dataset([data.texts[i] for i in train_idx], [data.labels[i] for i in train_idx])
        model = fit(part, config)
        scores[test_idx] = model.p_positive([data.texts[i] for i in test_idx])
    return scores


def best_f1_threshold(y_true: np.ndarray, scores: np.ndarray) -> float:
    """The score cut that maximises F1 of the positive class (midpoint between scores)."""
    order = np.argsort(-scores, kind="stable")
    sorted_scores = scores[order]
    tp = np.cumsum(y_true[order])
    predicted = np.arange(1, len(scores) + 1)
    f1 = 2 * tp / (predicted + y_true.sum())
    # Only cut between distinct scores, so the threshold is reproducible.
    valid = np.append(sorted_scores[:-1] > sorted_scores[1:], True)
    best = int(np.argmax(np.where(valid, f1, -1)))
    if best + 1 < len(sorted_scores):
        return float((sorted_scores[best] + sorted_scores[best + 1]) / 2)
    return float(sorted_scores[best])


def _sig(values: np.ndarray, digits: int = 6) -> list:
    """Round to ``digits`` significant figures so the JSON stays small and diffable."""
    return [float(f"{v:.{digits}g}") for v in np.asarray(values).ravel()]


def export_model(model: Fitted, threshold: float, meta: dict) -> dict:
    """The JSON document the serving code reads (checkworthiness.model_from_dict)."""
    classes = [str(c) for c in model.lr.classes_]
    coef = model.lr.coef_.T  # (n_features, n_classes)
    n_word = len(model.word.vocabulary_)
    n_char = len(model.char.vocabulary_)
    blocks = {}
    for name, vec, rows in (
        ("word", model.word, coef[:n_word]),
        ("char", model.char, coef[n_word : n_word + n_char]),
    ):
        terms = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
        blocks[name] = {
            "sublinear_tf": True,
            "terms": terms,
            "idf": _sig(vec.idf_),
            "coef": [_sig(row) for row in rows],
        }
    return {
        "format": MODEL_FORMAT,
        "classes": classes,
        "intercept": _sig(model.lr.intercept_),
        "threshold": float(f"{threshold:.6g}"),
        "chrome_penalty": CHROME_PENALTY,
        "blocks": blocks,
        "cues": {
            "names": list(cw.CUE_NAMES),
            "scale": model.config.cue_scale,
            "coef": [_sig(row) for row in coef[n_word + n_char :]],
        },
        "meta": meta,
    }


def write_model(document: dict, output_dir: Path) -> Path:
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / cw.MODEL_PATH.name
    with open(path, "w", encoding="utf-8") as f:
        # One term per line would be friendlier to diff, but compact separators keep it small.
        json.dump(document, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    return path


# --- Scoring -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scores:
    f1: float
    precision: float
    recall: float
    average_precision: float
    threshold: float

    def line(self, name: str) -> str:
        return (
            f"{name:<10} F1 {self.f1:.3f}  AP {self.average_precision:.3f}  "
            f"P {self.precision:.3f}  R {self.recall:.3f}  (threshold {self.threshold:.3f})"
        )


def score(y_true: np.ndarray, scores: np.ndarray, threshold: float) -> Scores:
    predicted = scores >= threshold
    return Scores(
        f1=float(f1_score(y_true, predicted, zero_division=0)),
        precision=float(precision_score(y_true, predicted, zero_division=0)),
        recall=float(recall_score(y_true, predicted, zero_division=0)),
        average_precision=float(average_precision_score(y_true, scores)),
        threshold=threshold,
    )


def positives(labels: Sequence[str]) -> np.ndarray:
    return np.array([label == POSITIVE for label in labels], dtype=int)


def baseline_scores(train: Dataset, val: Dataset) -> Scores:
    """Word TF-IDF + logistic regression, scikit-learn defaults, binary, threshold 0.5."""
    vec = TfidfVectorizer()
    lr = LogisticRegression(max_iter=1000)
    lr.fit(vec.fit_transform(train.texts), positives(train.labels))
    p = lr.predict_proba(vec.transform(val.texts))[:, 1]
    return score(positives(val.labels), p, 0.5)


def model_scores(model: cw.Model, val: Dataset) -> Scores:
    judgements = model.judge(val.texts)
    p = np.array([j.probability for j in judgements])
    return score(positives(val.labels), p, model.threshold)


# --- Seed check ----------------------------------------------------------------------------

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof gen col lt sgt capt adm gov sen rep st jr sr no vs etc inc co corp "
    "u.s u.k u.n jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’)\]*]*\s+(?=[\"'“‘(\[*]*[A-Z0-9])")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of sentences: a deliberately simple regex splitter.

    Lines are units (page chrome comes one item per line), except that a line starting in
    lower case continues the one before it (copy broken mid-sentence).
    """
    blocks: list[list[int]] = []
    for match in re.finditer(r"[^\n]+", text):
        line = match.group()
        if not line.strip():
            continue
        if blocks and line.lstrip()[:1].islower():
            blocks[-1][1] = match.end()
        else:
            blocks.append([match.start(), match.end()])
    spans = []
    for start, end in blocks:
        cursor = start
        for boundary in _BOUNDARY.finditer(text, start, end):
            before = text[cursor : boundary.start()].rstrip(".!?\"'”’)]*")
            last_word = before.split()[-1].lower() if before.split() else ""
            if last_word in _ABBREVIATIONS or re.fullmatch(r"[a-z]", last_word):
                continue
            spans.append((cursor, boundary.start()))
            cursor = boundary.end()
        spans.append((cursor, end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def sentence_around(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    """The sentence(s) overlapping text[start:end], joined into one string."""
    hit = [(s, e) for s, e in spans if s < end and start < e]
    return " ".join(text[s:e].strip() for s, e in hit)


@dataclass(frozen=True)
class SeedItem:
    article: str
    id: str
    group: str  # "p1", "p2", "chrome", "opinion"
    sentence: str
    probability: float
    label: str


@dataclass
class SeedReport:
    items: list[SeedItem] = field(default_factory=list)

    def group(self, name: str) -> list[SeedItem]:
        return [item for item in self.items if item.group == name]

    @property
    def min_p1(self) -> float:
        return min(i.probability for i in self.group("p1"))

    @property
    def max_chrome(self) -> float:
        return max(i.probability for i in self.group("chrome"))

    @property
    def p1_above_chrome(self) -> bool:
        return self.min_p1 > self.max_chrome

    @property
    def p1_check_worthy(self) -> int:
        return sum(i.label == POSITIVE for i in self.group("p1"))

    def lines(self) -> list[str]:
        p1, chrome = self.group("p1"), self.group("chrome")
        out = [
            f"seed check: min P1 score {self.min_p1:.3f} vs max chrome score "
            f"{self.max_chrome:.3f} -> every P1 above every chrome: "
            f"{'yes' if self.p1_above_chrome else 'NO'}",
            f"seed check: {self.p1_check_worthy}/{len(p1)} priority-1 claims labelled "
            f"check_worthy; {sum(i.label == POSITIVE for i in chrome)}/{len(chrome)} chrome "
            f"labelled check_worthy",
        ]
        for name in ("p2", "opinion"):
            items = self.group(name)
            if items:
                out.append(
                    f"seed check ({name}, for information): "
                    f"{sum(i.label == POSITIVE for i in items)}/{len(items)} labelled "
                    f"check_worthy, scores {min(i.probability for i in items):.3f}.."
                    f"{max(i.probability for i in items):.3f}"
                )
        for item in sorted(p1, key=lambda i: i.probability)[:3]:
            out.append(f"  lowest P1    {item.probability:.3f} {item.id}: {item.sentence[:90]}")
        for item in sorted(chrome, key=lambda i: -i.probability)[:3]:
            out.append(f"  highest chrome {item.probability:.3f} {item.id}: {item.sentence[:90]}")
        return out


def _is_chrome(not_claim: dict) -> bool:
    # The gold mixes page furniture (widgets, credits, boilerplate, bios, reader comments)
    # with opinion; only the furniture is expected to lose to every priority-1 claim.
    return "opinion" not in not_claim.get("why", "")


def _locate(text: str, name: str, anchor: str, start: int | None, end: int | None):
    """Where the gold anchor sits: its recorded offsets if they still match, else a search."""
    if start is not None and text[start:end] == anchor:
        return start, end
    found = text.find(anchor)
    if found < 0:
        raise ValueError(f"Anchor {anchor!r} not found in seed {name}.")
    return found, found + len(anchor)


def seed_check(
    judge: Callable[[Sequence[str]], list[cw.Judgement]],
    gold_path: Path = GOLD_PATH,
    seeds_dir: Path = SEEDS_DIR,
) -> SeedReport:
    """Judge the sentences holding each gold claim and not-claim of the seed articles."""
    with open(gold_path, encoding="utf-8") as f:
        gold = json.load(f)
    pending: list[tuple[str, str, str, str]] = []
    for name, article in gold["articles"].items():
        text = (seeds_dir / name).read_text(encoding="utf-8")
        spans = split_sentences(text)

        for claim in article["claims"]:
            s, e = _locate(text, name, claim["anchor"], claim.get("start"), claim.get("end"))
            group = "p1" if claim["priority"] == 1 else "p2"
            pending.append((name, claim["id"], group, sentence_around(text, spans, s, e)))
        for not_claim in article["not_claims"]:
            group = "chrome" if _is_chrome(not_claim) else "opinion"
            occurrences = not_claim.get("occurrences") or [[None, None]]
            for k, (s0, e0) in enumerate(occurrences):
                s, e = _locate(text, name, not_claim["anchor"], s0, e0)
                item_id = not_claim["id"] + (f"#{k + 1}" if len(occurrences) > 1 else "")
                pending.append((name, item_id, group, sentence_around(text, spans, s, e)))
    judgements = judge([p[3] for p in pending])
    return SeedReport(
        [
            SeedItem(a, i, g, s, j.probability, j.label)
            for (a, i, g, s), j in zip(pending, judgements, strict=True)
        ]
    )


# --- The whole run -------------------------------------------------------------------------


@dataclass
class Report:
    n_train: int
    n_validation: int
    model: Scores
    baseline: Scores
    seed: SeedReport
    chrome_rate: float
    seed_without_rules: SeedReport
    document: dict | None = None  # the exported model, when this run trained one

    @property
    def margin(self) -> float:
        return self.model.f1 - self.baseline.f1

    def lines(self) -> list[str]:
        return [
            f"data: ClaimBuster, {self.n_train} training / {self.n_validation} validation "
            f"sentences (stratified, seed {SEED}); positive class = check_worthy",
            self.model.line("model"),
            self.baseline.line("baseline"),
            f"margin    F1 {self.margin:+.3f}  AP "
            f"{self.model.average_precision - self.baseline.average_precision:+.3f}",
            f"page-chrome rules fire on {self.chrome_rate:.2%} of ClaimBuster sentences",
            *self.seed.lines(),
            f"seed check without the chrome rules (learned model alone): min P1 "
            f"{self.seed_without_rules.min_p1:.3f} vs max chrome "
            f"{self.seed_without_rules.max_chrome:.3f}; "
            f"{self.seed_without_rules.p1_check_worthy}/{len(self.seed.group('p1'))} P1 "
            f"labelled check_worthy",
        ]


def train_and_evaluate(
    data_path: Path = CLAIMBUSTER_PATH,
    config: Config = CONFIG,
    log: Callable[[str], None] = lambda _: None,
) -> Report:
    """The full protocol in the module docstring; returns figures and the exported model."""
    train, val = holdout_split(load_claimbuster(data_path))
    log(f"cross-validating on {len(train.texts)} training sentences ...")
    oof = out_of_fold_scores(train, config)
    threshold = best_f1_threshold(positives(train.labels), oof)
    oof_scores = score(positives(train.labels), oof, threshold)
    log(
        f"out-of-fold on training part: F1 {oof_scores.f1:.3f} AP "
        f"{oof_scores.average_precision:.3f} at threshold {threshold:.3f}"
    )
    log("fitting the final model on the whole training part ...")
    fitted = fit(train, config)
    meta = {
        "trained_on": "ClaimBuster (Arslan et al., ICWSM 2020), utaresearch/claimbuster-spotter "
        "data/deprecated/data_small.json @ e4ec586805e674153dbeda41340f5271c8426335",
        "seed": SEED,
        "validation_size": VALIDATION_SIZE,
        "config": config.__dict__,
        "cv_threshold_f1": round(oof_scores.f1, 4),
    }
    document = export_model(fitted, threshold, meta)
    shipped = cw.model_from_dict(document)
    # The shipped (rounded, re-implemented) scorer must agree with scikit-learn.
    learned_only = shipped.probabilities(val.texts, rules=False)[:, shipped.classes.index(POSITIVE)]
    drift = np.max(np.abs(fitted.p_positive(val.texts) - learned_only))
    if drift > 1e-3:
        raise RuntimeError(f"Exported model disagrees with the fitted one (max diff {drift}).")
    report = Report(
        n_train=len(train.texts),
        n_validation=len(val.texts),
        model=model_scores(shipped, val),
        baseline=baseline_scores(train, val),
        seed=seed_check(shipped.judge),
        chrome_rate=chrome_rate(train.texts + val.texts),
        seed_without_rules=seed_check(lambda texts: shipped.judge(texts, rules=False)),
        document=document,
    )
    # Recorded in the file so anyone holding it can see what it scored, and tests can compare.
    document["meta"]["figures"] = {
        "model_f1": round(report.model.f1, 4),
        "model_ap": round(report.model.average_precision, 4),
        "baseline_f1": round(report.baseline.f1, 4),
        "baseline_ap": round(report.baseline.average_precision, 4),
        "seed_min_p1": round(report.seed.min_p1, 4),
        "seed_max_chrome": round(report.seed.max_chrome, 4),
    }
    return report


def evaluate_shipped(model: cw.Model, data_path: Path = CLAIMBUSTER_PATH) -> Report:
    """Score an already exported model and a fresh baseline on the same validation split."""
    train, val = holdout_split(load_claimbuster(data_path))
    return Report(
        n_train=len(train.texts),
        n_validation=len(val.texts),
        model=model_scores(model, val),
        baseline=baseline_scores(train, val),
        seed=seed_check(model.judge),
        chrome_rate=chrome_rate(train.texts + val.texts),
        seed_without_rules=seed_check(lambda texts: model.judge(texts, rules=False)),
    )


def chrome_rate(texts: Sequence[str]) -> float:
    """Share of sentences on which a page-chrome rule fires (it should be ~0 on debates)."""
    return sum(bool(cw.chrome_cues(t)) for t in texts) / max(len(texts), 1)
