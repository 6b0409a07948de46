"""manage.py bench_pipeline's run: the whole pipeline with real workers, from ingest to Ready.

The set is factcheck.bench_set's; the processes (raw spaCy, worker nodes, their memory) are
factcheck.bench_processes'. This module owns the rest, which needs Django: the scratch
database, the broker checks, the warm-up, ingestion through services.article_ingest, polling
the database, and the report. Its lines go out through ``say`` as the run goes.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from celery.utils.nodenames import host_format
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from kombu.utils.url import maybe_sanitize_url
from psycopg import sql

from factcheck import bench_processes, bench_set, services
from factcheck.bench_processes import BenchError, RunningWorker
from factcheck.celery import app
from factcheck.ingestion import ArticleDraft, read_document
from factcheck.models import Article, Claim
from factcheck.worker_shape import production_workers

Say = Callable[[str], None]

FINISHED = (Article.Status.READY, Article.Status.FAILED)
POLL_SECONDS = 0.5
PROGRESS_SECONDS = 30
WORKERS_UP_SECONDS = 180
WARM_UP_SECONDS = 600
GOAL_RATIO = 0.5
GOAL_WORKER_MB = 400
# Warm-up articles: short, distinct, English, and with claims, so that every stage runs.
WARM_UP_TEXT = (
    "Warm-up article {n} before the pipeline benchmark\n\n"
    "The minister said {homes:,} homes were rebuilt in Aleppo last year, according to the "
    "Syrian Observatory for Human Rights. Russian aircraft flew {sorties} sorties over "
    "Palmyra in March, the defence ministry in Moscow said on Tuesday."
)


@dataclass(frozen=True)
class Scratch:
    folder: Path  # the workers' FACTCHECK_DATA_DIR: logs, the evidence copy, SQLite, broker
    database_url: str
    description: str


@dataclass(frozen=True)
class PipelineRun:
    articles: int
    failed: list[str]  # "#id title: reason" of each failed article


# --- Scratch state ----------------------------------------------------------------------------


@contextmanager
def scratch_state(*, keep: bool, say: Say) -> Iterator[Scratch]:
    """A migrated scratch database, and a folder, that this process uses meanwhile (as Django's
    test runner switches to its test database); both dropped on the way out, error and Ctrl-C
    included, unless ``keep``. PostgreSQL: database factcheck_bench_<pid> on the configured
    server. SQLite (the embedded default): a file in the folder, and the filesystem broker's
    folders there too when that is the broker."""
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BenchError(f"bench_pipeline runs on PostgreSQL or SQLite, not {vendor}")
    original_name = connection.settings_dict["NAME"]
    original_broker_options = app.conf.broker_transport_options
    folder = Path(tempfile.mkdtemp(prefix="factcheck_bench_"))
    created_database = ""
    try:
        if vendor == "postgresql":
            name = f"factcheck_bench_{os.getpid()}"
            postgres_admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            created_database = name
            url = urlsplit(settings.DATABASE_URL)._replace(path="/" + name).geturl()
            scratch = Scratch(folder, url, f"PostgreSQL database {name}; folder {folder}")
            use_database(name)
        else:
            path = folder / "factcheck.sqlite3"
            scratch = Scratch(folder, f"sqlite:///{path}", f"SQLite {path}")
            use_database(str(path))
        if settings.CELERY_BROKER_URL.startswith("filesystem://"):
            app.conf.broker_transport_options = broker_options_under(folder)
        call_command("migrate", verbosity=0, interactive=False)
        yield scratch
    finally:
        use_database(original_name)
        app.conf.broker_transport_options = original_broker_options
        if keep:
            kept_database = f" and database {created_database}" if created_database else ""
            say(f"kept: folder {folder}{kept_database}")
        else:
            if created_database:
                drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                postgres_admin(drop.format(sql.Identifier(created_database)))
            shutil.rmtree(folder, ignore_errors=True)


def use_database(name: str) -> None:
    """Point the default connection at another database of the same server (or file)."""
    connection.close()
    connection.settings_dict["NAME"] = name  # the same dict as settings.DATABASES["default"]


def postgres_admin(statement: sql.Composable) -> None:
    """CREATE or DROP DATABASE, which cannot run inside the database concerned: through the
    server's maintenance database, with the configured credentials."""
    db = connection.settings_dict
    with psycopg.connect(
        dbname="postgres",
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        autocommit=True,
    ) as admin:
        admin.execute(statement)


