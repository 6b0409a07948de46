"""The Celery application. Configuration lives in settings.py under the CELERY_ prefix.

Every worker node also records a heartbeat (factcheck.heartbeat) from a thread in its main
process, started when the worker is ready and stopped when it shuts down, so the admin can
warn when no worker is running.
"""

import importlib.util
import logging
import os

from celery import Celery
from celery.signals import worker_ready, worker_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")

app = Celery("factcheck")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

log = logging.getLogger(__name__)

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


@worker_ready.connect
def warn_if_torch_installed(sender=None, **kwargs) -> bool:
    """Warn when PyTorch is importable here: spaCy's thinc then imports it in every process
    that loads spaCy, which measured 152 MB against 659 MB once spaCy's model is loaded, over
    the 400 MB a worker process is budgeted. It comes with the "train" dependency group, which
    belongs on a training machine, not beside the workers. Returns whether it warned."""
    if importlib.util.find_spec("torch") is None:
        return False
    log.warning(
        "PyTorch is installed in this worker's environment: spaCy imports it in every worker "
        "process (about 500 MB each). Serving needs only onnxruntime; run `uv sync` without "
        "--group train for the workers."
    )
    return True
