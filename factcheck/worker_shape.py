"""The production shape of the Celery workers, as data, scaled to a machine's CPU count.

Pure: no Django, no Celery import. One node per kind of work:

- extraction: spaCy, CPU-bound: prefork, one process per core;
- ranking: ranking evidence sentences, CPU-bound: prefork, one process per core;
- wikipedia: fetching pages, I/O-bound: threads, 3 in flight, and exactly ONE such node in the
  whole deployment (Wikimedia's etiquette caps us at 3 requests at a time);
- default: routing and the periodic tasks: prefork, one process; with beat (-B) when it is the
  one place beat runs.

Queues a node listens on that the settings do not declare are created by Celery on start, so
the shape can name a queue (ranking) before the routing sends anything to it.
"""

from dataclasses import dataclass

# Wikimedia asks for at most a few requests in flight: this node's threads are that cap.
WIKIPEDIA_THREADS = 3


@dataclass(frozen=True)
class WorkerSpec:
    """One `celery worker` node: its name (before the @host), queues, pool and concurrency."""

    name: str
    queues: tuple[str, ...]
    pool: str  # "prefork" or "threads"
    concurrency: int
    beat: bool = False


def production_workers(cpus: int, *, beat: bool = False) -> list[WorkerSpec]:
    """The worker nodes of one machine with ``cpus`` cores, as README's "Production shape".

    With ``beat``, the default node also runs celery beat (-B); a deployment runs beat in
    exactly one place, so only one machine's shape may ask for it.
    """
    cpus = max(1, cpus)
    return [
        WorkerSpec("extraction", ("extraction",), "prefork", cpus),
        WorkerSpec("ranking", ("ranking",), "prefork", cpus),
        WorkerSpec("wikipedia", ("wikipedia",), "threads", WIKIPEDIA_THREADS),
        WorkerSpec("default", ("default",), "prefork", 1, beat=beat),
    ]


def worker_argv(spec: WorkerSpec, *, app: str = "factcheck") -> list[str]:
    """The `celery -A factcheck worker ...` command line that starts ``spec``'s node.

    The node is named ``<name>@%h`` (Celery puts in the host name), so nodes of one kind on
    different machines stay apart. Run it as `uv run celery ...` or `python -m celery ...`.
    """
    argv = [
        "celery", "-A", app, "worker",
        "--queues", ",".join(spec.queues),
        "--pool", spec.pool,
        "--concurrency", str(spec.concurrency),
        "--hostname", f"{spec.name}@%h",
    ]  # fmt: skip
    if spec.beat:
        argv.append("--beat")
    return argv
