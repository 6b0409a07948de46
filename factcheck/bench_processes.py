"""The processes manage.py bench_pipeline runs and measures. No ORM: the baseline's child
processes import this module before (and without) Django being set up.

- The raw spaCy baseline: ``nlp.pipe`` alone on two fresh processes, over the same texts.
- Worker nodes as subprocesses: start, stop (no orphan survives), and their memory.
- The report's last line.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from factcheck.bench_set import count_words
from factcheck.worker_shape import WorkerSpec, worker_argv

DAILY_WORDS = 6_000_000  # Full Fact's daily English volume, roughly


class BenchError(Exception):
    """The run cannot go on, or went wrong; the message says what and what to do."""


# --- The raw spaCy baseline -------------------------------------------------------------------


@dataclass(frozen=True)
class RawPipeRun:
    words: int
    seconds: float
    processes: int
    cpu_seconds: float  # of all processes together, for the same stretch

    @property
    def words_per_minute(self) -> float:
        return self.words / self.seconds * 60


def raw_pipe_run(
    texts: Sequence[str], *, model: str, batch_size: int, processes: int = 2, timeout: float = 3600
) -> RawPipeRun:
    """``nlp.pipe`` alone (all pipes, docs discarded) over ``texts`` split between
    ``processes`` fresh processes, each with its own model, as extraction workers have.

    The clock runs from the moment every process has loaded its model (and run it once on a
    short text, as a warm worker has) to the moment the last one is done: they report
    "loaded", wait for one start event, then report "done". Raises BenchError if a process
    dies or ``timeout`` seconds pass.
    """
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    reports = context.Queue()
    children = [
        context.Process(
            target=_pipe_share, args=(model, share, batch_size, start, reports), daemon=True
        )
        for share in split_by_words(texts, processes)
    ]
    for child in children:
        child.start()
    try:
        _await_reports(reports, "loaded", children, timeout=timeout)
        started = time.monotonic()
        start.set()
        cpu_seconds = sum(_await_reports(reports, "done", children, timeout=timeout))
        seconds = time.monotonic() - started
    except BaseException:  # Ctrl-C included: the children ignore it
        for child in children:
            child.kill()
        raise
    finally:
        for child in children:
            child.join()
    return RawPipeRun(
        words=sum(count_words(t) for t in texts),
        seconds=seconds,
        processes=processes,
        cpu_seconds=cpu_seconds,
    )


def _await_reports(reports, what: str, children, *, timeout: float) -> list[float]:
    """Wait for each child's ``(what, figure)`` report; the figures."""
    deadline = time.monotonic() + timeout
    figures: list[float] = []
    while len(figures) < len(children):
        try:
            _what, figure = reports.get(timeout=0.5)
        except queue.Empty:
            # A child that exits cleanly has sent its report; one that failed exits non-zero.
            if any(child.exitcode not in (None, 0) for child in children):
                raise BenchError(f"a raw nlp.pipe process failed before it was {what}") from None
            if time.monotonic() > deadline:
                raise BenchError(f"raw nlp.pipe: not {what} after {timeout:.0f} s") from None
            continue
        figures.append(figure)
    return figures


def split_by_words(texts: Sequence[str], parts: int) -> list[list[str]]:
    """``texts`` in ``parts`` shares of about equal words (longest first, each to the lightest
    share), so no process waits long for the other."""
    shares: list[list[str]] = [[] for _ in range(parts)]
    loads = [0] * parts
    for text in sorted(texts, key=count_words, reverse=True):
        lightest = loads.index(min(loads))
        shares[lightest].append(text)
        loads[lightest] += count_words(text)
    return shares


def _pipe_share(model: str, texts: list[str], batch_size: int, start, reports) -> None:
    from factcheck.extraction.pipeline import get_nlp

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us; Ctrl-C is its to handle
    nlp = get_nlp(model)
    for _doc in nlp.pipe(["The minister said 40,000 homes were built last year."]):
        pass
    reports.put(("loaded", 0.0))
    start.wait()
    cpu = time.process_time()
    for _doc in nlp.pipe(texts, batch_size=batch_size):
        pass
    reports.put(("done", time.process_time() - cpu))


