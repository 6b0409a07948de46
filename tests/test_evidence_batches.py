"""Evidence is two kinds of work (issue 10): fetching pages (the `wikipedia` queue, I/O, one
worker) and ranking sentences (the `ranking` queue, CPU, any number of processes), each done
article by article with a constant number of queries."""

from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from factcheck import services, tasks
from factcheck.evidence import page_index
from factcheck.evidence.corpus import CorpusSource
from factcheck.ingestion import read_document
from factcheck.models import Article, Claim, Evidence, RankingIndex
from tests.conftest import CORPUS_PATH, SEEDS_DIR

pytestmark = pytest.mark.django_db
ALEPPO = "Battle of Aleppo (2012–2016)"


@pytest.fixture(autouse=True)
def corpus_source(settings):
    settings.EVIDENCE_SOURCE = "corpus"


def extracted(path: Path) -> Article:
    draft = read_document(path.read_bytes(), filename=path.name, max_bytes=10**6)
    with mock.patch.object(tasks.fetch_article_pages, "delay"):
        article = services.article_ingest(draft=draft).article
        with mock.patch.object(tasks.extract_article_claims, "delay"):
            while Article.objects.get(pk=article.pk).status == Article.Status.QUEUED:
                services.article_extract_claims(article_id=article.pk)
    article.refresh_from_db()
    assert article.status == Article.Status.GATHERING
    return article


def fetched(article: Article) -> None:
    with mock.patch.object(tasks.rank_article_evidence, "delay") as ranking:
        services.article_fetch_pages(article_id=article.pk)
    ranking.assert_called_once_with(article.pk)


def no_source():
    raise AssertionError("ranking asked the evidence source")


def test_fetching_queues_the_ranking_which_never_asks_the_source():
    article = extracted(SEEDS_DIR / "000_78987c1eabe726c7.txt")
    fetched(article)
    assert not Evidence.objects.exists()

    with mock.patch.object(services, "open_evidence_source", side_effect=no_source):
        ranked = services.article_rank_evidence(article_id=article.pk)

    assert ranked == article.claims.count()
    article.refresh_from_db()
    assert article.status == Article.Status.READY
    troops = article.claims.get(text__contains="150,000 troops")
    assert troops.evidence_status == Claim.EvidenceStatus.ATTACHED
    assert 1 <= troops.evidence.count() <= settings.EVIDENCE_PER_CLAIM
    # Ranking twice finds nothing waiting and changes nothing.
    before = list(Evidence.objects.order_by("pk").values_list("pk", "claim_id", "sentence"))
    assert services.article_rank_evidence(article_id=article.pk) == 0
    assert list(Evidence.objects.order_by("pk").values_list("pk", "claim_id", "sentence")) == before


def queries_to_rank(article: Article) -> int:
    Claim.objects.filter(article=article).update(evidence_status=Claim.EvidenceStatus.PENDING)
    with CaptureQueriesContext(connection) as queries:
        services.article_rank_evidence(article_id=article.pk)
    return len(queries)


def queries_to_fetch(article: Article) -> int:
    Claim.objects.filter(article=article).update(evidence_status=Claim.EvidenceStatus.PENDING)
    with CaptureQueriesContext(connection) as queries:
        fetched(article)
    return len(queries)


def test_an_articles_evidence_costs_the_same_few_queries_whatever_its_number_of_claims():
    small = extracted(SEEDS_DIR / "000_78987c1eabe726c7.txt")
    large = extracted(SEEDS_DIR / "002_8d4d6b896af71e55.txt")
    assert large.claims.count() > 2 * small.claims.count()
    for article in (small, large):
        fetched(article)
        services.article_rank_evidence(article_id=article.pk)  # indexes the pages

    # With the pages stored (and indexed), as for every article after the first few:
    counts = {
        article.pk: (queries_to_fetch(article), queries_to_rank(article))
        for article in (small, large)
    }

    assert counts[small.pk] == counts[large.pk], counts
    fetch, rank = counts[small.pk]
    assert (fetch + rank) / small.claims.count() <= 5
    assert all(c.evidence_status != Claim.EvidenceStatus.PENDING for c in large.claims.all())


def test_a_page_is_indexed_once_and_other_processes_load_the_stored_index():
    article = extracted(SEEDS_DIR / "000_78987c1eabe726c7.txt")
    fetched(article)
    services.article_rank_evidence(article_id=article.pk)
    first = dict(Evidence.objects.values_list("pk", "sentence"))
    stored = RankingIndex.objects.count()
    assert stored and set(RankingIndex.objects.values_list("format", flat=True)) == {
        page_index.INDEX_FORMAT
    }

    # Another process: nothing in memory, and building an index would fail.
    page_index._cache.clear()
    Claim.objects.filter(article=article).update(evidence_status=Claim.EvidenceStatus.PENDING)
    with mock.patch.object(services, "build_index", side_effect=AssertionError("rebuilt")):
        services.article_rank_evidence(article_id=article.pk)

    assert dict(Evidence.objects.values_list("pk", "sentence")) == first
    assert RankingIndex.objects.count() == stored


def test_an_index_stored_by_another_format_is_rebuilt_not_misread():
    article = extracted(SEEDS_DIR / "000_78987c1eabe726c7.txt")
    fetched(article)
    services.article_rank_evidence(article_id=article.pk)
    first = dict(Evidence.objects.values_list("pk", "sentence"))
    RankingIndex.objects.update(format=page_index.INDEX_FORMAT + 1)
    page_index._cache.clear()

    Claim.objects.filter(article=article).update(evidence_status=Claim.EvidenceStatus.PENDING)
    services.article_rank_evidence(article_id=article.pk)

    assert dict(Evidence.objects.values_list("pk", "sentence")) == first
    assert set(RankingIndex.objects.values_list("format", flat=True)) == {page_index.INDEX_FORMAT}


def test_a_stored_index_reads_back_equal_to_the_built_one():
    from factcheck.evidence.page_index import PageIndex, build_index

    snapshot = CorpusSource([CORPUS_PATH]).fetch_pages([ALEPPO])[ALEPPO]
    built = build_index(snapshot)
    loaded = PageIndex.from_bytes(built.to_bytes())
    assert loaded.sentences == built.sentences and loaded.text == built.text
    assert loaded.postings.keys() == built.postings.keys()
    for token, (rows, counts) in built.postings.items():
        assert list(loaded.postings[token][0]) == list(rows)
        assert list(loaded.postings[token][1]) == list(counts)
    for name in ("rankable", "lengths", "fingerprints", "number_rows", "number_values"):
        assert list(getattr(loaded, name)) == list(getattr(built, name))


def test_fetching_and_ranking_run_on_their_own_queues_and_nothing_is_rate_limited():
    routes = settings.CELERY_TASK_ROUTES
    assert routes["factcheck.fetch_article_pages"] == {"queue": "wikipedia"}
    assert routes["factcheck.rank_article_evidence"] == {"queue": "ranking"}
    # Wikimedia's etiquette is kept by the single wikipedia worker's concurrency and the live
    # source (maxlag, Retry-After); a task rate limit would also throttle the offline corpus.
    for task in (tasks.fetch_article_pages, tasks.rank_article_evidence):
        assert task.rate_limit is None
