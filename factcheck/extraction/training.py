"""Train, evaluate and export the check-worthiness model (see checkworthiness.py).

Pure: no Django, no ORM. ``manage.py train_checkworthiness`` is the interface; this module does
the work so tests can call it directly. Fine-tuning itself is in ``finetune.py`` and needs
PyTorch (a training-only dependency); everything else here (splits, scoring, the baseline, the
seed check, ``evaluate_shipped``) runs with the serving dependencies alone.

The protocol, fixed so the figures in model/MODEL_CARD.md reproduce:

1. Read ClaimBuster from ``data/`` (drop exact duplicate sentences, keeping the first).
2. **Held-out debates** (the model's figure): ``sentence_id`` runs through the debates in
   order (1960 to 2016), so blocks of 1,000 consecutive ids are stretches of one or two
   debates. Every fifth block (3, 8, ..., 28; spread over the years) is held out whole: no
   speaker-turn, topic or phrasing of those evenings is seen in training. A random split
   shares all of those with training, so it is reported only beside it, for comparison.
3. CLEF CheckThat! 2019 (training file, 19 transcripts): the eleven transcripts of 2017 to
   2019 (speeches, press events, one debate; none of them in ClaimBuster, and nearest in kind
   to the 2019 test set) are scored as the lab does, MAP over transcripts. CLEF is not trained
   on: adding the 2016 transcripts to training (check-worthy lines as check_worthy, a sample
   of the rest as unimportant) lowered the held-out-debates AP and left this MAP unchanged.
4. Fine-tune the encoder on the training part, export it, reload it through the serving code
   and score the held-out parts with what was reloaded (the figures are the shipped file's).
   The label threshold is fixed at 0.5 before looking at any held-out figure; the "best F1"
   printed beside it is for information, never used.
5. The baseline (word TF-IDF + logistic regression, scikit-learn defaults, binary, threshold
   0.5) is fitted on the same training texts and scored on the same held-out parts.
6. The priority cut (high) is set on news, not debates: the score above which the top
   NEWS_HIGH_SHARE of the sentences of PolNeAR's dev articles (US political news, 2016; read
   from ../shared, never trained on, never copied into the repo) fall. Debate-trained scores run
   high on news, where nearly every sentence names people and events, so a cut set on debates
   would make most news claims "high". The held-out debates' precision at that cut is printed.
7. Random split, beside it: the same recipe on a stratified random 80/20 split.
8. Seed check on the news articles of ``../shared``: printed, not tuned on.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score
from sklearn.model_selection import train_test_split

from factcheck.extraction import checkworthiness as cw

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(__file__).resolve().parent / "data"
CLAIMBUSTER_PATH = DATA_DIR / "claimbuster_train.jsonl"
CLEF_PATH = DATA_DIR / "clef2019_train.csv"
SHARED = REPO_ROOT.parent / "shared"
GOLD_PATH = SHARED / "gold" / "seed_claims.json"
SEEDS_DIR = SHARED / "seeds"

SEED = 20200607  # ICWSM 2020 opened on 8 June; any fixed number would do.
VALIDATION_SIZE = 0.2
BLOCK_SIZE = 1000  # consecutive sentence_ids per block: about one debate
HELD_OUT_BLOCKS = frozenset({3, 8, 13, 18, 23, 28})
# CLEF transcripts from 2017 on: none of them is in ClaimBuster (which ends with the 2016
# debates), and speeches and press events are nearest in kind to the 2019 test set.
CLEF_FIRST_YEAR = 2017
CLAIMBUSTER_LABELS = {-1: "not_factual", 0: "unimportant", 1: "check_worthy"}
CLASSES = ("not_factual", "unimportant", "check_worthy")
POSITIVE = "check_worthy"
THRESHOLD = 0.5  # fixed in advance: the three-way softmax needs no tuned cut
POLNEAR_DEV_PATH = SHARED / "datasets" / "polnear" / "dev.jsonl"
NEWS_HIGH_SHARE = 0.15  # "high" is about the top one news sentence in seven
# Large enough that a chrome sentence falls below any ordinary sentence (logit -8 turns 0.98
# into 0.02), small enough that the ranking among chrome sentences survives. Hand-set.
CHROME_PENALTY = 8.0


# --- Data ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    texts: list[str]
    labels: list[str]
    groups: list[str] = field(default_factory=list)  # debate block or CLEF transcript

    def pick(self, indices: Sequence[int]) -> Dataset:
        return Dataset(
            [self.texts[i] for i in indices],
            [self.labels[i] for i in indices],
            [self.groups[i] for i in indices] if self.groups else [],
        )

    def __add__(self, other: Dataset) -> Dataset:
        return Dataset(
            self.texts + other.texts, self.labels + other.labels, self.groups + other.groups
        )


def load_claimbuster(path: Path = CLAIMBUSTER_PATH) -> Dataset:
    """ClaimBuster sentences with our label names; exact duplicate sentences dropped."""
    texts: list[str] = []
    labels: list[str] = []
    groups: list[str] = []
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
            groups.append(f"block {int(row['sentence_id']) // BLOCK_SIZE}")
    return Dataset(texts, labels, groups)


def load_clef(path: Path = CLEF_PATH) -> Dataset:
    """CLEF 2019 lines in document order; label check_worthy or unimportant; group = file."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return Dataset(
        [r["text"].strip() for r in rows],
        [POSITIVE if r["label"] == "1" else "unimportant" for r in rows],
        [r["file_name"] for r in rows],
    )