def broker_options_under(folder: Path) -> dict:
    """The filesystem transport's options as workers with FACTCHECK_DATA_DIR=folder compute
    them: settings.py's own, with every folder under DATA_DIR moved under ``folder``."""
    options = {}
    for key, value in settings.CELERY_BROKER_TRANSPORT_OPTIONS.items():
        if isinstance(value, str) and Path(value).is_relative_to(settings.DATA_DIR):
            moved = folder / Path(value).relative_to(settings.DATA_DIR)
            moved.mkdir(parents=True, exist_ok=True)
            value = str(moved)
        options[key] = value
    return options


# --- The run ----------------------------------------------------------------------------------


def pipeline_bench(
    articles: Sequence[bench_set.BenchArticle],
    *,
    held_out: set[str],
    scratch: Scratch,
    timeout: float,
    say: Say,
) -> PipelineRun:
    """The raw baseline, then the workers of the production shape on the scratch state (stopped
    whatever happens), the timed run and its report, whose last line is the summary line.
    Raises BenchError if the broker is in use, a worker dies, or the run outlasts ``timeout``."""
    drafts = [bench_draft(article, number) for number, article in enumerate(articles, 1)]
    words = sum(bench_set.count_words(d.text) for d in drafts)
    seeds = sum(1 for a in articles if not a.url)
    say(
        f"bench set: {len(drafts)} articles ({seeds} seed news articles, "
        f"{len(drafts) - seeds} excerpts of held-out Wikipedia pages), {words:,} words"
    )
    say(f"scratch: {scratch.description}")

    specs = production_workers(os.cpu_count() or 1)
    queues = sorted({name for spec in specs for name in spec.queues})
    refuse_if_workers_answer()
    purged = purge_queues(queues)
    say(
        f"broker: {maybe_sanitize_url(settings.CELERY_BROKER_URL)}; no worker answered a ping; "
        f"{purged} message(s) purged from {', '.join(queues)}"
    )
    evidence = bench_set.write_evidence_corpus(scratch.folder / "evidence.jsonl", held_out=held_out)
    say(
        f"evidence: corpus:{evidence.path}: {evidence.lines_kept} pages and lead summaries, "
        f"{evidence.lines_left_out} held out"
    )

    # Before any worker starts, so nothing competes with it for the cores.
    raw = bench_processes.raw_pipe_run(
        [d.text for d in drafts], model=settings.SPACY_MODEL, batch_size=settings.SPACY_BATCH_SIZE
    )
    say(
        f"raw nlp.pipe, {raw.processes} processes: {raw.words:,} words in {raw.seconds:.1f} s "
        f"= {raw.words_per_minute:,.0f} words/min "
        f"({settings.SPACY_MODEL}, batch {settings.SPACY_BATCH_SIZE})"
    )

    env = {
        **os.environ,
        "DATABASE_URL": scratch.database_url,
        "FACTCHECK_DATA_DIR": str(scratch.folder),
        "EVIDENCE_SOURCE": f"corpus:{evidence.path}",
    }
    workers = bench_processes.start_workers(
        specs, env=env, cwd=Path(settings.BASE_DIR), log_dir=scratch.folder
    )
    try:
        run = timed_run(drafts, workers, timeout=timeout, say=say)
    finally:
        bench_processes.stop_workers(workers)
        purge_queues(queues)
    return report(run, words=words, raw=raw, say=say)


@dataclass(frozen=True)
class TimedRun:
    ids: list[int]
    seconds: float
    ingest_seconds: float
    cpu_seconds: dict[str, float]  # per node, during the run
    memory: list[bench_processes.NodeMemory]  # peak, per node


