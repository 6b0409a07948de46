"""Nothing lost, nothing doubled: real workers on Redis and PostgreSQL, with Wikipedia (the
local MediaWiki API double) misbehaving, a worker killed in the middle of its work, the broker
restarted with its queues lost, and the database dropping the workers' connections.

Every fault run is compared with one clean run of the same seed articles: each article ends
Ready with exactly the clean run's claims and evidence. Nothing but workers is needed for
that: the sweep that re-queues lapsed work runs in the worker's embedded beat (-B), never by
the test's hand. The fault runs use a short lease and sweep interval (FAST) to keep the module
quick; the defaults resume work within two minutes too (test_sweep.py checks the arithmetic).
"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from factcheck import services
from factcheck.management.commands.ingest import ingest_path
from factcheck.models import Article, Claim, Evidence, ReferencePage
from tests.conftest import REPO_ROOT, SEED_000, SEEDS_DIR
from tests.worker import (
    flush_broker,
    free_port,
    require_production_services,
    start_redis,
    start_worker,
    stop_redis,
    stop_worker,
    subprocess_env,
    wait_for,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FINISHED = [Article.Status.READY, Article.Status.FAILED]
# Two of the three seed articles: enough to interleave, quick on two cores.
SEEDS = sorted(SEEDS_DIR.glob("*.txt"))[:2]
# A 6 s lease renewed every 2 s, a sweep every 2 s: a dead worker's work resumes in seconds.
# FAULT_TESTS_WITH_DEFAULT_LEASE=1 runs the fault tests on the production defaults instead
# (each recovery then takes about 75 s).
FAST = {"WORK_LEASE_SECONDS": "6", "SWEEP_INTERVAL_SECONDS": "2"}
if os.environ.get("FAULT_TESTS_WITH_DEFAULT_LEASE") == "1":
    FAST = {}
# What the issue asks of a restart: every article Ready within two minutes.
RECOVERY_SECONDS = 120


def live_worker(double, data_dir, *, beat: bool = True, **overrides):
    env = {
        "EVIDENCE_SOURCE": "live",
        "WIKIPEDIA_API_URL": double.api_url,
        "WIKIPEDIA_CONTACT": "factcheck-tests@example.org",
        "WIKIPEDIA_TIMEOUT_SECONDS": "1",
        **overrides,
    }
    return start_worker(data_dir=data_dir, beat=beat, **env)


def assert_nothing_doubled() -> None:
    pages = Counter(ReferencePage.objects.values_list("wiki", "title", "revision_id"))
    assert max(pages.values(), default=1) == 1
    per_claim = Evidence.objects.values("claim").annotate(n=Count("id"))
    assert max((row["n"] for row in per_claim), default=0) <= 5
    sentences = Counter(Evidence.objects.values_list("claim_id", "page_id", "sentence_index"))
    assert max(sentences.values(), default=1) == 1


def pipeline_outcome() -> dict[str, dict[str, set]]:
    """Per article (by file name): its claims' spans and evidence statuses, and its evidence
    sentences, keyed by what a rerun reproduces rather than by database ids."""
    return {
        article.source_name: {
            "status": article.status,
            "claims": set(article.claims.values_list("start", "end", "evidence_status")),
            "evidence": set(
                Evidence.objects.filter(claim__article=article).values_list(
                    "claim__start", "page__title", "sentence_index"
                )
            ),
        }
        for article in Article.objects.all()
    }


def held_when(worker, condition):
    """A wait_for predicate that looks for ``condition`` with the worker held still (SIGSTOP to
    its whole process group) and lets it go on if it is not there yet. Found, the condition
    still holds when the test acts on it: a state that lasts milliseconds on a fast machine
    cannot end in between. The pause lets a commit the worker already sent land first."""

    def predicate() -> bool:
        os.killpg(worker.pid, signal.SIGSTOP)
        time.sleep(0.05)
        if condition():
            return True
        os.killpg(worker.pid, signal.SIGCONT)
        return False

    return predicate


def ingest_seeds() -> None:
    for path in SEEDS:
        assert ingest_path(path).startswith("ingested:")


def wait_until_all_ready(worker, *, timeout: float = RECOVERY_SECONDS) -> float:
    """Seconds until every seed article is Ready (fails on timeout or a failed article)."""
    started = time.monotonic()
    wait_for(
        lambda: Article.objects.filter(status__in=FINISHED).count() == len(SEEDS),
        timeout=timeout,
        what=f"all {len(SEEDS)} articles to be Ready",
        worker=worker,
    )
    failed = list(Article.objects.filter(status=Article.Status.FAILED))
    assert not failed, [(a.source_name, a.error_message) for a in failed]
    return time.monotonic() - started


def reset_database() -> None:
    """What a transactional test does after itself, for the module's clean run."""
    call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def clean_outcome(django_db_setup, django_db_blocker, tmp_path_factory):
    """The seed articles through one worker with no fault and the default lease and sweep."""
    with django_db_blocker.unblock():
        require_production_services()
        flush_broker()
        reset_database()
        worker = start_worker(data_dir=tmp_path_factory.mktemp("clean"))
        try:
            ingest_seeds()
            seconds = wait_until_all_ready(worker, timeout=300)
        finally:
            stop_worker(worker)
        outcome = pipeline_outcome()
        print(f"\nclean run: all {len(SEEDS)} articles Ready in {seconds:.1f} s")
        reset_database()
    assert all(article["claims"] and article["evidence"] for article in outcome.values())
    return outcome


