"""Leases on claimed work, the sweep that re-queues lapsed work, and the Celery settings that
bring a dead worker's work back (services and settings; real workers: test_worker_faults.py)."""

import threading
import time
from datetime import timedelta
from functools import partial
from unittest import mock

import pytest
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from factcheck import services, tasks
from factcheck.celery import app
from factcheck.models import Article, Claim
from tests.factories import make_article, make_claim

pytestmark = pytest.mark.django_db


def lapsed() -> timezone.datetime:
    return timezone.now() - services.stale_after() - timedelta(seconds=1)


def article_in(status: str, *, since) -> Article:
    article = make_article(status=status)
    Article.objects.filter(pk=article.pk).update(status_changed_at=since)
    return article


@pytest.fixture
def sent():
    """The messages the sweep sends, by task name, instead of sending them."""
    with (
        mock.patch.object(tasks.process_article, "delay") as articles,
        mock.patch.object(tasks.rank_article_evidence, "delay") as ranks,
        mock.patch.object(tasks.fetch_article_pages, "delay") as fetches,
    ):
        yield lambda: {
            "articles": [c.args[0] for c in articles.call_args_list],
            "ranked": [c.args[0] for c in ranks.call_args_list],
            "fetched": [c.args[0] for c in fetches.call_args_list],
        }


def test_the_sweep_requeues_a_queued_article_whose_message_was_lost(sent):
    lost = article_in(Article.Status.QUEUED, since=lapsed())
    article_in(Article.Status.QUEUED, since=timezone.now())  # its message is on its way

    report = services.sweep_stuck_work()

    assert sent()["articles"] == [lost.pk]
    assert report.articles_requeued == 1


def test_a_lapsed_extraction_goes_back_to_the_queue_for_any_worker_to_claim(sent):
    article = article_in(Article.Status.EXTRACTING, since=lapsed())

    services.sweep_stuck_work()

    article.refresh_from_db()
    assert article.status == Article.Status.QUEUED
    assert sent()["articles"] == [article.pk]
    assert services.article_claim_step(
        article_id=article.pk,
        from_status=Article.Status.QUEUED,
        to_status=Article.Status.EXTRACTING,
    )


def test_the_sweep_sends_each_lapsed_article_once_per_lease(sent):
    article = article_in(Article.Status.GATHERING, since=lapsed())

    services.sweep_stuck_work()
    services.sweep_stuck_work()
    assert sent()["articles"] == [article.pk]

    later = timezone.now() + services.stale_after() + timedelta(seconds=1)
    services.sweep_stuck_work(now=later)
    assert sent()["articles"] == [article.pk, article.pk]


def test_a_lapsed_ranking_is_pending_again_holds_its_article_back_and_is_ranked_again(sent):
    article = article_in(Article.Status.GATHERING, since=timezone.now())
    claim = make_claim(
        article=article,
        evidence_status=Claim.EvidenceStatus.GATHERING,
        evidence_retry_at=timezone.now() - timedelta(seconds=1),
    )

    report = services.sweep_stuck_work()
    services.sweep_stuck_work()

    claim.refresh_from_db()
    assert claim.evidence_status == Claim.EvidenceStatus.PENDING
    assert sent() == {"articles": [], "ranked": [article.pk], "fetched": []}
    assert report.claims_requeued == 1
    assert not services.article_mark_ready_if_done(article_id=article.pk)
    assert services.claims_claim_for_ranking(article_id=article.pk) == [claim.pk]


def test_a_claim_due_for_a_retry_has_its_article_fetched_again_once_per_lease(sent):
    article = article_in(Article.Status.READY, since=timezone.now())
    claim = make_claim(
        article=article,
        evidence_status=Claim.EvidenceStatus.UNAVAILABLE,
        evidence_retry_at=timezone.now() - timedelta(seconds=1),
    )

    report = services.sweep_stuck_work()
    services.sweep_stuck_work()

    assert sent() == {"articles": [], "ranked": [], "fetched": [article.pk]}
    assert report.claims_requeued == 1
    claim.refresh_from_db()
    assert claim.evidence_status == Claim.EvidenceStatus.UNAVAILABLE