def timed_run(
    drafts: Sequence[ArticleDraft], workers: Sequence[RunningWorker], *, timeout: float, say: Say
) -> TimedRun:
    """Workers answering, warm-up, then the clock: ingest every draft, wait until each article
    is Ready or Failed. Peak memory is read at the end, before anything stops."""
    seconds = wait_until_answering(workers)
    shape = ", ".join(f"{w.spec.name} {w.spec.pool} x{w.spec.concurrency}" for w in workers)
    say(f"workers ({os.cpu_count()} CPUs): {shape}; all answered in {seconds:.1f} s")
    prefork = max(w.spec.concurrency for w in workers if w.spec.pool == "prefork")
    seconds = warm_up(workers, count=2 * prefork)
    resident = "; ".join(
        f"{node.name} " + "/".join(f"{mb:.0f}" for mb in node.megabytes)
        for node in (bench_processes.node_memory(w, "VmRSS") for w in workers)
    )
    say(f"warm-up: Ready in {seconds:.1f} s; resident MB per process: {resident}")

    cpu_before = [bench_processes.node_cpu_seconds(w) for w in workers]
    started = time.monotonic()
    ids = [services.article_ingest(draft=draft).article.pk for draft in drafts]
    ingest_seconds = time.monotonic() - started
    wait_until_finished(ids, workers, started=started, timeout=timeout, say=say)
    seconds = time.monotonic() - started
    cpu_seconds = {
        w.spec.name: bench_processes.cpu_seconds_between(
            before, bench_processes.node_cpu_seconds(w)
        )
        for before, w in zip(cpu_before, workers, strict=True)
    }
    memory = [bench_processes.node_memory(w) for w in workers]
    return TimedRun(ids, seconds, ingest_seconds, cpu_seconds, memory)


def report(run: TimedRun, *, words: int, raw: bench_processes.RawPipeRun, say: Say) -> PipelineRun:
    """Say the run's figures, the goals and, last, the summary line."""
    statuses = Counter(Article.objects.filter(pk__in=run.ids).values_list("status", flat=True))
    evidence_statuses = Counter(
        Claim.objects.filter(article_id__in=run.ids).values_list("evidence_status", flat=True)
    )
    claims = sum(evidence_statuses.values())
    say(
        f"run: {statuses[Article.Status.READY]} of {len(run.ids)} articles Ready, "
        f"{statuses[Article.Status.FAILED]} failed, in {run.seconds:.1f} s "
        f"(of which ingesting {run.ingest_seconds:.1f} s)"
    )
    by_status = ", ".join(f"{status} {n:,}" for status, n in sorted(evidence_statuses.items()))
    say(f"claims: {claims:,} (evidence {by_status})")
    words_per_minute = words / run.seconds * 60
    say(f"words/min: {words_per_minute:,.0f}; claims/min: {claims / run.seconds * 60:,.0f}")
    # On a shared machine wall-clock time also measures the neighbours; CPU time much less.
    # It leaves out PostgreSQL, Redis and this process.
    workers_cpu = sum(run.cpu_seconds.values())
    per_node = ", ".join(f"{name} {seconds:.1f}" for name, seconds in run.cpu_seconds.items())
    say(
        f"CPU seconds: workers {workers_cpu:.1f} during the run ({per_node}); raw nlp.pipe "
        f"{raw.cpu_seconds:.1f}; raw/workers {raw.cpu_seconds / workers_cpu:.2f}"
    )
    say("peak RSS (VmHWM) per worker node:")
    for node in run.memory:
        say(
            f"  {node.name:<11} largest process {node.largest:4.0f} MB, node total "
            f"{node.total:5.0f} MB over {len(node.megabytes)} processes"
        )
    peak = max(node.largest for node in run.memory)
    ratio = words_per_minute / raw.words_per_minute
    say(
        f"goals: R >= {GOAL_RATIO}: {'met' if ratio >= GOAL_RATIO else 'NOT met'} "
        f"({ratio:.2f}); every worker process <= {GOAL_WORKER_MB} MB: "
        f"{'met' if peak <= GOAL_WORKER_MB else 'NOT met'} (largest {peak:.0f} MB)"
    )
    say(
        bench_processes.summary_line(
            words_per_minute=words_per_minute,
            raw_words_per_minute=raw.words_per_minute,
            peak_mb=peak,
        )
    )
    failed = Article.objects.filter(pk__in=run.ids, status=Article.Status.FAILED).order_by("pk")
    return PipelineRun(
        articles=len(run.ids),
        failed=[f"#{a.pk} {a.title[:60]}: {a.error_message}" for a in failed],
    )