def held_out_debates(data: Dataset) -> tuple[Dataset, Dataset]:
    """(training part, held-out debates): whole blocks of consecutive sentence_ids."""
    held = {f"block {b}" for b in HELD_OUT_BLOCKS}
    train = [i for i, g in enumerate(data.groups) if g not in held]
    val = [i for i, g in enumerate(data.groups) if g in held]
    return data.pick(train), data.pick(val)


def holdout_split(data: Dataset, seed: int = SEED) -> tuple[Dataset, Dataset]:
    """(training part, validation split): random, stratified on the label, fixed seed."""
    train_idx, val_idx = train_test_split(
        np.arange(len(data.texts)),
        test_size=VALIDATION_SIZE,
        stratify=data.labels,
        random_state=seed,
    )
    return data.pick(sorted(train_idx)), data.pick(sorted(val_idx))


def clef_held_out(clef: Dataset) -> Dataset:
    """The CLEF transcripts we score on: those of CLEF_FIRST_YEAR and later, whole."""
    return clef.pick([i for i, g in enumerate(clef.groups) if int(g[:4]) >= CLEF_FIRST_YEAR])


# --- Scoring -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scores:
    f1: float
    precision: float
    recall: float
    average_precision: float
    threshold: float
    best_f1: float = 0.0  # at the best cut found on the scored data itself: information only

    def line(self, name: str) -> str:
        return (
            f"{name:<10} F1 {self.f1:.3f}  AP {self.average_precision:.3f}  "
            f"P {self.precision:.3f}  R {self.recall:.3f}  (threshold {self.threshold:.3f}; "
            f"best F1 at any cut {self.best_f1:.3f})"
        )

    def figures(self, prefix: str) -> dict[str, float]:
        return {
            f"{prefix}_f1": round(self.f1, 4),
            f"{prefix}_ap": round(self.average_precision, 4),
        }


def best_f1(y_true: np.ndarray, scores: np.ndarray) -> float:
    order = np.argsort(-scores, kind="stable")
    tp = np.cumsum(y_true[order])
    f1 = 2 * tp / (np.arange(1, len(scores) + 1) + y_true.sum())
    return float(f1.max()) if len(f1) else 0.0


