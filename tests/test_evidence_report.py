"""Evidence as the pipeline really gathers it (real extraction, real services), measured over
the seed gold: retrieval quality with the offline corpus, and Wikipedia request economy with
the live source against the MediaWiki API double."""

import pytest

from factcheck.evidence.corpus import CorpusSource
from factcheck.evidence.live import LiveWikipediaSource, WikipediaAtEndpoint
from factcheck.evidence.sources import shipped_corpus_paths
from factcheck.evidence_report import run_evidence_report
from tests.conftest import GOLD_PATH, REPO_ROOT

pytestmark = pytest.mark.django_db
SEEDS = sorted((REPO_ROOT / "factcheck" / "samples" / "articles").glob("*.txt"))
RUSSIAN_PAGES = {
    "Russian military intervention in the Syrian civil war",
    "Russian involvement in the Syrian civil war",
}


@pytest.fixture(scope="module")
def corpus():
    return CorpusSource(shipped_corpus_paths())


def test_the_gold_page_is_in_the_top_5_evidence_for_nine_in_ten_claims(corpus):
    report = run_evidence_report(
        seed_paths=SEEDS,
        gold_path=GOLD_PATH,
        source_factory=lambda: corpus,
        request_counter=lambda: 0,
        known_titles=lambda title: bool(corpus.fetch_pages([title])),
    )
    print("\n".join(report.lines()))
    assert len(report.gold) >= 20
    assert all(g.extracted for g in report.gold)
    assert report.recall_at_5 >= 0.9
    assert RUSSIAN_PAGES & set(report.worked_example_pages)
    assert "number_mismatch" in report.worked_example_hints


def test_the_live_source_costs_half_a_request_per_claim_cold_and_none_warm(
    corpus, wikipedia_double
):
    report = run_evidence_report(
        seed_paths=SEEDS,
        gold_path=GOLD_PATH,
        source_factory=lambda: LiveWikipediaSource(
            api_url=wikipedia_double.api_url, contact="tests@example.org"
        ),
        request_counter=lambda: wikipedia_double.request_count,
        naive_client_factory=lambda: WikipediaAtEndpoint(
            wikipedia_double.api_url, user_agent="tests (tests@example.org)", language="en"
        ),
        known_titles=lambda title: bool(corpus.fetch_pages([title])),
    )
    print("\n".join(report.lines()))
    assert report.claims >= 20
    assert report.per_claim(report.cold_requests) <= 0.5
    assert report.warm_requests == 0
    # Naive use reads each existing page in two requests (text, then revision id).
    assert report.naive_requests >= 2 * report.naive_found > 0
    assert report.naive_requests > report.cold_requests
    assert RUSSIAN_PAGES & set(report.worked_example_pages)
    assert "number_mismatch" in report.worked_example_hints
