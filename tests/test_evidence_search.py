"""factcheck.services.evidence_search: a reviewer's own words against the configured evidence
source (the offline corpus, or live Wikipedia through the MediaWiki API double), through the
page store, so that every hit is a stored revision evidence_attach can cite."""

import pytest
from django.db import connection

from factcheck.evidence.corpus import CorpusSource
from factcheck.evidence.live import LiveWikipediaSource
from factcheck.evidence.ranking import split_sentences
from factcheck.evidence.types import EvidenceSourceError
from factcheck.models import ReferencePage, SearchLookup
from factcheck.services import SearchHit, evidence_search, page_snapshot
from tests.factories import make_claim
from tests.wikipedia_double import CORPUS_FILES

pytestmark = pytest.mark.django_db

RUSSIAN_PAGES = {
    "Russian military intervention in the Syrian civil war",
    "Russian involvement in the Syrian civil war",
}


class WatchedSource:
    """An evidence source that notes, at each call, whether a transaction was open."""

    name = "corpus"

    def __init__(self, source):
        self.source = source
        self.calls: list[tuple[str, bool]] = []

    def search(self, query, *, limit=5):
        self.calls.append(("search", connection.in_atomic_block))
        return self.source.search(query, limit=limit)

    def fetch_pages(self, titles):
        self.calls.append(("fetch_pages", connection.in_atomic_block))
        return self.source.fetch_pages(titles)


class RefusingSource:
    name = "corpus"

    def search(self, query, *, limit=5):
        raise AssertionError("the source was asked")

    def fetch_pages(self, titles):
        raise AssertionError("the source was asked")


@pytest.fixture(scope="module")
def corpus() -> CorpusSource:
    return CorpusSource(CORPUS_FILES)


def test_it_finds_corpus_sentences_for_a_reviewers_own_words(settings):
    settings.EVIDENCE_SOURCE = "corpus"  # as ./dev test sets it; the configured source
    hits = evidence_search(claim=make_claim(), query="  Russian servicemen   Syria ")
    assert hits and all(isinstance(hit, SearchHit) for hit in hits)
    assert RUSSIAN_PAGES & {hit.page_title for hit in hits}
    assert any("servicemen" in hit.sentence for hit in hits)
    assert SearchLookup.objects.filter(query="Russian servicemen Syria").exists()
    # Each hit is a sentence of a stored revision, at the index evidence_attach will read.
    for hit in hits:
        page = ReferencePage.objects.get(pk=hit.page_id)
        assert (page.title, page.revision_label) == (hit.page_title, hit.revision_label)
        sentences = {
            i: (section, text) for i, section, text in split_sentences(page_snapshot(page))
        }
        assert sentences[hit.sentence_index] == (hit.section, hit.sentence)
    assert len(hits) <= 10
    assert max(sum(h.page_title == t for h in hits) for t in {h.page_title for h in hits}) <= 3


def test_the_claims_entities_lead_the_ranking(corpus):
    words = "Russian military intervention casualties"
    plain = evidence_search(claim=make_claim(), query=words, source=corpus)
    about_gerasimov = evidence_search(
        claim=make_claim(entities=[{"text": "Gerasimov", "name": "Valery Gerasimov"}]),
        query=words,
        source=corpus,
    )
    assert "Gerasimov" not in plain[0].sentence
    assert "Gerasimov" in about_gerasimov[0].sentence


def test_blank_words_ask_the_source_nothing():
    assert evidence_search(claim=make_claim(), query=" \n ", source=RefusingSource()) == []


def test_a_repeated_search_costs_no_request_to_live_wikipedia(wikipedia_double):
    live = LiveWikipediaSource(api_url=wikipedia_double.api_url, contact="tests@example.org")
    claim = make_claim()
    first = evidence_search(claim=claim, query="Russian servicemen Syria", source=live)
    asked = wikipedia_double.request_count
    again = evidence_search(claim=claim, query="Russian servicemen Syria", source=live)
    assert first and again == first
    assert asked > 0 and wikipedia_double.request_count == asked
    assert all(hit.revision_label.startswith("revision ") for hit in first)
    assert all("oldid=" in hit.page_url for hit in first)


def test_a_refusing_wikipedia_is_reported_as_not_worth_retrying(wikipedia_double):
    live = LiveWikipediaSource(api_url=wikipedia_double.api_url, contact="tests@example.org")
    wikipedia_double.inject("400")
    with pytest.raises(EvidenceSourceError) as caught:
        evidence_search(claim=make_claim(), query="Russian servicemen Syria", source=live)
    assert caught.value.transient is False


@pytest.mark.django_db(transaction=True)
def test_no_transaction_is_open_while_the_source_is_asked(corpus):
    source = WatchedSource(corpus)
    assert evidence_search(claim=make_claim(), query="Russian servicemen Syria", source=source)
    assert [name for name, _ in source.calls] == ["search", "fetch_pages"]
    assert not any(in_transaction for _, in_transaction in source.calls)