def score(y_true: np.ndarray, scores: np.ndarray, threshold: float) -> Scores:
    predicted = scores >= threshold
    return Scores(
        f1=float(f1_score(y_true, predicted, zero_division=0)),
        precision=float(precision_score(y_true, predicted, zero_division=0)),
        recall=float(recall_score(y_true, predicted, zero_division=0)),
        average_precision=float(average_precision_score(y_true, scores)),
        threshold=threshold,
        best_f1=best_f1(y_true, scores),
    )


def positives(labels: Sequence[str]) -> np.ndarray:
    return np.array([label == POSITIVE for label in labels], dtype=int)


def mean_average_precision(data: Dataset, scores: np.ndarray) -> float:
    """CLEF's measure: average precision of each transcript's ranking, averaged."""
    values = []
    for group in dict.fromkeys(data.groups):
        rows = [i for i, g in enumerate(data.groups) if g == group]
        y = positives([data.labels[i] for i in rows])
        if y.any():
            values.append(average_precision_score(y, scores[rows]))
    return float(np.mean(values))


def news_sentences(path: Path = POLNEAR_DEV_PATH) -> list[str]:
    """Sentences of at least four words from PolNeAR's dev articles (regex splitter)."""
    sentences = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            text = json.loads(line)["text"]
            for start, end in split_sentences(text):
                sentence = text[start:end].strip()
                if len(sentence.split()) >= 4:
                    sentences.append(sentence)
    return sentences


def news_priority_cut(model: cw.Model, path: Path = POLNEAR_DEV_PATH) -> float:
    """The score above which the top NEWS_HIGH_SHARE of the news sentences fall."""
    return float(np.quantile(p_positive(model, news_sentences(path)), 1 - NEWS_HIGH_SHARE))


def precision_at(y_true: np.ndarray, scores: np.ndarray, cut: float) -> float:
    chosen = scores >= cut
    return float(y_true[chosen].mean()) if chosen.any() else 1.0


class Baseline:
    """Word TF-IDF + logistic regression, scikit-learn defaults, binary, threshold 0.5."""

    def __init__(self, train: Dataset):
        self.vec = TfidfVectorizer()
        self.lr = LogisticRegression(max_iter=1000)
        self.lr.fit(self.vec.fit_transform(train.texts), positives(train.labels))

    def p_positive(self, texts: Sequence[str]) -> np.ndarray:
        return self.lr.predict_proba(self.vec.transform(texts))[:, 1]


def p_positive(model: cw.Model, texts: Sequence[str]) -> np.ndarray:
    return np.array([j.probability for j in model.judge(list(texts))])


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
class SplitFigures:
    """Model and baseline on one held-out part."""

    name: str
    n_train: int
    n_held_out: int
    model: Scores
    baseline: Scores

    def lines(self) -> list[str]:
        return [
            f"{self.name}: {self.n_train} training / {self.n_held_out} held-out sentences",
            "  " + self.model.line("model"),
            "  " + self.baseline.line("baseline"),
            f"  margin     F1 {self.model.f1 - self.baseline.f1:+.3f}  AP "
            f"{self.model.average_precision - self.baseline.average_precision:+.3f}",
        ]


