"""The Celery application. Configuration lives in settings.py under the CELERY_ prefix.

Every worker node also records a heartbeat (factcheck.heartbeat) from a thread in its main
process, started when the worker is ready and stopped when it shuts down, so the admin can
warn when no worker is running.
"""

import os

from celery import Celery
from celery.signals import worker_ready, worker_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")

app = Celery("factcheck")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The running worker's heartbeat thread; None outside a worker process.
_heartbeat = None


@worker_ready.connect
def heartbeat_start(sender, **kwargs) -> None:
    """Start recording this worker's heartbeat (sender is the worker's consumer)."""
    global _heartbeat
    from django.conf import settings

    # Imported here: this module is imported while Django sets up, before models can be.
    from factcheck.heartbeat import HeartbeatThread

    _heartbeat = HeartbeatThread(
        hostname=sender.hostname, interval=settings.WORKER_HEARTBEAT_INTERVAL_SECONDS
    )
    _heartbeat.start()


@worker_shutdown.connect
def heartbeat_stop(sender, **kwargs) -> None:
    """Stop the heartbeat thread; the last heartbeat then goes stale on its own."""
    global _heartbeat
    if _heartbeat is not None:
        _heartbeat.stop()
        _heartbeat = None
