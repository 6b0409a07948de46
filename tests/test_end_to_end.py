"""Seed 000 from ingest to a published verdict page, through a real Celery worker process on
Redis and PostgreSQL, with evidence fetched by the live Wikipedia source from the local
MediaWiki API double."""

import json
import os
import re
import subprocess
import sys
import time

import pytest
import redis
from django.conf import settings
from django.db import connection

from factcheck.management.commands.ingest import ingest_path
from factcheck.models import Article, Claim
from reviews import services as review_services
from reviews.models import Review, Verdict
from tests.conftest import REPO_ROOT, SEED_000

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def require_production_services() -> None:
    reason = ""
    if connection.vendor != "postgresql":
        reason = "needs PostgreSQL (DATABASE_URL=postgres://...)"
    elif not settings.CELERY_BROKER_URL.startswith("redis://"):
        reason = "needs Redis (CELERY_BROKER_URL=redis://...)"
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"the end-to-end test {reason}; ./dev test sets both")
        pytest.skip(reason)


@pytest.fixture
def celery_worker_process(wikipedia_double, tmp_path):
    """A real `celery worker` subprocess on the test database and the Redis broker."""
    require_production_services()
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "EVIDENCE_SOURCE": "live",
        "WIKIPEDIA_API_URL": wikipedia_double.api_url,
        "WIKIPEDIA_CONTACT": "factcheck-tests@example.org",
        "FACTCHECK_DATA_DIR": str(tmp_path),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "factcheck",
            "worker",
            "--queues",
            "default,extraction,wikipedia",
            "--concurrency",
            "2",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
        ],  # fmt: skip
        cwd=REPO_ROOT,
        env=env,
    )
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def wait_for(predicate, *, timeout: float, what: str, worker) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert worker.poll() is None, f"the worker died (exit {worker.returncode}) before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


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
    review_services.review_record_verdict(
        claim=claim,
        reviewer=reviewer,
        verdict=Verdict.MISATTRIBUTED,
        rationale="The figure was the autumn conscription call-up, not a deployment.",
        cited_evidence=list(claim.evidence.all()[:1]),
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
