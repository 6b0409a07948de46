"""Claim extraction: article text in, ``ExtractionResult`` (claims + removals) out.

Pure: no Django, no ORM. The spaCy model is passed in (``nlp=``) and loaded once per process
by ``get_nlp``. Steps, each in its own module:

1. ``cleaning``: paragraphs, site chrome out (with reasons), Markdown residue out, paragraphs
   broken by a stray blank line rejoined, headline and caption kept apart from the body;
2. spaCy on the cleaned paragraphs (``nlp.pipe`` in bounded batches) for sentences, parse and
   entities;
3. per sentence: ``attribution`` (claimant, cue, content), ``quantities``, ``entities``;
4. ``checkworthiness.judge_sentences`` for the score and label, plus our own reasons;
5. ``decide``: which sentences become claims, of which kind.

Every offset in the result is into the text passed in, and every claim is checked to be a
verbatim slice before it is returned.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from factcheck.extraction import attribution as attr
from factcheck.extraction.checkworthiness import judge_sentences, shipped_model
from factcheck.extraction.cleaning import CleanedArticle, Segment, clean
from factcheck.extraction.decision import Decision, SentenceFeatures, decide, features_for
from factcheck.extraction.entities import FoundEntity, find_entities, resolve_surnames
from factcheck.extraction.quantities import find_quantities
from factcheck.extraction.spans import remember_text, span_ents
from factcheck.extraction.types import (
    ClaimCandidate,
    EntityMention,
    ExtractionResult,
    Quantity,
)

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 8
# Texts fed to spaCy at once are paragraphs, so a batch of 8 holds a few KB: memory stays flat
# however long the input list is.


@lru_cache(maxsize=4)
def get_nlp(model_name: str) -> Language:
    """Load a spaCy pipeline once per process (and per model name)."""
    return spacy.load(model_name)


@dataclass
class _Sentence:
    """One sentence with everything found in it, in article offsets."""

    segment: Segment
    span: Span
    text: str  # the sentence as spaCy saw it (chrome cut out), for scoring
    start: int
    end: int
    attribution: attr.Attribution | None = None
    quantities: list[Quantity] = field(default_factory=list)
    entities: list[FoundEntity] = field(default_factory=list)  # segment offsets
    features: SentenceFeatures | None = None


def extract_claims(text: str, *, nlp: Language) -> ExtractionResult:
    """Extract check-worthy claims (and labelled opinions) from one article's text.

    ``text`` is the article as stored; all offsets in the result index into it, and
    ``text[c.start:c.end] == c.text`` holds for every claim. Running it twice on the same text
    gives the same result.
    """
    return extract_many([text], nlp=nlp)[0]


def extract_many(
    texts: Sequence[str], *, nlp: Language, batch_size: int = DEFAULT_BATCH_SIZE
) -> list[ExtractionResult]:
    """``extract_claims`` for several texts, sharing ``nlp.pipe`` with bounded batches.

    Paragraphs, not whole articles, are what spaCy batches, so peak memory depends on
    ``batch_size`` paragraphs rather than on article length.
    """
    return list(iter_extract(texts, nlp=nlp, batch_size=batch_size))


def iter_extract(
    texts: Iterable[str], *, nlp: Language, batch_size: int = DEFAULT_BATCH_SIZE
) -> Iterator[ExtractionResult]:
    """Stream results article by article; each article's docs are dropped once it is done."""
    cleaned: dict[int, CleanedArticle] = {}
    expected: dict[int, int] = {}

    def feed() -> Iterator[tuple[str, tuple[int, int]]]:
        for index, text in enumerate(texts):
            article = clean(text)
            cleaned[index] = article
            expected[index] = len(article.segments)
            for seg_index, segment in enumerate(article.segments):
                yield segment.text, (index, seg_index)

    pending: dict[int, list[Doc]] = {}
    done = 0

    def flush_ready() -> Iterator[ExtractionResult]:
        nonlocal done
        while done in expected and len(pending.get(done, [])) == expected[done]:
            yield _extract_article(cleaned.pop(done), pending.pop(done, []))
            del expected[done]
            done += 1

    for doc, (index, _seg) in nlp.pipe(feed(), as_tuples=True, batch_size=batch_size):
        pending.setdefault(index, []).append(doc)
        yield from flush_ready()
    # Articles with no segments at all (pure chrome) never got a doc.
    yield from flush_ready()


