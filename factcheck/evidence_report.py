"""Measure the evidence step as the pipeline really runs it: retrieval quality over the seed
gold, and Wikipedia requests per claim, cold and warm, against naive wikipedia-api use.

It ingests and extracts the seed articles and gathers their evidence with the real services,
inside a transaction that is rolled back at the end, so it leaves the database as it found it
and queues nothing (on-commit callbacks never fire).
"""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import wikipediaapi
from django.db import transaction

from factcheck import services
from factcheck.evidence.ranking import candidate_titles
from factcheck.evidence.types import EvidenceSource
from factcheck.ingestion import read_document
from factcheck.models import Article, Claim, Evidence


@dataclass(frozen=True)
class GoldOutcome:
    gold_id: str
    pages: tuple[str, ...]
    extracted: bool
    evidence_pages: tuple[str, ...]  # page of each evidence sentence, best first

    @property
    def rank(self) -> int | None:
        for position, title in enumerate(self.evidence_pages, start=1):
            if title in self.pages:
                return position
        return None


@dataclass
class EvidenceReport:
    claims: int = 0
    cold_requests: int = 0
    warm_requests: int = 0
    naive_requests: int = 0
    naive_pages: int = 0
    naive_found: int = 0
    gold: list[GoldOutcome] = field(default_factory=list)
    worked_example_pages: tuple[str, ...] = ()
    worked_example_hints: tuple[str, ...] = ()

    @property
    def recall_at_5(self) -> float:
        found = [g for g in self.gold if g.rank is not None and g.rank <= 5]
        return len(found) / len(self.gold) if self.gold else 0.0

    @property
    def mrr(self) -> float:
        return sum(1 / g.rank for g in self.gold if g.rank) / len(self.gold) if self.gold else 0.0

    def per_claim(self, requests: int) -> float:
        return requests / self.claims if self.claims else 0.0

    def lines(self) -> list[str]:
        missed = [g.gold_id for g in self.gold if g.rank is None or g.rank > 5]
        return [
            f"claims extracted from the seeds: {self.claims}",
            f"gold claims with a page in the source: {len(self.gold)}",
            f"recall@5 (gold page among the top-5 evidence pages): {self.recall_at_5:.3f}",
            f"MRR: {self.mrr:.3f}",
            f"missed: {', '.join(missed) or 'none'}",
            f"requests cold: {self.cold_requests} "
            f"({self.per_claim(self.cold_requests):.3f} per claim)",
            f"requests warm: {self.warm_requests} "
            f"({self.per_claim(self.warm_requests):.3f} per claim)",
            f"naive wikipedia-api page() per candidate title: {self.naive_requests} requests for "
            f"{self.naive_pages} titles, {self.naive_found} of them existing pages "
            f"({self.per_claim(self.naive_requests):.3f} per claim)",
            "ratio naive/cold: "
            + (f"{self.naive_requests / self.cold_requests:.1f}x" if self.cold_requests else "n/a"),
            f"150,000 troops claim, evidence pages: {', '.join(self.worked_example_pages)}",
            f"150,000 troops claim, hints: {', '.join(self.worked_example_hints)}",
        ]


def load_gold(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))["articles"]


def run_evidence_report(
    *,
    seed_paths: Sequence[Path],
    gold_path: Path,
    source_factory: Callable[[], EvidenceSource],
    request_counter: Callable[[], int],
    naive_client_factory: Callable[[], wikipediaapi.Wikipedia] | None = None,
    known_titles: Callable[[str], bool],
) -> EvidenceReport:
    """Run extraction and evidence over the seeds and measure. `request_counter` reads the
    server's request total (the API double's), so every request is counted, whoever sends it;
    `known_titles` says whether the source has a page, to pick the gold claims that count."""
    report = EvidenceReport()
    gold = load_gold(gold_path)
    with transaction.atomic():
        articles = [ingest_and_extract(path) for path in seed_paths]
        claim_ids = list(
            Claim.objects.filter(article__in=articles).order_by("pk").values_list("pk", flat=True)
        )
        report.claims = len(claim_ids)

        report.cold_requests = gather_all(articles, claim_ids, source_factory, request_counter)
        report.gold = gold_outcomes(articles, gold, known_titles)
        worked = Claim.objects.filter(article__in=articles, text__contains="150,000 troops").first()
        if worked is not None:
            report.worked_example_pages = tuple(
                dict.fromkeys(
                    worked.evidence.order_by("rank").values_list("page__title", flat=True)
                )
            )
            report.worked_example_hints = tuple(h["kind"] for h in worked.evidence_hints)

        Claim.objects.filter(pk__in=claim_ids).update(evidence_status=Claim.EvidenceStatus.PENDING)
        Article.objects.filter(pk__in=[a.pk for a in articles]).update(
            status=Article.Status.GATHERING
        )
        report.warm_requests = gather_all(articles, claim_ids, source_factory, request_counter)

        if naive_client_factory is not None:
            titles = list(
                dict.fromkeys(
                    title
                    for claim in Claim.objects.filter(pk__in=claim_ids).select_related("article")
                    for title in candidate_titles(services.claim_query(claim))
                )
            )
            before = request_counter()
            client = naive_client_factory()
            for title in titles:
                page = client.page(title)
                if page.exists():
                    _ = page.text, page.lastrevid
                    report.naive_found += 1
            report.naive_requests = request_counter() - before
            report.naive_pages = len(titles)
        transaction.set_rollback(True)
    return report


def ingest_and_extract(path: Path) -> Article:
    draft = read_document(path.read_bytes(), filename=path.name, max_bytes=10**7)
    article = services.article_ingest(draft=draft).article
    services.article_extract_claims(article_id=article.pk)
    article.refresh_from_db()
    return article


def gather_all(articles, claim_ids, source_factory, request_counter) -> int:
    """The pipeline's evidence step, in the order the tasks run it; returns requests sent."""
    before = request_counter()
    source = source_factory()
    try:
        for article in articles:
            services.article_prefetch_pages(article=article, source=source)
        for claim_id in claim_ids:
            services.claim_gather_evidence(claim_id=claim_id, source=source)
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()
    return request_counter() - before


def gold_outcomes(articles, gold: dict, known_titles: Callable[[str], bool]) -> list[GoldOutcome]:
    outcomes = []
    for article in articles:
        for item in gold.get(article.source_name, {}).get("claims", []):
            pages = tuple(p for p in item.get("pages", []) if known_titles(p))
            if not pages:
                continue
            claim = claim_holding(article, item["anchor"])
            evidence_pages: tuple[str, ...] = ()
            if claim is not None:
                evidence_pages = tuple(
                    Evidence.objects.filter(claim=claim)
                    .order_by("rank")
                    .values_list("page__title", flat=True)
                )
            outcomes.append(
                GoldOutcome(
                    gold_id=item["id"],
                    pages=pages,
                    extracted=claim is not None,
                    evidence_pages=evidence_pages,
                )
            )
    return outcomes


def claim_holding(article: Article, anchor: str) -> Claim | None:
    """The stored claim whose span holds the gold anchor (found by text: stored articles are
    normalised, so the gold file's offsets may not line up exactly)."""
    position = article.text.find(anchor)
    if position < 0:
        return None
    return (
        Claim.objects.filter(article=article, start__lte=position, end__gte=position + len(anchor))
        .order_by("start")
        .first()
    )
