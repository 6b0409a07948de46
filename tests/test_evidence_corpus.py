"""The offline corpus source and the choice of source from settings."""

import json
from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured

from factcheck.evidence.corpus import SNAPSHOT_DATE, CorpusSource, load_corpus_file
from factcheck.evidence.sources import source_from_settings, source_from_spec
from factcheck.evidence.types import EvidenceSourceError
from tests.wikipedia_double import CORPUS_FILES

ARTICLES, SUMMARIES = CORPUS_FILES
INTERVENTION = "Russian military intervention in the Syrian civil war"


@pytest.fixture(scope="module")
def corpus() -> CorpusSource:
    return CorpusSource([ARTICLES, SUMMARIES])


def test_it_reads_full_articles_with_sections(corpus):
    page = corpus.fetch_pages([INTERVENTION])[INTERVENTION]
    assert page.source == "corpus"
    assert page.revision_id is None
    assert page.snapshot_date == date(2023, 6, 16)
    assert (
        page.url
        == "https://en.wikipedia.org/wiki/Russian_military_intervention_in_the_Syrian_civil_war"
    )
    assert page.sections[0].heading == ""
    assert page.sections[0].text.startswith("The Russian military intervention")
    assert "Operations by Russian military forces" in [s.heading for s in page.sections]


def test_it_reads_lead_summaries(corpus):
    page = corpus.fetch_pages(["Vladimir Putin"])["Vladimir Putin"]
    assert page.description
    assert len(page.sections) == 1
    assert "Russian politician" in page.sections[0].text


def test_it_prefers_the_full_article_when_both_files_have_the_title(corpus):
    page = corpus.fetch_pages(["Syrian civil war"])["Syrian civil war"]
    assert len(page.sections) > 5


def test_it_normalises_titles_like_wikipedia(corpus):
    requested = [
        "syrian_civil_war",  # underscores, lower-case first letter
        "Siege of Deir ez-Zor (2014-2017)",  # hyphen for the en dash
        "SYRIAN CIVIL WAR",  # case, as a redirect would
        "Russian_military_intervention_in_the_Syrian_civil_war",
    ]
    pages = corpus.fetch_pages(requested)
    assert set(pages) == set(requested)  # keyed by the requested title
    assert pages["syrian_civil_war"].title == "Syrian civil war"
    assert pages["Siege of Deir ez-Zor (2014-2017)"].title == "Siege of Deir ez-Zor (2014–2017)"


def test_it_leaves_missing_pages_out(corpus):
    pages = corpus.fetch_pages(["Valery Gerasimov", "Spetsnaz", "Syria", "", "  "])
    assert list(pages) == ["Syria"]


def test_it_searches_titles_descriptions_and_leads(corpus):
    titles = corpus.search("Russia military intervention Syria", limit=5)
    assert INTERVENTION in titles
    assert len(titles) <= 5
    assert corpus.search("", limit=5) == []
    assert corpus.search("xyzzy plugh", limit=5) == []


def test_it_takes_the_snapshot_date_as_an_argument():
    source = CorpusSource([SUMMARIES], snapshot_date=date(2024, 1, 31))
    assert source.fetch_pages(["Syria"])["Syria"].snapshot_date == date(2024, 1, 31)
    assert SNAPSHOT_DATE == date(2023, 6, 16)


def test_it_parses_each_file_once_per_process():
    first = load_corpus_file(ARTICLES)
    assert load_corpus_file(ARTICLES) is first
    assert (
        CorpusSource([ARTICLES]).pages[INTERVENTION]
        is first[[p.title for p in first].index(INTERVENTION)]
    )


def test_it_reports_a_broken_corpus_as_permanent(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"title": "X"}) + "\n{not json\n")
    with pytest.raises(EvidenceSourceError) as caught:
        CorpusSource([bad])
    assert caught.value.transient is False
    with pytest.raises(EvidenceSourceError):
        CorpusSource([tmp_path / "absent.jsonl"])


def test_it_reads_a_custom_corpus_named_in_the_spec(tmp_path):
    path = tmp_path / "mini.jsonl"
    record = {
        "title": "Khmeimim Air Base",
        "url": "",
        "description": "Russian air base",
        "lead_summary": "Khmeimim Air Base is a Russian air base in Latakia.",
    }
    path.write_text(json.dumps(record) + "\n")
    source = source_from_spec(f"corpus:{path}")
    assert source.fetch_pages(["khmeimim_Air_Base"])["khmeimim_Air_Base"].url.endswith(
        "/wiki/Khmeimim_Air_Base"
    )
    assert source.search("Latakia air base") == ["Khmeimim Air Base"]


def test_it_builds_the_shipped_corpus_with_lead_summaries_from_settings(settings):
    settings.EVIDENCE_SOURCE = "corpus"
    source = source_from_settings()
    assert isinstance(source, CorpusSource)
    assert {"Vladimir Putin", INTERVENTION} <= set(source.pages)


def test_it_refuses_unknown_or_unusable_specs(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="not understood"):
        source_from_spec("wikipedia")
    with pytest.raises(ImproperlyConfigured, match="no such corpus file"):
        source_from_spec(f"corpus:{tmp_path / 'absent.jsonl'}")


def test_it_builds_the_live_source_from_settings(settings):
    from factcheck.evidence.live import LiveWikipediaSource

    settings.EVIDENCE_SOURCE = "live"
    settings.WIKIPEDIA_API_URL = "http://127.0.0.1:9/w/api.php"
    settings.WIKIPEDIA_CONTACT = "desk@example.org"
    settings.WIKIPEDIA_TIMEOUT_SECONDS = 3
    source = source_from_settings()
    assert isinstance(source, LiveWikipediaSource)
    assert source.api_url == "http://127.0.0.1:9/w/api.php"
    assert "desk@example.org" in source.user_agent