@dataclass
class Report:
    debates: SplitFigures
    clef_map: float
    clef_baseline_map: float
    seed: SeedReport | None
    seed_without_rules: SeedReport | None
    chrome_rate: float
    priority_high: float
    high_precision: float  # check-worthy precision of "high" on the held-out debates
    random: SplitFigures | None = None
    document: dict | None = None  # the exported settings, when this run trained a model

    @property
    def margin(self) -> float:
        return self.debates.model.f1 - self.debates.baseline.f1

    def lines(self) -> list[str]:
        out = [
            "data: ClaimBuster (positive class = check_worthy); CLEF 2019 for evaluation only",
            *self.debates.lines(),
            f"CLEF 2019 transcripts of {CLEF_FIRST_YEAR}-2019 (not trained on): MAP model "
            f"{self.clef_map:.3f}, baseline {self.clef_baseline_map:.3f}",
        ]
        if self.random is not None:
            out += [f"(beside it) {line}" for line in self.random.lines()]
        out += [
            f"priority: high from P(check_worthy) >= {self.priority_high:.3f} (top "
            f"{NEWS_HIGH_SHARE:.0%} of PolNeAR dev news sentences; held-out debates precision "
            f"there {self.high_precision:.3f}); medium from the threshold {THRESHOLD:.2f}",
            f"page-chrome rules fire on {self.chrome_rate:.2%} of ClaimBuster sentences",
        ]
        if self.seed is not None and self.seed_without_rules is not None:
            out += [
                *self.seed.lines(),
                f"seed check without the chrome rules (learned model alone): min P1 "
                f"{self.seed_without_rules.min_p1:.3f} vs max chrome "
                f"{self.seed_without_rules.max_chrome:.3f}; "
                f"{self.seed_without_rules.p1_check_worthy}/{len(self.seed.group('p1'))} P1 "
                f"labelled check_worthy",
            ]
        else:
            out.append("seed check skipped: no seed gold at " + str(GOLD_PATH))
        return out


def settings_document(meta: dict, priority_high: float, encoder: Path, max_length: int) -> dict:
    """The JSON document the serving code reads (checkworthiness.load_model)."""
    return {
        "format": cw.MODEL_FORMAT,
        "classes": list(CLASSES),
        "threshold": THRESHOLD,
        "priority": {"high": round(priority_high, 4), "medium": THRESHOLD},
        "chrome_penalty": CHROME_PENALTY,
        "encoder": {
            "file": encoder.name,
            "sha256": cw.file_digest(encoder),
            "vocabulary": "vocab.txt",
            "max_length": max_length,
        },
        "meta": meta,
    }


def write_settings(document: dict, output_dir: Path) -> Path:
    path = output_dir / cw.MODEL_PATH.name
    with open(path, "w", encoding="utf-8") as f:
        json.dump(document, f, ensure_ascii=False, indent=1)
        f.write("\n")
    return path


def _fit_encoder(train: Dataset, output_dir: Path, log: Callable[[str], None], layers: int):
    """Fine-tune on ``train``, write encoder + settings to ``output_dir``, reload them."""
    from factcheck.extraction import finetune  # training-only dependencies

    config = finetune.EncoderConfig(layers=layers)
    encoder = finetune.train_encoder(
        train.texts,
        finetune.as_class_indices(train.labels, CLASSES),
        output_dir / "checkworthiness.onnx",
        config=config,
        log=log,
    )
    meta = {
        "base_model": finetune.BASE_MODEL,
        "trained_on": "ClaimBuster (Arslan et al., ICWSM 2020), utaresearch/claimbuster-spotter "
        "data/deprecated/data_small.json @ e4ec586805e674153dbeda41340f5271c8426335, "
        "all but the held-out debate blocks",
        "held_out_blocks": sorted(HELD_OUT_BLOCKS),
        "block_size": BLOCK_SIZE,
        "config": config.as_dict(),
    }
    document = settings_document(meta, 1.0, encoder, config.max_length)
    write_settings(document, output_dir)
    return cw.load_model(output_dir / cw.MODEL_PATH.name), document


