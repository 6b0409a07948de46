"""manage.py bench_pipeline: the shipped benchmark set, the worker shape it starts, and one
real run of two articles with real workers on PostgreSQL and Redis."""

import json
import re
import subprocess
import sys

import pytest
from django.db import connection

from factcheck import bench_processes, bench_set
from factcheck.evidence.corpus import CorpusSource, title_key
from factcheck.worker_shape import production_workers, worker_argv
from tests.conftest import CORPUS_PATH, GOLD_PATH, REPO_ROOT, SEEDS_DIR
from tests.worker import flush_broker, require_production_services, subprocess_env

SUMMARY_LINE = re.compile(
    r"^pipeline: [\d,]+ words/min end to end = \d+\.\d\d of raw nlp\.pipe on 2 processes; "
    r"daily volume \(6,000,000 words\) in [\d,]+ min; peak RSS [\d,]+ MB$"
)


@pytest.fixture(scope="module")
def shipped_set() -> list[bench_set.BenchArticle]:
    return bench_set.load_bench_set()


def corpus_pages() -> dict[str, dict]:
    return {
        record["title"]: record
        for record in map(json.loads, CORPUS_PATH.read_text(encoding="utf-8").splitlines())
    }


# --- The shipped set --------------------------------------------------------------------------


def test_the_set_has_at_least_60_articles_and_80000_words(shipped_set):
    assert len(shipped_set) >= 60
    assert sum(article.words for article in shipped_set) >= 80_000


def test_the_set_starts_with_the_three_seed_news_articles_verbatim(shipped_set):
    seeds = sorted(SEEDS_DIR.glob("*.txt"))
    assert [a.text for a in shipped_set[: len(seeds)]] == [p.read_text() for p in seeds]
    assert all(article.url == "" for article in shipped_set[: len(seeds)])


def test_every_other_article_is_a_news_length_excerpt_of_whole_paragraphs_of_its_page(
    shipped_set,
):
    pages = corpus_pages()
    excerpts = [article for article in shipped_set if article.url]
    assert len(excerpts) >= 57
    for article in excerpts:
        page = pages[article.title]
        assert article.url == page["url"]
        assert 1_150 <= article.words <= 1_500 + len(article.title.split())
        title, *paragraphs = article.text.split("\n\n")
        assert title == article.title
        page_text = "\n\n".join([page["lead"], *(s["text"] for s in page["sections"])])
        assert all(paragraph in page_text for paragraph in paragraphs), article.title


def test_the_shipped_file_is_what_the_build_makes(shipped_set):
    assert bench_set.build_bench_set() == shipped_set


def test_the_evidence_corpus_a_run_writes_leaves_out_every_held_out_page(shipped_set, tmp_path):
    held_out = bench_set.held_out_titles(shipped_set)
    written = bench_set.write_evidence_corpus(tmp_path / "evidence.jsonl", held_out=held_out)

    source = CorpusSource([written.path])
    assert not {title_key(title) for title in source.pages} & held_out
    excerpt_titles = [a.title for a in shipped_set if a.url]
    assert source.fetch_pages(excerpt_titles) == {}
    # The rest of the corpus stays, the seed articles' gold evidence pages included.
    shipped = CorpusSource([CORPUS_PATH, CORPUS_PATH.with_name("lead_summaries.jsonl")])
    assert set(source.pages) == {t for t in shipped.pages if title_key(t) not in held_out}
    gold = json.loads(GOLD_PATH.read_text())
    gold_pages = {
        page
        for article in gold["articles"].values()
        for claim in article["claims"]
        for page in claim.get("pages") or []
    }
    assert gold_pages and set(source.fetch_pages(sorted(gold_pages))) == gold_pages


def test_texts_are_shared_between_processes_by_words():
    texts = ["one two three four five six", "one two three", "one two", "one"]
    shares = bench_processes.split_by_words(texts, 2)
    assert sorted(map(len, shares)) == [1, 3]
    assert [sum(bench_set.count_words(t) for t in share) for share in shares] == [6, 6]


def test_the_summary_line_gives_the_ratio_the_daily_minutes_and_the_peak():
    line = bench_processes.summary_line(
        words_per_minute=150_000, raw_words_per_minute=250_000, peak_mb=351.4
    )
    assert line == (
        "pipeline: 150,000 words/min end to end = 0.60 of raw nlp.pipe on 2 processes; "
        "daily volume (6,000,000 words) in 40 min; peak RSS 351 MB"
    )
    assert SUMMARY_LINE.match(line)


# --- The worker shape -------------------------------------------------------------------------


def test_the_cpu_bound_nodes_get_one_process_per_core():
    shape = {spec.name: spec for spec in production_workers(8)}
    assert (shape["extraction"].pool, shape["extraction"].concurrency) == ("prefork", 8)
    assert (shape["ranking"].pool, shape["ranking"].concurrency) == ("prefork", 8)
    assert (shape["default"].pool, shape["default"].concurrency) == ("prefork", 1)


def test_wikipedia_is_one_node_of_three_threads_whatever_the_machine():
    for cpus in (1, 2, 64):
        wikipedia = [spec for spec in production_workers(cpus) if "wikipedia" in spec.queues]
        assert [(s.pool, s.concurrency) for s in wikipedia] == [("threads", 3)]


def test_beat_rides_on_the_default_node_only_when_asked():
    assert not any(spec.beat for spec in production_workers(2))
    assert [spec.name for spec in production_workers(2, beat=True) if spec.beat] == ["default"]


def test_a_spec_becomes_the_celery_worker_command_line():
    extraction, ranking, wikipedia, default = production_workers(2, beat=True)
    assert worker_argv(extraction) == [
        "celery", "-A", "factcheck", "worker", "--queues", "extraction", "--pool", "prefork",
        "--concurrency", "2", "--hostname", "extraction@%h",
    ]  # fmt: skip
    assert worker_argv(wikipedia)[4:] == [
        "--queues", "wikipedia", "--pool", "threads", "--concurrency", "3",
        "--hostname", "wikipedia@%h",
    ]  # fmt: skip
    assert worker_argv(default)[-1] == "--beat"
    assert "--beat" not in worker_argv(ranking)


# --- A real run -------------------------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.django_db
def test_a_two_article_run_reaches_ready_and_ends_with_the_summary_line(tmp_path):
    require_production_services()
    flush_broker()
    result = subprocess.run(
        [sys.executable, "manage.py", "bench_pipeline", "--limit", "2", "--timeout", "600"],
        cwd=REPO_ROOT,
        env=subprocess_env(data_dir=tmp_path),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    assert SUMMARY_LINE.match(lines[-1]), lines[-1]
    assert "run: 2 of 2 articles Ready, 0 failed" in result.stdout
    # The scratch database is gone and no worker of the run is left answering.
    scratch = re.search(r"PostgreSQL database (factcheck_bench_\d+)", result.stdout).group(1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [scratch])
        assert cursor.fetchone() == (0,)
    from factcheck.celery import app

    assert app.control.ping(timeout=1.0) == []
