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
from typing import TypeVar

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from factcheck.extraction import attribution as attr
from factcheck.extraction import chunks, long_sentences
from factcheck.extraction.checkworthiness import judge_sentences, shipped_model
from factcheck.extraction.cleaning import CleanedArticle, Segment, clean
from factcheck.extraction.decision import Decision, SentenceFeatures, decide, features_for
from factcheck.extraction.entities import FoundEntity, find_entities, resolve_surnames
from factcheck.extraction.priority import priority_for
from factcheck.extraction.quantities import find_quantities
from factcheck.extraction.spans import doc_quotes, remember_text, span_ents
from factcheck.extraction.speakers import Person, resolve_speakers
from factcheck.extraction.types import (
    ClaimCandidate,
    EntityMention,
    ExtractionResult,
    Kind,
    Quantity,
    Removal,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

BATCH_WORDS = 1_500
# spaCy is fed paragraphs in batches of about this many words. The parser and tagger predict
# for a whole batch at once, so bigger batches cost less CPU, and their working memory grows
# with the words in a batch, not with the number of paragraphs. On the benchmark set (76 words
# a paragraph) 32 paragraphs a batch raised a process's peak by 81 MB over the loaded model, 16
# by 46 MB and 8 by 30 MB, for 17.3, 18.3 and 20.5 CPU seconds; at 1,500 words the whole
# extraction peaked at 315 MB against 344 MB at 32 paragraphs. Counting words bounds that peak
# whatever the paragraphs' length, where a count of paragraphs let long ones take more memory.


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
    paragraph: int = 0


def extract_claims(
    text: str,
    *,
    nlp: Language,
    window: tuple[int, int] | None = None,
    max_sentence_words: int = long_sentences.MAX_WORDS,
) -> ExtractionResult:
    """Extract check-worthy claims (and labelled opinions) from one article's text.

    ``text`` is the article as stored; all offsets in the result index into it, and
    ``text[c.start:c.end] == c.text`` holds for every claim. Running it twice on the same text
    gives the same result. With ``window`` (start, end), only the paragraphs that start in
    it are analysed (one chunk of a long article); sentences over ``max_sentence_words`` are
    split at clause boundaries or left out (``long_sentences``).
    """
    found = iter_extract([text], nlp=nlp, window=window, max_sentence_words=max_sentence_words)
    return next(found)


def extract_many(
    texts: Sequence[str], *, nlp: Language, batch_words: int = BATCH_WORDS
) -> list[ExtractionResult]:
    """``extract_claims`` for several texts, sharing ``nlp.pipe`` with bounded batches.

    Paragraphs, not whole articles, are what spaCy batches, about ``batch_words`` words at a
    time, so peak memory depends on that rather than on article length.
    """
    return list(iter_extract(texts, nlp=nlp, batch_words=batch_words))


def word_batches(items: Iterable[tuple[str, T]], budget: int) -> Iterator[list[tuple[str, T]]]:
    """(text, context) pairs in lists of at most ``budget`` words, in order; a text longer than
    the budget makes a list of its own."""
    batch: list[tuple[str, T]] = []
    words = 0
    for item in items:
        count = len(item[0].split())
        if batch and words + count > budget:
            yield batch
            batch, words = [], 0
        batch.append(item)
        words += count
    if batch:
        yield batch


def pipe_in_word_batches(
    nlp: Language, items: Iterable[tuple[str, T]], budget: int
) -> Iterator[tuple[Doc, T]]:
    """``nlp.pipe`` over (text, context) pairs, about ``budget`` words a batch (word_batches)."""
    for batch in word_batches(items, budget):
        yield from nlp.pipe(batch, as_tuples=True, batch_size=len(batch))


def iter_extract(
    texts: Iterable[str],
    *,
    nlp: Language,
    batch_words: int = BATCH_WORDS,
    window: tuple[int, int] | None = None,
    max_sentence_words: int = long_sentences.MAX_WORDS,
) -> Iterator[ExtractionResult]:
    """Stream results article by article; each article's docs are dropped once it is done."""
    cleaned: dict[int, CleanedArticle] = {}
    expected: dict[int, int] = {}

    def feed() -> Iterator[tuple[str, tuple[int, int]]]:
        for index, text in enumerate(texts):
            article = chunks.within(clean(text), window)
            cleaned[index] = article
            expected[index] = len(article.segments)
            for seg_index, segment in enumerate(article.segments):
                yield segment.text, (index, seg_index)

    pending: dict[int, list[Doc]] = {}
    done = 0

    def flush_ready() -> Iterator[ExtractionResult]:
        nonlocal done
        while done in expected and len(pending.get(done, [])) == expected[done]:
            yield _extract_article(cleaned.pop(done), pending.pop(done, []), max_sentence_words)
            del expected[done]
            done += 1

    for doc, (index, _seg) in pipe_in_word_batches(nlp, feed(), batch_words):
        pending.setdefault(index, []).append(doc)
        yield from flush_ready()
    # Articles with no segments at all (pure chrome) never got a doc.
    yield from flush_ready()


def _extract_article(
    article: CleanedArticle, docs: list[Doc], max_sentence_words: int = long_sentences.MAX_WORDS
) -> ExtractionResult:
    text = article.text
    sentences: list[_Sentence] = []
    previous: attr.Attribution | None = None
    previous_colon = False
    quotes: list[tuple[int, int]] = []
    for paragraph, (segment, doc) in enumerate(zip(article.segments, docs, strict=True)):
        remember_text(doc, segment.text)
        quotes += [segment.to_original(a, b) for a, b in doc_quotes(doc)]
        spans = [s for s in doc.sents if segment.text[s.start_char : s.end_char].strip()]
        spans, too_long = long_sentences.split_spans(spans, max_words=max_sentence_words)
        article.removals.extend(
            Removal(*segment.to_original(a, b), long_sentences.REASON) for a, b in too_long
        )
        attributions = attr.attribute_segment(
            spans, previous=previous, previous_ended_with_colon=previous_colon
        )
        for span, found in zip(spans, attributions, strict=True):
            a, b = long_sentences.trim_whitespace(segment.text, span.start_char, span.end_char)
            start, end = segment.to_original(a, b)
            sentence = _Sentence(segment, span, segment.text[a:b], start, end, paragraph=paragraph)
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

    surnames = resolve_surnames([e for s in sentences for e in s.entities])
    # Headlines are title-cased, and the model tags capitalised words there as names
    # ("Involvement", "Hell"). A headline entity counts only if the body names it too.
    body_names = {e.name for s in sentences if s.segment.role != "headline" for e in s.entities}
    for s in sentences:
        if s.segment.role == "headline":
            s.entities = [e for e in s.entities if e.name in body_names]
    _resolve_speakers(text, sentences, quotes)
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
        claim = _candidate(text, sentence, decision, surnames, quotes)
        if claim is not None:
            result.claims.append(claim)
    result.claims = _merge_quotations(text, result.claims, quotes)
    return result


def _merge_quotations(
    text: str, claims: list[ClaimCandidate], quotes: list[tuple[int, int]]
) -> list[ClaimCandidate]:
    """One claim for one quotation: '"The budget is balanced. Every school gets new funding,"
    she concluded.' is one thing she said, and whether she said it is checked once.

    Adjacent quote claims of one paragraph, with the same speaker and cue, whose words sit in
    the same quotation, become one claim over their sentences; the content is the quotation.
    """
    merged: list[ClaimCandidate] = []
    for claim in claims:
        last = merged[-1] if merged else None
        if last is not None and _same_quotation(text, last, claim, quotes):
            top = last if last.score >= claim.score else claim
            merged[-1] = dataclasses.replace(
                top,
                start=last.start,
                text=text[last.start : claim.end],
                end=claim.end,
                is_headline=last.is_headline,
                reasons=tuple(dict.fromkeys((*last.reasons, *claim.reasons))),
                content_start=last.content_start,
                content_end=claim.content_end,
                quantities=(*last.quantities, *claim.quantities),
                entities=(*last.entities, *claim.entities),
            )
            continue
        merged.append(claim)
    return [c for c in merged if is_verbatim(text, c)]


def _same_quotation(
    text: str, a: ClaimCandidate, b: ClaimCandidate, quotes: list[tuple[int, int]]
) -> bool:
    if a.kind != "quote" or b.kind != "quote" or a.claimant is None:
        return False
    if a.paragraph_start != b.paragraph_start or text[a.end : b.start].strip():
        return False
    if (a.claimant_start, a.claimant_end, a.cue) != (b.claimant_start, b.claimant_end, b.cue):
        return False
    if a.content_start is None or b.content_start is None or b.content_end is None:
        return False
    return any(q0 <= a.content_start and b.content_end <= q1 for q0, q1 in quotes)


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
        claimant_name=found.claimant_name,
        note=found.note,
    )


