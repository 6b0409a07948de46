"""Retrieval quality against the hand annotations (shared/gold/seed_claims.json). Pure: the
gold file and the seed texts come in as data, figures go out.

For every gold claim whose `pages` name an article the source has, the claim's sentence is
turned into a ClaimQuery (capitalised phrases as entity names until extraction supplies real
ones), pages are gathered the way the pipeline gathers them (candidate titles, a search on
the article headline, a search on the claim's key phrase) and ranked. A claim counts as found
when a gold page is among the pages of the top-k sentences; MRR uses the rank of the first
sentence from a gold page.
"""

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from factcheck.evidence.ranking import (
    candidate_titles,
    heuristic_entity_names,
    key_phrase,
    rank_sentences,
)
from factcheck.evidence.text import find_numbers
from factcheck.evidence.types import ClaimQuery, EvidenceSource, PageSnapshot, RankedSentence
from factcheck.ingestion import guess_title


@dataclass(frozen=True)
class GoldCase:
    claim_id: str
    article: str  # the seed's file name
    headline: str
    sentence: str
    claimant: str | None
    pages: tuple[str, ...]


@dataclass(frozen=True)
class CaseResult:
    case: GoldCase
    ranked_pages: tuple[str, ...]  # page of each ranked sentence, best first
    rank: int | None  # 1-based rank of the first sentence from a gold page


@dataclass(frozen=True)
class EvaluationReport:
    top_k: int
    cases: tuple[CaseResult, ...]
    skipped: tuple[GoldCase, ...]  # gold pages absent from the source

    @property
    def recall_at_k(self) -> float:
        found = sum(1 for r in self.cases if r.rank is not None and r.rank <= self.top_k)
        return found / len(self.cases) if self.cases else 0.0

    @property
    def mrr(self) -> float:
        return (
            sum(1 / r.rank for r in self.cases if r.rank) / len(self.cases) if self.cases else 0.0
        )


def claim_sentence(text: str, start: int, end: int) -> str:
    """The sentence of the seed text holding text[start:end] (it may span several)."""
    ends = [m.end() - 1 for m in re.finditer(r"[.!?][\"'”’]*\s", text[:start])]
    left = max([text.rfind("\n", 0, start), *ends])
    stop = re.compile(r"[.!?][\"'”’]*(?=\s)|\n").search(text, end)
    right = stop.end() if stop else len(text)
    return " ".join(text[left + 1 : right].split())


def gold_cases(gold: Mapping, seeds: Mapping[str, str]) -> list[GoldCase]:
    """Every annotated claim of the seeds given (file name -> text)."""
    cases = []
    for article, annotations in gold["articles"].items():
        text = seeds.get(article)
        if text is None:
            continue
        headline = guess_title(text)
        for claim in annotations["claims"]:
            claimants = claim.get("claimant") or []
            cases.append(
                GoldCase(
                    claim_id=claim["id"],
                    article=article,
                    headline=headline,
                    sentence=claim_sentence(text, claim["start"], claim["end"]),
                    claimant=claimants[0] if claimants else None,
                    pages=tuple(claim.get("pages") or ()),
                )
            )
    return cases


def query_for_case(case: GoldCase) -> ClaimQuery:
    """A ClaimQuery from the sentence alone: capitalised phrases stand in for entities."""
    return ClaimQuery(
        text=case.sentence,
        claimant=case.claimant,
        entity_names=heuristic_entity_names(case.sentence),
        numbers=tuple(n.value for n in find_numbers(case.sentence) if n.is_quantity),
        context=case.headline,
    )


def gather_pages(
    source: EvidenceSource, query: ClaimQuery, headline: str = ""
) -> list[PageSnapshot]:
    """The pages the pipeline would rank for the claim, without the page store: candidate
    titles, plus searches on the headline's and the claim's key phrases."""
    titles = list(candidate_titles(query))
    if headline:
        titles += source.search(key_phrase(ClaimQuery(text=headline)), limit=5)
    titles += source.search(key_phrase(query), limit=5)
    pages = source.fetch_pages(list(dict.fromkeys(titles)))
    return list({page.title: page for page in pages.values()}.values())


def evaluate(
    cases: Sequence[GoldCase],
    source: EvidenceSource,
    *,
    top_k: int = 5,
    make_query: Callable[[GoldCase], ClaimQuery] = query_for_case,
) -> EvaluationReport:
    """recall@k and MRR of the gold pages over the claims whose gold pages the source has."""
    results, skipped = [], []
    for case in cases:
        present = set(source.fetch_pages(case.pages)) if case.pages else set()
        if not present:
            skipped.append(case)
            continue
        gold_titles = {page.title for page in source.fetch_pages(case.pages).values()}
        query = make_query(case)
        ranked: list[RankedSentence] = rank_sentences(
            query, gather_pages(source, query, case.headline), top_k=top_k
        )
        pages = tuple(item.page_title for item in ranked)
        rank = next((i for i, title in enumerate(pages, start=1) if title in gold_titles), None)
        results.append(CaseResult(case=case, ranked_pages=pages, rank=rank))
    return EvaluationReport(top_k=top_k, cases=tuple(results), skipped=tuple(skipped))
