"""Start and stop a real `celery worker` subprocess on the test database and Redis broker, and
a Redis server of a test's own that it may stop and start again."""

import os
import signal
import socket
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


def subprocess_env(*, data_dir, **env_overrides: str) -> dict[str, str]:
    """The environment of a manage.py or celery subprocess on the test database and broker."""
    db = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "FACTCHECK_DATA_DIR": str(data_dir),
        **env_overrides,
    }


def start_worker(
    *, data_dir, beat: bool = True, concurrency: int = 2, **env_overrides: str
) -> subprocess.Popen:
    """A worker on every queue, with celery beat embedded (-B) as wherever workers run, so the
    sweep runs inside the worker under test. Its beat schedule file is kept in data_dir."""
    env = subprocess_env(data_dir=data_dir, **env_overrides)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "factcheck",
            "worker",
            "--queues",
            "default,extraction,ranking,wikipedia",
            "--concurrency",
            str(concurrency),
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            *(["--beat"] if beat else []),
        ],  # fmt: skip
        cwd=REPO_ROOT,
        env=env,
        start_new_session=True,  # its own process group, so a kill reaches the pool children
    )


def stop_worker(worker: subprocess.Popen, *, kill: bool = False) -> None:
    """Warm shutdown (SIGTERM to the main process, which stops its pool and beat), or with
    kill=True, SIGKILL to every process of the worker at once, as a crashed machine would.
    A SIGTERM to the pool processes themselves could kill one holding the pool's queue lock,
    and the main process then never exits."""
    if worker.poll() is not None:
        return
    if kill:
        os.killpg(worker.pid, signal.SIGKILL)
    else:
        worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def wait_for(predicate, *, timeout: float, what: str, worker=None, every: float = 0.3) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if worker is not None:
            exit_code = worker.poll()
            assert exit_code is None, f"the worker died (exit {exit_code}) before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_redis(port: int) -> subprocess.Popen:
    """A Redis server of the test's own that keeps nothing on disk, as a cache-style Redis
    would: whatever is queued in it is lost when it stops."""
    command = [
        "redis-server", "--port", str(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--daemonize", "no",
    ]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    client = redis.Redis(host="127.0.0.1", port=port)

    def answers() -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    wait_for(answers, timeout=10, what=f"redis-server on port {port}", worker=server, every=0.05)
    return server


def stop_redis(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        server.wait(timeout=30)
