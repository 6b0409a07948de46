"""Extraction quality against the hand-annotated seed claims (factcheck/samples/gold/).

Pure: gold file and extraction results in, a ``GoldReport`` out. No ORM, no spaCy here (the
caller runs extraction and passes the results), so the figures can be recomputed from stored
results too.

Definitions (the ones the tests assert):

* a gold claim is *found* when its anchor span lies inside an extracted claim labelled
  check_worthy; recall is reported per priority;
* a *not_claims violation* is any occurrence of a not_claims anchor inside any extracted claim,
  whatever its label;
* *claimant accuracy* is over found gold claims: a gold list of names matches when the
  extracted claimant equals one of them (case-insensitive, surrounding "the" kept as written
  in the gold list), and a gold null matches only a null; *cue accuracy* likewise, on the cue
  (case-insensitive). Gold claims that are not found count as misses in both.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from factcheck.extraction.types import ClaimCandidate, ExtractionResult

REPO_ROOT = Path(__file__).resolve().parents[2]
# Shipped in the repository, so a clone evaluates and tests without ../shared.
GOLD_PATH = REPO_ROOT / "factcheck" / "samples" / "gold" / "seed_claims.json"
SEEDS_DIR = REPO_ROOT / "factcheck" / "samples" / "articles"


@dataclass(frozen=True)
class GoldOutcome:
    article: str
    id: str
    priority: int
    found: bool
    gold_claimant: tuple[str, ...] | None
    claimant: str | None
    claimant_ok: bool
    gold_cue: str | None
    cue: str | None
    cue_ok: bool
    claim_text: str | None
    gold_kind: str = ""
    kind: str | None = None


@dataclass(frozen=True)
class Violation:
    article: str
    id: str
    start: int
    end: int
    claim_text: str


@dataclass
class GoldReport:
    outcomes: list[GoldOutcome] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    # How much was emitted besides the gold claims: recall alone says nothing of volume.
    emitted: dict[str, int] = field(default_factory=dict)  # label or "opinion" -> count

    @property
    def kind_agreement(self) -> float:
        """Informational: found claims whose kind matches the gold kind ("rules" = "rule")."""
        found = [o for o in self.outcomes if o.found]
        same = [o for o in found if (o.kind or "") == o.gold_kind.rstrip("s")]
        return len(same) / len(found) if found else 1.0

    def recall(self, priority: int) -> float:
        items = [o for o in self.outcomes if o.priority == priority]
        return sum(o.found for o in items) / len(items) if items else 1.0

    def count(self, priority: int) -> tuple[int, int]:
        items = [o for o in self.outcomes if o.priority == priority]
        return sum(o.found for o in items), len(items)

    @property
    def claimant_accuracy(self) -> float:
        """Over gold claims that name a claimant."""
        items = [o for o in self.outcomes if o.gold_claimant]
        return sum(o.claimant_ok for o in items) / len(items) if items else 1.0

    @property
    def claimant_accuracy_all(self) -> float:
        """Over all gold claims, nulls included (a null must stay null)."""
        items = self.outcomes
        return sum(o.claimant_ok for o in items) / len(items) if items else 1.0

    @property
    def cue_accuracy(self) -> float:
        items = self.outcomes
        return sum(o.cue_ok for o in items) / len(items) if items else 1.0

    def as_text(self) -> str:
        """The report as printed by ``manage.py evaluate_extraction``."""
        p1, n1 = self.count(1)
        p2, n2 = self.count(2)
        named = [o for o in self.outcomes if o.gold_claimant]
        lines = [
            "Extraction vs gold (../shared/gold/seed_claims.json)",
            f"  priority-1 recall : {self.recall(1):6.1%}  ({p1}/{n1})",
            f"  priority-2 recall : {self.recall(2):6.1%}  ({p2}/{n2})",
            f"  not_claims inside an extracted claim: {len(self.violations)}",
            f"  claimant accuracy : {self.claimant_accuracy:6.1%}  "
            f"({sum(o.claimant_ok for o in named)}/{len(named)} gold claims with a claimant)",
            f"  claimant accuracy, nulls included: {self.claimant_accuracy_all:6.1%}  "
            f"({sum(o.claimant_ok for o in self.outcomes)}/{len(self.outcomes)})",
            f"  cue accuracy      : {self.cue_accuracy:6.1%}  "
            f"({sum(o.cue_ok for o in self.outcomes)}/{len(self.outcomes)})",
            f"  kind agreement (informational): {self.kind_agreement:6.1%} of found claims",
            "  claims emitted over the seeds: "
            + ", ".join(f"{n} {k}" for k, n in sorted(self.emitted.items())),
        ]
        misses = [o for o in self.outcomes if not (o.found and o.claimant_ok and o.cue_ok)]
        if misses:
            lines.append("  misses:")
            for o in misses:
                what = []
                if not o.found:
                    what.append("not found as check_worthy")
                if not o.claimant_ok:
                    what.append(f"claimant {o.claimant!r} vs {list(o.gold_claimant or []) or None}")
                if not o.cue_ok:
                    what.append(f"cue {o.cue!r} vs {o.gold_cue!r}")
                lines.append(f"    {o.id} (P{o.priority}): " + "; ".join(what))
        for v in self.violations:
            lines.append(f"  VIOLATION {v.id} at {v.start}-{v.end} inside {v.claim_text[:70]!r}")
        return "\n".join(lines)


def load_gold(path: Path | str = GOLD_PATH) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _containing(claims: Sequence[ClaimCandidate], start: int, end: int) -> list[ClaimCandidate]:
    return [c for c in claims if c.start <= start and end <= c.end]


def _name_ok(found: str | None, gold: Sequence[str] | None) -> bool:
    if not gold:
        return found is None
    return found is not None and found.strip().lower() in {g.strip().lower() for g in gold}


def _cue_ok(found: str | None, gold: str | None) -> bool:
    if gold is None:
        return found is None
    return found is not None and found.strip().lower() == gold.strip().lower()


def evaluate(gold: Mapping, results: Mapping[str, ExtractionResult]) -> GoldReport:
    """Compare extraction results (by seed file name) with the gold annotations."""
    report = GoldReport()
    for name, article in gold["articles"].items():
        result = results.get(name, ExtractionResult())
        for c in result.claims:
            key = "opinion" if c.kind == "opinion" else c.label
            report.emitted[key] = report.emitted.get(key, 0) + 1
        for item in article["claims"]:
            hits = [
                c
                for c in _containing(result.claims, item["start"], item["end"])
                if c.label == "check_worthy"
            ]
            claim = hits[0] if hits else None
            gold_claimant = tuple(item["claimant"]) if item.get("claimant") else None
            claimant = claim.claimant if claim else None
            cue = claim.cue if claim else None
            report.outcomes.append(
                GoldOutcome(
                    article=name,
                    id=item["id"],
                    priority=int(item["priority"]),
                    found=claim is not None,
                    gold_claimant=gold_claimant,
                    claimant=claimant,
                    claimant_ok=claim is not None and _name_ok(claimant, gold_claimant),
                    gold_cue=item.get("cue"),
                    cue=cue,
                    cue_ok=claim is not None and _cue_ok(cue, item.get("cue")),
                    claim_text=claim.text if claim else None,
                    gold_kind=str(item.get("kind", "")),
                    kind=claim.kind if claim else None,
                )
            )
        for item in article.get("not_claims", []):
            for start, end in item["occurrences"]:
                for c in _containing(result.claims, start, end):
                    report.violations.append(Violation(name, item["id"], start, end, c.text))
    return report


def read_seeds(gold: Mapping, seeds_dir: Path | str = SEEDS_DIR) -> dict[str, str]:
    """The seed texts named in the gold file, read as UTF-8 exactly as stored."""
    texts = {}
    for name in gold["articles"]:
        with open(Path(seeds_dir) / name, encoding="utf-8", newline="") as f:
            texts[name] = f.read()
    return texts


def check_anchors(gold: Mapping, texts: Mapping[str, str]) -> list[str]:
    """Gold items whose offsets do not slice to their anchor (a broken gold file)."""
    broken = []
    for name, article in gold["articles"].items():
        text = texts[name]
        for item in article["claims"]:
            if text[item["start"] : item["end"]] != item["anchor"]:
                broken.append(item["id"])
        for item in article.get("not_claims", []):
            for start, end in item["occurrences"]:
                if text[start:end] != item["anchor"]:
                    broken.append(item["id"])
    return broken
