"""manage.py bench_pipeline [--limit K] [--keep] [--timeout S] | --rebuild-set

The whole pipeline with real workers, timed from ingest to every article Ready.

What it ingests: the shipped benchmark set, factcheck/samples/bench/articles.jsonl (see
SOURCE.md there). It is NOT a news corpus: it is the three real seed news articles plus 59
news-length excerpts (whole paragraphs, 1,200-1,500 words) of the lead and narrative sections
of the offline Wikipedia corpus's pages about battles, offensives, campaigns and other events,
nearly all of the Syrian and Iraqi wars. So that their evidence is not their own text, those
pages are held out: the workers read a copy of the corpus (and of the lead summaries) without
them.
``--rebuild-set`` writes the set again from the shipped corpus and seeds.

Where it runs, never on the configured data: on PostgreSQL (DATABASE_URL postgres://...) a
scratch database factcheck_bench_<pid>, migrated; on the embedded default a temporary folder
with its own SQLite file (and its own filesystem broker when the broker is the filesystem
one). Either is dropped at the end, on an error and on Ctrl-C too, unless ``--keep``. The
broker is the configured one: the command refuses to start if any Celery worker already
answers a ping on it (that worker would take our tasks to another database), and purges the
queues it uses before and after the run.

How: raw ``nlp.pipe`` first, alone on the machine (two fresh processes over the same texts,
SPACY_BATCH_SIZE, clock from both models loaded to both done). Then the production worker
shape (factcheck.worker_shape) scaled to os.cpu_count() as subprocesses, with the scratch
environment and EVIDENCE_SOURCE=corpus:<the filtered copy>. Once every node answers a ping, a
few warm-up articles go through every stage (workers load spaCy and the evidence corpus on
their first task, and a worker that has run for a while has them), and only then does the
clock start: every article is ingested through services.article_ingest, and the database is
polled until each is Ready or Failed. A failed article is an error of the run.

It reports words/min (input words), claims/min, per-node peak RSS (VmHWM of every process of
the node, read just before the workers are stopped: the largest process and the node's
total) and the raw baseline, and ends with exactly one line:

  pipeline: N words/min end to end = R of raw nlp.pipe on 2 processes; daily volume
  (6,000,000 words) in M min; peak RSS W MB

R = N / raw words/min; M = 6,000,000 / N; W = the largest single process of any worker node.
"""

import signal

from django.core.management.base import BaseCommand, CommandError

from factcheck import bench_set
from factcheck.pipeline_bench import BenchError, pipeline_bench, scratch_state


class Command(BaseCommand):
    help = "Time the whole pipeline with real workers on the shipped benchmark set."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=0, help="Only the first K articles.")
        parser.add_argument(
            "--keep", action="store_true", help="Keep the scratch database and folder."
        )
        parser.add_argument(
            "--timeout", type=float, default=3600, help="Seconds to wait for all Ready."
        )
        parser.add_argument(
            "--rebuild-set",
            action="store_true",
            help="Write factcheck/samples/bench/articles.jsonl again from the shipped corpus.",
        )

    def handle(self, *args, limit: int, keep: bool, timeout: float, rebuild_set: bool, **options):
        if rebuild_set:
            articles = bench_set.build_bench_set()
            bench_set.write_bench_set(articles)
            words = sum(a.words for a in articles)
            self.stdout.write(
                f"wrote {bench_set.BENCH_SET}: {len(articles)} articles, {words:,} words"
            )
            return
        articles = bench_set.load_bench_set()
        held_out = bench_set.held_out_titles(articles)  # the whole set's, whatever --limit
        if limit:
            articles = articles[:limit]
        # A SIGTERM ends the run as Ctrl-C does: workers stopped, scratch state dropped.
        previous_handler = signal.signal(signal.SIGTERM, signal.default_int_handler)
        try:
            with scratch_state(keep=keep, say=self.stdout.write) as scratch:
                run = pipeline_bench(
                    articles,
                    held_out=held_out,
                    scratch=scratch,
                    timeout=timeout,
                    say=self.stdout.write,
                )
        except BenchError as exc:
            raise CommandError(str(exc)) from None
        except KeyboardInterrupt:
            dropped = "kept" if keep else "dropped"
            raise CommandError(f"interrupted: workers stopped, scratch state {dropped}") from None
        finally:
            signal.signal(signal.SIGTERM, previous_handler)
        if run.failed:
            raise CommandError(
                f"{len(run.failed)} of {run.articles} article(s) failed: " + "; ".join(run.failed)
            )