def test_the_sweep_leaves_work_alone_while_its_lease_runs(sent):
    article_in(Article.Status.EXTRACTING, since=timezone.now())
    make_claim(
        article=article_in(Article.Status.GATHERING, since=timezone.now()),
        evidence_status=Claim.EvidenceStatus.GATHERING,
        evidence_retry_at=timezone.now() + services.stale_after(),
    )

    report = services.sweep_stuck_work()

    assert report == services.SweepReport(articles_requeued=0, claims_requeued=0)
    assert sent() == {"articles": [], "ranked": [], "fetched": []}


def other_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_running_work_keeps_its_lease_and_lets_it_lapse_once_it_stops(sent, settings):
    if connection.vendor != "postgresql":
        pytest.skip("counts the renewal thread's connections in pg_stat_activity")
    settings.WORK_LEASE_SECONDS = 1  # renewed every third of a second
    article = article_in(Article.Status.EXTRACTING, since=timezone.now())
    renew = partial(
        services.article_renew_lease, article_id=article.pk, status=Article.Status.EXTRACTING
    )
    connections_before = other_connections()

    with services.lease_kept(renew):
        time.sleep(2.5)  # two and a half leases of "spaCy"
        assert services.sweep_stuck_work().articles_requeued == 0

    assert not [t for t in threading.enumerate() if t.name == "lease-renewal"]
    # The renewal closed its connection (the server notices within moments).
    deadline = time.monotonic() + 5
    while other_connections() > connections_before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert other_connections() == connections_before
    time.sleep(1.2)
    assert services.sweep_stuck_work().articles_requeued == 1


def test_a_failed_renewal_is_tried_again(settings):
    settings.WORK_LEASE_SECONDS = 0.3
    renew = mock.Mock(side_effect=[DatabaseError("connection dropped"), True, True, True, True])

    with services.lease_kept(renew):
        time.sleep(0.5)

    assert renew.call_count >= 2


def test_every_task_is_acknowledged_late_and_requeued_if_its_worker_is_lost():
    ours = {name: task for name, task in app.tasks.items() if name.startswith("factcheck.")}

    assert set(ours) >= {
        "factcheck.process_article",
        "factcheck.extract_article_claims",
        "factcheck.fetch_article_pages",
        "factcheck.gather_claim_evidence",
        "factcheck.sweep_stuck_work",
    }
    for task in ours.values():
        assert task.acks_late is True, task.name
        assert task.reject_on_worker_lost is True, task.name


def test_a_dead_workers_work_resumes_within_two_minutes_by_default():
    # Killed just after renewing, its lease lapses one lease later; the next sweep re-queues it.
    assert settings.WORK_LEASE_SECONDS + settings.SWEEP_INTERVAL_SECONDS <= 90
    sweep = settings.CELERY_BEAT_SCHEDULE["sweep-stuck-work"]
    assert sweep["task"] == "factcheck.sweep_stuck_work"
    assert sweep["schedule"] == settings.SWEEP_INTERVAL_SECONDS
    assert settings.CELERY_BEAT_SCHEDULE_FILENAME.startswith(str(settings.DATA_DIR))


def test_workers_reconnect_to_the_broker_forever_and_keep_running_tasks():
    assert app.conf.broker_connection_retry_on_startup is True
    assert app.conf.broker_connection_max_retries is None
    assert app.conf.worker_cancel_long_running_tasks_on_connection_loss is False


def test_redis_redelivers_no_message_whose_task_may_still_be_running():
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("the visibility timeout is a Redis transport option")
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert options["visibility_timeout"] >= 2 * settings.CELERY_TASK_TIME_LIMIT
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT


def test_database_connections_are_checked_before_reuse():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_a_worker_process_that_outgrew_400_mb_is_replaced_after_its_task():
    # Billiard compares the process's peak RSS in KiB with this after each task; the
    # measured peak of a bench_pipeline run is about 380 MB, so recycling is the exception.
    assert app.conf.worker_max_memory_per_child == 400 * 1024
