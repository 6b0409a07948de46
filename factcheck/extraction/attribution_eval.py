"""Attribution quality against PolNeAR-format annotations (who said what, with offsets).

Pure: annotated articles and extraction results in, an ``AttributionReport`` out. No ORM and
no spaCy here; ``manage.py evaluate_attribution`` runs the extraction and passes the results.

Input lines (one JSON object per article)::

    {id, split, publisher, date, title, text,
     attributions: [{source?, cue, content}]}   # each role: {spans: [[start, end], ...], text}

Definitions (the ones the tests assert):

* *direct quote*: the gold content contains a double quotation mark (" “ ” „ « » or '').
  Single marks are left out on purpose: ’ is also the apostrophe, so "Clinton’s plan" would
  count as a quote;
* *eligible*: the gold source exists and is not a bare pronoun ("he", "they", "who"), and the
  gold content has 4 or more words. A pronoun source is annotated as written, so whether we
  resolved it cannot be scored from the gold alone;
* *covered*: one of our claims (its sentence span ``start..end``) holds at least half of the
  content's characters. A quotation running over several sentences is covered when one of
  its sentences is at least half of it; ``covered_together`` (informational) also counts the
  claims that together hold half;
* the claim scored for *named* and *right* is the claim holding the most content characters;
* *named*: that claim has a claimant, and it is not a bare pronoun;
* *right*: the claimant (as written, or its fullest name) shares a content word with the
  gold source, case-folded with possessives stripped. Stop words and honorifics ("the",
  "Mr.") are not content words, so "Mr. Trump" is not right for "Mr. Clinton";
* *recall*: right / eligible.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from factcheck.extraction.types import ClaimCandidate, ExtractionResult

QUOTE_MARKS = ('"', "“", "”", "„", "«", "»", "''")
PRONOUNS = frozenset(
    """i me my we us our you your he him his she her hers it its they them their theirs
    who whom whose which that this these those one someone somebody""".split()
)
_STOP = frozenset(
    """the a an of and or in on at to for from by with as s mr mrs ms miss dr sen rep gov
    gen lt col maj capt sgt also""".split()
)
MIN_CONTENT_WORDS = 4
_WORD = re.compile(r"[\w’'-]+")


@dataclass(frozen=True)
class Role:
    spans: tuple[tuple[int, int], ...]
    text: str

    @property
    def chars(self) -> int:
        return sum(b - a for a, b in self.spans)


@dataclass(frozen=True)
class GoldAttribution:
    source: Role | None
    cue: Role | None
    content: Role


@dataclass(frozen=True)
class Article:
    id: str
    text: str
    attributions: tuple[GoldAttribution, ...]


@dataclass(frozen=True)
class Outcome:
    article: str
    content_start: int
    content_end: int
    source: str | None
    direct: bool
    eligible: bool
    covered: bool
    covered_together: bool
    named: bool
    right: bool
    claimant: str | None = None


@dataclass
class Tally:
    eligible: int = 0
    covered: int = 0
    covered_together: int = 0
    named: int = 0
    right: int = 0

    def add(self, o: Outcome) -> None:
        if not o.eligible:
            return
        self.eligible += 1
        self.covered += o.covered
        self.covered_together += o.covered_together
        self.named += o.named
        self.right += o.right

    @property
    def recall(self) -> float:
        return self.right / self.eligible if self.eligible else 0.0


@dataclass
class AttributionReport:
    outcomes: list[Outcome] = field(default_factory=list)

    def tally(self, *, direct_only: bool) -> Tally:
        t = Tally()
        for o in self.outcomes:
            if o.direct or not direct_only:
                t.add(o)
        return t

    def as_text(self, *, examples: int = 5) -> str:
        """The report as printed by ``manage.py evaluate_attribution``."""
        lines = [f"Attribution vs gold ({len({o.article for o in self.outcomes})} articles)"]
        for title, direct in (("direct quotes", True), ("all attributions", False)):
            t = self.tally(direct_only=direct)
            lines += [
                f"  {title}: {t.eligible} eligible",
                f"    covered : {_pc(t.covered, t.eligible)}"
                f"   (by several claims together: {_pc(t.covered_together, t.eligible)})",
                f"    named   : {_pc(t.named, t.covered)} of covered",
                f"    right   : {_pc(t.right, t.named)} of named",
                f"    recall  : {_pc(t.right, t.eligible)} right of eligible",
            ]
        misses = [o for o in self.outcomes if o.eligible and o.direct and not o.right]
        wrong = [o for o in misses if o.named]
        for title, items in (("wrong claimant", wrong), ("missed", misses)):
            if items and examples:
                lines.append(f"  direct quotes, {title} (first {min(examples, len(items))}):")
                for o in items[:examples]:
                    what = "not covered" if not o.covered else f"claimant {o.claimant!r}"
                    lines.append(
                        f"    {o.article} {o.content_start}-{o.content_end}: {what}"
                        f" (gold source {o.source!r})"
                    )
        return "\n".join(lines)


def _pc(n: int, d: int) -> str:
    return f"{n / d:6.1%} ({n}/{d})" if d else "   n/a (0/0)"


def _role(raw: Mapping | None) -> Role | None:
    if not raw or not raw.get("spans"):
        return None
    return Role(tuple((int(a), int(b)) for a, b in raw["spans"]), str(raw.get("text", "")))


def parse_article(record: Mapping) -> Article:
    """One PolNeAR-format line, already decoded from JSON."""
    items = []
    for raw in record.get("attributions", []):
        content = _role(raw.get("content"))
        if content is None:
            continue
        items.append(GoldAttribution(_role(raw.get("source")), _role(raw.get("cue")), content))
    return Article(str(record["id"]), str(record["text"]), tuple(items))


def read_articles(path: Path | str) -> Iterator[Article]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield parse_article(json.loads(line))


def is_direct(content: str) -> bool:
    return any(mark in content for mark in QUOTE_MARKS)


def content_words(name: str | None) -> set[str]:
    """Case-folded words of a name, possessives stripped, stop words and honorifics left out."""
    words = set()
    for w in _WORD.findall((name or "").casefold()):
        w = re.sub(r"(?:['’]s|['’])$", "", w).strip("-'’")
        if w and w not in _STOP and w not in PRONOUNS:
            words.add(w)
    return words


def is_bare_pronoun(name: str | None) -> bool:
    return bool(name) and name.strip().casefold() in PRONOUNS


def is_eligible(gold: GoldAttribution) -> bool:
    if gold.source is None or is_bare_pronoun(gold.source.text):
        return False
    return len(re.findall(r"\w+", gold.content.text)) >= MIN_CONTENT_WORDS


def _held(claim: ClaimCandidate, spans: Sequence[tuple[int, int]]) -> int:
    return sum(max(0, min(b, claim.end) - max(a, claim.start)) for a, b in spans)


def score_attribution(
    article_id: str, gold: GoldAttribution, claims: Sequence[ClaimCandidate]
) -> Outcome:
    spans = gold.content.spans
    total = gold.content.chars
    held = [(c, _held(c, spans)) for c in claims]
    held = [(c, n) for c, n in held if n > 0]
    best = max(held, key=lambda x: x[1], default=(None, 0))
    claim, most = best
    covered = total > 0 and most * 2 >= total
    together = total > 0 and sum(n for _, n in held) * 2 >= total
    named = covered and claim is not None and bool(claim.claimant)
    named = named and not is_bare_pronoun(claim.claimant)
    right = False
    if named and gold.source is not None:
        ours = content_words(claim.claimant) | content_words(claim.claimant_name)
        right = bool(ours & content_words(gold.source.text))
    return Outcome(
        article=article_id,
        content_start=min(a for a, _ in spans),
        content_end=max(b for _, b in spans),
        source=gold.source.text if gold.source else None,
        direct=is_direct(gold.content.text),
        eligible=is_eligible(gold),
        covered=covered,
        covered_together=together,
        named=named,
        right=right,
        claimant=claim.claimant if claim is not None and covered else None,
    )


def evaluate(articles: Iterable[Article], results: Iterable[ExtractionResult]) -> AttributionReport:
    """Score extraction results (in the same order as ``articles``) against their gold."""
    report = AttributionReport()
    for article, result in zip(articles, results, strict=True):
        for gold in article.attributions:
            report.outcomes.append(score_attribution(article.id, gold, result.claims))
    return report
