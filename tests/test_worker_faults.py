"""Nothing lost, nothing doubled: a real worker on Redis and PostgreSQL, Wikipedia (the local
MediaWiki API double) misbehaving, and a worker killed in the middle of its work."""

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from factcheck import services
from factcheck.management.commands.ingest import ingest_path
from factcheck.models import Article, Claim, Evidence, ReferencePage
from tests.conftest import SEED_000
from tests.worker import (
    flush_broker,
    require_production_services,
    start_worker,
    stop_worker,
    wait_for,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FINISHED = [Article.Status.READY, Article.Status.FAILED]


def live_worker(double, data_dir, **overrides):
    env = {
        "EVIDENCE_SOURCE": "live",
        "WIKIPEDIA_API_URL": double.api_url,
        "WIKIPEDIA_CONTACT": "factcheck-tests@example.org",
        "WIKIPEDIA_TIMEOUT_SECONDS": "1",
        **overrides,
    }
    return start_worker(data_dir=data_dir, **env)


def assert_nothing_doubled() -> None:
    pages = Counter(ReferencePage.objects.values_list("wiki", "title", "revision_id"))
    assert max(pages.values(), default=1) == 1
    per_claim = Evidence.objects.values("claim").annotate(n=Count("id"))
    assert max((row["n"] for row in per_claim), default=0) <= 5
    sentences = Counter(Evidence.objects.values_list("claim_id", "page_id", "sentence_index"))
    assert max(sentences.values(), default=1) == 1


@pytest.fixture
def services_ready():
    require_production_services()
    flush_broker()


def test_every_claim_ends_with_evidence_or_a_scheduled_retry_under_injected_faults(
    services_ready, wikipedia_double, tmp_path
):
    double = wikipedia_double
    # Every fault the live source must survive, in the order the requests meet them; the
    # ones that outlast the source's own retries leave claims "unavailable, retry scheduled".
    double.inject("429", times=2, retry_after=1)
    double.inject("maxlag", retry_after=1)
    double.inject("500")
    double.inject("503", retry_after=1)
    double.inject("slow", delay=2.5)  # past the 1 s timeout
    double.inject("malformed", times=3)
    double.inject("500", times=8)
    double.remove_page("Vladimir Putin")
    double.edit_page("Russian military intervention in the Syrian civil war", after_requests=3)

    worker = live_worker(double, tmp_path)
    try:
        assert ingest_path(SEED_000).startswith("ingested:")
        wait_for(
            lambda: Article.objects.filter(status__in=FINISHED).exists(),
            timeout=300,
            what="the article to be processed",
            worker=worker,
        )
        article = Article.objects.get()
        assert article.status == Article.Status.READY, article.error_message
        claims = list(article.claims.all())
        outcomes = Counter(claim.evidence_status for claim in claims)
        print(f"claim outcomes under faults: {dict(outcomes)}")
        assert set(outcomes) <= {"attached", "none_found", "unavailable"}, outcomes
        for claim in claims:
            if claim.evidence_status == Claim.EvidenceStatus.UNAVAILABLE:
                assert claim.evidence_error.startswith("evidence unavailable, retry scheduled")
                assert claim.evidence_retry_at is not None
            else:
                assert claim.evidence_error == ""
        assert_nothing_doubled()

        # The periodic sweep retries what was left, once its time has come, and the second
        # run adds no page or evidence row twice.
        report = services.sweep_stuck_work(now=timezone.now() + timedelta(days=1))
        assert report.claims_requeued == outcomes["unavailable"]
        wait_for(
            lambda: not Claim.objects.exclude(
                evidence_status__in=["attached", "none_found"]
            ).exists(),
            timeout=240,
            what="the retried claims to get their evidence",
            worker=worker,
        )
    finally:
        stop_worker(worker)
    assert_nothing_doubled()
    troops = Claim.objects.get(text__contains="150,000 troops")
    assert troops.evidence.exists()
    # Each evidence sentence cites exactly the revision it was read from.
    assert all(e.page.revision_id for e in troops.evidence.select_related("page"))


def test_work_of_a_killed_worker_is_taken_over_after_its_lease(
    services_ready, wikipedia_double, tmp_path, settings
):
    settings.WORK_LEASE_SECONDS = 3
    double = wikipedia_double
    double.inject("slow", delay=0.8, times=1000)  # keep evidence gathering busy for a while
    first = live_worker(double, tmp_path, WIKIPEDIA_TIMEOUT_SECONDS="5", WORK_LEASE_SECONDS="3")
    try:
        assert ingest_path(SEED_000).startswith("ingested:")
        wait_for(
            lambda: Claim.objects.filter(evidence_status="gathering").exists(),
            timeout=120,
            what="evidence gathering to start",
            worker=first,
        )
    finally:
        stop_worker(first, kill=True)  # SIGKILL: no warm shutdown, no acknowledgement
    assert Article.objects.get().status == Article.Status.GATHERING

    double.clear_faults()  # Wikipedia is healthy again
    flush_broker()  # the dead worker's unacknowledged messages would come back much later
    second = live_worker(double, tmp_path, WORK_LEASE_SECONDS="3")
    try:
        time.sleep(3.5)  # the dead worker's leases run out
        report = services.sweep_stuck_work()  # what beat would run every few minutes
        assert report.claims_requeued + report.articles_requeued > 0
        wait_for(
            lambda: Article.objects.filter(status__in=FINISHED).exists(),
            timeout=240,
            what="the second worker to finish the article",
            worker=second,
        )
    finally:
        stop_worker(second)
    assert Article.objects.get().status == Article.Status.READY
    assert not Claim.objects.exclude(evidence_status__in=["attached", "none_found"]).exists()
    assert_nothing_doubled()