def train_and_evaluate(
    output_dir: Path,
    data_path: Path = CLAIMBUSTER_PATH,
    clef_path: Path = CLEF_PATH,
    log: Callable[[str], None] = lambda _: None,
    random_split: bool = True,
    layers: int = 6,
) -> Report:
    """The full protocol in the module docstring. Writes the model into ``output_dir``.

    ``layers`` keeps that many of the base encoder's six layers (see MODEL_CARD.md for what
    fewer cost in quality and save in time)."""
    data = load_claimbuster(data_path)
    clef_val = clef_held_out(load_clef(clef_path))
    part, val = held_out_debates(data)
    log(f"fine-tuning on {len(part.texts)} sentences (held-out debates split) ...")
    output_dir.mkdir(parents=True, exist_ok=True)
    model, document = _fit_encoder(part, output_dir, log, layers)
    scores_val = p_positive(model, val.texts)
    log("setting the priority cut on news sentences ...")
    priority_high = round(news_priority_cut(model), 4)
    document["priority"]["high"] = priority_high
    model = dataclasses.replace(model, priority_high=priority_high)
    report = _report(model, part, val, clef_val, scores_val)
    if random_split:
        r_part, r_val = holdout_split(data)
        log(f"fine-tuning on {len(r_part.texts)} sentences (random split, for comparison) ...")
        with tempfile.TemporaryDirectory() as scratch:
            r_model, _ = _fit_encoder(r_part, Path(scratch), log, layers)
            report.random = _split_figures("random split (stratified 20%)", r_model, r_part, r_val)
    figures = {
        **report.debates.model.figures("model"),
        **report.debates.baseline.figures("baseline"),
        "clef_map": round(report.clef_map, 4),
        "clef_baseline_map": round(report.clef_baseline_map, 4),
    }
    if report.random is not None:
        figures.update(report.random.model.figures("random_split_model"))
        figures.update(report.random.baseline.figures("random_split_baseline"))
    if report.seed is not None:
        figures["seed_min_p1"] = round(report.seed.min_p1, 4)
        figures["seed_max_chrome"] = round(report.seed.max_chrome, 4)
    document["meta"]["figures"] = figures
    write_settings(document, output_dir)
    report.document = document
    return report


def _split_figures(name: str, model: cw.Model, train: Dataset, val: Dataset) -> SplitFigures:
    y = positives(val.labels)
    return SplitFigures(
        name=name,
        n_train=len(train.texts),
        n_held_out=len(val.texts),
        model=score(y, p_positive(model, val.texts), model.threshold),
        baseline=score(y, Baseline(train).p_positive(val.texts), 0.5),
    )


def _report(
    model: cw.Model, part: Dataset, val: Dataset, clef_val: Dataset, scores_val=None
) -> Report:
    baseline = Baseline(part)
    y = positives(val.labels)
    if scores_val is None:
        scores_val = p_positive(model, val.texts)
    debates = SplitFigures(
        name="held-out debates (whole blocks of sentence_ids)",
        n_train=len(part.texts),
        n_held_out=len(val.texts),
        model=score(y, scores_val, model.threshold),
        baseline=score(y, baseline.p_positive(val.texts), 0.5),
    )
    has_gold = GOLD_PATH.exists()
    return Report(
        debates=debates,
        clef_map=mean_average_precision(clef_val, p_positive(model, clef_val.texts)),
        clef_baseline_map=mean_average_precision(clef_val, baseline.p_positive(clef_val.texts)),
        seed=seed_check(model.judge) if has_gold else None,
        seed_without_rules=(
            seed_check(lambda texts: model.judge(texts, rules=False)) if has_gold else None
        ),
        chrome_rate=chrome_rate(part.texts + val.texts),
        priority_high=model.priority_high,
        high_precision=precision_at(y, scores_val, model.priority_high),
    )


def evaluate_shipped(
    model: cw.Model, data_path: Path = CLAIMBUSTER_PATH, clef_path: Path = CLEF_PATH
) -> Report:
    """Score an already exported model and a fresh baseline on the same held-out parts."""
    train, val = held_out_debates(load_claimbuster(data_path))
    return _report(model, train, val, clef_held_out(load_clef(clef_path)))


def chrome_rate(texts: Sequence[str]) -> float:
    """Share of sentences on which a page-chrome rule fires (it should be ~0 on debates)."""
    return sum(bool(cw.chrome_cues(t)) for t in texts) / max(len(texts), 1)
