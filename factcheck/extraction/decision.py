"""Which sentences become claims, with which label and kind, and why.

Pure. Input: one sentence's features (what our own analysis found) and the check-worthiness
model's judgement. Output: a ``Decision`` or None (not a claim).

The model was trained on debate transcripts; news copy differs. Two adjustments, both
visible in the reasons list so a reviewer can see when they applied:

* an attributed or quantified statement about named things, worded neutrally, is promoted to
  check_worthy even when the model is lukewarm ("promoted: ..."). These are exactly what a
  fact-checker checks ("X said Y happened", "N things were destroyed");
* a statement attributed to a named (or resolved) speaker is always a claim, of kind "quote"
  (quoted words) or "attribution" (reported speech), whatever the model thinks of its content;
* a sentence worded as opinion (evaluative or emotive words, hedges, second person,
  questions) that the model does not rate check-worthy is either dropped (nothing in it to
  check) or kept as kind="opinion" when it still names something checkable, so a filter can
  reach it without it crowding the check-worthy list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Span

from factcheck.extraction import checkworthiness as cw
from factcheck.extraction.attribution import Attribution, is_pronoun
from factcheck.extraction.checkworthiness import Judgement
from factcheck.extraction.spans import doc_quotes, span_ents
from factcheck.extraction.types import Kind, Label, Quantity

ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "EVENT", "LAW", "FAC"})
# Rules: laws, resolutions, treaties and what they allow or forbid.
_RULE = re.compile(
    r"\b(?:resolutions?|laws?|treat(?:y|ies)|conventions?|charter|statutes?|ruling|"
    r"sanctions?|authori[sz]ation|constitution(?:al)?|mandate|"
    r"in line with|in violation of|in breach of|international law)\b",
    re.IGNORECASE,
)
_EVALUATIVE = re.compile(
    r"\b(?:considered|regarded as|deserves?|righteous|imagine|sort of|scenario|fact:|"
    r"big lie|ludicrous(?:ly)?|foolish|lunatic|bull(?:y|ies)|frantic|free world|"
    r"walkover|so-called|no doubt|obvious(?:ly)?|most important|greater importance)\b",
    re.IGNORECASE,
)
_FUTURE = re.compile(
    r"\b(?:is|are|was|were) (?:going|expected|set|due|scheduled|poised) to\b|\bwill\b(?! not)",
    re.IGNORECASE,
)
MIN_WORDS = 4


@dataclass(frozen=True)
class SentenceFeatures:
    words: int
    attributed: bool
    named_claimant: bool
    quantity: bool
    named_entity: bool
    date: bool
    comparison: bool
    opinion: bool
    emotive: bool
    hedge: bool
    first_person: bool
    second_person: bool
    question: bool
    prediction: bool
    future: bool  # the main verb is in the future ("will", "is going to")
    rule: bool
    direct_quote: bool
    places: int = 0

    def reasons(self) -> tuple[str, ...]:
        names = (
            ("attribution", self.attributed), ("direct quote", self.direct_quote),
            ("quantity", self.quantity), ("named entity", self.named_entity),
            ("date", self.date), ("comparison", self.comparison), ("rule or law", self.rule),
            ("prediction", self.prediction or self.future),
            ("opinion wording", self.opinion), ("emotive wording", self.emotive),
            ("hedge", self.hedge), ("first person", self.first_person),
            ("second person", self.second_person), ("question", self.question),
        )  # fmt: skip
        return tuple(name for name, fired in names if fired)

    @property
    def opinionated(self) -> bool:
        return self.opinion or self.emotive or self.hedge or self.second_person or self.question


@dataclass(frozen=True)
class Decision:
    score: float
    label: Label
    kind: Kind
    reasons: tuple[str, ...]


def features_for(
    sent: Span,
    attribution: Attribution | None,
    quantities: list[Quantity],
    *,
    text: str | None = None,
    cue_reasons: tuple[str, ...] | None = None,
    places: int = 0,
) -> SentenceFeatures:
    """What our own analysis found in the sentence.

    ``text`` is the sentence's text (``sent.text`` rebuilds it from tokens, so the pipeline
    passes the slice it already has); ``cue_reasons`` are the check-worthiness module's cue
    names for the same sentence, reused rather than matched a second time. ``places`` is the
    number of distinct places named (after the entity step has corrected the model's labels).
    """
    if text is None:
        text = sent.text
    regions = doc_quotes(sent.doc)
    sent_ents = span_ents(sent)
    quoted = [(a, b) for a, b in regions if a < sent.end_char and b > sent.start_char]
    if cue_reasons is None:
        fired = {name: bool(p.search(text)) for name, p in cw.CUE_PATTERNS.items()}
    else:
        fired = {name: name in cue_reasons for name in cw.CUE_PATTERNS}
    # Wording inside quotation marks is the quoted person's, not the article's: "Russia sends
    # 'most ruthless' special forces" is not the headline's own opinion.
    own_voice = text
    if quoted or "'" in text:
        own_voice = _blank_quotes(text, sent.start_char, quoted)
        for name in ("opinion wording", "emotive wording", "hedge"):
            fired[name] = bool(cw.CUE_PATTERNS[name].search(own_voice))
    ents = [e for e in sent_ents if e.label_ in ENTITY_LABELS]
    # Future on the main line, or in what a cue reports ("told ... that the units will ensure").
    root = sent.root
    main_verbs = [root, *(c for c in root.children if c.dep_ == "ccomp")]
    future = any(
        c.dep_ == "aux" and c.lower_ in ("will", "shall", "'ll", "wo")
        for verb in main_verbs
        for c in verb.children
    ) or bool(_FUTURE.search(text))
    direct_quote = any(min(b, sent.end_char) - max(a, sent.start_char) > 25 for a, b in quoted)
    claimant = attribution.claimant if attribution else None
    return SentenceFeatures(
        words=len(re.findall(r"\w+", text)),
        attributed=attribution is not None,
        named_claimant=bool(claimant) and not is_pronoun(claimant),
        quantity=bool(quantities),
        named_entity=bool(ents),
        date=any(e.label_ == "DATE" for e in sent_ents) or fired["date"],
        comparison=fired["comparison"],
        opinion=fired["opinion wording"] or bool(_EVALUATIVE.search(own_voice)),
        emotive=fired["emotive wording"],
        hedge=fired["hedge"],
        first_person=fired["first person"],
        second_person=fired["second person"],
        question=fired["question"],
        prediction=fired["prediction"],
        future=future,
        rule=bool(_RULE.search(text)) or any(e.label_ == "LAW" for e in sent_ents),
        direct_quote=direct_quote,
        places=places,
    )


def _blank_quotes(text: str, offset: int, regions: list[tuple[int, int]]) -> str:
    """The sentence with quoted stretches (and short scare-quoted words) blanked out."""
    chars = list(text)
    for a, b in regions:
        for i in range(max(a - offset, 0), min(b - offset, len(chars))):
            chars[i] = " "
    # Single-quoted scare quotes in headlines: 'most ruthless'.
    return re.sub(r"(?<!\w)'[^'\n]{1,40}'(?!\w)", " ", "".join(chars))


def _kind(f: SentenceFeatures) -> Kind:
    if f.quantity:
        return "quantity"
    if f.rule:
        return "rule"
    if f.future:
        return "prediction"
    if f.direct_quote and f.attributed:
        return "quote"
    return "event"


def decide(
    f: SentenceFeatures, judgement: Judgement, *, role: str, threshold: float = 0.5
) -> Decision | None:
    """A claim decision for one sentence, or None when it is not a claim at all.

    ``threshold`` is the model's check-worthy threshold: a promoted claim's score is raised to
    it, so "score >= threshold" and "label == check_worthy" keep agreeing.
    """
    if f.words < MIN_WORDS:
        return None
    reasons = tuple(dict.fromkeys((*judgement.reasons, *f.reasons())))
    if any(r.startswith("page chrome") for r in judgement.reasons):
        return None
    score = float(judgement.probability)
    label: Label = judgement.label  # type: ignore[assignment]
    if f.attributed and f.named_claimant:
        # "X said Y" can be checked as an attribution whatever Y is (an opinion, a boast), and
        # misattribution is the verdict this desk exists for. The score is kept as the model
        # gave it, so it still orders these claims among themselves.
        kind: Kind = "quote" if f.direct_quote else "attribution"
        return Decision(score, "check_worthy", kind, (*reasons, "attributed: checkable as said"))
    # What an opinion sentence would still let a checker verify.
    # A list of three or more named places ("operations target Sweida, Daraa, Homs") says
    # where something happens, which can be checked.
    checkable = f.quantity or f.date or (f.attributed and f.named_claimant) or f.places >= 3
    if label == "check_worthy":
        if f.opinionated and not checkable and score < 0.8:
            # Rated check-worthy on its names alone, in the article's own evaluative voice:
            # there is nothing in it to verify.
            return None
        return Decision(score, label, _kind(f), reasons)
    if f.question or f.second_person:
        return None
    if not f.opinionated and f.named_entity and (checkable or role != "body"):
        why = "promoted: attributed or quantified statement about named entities"
        return Decision(max(score, threshold), "check_worthy", _kind(f), (*reasons, why))
    if f.opinionated:
        if f.named_entity and checkable:
            return Decision(score, label, "opinion", (*reasons, "opinion"))
        return None
    if label == "not_factual":
        return None
    return Decision(score, label, _kind(f), reasons)