def _extract_article(article: CleanedArticle, docs: list[Doc]) -> ExtractionResult:
    text = article.text
    sentences: list[_Sentence] = []
    previous: attr.Attribution | None = None
    previous_colon = False
    for segment, doc in zip(article.segments, docs, strict=True):
        remember_text(doc, segment.text)
        spans = [s for s in doc.sents if segment.text[s.start_char : s.end_char].strip()]
        attributions = attr.attribute_segment(
            spans, previous=previous, previous_ended_with_colon=previous_colon
        )
        for span, found in zip(spans, attributions, strict=True):
            a, b = _trim(segment.text, span.start_char, span.end_char)
            start, end = segment.to_original(a, b)
            sentence = _Sentence(segment, span, segment.text[a:b], start, end)
            sentence.attribution = _to_original(segment, found)
            sentence.quantities = []
            for q in find_quantities(span):
                qa, qb = segment.to_original(q.start, q.end)
                sentence.quantities.append(Quantity(text[qa:qb], qa, qb, q.value, q.unit, q.bound))
            sentence.entities = find_entities(span_ents(span), segment.text)
            sentences.append(sentence)
        last_attr = sentences[-1].attribution if spans and sentences else None
        previous = last_attr
        previous_colon = segment.ends_with_colon

    _resolve_pronouns(text, sentences)
    surnames = resolve_surnames([e for s in sentences for e in s.entities])
    # Headlines are title-cased, and the model tags capitalised words there as names
    # ("Involvement", "Hell"). A headline entity counts only if the body names it too.
    body_names = {e.name for s in sentences if s.segment.role != "headline" for e in s.entities}
    for s in sentences:
        if s.segment.role == "headline":
            s.entities = [e for e in s.entities if e.name in body_names]
    judgements = judge_sentences([s.text for s in sentences])
    cut = shipped_model().threshold
    result = ExtractionResult(removals=list(article.removals))
    for sentence, judgement in zip(sentences, judgements, strict=True):
        sentence.features = features_for(
            sentence.span,
            sentence.attribution,
            sentence.quantities,
            text=sentence.text,
            cue_reasons=judgement.reasons,
            places=len({e.name for e in sentence.entities if e.label in ("GPE", "LOC")}),
        )
        decision = decide(sentence.features, judgement, role=sentence.segment.role, threshold=cut)
        if decision is None:
            continue
        claim = _candidate(text, sentence, decision, surnames)
        if claim is not None:
            result.claims.append(claim)
    return result


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _to_original(segment: Segment, found: attr.Attribution | None) -> attr.Attribution | None:
    """Map an attribution's offsets from the segment to the article."""
    if found is None:
        return None

    def span(a: int | None, b: int | None) -> tuple[int | None, int | None]:
        if a is None or b is None:
            return None, None
        return segment.to_original(a, b)

    cs, ce = (found.claimant_start, found.claimant_end)
    cus, cue_e = (found.cue_start, found.cue_end)
    if not found.from_previous:
        cs, ce = span(cs, ce)
        cus, cue_e = span(cus, cue_e)
    ks, ke = span(found.content_start, found.content_end)
    return attr.Attribution(
        claimant=found.claimant,
        claimant_start=cs,
        claimant_end=ce,
        cue=found.cue,
        cue_start=cus,
        cue_end=cue_e,
        content_start=ks,
        content_end=ke,
        inherited=found.inherited,
        from_previous=True,  # from here on, every offset is an article offset
    )


def _resolve_pronouns(text: str, sentences: list[_Sentence]) -> None:
    """ "It also warned ..." after "NATO ... called on ...": the pronoun takes the last named
    claimant of the previous few sentences; with none, the sentence keeps the pronoun."""
    last_named: attr.Attribution | None = None
    since = 0
    for sentence in sentences:
        found = sentence.attribution
        since += 1
        if found is None or found.claimant is None:
            continue
        if attr.is_pronoun(found.claimant):
            if last_named is not None and since <= 3:
                # "He said": the pronoun's own cue and content, the last named speaker.
                sentence.attribution = dataclasses.replace(
                    found,
                    claimant=last_named.claimant,
                    claimant_start=last_named.claimant_start,
                    claimant_end=last_named.claimant_end,
                    inherited=True,
                    from_previous=True,
                )
            continue
        last_named = found
        since = 0


def _candidate(
    text: str, sentence: _Sentence, decision: Decision, surnames: dict[str, str]
) -> ClaimCandidate | None:
    segment = sentence.segment
    start, end = sentence.start, sentence.end
    if not (segment.start <= start < end <= segment.end):
        log.warning("dropping claim with offsets outside its paragraph: %s-%s", start, end)
        return None
    found = sentence.attribution
    entities = []
    for e in sentence.entities:
        a, b = segment.to_original(e.start, e.end)
        name = surnames.get(e.name, e.name) if e.label == "PERSON" else e.name
        aliases = e.aliases
        if name != e.name:
            aliases = tuple(dict.fromkeys((*aliases, e.name)))
        mention = EntityMention(text[a:b], a, b, e.label, name, aliases)
        entities.append(mention)
    claimant = found.claimant if found else None
    cs = found.claimant_start if found else None
    ce = found.claimant_end if found else None
    if claimant is not None and (cs is None or ce is None or text[cs:ce] != claimant):
        cs = ce = None  # never hand out offsets that do not slice to the name
    candidate = ClaimCandidate(
        text=text[start:end],
        start=start,
        end=end,
        paragraph_start=segment.start,
        paragraph_end=segment.end,
        score=decision.score,
        label=decision.label,
        kind=decision.kind,
        reasons=decision.reasons,
        claimant=claimant,
        claimant_start=cs,
        claimant_end=ce,
        cue=found.cue if found else None,
        content_start=found.content_start if found else None,
        content_end=found.content_end if found else None,
        quantities=tuple(sentence.quantities),
        entities=tuple(entities),
        is_headline=segment.role == "headline",
    )
    return candidate if is_verbatim(text, candidate) else None


def is_verbatim(text: str, claim: ClaimCandidate) -> bool:
    """The offset contract every claim must meet before it leaves this module."""
    return (
        text[claim.start : claim.end] == claim.text
        and claim.paragraph_start <= claim.start < claim.end <= claim.paragraph_end
        and all(text[q.start : q.end] == q.text for q in claim.quantities)
        and all(text[e.start : e.end] == e.text for e in claim.entities)
    )
