"""Worker heartbeats: each Celery worker records that it is alive, and the desk asks whether any
worker is.

An article uploaded while no worker runs waits as Queued for nobody, and nothing in the
database says so: a queued article looks the same whether a worker is about to take it or
none exists. So every worker node (factcheck.celery starts a HeartbeatThread on worker_ready)
upserts one WorkerHeartbeat row per host name every WORKER_HEARTBEAT_INTERVAL_SECONDS, and the
admin warns when the newest row is older than WORKER_HEARTBEAT_STALE_SECONDS. The check is a
time comparison on the database, so it works whatever the broker (Redis, the filesystem
transport) and needs no broker round-trip from the web process.
"""

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections
from django.utils import timezone

from factcheck.models import WorkerHeartbeat

log = logging.getLogger(__name__)


def heartbeat_is_fresh(seen_at: datetime | None, *, now: datetime, stale_seconds: float) -> bool:
    """Whether a heartbeat seen at seen_at (None: never) still shows a live worker at now."""
    return seen_at is not None and now - seen_at < timedelta(seconds=stale_seconds)


def latest_heartbeat() -> datetime | None:
    """When any worker last recorded a heartbeat, or None if none ever did (one query)."""
    return WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()


def workers_alive(now: datetime | None = None) -> bool:
    """Whether some worker recorded a heartbeat within WORKER_HEARTBEAT_STALE_SECONDS."""
    return heartbeat_is_fresh(
        latest_heartbeat(),
        now=now or timezone.now(),
        stale_seconds=settings.WORKER_HEARTBEAT_STALE_SECONDS,
    )


def heartbeat_record(*, hostname: str, now: datetime | None = None) -> None:
    """Record that the worker hostname is alive at now: one upsert on the unique host name.

    Running it again moves seen_at forward and stores no second row. Not audited: it is a
    sign of life, not a change anyone made.
    """
    WorkerHeartbeat.objects.update_or_create(
        hostname=hostname, defaults={"seen_at": now or timezone.now()}
    )


class HeartbeatThread(threading.Thread):
    """Calls record(hostname=...) at once and then every interval seconds until stop().

    A daemon thread in the worker's main process: it ends with the process even if nobody
    stops it. A failed write (the database restarting, say) is logged and tried again next
    round; it must never take the worker down with it. The thread's database connection is
    closed after every round, so a dropped connection is simply reopened next time and no idle
    connection is held for the whole life of the worker.
    """

    def __init__(
        self,
        *,
        hostname: str,
        interval: float,
        record: Callable[..., None] = heartbeat_record,
    ) -> None:
        super().__init__(name=f"heartbeat-{hostname}", daemon=True)
        self.hostname = hostname
        self.interval = interval
        self.record = record
        self._stopped = threading.Event()

    def run(self) -> None:
        while True:
            self.beat_once()
            if self._stopped.wait(self.interval):
                return

    def beat_once(self) -> None:
        try:
            self.record(hostname=self.hostname)
        except Exception:
            # Any failure at all: a missed heartbeat only shows a banner, a dead thread would
            # show it for as long as the worker runs.
            log.warning("could not record the heartbeat of %s", self.hostname, exc_info=True)
        finally:
            try:
                connections.close_all()  # this thread's connections only: they are per thread
            except Exception:
                log.warning("could not close the heartbeat's database connection", exc_info=True)

    def stop(self, timeout: float = 5) -> None:
        """Ask the thread to end after the write in hand, and wait for it up to timeout."""
        self._stopped.set()
        if self.is_alive():
            self.join(timeout)