# --- Worker nodes -----------------------------------------------------------------------------


@dataclass
class RunningWorker:
    spec: WorkerSpec
    process: subprocess.Popen
    log_path: Path

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def start_workers(
    specs: Sequence[WorkerSpec], *, env: dict[str, str], cwd: Path, log_dir: Path
) -> list[RunningWorker]:
    """Each node as `python -m celery ...` (this interpreter, so this virtualenv), in a session
    of its own: a Ctrl-C in the terminal reaches the command, which stops them in order."""
    workers = []
    for spec in specs:
        log_path = log_dir / f"{spec.name}.log"
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", *worker_argv(spec)],
                cwd=cwd,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        workers.append(RunningWorker(spec=spec, process=process, log_path=log_path))
    return workers


def stop_workers(workers: Sequence[RunningWorker], *, timeout: float = 60) -> None:
    """Warm shutdown: SIGTERM to every node's main process (which stops its own pool), then
    wait; a node still up after ``timeout`` seconds, and any process a node left behind, gets
    SIGKILL. A SIGTERM to pool processes themselves could kill one holding the pool's lock."""
    for worker in workers:
        if worker.process.poll() is None:
            worker.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for worker in workers:
        try:
            worker.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(worker.process.pid, signal.SIGKILL)  # its session: main and children
        except ProcessLookupError:
            pass  # every process of the node has exited
        worker.process.wait()


def process_tree(root: int) -> list[int]:
    """``root`` and every process descended from it (from /proc), parents first."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # it exited meanwhile
        # The command name (field 2) may hold spaces and parentheses: split after its last ")".
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    tree, pending = [], [root]
    while pending:
        pid = pending.pop(0)
        tree.append(pid)
        pending.extend(sorted(children.get(pid, [])))
    return tree


def cpu_seconds(pids: Sequence[int]) -> dict[int, float]:
    """User plus system CPU seconds each process has used so far (processes gone: left out)."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime (fields 14, 15)
    return used


def node_cpu_seconds(worker: RunningWorker) -> dict[int, float]:
    """``cpu_seconds`` of every process of one node (main process and pool children)."""
    return cpu_seconds(process_tree(worker.process.pid))


def cpu_seconds_between(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two readings of the same processes (a process that started
    meanwhile counts from zero)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def status_megabytes(pid: int, field: str) -> float | None:
    """A memory field of /proc/<pid>/status (VmHWM: peak resident set; VmRSS: current) in MB,
    or None if the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # kB
    except (OSError, ValueError):
        return None
    return None


@dataclass(frozen=True)
class NodeMemory:
    name: str
    megabytes: tuple[float, ...]  # one per process, the node's main process first

    @property
    def largest(self) -> float:
        return max(self.megabytes, default=0.0)

    @property
    def total(self) -> float:
        return sum(self.megabytes)


def node_memory(worker: RunningWorker, field: str = "VmHWM") -> NodeMemory:
    """Every process of one node (main process and pool children), read now."""
    readings = (status_megabytes(pid, field) for pid in process_tree(worker.process.pid))
    return NodeMemory(worker.spec.name, tuple(mb for mb in readings if mb is not None))


# --- The report -------------------------------------------------------------------------------


def summary_line(*, words_per_minute: float, raw_words_per_minute: float, peak_mb: float) -> str:
    """The report's last line. R is pipeline words/min over raw nlp.pipe words/min on two
    processes; the daily volume's minutes are at the pipeline's speed."""
    ratio = words_per_minute / raw_words_per_minute
    minutes = DAILY_WORDS / words_per_minute
    return (
        f"pipeline: {words_per_minute:,.0f} words/min end to end = {ratio:.2f} of raw nlp.pipe "
        f"on 2 processes; daily volume ({DAILY_WORDS:,} words) in {minutes:,.0f} min; "
        f"peak RSS {peak_mb:,.0f} MB"
    )