@pytest.fixture
def services_ready():
    require_production_services()
    flush_broker()


def assert_same_as_clean_run(clean_outcome, what: str, seconds: float) -> None:
    print(f"{what}: all {len(SEEDS)} articles Ready {seconds:.1f} s later")
    assert pipeline_outcome() == clean_outcome
    assert_nothing_doubled()
    assert not Claim.objects.exclude(evidence_status__in=["attached", "none_found"]).exists()


def test_the_work_of_a_worker_killed_during_extraction_resumes_and_matches_a_clean_run(
    clean_outcome, services_ready, tmp_path
):
    first = start_worker(data_dir=tmp_path, **FAST)
    try:
        ingest_seeds()
        wait_for(
            lambda: Article.objects.filter(status=Article.Status.EXTRACTING).exists(),
            timeout=120,
            what="extraction to start",
            worker=first,
            every=0.02,
        )
    finally:
        stop_worker(first, kill=True)  # SIGKILL: no warm shutdown, no acknowledgement
    assert Article.objects.filter(status=Article.Status.EXTRACTING).exists()

    # The dead worker's messages stay unacknowledged in Redis for the visibility timeout
    # (22 minutes): what resumes the work is the lease running out and the sweep.
    second = start_worker(data_dir=tmp_path, **FAST)
    try:
        seconds = wait_until_all_ready(second)
    finally:
        stop_worker(second)
    assert_same_as_clean_run(clean_outcome, "killed during extraction, restarted", seconds)


def test_the_work_of_a_worker_killed_during_evidence_resumes_and_matches_a_clean_run(
    clean_outcome, services_ready, tmp_path
):
    first = start_worker(data_dir=tmp_path, **FAST)
    try:
        ingest_seeds()
        wait_for(
            held_when(
                first,
                lambda: Claim.objects.filter(
                    evidence_status=Claim.EvidenceStatus.GATHERING
                ).exists(),
            ),
            timeout=120,
            what="evidence gathering to start",
            worker=first,
            every=0.02,
        )
    finally:
        stop_worker(first, kill=True)
    assert Claim.objects.filter(evidence_status__in=["pending", "gathering"]).exists()

    second = start_worker(data_dir=tmp_path, **FAST)
    try:
        seconds = wait_until_all_ready(second)
    finally:
        stop_worker(second)
    assert_same_as_clean_run(clean_outcome, "killed during evidence, restarted", seconds)


