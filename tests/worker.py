"""Start and stop a real `celery worker` subprocess on the test database and Redis broker."""

import os
import signal
import subprocess
import sys
import time

import pytest
import redis
from django.conf import settings
from django.db import connection

from tests.conftest import REPO_ROOT


def require_production_services() -> None:
    """Worker tests need PostgreSQL and Redis; in CI their absence fails, elsewhere it skips."""
    reason = ""
    if connection.vendor != "postgresql":
        reason = "needs PostgreSQL (DATABASE_URL=postgres://...)"
    elif not settings.CELERY_BROKER_URL.startswith("redis://"):
        reason = "needs Redis (CELERY_BROKER_URL=redis://...)"
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"this test {reason}; ./dev test sets both")
        pytest.skip(reason)


def flush_broker() -> None:
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()


def start_worker(*, data_dir, **env_overrides: str) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "FACTCHECK_DATA_DIR": str(data_dir),
        **env_overrides,
    }
    return subprocess.Popen(
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
        start_new_session=True,  # its own process group, so a kill reaches the pool children
    )


def stop_worker(worker: subprocess.Popen, *, kill: bool = False) -> None:
    if worker.poll() is not None:
        return
    os.killpg(worker.pid, signal.SIGKILL if kill else signal.SIGTERM)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def wait_for(predicate, *, timeout: float, what: str, worker=None) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if worker is not None:
            exit_code = worker.poll()
            assert exit_code is None, f"the worker died (exit {exit_code}) before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.3)
