"""Worker heartbeats: a real worker records its own, and the admin warns while none is recent,
at the cost of one query on admin pages for staff and none anywhere else."""

import logging
import threading
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from factcheck.heartbeat import (
    HeartbeatThread,
    heartbeat_is_fresh,
    heartbeat_record,
    workers_alive,
)
from factcheck.models import WorkerHeartbeat
from tests.worker import (
    flush_broker,
    require_production_services,
    start_worker,
    stop_worker,
    wait_for,
)

BANNER = "No worker is running: articles you add will wait as Queued until one starts"
ADMIN_PAGES = [
    "/admin/factcheck/article/",
    "/admin/factcheck/article/add/",
    "/admin/reviews/queueclaim/",
]


def heartbeat_queries(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "factcheck_workerheartbeat" in q["sql"]]


def seconds_ago(seconds: float):
    return timezone.now() - timedelta(seconds=seconds)


# --- Is any worker alive ---------------------------------------------------------------------


def test_a_heartbeat_is_fresh_until_it_is_stale_seconds_old():
    now = timezone.now()
    assert heartbeat_is_fresh(now - timedelta(seconds=59.9), now=now, stale_seconds=60)
    assert not heartbeat_is_fresh(now - timedelta(seconds=60), now=now, stale_seconds=60)
    assert not heartbeat_is_fresh(None, now=now, stale_seconds=60)


@pytest.mark.django_db
def test_workers_count_as_alive_while_the_newest_heartbeat_is_fresh():
    assert not workers_alive()
    stale = settings.WORKER_HEARTBEAT_STALE_SECONDS
    heartbeat_record(hostname="celery@gone", now=seconds_ago(stale * 10))
    heartbeat_record(hostname="celery@quiet", now=seconds_ago(stale + 1))
    assert not workers_alive()
    heartbeat_record(hostname="celery@busy", now=seconds_ago(1))
    assert workers_alive()
    assert not workers_alive(now=timezone.now() + timedelta(seconds=stale))


@pytest.mark.django_db
def test_recording_a_heartbeat_twice_moves_it_forward_and_stores_one_row():
    heartbeat_record(hostname="celery@host", now=seconds_ago(30))
    heartbeat_record(hostname="celery@host", now=seconds_ago(1))
    row = WorkerHeartbeat.objects.get()
    assert row.hostname == "celery@host"
    assert timezone.now() - row.seen_at < timedelta(seconds=5)


# --- The heartbeat thread --------------------------------------------------------------------


def test_the_heartbeat_thread_logs_a_failed_write_and_keeps_beating(caplog):
    beats: list[str] = []
    third_beat = threading.Event()

    def record(*, hostname: str) -> None:
        beats.append(hostname)
        if len(beats) == 1:
            raise OperationalError("the database is restarting")
        if len(beats) == 3:
            third_beat.set()

    thread = HeartbeatThread(hostname="celery@flaky", interval=0.01, record=record)
    with caplog.at_level(logging.WARNING, logger="factcheck.heartbeat"):
        thread.start()
        assert third_beat.wait(timeout=10), "the thread stopped beating after a failed write"
        thread.stop()
    assert not thread.is_alive()
    assert thread.daemon
    assert "could not record the heartbeat of celery@flaky" in caplog.text
    assert "the database is restarting" in caplog.text


def test_a_stopped_heartbeat_thread_writes_no_more():
    beats: list[float] = []
    thread = HeartbeatThread(
        hostname="celery@h", interval=0.01, record=lambda **_: beats.append(time.monotonic())
    )
    thread.start()
    wait_for(lambda: len(beats) >= 2, timeout=10, what="two heartbeats")
    thread.stop()
    count = len(beats)
    time.sleep(0.1)
    assert len(beats) == count


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_records_its_heartbeat_until_it_shuts_down(tmp_path):
    require_production_services()
    flush_broker()
    worker = start_worker(
        data_dir=tmp_path, beat=False, concurrency=1, WORKER_HEARTBEAT_INTERVAL_SECONDS="0.5"
    )
    try:
        wait_for(
            WorkerHeartbeat.objects.exists, timeout=60, what="a first heartbeat", worker=worker
        )
        first = WorkerHeartbeat.objects.get()
        assert first.hostname.startswith("celery@")
        assert workers_alive()
        wait_for(
            lambda: WorkerHeartbeat.objects.get().seen_at > first.seen_at,
            timeout=10,
            what="the heartbeat to be renewed",
            worker=worker,
        )
        assert WorkerHeartbeat.objects.count() == 1
    finally:
        stop_worker(worker)
    assert worker.returncode == 0
    last = WorkerHeartbeat.objects.get().seen_at
    time.sleep(1.5)  # three intervals
    assert WorkerHeartbeat.objects.get().seen_at == last


# --- The banner ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admin_pages_warn_when_no_worker_ever_sent_a_heartbeat(as_editor, page):
    response = as_editor.get(page)
    assert response.status_code == 200
    assert BANNER in response.content.decode()


@pytest.mark.django_db
def test_the_warning_shows_when_the_newest_heartbeat_is_stale(as_editor):
    stale = settings.WORKER_HEARTBEAT_STALE_SECONDS
    heartbeat_record(hostname="celery@gone", now=seconds_ago(stale + 1))
    assert BANNER in as_editor.get(ADMIN_PAGES[0]).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_the_warning_goes_away_once_a_worker_sends_a_heartbeat(as_editor, page):
    assert BANNER in as_editor.get(page).content.decode()
    heartbeat_record(hostname="celery@busy")
    assert BANNER not in as_editor.get(page).content.decode()


@pytest.mark.django_db
def test_an_admin_page_looks_up_the_newest_heartbeat_once(as_editor):
    with CaptureQueriesContext(connection) as captured:
        as_editor.get("/admin/reviews/queueclaim/")
    [query] = heartbeat_queries(captured)
    assert query.startswith('SELECT "factcheck_workerheartbeat"."seen_at"')
    assert query.endswith("DESC LIMIT 1")


@pytest.mark.django_db
def test_admin_pages_keep_the_site_header_and_link_the_desk_stylesheet(as_editor):
    html = as_editor.get(ADMIN_PAGES[0]).content.decode()
    assert "Django administration" in html
    assert "| Django site admin</title>" in html
    assert "/static/factcheck/desk.css" in html


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "not staff"])
def test_the_login_page_neither_warns_nor_looks_up_heartbeats(client, who):
    if who == "not staff":
        client.force_login(User.objects.create_user(username="reader", password="pw-reader"))
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/admin/login/")
    assert response.status_code == 200
    assert BANNER not in response.content.decode()
    assert heartbeat_queries(captured) == []


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "not staff", "reviewer"])
@pytest.mark.parametrize("page", ["/", "/verdicts/"])
def test_public_pages_never_look_up_heartbeats(client, reviewer, who, page):
    if who == "not staff":
        client.force_login(User.objects.create_user(username="reader", password="pw-reader"))
    elif who == "reviewer":
        client.force_login(reviewer)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page)
    assert response.status_code == 200
    assert BANNER not in response.content.decode()
    assert heartbeat_queries(captured) == []


def test_a_worker_warns_when_pytorch_sits_beside_it(monkeypatch, caplog):
    import importlib.util

    from factcheck import celery as celery_app

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: object() if name == "torch" else real_find_spec(name, *a),
    )
    with caplog.at_level("WARNING", logger="factcheck.celery"):
        assert celery_app.warn_if_torch_installed() is True
    assert "PyTorch is installed" in caplog.text

    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "torch" else real_find_spec(name, *a),
    )
    assert celery_app.warn_if_torch_installed() is False
