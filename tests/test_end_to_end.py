"""Seed 000 from ingest to a published verdict page, through a real Celery worker process on
Redis and PostgreSQL, with evidence fetched by the live Wikipedia source from the local
MediaWiki API double."""

import json
import re

import pytest

from factcheck.management.commands.ingest import ingest_path
from factcheck.models import Article, Claim
from reviews import services as review_services
from reviews.models import Review, Verdict
from tests.conftest import SEED_000
from tests.worker import (
    flush_broker,
    require_production_services,
    start_worker,
    stop_worker,
    wait_for,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def celery_worker_process(wikipedia_double, tmp_path):
    """A real `celery worker` subprocess, taking evidence from the live source pointed at the
    local MediaWiki API double."""
    require_production_services()
    flush_broker()
    worker = start_worker(
        data_dir=tmp_path,
        EVIDENCE_SOURCE="live",
        WIKIPEDIA_API_URL=wikipedia_double.api_url,
        WIKIPEDIA_CONTACT="factcheck-tests@example.org",
    )
    yield worker
    stop_worker(worker)


def test_seed_000_goes_from_ingest_to_a_published_verdict_page(
    celery_worker_process, wikipedia_double, reviewer, editor, client
):
    outcome = ingest_path(SEED_000)
    assert outcome.startswith("ingested:"), outcome
    article = Article.objects.get()

    wait_for(
        lambda: Article.objects.filter(
            pk=article.pk, status__in=[Article.Status.READY, Article.Status.FAILED]
        ).exists(),
        timeout=240,
        what="the article to be processed",
        worker=celery_worker_process,
    )
    article.refresh_from_db()
    assert article.status == Article.Status.READY, article.error_message

    claim = Claim.objects.get(article=article, text__contains="150,000 troops")
    assert claim.claimant.endswith("Putin")
    assert any(q["value"] == 150000 for q in claim.quantities)
    assert claim.evidence.exists()
    assert {e.page.revision_id is not None for e in claim.evidence.all()} == {True}
    assert wikipedia_double.request_count > 0

    review_services.review_assign(claim=claim, assignee=reviewer, assigned_by=editor)
    review_services.review_submit(
        claim=claim,
        reviewer=reviewer,
        verdict=Verdict.MISATTRIBUTED,
        rationale="The figure was the autumn conscription call-up, not a deployment.",
        evidence_ids=[e.pk for e in claim.evidence.all()[:1]],
    )
    review = Review.objects.get(claim=claim)
    review_services.review_publish(review=review, editor=editor)

    response = client.get(f"/verdicts/{review.pk}/")
    assert response.status_code == 200
    block = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    data = json.loads(block.group(1))
    assert data["@type"] == "ClaimReview"
    assert "150,000 troops" in data["claimReviewed"]
    assert data["reviewRating"]["alternateName"] == "Misattributed"
    assert data["itemReviewed"]["@type"] == "Claim"
    assert "Putin" in data["itemReviewed"]["author"]["name"]
    assert data["itemReviewed"]["appearance"]
    assert data["author"]["@type"] == "Organization"
    assert data["url"].endswith(f"/verdicts/{review.pk}/")