def _resolve_speakers(text: str, sentences: list[_Sentence], quotes: list[tuple[int, int]]) -> None:
    """Pronouns and roles to the person meant, names to their fullest form (``speakers``)."""
    persons = []
    paragraph_starts: list[int] = []
    for s in sentences:
        while len(paragraph_starts) <= s.paragraph:
            paragraph_starts.append(s.segment.start)
        for e in s.entities:
            if e.label == "PERSON":
                a, b = s.segment.to_original(e.start, e.end)
                persons.append(Person(a, b, e.name, s.paragraph))
    resolved = resolve_speakers(
        text,
        [s.attribution for s in sentences],
        [s.paragraph for s in sentences],
        persons,
        quotes,
        paragraph_starts,
    )
    for s, found in zip(sentences, resolved, strict=True):
        s.attribution = found


def _candidate(
    text: str,
    sentence: _Sentence,
    decision: Decision,
    surnames: dict[str, str],
    quotes: list[tuple[int, int]],
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
        kind=_speech_kind(decision.kind, found, quotes),
        reasons=(*decision.reasons, found.note) if found and found.note else decision.reasons,
        claimant=claimant,
        claimant_start=cs,
        claimant_end=ce,
        claimant_name=(found.claimant_name or claimant) if found and claimant else None,
        cue=found.cue if found else None,
        content_start=found.content_start if found else None,
        content_end=found.content_end if found else None,
        quantities=tuple(sentence.quantities),
        entities=tuple(entities),
        is_headline=segment.role == "headline",
        priority=priority_for(decision.score, decision.label, decision.kind, decision.reasons),
    )
    return candidate if is_verbatim(text, candidate) else None


def _speech_kind(kind: Kind, found: attr.Attribution | None, quotes: list[tuple[int, int]]) -> Kind:
    """A short quoted sentence ("The budget is balanced.") is a quote too: what counts is
    whether the attributed words sit inside quotation marks, not how many of them there are."""
    if kind not in ("quote", "attribution") or found is None or found.content_start is None:
        return kind
    inside = any(a <= found.content_start and found.content_end <= b for a, b in quotes)
    return "quote" if inside else kind


def is_verbatim(text: str, claim: ClaimCandidate) -> bool:
    """The offset contract every claim must meet before it leaves this module."""
    return (
        text[claim.start : claim.end] == claim.text
        and claim.paragraph_start <= claim.start < claim.end <= claim.paragraph_end
        and all(text[q.start : q.end] == q.text for q in claim.quantities)
        and all(text[e.start : e.end] == e.text for e in claim.entities)
    )