def test_a_broker_restart_that_loses_every_queued_message_loses_no_work(
    clean_outcome, services_ready, tmp_path
):
    port = free_port()
    broker_url = f"redis://127.0.0.1:{port}/0"
    broker = start_redis(port)
    worker = start_worker(data_dir=tmp_path, CELERY_BROKER_URL=broker_url, **FAST)
    try:
        # Ingested by another process that sends its messages to this test's own broker.
        subprocess.run(
            [sys.executable, "manage.py", "ingest", *map(str, SEEDS)],
            cwd=REPO_ROOT,
            env=subprocess_env(data_dir=tmp_path, CELERY_BROKER_URL=broker_url),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        unfinished = Article.objects.exclude(status__in=FINISHED)

        def under_way() -> bool:
            # Evidence already stored for some claims, and work still queued: an article
            # waiting for extraction, its pages or its ranking. On a fast machine this lasts
            # a few hundred milliseconds, hence held_when.
            return Claim.objects.filter(evidence_status="attached").exists() and unfinished.exists()

        wait_for(
            held_when(worker, under_way),
            timeout=120,
            what="evidence gathering to get going",
            worker=worker,
            every=0.02,
        )
        stop_redis(broker)  # with --save "": every queued and unacknowledged message is gone
        assert unfinished.exists()
        os.killpg(worker.pid, signal.SIGCONT)  # held since under_way was seen
        time.sleep(3)  # the worker and its beat find the broker gone and keep retrying
        broker = start_redis(port)
        restarted = time.monotonic()
        supervised = 0

        def all_finished() -> bool:
            # kombu 5.7.0 sometimes ends the worker's main process while it reconnects:
            # "Unrecoverable error: AttributeError: 'NoneType' object has no attribute
            # 'hostname'", closing a channel that a BRPOP left half closed, with messages still
            # unacknowledged. A supervisor (systemd, Kubernetes) starts it again; so does this.
            nonlocal worker, supervised
            if worker.poll() is not None:
                assert supervised == 0, "the worker died twice"
                supervised += 1
                print(f"the worker exited ({worker.returncode}) on reconnecting: restarted")
                worker = start_worker(data_dir=tmp_path, CELERY_BROKER_URL=broker_url, **FAST)
            return Article.objects.filter(status__in=FINISHED).count() == len(SEEDS)

        wait_for(all_finished, timeout=RECOVERY_SECONDS, what="all articles to be Ready")
        seconds = time.monotonic() - restarted
    finally:
        stop_worker(worker)
        stop_redis(broker)
    assert_same_as_clean_run(clean_outcome, "broker stopped for 3 s, restarted", seconds)


def test_dropped_database_connections_lose_no_work(clean_outcome, services_ready, tmp_path):
    worker = start_worker(data_dir=tmp_path, **FAST)
    try:
        ingest_seeds()
        dropped = 0
        # Drop every connection of the worker's processes a few times while they work:
        # in extraction, in evidence, and between tasks.
        for stage in ("extracting", "gathering"):
            wait_for(
                lambda stage=stage: Article.objects.filter(status=stage).exists(),
                timeout=120,
                what=f"an article to be {stage}",
                worker=worker,
                every=0.02,
            )
            for _ in range(3):
                dropped += terminate_other_database_connections()
                time.sleep(0.3)
        assert dropped > 0
        seconds = wait_until_all_ready(worker)
    finally:
        stop_worker(worker)
    assert_same_as_clean_run(clean_outcome, "database connections last dropped", seconds)


def terminate_other_database_connections() -> int:
    """pg_terminate_backend on every other connection to the test database (the worker's)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


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

    # No beat here: this test runs the sweep itself, with a clock a day ahead.
    worker = live_worker(double, tmp_path, beat=False)
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
        # run adds no page or evidence row twice. The article's pages are fetched as one
        # piece of work, so a fault that outlasts the source's retries (the eight 500s) sends
        # it back for another retry: the sweep keeps running, a day ahead, as beat would.
        def day_ahead() -> services.SweepReport:
            return services.sweep_stuck_work(now=timezone.now() + timedelta(days=1))

        report = day_ahead()
        assert report.claims_requeued == outcomes["unavailable"]
        wait_for(
            lambda: (
                day_ahead()
                and not Claim.objects.exclude(
                    evidence_status__in=["attached", "none_found"]
                ).exists()
            ),
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