def bench_draft(article: bench_set.BenchArticle, number: int) -> ArticleDraft:
    """The draft `manage.py ingest` would make of the article's text, with its title and URL."""
    draft = read_document(
        article.text.encode("utf-8"),
        filename=f"bench-{number:03d}.txt",
        max_bytes=settings.INGEST_MAX_BYTES,
    )
    outlet = bench_set.EXCERPT_OUTLET if article.url else draft.outlet
    return dataclasses.replace(draft, title=article.title, source_url=article.url, outlet=outlet)


# --- Broker and workers -----------------------------------------------------------------------


def refuse_if_workers_answer() -> None:
    replies = app.control.ping(timeout=1.0)
    if replies:
        names = ", ".join(sorted(name for reply in replies for name in reply))
        raise BenchError(
            f"Celery workers already answer on {maybe_sanitize_url(settings.CELERY_BROKER_URL)} "
            f"({names}): they would take the benchmark's tasks to their own database. Stop "
            "them, or point CELERY_BROKER_URL at a broker (a Redis db number) no worker uses."
        )


def purge_queues(queues: Sequence[str]) -> int:
    """Drop every message waiting in ``queues``; the number dropped. Safe on a desk's broker:
    the sweep re-queues whatever a lost message was carrying (README, Operations)."""
    with app.connection_for_write() as broker:
        channel = broker.default_channel
        return sum(channel.queue_purge(name) or 0 for name in queues)


def wait_until_answering(workers: Sequence[RunningWorker]) -> float:
    """Seconds until every node answers a ping by its name."""
    started = time.monotonic()
    expected = {host_format(f"{w.spec.name}@%h") for w in workers}
    while True:
        replies = app.control.ping(destination=sorted(expected), timeout=1.0)
        if expected <= {name for reply in replies for name in reply}:
            return time.monotonic() - started
        check_alive(workers)
        if time.monotonic() - started > WORKERS_UP_SECONDS:
            raise BenchError(f"the workers did not all answer within {WORKERS_UP_SECONDS} s")


def check_alive(workers: Sequence[RunningWorker]) -> None:
    for worker in workers:
        if worker.process.poll() is not None:
            raise BenchError(
                f"worker {worker.spec.name} exited with code {worker.process.returncode}; "
                f"the end of its log ({worker.log_path}):\n{worker.log_tail()}"
            )


def warm_up(workers: Sequence[RunningWorker], *, count: int) -> float:
    """Put ``count`` short articles through every stage at once and wait until they are Ready.

    Workers load spaCy, the check-worthiness model and the evidence corpus on their first task,
    not at start, and a worker that has run for a while has them. Celery hands a task only to
    an idle pool process, so articles sent together reach different processes."""
    started = time.monotonic()
    ids = []
    for n in range(1, count + 1):
        text = WARM_UP_TEXT.format(n=n, homes=1_000 * n + 17, sorties=40 + n)
        draft = read_document(text.encode(), filename=f"warm-up-{n}.txt", max_bytes=10_000)
        ids.append(services.article_ingest(draft=draft).article.pk)
    wait_until_finished(ids, workers, started=started, timeout=WARM_UP_SECONDS, say=lambda _: None)
    failed = Article.objects.filter(pk__in=ids, status=Article.Status.FAILED).first()
    if failed:
        raise BenchError(f"a warm-up article failed: {failed.error_message}")
    return time.monotonic() - started


def wait_until_finished(
    ids: Sequence[int],
    workers: Sequence[RunningWorker],
    *,
    started: float,
    timeout: float,
    say: Say,
) -> None:
    """Poll until every article of ``ids`` is Ready or Failed; a progress line every 30 s."""
    last_progress = time.monotonic()
    while True:
        finished = Article.objects.filter(pk__in=ids, status__in=FINISHED).count()
        if finished == len(ids):
            return
        check_alive(workers)
        now = time.monotonic()
        if now - started > timeout:
            raise BenchError(f"gave up after {timeout:.0f} s: {finished} of {len(ids)} finished")
        if now - last_progress >= PROGRESS_SECONDS:
            say(f"  {now - started:5.0f} s: {finished} of {len(ids)} articles Ready or Failed")
            last_progress = now
        time.sleep(POLL_SECONDS)
