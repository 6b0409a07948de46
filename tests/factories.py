"""Small factories for review and public-page tests: plain functions over the ORM.

Each returns a saved object with sensible defaults; pass keyword arguments to override.
"""

import datetime as dt
import hashlib
import itertools

from django.utils import timezone

from factcheck.models import Article, Claim, Evidence, ReferencePage

_seq = itertools.count(1)

PARAGRAPH = (
    "Officials met in Geneva on Monday. "
    "The health minister said that 1,200 people were evacuated from the city. "
    "Talks continue."
)
CLAIM_SENTENCE = "1,200 people were evacuated from the city."


def make_article(*, text: str = PARAGRAPH, **fields) -> Article:
    n = next(_seq)
    text = text if "{n}" not in text else text.format(n=n)
    defaults = {
        "title": f"Evacuation talks, part {n}",
        "outlet": "Example Times",
        "byline": "A. Writer",
        "published_on": dt.date(2026, 11, 20),
        "source_url": f"https://news.example.org/story-{n}",
        "text": text,
        "content_hash": hashlib.sha256(f"{n}:{text}".encode()).hexdigest(),
        "status": Article.Status.READY,
    }
    defaults.update(fields)
    return Article.objects.create(**defaults)


def make_claim(
    *, article: Article | None = None, sentence: str = CLAIM_SENTENCE, **fields
) -> Claim:
    """A claim over the first occurrence of `sentence` in the article, inside its paragraph."""
    article = article or make_article()
    start = article.text.index(sentence)
    end = start + len(sentence)
    paragraph_start = article.text.rfind("\n\n", 0, start)
    paragraph_start = 0 if paragraph_start < 0 else paragraph_start + 2
    paragraph_end = article.text.find("\n\n", end)
    paragraph_end = len(article.text) if paragraph_end < 0 else paragraph_end
    claimant_at = article.text.find("The health minister")
    defaults = {
        "article": article,
        "text": sentence,
        "start": start,
        "end": end,
        "paragraph_start": paragraph_start,
        "paragraph_end": paragraph_end,
        "score": 0.91,
        "label": Claim.Label.CHECK_WORTHY,
        "priority": Claim.Priority.HIGH,
        "kind": Claim.Kind.QUANTITY,
        "reasons": ["contains a number of people", "reported speech"],
        "claimant": "The health minister" if claimant_at >= 0 else "",
        "claimant_start": claimant_at if claimant_at >= 0 else None,
        "claimant_end": claimant_at + len("The health minister") if claimant_at >= 0 else None,
        "cue": "said" if claimant_at >= 0 else "",
        "quantities": [
            {
                "text": "1,200",
                "start": start,
                "end": start + 5,
                "value": 1200.0,
                "unit": "people",
                "bound": "exact",
            }
        ],
        "evidence_status": Claim.EvidenceStatus.ATTACHED,
        "evidence_hints": [{"kind": "quantity", "message": "Compare the number with the source."}],
    }
    defaults.update(fields)
    return Claim.objects.create(**defaults)


def make_page(*, title: str | None = None, **fields) -> ReferencePage:
    n = next(_seq)
    defaults = {
        "title": title or f"Geneva evacuation {n}",
        "revision_id": 1_000_000 + n,
        "page_id": 500 + n,
        "url": f"https://en.wikipedia.org/wiki/Geneva_evacuation_{n}",
        "sections": [{"heading": "", "text": "About 1,200 people left the city."}],
        "source": "corpus",
        "fetched_at": timezone.now(),
    }
    defaults.update(fields)
    return ReferencePage.objects.create(**defaults)


def make_evidence(
    *, claim: Claim, page: ReferencePage | None = None, rank: int = 1, **fields
) -> Evidence:
    page = page or make_page()
    defaults = {
        "sentence_index": rank - 1,
        "sentence": f"About 1,200 people left the city (sentence {rank}).",
        "section": "History",
        "score": round(1.0 / rank, 3),
        "method": "bm25",
    }
    defaults.update(fields)
    return Evidence.objects.create(claim=claim, page=page, rank=rank, **defaults)


def make_claim_with_evidence(*, n_evidence: int = 2, **fields) -> Claim:
    claim = make_claim(**fields)
    for rank in range(1, n_evidence + 1):
        make_evidence(claim=claim, rank=rank)
    return claim


def make_published_review(
    *,
    claim: Claim,
    reviewer,
    editor,
    verdict: str = "misattributed",
    rationale: str = "The minister did not say this; the agency did.",
):
    """A verdict submitted and published through the services, as the desk would."""
    from reviews import services

    review = services.review_submit(
        claim=claim,
        reviewer=reviewer,
        verdict=verdict,
        rationale=rationale,
        evidence_ids=list(claim.evidence.values_list("pk", flat=True)[:1]),
    )
    return services.review_publish(review=review, editor=editor)
