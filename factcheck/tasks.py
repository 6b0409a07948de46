"""Celery tasks: ids in, re-fetch, one service call. Names are stable: they are a wire protocol.

Retry policy: extraction errors are bugs or bad input and fail the article with a reason;
Wikipedia failures are recorded on the claim by the service and retried by the sweep, so no
task retries blindly on every exception.

Every task is acknowledged late and handed back to the queue if its worker process dies
(CELERY_TASK_ACKS_LATE and CELERY_TASK_REJECT_ON_WORKER_LOST; tests/test_sweep.py checks each
registered task): all of them are safe to run twice. Work whose worker died with its message
(SIGKILL of the whole worker, a lost broker) is re-queued by the sweep once its lease lapses.
"""

from celery import shared_task

from factcheck import services


@shared_task(name="factcheck.process_article", acks_late=True)
def process_article(article_id: int) -> None:
    """Send an article to the step it needs next (new articles and the sweep start here)."""
    services.article_process(article_id=article_id)


@shared_task(name="factcheck.extract_article_claims", acks_late=True)
def extract_article_claims(article_id: int) -> None:
    """Extract the claims of the next chunk of one article with spaCy (extraction queue,
    CPU-bound); the service queues the following chunk behind whatever is waiting."""
    services.article_extract_claims(article_id=article_id)


@shared_task(name="factcheck.fetch_article_pages", acks_late=True)
def fetch_article_pages(article_id: int) -> None:
    """Fetch the Wikipedia pages and searches the waiting claims of an article need into the
    page store, then queue their ranking (wikipedia queue: I/O, one worker in the deployment,
    at most WIKIPEDIA_MAX_CONCURRENCY requests in flight; the offline corpus runs unthrottled)."""
    services.article_fetch_pages(article_id=article_id)


@shared_task(name="factcheck.rank_article_evidence", acks_late=True)
def rank_article_evidence(article_id: int) -> None:
    """Rank stored sentences for the waiting claims of an article, as a batch (ranking queue:
    CPU, any number of processes and machines, never the network)."""
    services.article_rank_evidence(article_id=article_id)


@shared_task(name="factcheck.gather_claim_evidence", acks_late=True)
def gather_claim_evidence(claim_id: int) -> None:
    """Kept for messages queued before evidence went article by article: fetch (then rank)
    the claim's article."""
    services.claim_request_evidence(claim_id=claim_id)


@shared_task(name="factcheck.sweep_stuck_work")
def sweep_stuck_work() -> None:
    """Periodic (beat, every SWEEP_INTERVAL_SECONDS): re-queue work whose lease lapsed (a dead
    worker's, or work whose message a broker restart lost) and due evidence retries."""
    services.sweep_stuck_work()


@shared_task(name="factcheck.poll_feeds")
def poll_feeds() -> None:
    """Periodic (beat, every minute): queue a poll of each active feed that is due."""
    services.feeds_enqueue_due()


@shared_task(name="factcheck.poll_feed", acks_late=True)
def poll_feed(feed_id: int) -> None:
    """Poll one feed and ingest its new entries. Safe to run twice: the service claims the
    feed first, and does nothing if it is not due, gone, or another worker has it. Failures
    are recorded on the feed, which the next due poll retries with backoff."""
    services.feed_poll(feed_id=feed_id)
